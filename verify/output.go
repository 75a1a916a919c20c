package verify

import (
	"fmt"
	"io"
	"strings"

	"github.com/tamp-ecs/tamp/internal/term"
)

var statusColor = map[Status]term.Color{OK: term.Green, NG: term.Red, Skip: term.Yellow}

// WriteText prints the tree: a line per resource, then its checks with
// their status, subject and reason, then the totals.
func (r *Report) WriteText(w io.Writer, color bool) error {
	var b strings.Builder
	for _, res := range r.Resources {
		head := res.Kind + " " + res.Name
		if res.File != "" {
			head += " (" + res.File + ")"
		}
		b.WriteString(term.Paint(color, term.Bold, head) + "\n")
		for _, ch := range res.Checks {
			what := ch.Check
			if ch.Subject != "" {
				what += " " + ch.Subject
			}
			status := fmt.Sprintf("%-4s", ch.Status)
			fmt.Fprintf(&b, "  %s  %s", term.Paint(color, statusColor[ch.Status], status), what)
			if ch.Reason != "" {
				b.WriteString(": " + ch.Reason)
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "%d OK, %d NG, %d SKIP\n", r.Summary[OK], r.Summary[NG], r.Summary[Skip])
	_, err := io.WriteString(w, b.String())
	return err
}
