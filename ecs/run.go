package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// RunAPI is the part of ECS that running a one-off task uses.
type RunAPI interface {
	RunTask(ctx context.Context, in *awsecs.RunTaskInput, optFns ...func(*awsecs.Options)) (*awsecs.RunTaskOutput, error)
	DescribeTasks(ctx context.Context, in *awsecs.DescribeTasksInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTasksOutput, error)
}

var _ RunAPI = (*awsecs.Client)(nil)

// ContainerExitError is a watched container that stopped with a non-zero
// exit code; tamp exits with that code.
type ContainerExitError struct {
	Task      string
	Container string
	Code      int32
}

func (e *ContainerExitError) Error() string {
	return fmt.Sprintf("task %s: container %s exited with code %d", revisionOf(e.Task), e.Container, e.Code)
}

// Runner starts tasks and follows them until they stop.
type Runner struct {
	API   RunAPI
	Clock Clock
	// First and Max bound the pause between polls, as for Waiter.
	First, Max time.Duration
	// Started is told the task ARNs once they are started.
	Started func(arns []string)
	// Polled is called after each description of the tasks (following
	// their logs, say), the last one when they have stopped.
	Polled func(ctx context.Context, tasks []types.Task)
}

// Run starts the task(s) and, unless noWait, waits until they stop. The
// result is nil when the watched container (by name; "" for the first
// essential one) of every task exited 0, a *ContainerExitError with the
// first non-zero code otherwise, or an error saying why a task did not run.
func (r *Runner) Run(ctx context.Context, in *awsecs.RunTaskInput, watch string, noWait bool) ([]string, error) {
	out, err := r.API.RunTask(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("run task %s: %w", aws.ToString(in.TaskDefinition), err)
	}
	var arns []string
	for _, t := range out.Tasks {
		arns = append(arns, aws.ToString(t.TaskArn))
	}
	if r.Started != nil && len(arns) > 0 {
		r.Started(arns) // even when some failed: these run
	}
	if len(out.Failures) > 0 {
		var reasons []string
		for _, f := range out.Failures {
			reasons = append(reasons, aws.ToString(f.Reason)+" "+aws.ToString(f.Detail))
		}
		return arns, fmt.Errorf("run task %s: %d of %d failed to start: %s", aws.ToString(in.TaskDefinition),
			len(out.Failures), len(out.Failures)+len(arns), strings.TrimSpace(strings.Join(reasons, "; ")))
	}
	if noWait || len(arns) == 0 {
		return arns, nil
	}
	clock := r.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	interval, maxInterval := (&Waiter{First: r.First, Max: r.Max}).intervals()
	for first := true; ; first = false {
		if !first {
			if err := clock.Sleep(ctx, interval); err != nil {
				return arns, fmt.Errorf("stopped waiting for %s; the task goes on: %w", strings.Join(arns, ", "), err)
			}
			interval = min(interval*3/2, maxInterval)
		}
		desc, err := r.API.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: in.Cluster, Tasks: arns})
		if err != nil {
			return arns, fmt.Errorf("follow task: %w", err)
		}
		if r.Polled != nil {
			r.Polled(ctx, desc.Tasks)
		}
		if !allStopped(desc.Tasks, len(arns)) {
			continue
		}
		return arns, exitOf(desc.Tasks, watch)
	}
}

func allStopped(tasks []types.Task, want int) bool {
	if len(tasks) < want {
		return false
	}
	for _, t := range tasks {
		if aws.ToString(t.LastStatus) != "STOPPED" {
			return false
		}
	}
	return true
}

// exitOf judges stopped tasks by their watched container.
func exitOf(tasks []types.Task, watch string) error {
	var errs []error
	for _, t := range tasks {
		c := watched(t, watch)
		switch {
		case c == nil:
			errs = append(errs, fmt.Errorf("task %s: no container %q", aws.ToString(t.TaskArn), watch))
		case c.ExitCode == nil:
			reason := aws.ToString(t.StoppedReason)
			if r := aws.ToString(c.Reason); r != "" {
				reason += ": " + r
			}
			errs = append(errs, fmt.Errorf("task %s: container %s has no exit code: %s (%s)", aws.ToString(t.TaskArn), aws.ToString(c.Name), reason, t.StopCode))
		case *c.ExitCode != 0:
			errs = append(errs, &ContainerExitError{Task: aws.ToString(t.TaskArn), Container: aws.ToString(c.Name), Code: *c.ExitCode})
		}
	}
	return errors.Join(errs...)
}

// watched is the container whose exit code counts: by name, else the
// first one (ECS lists an essential container first for a one-container
// task; name the container for others).
func watched(t types.Task, name string) *types.Container {
	for i := range t.Containers {
		if name == "" || aws.ToString(t.Containers[i].Name) == name {
			return &t.Containers[i]
		}
	}
	return nil
}
