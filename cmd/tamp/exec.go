package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/sessionplugin"
)

// ExecCmd opens an ECS Exec session in a service's task.
type ExecCmd struct {
	Service   string `placeholder:"NAME" predictor:"services" help:"The config service (default: the one service in scope)."`
	Task      string `placeholder:"ID" help:"The running task (ID or ARN; default: the service's newest on its current revision)."`
	Container string `placeholder:"NAME" help:"The container (default: the task definition's first essential one)."`
	Command   string `default:"/bin/sh" help:"The command to run, interactively."`
}

func (c *ExecCmd) Run(ctx context.Context, a *app) error {
	p, names, api, err := a.runningServices(ctx)
	if err != nil {
		return err
	}
	service := c.Service
	switch {
	case service != "" && !slices.Contains(names, service):
		return config.Invalid(fmt.Errorf("--service %s: no such service in scope; services: %s", service, strings.Join(names, ", ")))
	case service == "" && len(names) > 1:
		return usageError{fmt.Errorf("exec opens one session: choose the service with --service (or --only); services: %s", strings.Join(names, ", "))}
	case service == "":
		service = names[0]
	}
	cfg, err := a.clients.AWSConfig(ctx, p.Region)
	if err != nil {
		return err
	}
	endpoint, err := sessionplugin.ECSEndpoint(ctx, cfg)
	if err != nil {
		return err
	}
	e := &ecs.Exec{API: api, Cluster: ecs.ClusterName(p.Cluster), Region: cfg.Region, Profile: os.Getenv("AWS_PROFILE"), Endpoint: endpoint,
		// The session is the terminal's: not masked, not buffered.
		Plugin: &sessionplugin.Plugin{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr},
		Opened: func(task, container string) {
			fmt.Fprintf(a.stderr, "%s: session in task %s, container %s\n", service, task, container)
			if f, ok := a.stderr.(interface{ Flush() error }); ok {
				f.Flush()
			}
		},
	}
	return e.Run(ctx, ecs.ExecOptions{Service: service, Task: c.Task, Container: c.Container, Command: c.Command})
}
