package fakeaws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// TaskRun scripts how the fake's tasks of a family run: they stop after
// Polls descriptions, the first container (the one ECS lists first, an
// essential one) with ExitCode and the others with 0. The zero TaskRun
// stops on the first description with exit code 0.
type TaskRun struct {
	Polls    int   // DescribeTasks answers until the task is STOPPED; 0 or 1: the first
	ExitCode int32 // the first container's exit code
	// PullFails: the task stops without any exit code, its image not
	// pulled (stop code TaskFailedToStart).
	PullFails bool
	FailStart bool // RunTask answers a failure (no capacity) instead of tasks
	Hang      bool // the task keeps RUNNING
	// Health is the first container's health status at each RUNNING
	// description (the last one repeats): UNKNOWN, HEALTHY, UNHEALTHY.
	// The task's health status follows it.
	Health []types.HealthStatus
}

// SetTaskRun scripts the tasks RunTask starts from now on of family, or of
// every family without its own script when family is "".
func (f *ECS) SetTaskRun(family string, r TaskRun) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taskRuns[family] = r
}

// RunTaskInputs are the RunTask requests, oldest first (failed ones too).
func (f *ECS) RunTaskInputs() []*awsecs.RunTaskInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*awsecs.RunTaskInput(nil), f.runs...)
}

type taskState struct {
	task  types.Task
	run   TaskRun
	polls int
}

func (f *ECS) RunTask(ctx context.Context, in *awsecs.RunTaskInput, _ ...func(*awsecs.Options)) (*awsecs.RunTaskOutput, error) {
	err := f.enter(ctx, "RunTask")
	if ctx.Err() != nil {
		return nil, err // never sent
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs = append(f.runs, in) // recorded even when it fails
	if err != nil {
		return nil, err
	}
	td := f.lookupTaskDefinition(aws.ToString(in.TaskDefinition))
	if td == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "TaskDefinition not found."}
	}
	run, ok := f.taskRuns[aws.ToString(td.Family)]
	if !ok {
		run = f.taskRuns[""]
	}
	count := max(1, int(aws.ToInt32(in.Count)))
	out := &awsecs.RunTaskOutput{}
	if run.FailStart {
		for range count {
			out.Failures = append(out.Failures, types.Failure{Reason: aws.String("RESOURCE:MEMORY"), Detail: aws.String("no capacity")})
		}
		return out, nil
	}
	cluster := aws.ToString(in.Cluster)
	if cluster == "" {
		cluster = "default"
	}
	for range count {
		f.nextTask++
		arn := fmt.Sprintf("arn:aws:ecs:%s:%s:task/%s/%032x", Region, Account, cluster, f.nextTask)
		t := types.Task{
			TaskArn: aws.String(arn), ClusterArn: aws.String(fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/%s", Region, Account, cluster)),
			TaskDefinitionArn: td.TaskDefinitionArn, LastStatus: aws.String("PROVISIONING"), DesiredStatus: aws.String("RUNNING"),
			LaunchType: in.LaunchType, StartedBy: in.StartedBy, Group: in.Group, Overrides: in.Overrides, Tags: in.Tags,
			CreatedAt: aws.Time(f.now()),
		}
		bridged := td.NetworkMode == types.NetworkModeBridge || td.NetworkMode == types.NetworkModeHost
		if bridged {
			// Every bridge or host task of a cluster runs on its one
			// container instance.
			t.ContainerInstanceArn = aws.String(fmt.Sprintf("arn:aws:ecs:%s:%s:container-instance/%s/%032x", Region, Account, cluster, 1))
		}
		for _, c := range td.ContainerDefinitions {
			ct := types.Container{Name: c.Name, Image: c.Image, TaskArn: aws.String(arn), LastStatus: aws.String("PENDING")}
			if bridged {
				ct.NetworkBindings = bindings(td.NetworkMode, c.PortMappings, f.nextTask)
			}
			t.Containers = append(t.Containers, ct)
		}
		if nc := in.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
			// An ENI per task, with an address of its own.
			ip := fmt.Sprintf("10.0.%d.%d", f.nextTask/250, f.nextTask%250+1)
			t.Attachments = []types.Attachment{{Type: aws.String("ElasticNetworkInterface"), Status: aws.String("ATTACHED"), Details: []types.KeyValuePair{
				{Name: aws.String("networkInterfaceId"), Value: aws.String(fmt.Sprintf("eni-%08x", f.nextTask))},
				{Name: aws.String("privateIPv4Address"), Value: aws.String(ip)}}}}
		}
		f.tasks[arn] = &taskState{task: t, run: run}
		out.Tasks = append(out.Tasks, t)
	}
	return out, nil
}

// bindings are a bridge or host task's port bindings: host mode binds
// the container port; bridge the mapping's host port, else one of the
// ephemeral range, its own for each task.
func bindings(mode types.NetworkMode, mappings []types.PortMapping, task int) []types.NetworkBinding {
	var out []types.NetworkBinding
	for i, pm := range mappings {
		host := aws.ToInt32(pm.HostPort)
		switch {
		case mode == types.NetworkModeHost:
			host = aws.ToInt32(pm.ContainerPort)
		case host == 0:
			host = int32(32768 + 10*task + i)
		}
		out = append(out, types.NetworkBinding{ContainerPort: pm.ContainerPort, HostPort: aws.Int32(host),
			Protocol: types.TransportProtocolTcp, BindIP: aws.String("0.0.0.0")})
	}
	return out
}

