package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tamp-ecs/tamp/ecs"
)

// LogsCmd prints the CloudWatch Logs lines of the services' tasks.
type LogsCmd struct {
	Task      string `placeholder:"ID" help:"Read this task's log (a task ID or ARN of the cluster) instead of the services'."`
	Container string `placeholder:"NAME" help:"Only this container's lines (default: every container that logs with awslogs)."`
	Since     string `default:"1h" placeholder:"DURATION|TIME" help:"Lines written since this long ago (10m, 2h) or since this time (RFC 3339)."`
	Follow    bool   `short:"f" help:"Keep printing new lines (and those of tasks started meanwhile) until Ctrl-C."`
}

func (c *LogsCmd) Run(ctx context.Context, a *app) error {
	since, err := sinceTime(c.Since, time.Now())
	if err != nil {
		return usageError{err}
	}
	var tasks func(ctx context.Context) ([]ecs.Task, error)
	var api ECSAPI
	var cluster string
	if c.Task != "" {
		p, err := a.loadProject(ctx)
		if err != nil {
			return err
		}
		if api, err = a.ecsAPI(ctx); err != nil {
			return err
		}
		cluster = ecs.ClusterName(p.Cluster)
		tasks = func(ctx context.Context) ([]ecs.Task, error) { return ecs.TasksByID(ctx, api, cluster, c.Task) }
	} else {
		p, names, sapi, err := a.runningServices(ctx)
		if err != nil {
			return err
		}
		api, cluster = sapi, ecs.ClusterName(p.Cluster)
		tasks = func(ctx context.Context) ([]ecs.Task, error) { return ecs.TasksOfServices(ctx, api, cluster, names) }
	}
	return a.taskLogs(api, tasks, c.Container, since).print(ctx, a, c.Follow, nil)
}

// sinceTime reads --since: a duration back from now, or a time.
func sinceTime(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: give a duration (10m, 2h) or a time (2026-01-02T15:04:05+09:00)", s)
}

// logPrinter prints log lines: as text, as one JSON document at the end,
// or (following, with --output json) as one JSON object a line.
type logPrinter struct {
	logs  *ecs.TaskLogs
	lines []ecs.LogLine
}

// taskLogs reads tasks' logs with the project's clients; notes go to
// stderr.
func (a *app) taskLogs(api ECSAPI, tasks func(context.Context) ([]ecs.Task, error), container string, since time.Time) *logPrinter {
	return &logPrinter{logs: &ecs.TaskLogs{ECS: api, Tasks: tasks, Container: container, Since: since,
		Logs: func(ctx context.Context, region string) (ecs.LogsAPI, error) {
			if region == "" {
				region = a.project.Region
			}
			return a.clients.Logs(ctx, region)
		},
		Note: func(note string) { fmt.Fprintln(a.stderr, note) },
	}}
}

// print prints the lines; the JSON document holds doc's fields too.
func (lp *logPrinter) print(ctx context.Context, a *app, follow bool, doc map[string]any) error {
	jsonDoc := a.Output == "json" && !follow
	lp.logs.Line = func(l ecs.LogLine) {
		switch {
		case jsonDoc:
			lp.lines = append(lp.lines, l)
		case a.Output == "json":
			b, _ := json.Marshal(l)
			fmt.Fprintf(a.stdout, "%s\n", b)
		default:
			fmt.Fprintln(a.stdout, l.Text())
		}
	}
	err := lp.logs.Run(ctx, follow)
	if jsonDoc && err == nil {
		if lp.lines == nil {
			lp.lines = []ecs.LogLine{}
		}
		if doc == nil {
			doc = map[string]any{}
		}
		doc["lines"] = lp.lines
		return writeJSON(a, doc)
	}
	return err
}
