package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awscall"
	"github.com/tamp-ecs/tamp/scheduled"
	"github.com/tamp-ecs/tamp/tfstate"
	"github.com/tamp-ecs/tamp/verify"
)

// VerifyCmd checks the project offline, then against AWS.
type VerifyCmd struct {
	Offline bool `help:"Check the config and definitions only; ask AWS nothing."`
}

// errVerifyNG is verify's answer when a check is NG (exit 1).
var errVerifyNG = errors.New("verify found problems (NG above)")

func (c *VerifyCmd) Run(ctx context.Context, a *app) error {
	rep, err := a.verify(ctx, verifyOptions{offline: c.Offline, scheduled: true, standalone: true})
	if err != nil {
		return err
	}
	if a.Output == "json" {
		err = writeJSON(a, rep)
	} else {
		err = rep.WriteText(a.stdout, a.colorOut)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		return fmt.Errorf("%w: %d NG", errVerifyNG, rep.Summary[verify.NG])
	}
	return nil
}

// verifyOptions say what a verify covers: scheduled tasks and standalone
// task definitions are left out where the command does not touch them
// (deploy --no-scheduled).
type verifyOptions struct {
	offline, scheduled, standalone bool
	// referencing keeps, under --only, the scheduled tasks that run a
	// named service's or task definition's revisions (deploy repoints them).
	referencing bool
}

// verify renders and checks everything --only leaves in scope: services,
// task definitions and scheduled tasks (--only takes any of their names).
// A config that does not load is an error; problems in definitions are NG
// lines of the report. An interrupted verify is an interrupt, not NG.
func (a *app) verify(ctx context.Context, o verifyOptions) (*verify.Report, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, err
	}
	var tasks []*scheduled.Task
	if p.Scheduled != nil && o.scheduled {
		if tasks, err = scheduled.Load(p, p.Path, p.Scheduled); err != nil {
			return nil, invalidInput{err}
		}
	}
	sel, tasks, err := verifySelection(p, tasks, a.Only, o.referencing)
	if err != nil {
		return nil, invalidInput{err}
	}
	if !o.standalone {
		sel.TaskDefinitions = nil
	}
	defs, err := ecs.LoadAll(ctx, p, sel)
	if err != nil {
		return nil, invalidInput{err}
	}
	in := verify.Input{Region: p.Region, Cluster: clusterOf(p.Cluster), Offline: o.offline, Scheduled: tasks}
	if len(tasks) > 0 {
		if err := validateScheduled(p, tasks, defs); err != nil {
			return nil, err
		}
		in.Backend = p.Scheduled.Backend
		for _, t := range tasks {
			if t.RoleArn == "" {
				t.RoleArn = p.Scheduled.RoleArn
			}
		}
	}
	for _, s := range p.Services {
		in.ConfigTaskDefinitions = append(in.ConfigTaskDefinitions, s.Name)
	}
	for _, td := range p.TaskDefinitions {
		in.ConfigTaskDefinitions = append(in.ConfigTaskDefinitions, td.Name)
	}
	in.Definitions = reported(defs, a.Only)
	var lookup verify.Lookup
	if !o.offline {
		cfg, err := a.awsConfig(ctx, p)
		if err != nil {
			return nil, err
		}
		in.Region = cfg.Region
		lookup = verify.AWS{Clients: &verifyClients{a: a, region: cfg.Region}}
	}
	rep := verify.Run(ctx, in, lookup)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rep, nil
}

