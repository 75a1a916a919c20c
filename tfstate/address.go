package tfstate

import (
	"fmt"
	"strconv"
	"strings"
)

type target struct {
	output   string // output name, or
	resource string // resource address without instance key
	key      string // canonical instance key, "" when none
}

// parseAddress splits `module.a["x"].aws_subnet.this[0].tags.Name` into the
// resource instance and the attribute path below it.
func parseAddress(addr string) (target, []step, error) {
	toks, err := tokenize(addr)
	if err != nil {
		return target{}, nil, fmt.Errorf("%s: %w", addr, err)
	}
	bad := func(why string) (target, []step, error) {
		return target{}, nil, fmt.Errorf("%s: %s; write it like aws_lb.web.arn, module.net.aws_subnet.private[0].id or output.vpc_id", addr, why)
	}
	i := 0
	var module []string
	for i+1 < len(toks) && toks[i].name == "module" && toks[i].indexes == nil {
		m := "module." + toks[i+1].name
		for _, ix := range toks[i+1].indexes {
			m += "[" + ix + "]"
		}
		module = append(module, m)
		i += 2
	}
	// Only module names, resource names and attributes take an index.
	noIndex := func(k int) bool { return k < len(toks) && len(toks[k].indexes) > 0 }
	var t target
	switch {
	case i < len(toks) && toks[i].name == "output" && len(module) == 0:
		if noIndex(i) {
			return bad("output takes no index; put it after the output name")
		}
		if i+1 >= len(toks) {
			return bad("output needs a name")
		}
		t.output = toks[i+1].name
		i++
		path, err := attrPath(toks[i].indexes, toks[i+1:])
		if err != nil {
			return bad(err.Error())
		}
		return t, path, nil
	case i < len(toks) && toks[i].name == "data":
		if i+2 >= len(toks) {
			return bad("a data source needs a type and a name")
		}
		if noIndex(i) || noIndex(i+1) {
			return bad("an index goes after the data source's name")
		}
		t.resource = "data." + toks[i+1].name + "." + toks[i+2].name
		i += 2
	default:
		if i+1 >= len(toks) {
			return bad("a resource needs a type and a name")
		}
		if noIndex(i) {
			return bad("an index goes after the resource's name, not its type")
		}
		t.resource = toks[i].name + "." + toks[i+1].name
		i++
	}
	if len(module) > 0 {
		t.resource = strings.Join(module, ".") + "." + t.resource
	}
	ix := toks[i].indexes
	if len(ix) > 0 {
		t.key = ix[0]
		ix = ix[1:]
	}
	path, err := attrPath(ix, toks[i+1:])
	if err != nil {
		return bad(err.Error())
	}
	return t, path, nil
}

func (t target) String() string {
	if t.output != "" {
		return "output." + t.output
	}
	if t.key != "" {
		return t.resource + "[" + t.key + "]"
	}
	return t.resource
}

type token struct {
	name    string
	indexes []string // canonical: 0 or "a"
}

func tokenize(addr string) ([]token, error) {
	var toks []token
	cur := token{}
	started := false
	for i := 0; i < len(addr); {
		c := addr[i]
		switch {
		case c == '.':
			if !started {
				return nil, fmt.Errorf("empty name at offset %d", i)
			}
			toks = append(toks, cur)
			cur, started = token{}, false
			i++
		case c == '[':
			end, key, err := readIndex(addr, i)
			if err != nil {
				return nil, err
			}
			if !started {
				return nil, fmt.Errorf("index without a name at offset %d", i)
			}
			cur.indexes = append(cur.indexes, key)
			i = end
		default:
			if len(cur.indexes) > 0 {
				return nil, fmt.Errorf("unexpected %q after an index at offset %d", c, i)
			}
			cur.name += string(c)
			started = true
			i++
		}
	}
	if !started {
		if len(toks) > 0 {
			return nil, fmt.Errorf("ends with a dot; name the attribute after it or drop the dot")
		}
		return nil, fmt.Errorf("empty address")
	}
	return append(toks, cur), nil
}

// readIndex reads `[0]`, `["a"]` or `['a']` at addr[i] and returns the offset after
// it and the canonical key.
func readIndex(addr string, i int) (int, string, error) {
	j := strings.IndexByte(addr[i:], ']')
	if j < 0 {
		return 0, "", fmt.Errorf("unclosed [ at offset %d", i)
	}
	inner := addr[i+1 : i+j]
	if strings.HasPrefix(inner, `"`) {
		// A quoted key may itself contain ']': find the closing quote first.
		s, err := strconv.QuotedPrefix(addr[i+1:])
		if err != nil {
			return 0, "", fmt.Errorf("bad quoted key at offset %d", i)
		}
		end := i + 1 + len(s)
		if end >= len(addr) || addr[end] != ']' {
			return 0, "", fmt.Errorf("expected ] after the key at offset %d", end)
		}
		key, err := strconv.Unquote(s)
		if err != nil {
			return 0, "", fmt.Errorf("bad quoted key at offset %d", i)
		}
		return end + 1, quoteKey(key), nil
	}
	if strings.HasPrefix(inner, "'") {
		// ['a'], as tfstate-lookup and ecspresso's README write keys: the
		// only form a Go template inside a Jsonnet string can hold. The key
		// runs to the first quote followed by ]; there are no escapes.
		end := strings.Index(addr[i+2:], "']")
		if end < 0 {
			return 0, "", fmt.Errorf("unclosed quoted key at offset %d; write ['key']", i)
		}
		key := addr[i+2 : i+2+end]
		return i + 2 + end + 2, quoteKey(key), nil
	}
	if _, err := strconv.Atoi(inner); err != nil {
		if strings.HasPrefix(inner, `\"`) {
			return 0, "", fmt.Errorf(`index %s has escaped quotes; write ["key"]`, inner)
		}
		return 0, "", fmt.Errorf("index %q is neither a number nor a quoted key; write [0], [\"key\"] or ['key']", inner)
	}
	return i + j + 1, inner, nil
}

func attrPath(first []string, rest []token) ([]step, error) {
	var path []step
	addIdx := func(ix string) error {
		if strings.HasPrefix(ix, `"`) {
			k, err := strconv.Unquote(ix)
			if err != nil {
				return err
			}
			path = append(path, step{key: k})
			return nil
		}
		n, _ := strconv.Atoi(ix)
		path = append(path, step{index: n, isIdx: true})
		return nil
	}
	for _, ix := range first {
		if err := addIdx(ix); err != nil {
			return nil, err
		}
	}
	for _, tk := range rest {
		path = append(path, step{key: tk.name})
		for _, ix := range tk.indexes {
			if err := addIdx(ix); err != nil {
				return nil, err
			}
		}
	}
	return path, nil
}
