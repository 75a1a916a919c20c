package ecs

import (
	"fmt"

	"github.com/tamp-ecs/tamp/internal/term"
)

// Describe is the line register prints for the result, its verb coloured
// when color is set.
func (r RegisterResult) Describe(color bool) string {
	switch r.Action {
	case Registered:
		return fmt.Sprintf("%s: %s revision %s:%d", r.Name, term.Paint(color, term.Green, "registered"), r.Family, r.Revision)
	case Reused:
		note := "definition unchanged"
		if r.TagsUpdated {
			note += ", tags updated"
		}
		return fmt.Sprintf("%s: %s revision %s:%d (%s)", r.Name, term.Paint(color, term.Bold, "reused"), r.Family, r.Revision, note)
	case WouldReuse:
		note := "definition unchanged"
		if r.TagsUpdated {
			note += ", would add tags"
		}
		return fmt.Sprintf("%s: would reuse revision %s:%d (%s)", r.Name, r.Family, r.Revision, note)
	default:
		if r.Revision == 0 {
			return fmt.Sprintf("%s: %s the first revision of %s", r.Name, term.Paint(color, term.Yellow, "would register"), r.Family)
		}
		return fmt.Sprintf("%s: %s a new revision of %s (latest, %d, differs)", r.Name, term.Paint(color, term.Yellow, "would register"), r.Family, r.Revision)
	}
}
