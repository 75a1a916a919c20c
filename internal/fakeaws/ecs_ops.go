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

// The day-2 operations: deleting revisions and services, the tasks a
// service runs, ECS Exec.
//
// A service's tasks are kept in step with its deployments whenever tasks
// are listed: each deployment runs as many tasks of its revision as its
// running count, started by the deployment's ID in the group
// service:NAME; tasks beyond that, or of a deployment that is gone, are
// stopped by the service scheduler, as ECS stops them after a rollout.
// Tasks seeded with AddTask are left as they are.

// DeletedTaskDefinitions are the ARNs DeleteTaskDefinitions deleted, in
// order.
func (f *ECS) DeletedTaskDefinitions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deleted...)
}

// DeleteTaskDefinitions deletes INACTIVE revisions, at most 10 a call; an
// ACTIVE or unknown one is a failure, as ECS answers.
func (f *ECS) DeleteTaskDefinitions(ctx context.Context, in *awsecs.DeleteTaskDefinitionsInput, _ ...func(*awsecs.Options)) (*awsecs.DeleteTaskDefinitionsOutput, error) {
	if err := f.enter(ctx, "DeleteTaskDefinitions"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(in.TaskDefinitions) == 0 || len(in.TaskDefinitions) > 10 {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "Size of TaskDefinition references list must be between 1 and 10."}
	}
	out := &awsecs.DeleteTaskDefinitionsOutput{}
	for _, ref := range in.TaskDefinitions {
		td := f.lookupTaskDefinition(ref)
		switch {
		case td == nil || !strings.Contains(shortRef(ref), ":"):
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(ref), Reason: aws.String("The specified task definition does not exist.")})
		case td.Status == types.TaskDefinitionStatusActive:
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(ref), Reason: aws.String("The specified task definition is still in ACTIVE status. Please deregister the target and try again.")})
		case td.Status == types.TaskDefinitionStatusDeleteInProgress:
			out.TaskDefinitions = append(out.TaskDefinitions, *td)
		default:
			td.Status = types.TaskDefinitionStatusDeleteInProgress
			f.deleted = append(f.deleted, aws.ToString(td.TaskDefinitionArn))
			out.TaskDefinitions = append(out.TaskDefinitions, *td)
		}
	}
	return out, nil
}

// shortRef is family:revision (or family) of a task definition ARN or
// reference.
func shortRef(ref string) string {
	if i := strings.LastIndex(ref, "task-definition/"); i >= 0 {
		return ref[i+len("task-definition/"):]
	}
	return ref
}

// DeleteService deletes a service scaled to 0 (or any, with Force): it is
// DRAINING until its next description, then INACTIVE, as ECS stops its
// tasks first.
func (f *ECS) DeleteService(ctx context.Context, in *awsecs.DeleteServiceInput, _ ...func(*awsecs.Options)) (*awsecs.DeleteServiceOutput, error) {
	if err := f.enter(ctx, "DeleteService"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.svcs[lastPart(aws.ToString(in.Service))]
	if !ok || aws.ToString(st.svc.Status) == "INACTIVE" {
		return nil, &types.ServiceNotFoundException{Message: aws.String("Service not found.")}
	}
	if st.svc.DesiredCount > 0 && !aws.ToBool(in.Force) {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "The service cannot be stopped while it is scaled above 0."}
	}
	st.svc.Status, st.svc.DesiredCount = aws.String("DRAINING"), 0
	for _, d := range st.deployments {
		d.d.DesiredCount = 0
	}
	svc := st.snapshot()
	return &awsecs.DeleteServiceOutput{Service: &svc}, nil
}

// lastPart is the last part of an ARN (a service's name), or ref.
func lastPart(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

// drain ends a deleted service: the description after DeleteService
// shows it INACTIVE, its tasks stopped. (ECS keeps it DRAINING while its
// tasks stop; the fake's stop at once.)
func drain(st *serviceState) {
	if aws.ToString(st.svc.Status) != "DRAINING" {
		return
	}
	st.svc.Status = aws.String("INACTIVE")
	st.svc.RunningCount, st.svc.PendingCount = 0, 0
	for _, d := range st.deployments {
		d.d.RunningCount, d.d.PendingCount = 0, 0
	}
}

// AddTask stores a task as it is (a RUNNING one keeps running, a STOPPED
// one stays stopped): one started before the test began.
func (f *ECS) AddTask(t types.Task) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks[aws.ToString(t.TaskArn)] = &taskState{task: t, run: TaskRun{Hang: true}}
}

