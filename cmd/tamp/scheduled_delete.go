package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/term"
)

// ScheduledDeleteCmd deletes one schedule (or rule) the config owns.
type ScheduledDeleteCmd struct {
	Name   string `arg:"" predictor:"tasks" help:"The schedule (or rule) to delete."`
	DryRun bool   `help:"Say what would be deleted; change nothing."`
	Force  bool   `help:"Delete without asking to type its name."`
}

func (c *ScheduledDeleteCmd) Run(ctx context.Context, a *app) error {
	s, err := a.syncer(ctx, 0)
	if err != nil {
		return err
	}
	o, err := s.FindOwned(ctx, c.Name)
	if err != nil {
		return err
	}
	kind := "schedule"
	if o.Backend == config.BackendEvents {
		kind = "rule"
	}
	what := fmt.Sprintf("%s %s (%s)", kind, o.Name, o.Owner)
	deleted := false
	switch {
	case c.DryRun:
		fmt.Fprintf(a.stderr, "scheduled: would delete %s; nothing was changed\n", what)
	default:
		if !c.Force {
			if err := term.NewPrompter(os.Stdin, a.stderr).Confirm(fmt.Sprintf("Delete %s?", what), o.Name); err != nil {
				return config.Invalid(fmt.Errorf("%s %s: not deleted: %w", kind, o.Name, err))
			}
		}
		if err := s.DeleteOwned(ctx, o); err != nil {
			return err
		}
		deleted = true
		fmt.Fprintf(a.stderr, "scheduled: deleted %s\n", what)
	}
	if o.Listed {
		fmt.Fprintf(a.stderr, "note: the config still lists %s: the next scheduled sync (or deploy) creates it again; remove it from the config to keep it gone\n", o.Name)
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"dry_run": c.DryRun, "name": o.Name, "backend": o.Backend, "owner": o.Owner, "listed": o.Listed, "deleted": deleted})
	}
	return nil
}
