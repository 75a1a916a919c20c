// Package diffreport shows what would change, in the three formats of
// `tamp diff`: unified text, Markdown for pull-request comments, and JSON.
// It knows nothing of ECS: callers hand it canonical JSON documents.
package diffreport

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Action is what applying the config would do to a resource.
type Action string

const (
	Create    Action = "create"
	Update    Action = "update"
	Delete    Action = "delete"
	Unchanged Action = "unchanged"
)

// Change is one resource's difference between AWS (Before) and the config
// (After), as canonical JSON; nil means the resource does not exist there.
type Change struct {
	Resource string   `json:"resource"` // "service web", "task definition web"
	Action   Action   `json:"action"`
	Remote   string   `json:"remote,omitempty"` // what it is compared with: "demo-web:3"
	Fields   []string `json:"fields,omitempty"` // JSON paths that differ
	// Notes say how the change would be made where that is not the plain
	// API call ("through CodeDeploy: taskDefinition, loadBalancers").
	Notes  []string `json:"notes,omitempty"`
	Before []byte   `json:"-"`
	After  []byte   `json:"-"`
}

// NewChange compares before and after and fills Action and Fields.
func NewChange(resource, remote string, before, after []byte) (Change, error) {
	c := Change{Resource: resource, Remote: remote, Before: before, After: after}
	switch {
	case before == nil && after == nil:
		c.Action = Unchanged
	case before == nil:
		c.Action = Create
	case after == nil:
		c.Action = Delete
	default:
		fields, err := Fields(before, after)
		if err != nil {
			return c, err
		}
		c.Fields = fields
		c.Action = Update
		if len(fields) == 0 {
			c.Action = Unchanged
		}
	}
	return c, nil
}

// Report is the changes of one run, in the order they were found.
type Report struct {
	Changes []Change
}

// Differs tells whether anything would change.
func (r Report) Differs() bool {
	for _, c := range r.Changes {
		if c.Action != Unchanged {
			return true
		}
	}
	return false
}

// Counts of each action.
func (r Report) Counts() map[Action]int {
	n := map[Action]int{}
	for _, c := range r.Changes {
		n[c.Action]++
	}
	return n
}

// Summary is "N to create, M to update, K unchanged" (and deletions when
// there are some).
func (r Report) Summary() string {
	n := r.Counts()
	s := fmt.Sprintf("%d to create, %d to update", n[Create], n[Update])
	if n[Delete] > 0 {
		s += fmt.Sprintf(", %d to delete", n[Delete])
	}
	return s + fmt.Sprintf(", %d unchanged", n[Unchanged])
}

// Unified writes a unified diff per changed resource, each followed by its
// notes, and the notes of unchanged resources; nothing when nothing
// changes and nothing is noted. With color, removed lines are red and
// added lines green.
func (r Report) Unified(w io.Writer, color bool) error {
	var b strings.Builder
	for _, c := range r.Changes {
		if c.Action == Unchanged {
			for _, n := range c.Notes {
				fmt.Fprintf(&b, "# %s: %s\n", c.Resource, n)
			}
			continue
		}
		text, err := unified(c)
		if err != nil {
			return err
		}
		b.WriteString(paint(text, color))
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "# %s: %s\n", c.Resource, n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown writes a summary line, then a collapsible block with a diff
// per changed resource, for a pull-request comment.
func (r Report) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**tamp diff**: %s\n", r.Summary())
	for _, c := range r.Changes {
		if c.Action == Unchanged {
			for _, n := range c.Notes {
				fmt.Fprintf(&b, "\n- %s (unchanged): %s\n", c.Resource, n)
			}
			continue
		}
		text, err := unified(c)
		if err != nil {
			return err
		}
		var notes string
		for _, n := range c.Notes {
			notes += "- " + n + "\n"
		}
		if notes != "" {
			notes += "\n"
		}
		fmt.Fprintf(&b, "\n<details><summary>%s %s</summary>\n\n%s```diff\n%s```\n\n</details>\n", c.Action, c.Resource, notes, text)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes {"summary": {...}, "changes": [...]} with the changed
// resources, their actions and the field paths that differ.
func (r Report) JSON(w io.Writer) error {
	changes := []Change{}
	for _, c := range r.Changes {
		if c.Action != Unchanged {
			changes = append(changes, c)
		}
	}
	n := r.Counts()
	doc := map[string]any{
		"summary": map[string]int{"create": n[Create], "update": n[Update], "delete": n[Delete], "unchanged": n[Unchanged]},
		"changes": changes,
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func unified(c Change) (string, error) {
	from, to := c.Resource+" (AWS", c.Resource+" (config)"
	if c.Remote != "" {
		from += ": " + c.Remote
	}
	from += ")"
	if c.Action == Create {
		from = "/dev/null"
	}
	if c.Action == Delete {
		to = "/dev/null"
	}
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(c.Before), B: lines(c.After), FromFile: from, ToFile: to, Context: 3,
	})
}

func lines(doc []byte) []string {
	if doc == nil {
		return nil
	}
	// SplitLines would add an empty last line for the final newline.
	return difflib.SplitLines(strings.TrimSuffix(string(doc), "\n"))
}

func paint(text string, color bool) string {
	if !color {
		return text
	}
	ls := strings.SplitAfter(text, "\n")
	for i, l := range ls {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			ls[i] = "\x1b[1m" + strings.TrimSuffix(l, "\n") + "\x1b[0m" + suffix(l)
		case strings.HasPrefix(l, "+"):
			ls[i] = "\x1b[32m" + strings.TrimSuffix(l, "\n") + "\x1b[0m" + suffix(l)
		case strings.HasPrefix(l, "-"):
			ls[i] = "\x1b[31m" + strings.TrimSuffix(l, "\n") + "\x1b[0m" + suffix(l)
		case strings.HasPrefix(l, "@@"):
			ls[i] = "\x1b[36m" + strings.TrimSuffix(l, "\n") + "\x1b[0m" + suffix(l)
		}
	}
	return strings.Join(ls, "")
}

func suffix(l string) string {
	if strings.HasSuffix(l, "\n") {
		return "\n"
	}
	return ""
}
