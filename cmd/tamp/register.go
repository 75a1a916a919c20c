package main

import (
	"context"
	"fmt"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/term"
)

// RegisterCmd registers the task definitions in scope.
type RegisterCmd struct {
	DryRun bool `help:"Show what would be registered; change nothing."`
}

func (c *RegisterCmd) Run(ctx context.Context, a *app) error {
	_, _, defs, err := a.definitions(ctx, false)
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
	var pending namedDocs
	for i, r := range results {
		fmt.Fprintln(a.stderr, describeRegister(a, r))
		if r.Action == ecs.WouldRegister {
			pending.add(r.Name, ecs.Canonical(defs.TaskDefinitions[i].Input))
		}
	}
	if c.DryRun {
		fmt.Fprintln(a.stderr, "dry run: nothing was changed")
		if len(pending.names) > 0 {
			return pending.write(a)
		}
	}
	return nil
}

func describeRegister(a *app, r ecs.RegisterResult) string {
	switch r.Action {
	case ecs.Registered:
		return fmt.Sprintf("%s: %s revision %s:%d", r.Name, term.Paint(a.color, term.Green, "registered"), r.Family, r.Revision)
	case ecs.Reused:
		note := "definition unchanged"
		if r.TagsUpdated {
			note += ", tags updated"
		}
		return fmt.Sprintf("%s: %s revision %s:%d (%s)", r.Name, term.Paint(a.color, term.Bold, "reused"), r.Family, r.Revision, note)
	case ecs.WouldReuse:
		note := "definition unchanged"
		if r.TagsUpdated {
			note += ", would add tags"
		}
		return fmt.Sprintf("%s: would reuse revision %s:%d (%s)", r.Name, r.Family, r.Revision, note)
	default:
		if r.Revision == 0 {
			return fmt.Sprintf("%s: %s the first revision of %s", r.Name, term.Paint(a.color, term.Yellow, "would register"), r.Family)
		}
		return fmt.Sprintf("%s: %s a new revision of %s (latest, %d, differs)", r.Name, term.Paint(a.color, term.Yellow, "would register"), r.Family, r.Revision)
	}
}
