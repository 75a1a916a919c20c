package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/internal/version"
	"github.com/tamp-ecs/tamp/scheduled"
)

// loadProject reads the config with the command line's variables, once.
func (a *app) loadProject(ctx context.Context) (*config.Project, error) {
	if a.project != nil {
		return a.project, nil
	}
	p, err := config.Load(ctx, a.Config, config.Options{
		ExtStr:  a.ExtStr,
		ExtCode: a.ExtCode,
		Region:  a.Region,
		Timeout: a.Timeout,
		Version: version.Version,
		Only:    a.Only,
		Plugins: config.DefaultRegistry(),
		AWS:     a.awsConfigFor,
		Masker:  a.masker,
	})
	if err != nil {
		return nil, invalidInput{err}
	}
	a.project = p
	return p, nil
}

// loadDefinitions renders and validates every definition --only leaves in
// scope (only the services and theirs with servicesOnly). Any problem
// stops the command before it reaches AWS.
func (a *app) loadDefinitions(ctx context.Context, servicesOnly bool) (*config.Project, *ecs.Definitions, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, nil, err
	}
	sel, err := p.Select(a.Only)
	if err != nil {
		return nil, nil, invalidInput{err}
	}
	if servicesOnly {
		sel.TaskDefinitions = nil
	}
	defs, err := ecs.Load(ctx, p, sel)
	if err != nil {
		return nil, nil, invalidInput{err}
	}
	return p, defs, nil
}

// awsConfig builds the SDK configuration for the project's region.
func (a *app) awsConfig(ctx context.Context, p *config.Project) (aws.Config, error) {
	return a.awsConfigFor(ctx, p.Region)
}

// awsConfigFor builds the SDK configuration for a region ("" for the SDK's
// default), once per region per run, so every client shares credentials
// (and one assumed-role session).
func (a *app) awsConfigFor(ctx context.Context, region string) (aws.Config, error) {
	a.awsMu.Lock()
	defer a.awsMu.Unlock()
	if cfg, ok := a.awsConfigs[region]; ok {
		return cfg, nil
	}
	opts := awsclient.Options{Region: region, AssumeRoleArn: a.AssumeRoleArn}
	if a.Debug {
		opts.Trace = a.stderr
	}
	cfg, err := awsclient.Load(ctx, opts)
	if err != nil {
		return cfg, err
	}
	if a.awsConfigs == nil {
		a.awsConfigs = map[string]aws.Config{}
	}
	a.awsConfigs[region] = cfg
	return cfg, nil
}

// clusterOf is the cluster to use: ECS's own default when the config names
// none.
func clusterOf(cluster string) string {
	if cluster == "" {
		return "default"
	}
	return cluster
}

func ignoredTags(p *config.Project) []string {
	if p.Ignore == nil {
		return nil
	}
	return p.Ignore.Tags
}

// loadScheduled reads and validates the config's scheduled tasks; override
// container names are checked against the config's task definitions.
func loadScheduled(p *config.Project, defs *ecs.Definitions) ([]*scheduled.Task, error) {
	if p.Scheduled == nil {
		return nil, invalidInput{fmt.Errorf("%s: no scheduled block in the config", p.Path)}
	}
	tasks, err := scheduled.Load(p, p.Path, p.Scheduled)
	if err != nil {
		return nil, invalidInput{err}
	}
	return tasks, validateScheduled(p, tasks, defs)
}

// validateScheduled checks scheduled tasks offline, their override
// container names against the task definitions in defs.
func validateScheduled(p *config.Project, tasks []*scheduled.Task, defs *ecs.Definitions) error {
	containers := func(name string) ([]string, bool) {
		for _, td := range defs.TaskDefinitions {
			if td.Name == name {
				// A definition that did not decode (verify keeps it) has
				// no container names to check against.
				return td.Containers, td.Input != nil
			}
		}
		return nil, false
	}
	if errs := scheduled.Validate(tasks, p.Scheduled.Backend, containers); len(errs) > 0 {
		return invalidInput{errors.Join(errs...)}
	}
	return nil
}
