package main

import (
	"context"
	"fmt"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// RegisterCmd registers the task definitions in scope.
type RegisterCmd struct {
	DryRun bool `help:"Show what would be registered; change nothing."`
}

func (c *RegisterCmd) Run(ctx context.Context, a *app) error {
	_, _, defs, err := a.definitions(ctx, needs{command: "register", standalone: true})
	if err != nil {
		return err
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	results, err := ecs.Register(ctx, api, defs.TaskDefinitions, c.DryRun)
	if err != nil {
		return err
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"dry_run": c.DryRun, "task_definitions": results})
	}
	var pending awsjson.Named
	for i, r := range results {
		fmt.Fprintln(a.stderr, r.Describe(a.color))
		if r.Action == ecs.WouldRegister {
			pending.Add(r.Name, ecs.Canonical(defs.TaskDefinitions[i].Input))
		}
	}
	if c.DryRun {
		fmt.Fprintln(a.stderr, "dry run: nothing was changed")
		if pending.Len() > 0 {
			return pending.Write(a.stdout)
		}
	}
	return nil
}
