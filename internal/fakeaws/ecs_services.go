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

// Rollout scripts how the fake's deployments of a service go: complete
// after Polls descriptions, or fail then (rolling back), or never end. The
// zero Rollout completes on the first description.
type Rollout struct {
	Polls int  // descriptions until the rollout ends; 0 or 1: the first
	Fail  bool // the rollout FAILS (ECS deployment circuit breaker)
	Hang  bool // the rollout stays IN_PROGRESS
	// NoRollback: a failed rollout stays FAILED on the PRIMARY (no circuit
	// breaker rollback to the deployment before it).
	NoRollback bool
	// OnlyTaskDefinition limits the script to deployments of this task
	// definition ARN; others complete on their first description.
	OnlyTaskDefinition string
	// NoRolloutState: a completed deployment has no rollout state, as ECS
	// reports for services behind a Classic Load Balancer.
	NoRolloutState bool
	// For services with an ECS-native strategy (BLUE_GREEN, LINEAR,
	// CANARY), each description moves a deployment one lifecycle stage on
	// (one traffic step within PRODUCTION_TRAFFIC_SHIFT) and Polls is not
	// used. HangAt: the deployment stays at that stage (Hang: at the last
	// one). FailHookAt: the lifecycle hook of that stage (the service's
	// deploymentConfiguration.lifecycleHooks) fails and ECS rolls back.
	// AlarmAt: at that stage the service's first deployment alarm
	// (deploymentConfiguration.alarms) goes off and ECS rolls back.
	HangAt, FailHookAt, AlarmAt string
}

// SetRollout scripts the deployments of service from now on.
func (f *ECS) SetRollout(service string, r Rollout) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rollouts[service] = r
}

type fakeDeployment struct {
	d     types.Deployment
	polls int
	steps []stageStep // ECS-native strategies: the lifecycle, one step a poll
	step  int
}

// stageStep is a lifecycle stage with the production traffic share the
// new revision has in it.
type stageStep struct {
	stage  types.ServiceDeploymentLifecycleStage
	weight float64
}

// stagePlan is the lifecycle of a deployment with an ECS-native strategy,
// as ECS documents it: blue/green shifts all production traffic at once;
// linear in steps of stepPercent; canary canaryPercent first, then the
// rest. Nil for a rolling deployment.
func stagePlan(c *types.DeploymentConfiguration) []stageStep {
	if c == nil {
		return nil
	}
	var weights []float64
	switch c.Strategy {
	case types.DeploymentStrategyBlueGreen:
		weights = []float64{100}
	case types.DeploymentStrategyLinear:
		step := 10.0
		if l := c.LinearConfiguration; l != nil && aws.ToFloat64(l.StepPercent) > 0 {
			step = aws.ToFloat64(l.StepPercent)
		}
		for w := step; w < 100; w += step {
			weights = append(weights, w)
		}
		weights = append(weights, 100)
	case types.DeploymentStrategyCanary:
		first := 10.0
		if cc := c.CanaryConfiguration; cc != nil && aws.ToFloat64(cc.CanaryPercent) > 0 {
			first = aws.ToFloat64(cc.CanaryPercent)
		}
		weights = []float64{first, 100}
	default:
		return nil
	}
	var steps []stageStep
	for _, st := range []types.ServiceDeploymentLifecycleStage{"RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"} {
		steps = append(steps, stageStep{stage: st})
	}
	for _, w := range weights {
		steps = append(steps, stageStep{stage: "PRODUCTION_TRAFFIC_SHIFT", weight: w})
	}
	for _, st := range []types.ServiceDeploymentLifecycleStage{"POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"} {
		steps = append(steps, stageStep{stage: st, weight: 100})
	}
	return steps
}

// hookAt is the lifecycle hook the service runs at a stage, if any.
func hookAt(c *types.DeploymentConfiguration, stage types.ServiceDeploymentLifecycleStage) *types.DeploymentLifecycleHook {
	if c == nil {
		return nil
	}
	for i, h := range c.LifecycleHooks {
		for _, st := range h.LifecycleStages {
			if string(st) == string(stage) {
				return &c.LifecycleHooks[i]
			}
		}
	}
	return nil
}

// serviceState is a service with deployments the fake moves along.
type serviceState struct {
	svc         types.Service
	deployments []*fakeDeployment
}

// ServiceARN is the ARN ECS gives service name in cluster.
func ServiceARN(cluster, name string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:service/%s/%s", Region, Account, cluster, name)
}

