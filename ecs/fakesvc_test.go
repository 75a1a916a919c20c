package ecs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// rollout scripts how the fake's deployments of a service go: complete
// after polls descriptions, or fail then (rolling back), or never end.
type rollout struct {
	polls int
	fail  bool
	hang  bool
}

type fakeDeployment struct {
	d     types.Deployment
	polls int
}

// serviceState is a service with deployments the fake moves along.
type serviceState struct {
	svc         types.Service
	deployments []*fakeDeployment
}

func (f *fakeECS) rolloutOf(name string) rollout {
	if r, ok := f.rollouts[name]; ok {
		return r
	}
	return rollout{polls: 1}
}

func (f *fakeECS) startDeployment(st *serviceState, td string) {
	for _, d := range st.deployments {
		if aws.ToString(d.d.Status) == "PRIMARY" {
			d.d.Status = aws.String("ACTIVE")
		}
	}
	f.nextID++
	st.deployments = append([]*fakeDeployment{{d: types.Deployment{
		Id: aws.String(fmt.Sprintf("ecs-svc/%d", f.nextID)), Status: aws.String("PRIMARY"), TaskDefinition: aws.String(td),
		RolloutState: types.DeploymentRolloutStateInProgress, DesiredCount: st.svc.DesiredCount, PendingCount: st.svc.DesiredCount,
	}}}, st.deployments...)
	n := f.inFlight.Add(1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
}

// advance moves a service's newest deployment one poll along its script.
func (f *fakeECS) advance(st *serviceState) {
	if len(st.deployments) == 0 {
		return
	}
	ours := st.deployments[0]
	if ours.d.RolloutState != types.DeploymentRolloutStateInProgress {
		return
	}
	r := f.rolloutOf(aws.ToString(st.svc.ServiceName))
	if aws.ToString(ours.d.TaskDefinition) != aws.ToString(f.failOnly) && f.failOnly != nil {
		r = rollout{polls: 1}
	}
	ours.polls++
	if r.hang || ours.polls < r.polls {
		ours.d.RunningCount = min(int32(ours.polls), ours.d.DesiredCount)
		return
	}
	f.inFlight.Add(-1)
	f.nextEvent++
	if r.fail {
		f.history[aws.ToString(st.svc.ServiceName)] = append(f.history[aws.ToString(st.svc.ServiceName)], ours.d)
		ours.d.RolloutState = types.DeploymentRolloutStateFailed
		ours.d.RolloutStateReason = aws.String("ECS deployment circuit breaker: tasks failed to start.")
		if f.noAutoRollback {
			return
		}
		ours.d.Status = aws.String("ACTIVE")
		if len(st.deployments) > 1 {
			st.deployments[1].d.Status = aws.String("PRIMARY")
			st.svc.TaskDefinition = st.deployments[1].d.TaskDefinition
		}
		st.svc.Events = append([]types.ServiceEvent{{Id: aws.String(fmt.Sprint(f.nextEvent)), CreatedAt: aws.Time(time.Now()),
			Message: aws.String(fmt.Sprintf("(service %s) deployment %s deployment failed: tasks failed to start.", aws.ToString(st.svc.ServiceName), aws.ToString(ours.d.Id)))}}, st.svc.Events...)
		return
	}
	ours.d.RolloutState = types.DeploymentRolloutStateCompleted
	if f.noRolloutState {
		ours.d.RolloutState = "" // as ECS reports for services behind a Classic Load Balancer
	}
	ours.d.RunningCount, ours.d.PendingCount = ours.d.DesiredCount, 0
	st.deployments = st.deployments[:1]
	st.svc.RunningCount, st.svc.PendingCount = st.svc.DesiredCount, 0
	st.svc.Events = append([]types.ServiceEvent{{Id: aws.String(fmt.Sprint(f.nextEvent)), CreatedAt: aws.Time(time.Now()),
		Message: aws.String(fmt.Sprintf("(service %s) has reached a steady state.", aws.ToString(st.svc.ServiceName)))}}, st.svc.Events...)
}

func (st *serviceState) snapshot() types.Service {
	svc := st.svc
	svc.Deployments = nil
	for _, d := range st.deployments {
		svc.Deployments = append(svc.Deployments, d.d)
	}
	return svc
}

func (f *fakeECS) CreateService(_ context.Context, in *awsecs.CreateServiceInput, _ ...func(*awsecs.Options)) (*awsecs.CreateServiceOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("CreateService"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.ServiceName)
	if _, ok := f.svcs[name]; ok {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "Creation of service was not idempotent."}
	}
	if f.lookupTaskDefinition(aws.ToString(in.TaskDefinition)) == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "TaskDefinition not found."}
	}
	st := &serviceState{svc: types.Service{
		ServiceName: aws.String(name), ServiceArn: aws.String("arn:aws:ecs:ap-northeast-1:123456789012:service/" + aws.ToString(in.Cluster) + "/" + name),
		Status: aws.String("ACTIVE"), DesiredCount: aws.ToInt32(in.DesiredCount), TaskDefinition: in.TaskDefinition,
		LaunchType: in.LaunchType, NetworkConfiguration: in.NetworkConfiguration, LoadBalancers: in.LoadBalancers,
		DeploymentConfiguration: in.DeploymentConfiguration, Tags: in.Tags, PlatformVersion: in.PlatformVersion,
		SchedulingStrategy: in.SchedulingStrategy, DeploymentController: in.DeploymentController, PropagateTags: in.PropagateTags,
		EnableExecuteCommand: in.EnableExecuteCommand,
	}}
	f.startDeployment(st, aws.ToString(in.TaskDefinition))
	f.svcs[name] = st
	svc := st.snapshot()
	return &awsecs.CreateServiceOutput{Service: &svc}, nil
}

