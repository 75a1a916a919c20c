package ecs

import (
	"fmt"
	"io"
	"strings"
)

// WriteStatus prints services' statuses as text: per service its state,
// revision and counts, its deployments and its recent events.
func WriteStatus(w io.Writer, statuses []ServiceStatus) error {
	var b strings.Builder
	for i, st := range statuses {
		if i > 0 {
			b.WriteString("\n")
		}
		if !st.Exists {
			fmt.Fprintf(&b, "service %s: does not exist (deploy creates it)\n", st.Name)
			continue
		}
		fmt.Fprintf(&b, "service %s: %s, task definition %s, desired %d running %d pending %d\n",
			st.Name, st.Status, ShortRevision(st.TaskDefinition), st.Desired, st.Running, st.Pending)
		for _, d := range st.Deployments {
			fmt.Fprintf(&b, "  deployment %s %s %s: desired %d running %d pending %d failed %d, since %s\n",
				d.Status, ShortRevision(d.TaskDefinition), d.Rollout, d.Desired, d.Running, d.Pending, d.Failed, d.CreatedAt.Local().Format("2006-01-02 15:04:05"))
		}
		for _, e := range st.Events {
			fmt.Fprintf(&b, "  %s %s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Message)
		}
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}