// Task is the task (by ARN or ID) as it is now, and whether it exists.
func (f *ECS) Task(ref string) (types.Task, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.taskOf(ref)
	if ts == nil {
		return types.Task{}, false
	}
	return ts.task, true
}

// ListTasks lists the cluster's tasks, newest first, filtered as ECS
// filters: by service (its group), family, startedBy and desired status
// (RUNNING when not given).
func (f *ECS) ListTasks(ctx context.Context, in *awsecs.ListTasksInput, _ ...func(*awsecs.Options)) (*awsecs.ListTasksOutput, error) {
	if err := f.enter(ctx, "ListTasks"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.serviceTasks()
	cluster := lastPart(aws.ToString(in.Cluster))
	if cluster == "" {
		cluster = "default"
	}
	wantStatus := string(in.DesiredStatus)
	if wantStatus == "" {
		wantStatus = "RUNNING"
	}
	var found []*taskState
	for _, ts := range f.tasks {
		t := ts.task
		switch {
		case lastPart(aws.ToString(t.ClusterArn)) != cluster,
			aws.ToString(t.DesiredStatus) != wantStatus,
			in.ServiceName != nil && aws.ToString(t.Group) != "service:"+aws.ToString(in.ServiceName),
			in.StartedBy != nil && aws.ToString(t.StartedBy) != aws.ToString(in.StartedBy),
			in.Family != nil && !strings.HasPrefix(shortRef(aws.ToString(t.TaskDefinitionArn)), aws.ToString(in.Family)+":"):
			continue
		}
		found = append(found, ts)
	}
	slices.SortFunc(found, func(a, b *taskState) int {
		if c := aws.ToTime(b.task.CreatedAt).Compare(aws.ToTime(a.task.CreatedAt)); c != 0 {
			return c
		}
		return strings.Compare(aws.ToString(b.task.TaskArn), aws.ToString(a.task.TaskArn))
	})
	out := &awsecs.ListTasksOutput{}
	for _, ts := range found {
		out.TaskArns = append(out.TaskArns, aws.ToString(ts.task.TaskArn))
	}
	return out, nil
}

// serviceTasks keeps every service's tasks in step with its deployments.
func (f *ECS) serviceTasks() {
	for _, name := range slicesSortedKeys(f.svcs) {
		st := f.svcs[name]
		group := "service:" + name
		cluster := clusterOfService(aws.ToString(st.svc.ServiceArn))
		running := map[string][]*taskState{} // by deployment ID
		for _, arn := range slicesSortedKeys(f.tasks) {
			ts := f.tasks[arn]
			if f.managed[arn] && aws.ToString(ts.task.Group) == group && aws.ToString(ts.task.DesiredStatus) == "RUNNING" {
				running[aws.ToString(ts.task.StartedBy)] = append(running[aws.ToString(ts.task.StartedBy)], ts)
			}
		}
		for _, d := range st.deployments {
			id := aws.ToString(d.d.Id)
			have := running[id]
			delete(running, id)
			for n := len(have); n < int(d.d.RunningCount); n++ {
				f.startServiceTask(st, cluster, d)
			}
			if extra := len(have) - int(d.d.RunningCount); extra > 0 {
				for _, ts := range have[len(have)-extra:] {
					f.stopTask(ts, fmt.Sprintf("Scaling activity initiated by (deployment %s)", id), types.TaskStopCodeServiceSchedulerInitiated)
				}
			}
		}
		for id, gone := range running {
			for _, ts := range gone {
				f.stopTask(ts, fmt.Sprintf("Scaling activity initiated by (deployment %s)", id), types.TaskStopCodeServiceSchedulerInitiated)
			}
		}
	}
}

func slicesSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// clusterOfService is the cluster name in a service ARN
// (arn:...:service/CLUSTER/NAME).
func clusterOfService(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return "default"
}

// startServiceTask starts one task of a deployment: RUNNING at once, in
// one of two zones by turns, with an address of its own.
func (f *ECS) startServiceTask(st *serviceState, cluster string, d *fakeDeployment) {
	f.nextTask++
	n := f.nextTask
	arn := fmt.Sprintf("arn:aws:ecs:%s:%s:task/%s/%032x", Region, Account, cluster, n)
	now := f.now()
	t := types.Task{
		TaskArn: aws.String(arn), ClusterArn: aws.String(fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/%s", Region, Account, cluster)),
		TaskDefinitionArn: d.d.TaskDefinition, LastStatus: aws.String("RUNNING"), DesiredStatus: aws.String("RUNNING"),
		LaunchType: st.svc.LaunchType, StartedBy: d.d.Id, Group: aws.String("service:" + aws.ToString(st.svc.ServiceName)),
		AvailabilityZone: aws.String(Region + []string{"a", "c"}[n%2]), CreatedAt: aws.Time(now), StartedAt: aws.Time(now),
		EnableExecuteCommand: st.svc.EnableExecuteCommand, HealthStatus: types.HealthStatusUnknown,
		Attachments: []types.Attachment{{Type: aws.String("ElasticNetworkInterface"), Status: aws.String("ATTACHED"),
			Details: []types.KeyValuePair{{Name: aws.String("privateIPv4Address"), Value: aws.String(fmt.Sprintf("10.0.%d.%d", n%2+1, 10+n%240))}}}},
	}
	if td := f.lookupTaskDefinition(aws.ToString(d.d.TaskDefinition)); td != nil {
		for i, c := range td.ContainerDefinitions {
			health := types.HealthStatusUnknown
			if c.HealthCheck != nil {
				health = types.HealthStatusHealthy
				if c.Essential == nil || *c.Essential {
					t.HealthStatus = types.HealthStatusHealthy
				}
			}
			t.Containers = append(t.Containers, types.Container{Name: c.Name, Image: c.Image, TaskArn: aws.String(arn),
				LastStatus: aws.String("RUNNING"), HealthStatus: health, RuntimeId: aws.String(fmt.Sprintf("%032x-%d", n, 1000+i)),
				ContainerArn: aws.String(fmt.Sprintf("arn:aws:ecs:%s:%s:container/%s/%032x/%s", Region, Account, cluster, n, aws.ToString(c.Name)))})
		}
	}
	f.tasks[arn] = &taskState{task: t, run: TaskRun{Hang: true}}
	if f.managed == nil {
		f.managed = map[string]bool{}
	}
	f.managed[arn] = true
}

// StoppedTasks are the tasks stopped by StopTask (stop code
// UserInitiated), by ARN, sorted.
func (f *ECS) StoppedTasks() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var arns []string
	for arn, ts := range f.tasks {
		if ts.task.StopCode == types.TaskStopCodeUserInitiated {
			arns = append(arns, arn)
		}
	}
	slices.Sort(arns)
	return arns
}

// ExecuteCommands are the ExecuteCommand requests that succeeded.
func (f *ECS) ExecuteCommands() []*awsecs.ExecuteCommandInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*awsecs.ExecuteCommandInput(nil), f.execs...)
}

