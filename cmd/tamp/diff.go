package main

import (
	"context"
	"errors"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/diffreport"
	"github.com/tamp-ecs/tamp/internal/mask"
	"github.com/tamp-ecs/tamp/scheduled"
)

// DiffCmd shows what deploy would change.
type DiffCmd struct {
	Format   string `enum:"unified,markdown,json" default:"unified" help:"unified (coloured on a terminal), markdown (for pull-request comments) or json."`
	ExitCode bool   `help:"Exit 2 when anything differs, 0 when nothing does."`
}

// errDiffers is diff --exit-code finding changes.
var errDiffers = errors.New("differences found")

func (c *DiffCmd) Run(ctx context.Context, a *app) error {
	p, scope, defs, err := a.definitions(ctx, needs{command: "diff", services: true, standalone: true})
	if err != nil {
		return err
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	remote, err := ecs.Describe(ctx, api, ecs.ClusterName(p.Cluster), defs)
	if err != nil {
		return err
	}
	if len(defs.Services) > 0 {
		scaling, err := a.clients.Scaling(ctx, p.Region)
		if err != nil {
			return err
		}
		if err := ecs.DescribeScaling(ctx, scaling, ecs.ClusterName(p.Cluster), remote); err != nil {
			return err
		}
	}
	report, err := ecs.Diff(defs, remote, ignoredTags(p))
	if err != nil {
		return err
	}
	if p.Scheduled != nil {
		// The scheduled tasks in scope: all without --only.
		s, err := a.syncer(ctx, 0)
		if err != nil {
			return err
		}
		plan, err := s.Plan(ctx, scheduled.ScopeOptions(scope))
		if err != nil {
			return err
		}
		report.Changes = append(report.Changes, plan.Report.Changes...)
	}
	if err := writeReport(a, report, c.Format); err != nil {
		return err
	}
	if c.ExitCode && report.Differs() {
		return errDiffers
	}
	return nil
}

func writeReport(a *app, report diffreport.Report, format string) error {
	if !a.ShowSecrets {
		if err := report.HideRemoteSecrets(a.masker.Mask, mask.Placeholder); err != nil {
			return err
		}
	}
	if a.Output == "json" {
		format = "json"
	}
	switch format {
	case "markdown":
		return report.Markdown(a.stdout)
	case "json":
		return report.JSON(a.stdout)
	}
	return report.Unified(a.stdout, a.colorOut)
}
