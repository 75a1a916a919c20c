package main

import (
	"context"
	"fmt"

	"github.com/tamp-ecs/tamp/ecs"
)

// RevisionsCmd lists the task definition revisions in scope.
type RevisionsCmd struct{}

func (c *RevisionsCmd) Run(ctx context.Context, a *app) error {
	revs, families, err := a.revisions(ctx, "revisions")
	if err != nil {
		return err
	}
	list, err := revs.List(ctx, families)
	if err != nil {
		return err
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"task_definitions": list})
	}
	return ecs.WriteRevisions(a.stdout, list)
}

// DeregisterCmd removes old revisions, never one in use.
type DeregisterCmd struct {
	Keep   int  `required:"" placeholder:"N" help:"Keep the newest N ACTIVE revisions of each family (and every one in use); deregister the rest."`
	DryRun bool `help:"Say what would be deregistered; change nothing."`
	Delete bool `help:"Also delete the revisions deregistered (DeleteTaskDefinitions)."`
}

func (c *DeregisterCmd) Run(ctx context.Context, a *app) error {
	if c.Keep < 1 {
		return usageError{fmt.Errorf("--keep takes 1 or more: the newest revision is the one register compares with and reuses")}
	}
	revs, families, err := a.revisions(ctx, "deregister")
	if err != nil {
		return err
	}
	o := ecs.CleanupOptions{Keep: c.Keep, DryRun: c.DryRun, Delete: c.Delete}
	done, err := revs.Deregister(ctx, families, o)
	if a.Output == "json" {
		if jerr := writeJSON(a, map[string]any{"dry_run": c.DryRun, "delete": c.Delete, "task_definitions": done}); jerr != nil {
			return jerr
		}
	} else if werr := ecs.WriteCleanup(a.stderr, done, o); werr != nil {
		return werr
	}
	return err
}

// revisions are the families of the task definitions in scope and what
// tells which revisions are in use: the cluster's services and, when the
// config has scheduled tasks, what they run.
func (a *app) revisions(ctx context.Context, command string) (*ecs.Revisions, []ecs.Family, error) {
	p, _, defs, err := a.definitions(ctx, needs{command: command, standalone: true})
	if err != nil {
		return nil, nil, err
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return nil, nil, err
	}
	revs := &ecs.Revisions{API: api, Cluster: ecs.ClusterName(p.Cluster)}
	if p.Scheduled != nil {
		s, err := a.syncer(ctx, 0)
		if err != nil {
			return nil, nil, err
		}
		revs.Scheduled = s.RevisionUsers
	}
	return revs, ecs.Families(defs.TaskDefinitions), nil
}
