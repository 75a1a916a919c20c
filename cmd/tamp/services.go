package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/progress"
	"github.com/tamp-ecs/tamp/rollout"
)

// RollbackCmd returns services to the previous revision.
type RollbackCmd struct {
	Revision                 int32  `placeholder:"N" help:"Roll back to revision N of the family instead of the previous ACTIVE one."`
	DeregisterTaskDefinition bool   `help:"Deregister the revision rolled back from (never one a service still runs)."`
	DryRun                   bool   `help:"Say what would be rolled back; change nothing."`
	NoWait                   bool   `help:"Return once the rollback is started."`
	NoScheduled              bool   `help:"Do not repoint scheduled tasks at the rolled-back revisions."`
	WaitUntil                string `enum:"deployed,stable" default:"deployed" help:"When the rollback counts as done (as for deploy)."`
	autoScalingFlags
}

func (c *RollbackCmd) Run(ctx context.Context, a *app) error {
	scaling, err := c.autoScalingFlags.options()
	if err != nil {
		return err
	}
	p, names, err := a.serviceNames(ctx)
	if err != nil {
		return err
	}
	r := &rollout.Rollout{}
	repoint := !c.NoScheduled && !c.DryRun && !c.NoWait
	if p.Scheduled != nil && (repoint || c.DeregisterTaskDefinition) {
		// Loaded and checked before the first change: the schedules move
		// with the services, and no revision they run is deregistered.
		if r.Scheduled, err = a.syncer(ctx, 0); err != nil {
			return err
		}
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	var prog *progress.Progress
	r.Deployer, prog = a.deployer(api)
	defer prog.Done()
	if r.Deployer.CodeDeploy, err = a.codeDeployer(ctx, p, prog, appspec.Stage{}, nil); err != nil {
		return err
	}
	if r.Scaling, err = a.autoScaling(ctx, p, prog); err != nil {
		return err
	}
	done, err := r.Rollback(ctx, rollout.RollbackOptions{
		RollbackOptions: ecs.RollbackOptions{Cluster: ecs.ClusterName(p.Cluster), Revision: c.Revision, DryRun: c.DryRun, NoWait: c.NoWait,
			Until: ecs.Until(c.WaitUntil), Timeout: p.EffectiveTimeout(), Deregister: c.DeregisterTaskDefinition},
		Services: names, Repoint: repoint, Standalone: len(a.Only) == 0, Scaling: scaling,
	})
	prog.Done()
	if a.Output != "json" {
		done.WriteText(a.stderr, c.DryRun, err == nil)
	} else {
		done.WriteScheduled(a.stderr)
		if jerr := writeJSON(a, map[string]any{"dry_run": c.DryRun, "services": done.Services}); jerr != nil {
			return jerr
		}
	}
	return err
}

// WaitCmd follows the services' current deployments.
type WaitCmd struct {
	WaitUntil string `enum:"deployed,stable" default:"deployed" help:"When a deployment counts as done (as for deploy)."`
}

func (c *WaitCmd) Run(ctx context.Context, a *app) error {
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	d, prog := a.deployer(api)
	defer prog.Done()
	if d.CodeDeploy, err = a.codeDeployer(ctx, p, prog, appspec.Stage{}, nil); err != nil {
		return err
	}
	err = d.WaitCurrent(ctx, ecs.ClusterName(p.Cluster), names, ecs.Until(c.WaitUntil), p.EffectiveTimeout())
	prog.Done()
	if err == nil {
		fmt.Fprintf(a.stderr, "%s: deployed\n", strings.Join(names, ", "))
	}
	return err
}

// ScaleCmd changes the desired count.
type ScaleCmd struct {
	Tasks  *int32 `placeholder:"N" help:"The desired count."`
	Min    *int32 `placeholder:"N" help:"The Application Auto Scaling target's minimum capacity."`
	Max    *int32 `placeholder:"N" help:"The Application Auto Scaling target's maximum capacity."`
	NoWait bool   `help:"Return once the count is set."`
	autoScalingFlags
}

func (c *ScaleCmd) Run(ctx context.Context, a *app) error {
	switch {
	case c.Tasks == nil && c.Min == nil && c.Max == nil:
		return usageError{fmt.Errorf("give --tasks N, or --min N and/or --max N for the auto scaling target")}
	case (c.Tasks != nil && *c.Tasks < 0) || (c.Min != nil && *c.Min < 0) || (c.Max != nil && *c.Max < 0):
		return usageError{fmt.Errorf("--tasks, --min and --max take a number of 0 or more")}
	case c.Min != nil && c.Max != nil && *c.Min > *c.Max:
		return usageError{fmt.Errorf("--min %d is above --max %d", *c.Min, *c.Max)}
	}
	scaling, err := c.autoScalingFlags.options()
	if err != nil {
		return err
	}
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	d, prog := a.deployer(api)
	defer prog.Done()
	r := &rollout.Rollout{Deployer: d}
	if r.Scaling, err = a.autoScaling(ctx, p, prog); err != nil {
		return err
	}
	err = r.Scale(ctx, rollout.ScaleOptions{Cluster: ecs.ClusterName(p.Cluster), Services: names, Tasks: c.Tasks, Min: c.Min, Max: c.Max,
		NoWait: c.NoWait, Timeout: p.EffectiveTimeout(), Scaling: scaling})
	prog.Done()
	if err == nil && c.Tasks != nil {
		fmt.Fprintf(a.stderr, "%s: scaled to %d\n", strings.Join(names, ", "), *c.Tasks)
	}
	return err
}

// StatusCmd shows the services' deployments and recent events.
type StatusCmd struct {
	Events int `default:"5" placeholder:"N" help:"How many recent service events to show."`
}

func (c *StatusCmd) Run(ctx context.Context, a *app) error {
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	statuses, err := ecs.Status(ctx, api, ecs.ClusterName(p.Cluster), names, c.Events)
	if err != nil {
		return err
	}
	var cd *appspec.Deployer
	for i := range statuses {
		if statuses[i].Controller != "CODE_DEPLOY" {
			continue
		}
		if cd == nil {
			if cd, err = a.codeDeployer(ctx, p, nil, appspec.Stage{}, nil); err != nil {
				return err
			}
		}
		latest := cd.Latest(ctx, ecs.ClusterName(p.Cluster), statuses[i].Name)
		statuses[i].CodeDeployment = &latest
	}
	if err := a.scalingStatus(ctx, p, statuses); err != nil {
		return err
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"services": statuses})
	}
	return ecs.WriteStatus(a.stdout, statuses)
}

// scalingStatus adds each service's auto scaling target to its status;
// without permission to read them, status goes on without.
func (a *app) scalingStatus(ctx context.Context, p *config.Project, statuses []ecs.ServiceStatus) error {
	var names []string
	for _, st := range statuses {
		if st.Exists {
			names = append(names, st.Name)
		}
	}
	api, err := a.clients.Scaling(ctx, p.Region)
	if err != nil {
		return err
	}
	scaled, err := ecs.AutoScaled(ctx, api, ecs.ClusterName(p.Cluster), names)
	if err == nil {
		err = ecs.ScalingPolicies(ctx, api, scaled)
	}
	for i := range statuses {
		statuses[i].AutoScaling = scaled[statuses[i].Name]
	}
	return err
}

// runningServices are the services in scope and the ECS client, for
// commands that act on running services rather than on definitions.
func (a *app) runningServices(ctx context.Context) (*config.Project, []string, ECSAPI, error) {
	p, names, err := a.serviceNames(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	api, err := a.ecsAPI(ctx)
	return p, names, api, err
}
