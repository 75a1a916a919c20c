// Package completion completes command lines on a kong model: command
// names, flag names, enum values, and values from named predictors (file
// paths, names read from a config). The shells' scripts (Script) hand the
// words typed so far to the program, which answers with Complete's
// candidates, one per line.
//
// It knows nothing of tamp's config: the caller supplies the predictors,
// which a flag or argument picks with a `predictor:"NAME"` tag.
package completion

import (
	"slices"
	"strings"

	"github.com/alecthomas/kong"
)

// Candidate is one completion: the word, and what it is (shells that show
// descriptions show it).
type Candidate struct {
	Value       string
	Description string
}

// Line is what was typed before the word being completed: the values of
// the flags given so far, by flag name (repeated flags in order), so a
// predictor can read --config.
type Line struct {
	flags map[string][]string
}

// Flag is the last value given for the flag named (without dashes), or "".
func (l Line) Flag(name string) string {
	v := l.flags[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// Flags are every value given for the flag named, in order.
func (l Line) Flags(name string) []string { return l.flags[name] }

// Predictor gives the candidates for a value starting with prefix. It
// may return ones that do not start with prefix; Complete filters them.
type Predictor func(line Line, prefix string) []Candidate

// Completer completes command lines of one kong application.
type Completer struct {
	App        *kong.Application
	Predictors map[string]Predictor
}

// Complete returns the candidates for the last of words (the word under
// the cursor, "" at the start of a new word); words are what follows the
// program's name.
func (c *Completer) Complete(words []string) []Candidate {
	if len(words) == 0 {
		words = []string{""}
	}
	done, cur := words[:len(words)-1], words[len(words)-1]
	node := c.App.Node
	line := Line{flags: map[string][]string{}}
	positional := 0
	var pending *kong.Flag // a flag whose value is the next word
	argsOnly := false
	for _, w := range done {
		switch {
		case pending != nil:
			line.flags[pending.Name] = append(line.flags[pending.Name], w)
			pending = nil
		case argsOnly:
			positional++
		case w == "--":
			argsOnly = true
		case strings.HasPrefix(w, "-") && w != "-":
			short := !strings.HasPrefix(w, "--")
			name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if r := []rune(name); short && len(r) > 1 && !hasValue {
				name, value, hasValue = string(r[0]), string(r[1:]), true // -cFILE
			}
			f := findFlag(node, name, short)
			switch {
			case f == nil:
			case hasValue:
				line.flags[f.Name] = append(line.flags[f.Name], value)
			case takesValue(f):
				pending = f
			}
		default:
			if child := findChild(node, w); child != nil {
				node, positional = child, 0
				continue
			}
			positional++
		}
	}

	var out []Candidate
	switch {
	case pending != nil:
		out = c.values(pending.Value, line, cur, "")
	case !argsOnly && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		name, value, _ := strings.Cut(cur[2:], "=")
		if f := findFlag(node, name, false); f != nil && takesValue(f) {
			out = c.values(f.Value, line, value, "--"+name+"=")
		}
		return filter(out, cur)
	case !argsOnly && strings.HasPrefix(cur, "-"):
		out = flagNames(node)
	default:
		if !argsOnly {
			for _, child := range node.Children {
				if !child.Hidden && child.Type == kong.CommandNode {
					out = append(out, Candidate{child.Name, child.Help})
				}
			}
		}
		if positional < len(node.Positional) {
			out = append(out, c.values(node.Positional[positional], line, cur, "")...)
		}
	}
	return filter(out, cur)
}

// values are the candidates for a flag's or argument's value: its
// predictor's, else its enum's. prefix goes before each (--flag=).
func (c *Completer) values(v *kong.Value, line Line, cur, prefix string) []Candidate {
	var out []Candidate
	if name := v.Tag.Get("predictor"); name != "" {
		if p := c.Predictors[name]; p != nil {
			out = p(line, cur)
		}
	} else if v.Enum != "" {
		for _, e := range v.EnumSlice() {
			out = append(out, Candidate{Value: e})
		}
	} else if v.Tag.Type == "path" || v.Tag.Type == "existingfile" || v.Tag.Type == "existingdir" {
		out = Files()(line, cur)
	}
	if prefix != "" {
		for i := range out {
			out[i].Value = prefix + out[i].Value
		}
	}
	return out
}

// takesValue tells a flag that reads the next word from one that does not.
func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

// findFlag finds a flag of node or its parents by long name, or by short
// name when short.
func findFlag(node *kong.Node, name string, short bool) *kong.Flag {
	for _, group := range node.AllFlags(true) {
		for _, f := range group {
			if short {
				if r := []rune(name); len(r) == 1 && f.Short == r[0] {
					return f
				}
				continue
			}
			if f.Name == name || slices.Contains(f.Aliases, name) {
				return f
			}
		}
	}
	return nil
}

func findChild(node *kong.Node, name string) *kong.Node {
	for _, child := range node.Children {
		if child.Type == kong.CommandNode && (child.Name == name || slices.Contains(child.Aliases, name)) {
			return child
		}
	}
	return nil
}

// flagNames are the long flags of node and its parents.
func flagNames(node *kong.Node) []Candidate {
	var out []Candidate
	for _, group := range node.AllFlags(true) {
		for _, f := range group {
			out = append(out, Candidate{"--" + f.Name, f.Help})
		}
	}
	return out
}

// filter keeps the candidates that start with prefix, once each.
func filter(cands []Candidate, prefix string) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c.Value, prefix) && !seen[c.Value] {
			seen[c.Value] = true
			out = append(out, c)
		}
	}
	return out
}