// DescribeTasks moves each task one description along its script. Tasks
// are named by ARN or ID; an unknown one is a MISSING failure.
func (f *ECS) DescribeTasks(ctx context.Context, in *awsecs.DescribeTasksInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeTasksOutput, error) {
	if err := f.enter(ctx, "DescribeTasks"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &awsecs.DescribeTasksOutput{}
	for _, ref := range in.Tasks {
		ts := f.taskOf(ref)
		if ts == nil {
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(ref), Reason: aws.String("MISSING")})
			continue
		}
		f.advanceTask(ts)
		t := ts.task
		t.Containers = append([]types.Container(nil), ts.task.Containers...)
		out.Tasks = append(out.Tasks, t)
	}
	return out, nil
}

func (f *ECS) taskOf(ref string) *taskState {
	if ts, ok := f.tasks[ref]; ok {
		return ts
	}
	for arn, ts := range f.tasks {
		if strings.HasSuffix(arn, "/"+ref) {
			return ts
		}
	}
	return nil
}

func (f *ECS) advanceTask(ts *taskState) {
	t := &ts.task
	if aws.ToString(t.LastStatus) == "STOPPED" {
		return
	}
	ts.polls++
	if ts.run.Hang || ts.polls < ts.run.Polls {
		t.LastStatus = aws.String("RUNNING")
		for i := range t.Containers {
			t.Containers[i].LastStatus = aws.String("RUNNING")
		}
		if h := ts.run.Health; len(h) > 0 {
			status := h[min(ts.polls, len(h))-1]
			t.HealthStatus, t.Containers[0].HealthStatus = status, status
		}
		return
	}
	f.stopTask(ts, "Essential container in task exited", types.TaskStopCodeEssentialContainerExited)
}

// stopTask stops a task as ECS does when its essential container exits
// (the run's exit codes) or when asked to (reason given).
func (f *ECS) stopTask(ts *taskState, reason string, code types.TaskStopCode) {
	t := &ts.task
	now := f.now()
	t.LastStatus, t.DesiredStatus, t.StoppedAt = aws.String("STOPPED"), aws.String("STOPPED"), aws.Time(now)
	t.StoppedReason, t.StopCode = aws.String(reason), code
	if ts.run.PullFails {
		t.StoppedReason, t.StopCode = aws.String("CannotPullContainerError: pull image manifest has been retried"), types.TaskStopCodeTaskFailedToStart
	}
	for i := range t.Containers {
		c := &t.Containers[i]
		c.LastStatus = aws.String("STOPPED")
		switch {
		case ts.run.PullFails:
			c.ExitCode = nil
		case code == types.TaskStopCodeUserInitiated:
			c.ExitCode = aws.Int32(137) // killed after the stop timeout
		case i == 0:
			c.ExitCode = aws.Int32(ts.run.ExitCode)
		default:
			c.ExitCode = aws.Int32(0)
		}
	}
}

// StopTask stops a task at once; stopping a stopped task changes nothing.
func (f *ECS) StopTask(ctx context.Context, in *awsecs.StopTaskInput, _ ...func(*awsecs.Options)) (*awsecs.StopTaskOutput, error) {
	if err := f.enter(ctx, "StopTask"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.taskOf(aws.ToString(in.Task))
	if ts == nil {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "The referenced task was not found."}
	}
	if aws.ToString(ts.task.LastStatus) != "STOPPED" {
		reason := aws.ToString(in.Reason)
		if reason == "" {
			reason = "Task stopped by user"
		}
		f.stopTask(ts, reason, types.TaskStopCodeUserInitiated)
	}
	t := ts.task
	return &awsecs.StopTaskOutput{Task: &t}, nil
}

// RunningTasks are the ARNs of the tasks not STOPPED, oldest first.
func (f *ECS) RunningTasks() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var arns []string
	for arn, ts := range f.tasks {
		if aws.ToString(ts.task.LastStatus) != "STOPPED" {
			arns = append(arns, arn)
		}
	}
	slices.Sort(arns) // ARNs end in a counter
	return arns
}

// DescribeContainerInstances answers each container instance as running
// on an EC2 instance of its own: i- and the instance ARN's ID.
func (f *ECS) DescribeContainerInstances(ctx context.Context, in *awsecs.DescribeContainerInstancesInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeContainerInstancesOutput, error) {
	if err := f.enter(ctx, "DescribeContainerInstances"); err != nil {
		return nil, err
	}
	out := &awsecs.DescribeContainerInstancesOutput{}
	for _, arn := range in.ContainerInstances {
		out.ContainerInstances = append(out.ContainerInstances, types.ContainerInstance{ContainerInstanceArn: aws.String(arn),
			Ec2InstanceId: aws.String("i-" + arn[strings.LastIndexByte(arn, '/')+1:]), Status: aws.String("ACTIVE")})
	}
	return out, nil
}
