package tfstate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// scanner walks JSON text without building values: it finds object keys
// and the extent of values, so a large state is indexed in one pass and
// attribute values stay sub-slices of the text until a lookup decodes them.
// It checks structure only as far as it walks; values it skips are fully
// validated later by encoding/json, when a lookup decodes them.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", s.pos, fmt.Sprintf(format, args...))
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.pos++
	return nil
}

// stringEnd returns the offset just past the string starting at s.pos.
func (s *scanner) stringEnd() (int, bool) {
	i := s.pos + 1
	for {
		j := bytes.IndexByte(s.data[i:], '"')
		if j < 0 {
			return 0, false
		}
		i += j
		// The quote is escaped when an odd number of backslashes precede it.
		k := i - 1
		for k > s.pos && s.data[k] == '\\' {
			k--
		}
		if (i-1-k)%2 == 0 {
			return i + 1, true
		}
		i++
	}
}

// str reads a string value.
func (s *scanner) str() (string, error) {
	if s.peek() != '"' {
		return "", s.errorf("expected a string")
	}
	end, ok := s.stringEnd()
	if !ok {
		return "", s.errorf("unterminated string")
	}
	raw := s.data[s.pos:end]
	s.pos = end
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", s.errorf("bad string: %v", err)
	}
	return v, nil
}

// raw skips one value and returns its text.
func (s *scanner) raw() ([]byte, error) {
	s.ws()
	start := s.pos
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// skip moves past one value.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		end, ok := s.stringEnd()
		if !ok {
			return s.errorf("unterminated string")
		}
		s.pos = end
		return nil
	case '{', '[':
		depth := 0
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case '"':
				end, ok := s.stringEnd()
				if !ok {
					return s.errorf("unterminated string")
				}
				s.pos = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos++
					return nil
				}
			}
			s.pos++
		}
		return s.errorf("unterminated %q", c)
	case 0:
		return s.errorf("unexpected end of input")
	default:
		start := s.pos
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.pos == start {
					return s.errorf("unexpected %q", s.data[s.pos])
				}
				return nil
			}
			s.pos++
		}
		return nil
	}
}

// object calls fn for each key, with the scanner at the key's value; fn
// must consume the value.
func (s *scanner) object(fn func(key string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf("expected , or }")
		}
	}
}

// array calls fn for each element; fn must consume it.
func (s *scanner) array(fn func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf("expected , or ]")
		}
	}
}

// int reads a number value as an int.
func (s *scanner) int() (int, error) {
	raw, err := s.raw()
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, s.errorf("expected a whole number, got %s", raw)
	}
	return n, nil
}
