// Package clients is the one seam between tamp's commands and AWS: the
// Set of clients a command uses, and SDK, which makes the SDK's clients
// (and tamp's own signed callers) from one SDK configuration per region.
// Command tests hand in fakes instead.
package clients

import (
	"context"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awscall"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/scheduled"
	"github.com/tamp-ecs/tamp/tfstate"
	"github.com/tamp-ecs/tamp/verify"
)

// Set is every client a command uses, for a region ("" for the SDK's
// default).
type Set interface {
	// Region is the region the clients for region talk to.
	Region(ctx context.Context, region string) (string, error)
	ECS(ctx context.Context, region string) (ECSAPI, error)
	Scheduler(ctx context.Context, region string) (scheduled.SchedulerAPI, error)
	Events(ctx context.Context, region string) (scheduled.EventsAPI, error)
	STS(ctx context.Context, region string) (scheduled.STSAPI, error)
	Logs(ctx context.Context, region string) (ecs.LogsAPI, error)
	// CodeDeploy deploys CODE_DEPLOY services.
	CodeDeploy(ctx context.Context, region string) (appspec.CodeDeployAPI, error)
	// Scaling reads and changes the services' Application Auto Scaling
	// targets.
	Scaling(ctx context.Context, region string) (ecs.ScalingAPI, error)
	// Targets registers canaries in target groups (Elastic Load
	// Balancing, on tamp's signed caller).
	Targets(ctx context.Context, region string) (ecs.TargetsAPI, error)
	// Verify answers verify's questions (ECS, IAM, ECR, logs, SSM,
	// Secrets Manager, S3, ELBv2, EC2) for the project's region.
	Verify(ctx context.Context, region string) (verify.Lookup, error)
	// AWSConfig is the SDK configuration the config's plugins (tfstate,
	// ssm, secretsmanager) read values with.
	AWSConfig(ctx context.Context, region string) (aws.Config, error)
}

// PluginAPIs is what a Set answers the config's ssm and secretsmanager
// functions with, when it answers them itself (command tests' fakes). The
// SDK Set does not: the plugins make SDK clients from AWSConfig, for the
// region each plugin names.
type PluginAPIs interface {
	SSM() config.SSMAPI
	SecretsManager() config.SecretsManagerAPI
}

// ECSAPI is what the commands use of ECS: deploys, one-off tasks and the
// day-2 operations.
type ECSAPI interface {
	ecs.API
	ecs.RunAPI
	ecs.CanaryAPI
	ecs.OperationsAPI
}

var _ ECSAPI = (*awsecs.Client)(nil)

// SDK makes the SDK's clients, sharing one SDK configuration per region.
type SDK struct{ configs *awsclient.Configs }

var _ Set = (*SDK)(nil)

// NewSDK makes clients that assume assumeRoleArn (when set) and trace every
// call on trace (when not nil).
func NewSDK(assumeRoleArn string, trace io.Writer) *SDK {
	return &SDK{configs: &awsclient.Configs{Options: awsclient.Options{AssumeRoleArn: assumeRoleArn, Trace: trace}}}
}

func (c *SDK) AWSConfig(ctx context.Context, region string) (aws.Config, error) {
	return c.configs.For(ctx, region)
}

func (c *SDK) Region(ctx context.Context, region string) (string, error) {
	cfg, err := c.configs.For(ctx, region)
	return cfg.Region, err
}

// client is the kind's client for region, made once by mk.
func client[T any](ctx context.Context, c *SDK, kind, region string, mk func(aws.Config) T) (T, error) {
	return awsclient.Client(ctx, c.configs, kind, region, mk)
}

func (c *SDK) ecs(ctx context.Context, region string) (*awsecs.Client, error) {
	return client(ctx, c, "ecs", region, func(cfg aws.Config) *awsecs.Client { return awsecs.NewFromConfig(cfg) })
}

func (c *SDK) ECS(ctx context.Context, region string) (ECSAPI, error) {
	return c.ecs(ctx, region)
}

