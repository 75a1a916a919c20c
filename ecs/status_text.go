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
		for _, ts := range st.TaskSets {
			fmt.Fprintf(&b, "  task set %s %s %s: desired %d running %d pending %d, scale %g%%\n",
				ts.Status, ShortRevision(ts.TaskDefinition), ts.Stability, ts.Desired, ts.Running, ts.Pending, ts.Scale)
		}
		if sd := st.ServiceDeployment; sd != nil {
			if sd.Unavailable != "" {
				fmt.Fprintf(&b, "  %s deployment: stage unknown (%s)\n", strings.ToLower(st.Strategy), sd.Unavailable)
			} else {
				line := fmt.Sprintf("  %s deployment %s", strings.ToLower(st.Strategy), sd.Status)
				if sd.Stage != "" {
					line += " at " + sd.Stage
				}
				if sd.Traffic != "" {
					line += ", production traffic " + sd.Traffic
				}
				if sd.Reason != "" {
					line += ": " + sd.Reason
				}
				b.WriteString(line + "\n")
			}
		}
		if cd := st.CodeDeployment; cd != nil {
			switch {
			case cd.Error != "":
				fmt.Fprintf(&b, "  CodeDeploy: %s\n", cd.Error)
			case cd.ID == "":
				b.WriteString("  CodeDeploy: no deployment yet\n")
			default:
				line := fmt.Sprintf("  CodeDeploy deployment %s %s", cd.ID, cd.Status)
				if cd.Traffic != "" {
					line += ", traffic " + cd.Traffic
				}
				if cd.Reason != "" {
					line += ": " + cd.Reason
				}
				b.WriteString(line + "\n")
				if len(cd.Events) > 0 {
					parts := make([]string, len(cd.Events))
					for i, e := range cd.Events {
						parts[i] = e.Name + " " + e.Status
					}
					fmt.Fprintf(&b, "    lifecycle events: %s\n", strings.Join(parts, ", "))
				}
			}
		}
		if as := st.AutoScaling; as != nil {
			line := fmt.Sprintf("  auto scaling min %d max %d, %s", as.Min, as.Max, as.Suspension)
			if len(as.Policies) > 0 {
				line += ", policies " + strings.Join(as.Policies, ", ")
			}
			b.WriteString(line + "\n")
		}
		for _, e := range st.Events {
			fmt.Fprintf(&b, "  %s %s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Message)
		}
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}
