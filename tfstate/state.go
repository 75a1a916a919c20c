// Package tfstate reads Terraform state (format version 4) and looks values
// up by address: resources, data sources, module paths, count and for_each
// indexes, outputs and nested attribute paths.
//
// A state is read once, front to back, through a fixed buffer, and indexed
// by where each instance's attributes and each output's value lie in it;
// a lookup reads and decodes only the value it asks for (from the state
// file, or from a temporary copy of a state read from S3 or HTTP). Memory
// grows with the number of instances, not with the size of the state. It
// does not talk to Terraform or run it.
package tfstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// State is an indexed Terraform state. It keeps where each instance's
// attributes and each output's value lie in the document, not the
// document: a lookup reads the bytes of the one value it needs, from the
// state file (or the temporary copy of a state read over the network, or
// the bytes given to Parse). Its memory grows with the number of
// instances, not with the size of their attributes.
//
// A State may hold a file open; Close releases it. Lookups may run
// concurrently.
type State struct {
	doc       io.ReaderAt // what the spans point into
	closer    io.Closer   // what Close releases; nil when nothing
	outputs   map[string]span
	resources map[string]*resource // by address without instance key
}

// span is where a value lies in the document.
type span struct{ off, n int64 }

// ReadFile indexes a state in a local file, reading it once, and keeps
// the file open to read attribute values from on lookup.
func ReadFile(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	st, err := index(newScanner(f, bufferSize))
	if err != nil {
		f.Close()
		if _, named := errors.AsType[*fs.PathError](err); named {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	st.doc, st.closer = &stateFile{f: f, size: info.Size(), mod: info.ModTime()}, f
	return st, nil
}

// Read indexes a state document as it reads it, once. The text is kept for
// lookups in memory when small, else in a temporary file that the State
// owns (removed from its directory once created where the system allows,
// else by Close).
func Read(r io.Reader) (*State, error) {
	return readSpooled(r, spoolMemory)
}

func readSpooled(r io.Reader, inMemory int) (*State, error) {
	sp := &spool{limit: inMemory}
	st, err := index(newScanner(io.TeeReader(r, sp), bufferSize))
	if err != nil {
		sp.Close()
		return nil, err
	}
	st.doc, st.closer = sp.document(), sp
	return st, nil
}

// Parse indexes a state document. The State keeps data: attribute values
// are decoded from it on lookup.
func Parse(data []byte) (*State, error) {
	st, err := index(bytesScanner(data))
	if err != nil {
		return nil, err
	}
	st.doc = bytes.NewReader(data)
	return st, nil
}

// Close releases the file the State reads values from, if it holds one
// (and removes a temporary copy). Lookups after Close fail.
func (s *State) Close() error {
	c := s.closer
	if c == nil {
		return nil
	}
	s.closer = nil
	return c.Close()
}

// readError is a document that could not be read to its end (a body that
// broke off), as opposed to one that is not a state: worth reading again.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// index reads a whole state through sc and records where its values are.
func index(sc *scanner) (*State, error) {
	st := &State{outputs: map[string]span{}, resources: map[string]*resource{}}
	version := -1
	err := sc.object(func(key []byte) error {
		switch string(key) {
		case "version":
			v, err := sc.int()
			version = v
			return err
		case "outputs":
			return sc.object(func(name []byte) error {
				output := string(name)
				return sc.object(func(field []byte) error {
					if string(field) != "value" {
						return sc.skip()
					}
					v, err := sc.span()
					st.outputs[output] = v
					return err
				})
			})
		case "resources":
			return sc.array(func() error { return st.addResource(sc) })
		}
		return sc.skip()
	})
	if rerr := sc.readErr(); err != nil && rerr != nil {
		return nil, &readError{rerr}
	}
	if err != nil {
		return nil, fmt.Errorf("not a Terraform state: %w", err)
	}
	switch {
	case version < 0:
		return nil, fmt.Errorf("not a Terraform state: no format version")
	case version != 4:
		return nil, fmt.Errorf("Terraform state format version %d is not supported; tamp reads version 4 (Terraform 0.12 and later)", version)
	}
	return st, nil
}

func (st *State) addResource(sc *scanner) error {
	var module, mode, typ, name string
	res := &resource{}
	var keys strings.Builder
	err := sc.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "module":
			module, err = sc.str()
		case "mode":
			mode, err = sc.str()
		case "type":
			typ, err = sc.str()
		case "name":
			name, err = sc.str()
		case "each":
			res.each, err = sc.str()
		case "instances":
			err = sc.array(func() error { return res.addInstance(sc, &keys) })
		default:
			err = sc.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	res.done(&keys)
	addr := typ + "." + name
	if mode == "data" {
		addr = "data." + addr
	}
	if module != "" {
		addr = module + "." + addr
	}
	st.resources[addr] = res
	return nil
}

func (res *resource) addInstance(sc *scanner, keys *strings.Builder) error {
	var key string
	var attrs span
	err := sc.object(func(field []byte) error {
		switch string(field) {
		case "index_key":
			raw, err := sc.raw()
			key = canonicalKey(raw)
			return err
		case "attributes":
			var err error
			attrs, err = sc.span()
			return err
		}
		return sc.skip()
	})
	if err != nil {
		return err
	}
	return res.add(key, attrs, keys)
}

// read returns the text of the value at sp.
func (s *State) read(sp span) ([]byte, error) {
	buf := make([]byte, sp.n)
	n, err := s.doc.ReadAt(buf, sp.off)
	if n == len(buf) {
		return buf, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// canonicalKey writes an index key from the state as an address does: 0
// or "a", quoted the same way quoteKey quotes keys parsed from addresses.
func canonicalKey(raw []byte) string {
	if plainKey(raw) {
		return string(raw)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	if str, ok := v.(string); ok {
		return quoteKey(str)
	}
	return strings.TrimSpace(string(raw))
}

// plainKey tells an index key already written canonically, as nearly all
// are: digits (count), or a string of printable ASCII that needs no escape
// (for_each).
func plainKey(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	if raw[0] != '"' {
		for _, c := range raw {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if len(raw) < 2 || raw[len(raw)-1] != '"' {
		return false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// quoteKey is the one spelling of a string key: JSON quoting without HTML
// escapes, so "a&b" in the state and in an address meet.
func quoteKey(s string) string {
	return jsonText(s)
}

// jsonText encodes v as JSON without escaping &, < and >.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// addresses lists every address a lookup can start with, for suggestions.
func (s *State) addresses() []string {
	var out []string
	for name := range s.outputs {
		out = append(out, "output."+name)
	}
	for addr, res := range s.resources {
		for _, k := range res.keyList() {
			if k == "" {
				out = append(out, addr)
			} else {
				out = append(out, addr+"["+k+"]")
			}
		}
	}
	sort.Strings(out)
	return out
}
