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
	rep, err := a.verify(ctx, c.Offline)
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

// verify renders and checks everything --only leaves in scope: services,
// task definitions and scheduled tasks. A config that does not load is an
// error; problems in definitions are NG lines of the report.
func (a *app) verify(ctx context.Context, offline bool) (*verify.Report, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, err
	}
	defs, err := ecs.LoadAll(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
	if err != nil {
		return nil, invalidInput{err}
	}
	var tasks []*scheduled.Task
	in := verify.Input{Region: p.Region, Cluster: clusterOf(p.Cluster), Offline: offline}
	if p.Scheduled != nil {
		if tasks, err = loadScheduled(p, defs); err != nil {
			return nil, err
		}
		in.Backend = p.Scheduled.Backend
		for _, t := range tasks {
			if t.RoleArn == "" {
				t.RoleArn = p.Scheduled.RoleArn
			}
		}
	}
	for _, td := range defs.TaskDefinitions {
		in.ConfigTaskDefinitions = append(in.ConfigTaskDefinitions, td.Name)
	}
	if in.Definitions, in.Scheduled, err = verifyScope(defs, tasks, a.Only); err != nil {
		return nil, invalidInput{err}
	}
	if offline {
		return verify.Run(ctx, in, nil), nil
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return nil, err
	}
	in.Region = cfg.Region
	return verify.Run(ctx, in, verify.AWS{Clients: &verifyClients{a: a, region: cfg.Region}}), nil
}

// verifyScope keeps the services, task definitions and scheduled tasks
// named by --only (all without it).
func verifyScope(defs *ecs.Definitions, tasks []*scheduled.Task, only []string) (*ecs.Definitions, []*scheduled.Task, error) {
	if len(only) == 0 {
		return defs, tasks, nil
	}
	var names []string
	out := &ecs.Definitions{}
	for _, s := range defs.Services {
		names = append(names, s.Name)
		if slices.Contains(only, s.Name) {
			out.Services = append(out.Services, s)
		}
	}
	for _, td := range defs.TaskDefinitions {
		names = append(names, td.Name)
		if slices.Contains(only, td.Name) {
			out.TaskDefinitions = append(out.TaskDefinitions, td)
		}
	}
	var kept []*scheduled.Task
	for _, t := range tasks {
		names = append(names, t.Name)
		if slices.Contains(only, t.Name) {
			kept = append(kept, t)
		}
	}
	for _, n := range only {
		if !slices.Contains(names, n) {
			return nil, nil, fmt.Errorf("--only: nothing named %s; the config has %s", n, strings.Join(slices.Compact(slices.Sorted(slices.Values(names))), ", "))
		}
	}
	return out, kept, nil
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
		endpoint := os.Getenv("AWS_ENDPOINT_URL_S3")
		if endpoint == "" {
			endpoint = aws.ToString(cfg.BaseEndpoint)
		}
		return &tfstate.HTTPS3{Credentials: cfg.Credentials, Region: cfg.Region, Endpoint: endpoint}
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
