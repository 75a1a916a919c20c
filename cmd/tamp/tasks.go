package main

import (
	"context"
	"fmt"

	"github.com/tamp-ecs/tamp/ecs"
)

// TasksCmd lists (or stops) the services' tasks.
type TasksCmd struct {
	Stopped    int      `default:"10" placeholder:"N" help:"How many recently stopped tasks to show per service."`
	Stop       []string `placeholder:"ID" help:"Stop these running tasks of the services in scope (task IDs or ARNs, comma-separated)."`
	StopAllOld bool     `help:"Stop every running task on a revision other than its service's."`
}

func (c *TasksCmd) Run(ctx context.Context, a *app) error {
	if c.Stopped < 0 {
		return usageError{fmt.Errorf("--stopped takes a number of 0 or more")}
	}
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	services, err := ecs.ListServiceTasks(ctx, api, ecs.ClusterName(p.Cluster), names, c.Stopped)
	if err != nil {
		return err
	}
	if len(c.Stop) == 0 && !c.StopAllOld {
		if a.Output == "json" {
			return writeJSON(a, map[string]any{"services": services})
		}
		return ecs.WriteTasks(a.stdout, services)
	}
	stopped, err := ecs.StopTasks(ctx, api, services, c.Stop, c.StopAllOld)
	if a.Output == "json" {
		if stopped == nil {
			stopped = []ecs.StoppedTask{}
		}
		if jerr := writeJSON(a, map[string]any{"stopped": stopped}); jerr != nil {
			return jerr
		}
	} else if err == nil || stopped != nil {
		if werr := ecs.WriteStopped(a.stderr, stopped); werr != nil {
			return werr
		}
	}
	return err
}