func (f *fakeECS) UpdateService(_ context.Context, in *awsecs.UpdateServiceInput, _ ...func(*awsecs.Options)) (*awsecs.UpdateServiceOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("UpdateService"); err != nil {
		return nil, err
	}
	st, ok := f.svcs[aws.ToString(in.Service)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ServiceNotFoundException", Message: "Service not found."}
	}
	f.updates = append(f.updates, in)
	if in.DesiredCount != nil {
		st.svc.DesiredCount = *in.DesiredCount
	}
	if in.NetworkConfiguration != nil {
		st.svc.NetworkConfiguration = in.NetworkConfiguration
	}
	if in.DeploymentConfiguration != nil {
		st.svc.DeploymentConfiguration = in.DeploymentConfiguration
	}
	newTD := in.TaskDefinition != nil && aws.ToString(in.TaskDefinition) != aws.ToString(st.svc.TaskDefinition)
	if in.TaskDefinition != nil {
		if f.lookupTaskDefinition(aws.ToString(in.TaskDefinition)) == nil {
			return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "TaskDefinition not found."}
		}
		st.svc.TaskDefinition = in.TaskDefinition
	}
	if newTD || in.ForceNewDeployment || in.NetworkConfiguration != nil {
		f.startDeployment(st, aws.ToString(st.svc.TaskDefinition))
	}
	svc := st.snapshot()
	return &awsecs.UpdateServiceOutput{Service: &svc}, nil
}

func tagOf(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func (f *fakeECS) UntagResource(_ context.Context, in *awsecs.UntagResourceInput, _ ...func(*awsecs.Options)) (*awsecs.UntagResourceOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("UntagResource"); err != nil {
		return nil, err
	}
	for _, st := range f.svcs {
		if aws.ToString(st.svc.ServiceArn) == aws.ToString(in.ResourceArn) {
			var kept []types.Tag
			for _, t := range st.svc.Tags {
				if !slices.Contains(in.TagKeys, aws.ToString(t.Key)) {
					kept = append(kept, t)
				}
			}
			st.svc.Tags = kept
		}
	}
	return &awsecs.UntagResourceOutput{}, nil
}

// fakeClock moves virtual time on Sleep, after a real millisecond so that
// concurrent waiters interleave; it counts the sleeps.
type fakeClock struct {
	now    atomic.Int64
	sleeps atomic.Int64
	slept  atomic.Int64 // virtual nanoseconds
}

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time { return time.Unix(0, c.now.Load()).UTC() }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Millisecond):
	}
	c.sleeps.Add(1)
	c.slept.Add(int64(d))
	c.now.Add(int64(d))
	return nil
}

