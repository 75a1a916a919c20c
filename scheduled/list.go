package scheduled

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/tamp-ecs/tamp/ecs"
)

// Listed is one line of scheduled list.
type Listed struct {
	Name           string `json:"name"`
	Schedule       string `json:"schedule"`
	Timezone       string `json:"timezone"`
	State          string `json:"state"`
	TaskDefinition string `json:"task_definition"` // family:revision a sync would use
	NextRun        string `json:"next_run,omitempty"`
}

// List is the tasks in scope with the revision a sync would give them and
// their next run after now; it changes nothing.
func (s *Syncer) List(ctx context.Context, o PlanOptions, now time.Time) ([]Listed, error) {
	tasks := s.Select(o)
	arns, _, err := s.revisions(ctx, tasks, false, nil)
	if err != nil {
		return nil, err
	}
	var rows []Listed
	for _, t := range tasks {
		row := Listed{Name: t.Name, Schedule: t.Schedule, Timezone: orDefault(t.Timezone, "UTC"), State: "ENABLED",
			TaskDefinition: ecs.ShortRevision(arns[t.TaskDefinition])}
		if t.Disabled {
			row.State = "DISABLED"
		}
		if next, ok := t.NextRun(now); ok {
			row.NextRun = next.Format(time.RFC3339)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteList prints list rows as a table.
func WriteList(w io.Writer, rows []Listed) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCHEDULE\tTIME ZONE\tSTATE\tTASK DEFINITION\tNEXT RUN")
	for _, r := range rows {
		next := r.NextRun
		if next == "" {
			next = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Schedule, r.Timezone, r.State, r.TaskDefinition, next)
	}
	return tw.Flush()
}
