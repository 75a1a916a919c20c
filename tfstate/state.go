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

type rawState struct {
	Version int `json:"version"`
	Outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	} `json:"outputs"`
	Resources []struct {
		Module    string `json:"module"`
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Each      string `json:"each"`
		Instances []struct {
			IndexKey   json.RawMessage `json:"index_key"`
			Attributes json.RawMessage `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// ReadFile reads a state from a local file.
func ReadFile(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Read reads a state document.
func Read(r io.Reader) (*State, error) {
	var raw rawState
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a Terraform state: %w", err)
	}
	if raw.Version != 4 {
		return nil, fmt.Errorf("Terraform state format version %d is not supported; tamp reads version 4 (Terraform 0.12 and later)", raw.Version)
	}
	s := &State{
		outputs:   make(map[string]json.RawMessage, len(raw.Outputs)),
		resources: make(map[string]*resource, len(raw.Resources)),
	}
	for name, o := range raw.Outputs {
		s.outputs[name] = o.Value
	}
	for _, rr := range raw.Resources {
		addr := rr.Type + "." + rr.Name
		if rr.Mode == "data" {
			addr = "data." + addr
		}
		if rr.Module != "" {
			addr = rr.Module + "." + addr
		}
		res := &resource{each: rr.Each, instances: make(map[string]json.RawMessage, len(rr.Instances))}
		for _, inst := range rr.Instances {
			key := ""
			if len(inst.IndexKey) > 0 {
				key = canonicalKey(string(inst.IndexKey))
			}
			res.instances[key] = inst.Attributes
			res.keys = append(res.keys, key)
		}
		s.resources[addr] = res
	}
	return s, nil
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