func (f *fakeECS) ListServices(_ context.Context, in *awsecs.ListServicesInput, _ ...func(*awsecs.Options)) (*awsecs.ListServicesOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("ListServices"); err != nil {
		return nil, err
	}
	out := &awsecs.ListServicesOutput{}
	for _, st := range f.svcs {
		out.ServiceArns = append(out.ServiceArns, aws.ToString(st.svc.ServiceName))
	}
	slices.Sort(out.ServiceArns)
	return out, nil
}

// ListTaskDefinitions answers oldest first, ignoring Sort (as moto does):
// callers must not rely on the order.
func (f *fakeECS) ListTaskDefinitions(_ context.Context, in *awsecs.ListTaskDefinitionsInput, _ ...func(*awsecs.Options)) (*awsecs.ListTaskDefinitionsOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("ListTaskDefinitions"); err != nil {
		return nil, err
	}
	out := &awsecs.ListTaskDefinitionsOutput{}
	for _, td := range f.revisions[aws.ToString(in.FamilyPrefix)] {
		if in.Status == "" || td.Status == in.Status {
			out.TaskDefinitionArns = append(out.TaskDefinitionArns, aws.ToString(td.TaskDefinitionArn))
		}
	}
	return out, nil
}

func (f *fakeECS) DeregisterTaskDefinition(_ context.Context, in *awsecs.DeregisterTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.DeregisterTaskDefinitionOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("DeregisterTaskDefinition"); err != nil {
		return nil, err
	}
	td := f.lookupTaskDefinition(aws.ToString(in.TaskDefinition))
	if td == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "The specified task definition does not exist."}
	}
	td.Status = types.TaskDefinitionStatusInactive
	f.deregistered = append(f.deregistered, aws.ToString(td.TaskDefinitionArn))
	return &awsecs.DeregisterTaskDefinitionOutput{TaskDefinition: td}, nil
}

func (f *fakeECS) ListServiceDeployments(_ context.Context, in *awsecs.ListServiceDeploymentsInput, _ ...func(*awsecs.Options)) (*awsecs.ListServiceDeploymentsOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("ListServiceDeployments"); err != nil {
		return nil, err
	}
	out := &awsecs.ListServiceDeploymentsOutput{}
	wants := func(s types.ServiceDeploymentStatus) bool {
		return len(in.Status) == 0 || slices.Contains(in.Status, s)
	}
	for i := len(f.history[aws.ToString(in.Service)]) - 1; wants(types.ServiceDeploymentStatusRollbackSuccessful) && i >= 0; i-- {
		d := f.history[aws.ToString(in.Service)][i]
		out.ServiceDeployments = append(out.ServiceDeployments, types.ServiceDeploymentBrief{
			ServiceDeploymentArn: aws.String(aws.ToString(in.Service) + "/" + aws.ToString(d.Id)), Status: types.ServiceDeploymentStatusRollbackSuccessful,
		})
	}
	if st, ok := f.svcs[aws.ToString(in.Service)]; ok && wants(types.ServiceDeploymentStatusInProgress) {
		for _, d := range st.deployments {
			if d.d.RolloutState == types.DeploymentRolloutStateInProgress {
				out.ServiceDeployments = append(out.ServiceDeployments, types.ServiceDeploymentBrief{
					ServiceDeploymentArn: aws.String(aws.ToString(st.svc.ServiceName) + "/" + aws.ToString(d.d.Id)),
					Status:               types.ServiceDeploymentStatusInProgress,
				})
			}
		}
	}
	return out, nil
}

