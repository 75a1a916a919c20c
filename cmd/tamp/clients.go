package main

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awscall"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/scheduled"
	"github.com/tamp-ecs/tamp/tfstate"
	"github.com/tamp-ecs/tamp/verify"
)

// Clients is the one seam between the commands and AWS: every client a
// command uses comes from here, for a region ("" for the SDK's default).
// The tool builds SDK clients from one SDK configuration per region;
// command tests hand in fakes.
type Clients interface {
	// Region is the region the clients for region talk to.
	Region(ctx context.Context, region string) (string, error)
	ECS(ctx context.Context, region string) (ECSAPI, error)
	Scheduler(ctx context.Context, region string) (scheduled.SchedulerAPI, error)
	Events(ctx context.Context, region string) (scheduled.EventsAPI, error)
	STS(ctx context.Context, region string) (scheduled.STSAPI, error)
	Logs(ctx context.Context, region string) (ecs.LogsAPI, error)
	// Verify answers verify's questions (ECS, IAM, ECR, logs, SSM,
	// Secrets Manager, S3, ELBv2, EC2) for the project's region.
	Verify(ctx context.Context, region string) (verify.Lookup, error)
	// AWSConfig is the SDK configuration the config's plugins (tfstate,
	// ssm, secretsmanager) read values with.
	AWSConfig(ctx context.Context, region string) (aws.Config, error)
}

// ECSAPI is what the commands use of ECS: deploys and one-off tasks.
type ECSAPI interface {
	ecs.API
	ecs.RunAPI
}

var _ ECSAPI = (*awsecs.Client)(nil)

// sdkClients makes the SDK's clients, one SDK configuration per region, so
// every client shares credentials (and one assumed-role session), and one
// client of each kind per region.
type sdkClients struct {
	opts awsclient.Options // Region set per call
	mu   sync.Mutex
	cfgs map[string]aws.Config
	made map[string]any
}

func newSDKClients(assumeRoleArn string, trace io.Writer) *sdkClients {
	return &sdkClients{opts: awsclient.Options{AssumeRoleArn: assumeRoleArn, Trace: trace}, cfgs: map[string]aws.Config{}, made: map[string]any{}}
}

func (c *sdkClients) AWSConfig(ctx context.Context, region string) (aws.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cfg, ok := c.cfgs[region]; ok {
		return cfg, nil
	}
	opts := c.opts
	opts.Region = region
	cfg, err := awsclient.Load(ctx, opts)
	if err != nil {
		return cfg, err
	}
	c.cfgs[region] = cfg
	return cfg, nil
}

func (c *sdkClients) Region(ctx context.Context, region string) (string, error) {
	cfg, err := c.AWSConfig(ctx, region)
	return cfg.Region, err
}

// client is the kind's client for region, made once by mk.
func client[T any](ctx context.Context, c *sdkClients, kind, region string, mk func(aws.Config) T) (T, error) {
	cfg, err := c.AWSConfig(ctx, region)
	if err != nil {
		var zero T
		return zero, err
	}
	key := kind + "/" + cfg.Region
	c.mu.Lock()
	defer c.mu.Unlock()
	if made, ok := c.made[key]; ok {
		return made.(T), nil
	}
	made := mk(cfg)
	c.made[key] = made
	return made, nil
}

func (c *sdkClients) ecs(ctx context.Context, region string) (*awsecs.Client, error) {
	return client(ctx, c, "ecs", region, func(cfg aws.Config) *awsecs.Client { return awsecs.NewFromConfig(cfg) })
}

func (c *sdkClients) ECS(ctx context.Context, region string) (ECSAPI, error) {
	return c.ecs(ctx, region)
}

func (c *sdkClients) Scheduler(ctx context.Context, region string) (scheduled.SchedulerAPI, error) {
	return client(ctx, c, "scheduler", region, func(cfg aws.Config) scheduled.SchedulerAPI { return scheduler.NewFromConfig(cfg) })
}

func (c *sdkClients) Events(ctx context.Context, region string) (scheduled.EventsAPI, error) {
	return client(ctx, c, "events", region, func(cfg aws.Config) scheduled.EventsAPI { return eventbridge.NewFromConfig(cfg) })
}

func (c *sdkClients) STS(ctx context.Context, region string) (scheduled.STSAPI, error) {
	return client(ctx, c, "sts", region, func(cfg aws.Config) scheduled.STSAPI { return sts.NewFromConfig(cfg) })
}

func (c *sdkClients) logs(ctx context.Context, region string) (*cloudwatchlogs.Client, error) {
	return client(ctx, c, "logs", region, func(cfg aws.Config) *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(cfg) })
}

func (c *sdkClients) Logs(ctx context.Context, region string) (ecs.LogsAPI, error) {
	return c.logs(ctx, region)
}

func (c *sdkClients) Verify(ctx context.Context, region string) (verify.Lookup, error) {
	return verify.AWS{Clients: verifyClients{c: c, region: region}}, nil
}

// verifyClients are verify's clients: the project's region unless a check
// names another.
type verifyClients struct {
	c      *sdkClients
	region string
}

func (v verifyClients) in(region string) string {
	if region == "" {
		return v.region
	}
	return region
}

func (v verifyClients) ECS(ctx context.Context, region string) (*awsecs.Client, error) {
	return v.c.ecs(ctx, v.in(region))
}

func (v verifyClients) Logs(ctx context.Context, region string) (*cloudwatchlogs.Client, error) {
	return v.c.logs(ctx, v.in(region))
}

func (v verifyClients) SSM(ctx context.Context, region string) (*ssm.Client, error) {
	return client(ctx, v.c, "ssm", v.in(region), func(cfg aws.Config) *ssm.Client { return ssm.NewFromConfig(cfg) })
}

func (v verifyClients) SecretsManager(ctx context.Context, region string) (*secretsmanager.Client, error) {
	return client(ctx, v.c, "secretsmanager", v.in(region), func(cfg aws.Config) *secretsmanager.Client { return secretsmanager.NewFromConfig(cfg) })
}

func (v verifyClients) S3(ctx context.Context, region string) (verify.S3API, error) {
	return client(ctx, v.c, "s3", v.in(region), func(cfg aws.Config) verify.S3API {
		return tfstate.NewHTTPS3(cfg, os.Getenv("AWS_ENDPOINT_URL_S3"), v.c.opts.Trace)
	})
}

func (v verifyClients) Call(ctx context.Context, svc awscall.Service, region string) (*awscall.Client, error) {
	return client(ctx, v.c, svc.ID, v.in(region), func(cfg aws.Config) *awscall.Client {
		return awscall.New(cfg, svc, "", v.c.opts.Trace)
	})
}