// AddService stores a service that existed before the test began, steady:
// one PRIMARY deployment of its task definition, COMPLETED, running its
// desired count. ServiceArn and Status are filled in when unset. The task
// definition need not be known to the fake. A service whose deployment
// controller is CODE_DEPLOY or EXTERNAL has no deployment, as ECS shows
// it: its tasks are in the task sets svc names.
func (f *ECS) AddService(cluster string, svc types.Service) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(svc.ServiceName)
	if svc.ServiceArn == nil {
		svc.ServiceArn = aws.String(ServiceARN(cluster, name))
	}
	if svc.Status == nil {
		svc.Status = aws.String("ACTIVE")
	}
	svc.RunningCount, svc.PendingCount = svc.DesiredCount, 0
	svc.Deployments = nil
	if c := svc.DeploymentController; c != nil && (c.Type == types.DeploymentControllerTypeCodeDeploy || c.Type == types.DeploymentControllerTypeExternal) {
		f.svcs[name] = &serviceState{svc: svc}
		return
	}
	f.nextID++
	now := f.now()
	f.svcs[name] = &serviceState{svc: svc, deployments: []*fakeDeployment{{d: types.Deployment{
		Id: aws.String(fmt.Sprintf("ecs-svc/%d", f.nextID)), Status: aws.String("PRIMARY"), TaskDefinition: svc.TaskDefinition,
		RolloutState: types.DeploymentRolloutStateCompleted, DesiredCount: svc.DesiredCount, RunningCount: svc.DesiredCount,
		CreatedAt: aws.Time(now), UpdatedAt: aws.Time(now),
	}}}}
}

// Service is service name as DescribeServices would show it now (without
// moving its rollout along), and whether it exists.
func (f *ECS) Service(name string) (types.Service, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.svcs[name]
	if !ok {
		return types.Service{}, false
	}
	return st.snapshot(), true
}

// EditService changes a stored service's settings (not its deployments)
// as something other than the code under test would: the console, another
// tool.
func (f *ECS) EditService(name string, edit func(*types.Service)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, ok := f.svcs[name]; ok {
		edit(&st.svc)
	}
}

// StopTypes are the stop types of the StopServiceDeployment calls, in
// order ("" for a call without one).
func (f *ECS) StopTypes() []types.StopServiceDeploymentStopType {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.stopTypes)
}

// MaxInFlight is the most deployments that were in progress at once.
func (f *ECS) MaxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInFlight
}

func (f *ECS) rolloutOf(name string) Rollout {
	return f.rollouts[name]
}

func (f *ECS) startDeployment(st *serviceState, td string) {
	for _, d := range st.deployments {
		if aws.ToString(d.d.Status) == "PRIMARY" {
			d.d.Status = aws.String("ACTIVE")
		}
	}
	f.nextID++
	now := f.now()
	st.deployments = append([]*fakeDeployment{{d: types.Deployment{
		Id: aws.String(fmt.Sprintf("ecs-svc/%d", f.nextID)), Status: aws.String("PRIMARY"), TaskDefinition: aws.String(td),
		RolloutState: types.DeploymentRolloutStateInProgress, DesiredCount: st.svc.DesiredCount, PendingCount: st.svc.DesiredCount,
		CreatedAt: aws.Time(now), UpdatedAt: aws.Time(now),
	}, steps: stagePlan(st.svc.DeploymentConfiguration)}}, st.deployments...)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
}

// advance moves a service's newest deployment one poll along its script.
func (f *ECS) advance(st *serviceState) {
	if len(st.deployments) == 0 {
		return
	}
	ours := st.deployments[0]
	if ours.d.RolloutState != types.DeploymentRolloutStateInProgress {
		settle(st)
		return
	}
	r := f.rolloutOf(aws.ToString(st.svc.ServiceName))
	if r.OnlyTaskDefinition != "" && aws.ToString(ours.d.TaskDefinition) != r.OnlyTaskDefinition {
		r = Rollout{NoRolloutState: r.NoRolloutState}
	}
	ours.polls++
	if ours.steps != nil {
		f.advanceStage(st, ours, r)
		return
	}
	if r.Hang || ours.polls < r.Polls {
		ours.d.RunningCount = min(int32(ours.polls), ours.d.DesiredCount)
		return
	}
	f.endRollout(st, ours, r, "ECS deployment circuit breaker: tasks failed to start.", "tasks failed to start.")
}

