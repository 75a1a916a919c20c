package tfstate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tamp-ecs/tamp/internal/fuzzy"
)

// NotFoundError is a lookup miss; Suggestions are the nearest addresses or
// keys that do exist.
type NotFoundError struct {
	Address     string
	Reason      string
	Suggestions []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Address, e.Reason)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(e.Suggestions, " or ") + "?"
	}
	return msg
}

// Lookup returns the value at addr, decoded (string, float64, bool, nil,
// []any or map[string]any).
func (s *State) Lookup(addr string) (any, error) {
	target, path, err := parseAddress(addr)
	if err != nil {
		return nil, err
	}
	var at span
	if target.output != "" {
		v, ok := s.outputs[target.output]
		if !ok {
			return nil, &NotFoundError{Address: addr, Reason: "no such output in the state", Suggestions: fuzzy.Nearest("output."+target.output, s.addresses(), 3)}
		}
		at = v
	} else {
		res, ok := s.resources[target.resource]
		if !ok {
			return nil, &NotFoundError{Address: addr, Reason: "no such resource in the state", Suggestions: fuzzy.Nearest(target.String(), s.addresses(), 3)}
		}
		attrs, ok := res.find(target.key)
		if !ok {
			keys := res.keyList()
			var reason string
			switch {
			case target.key == "" && res.each == "list":
				reason = fmt.Sprintf("the resource uses count and has %d instances; add an index such as %s[0]", len(keys), target.resource)
			case target.key == "" && res.each == "map":
				reason = fmt.Sprintf("the resource uses for_each; add a key such as %s[%s]", target.resource, firstKey(keys))
			case target.key != "" && res.each == "":
				reason = "the resource has a single instance; drop the index"
			default:
				reason = fmt.Sprintf("no instance %s; the state has %s", target.key, strings.Join(keys, ", "))
			}
			return nil, &NotFoundError{Address: addr, Reason: reason}
		}
		at = attrs
	}
	raw, err := s.read(at)
	if err != nil {
		return nil, fmt.Errorf("%s: read the state: %w", addr, err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: the state holds invalid JSON: %w", addr, err)
	}
	if isRemoteState(target.resource) {
		v = remoteOutputs(v, path)
	}
	for i, step := range path {
		next, err := step.apply(v)
		if err != nil {
			return nil, &NotFoundError{Address: addr, Reason: fmt.Sprintf("at %s: %s", pathString(path[:i+1]), err.Error())}
		}
		v = next
	}
	return v, nil
}

// isRemoteState tells a terraform_remote_state data source, at the root or
// in a module.
func isRemoteState(resource string) bool {
	return strings.HasPrefix(resource, "data.terraform_remote_state.") ||
		strings.Contains(resource, ".data.terraform_remote_state.")
}

// remoteOutputs lets data.terraform_remote_state.NAME.outputs.KEY address
// the output KEY, as it does in Terraform: the state keeps a remote state's
// outputs as one object value, under outputs.value. The older spelling
// outputs.value.KEY still works, unless the remote state has an output
// named value, which then wins, as in Terraform.
func remoteOutputs(v any, path []step) any {
	attrs, ok := v.(map[string]any)
	if !ok || len(path) == 0 || path[0].isIdx || path[0].key != "outputs" {
		return v
	}
	outputs, ok := attrs["outputs"].(map[string]any)
	if !ok {
		return v
	}
	values, ok := outputs["value"].(map[string]any)
	if !ok {
		return v
	}
	if len(path) > 1 && !path[1].isIdx && path[1].key == "value" {
		if _, named := values["value"]; !named {
			return v
		}
	}
	shifted := make(map[string]any, len(attrs))
	for k, x := range attrs {
		shifted[k] = x
	}
	shifted["outputs"] = values
	return shifted
}

// String formats a looked-up value for a template: strings as they are,
// numbers without exponent, lists and objects as JSON.
func String(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return jsonText(v)
}

func firstKey(keys []string) string {
	if len(keys) == 0 {
		return `["key"]`
	}
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	return sorted[0]
}

type step struct {
	key   string // object key
	index int    // list index, when isIndex
	isIdx bool
}

func (st step) apply(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if st.isIdx {
			return nil, fmt.Errorf("is an object, not a list")
		}
		val, ok := x[st.key]
		if !ok {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			if near := fuzzy.Nearest(st.key, keys, 3); len(near) > 0 {
				return nil, fmt.Errorf("no key %q; did you mean %s?", st.key, strings.Join(near, " or "))
			}
			return nil, fmt.Errorf("no key %q", st.key)
		}
		return val, nil
	case []any:
		if !st.isIdx {
			return nil, fmt.Errorf("is a list; use an index such as [0]")
		}
		if st.index < 0 || st.index >= len(x) {
			return nil, fmt.Errorf("index %d is out of range (length %d)", st.index, len(x))
		}
		return x[st.index], nil
	case nil:
		return nil, fmt.Errorf("is null")
	}
	return nil, fmt.Errorf("is a %T, which has no attributes", v)
}

func pathString(path []step) string {
	var b strings.Builder
	for _, st := range path {
		if st.isIdx {
			fmt.Fprintf(&b, "[%d]", st.index)
		} else {
			b.WriteString("." + st.key)
		}
	}
	return strings.TrimPrefix(b.String(), ".")
}
