package rollout

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tamp-ecs/tamp/ecs"
)

// Started is the line for a service whose change was made, before its
// wait.
func Started(r ecs.ServiceResult) string {
	switch r.Action {
	case ecs.ServiceUnchanged:
		return fmt.Sprintf("%s: %s, runs %s", r.Name, r.Action, ecs.ShortRevision(r.TaskDefinition))
	case ecs.ServiceCodeDeploy:
		return fmt.Sprintf("%s: deploying %s through CodeDeploy", r.Name, ecs.ShortRevision(r.TaskDefinition))
	}
	return fmt.Sprintf("%s: %s, deploying %s", r.Name, r.Action, ecs.ShortRevision(r.TaskDefinition))
}

// WriteText prints the services deployed and those rolled back after a
// failure, a line each, then how the scheduled tasks were repointed.
func (d Deployed) WriteText(w io.Writer) {
	d.Proved.WriteText(w)
	for _, r := range d.Services {
		if cd := r.CodeDeployment; r.Err == nil && r.Waited && cd != nil && cd.Reached != "" {
			fmt.Fprintf(w, "%s: %s reached %s; CodeDeploy deployment %s goes on (%s)\n", r.Name, ecs.ShortRevision(r.TaskDefinition), cd.Reached, cd.ID, cd.Status)
			continue
		}
		if r.Err == nil && r.Waited && r.Stage != "" {
			fmt.Fprintf(w, "%s: %s reached %s; the deployment goes on\n", r.Name, ecs.ShortRevision(r.TaskDefinition), r.Stage)
			continue
		}
		if r.Err == nil && r.Waited {
			fmt.Fprintf(w, "%s: deployed %s\n", r.Name, ecs.ShortRevision(r.TaskDefinition))
		}
		if r.RolledBackTo != "" {
			fmt.Fprintf(w, "%s: rolled back to %s after the failure\n", r.Name, ecs.ShortRevision(r.RolledBackTo))
		}
	}
	if d.Scheduled != nil {
		fmt.Fprintln(w, d.Scheduled)
	}
}

// WriteText prints a failed canary's last log lines (the progress lines
// told the rest as it happened).
func (p Proved) WriteText(w io.Writer) {
	for _, c := range p.Canaries {
		switch {
		case c.Err != nil && len(c.LogLines) > 0:
			fmt.Fprintf(w, "%s: the canary's last log lines:\n", c.Service)
			for _, line := range c.LogLines {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
	}
}

// WriteText prints what a rollback did (with dryRun: would do), a line per
// change, in the order it happened; ok says it succeeded.
func (r RolledBack) WriteText(w io.Writer, dryRun, ok bool) {
	for _, s := range r.Services {
		if s.To == "" || (!dryRun && (s.Err != nil || !s.Changed)) {
			continue
		}
		how, note := "rolled back", ""
		if dryRun {
			how = "would roll back"
		} else if s.Stopped && s.CodeDeploy {
			note = " (stopped the CodeDeploy deployment in progress; CodeDeploy rolled it back)"
		} else if s.Stopped {
			note = " (stopped the deployment in progress)"
		} else if s.CodeDeploy {
			note = " (through a CodeDeploy deployment)"
		}
		fmt.Fprintf(w, "%s: %s %s -> %s%s\n", s.Name, how, ecs.ShortRevision(s.From), ecs.ShortRevision(s.To), note)
	}
	if note := r.fastPathNote(); note != "" {
		fmt.Fprintln(w, note)
	}
	if dryRun && ok {
		fmt.Fprintln(w, "dry run: nothing was changed")
	}
	r.WriteScheduled(w)
	for _, s := range r.Services {
		switch {
		case !r.Deregistering:
		case s.Deregistered:
			fmt.Fprintf(w, "%s: deregistered %s\n", s.Name, ecs.ShortRevision(s.From))
		case s.Err == nil && s.Changed:
			fmt.Fprintf(w, "%s: kept %s: still in use\n", s.Name, ecs.ShortRevision(s.From))
		}
	}
}

// WriteScheduled prints how the scheduled tasks moved with the rollback.
func (r RolledBack) WriteScheduled(w io.Writer) {
	for _, m := range r.Standalone {
		fmt.Fprintf(w, "%s: scheduled tasks go back %s -> %s\n", m.Name, ecs.ShortRevision(m.From), ecs.ShortRevision(m.To))
	}
	if r.Scheduled != nil {
		fmt.Fprintln(w, r.Scheduled)
	}
}

// fastPathNote says once, for every service it concerns, that ECS's own
// rollback of a deployment in progress was unavailable.
func (r RolledBack) fastPathNote() string {
	var names, reasons []string
	for _, s := range r.Services {
		if s.FastPathUnavailable != "" {
			names = append(names, s.Name)
			if !slices.Contains(reasons, s.FastPathUnavailable) {
				reasons = append(reasons, s.FastPathUnavailable)
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("note: ECS's own rollback of the deployment in progress was unavailable (%s), so %s went back through UpdateService; grant ecs:ListServiceDeployments and ecs:StopServiceDeployment for the faster path",
		strings.Join(reasons, ", "), strings.Join(names, ", "))
}