// endRollout ends the newest deployment's rollout as r says: COMPLETED, or
// FAILED with reason (rolled back to the deployment before, unless
// r.NoRollback), with the service event saying what failed.
func (f *ECS) endRollout(st *serviceState, ours *fakeDeployment, r Rollout, reason, what string) {
	f.inFlight--
	f.nextEvent++
	now := f.now()
	ours.d.UpdatedAt = aws.Time(now)
	if r.Fail {
		f.history[aws.ToString(st.svc.ServiceName)] = append(f.history[aws.ToString(st.svc.ServiceName)], ours.d)
		ours.d.RolloutState = types.DeploymentRolloutStateFailed
		ours.d.RolloutStateReason = aws.String(reason)
		if r.NoRollback {
			return
		}
		ours.d.Status = aws.String("ACTIVE")
		if len(st.deployments) > 1 {
			st.deployments[1].d.Status = aws.String("PRIMARY")
			st.svc.TaskDefinition = st.deployments[1].d.TaskDefinition
		}
		st.svc.Events = append([]types.ServiceEvent{{Id: aws.String(fmt.Sprint(f.nextEvent)), CreatedAt: aws.Time(now),
			Message: aws.String(fmt.Sprintf("(service %s) deployment %s deployment failed: %s", aws.ToString(st.svc.ServiceName), aws.ToString(ours.d.Id), what))}}, st.svc.Events...)
		return
	}
	ours.d.RolloutState = types.DeploymentRolloutStateCompleted
	if r.NoRolloutState {
		ours.d.RolloutState = "" // as ECS reports for services behind a Classic Load Balancer
	}
	ours.d.RunningCount, ours.d.PendingCount = ours.d.DesiredCount, 0
	st.deployments = st.deployments[:1]
	st.svc.RunningCount, st.svc.PendingCount = st.svc.DesiredCount, 0
	st.svc.Events = append([]types.ServiceEvent{{Id: aws.String(fmt.Sprint(f.nextEvent)), CreatedAt: aws.Time(now),
		Message: aws.String(fmt.Sprintf("(service %s) has reached a steady state.", aws.ToString(st.svc.ServiceName)))}}, st.svc.Events...)
}

// advanceStage moves an ECS-native deployment one step along its
// lifecycle: the first description shows the first stage.
func (f *ECS) advanceStage(st *serviceState, ours *fakeDeployment, r Rollout) {
	if ours.polls > 1 {
		at := ours.steps[ours.step].stage
		switch {
		case r.Hang && ours.step == len(ours.steps)-1, string(at) == r.HangAt:
			return
		case ours.step < len(ours.steps)-1:
			ours.step++
		default:
			f.endRollout(st, ours, Rollout{NoRolloutState: r.NoRolloutState}, "", "")
			return
		}
	}
	step := ours.steps[ours.step]
	ours.d.RunningCount = ours.d.DesiredCount
	if hook := hookAt(st.svc.DeploymentConfiguration, step.stage); hook != nil && string(step.stage) == r.FailHookAt {
		// ECS rolls back; the service deployments API keeps why.
		f.details[aws.ToString(st.svc.ServiceName)+"/"+aws.ToString(ours.d.Id)] = types.ServiceDeployment{
			LifecycleStage: step.stage,
			StatusReason:   aws.String(fmt.Sprintf("Service deployment rolled back because a lifecycle hook failed in %s.", step.stage)),
			LifecycleHookDetails: []types.DeploymentLifecycleHookDetail{{
				TargetArn: hook.HookTargetArn, TargetType: hook.TargetType, Status: types.DeploymentLifecycleHookStatusFailed,
			}},
		}
		f.endRollout(st, ours, Rollout{Fail: true}, "ECS deployment failed: a lifecycle hook failed.", "a lifecycle hook failed.")
		return
	}
	if c := st.svc.DeploymentConfiguration; c != nil && c.Alarms != nil && len(c.Alarms.AlarmNames) > 0 && string(step.stage) == r.AlarmAt {
		a := c.Alarms
		f.details[aws.ToString(st.svc.ServiceName)+"/"+aws.ToString(ours.d.Id)] = types.ServiceDeployment{
			LifecycleStage: step.stage,
			StatusReason:   aws.String(fmt.Sprintf("Service deployment rolled back because an alarm went off in %s.", step.stage)),
			Alarms: &types.ServiceDeploymentAlarms{AlarmNames: a.AlarmNames, Status: types.ServiceDeploymentRollbackMonitorsStatusTriggered,
				TriggeredAlarmNames: a.AlarmNames[:1]},
		}
		f.endRollout(st, ours, Rollout{Fail: true}, "ECS deployment failed: an alarm went off.", "an alarm went off.")
	}
}

