package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tamp-ecs/tamp/ecs"
)

// ScheduledLogsCmd shows a schedule's last runs and their log lines.
type ScheduledLogsCmd struct {
	Name      string `arg:"" predictor:"tasks" help:"The schedule (or rule) whose runs to show."`
	Container string `placeholder:"NAME" help:"Only this container's lines."`
	Since     string `default:"1h" placeholder:"DURATION|TIME" help:"Lines written since this long ago (10m, 2h) or since this time (RFC 3339)."`
	Follow    bool   `short:"f" help:"Keep printing new lines (and those of runs started meanwhile) until Ctrl-C."`
}

func (c *ScheduledLogsCmd) Run(ctx context.Context, a *app) error {
	since, err := sinceTime(c.Since, time.Now())
	if err != nil {
		return usageError{err}
	}
	s, err := a.syncer(ctx, 0)
	if err != nil {
		return err
	}
	o, err := s.FindOwned(ctx, c.Name)
	if err != nil {
		return err
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	runs, err := s.Runs(ctx, api, o)
	if err != nil {
		return err
	}
	var doc map[string]any
	switch {
	case a.Output == "json":
		if runs == nil {
			runs = []ecs.Task{}
		}
		doc = map[string]any{"runs": runs}
	default:
		if err := ecs.WriteRuns(a.stdout, o.Name, runs); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout)
	}
	first := true
	tasks := func(ctx context.Context) ([]ecs.Task, error) {
		if first { // read just now
			first = false
			return runs, nil
		}
		return s.Runs(ctx, api, o)
	}
	return a.taskLogs(api, tasks, c.Container, since).print(ctx, a, c.Follow, doc)
}