// verifySelection is what --only puts in scope: the services and task
// definitions it names, the scheduled tasks it names, and the task
// definitions those run (loaded to check their container names, reported
// only when named); with referencing also the scheduled tasks that run a
// named service's or task definition's revisions. Without --only,
// everything.
func verifySelection(p *config.Project, tasks []*scheduled.Task, only []string, referencing bool) (config.Selection, []*scheduled.Task, error) {
	if len(only) == 0 {
		return config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions}, tasks, nil
	}
	var names, defNames []string
	var kept []*scheduled.Task
	for _, t := range tasks {
		names = append(names, t.Name)
		if slices.Contains(only, t.Name) || (referencing && slices.Contains(only, t.TaskDefinition)) {
			kept = append(kept, t)
			defNames = append(defNames, t.TaskDefinition)
		}
	}
	for _, s := range p.Services {
		names = append(names, s.Name)
	}
	for _, td := range p.TaskDefinitions {
		names = append(names, td.Name)
	}
	for _, n := range only {
		if !slices.Contains(names, n) {
			return config.Selection{}, nil, fmt.Errorf("--only: nothing named %s; the config has %s", n, strings.Join(slices.Compact(slices.Sorted(slices.Values(names))), ", "))
		}
		defNames = append(defNames, n)
	}
	sel := config.Selection{
		Services:        named(p.Services, func(s config.Service) string { return s.Name }, defNames),
		TaskDefinitions: named(p.TaskDefinitions, func(td config.TaskDefinition) string { return td.Name }, defNames),
	}
	return sel, kept, nil
}

// reported keeps the definitions --only names (all without it).
func reported(defs *ecs.Definitions, only []string) *ecs.Definitions {
	if len(only) == 0 {
		return defs
	}
	return &ecs.Definitions{
		Services:        named(defs.Services, func(s *ecs.Service) string { return s.Name }, only),
		TaskDefinitions: named(defs.TaskDefinitions, func(td *ecs.TaskDefinition) string { return td.Name }, only),
	}
}

// named keeps the items whose name is in names, in their order.
func named[T any](items []T, name func(T) string, names []string) []T {
	var out []T
	for _, it := range items {
		if slices.Contains(names, name(it)) {
			out = append(out, it)
		}
	}
	return out
}

// verifyClients makes verify's AWS clients, one of each per region ("" is
// the project's).
type verifyClients struct {
	a      *app
	region string
	mu     sync.Mutex
	m      map[string]any
}

// client returns the cached client of kind for region, made by mk.
func client[T any](ctx context.Context, v *verifyClients, kind, region string, mk func(aws.Config) T) (T, error) {
	var zero T
	if region == "" {
		region = v.region
	}
	cfg, err := v.a.awsConfigFor(ctx, region)
	if err != nil {
		return zero, err
	}
	key := kind + "/" + cfg.Region
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.m[key]; ok {
		return c.(T), nil
	}
	if v.m == nil {
		v.m = map[string]any{}
	}
	c := mk(cfg)
	v.m[key] = c
	return c, nil
}

func (v *verifyClients) ECS(ctx context.Context, region string) (*awsecs.Client, error) {
	return client(ctx, v, "ecs", region, func(cfg aws.Config) *awsecs.Client { return awsecs.NewFromConfig(cfg) })
}

func (v *verifyClients) Logs(ctx context.Context, region string) (*cloudwatchlogs.Client, error) {
	return client(ctx, v, "logs", region, func(cfg aws.Config) *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(cfg) })
}

func (v *verifyClients) SSM(ctx context.Context, region string) (*ssm.Client, error) {
	return client(ctx, v, "ssm", region, func(cfg aws.Config) *ssm.Client { return ssm.NewFromConfig(cfg) })
}

func (v *verifyClients) SecretsManager(ctx context.Context, region string) (*secretsmanager.Client, error) {
	return client(ctx, v, "secretsmanager", region, func(cfg aws.Config) *secretsmanager.Client { return secretsmanager.NewFromConfig(cfg) })
}

func (v *verifyClients) S3(ctx context.Context, region string) (verify.S3API, error) {
	return client(ctx, v, "s3", region, func(cfg aws.Config) verify.S3API {
		return tfstate.NewHTTPS3(cfg, os.Getenv("AWS_ENDPOINT_URL_S3"))
	})
}

func (v *verifyClients) Call(ctx context.Context, svc awscall.Service, region string) (*awscall.Client, error) {
	return client(ctx, v, svc.ID, region, func(cfg aws.Config) *awscall.Client {
		var trace = v.a.stderr
		if !v.a.Debug {
			trace = nil
		}
		return awscall.New(cfg, svc, "", trace)
	})
}
