package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// RunCmd runs a one-off task (a migration, say) and exits with its code.
type RunCmd struct {
	TaskDefinition string            `placeholder:"NAME|FAMILY[:REV]" help:"The task definition: a config name (registered idempotently), a family or family:revision."`
	Service        string            `placeholder:"NAME" help:"Run the task definition of this config service, with its network configuration, launch type, capacity providers and platform version."`
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
	defs, err := ecs.Load(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
	if err != nil {
		return invalidInput{err}
	}
	in := &awsecs.RunTaskInput{Cluster: aws.String(clusterOf(p.Cluster)), Count: aws.Int32(c.Count), StartedBy: aws.String("tamp")}
	for k, v := range c.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	ref := c.TaskDefinition
	if c.Service != "" {
		svc := findService(defs, c.Service)
		if svc == nil {
			return invalidInput{fmt.Errorf("--service: no service named %s in %s", c.Service, p.Path)}
		}
		ref = svc.Name
		if s := svc.Input; s != nil {
			in.LaunchType, in.CapacityProviderStrategy, in.PlatformVersion = s.LaunchType, s.CapacityProviderStrategy, s.PlatformVersion
			in.NetworkConfiguration, in.PlacementConstraints = s.NetworkConfiguration, s.PlacementConstraints
		}
	}
	if c.OverridesFile != "" {
		if in.Overrides, err = readOverrides(c.OverridesFile); err != nil {
			return invalidInput{err}
		}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return err
	}
	api := awsecs.NewFromConfig(cfg)
	arn, containers, err := runnableRevision(ctx, api, defs, ref)
	if err != nil {
		return err
	}
	in.TaskDefinition = aws.String(arn)
	watch := c.WatchContainer
	if watch == "" {
		watch = firstEssential(containers)
	}
	if c.Command != "" {
		words, err := commandWords(c.Command)
		if err != nil {
			return usageError{err}
		}
		target := c.Container
		if target == "" {
			target = watch
		}
		setCommand(in, target, words)
	}
	return a.runAndFollow(ctx, api, in, containers, watch, p.Region, c.NoWait)
}

// runAndFollow runs the task(s), prints the ARN (on stdout with noWait,
// where it is the command's result), follows the watched container's log
// on stdout, and returns its exit as the command's.
func (a *app) runAndFollow(ctx context.Context, api ecs.RunAPI, in *awsecs.RunTaskInput, containers []types.ContainerDefinition, watch, region string, noWait bool) error {
	var follower *ecs.LogFollower
	tried := false // the follower is made once, and kept (with its place) across errors
	runner := &ecs.Runner{API: api,
		Started: func(arns []string) {
			for _, arn := range arns {
				if noWait {
					fmt.Fprintln(a.stdout, arn)
				} else {
					fmt.Fprintf(a.stderr, "started %s\n", arn)
				}
			}
		},
		Polled: func(ctx context.Context, tasks []types.Task) {
			if !tried && len(tasks) > 0 {
				tried = true
				follower = a.logFollower(ctx, containers, watch, aws.ToString(tasks[0].TaskArn), region)
			}
			if follower != nil {
				if err := follower.Poll(ctx); err != nil {
					fmt.Fprintf(a.stderr, "logs: %v (retrying)\n", err)
				}
			}
		},
	}
	_, err := runner.Run(ctx, in, watch, noWait)
	if follower != nil {
		_ = follower.Poll(ctx) // the last lines written as it stopped
	}
	return err
}

func findService(defs *ecs.Definitions, name string) *ecs.Service {
	for _, s := range defs.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// runnableRevision resolves what to run: a config task definition is
// registered (idempotently); anything else is described.
func runnableRevision(ctx context.Context, api *awsecs.Client, defs *ecs.Definitions, ref string) (string, []types.ContainerDefinition, error) {
	if td := findTaskDefinition(defs, ref); td != nil {
		results, err := ecs.Register(ctx, api, []*ecs.TaskDefinition{td}, false)
		if err != nil {
			return "", nil, err
		}
		// The file's container order, for "the first essential one".
		var containers []types.ContainerDefinition
		for _, name := range td.Containers {
			for _, cd := range td.Input.ContainerDefinitions {
				if aws.ToString(cd.Name) == name {
					containers = append(containers, cd)
				}
			}
		}
		return results[0].ARN, containers, nil
	}
	out, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		return "", nil, fmt.Errorf("--task-definition %s: neither a config task definition nor one in ECS: %w", ref, err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), out.TaskDefinition.ContainerDefinitions, nil
}

func firstEssential(containers []types.ContainerDefinition) string {
	for _, c := range containers {
		if c.Essential == nil || *c.Essential {
			return aws.ToString(c.Name)
		}
	}
	if len(containers) > 0 {
		return aws.ToString(containers[0].Name)
	}
	return ""
}

func setCommand(in *awsecs.RunTaskInput, container string, words []string) {
	if in.Overrides == nil {
		in.Overrides = &types.TaskOverride{}
	}
	i := slices.IndexFunc(in.Overrides.ContainerOverrides, func(o types.ContainerOverride) bool { return aws.ToString(o.Name) == container })
	if i < 0 {
		in.Overrides.ContainerOverrides = append(in.Overrides.ContainerOverrides, types.ContainerOverride{Name: aws.String(container)})
		i = len(in.Overrides.ContainerOverrides) - 1
	}
	in.Overrides.ContainerOverrides[i].Command = words
}

func readOverrides(path string) (*types.TaskOverride, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--overrides-file: %w", err)
	}
	v, err := awsjson.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("%s: not JSON: %w", path, err)
	}
	var o types.TaskOverride
	if err := awsjson.Decode(v, &o); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &o, nil
}

// logFollower follows the watched container's awslogs stream, or says why
// it cannot.
func (a *app) logFollower(ctx context.Context, containers []types.ContainerDefinition, watch, taskArn, projectRegion string) *ecs.LogFollower {
	for _, cd := range containers {
		if aws.ToString(cd.Name) != watch {
			continue
		}
		group, region, stream, ok := ecs.AwslogsStream(cd, taskArn)
		if region == "" {
			region = projectRegion
		}
		if !ok {
			fmt.Fprintf(a.stderr, "logs: container %s does not log with awslogs and a stream prefix; not following its log\n", watch)
			return nil
		}
		cfg, err := a.awsConfigFor(ctx, region)
		if err != nil {
			fmt.Fprintf(a.stderr, "logs: %v\n", err)
			return nil
		}
		return &ecs.LogFollower{API: cloudwatchlogs.NewFromConfig(cfg), Group: group, Stream: stream,
			Print: func(line string) { fmt.Fprintln(a.stdout, line) }}
	}
	return nil
}