// ExecuteCommand opens a session to a RUNNING task started with execute
// command enabled, answering as ECS does when it was not.
func (f *ECS) ExecuteCommand(ctx context.Context, in *awsecs.ExecuteCommandInput, _ ...func(*awsecs.Options)) (*awsecs.ExecuteCommandOutput, error) {
	if err := f.enter(ctx, "ExecuteCommand"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.taskOf(aws.ToString(in.Task))
	if ts == nil || aws.ToString(ts.task.LastStatus) != "RUNNING" {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "The specified task is not running."}
	}
	if !ts.task.EnableExecuteCommand {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running. Wait and try the command again or run a new task with execute command enabled and try again."}
	}
	var c *types.Container
	for i := range ts.task.Containers {
		if in.Container == nil && len(ts.task.Containers) == 1 || aws.ToString(ts.task.Containers[i].Name) == aws.ToString(in.Container) {
			c = &ts.task.Containers[i]
		}
	}
	if c == nil {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "The container name must be specified when the task has more than one container."}
	}
	f.execs = append(f.execs, in)
	id := fmt.Sprintf("ecs-execute-command-%d", len(f.execs))
	return &awsecs.ExecuteCommandOutput{
		ClusterArn: ts.task.ClusterArn, TaskArn: ts.task.TaskArn, ContainerName: c.Name, ContainerArn: c.ContainerArn,
		Interactive: in.Interactive,
		Session: &types.Session{SessionId: aws.String(id), TokenValue: aws.String("token-" + id),
			StreamUrl: aws.String(fmt.Sprintf("wss://ssmmessages.%s.amazonaws.com/v1/data-channel/%s?role=publish_subscribe&cell-number=AAAA", Region, id))},
	}, nil
}
