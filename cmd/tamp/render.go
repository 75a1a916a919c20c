package main

import (
	"context"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/scheduled"
)

// RenderCmd prints rendered documents.
type RenderCmd struct {
	Target string `arg:"" enum:"config,services,taskdefs,scheduled" help:"What to render: config, services, taskdefs or scheduled."`
}

func (c *RenderCmd) Run(ctx context.Context, a *app) error {
	if c.Target == "config" {
		p, err := a.loadProject(ctx)
		if err != nil {
			return err
		}
		return writeJSON(a, renderedConfig(p.Config))
	}
	p, scope, defs, err := a.definitions(ctx, renderNeeds(c.Target))
	if err != nil {
		return err
	}
	var docs awsjson.Named
	switch c.Target {
	case "scheduled":
		tasks, err := scheduled.LoadTasks(p, defs)
		if err != nil {
			return err
		}
		for _, t := range scheduled.Select(tasks, scheduled.ScopeOptions(scope)) {
			docs.Add(t.Name, ecs.Canonical(t))
		}
	case "services":
		for _, s := range defs.Services {
			if s.Input != nil {
				docs.Add(s.Name, ecs.Canonical(s.Input))
			}
		}
	case "taskdefs":
		for _, td := range defs.TaskDefinitions {
			docs.Add(td.Name, ecs.Canonical(td.Input))
		}
	}
	return docs.Write(a.stdout)
}

// renderNeeds: services need their service definitions only; task
// definitions and scheduled tasks need every task definition, and no
// service definition.
func renderNeeds(target string) needs {
	if target == "services" {
		return needs{command: "render services", services: true, noTaskDefinitions: true}
	}
	return needs{command: "render " + target, standalone: true}
}

// renderedConfig is the config as tamp will use it: the one-service form
// folded into services, the effective timeout filled in.
func renderedConfig(cfg *config.Config) *config.Config {
	out := *cfg
	out.Timeout = &config.Duration{Duration: cfg.EffectiveTimeout()}
	return &out
}