// settle moves a service whose rollout is over to its desired count when
// that alone changed (UpdateService with a desiredCount and nothing that
// starts a deployment): one description later, it runs that many tasks.
func settle(st *serviceState) {
	ours := st.deployments[0]
	if ours.d.RolloutState == types.DeploymentRolloutStateFailed || aws.ToString(ours.d.Status) != "PRIMARY" {
		return
	}
	n := st.svc.DesiredCount
	ours.d.DesiredCount, ours.d.RunningCount, ours.d.PendingCount = n, n, 0
	st.svc.RunningCount, st.svc.PendingCount = n, 0
}

func (st *serviceState) snapshot() types.Service {
	svc := st.svc
	svc.Deployments = nil
	for _, d := range st.deployments {
		svc.Deployments = append(svc.Deployments, d.d)
	}
	return svc
}

func (f *ECS) DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error) {
	if err := f.enter(ctx, "DescribeServices"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(in.Services) > 10 {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "too many services"}
	}
	out := &awsecs.DescribeServicesOutput{}
	for _, name := range in.Services {
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:] // an ARN, as ListServices answers
		}
		if st, ok := f.svcs[name]; ok {
			drain(st)
			f.advance(st)
			out.Services = append(out.Services, st.snapshot())
		} else {
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(name), Reason: aws.String("MISSING")})
		}
	}
	return out, nil
}

