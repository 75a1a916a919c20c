package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/internal/version"
)

// loadProject reads the config with the command line's variables.
func (a *app) loadProject(ctx context.Context) (*config.Project, error) {
	p, err := config.Load(ctx, a.Config, config.Options{
		ExtStr:  a.ExtStr,
		ExtCode: a.ExtCode,
		Region:  a.Region,
		Timeout: a.Timeout,
		Version: version.Version,
		Plugins: config.DefaultRegistry(),
	})
	if err != nil {
		return nil, invalidInput{err}
	}
	return p, nil
}

// loadDefinitions renders and validates every definition --only leaves in
// scope. Any problem stops the command before it reaches AWS.
func (a *app) loadDefinitions(ctx context.Context) (*config.Project, *ecs.Definitions, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, nil, err
	}
	sel, err := p.Select(a.Only)
	if err != nil {
		return nil, nil, invalidInput{err}
	}
	defs, err := ecs.Load(p, sel)
	if err != nil {
		return nil, nil, invalidInput{err}
	}
	return p, defs, nil
}

// awsConfig builds the SDK configuration for the project's region.
func (a *app) awsConfig(ctx context.Context, p *config.Project) (aws.Config, error) {
	opts := awsclient.Options{Region: p.Region, AssumeRoleArn: a.AssumeRoleArn}
	if a.Debug {
		opts.Trace = a.stderr
	}
	return awsclient.Load(ctx, opts)
}