// DescribeServiceDeployments answers for deployments ListServiceDeployments
// named, with the failure reason of a failed one.
func (f *fakeECS) DescribeServiceDeployments(_ context.Context, in *awsecs.DescribeServiceDeploymentsInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeServiceDeploymentsOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("DescribeServiceDeployments"); err != nil {
		return nil, err
	}
	out := &awsecs.DescribeServiceDeploymentsOutput{}
	for _, arn := range in.ServiceDeploymentArns {
		name, id, _ := strings.Cut(arn, "/")
		for _, d := range f.history[name] {
			if aws.ToString(d.Id) == id {
				out.ServiceDeployments = append(out.ServiceDeployments, types.ServiceDeployment{
					ServiceDeploymentArn: aws.String(arn), Status: types.ServiceDeploymentStatusRollbackSuccessful,
					StatusReason: aws.String("Service deployment rolled back because the circuit breaker threshold was exceeded."),
				})
			}
		}
	}
	return out, nil
}

// StopServiceDeployment with ROLLBACK returns the service to the deployment
// before the stopped one, at once.
func (f *fakeECS) StopServiceDeployment(_ context.Context, in *awsecs.StopServiceDeploymentInput, _ ...func(*awsecs.Options)) (*awsecs.StopServiceDeploymentOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("StopServiceDeployment"); err != nil {
		return nil, err
	}
	name, id, _ := strings.Cut(aws.ToString(in.ServiceDeploymentArn), "/")
	st, ok := f.svcs[name]
	if !ok || len(st.deployments) < 2 || aws.ToString(st.deployments[0].d.Id) != id {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "no such deployment in progress"}
	}
	f.inFlight.Add(-1)
	prev := st.deployments[1]
	prev.d.Status, prev.d.RolloutState = aws.String("PRIMARY"), types.DeploymentRolloutStateCompleted
	st.deployments = []*fakeDeployment{prev}
	st.svc.TaskDefinition = prev.d.TaskDefinition
	st.svc.RunningCount = st.svc.DesiredCount
	return &awsecs.StopServiceDeploymentOutput{ServiceDeploymentArn: in.ServiceDeploymentArn}, nil
}

// fakeRun scripts RunTask/DescribeTasks: tasks stop after polls
// descriptions with the given container exit code (nil: no code, with a
// stop reason), or fail to start.
type fakeRun struct {
	polls     int
	exitCode  *int32
	failStart bool
	described int
	input     *awsecs.RunTaskInput
}

func (f *fakeRun) RunTask(_ context.Context, in *awsecs.RunTaskInput, _ ...func(*awsecs.Options)) (*awsecs.RunTaskOutput, error) {
	f.input = in
	if f.failStart {
		return &awsecs.RunTaskOutput{Failures: []types.Failure{{Reason: aws.String("RESOURCE:MEMORY"), Detail: aws.String("no capacity")}}}, nil
	}
	return &awsecs.RunTaskOutput{Tasks: []types.Task{{TaskArn: aws.String("arn:aws:ecs:r:1:task/c/abc"), LastStatus: aws.String("PROVISIONING")}}}, nil
}

func (f *fakeRun) DescribeTasks(_ context.Context, in *awsecs.DescribeTasksInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeTasksOutput, error) {
	f.described++
	t := types.Task{TaskArn: aws.String(in.Tasks[0]), LastStatus: aws.String("RUNNING"),
		Containers: []types.Container{{Name: aws.String("app")}, {Name: aws.String("sidecar"), ExitCode: aws.Int32(0)}}}
	if f.described >= f.polls {
		t.LastStatus = aws.String("STOPPED")
		t.Containers[0].ExitCode = f.exitCode
		t.StoppedReason, t.StopCode = aws.String("Essential container in task exited"), types.TaskStopCodeEssentialContainerExited
		if f.exitCode == nil {
			t.StoppedReason, t.StopCode = aws.String("CannotPullContainerError: pull image manifest has been retried"), types.TaskStopCodeTaskFailedToStart
		}
	}
	return &awsecs.DescribeTasksOutput{Tasks: []types.Task{t}}, nil
}
