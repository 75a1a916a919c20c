package main

import (
	"context"
	"fmt"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
)

// RunCmd runs a one-off task (a migration, say) and exits with its code.
type RunCmd struct {
	TaskDefinition string            `placeholder:"NAME|FAMILY[:REV]" predictor:"taskdefs" help:"The task definition: a config name (registered idempotently), a family or family:revision."`
	Service        string            `placeholder:"NAME" predictor:"services" help:"Run the task definition of this config service, with its network configuration, launch type, capacity providers and platform version."`
	Command        string            `help:"The command, as shell words or a JSON array, for --container."`
	Container      string            `help:"The container --command is for (default: the watched one)."`
	OverridesFile  string            `type:"path" placeholder:"FILE" help:"ECS TaskOverride JSON to apply."`
	Count          int32             `default:"1" help:"How many tasks."`
	Tags           map[string]string `mapsep:"," placeholder:"K=V,..." help:"Tags for the task."`
	NoWait         bool              `help:"Print the task ARN and return."`
	WatchContainer string            `placeholder:"NAME" help:"The container whose exit code counts and whose log is printed (default: the first essential one)."`
}

func (c *RunCmd) Run(ctx context.Context, a *app) error {
	if (c.TaskDefinition == "") == (c.Service == "") {
		return usageError{fmt.Errorf("give --task-definition or --service (one of them)")}
	}
	p, err := a.loadProject(ctx)
	if err != nil {
		return err
	}
	// --service needs that service's definition (network, launch type);
	// --task-definition needs no service definition at all.
	sel := taskDefinitionsOnly(p)
	if c.Service != "" {
		sel = config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions}
	}
	defs, err := ecs.Load(ctx, p, sel)
	if err != nil {
		return config.Invalid(err)
	}
	spec := ecs.RunSpec{TaskDefinition: c.TaskDefinition, Service: c.Service, Container: c.Container, Count: c.Count, Tags: c.Tags,
		Watch: c.WatchContainer, Cluster: ecs.ClusterName(p.Cluster)}
	if c.OverridesFile != "" {
		if spec.Overrides, err = ecs.ReadOverrides(c.OverridesFile); err != nil {
			return config.Invalid(err)
		}
	}
	if c.Command != "" {
		if spec.Command, err = ecs.CommandWords(c.Command); err != nil {
			return usageError{err}
		}
	}
	if c.Service != "" && defs.FindService(c.Service) == nil {
		return config.Invalid(fmt.Errorf("--service: no service named %s in %s", c.Service, p.Path))
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	in, containers, watch, err := spec.Prepare(ctx, api, defs)
	if err != nil {
		return err
	}
	return a.taskRun(api, c.NoWait).Run(ctx, in, containers, watch, c.NoWait)
}
