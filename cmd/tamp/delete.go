package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/term"
)

// DeleteCmd deletes the services in scope.
type DeleteCmd struct {
	DryRun bool `help:"Say what would be deleted; change nothing."`
	Force  bool `help:"Delete without asking to type each service's name."`
}

func (c *DeleteCmd) Run(ctx context.Context, a *app) error {
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	scaling, err := a.clients.Scaling(ctx, p.Region)
	if err != nil {
		return err
	}
	d := &ecs.ServiceDeleter{API: api, Scaling: scaling, Progress: func(service, line string) { fmt.Fprintf(a.stderr, "%s: %s\n", service, line) }}
	if !c.Force {
		// Every service is confirmed before the first one changes.
		prompt := term.NewPrompter(os.Stdin, a.stderr)
		d.Confirm = func(s ecs.ServiceToDelete) error {
			return prompt.Confirm(fmt.Sprintf("Delete service %s in cluster %s (%s, %s, desired %d, running %d)?",
				s.Name, s.Cluster, s.Status, ecs.ShortRevision(s.TaskDefinition), s.Desired, s.Running), s.Name)
		}
	}
	results, err := d.Delete(ctx, names, ecs.DeleteOptions{Cluster: ecs.ClusterName(p.Cluster), DryRun: c.DryRun, Timeout: p.EffectiveTimeout()})
	if a.Output == "json" {
		if results != nil {
			if jerr := writeJSON(a, map[string]any{"dry_run": c.DryRun, "services": results}); jerr != nil {
				return jerr
			}
		}
	} else if werr := ecs.WriteDeleteText(a.stderr, results, c.DryRun); werr != nil {
		return werr
	}
	return err
}
