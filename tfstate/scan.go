package tfstate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// scanner walks JSON text once, front to back, without building values: it
// finds object keys and where values start and end, as offsets into the
// document. Text comes through one fixed buffer, so indexing a state costs
// the same memory whatever its size; nothing the scanner reads is kept
// unless asked for (a key, a short value). It checks structure only as far
// as it walks; values it skips are fully validated later by encoding/json,
// when a lookup decodes them.
type scanner struct {
	r    io.Reader // where more text comes from; nil when buf holds it all
	buf  []byte
	pos  int   // the next unread byte of buf
	end  int   // buf[:end] holds text
	base int64 // the document offset of buf[0]
	rerr error // what r said when it stopped giving text (io.EOF at the end)

	// While capturing, the text from capStart on is kept: more moves it
	// to kept before it reuses buf, so a key or value split across two
	// reads still comes back whole.
	capturing bool
	capStart  int
	kept      []byte

	key []byte // the object key being read, kept apart from buf and kept
}

// bufferSize is how much of a state is read at a time.
const bufferSize = 128 << 10

// newScanner reads r through a buffer of size bytes.
func newScanner(r io.Reader, size int) *scanner {
	return &scanner{r: r, buf: make([]byte, size)}
}

// bytesScanner walks a document that is all in memory, with no copy.
func bytesScanner(data []byte) *scanner {
	return &scanner{buf: data, end: len(data)}
}

// offset is the document offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// readErr is the reader's error when it stopped before the end of the
// text: a body that broke off, not a document at fault.
func (s *scanner) readErr() error {
	if s.rerr == nil || s.rerr == io.EOF {
		return nil
	}
	return s.rerr
}

// more makes sure an unread byte is in buf, reading on when all of it has
// been read; false at the end of the text.
func (s *scanner) more() bool {
	if s.pos < s.end {
		return true
	}
	if s.r == nil || s.rerr != nil {
		return false
	}
	if s.capturing {
		s.kept = append(s.kept, s.buf[s.capStart:s.end]...)
		s.capStart = 0
	}
	s.base += int64(s.end)
	s.pos, s.end = 0, 0
	for empty := 0; s.end == 0; empty++ {
		if empty == 100 {
			s.rerr = io.ErrNoProgress
			break
		}
		n, err := s.r.Read(s.buf)
		s.end = n
		if err != nil {
			s.rerr = err
			break
		}
	}
	return s.end > 0
}

func (s *scanner) startCapture() {
	s.capturing, s.capStart, s.kept = true, s.pos, s.kept[:0]
}

// endCapture returns the text read since startCapture. It is valid until
// the scanner reads on.
func (s *scanner) endCapture() []byte {
	s.capturing = false
	if len(s.kept) == 0 {
		return s.buf[s.capStart:s.pos]
	}
	s.kept = append(s.kept, s.buf[s.capStart:s.pos]...)
	return s.kept
}

func (s *scanner) errorf(format string, args ...any) error {
	return s.errorAt(s.offset(), format, args...)
}

func (s *scanner) errorAt(off int64, format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", off, fmt.Sprintf(format, args...))
}

// peek skips white space and returns the next byte, 0 at the end.
func (s *scanner) peek() byte {
	for s.more() {
		switch c := s.buf[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.pos++
	return nil
}

// skipString moves past the string whose opening quote is the next byte;
// false when the text ends inside it. Runs without escapes, nearly all of
// a state, are found with bytes.IndexByte; a backslash and the byte after
// it are stepped over one at a time, so an escape split across two reads
// is still one escape.
func (s *scanner) skipString() bool {
	s.pos++
	for s.more() {
		b := s.buf[s.pos:s.end]
		q := bytes.IndexByte(b, '"')
		run := b
		if q >= 0 {
			run = b[:q]
		}
		if bs := bytes.IndexByte(run, '\\'); bs >= 0 {
			s.pos += bs + 1
			if !s.more() {
				return false
			}
			s.pos++
			continue
		}
		if q >= 0 {
			s.pos += q + 1
			return true
		}
		s.pos = s.end
	}
	return false
}

// strText reads a string value and returns its JSON text, quotes
// included, valid until the scanner reads on.
func (s *scanner) strText() ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.errorf("expected a string")
	}
	start := s.offset()
	s.startCapture()
	ok := s.skipString()
	raw := s.endCapture()
	if !ok {
		return nil, s.errorAt(start, "unterminated string")
	}
	return raw, nil
}

// strBytes reads a string value, valid until the scanner reads on.
func (s *scanner) strBytes() ([]byte, error) {
	start := s.offset()
	raw, err := s.strText()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, s.errorAt(start, "bad string: %v", err)
	}
	return []byte(v), nil
}

// str reads a string value.
func (s *scanner) str() (string, error) {
	b, err := s.strBytes()
	return string(b), err
}

// raw reads one value and returns its text, valid until the scanner reads
// on; for short values (an index key, a version number).
func (s *scanner) raw() ([]byte, error) {
	s.peek()
	s.startCapture()
	err := s.skip()
	text := s.endCapture()
	return text, err
}

// span moves past one value and says where it lies in the document.
func (s *scanner) span() (span, error) {
	s.peek()
	start := s.offset()
	if err := s.skip(); err != nil {
		return span{}, err
	}
	return span{off: start, n: s.offset() - start}, nil
}

// skip moves past one value.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		start := s.offset()
		if !s.skipString() {
			return s.errorAt(start, "unterminated string")
		}
		return nil
	case '{', '[':
		return s.skipNested(c)
	case 0:
		if s.more() {
			return s.errorf("unexpected %q", c)
		}
		return s.errorf("unexpected end of input")
	default:
		return s.skipLiteral()
	}
}

// nesting marks the bytes that matter inside an object or array: quotes
// open strings, brackets count depth. Read-only.
var nesting = [256]int8{'"': 1, '{': 2, '[': 2, '}': 3, ']': 3}

// skipNested moves past an object or array, counting brackets (it does
// not check that they pair).
func (s *scanner) skipNested(open byte) error {
	start := s.offset()
	depth := 0
chunks:
	for s.more() {
		b := s.buf[s.pos:s.end]
		for i, c := range b {
			switch nesting[c] {
			case 0:
				continue
			case 1:
				s.pos += i
				str := s.offset()
				if !s.skipString() {
					return s.errorAt(str, "unterminated string")
				}
				continue chunks
			case 2:
				depth++
			case 3:
				depth--
				if depth == 0 {
					s.pos += i + 1
					return nil
				}
			}
		}
		s.pos = s.end
	}
	return s.errorf("unexpected end of input: the %q at offset %d is not closed", open, start)
}

// skipLiteral moves past a number, true, false or null: to the next
// delimiter or the end of the text.
func (s *scanner) skipLiteral() error {
	start := s.offset()
	for s.more() {
		for i, c := range s.buf[s.pos:s.end] {
			switch c {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				s.pos += i
				if s.offset() == start {
					return s.errorf("unexpected %q", c)
				}
				return nil
			}
		}
		s.pos = s.end
	}
	return nil
}

// object calls fn for each key, with the scanner at the key's value; fn
// must consume the value. The key is valid until the scanner reads on.
func (s *scanner) object(fn func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.strBytes()
		if err != nil {
			return err
		}
		// Finding the colon may read on, over the key's bytes.
		s.key = append(s.key[:0], key...)
		key = s.key
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
	s.peek()
	start := s.offset()
	raw, err := s.raw()
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, s.errorAt(start, "expected a whole number, got %s", raw)
	}
	return n, nil
}
