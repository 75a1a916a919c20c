package diffreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Fields lists the JSON paths at which two documents differ, deepest
// first-differing point per branch: `containerDefinitions[0].image`.
func Fields(before, after []byte) ([]string, error) {
	var a, b any
	if err := decode(before, &a); err != nil {
		return nil, err
	}
	if err := decode(after, &b); err != nil {
		return nil, err
	}
	var out []string
	walk("", a, b, &out)
	return out, nil
}

func decode(doc []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	return dec.Decode(v)
}

func walk(path string, a, b any, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, rooted(path))
			return
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			walk(awsjson.JoinPath(path, k), av[k], bv[k], out)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok {
			*out = append(*out, rooted(path))
			return
		}
		for i := 0; i < max(len(av), len(bv)); i++ {
			var x, y any
			if i < len(av) {
				x = av[i]
			}
			if i < len(bv) {
				y = bv[i]
			}
			walk(fmt.Sprintf("%s[%d]", path, i), x, y, out)
		}
	default:
		if fmt.Sprint(a) != fmt.Sprint(b) || (a == nil) != (b == nil) {
			*out = append(*out, rooted(path))
		}
	}
}

func rooted(path string) string {
	if path == "" {
		return "(document)"
	}
	return strings.TrimPrefix(path, ".")
}
