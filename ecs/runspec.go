package ecs

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// FindTaskDefinition is the config task definition (or service's) by name.
func (d *Definitions) FindTaskDefinition(name string) *TaskDefinition {
	for _, td := range d.TaskDefinitions {
		if td.Name == name {
			return td
		}
	}
	return nil
}

// FindService is the config service by name.
func (d *Definitions) FindService(name string) *Service {
	for _, s := range d.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Runnable resolves what a one-off task runs: a config task definition is
// registered (idempotently), so the task runs what a deploy would; any
// other reference (family, family:revision, ARN) is described. The
// containers come in the file's order, for "the first essential one".
func Runnable(ctx context.Context, api API, defs *Definitions, ref string) (string, []types.ContainerDefinition, error) {
	if td := defs.FindTaskDefinition(ref); td != nil {
		results, err := Register(ctx, api, []*TaskDefinition{td}, false)
		if err != nil {
			return "", nil, err
		}
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
		return "", nil, fmt.Errorf("task definition %s: neither a config task definition nor one in ECS: %w", ref, err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), out.TaskDefinition.ContainerDefinitions, nil
}

// FirstEssential is the container a one-off task is watched by when none is
// named: the first essential one, else the first.
func FirstEssential(containers []types.ContainerDefinition) string {
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

// setCommand overrides one container's command in a RunTask request.
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

// ReadOverrides reads a TaskOverride JSON file (run --overrides-file),
// strictly: an unknown field is an error naming it.
func ReadOverrides(path string) (*types.TaskOverride, error) {
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

// RunSpec is a one-off task to run (tamp run).
type RunSpec struct {
	// TaskDefinition is a config name, a family or family:revision; or
	// Service names a config service whose task definition runs where the
	// service's tasks do (launch type, capacity providers, platform
	// version, network, placement).
	TaskDefinition, Service string
	Cluster                 string
	Count                   int32
	Tags                    map[string]string
	Overrides               *types.TaskOverride
	// Command replaces Container's command (default: the watched one).
	Command   []string
	Container string
	// Watch is the container whose exit counts (default: the first
	// essential one).
	Watch string
	// Revision, when set, is the revision (an ARN) to run in place of the
	// config's, which is then not registered: a deploy's pre-deploy task
	// runs the revision the deploy is about to deploy.
	Revision string
}

// Prepare resolves the revision to run (a config task definition is
// registered, idempotently) and builds the RunTask request, returning it
// with the revision's containers and the container to watch.
func (s RunSpec) Prepare(ctx context.Context, api API, defs *Definitions) (*awsecs.RunTaskInput, []types.ContainerDefinition, string, error) {
	in := &awsecs.RunTaskInput{Cluster: aws.String(s.Cluster), Count: aws.Int32(s.Count), StartedBy: aws.String("tamp"), Overrides: s.Overrides}
	for k, v := range s.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	ref := s.TaskDefinition
	if svc := defs.FindService(s.Service); s.Service != "" {
		if svc == nil {
			return nil, nil, "", fmt.Errorf("no service named %s in the config", s.Service)
		}
		ref = svc.Name
		if si := svc.Input; si != nil {
			in.LaunchType, in.CapacityProviderStrategy, in.PlatformVersion = si.LaunchType, si.CapacityProviderStrategy, si.PlatformVersion
			in.NetworkConfiguration, in.PlacementConstraints = si.NetworkConfiguration, si.PlacementConstraints
		}
	}
	if s.Revision != "" {
		ref = s.Revision
	}
	arn, containers, err := Runnable(ctx, api, defs, ref)
	if err != nil {
		return nil, nil, "", err
	}
	in.TaskDefinition = aws.String(arn)
	watch := s.Watch
	if watch == "" {
		watch = FirstEssential(containers)
	}
	if s.Command != nil {
		target := s.Container
		if target == "" {
			target = watch
		}
		setCommand(in, target, s.Command)
	}
	return in, containers, watch, nil
}

// TaskRun runs one-off tasks and follows the watched container's awslogs
// stream while they run.
type TaskRun struct {
	API RunAPI
	// Logs hands out a CloudWatch Logs client for a region ("" is the
	// project's).
	Logs func(ctx context.Context, region string) (LogsAPI, error)
	// Started is told the tasks' ARNs; Line each log line; Note what keeps
	// the log from being followed.
	Started func(arns []string)
	Line    func(string)
	Note    func(string)
	Clock   Clock
}

// Run starts the task(s) and, unless noWait, waits until they stop,
// following the watched container's log, and returns its exit as the
// error (*ContainerExitError for a non-zero exit).
func (r *TaskRun) Run(ctx context.Context, in *awsecs.RunTaskInput, containers []types.ContainerDefinition, watch string, noWait bool) error {
	var follower *LogFollower
	tried := false // made once, and kept (with its place) across errors
	runner := &Runner{API: r.API, Started: r.Started, Clock: r.Clock,
		Polled: func(ctx context.Context, tasks []types.Task) {
			if !tried && len(tasks) > 0 {
				tried = true
				follower = r.follower(ctx, containers, watch, aws.ToString(tasks[0].TaskArn))
			}
			if follower != nil {
				if err := follower.Poll(ctx); err != nil {
					r.Note(fmt.Sprintf("logs: %v (retrying)", err))
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

// follower follows the watched container's awslogs stream, or says why it
// cannot.
func (r *TaskRun) follower(ctx context.Context, containers []types.ContainerDefinition, watch, taskArn string) *LogFollower {
	for _, cd := range containers {
		if aws.ToString(cd.Name) != watch {
			continue
		}
		group, region, stream, ok := AwslogsStream(cd, taskArn)
		if !ok {
			r.Note(fmt.Sprintf("logs: container %s does not log with awslogs and a stream prefix; not following its log", watch))
			return nil
		}
		api, err := r.Logs(ctx, region)
		if err != nil {
			r.Note(fmt.Sprintf("logs: %v", err))
			return nil
		}
		return &LogFollower{API: api, Group: group, Stream: stream, Print: r.Line}
	}
	return nil
}