func (f *ECS) CreateService(ctx context.Context, in *awsecs.CreateServiceInput, _ ...func(*awsecs.Options)) (*awsecs.CreateServiceOutput, error) {
	if err := f.enter(ctx, "CreateService"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.ServiceName)
	if _, ok := f.svcs[name]; ok {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "Creation of service was not idempotent."}
	}
	if f.lookupTaskDefinition(aws.ToString(in.TaskDefinition)) == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "TaskDefinition not found."}
	}
	st := &serviceState{svc: types.Service{
		ServiceName: aws.String(name), ServiceArn: aws.String(ServiceARN(aws.ToString(in.Cluster), name)),
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

func (f *ECS) UpdateService(ctx context.Context, in *awsecs.UpdateServiceInput, _ ...func(*awsecs.Options)) (*awsecs.UpdateServiceOutput, error) {
	if err := f.enter(ctx, "UpdateService"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
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
	} else if in.DesiredCount != nil && len(st.deployments) > 0 {
		st.deployments[0].d.DesiredCount = *in.DesiredCount
	}
	svc := st.snapshot()
	return &awsecs.UpdateServiceOutput{Service: &svc}, nil
}

func (f *ECS) UntagResource(ctx context.Context, in *awsecs.UntagResourceInput, _ ...func(*awsecs.Options)) (*awsecs.UntagResourceOutput, error) {
	if err := f.enter(ctx, "UntagResource"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
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

func (f *ECS) ListServices(ctx context.Context, in *awsecs.ListServicesInput, _ ...func(*awsecs.Options)) (*awsecs.ListServicesOutput, error) {
	if err := f.enter(ctx, "ListServices"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &awsecs.ListServicesOutput{}
	for _, st := range f.svcs {
		if aws.ToString(st.svc.Status) != "INACTIVE" { // ECS lists ACTIVE and DRAINING services
			out.ServiceArns = append(out.ServiceArns, aws.ToString(st.svc.ServiceArn))
		}
	}
	slices.Sort(out.ServiceArns)
	return out, nil
}

func (f *ECS) ListServiceDeployments(ctx context.Context, in *awsecs.ListServiceDeploymentsInput, _ ...func(*awsecs.Options)) (*awsecs.ListServiceDeploymentsOutput, error) {
	if err := f.enter(ctx, "ListServiceDeployments"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &awsecs.ListServiceDeploymentsOutput{}
	wants := func(s types.ServiceDeploymentStatus) bool {
		return len(in.Status) == 0 || slices.Contains(in.Status, s)
	}
	for i := len(f.history[aws.ToString(in.Service)]) - 1; wants(types.ServiceDeploymentStatusRollbackSuccessful) && i >= 0; i-- {
		d := f.history[aws.ToString(in.Service)][i]
		out.ServiceDeployments = append(out.ServiceDeployments, types.ServiceDeploymentBrief{
			ServiceDeploymentArn: aws.String(aws.ToString(in.Service) + "/" + aws.ToString(d.Id)), Status: types.ServiceDeploymentStatusRollbackSuccessful,
			CreatedAt: d.CreatedAt,
		})
	}
	if st, ok := f.svcs[aws.ToString(in.Service)]; ok && wants(types.ServiceDeploymentStatusInProgress) {
		for _, d := range st.deployments {
			if d.d.RolloutState == types.DeploymentRolloutStateInProgress {
				out.ServiceDeployments = append(out.ServiceDeployments, types.ServiceDeploymentBrief{
					ServiceDeploymentArn: aws.String(aws.ToString(st.svc.ServiceName) + "/" + aws.ToString(d.d.Id)),
					Status:               types.ServiceDeploymentStatusInProgress, CreatedAt: d.d.CreatedAt,
				})
			}
		}
	}
	return out, nil
}

// DescribeServiceDeployments answers for deployments ListServiceDeployments
// named, with the failure reason of a failed one.
func (f *ECS) DescribeServiceDeployments(ctx context.Context, in *awsecs.DescribeServiceDeploymentsInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeServiceDeploymentsOutput, error) {
	if err := f.enter(ctx, "DescribeServiceDeployments"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &awsecs.DescribeServiceDeploymentsOutput{}
	for _, arn := range in.ServiceDeploymentArns {
		name, id, _ := strings.Cut(arn, "/")
		for _, d := range f.history[name] {
			if aws.ToString(d.Id) != id {
				continue
			}
			sd := types.ServiceDeployment{StatusReason: aws.String("Service deployment rolled back because the circuit breaker threshold was exceeded.")}
			if detail, ok := f.details[arn]; ok {
				sd = detail
			}
			sd.ServiceDeploymentArn, sd.Status, sd.CreatedAt = aws.String(arn), types.ServiceDeploymentStatusRollbackSuccessful, d.CreatedAt
			out.ServiceDeployments = append(out.ServiceDeployments, sd)
		}
		if st, ok := f.svcs[name]; ok {
			for _, d := range st.deployments {
				if aws.ToString(d.d.Id) != id || d.d.RolloutState != types.DeploymentRolloutStateInProgress {
					continue
				}
				sd := types.ServiceDeployment{ServiceDeploymentArn: aws.String(arn), Status: types.ServiceDeploymentStatusInProgress, CreatedAt: d.d.CreatedAt}
				if d.steps != nil {
					step := d.steps[d.step]
					sd.LifecycleStage = step.stage
					sd.TargetServiceRevision = &types.ServiceRevisionSummary{RequestedProductionTrafficWeight: aws.Float64(step.weight),
						RunningTaskCount: d.d.RunningCount, RequestedTaskCount: d.d.DesiredCount}
				}
				out.ServiceDeployments = append(out.ServiceDeployments, sd)
			}
		}
	}
	return out, nil
}

// StopServiceDeployment with ROLLBACK returns the service to the deployment
// before the stopped one, at once. StopTypes says which stop types were
// asked for.
func (f *ECS) StopServiceDeployment(ctx context.Context, in *awsecs.StopServiceDeploymentInput, _ ...func(*awsecs.Options)) (*awsecs.StopServiceDeploymentOutput, error) {
	if err := f.enter(ctx, "StopServiceDeployment"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopTypes = append(f.stopTypes, in.StopType)
	name, id, _ := strings.Cut(aws.ToString(in.ServiceDeploymentArn), "/")
	st, ok := f.svcs[name]
	if !ok || len(st.deployments) < 2 || aws.ToString(st.deployments[0].d.Id) != id {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "no such deployment in progress"}
	}
	f.inFlight--
	prev := st.deployments[1]
	prev.d.Status, prev.d.RolloutState = aws.String("PRIMARY"), types.DeploymentRolloutStateCompleted
	st.deployments = []*fakeDeployment{prev}
	st.svc.TaskDefinition = prev.d.TaskDefinition
	st.svc.RunningCount = st.svc.DesiredCount
	return &awsecs.StopServiceDeploymentOutput{ServiceDeploymentArn: in.ServiceDeploymentArn}, nil
}
