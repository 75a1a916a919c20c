// Package tfstate reads Terraform state (format version 4) and looks values
// up by address: resources, data sources, module paths, count and for_each
// indexes, outputs and nested attribute paths.
//
// A state is indexed once when read; attribute values stay raw JSON until an
// address asks for them, so large states cost one parse and map lookups after
// that. It does not talk to Terraform or run it.
package tfstate

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// State is an indexed Terraform state.
type State struct {
	outputs   map[string]json.RawMessage
	resources map[string]*resource // by address without instance key
}

type resource struct {
	each      string                     // "", "list" (count) or "map" (for_each)
	instances map[string]json.RawMessage // attributes by instance key ("" when none, "0", "\"a\"")
	keys      []string
}

// ReadFile reads a state from a local file.
func ReadFile(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Read reads a state document.
func Read(r io.Reader) (*State, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse indexes a state document. The State keeps data: attribute values
// are decoded from it on lookup.
func Parse(data []byte) (*State, error) {
	st := &State{outputs: map[string]json.RawMessage{}, resources: map[string]*resource{}}
	sc := &scanner{data: data}
	version := -1
	err := sc.object(func(key string) error {
		switch key {
		case "version":
			v, err := sc.int()
			version = v
			return err
		case "outputs":
			return sc.object(func(name string) error {
				return sc.object(func(field string) error {
					if field != "value" {
						return sc.skip()
					}
					v, err := sc.raw()
					st.outputs[name] = v
					return err
				})
			})
		case "resources":
			return sc.array(func() error { return st.addResource(sc) })
		}
		return sc.skip()
	})
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
	res := &resource{instances: map[string]json.RawMessage{}}
	err := sc.object(func(key string) error {
		var err error
		switch key {
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
			err = sc.array(func() error { return res.addInstance(sc) })
		default:
			err = sc.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
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

func (res *resource) addInstance(sc *scanner) error {
	var key string
	var attrs json.RawMessage
	err := sc.object(func(field string) error {
		switch field {
		case "index_key":
			raw, err := sc.raw()
			key = canonicalKey(string(raw))
			return err
		case "attributes":
			var err error
			attrs, err = sc.raw()
			return err
		}
		return sc.skip()
	})
	res.instances[key] = attrs
	res.keys = append(res.keys, key)
	return err
}

// canonicalKey writes an index key from the state as an address does: 0
// or "a", quoted the same way quoteKey quotes keys parsed from addresses.
func canonicalKey(raw string) string {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return raw
	}
	if str, ok := v.(string); ok {
		return quoteKey(str)
	}
	return strings.TrimSpace(raw)
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
		for _, k := range res.keys {
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