func (c *SDK) Scheduler(ctx context.Context, region string) (scheduled.SchedulerAPI, error) {
	return client(ctx, c, "scheduler", region, func(cfg aws.Config) scheduled.SchedulerAPI { return scheduler.NewFromConfig(cfg) })
}

func (c *SDK) Events(ctx context.Context, region string) (scheduled.EventsAPI, error) {
	return client(ctx, c, "events", region, func(cfg aws.Config) scheduled.EventsAPI { return eventbridge.NewFromConfig(cfg) })
}

func (c *SDK) STS(ctx context.Context, region string) (scheduled.STSAPI, error) {
	return client(ctx, c, "sts", region, func(cfg aws.Config) scheduled.STSAPI { return sts.NewFromConfig(cfg) })
}

func (c *SDK) logs(ctx context.Context, region string) (*cloudwatchlogs.Client, error) {
	return client(ctx, c, "logs", region, func(cfg aws.Config) *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(cfg) })
}

func (c *SDK) Logs(ctx context.Context, region string) (ecs.LogsAPI, error) {
	return c.logs(ctx, region)
}

func (c *SDK) CodeDeploy(ctx context.Context, region string) (appspec.CodeDeployAPI, error) {
	return client(ctx, c, "codedeploy", region, func(cfg aws.Config) *codedeploy.Client { return codedeploy.NewFromConfig(cfg) })
}

func (c *SDK) Scaling(ctx context.Context, region string) (ecs.ScalingAPI, error) {
	return client(ctx, c, "application-autoscaling", region, func(cfg aws.Config) ecs.ScalingAPI { return applicationautoscaling.NewFromConfig(cfg) })
}

func (c *SDK) Targets(ctx context.Context, region string) (ecs.TargetsAPI, error) {
	return client(ctx, c, "elbv2-targets", region, func(cfg aws.Config) ecs.TargetsAPI {
		return ecs.ELBTargets{Caller: awscall.New(cfg, awscall.ELBv2, "", c.configs.Options.Trace)}
	})
}

func (c *SDK) Verify(ctx context.Context, region string) (verify.Lookup, error) {
	return verify.AWS{Clients: verifyClients{c: c, region: region}}, nil
}

// verifyClients are verify's clients: the project's region unless a check
// names another.
type verifyClients struct {
	c      *SDK
	region string
}

func (v verifyClients) in(region string) string {
	if region == "" {
		return v.region
	}
	return region
}

func (v verifyClients) ECS(ctx context.Context, region string) (verify.ECSAPI, error) {
	return v.c.ecs(ctx, v.in(region))
}

func (v verifyClients) Logs(ctx context.Context, region string) (verify.LogsAPI, error) {
	return v.c.logs(ctx, v.in(region))
}

func (v verifyClients) SSM(ctx context.Context, region string) (verify.SSMAPI, error) {
	return client(ctx, v.c, "ssm", v.in(region), func(cfg aws.Config) verify.SSMAPI { return ssm.NewFromConfig(cfg) })
}

func (v verifyClients) SecretsManager(ctx context.Context, region string) (verify.SecretsManagerAPI, error) {
	return client(ctx, v.c, "secretsmanager", v.in(region), func(cfg aws.Config) verify.SecretsManagerAPI {
		return secretsmanager.NewFromConfig(cfg)
	})
}

func (v verifyClients) S3(ctx context.Context, region string) (verify.S3API, error) {
	return client(ctx, v.c, "s3", v.in(region), func(cfg aws.Config) verify.S3API {
		return tfstate.NewHTTPS3(cfg, os.Getenv("AWS_ENDPOINT_URL_S3"), v.c.configs.Options.Trace)
	})
}

func (v verifyClients) Call(ctx context.Context, svc awscall.Service, region string) (verify.Caller, error) {
	return client(ctx, v.c, svc.ID, v.in(region), func(cfg aws.Config) verify.Caller {
		return awscall.New(cfg, svc, "", v.c.configs.Options.Trace)
	})
}
