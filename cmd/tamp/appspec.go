package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
)

// AppSpecCmd prints the CodeDeploy AppSpec for a CODE_DEPLOY service.
type AppSpecCmd struct {
	TaskDefinition string `default:"current" placeholder:"current|latest|ARN" help:"The revision to deploy: the service's current one, the family's latest ACTIVE one, or an ARN."`
}

func (c *AppSpecCmd) Run(ctx context.Context, a *app) error {
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	if len(names) != 1 {
		return config.Invalid(fmt.Errorf("appspec prints one service's AppSpec; choose one with --only (%s)", strings.Join(names, ", ")))
	}
	hooks, err := appspec.Hooks(p.AppSpec)
	if err != nil {
		return config.Invalid(fmt.Errorf("%s: %w", p.Path, err))
	}
	doc, err := appspec.ForService(ctx, api, ecs.ClusterName(p.Cluster), names[0], c.TaskDefinition, hooks)
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(doc)
	return err
}
