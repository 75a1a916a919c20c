package fakeaws

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/smithy-go"
)

// CodeDeploy is an in-memory CodeDeploy for ECS blue/green deployments:
// applications, deployment groups naming an ECS service, and deployments
// that move through the ECS lifecycle events one event per GetDeployment,
// succeeding, failing, hanging or stopped by an alarm where a test says.
// Make one with NewCodeDeploy; it is safe for concurrent use.
type CodeDeploy struct {
	callLedger

	mu          sync.Mutex
	apps        map[string]cdtypes.ComputePlatform
	groups      map[string][]cdtypes.DeploymentGroupInfo // by application
	deployments map[string]*cdDeployment
	order       []string
	failAt      string // deployments fail at this lifecycle event
	hangAt      string // deployments stay InProgress at this lifecycle event
	alarmAt     string // deployments are stopped by alarm at this lifecycle event
	alarm       string
	perPoll     int // lifecycle events done per GetDeployment
}

type cdDeployment struct {
	in      *codedeploy.CreateDeploymentInput
	status  cdtypes.DeploymentStatus
	step    int // lifecycle events done
	failed  string
	hang    string
	alarmAt string // stopped by alarm at this lifecycle event
	alarm   string
	stopped bool // by StopDeployment
}

// codeDeployEvents are the lifecycle events of an ECS blue/green deployment.
var codeDeployEvents = []string{"BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}

// NewCodeDeploy is a CodeDeploy without applications.
func NewCodeDeploy() *CodeDeploy {
	return &CodeDeploy{apps: map[string]cdtypes.ComputePlatform{}, groups: map[string][]cdtypes.DeploymentGroupInfo{}, deployments: map[string]*cdDeployment{}, perPoll: 1}
}

// SetEventsPerPoll makes each GetDeployment move a deployment on by n
// lifecycle events (1 by default), so that tests on the wall clock see a
// deployment end on the first look.
func (c *CodeDeploy) SetEventsPerPoll(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.perPoll = n
}

// AddGroup adds an application (ECS, or another platform) with a
// deployment group deploying cluster/service.
func (c *CodeDeploy) AddGroup(app string, platform cdtypes.ComputePlatform, group, cluster, service string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.apps[app] = platform
	c.groups[app] = append(c.groups[app], cdtypes.DeploymentGroupInfo{
		ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group), ComputePlatform: platform,
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String(cluster), ServiceName: aws.String(service)}},
	})
}

// FailAt makes later deployments fail at a lifecycle event ("" clears it).
func (c *CodeDeploy) FailAt(event string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failAt = event
}

// HangAt makes later deployments stay InProgress at a lifecycle event, as
// a hook that never answers does ("" clears it).
func (c *CodeDeploy) HangAt(event string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hangAt = event
}

// StopOnAlarmAt makes alarm go off during a lifecycle event of later
// deployments: CodeDeploy stops them (ALARM_ACTIVE) and, when the
// deployment's auto-rollback takes DEPLOYMENT_STOP_ON_ALARM, rolls them
// back ("" clears it).
func (c *CodeDeploy) StopOnAlarmAt(event, alarm string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.alarmAt, c.alarm = event, alarm
}

// Deployments are the CreateDeployment requests received, in order.
func (c *CodeDeploy) Deployments() []*codedeploy.CreateDeploymentInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*codedeploy.CreateDeploymentInput
	for _, id := range c.order {
		out = append(out, c.deployments[id].in)
	}
	return out
}

// Stopped tells whether deployment id was stopped.
func (c *CodeDeploy) Stopped(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.deployments[id]
	return d != nil && d.stopped
}

// deployment is the deployment of an id, or CodeDeploy's error for an
// unknown one; c.mu is held.
func (c *CodeDeploy) deployment(id *string) (*cdDeployment, error) {
	d := c.deployments[aws.ToString(id)]
	if d == nil {
		return nil, &smithy.GenericAPIError{Code: "DeploymentDoesNotExistException", Message: "deployment " + aws.ToString(id) + " does not exist"}
	}
	return d, nil
}

func (c *CodeDeploy) ListApplications(ctx context.Context, _ *codedeploy.ListApplicationsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListApplicationsOutput, error) {
	if err := c.enter(ctx, "ListApplications"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for n := range c.apps {
		names = append(names, n)
	}
	slices.Sort(names)
	return &codedeploy.ListApplicationsOutput{Applications: names}, nil
}

func (c *CodeDeploy) BatchGetApplications(ctx context.Context, in *codedeploy.BatchGetApplicationsInput, _ ...func(*codedeploy.Options)) (*codedeploy.BatchGetApplicationsOutput, error) {
	if err := c.enter(ctx, "BatchGetApplications"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &codedeploy.BatchGetApplicationsOutput{}
	for _, n := range in.ApplicationNames {
		if p, ok := c.apps[n]; ok {
			out.ApplicationsInfo = append(out.ApplicationsInfo, cdtypes.ApplicationInfo{ApplicationName: aws.String(n), ComputePlatform: p})
		}
	}
	return out, nil
}

func (c *CodeDeploy) ListDeploymentGroups(ctx context.Context, in *codedeploy.ListDeploymentGroupsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentGroupsOutput, error) {
	if err := c.enter(ctx, "ListDeploymentGroups"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &codedeploy.ListDeploymentGroupsOutput{ApplicationName: in.ApplicationName}
	for _, g := range c.groups[aws.ToString(in.ApplicationName)] {
		out.DeploymentGroups = append(out.DeploymentGroups, aws.ToString(g.DeploymentGroupName))
	}
	return out, nil
}

func (c *CodeDeploy) BatchGetDeploymentGroups(ctx context.Context, in *codedeploy.BatchGetDeploymentGroupsInput, _ ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentGroupsOutput, error) {
	if err := c.enter(ctx, "BatchGetDeploymentGroups"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &codedeploy.BatchGetDeploymentGroupsOutput{}
	for _, g := range c.groups[aws.ToString(in.ApplicationName)] {
		if slices.Contains(in.DeploymentGroupNames, aws.ToString(g.DeploymentGroupName)) {
			// The group's last deployment, as CodeDeploy reports it.
			for _, id := range slices.Backward(c.order) {
				d := c.deployments[id]
				if aws.ToString(d.in.ApplicationName) == aws.ToString(g.ApplicationName) && aws.ToString(d.in.DeploymentGroupName) == aws.ToString(g.DeploymentGroupName) {
					g.LastAttemptedDeployment = &cdtypes.LastDeploymentInfo{DeploymentId: aws.String(id), Status: d.status}
					break
				}
			}
			out.DeploymentGroupsInfo = append(out.DeploymentGroupsInfo, g)
		}
	}
	return out, nil
}

func (c *CodeDeploy) CreateDeployment(ctx context.Context, in *codedeploy.CreateDeploymentInput, _ ...func(*codedeploy.Options)) (*codedeploy.CreateDeploymentOutput, error) {
	if err := c.enter(ctx, "CreateDeployment"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	found := false
	for _, g := range c.groups[aws.ToString(in.ApplicationName)] {
		found = found || aws.ToString(g.DeploymentGroupName) == aws.ToString(in.DeploymentGroupName)
	}
	if !found {
		return nil, &smithy.GenericAPIError{Code: "DeploymentGroupDoesNotExistException", Message: "No Deployment Group found for name: " + aws.ToString(in.DeploymentGroupName)}
	}
	if r := in.Revision; r == nil || r.RevisionType != cdtypes.RevisionLocationTypeAppSpecContent || r.AppSpecContent == nil {
		return nil, &smithy.GenericAPIError{Code: "InvalidRevisionException", Message: "an ECS deployment takes an AppSpecContent revision"}
	}
	id := fmt.Sprintf("d-FAKE%05d", len(c.order)+1)
	c.deployments[id] = &cdDeployment{in: in, status: cdtypes.DeploymentStatusCreated, failed: c.failAt, hang: c.hangAt, alarmAt: c.alarmAt, alarm: c.alarm}
	c.order = append(c.order, id)
	return &codedeploy.CreateDeploymentOutput{DeploymentId: aws.String(id)}, nil
}

// GetDeployment moves the deployment on by one lifecycle event, then
// answers with its state.
func (c *CodeDeploy) GetDeployment(ctx context.Context, in *codedeploy.GetDeploymentInput, _ ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error) {
	if err := c.enter(ctx, "GetDeployment"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id := aws.ToString(in.DeploymentId)
	d, err := c.deployment(in.DeploymentId)
	if err != nil {
		return nil, err
	}
	if d.status == cdtypes.DeploymentStatusCreated {
		d.status = cdtypes.DeploymentStatusInProgress
		if c.perPoll == 1 {
			return c.answer(id, d), nil
		}
	}
	for range c.perPoll {
		if d.status != cdtypes.DeploymentStatusInProgress {
			break
		}
		switch at := codeDeployEvents[d.step]; at {
		case d.failed:
			d.status = cdtypes.DeploymentStatusFailed
			continue
		case d.alarmAt:
			d.status = cdtypes.DeploymentStatusStopped
			continue
		case d.hang:
			continue
		}
		if d.step++; d.step == len(codeDeployEvents) {
			d.status = cdtypes.DeploymentStatusSucceeded
		}
	}
	return c.answer(id, d), nil
}

func (c *CodeDeploy) answer(id string, d *cdDeployment) *codedeploy.GetDeploymentOutput {
	info := &cdtypes.DeploymentInfo{DeploymentId: aws.String(id), ApplicationName: d.in.ApplicationName, DeploymentGroupName: d.in.DeploymentGroupName}
	info.Status = d.status
	if d.status == cdtypes.DeploymentStatusFailed {
		info.ErrorInformation = &cdtypes.ErrorInformation{Code: cdtypes.ErrorCodeHealthConstraints, Message: aws.String("The deployment failed because a lifecycle event hook failed: " + d.failed)}
	}
	if d.stopped {
		info.ErrorInformation = &cdtypes.ErrorInformation{Code: cdtypes.ErrorCodeManualStop, Message: aws.String("The deployment was stopped by a user")}
	}
	if d.status == cdtypes.DeploymentStatusStopped && !d.stopped {
		info.ErrorInformation = &cdtypes.ErrorInformation{Code: cdtypes.ErrorCodeAlarmActive,
			Message: aws.String("The deployment was stopped because alarm " + d.alarm + " went off during " + d.alarmAt)}
		if rb := d.in.AutoRollbackConfiguration; rb != nil && rb.Enabled && slices.Contains(rb.Events, cdtypes.AutoRollbackEventDeploymentStopOnAlarm) {
			info.RollbackInfo = &cdtypes.RollbackInfo{RollbackMessage: aws.String("CodeDeploy rolled the deployment back to the original task set")}
		}
	}
	return &codedeploy.GetDeploymentOutput{DeploymentInfo: info}
}

func (c *CodeDeploy) ListDeploymentTargets(ctx context.Context, in *codedeploy.ListDeploymentTargetsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentTargetsOutput, error) {
	if err := c.enter(ctx, "ListDeploymentTargets"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, err := c.deployment(in.DeploymentId)
	if err != nil {
		return nil, err
	}
	if d.status == cdtypes.DeploymentStatusCreated {
		return &codedeploy.ListDeploymentTargetsOutput{}, nil
	}
	return &codedeploy.ListDeploymentTargetsOutput{TargetIds: []string{"app:service"}}, nil
}

// GetDeploymentTarget reports each lifecycle event's status and the task
// sets' traffic: all on blue until AllowTraffic succeeds, then all on green.
func (c *CodeDeploy) GetDeploymentTarget(ctx context.Context, in *codedeploy.GetDeploymentTargetInput, _ ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentTargetOutput, error) {
	if err := c.enter(ctx, "GetDeploymentTarget"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, err := c.deployment(in.DeploymentId)
	if err != nil {
		return nil, err
	}
	target := &cdtypes.ECSTarget{TargetId: in.TargetId, DeploymentId: in.DeploymentId}
	for i, name := range codeDeployEvents {
		status := cdtypes.LifecycleEventStatusPending
		switch {
		case i < d.step:
			status = cdtypes.LifecycleEventStatusSucceeded
		case i == d.step && (d.status == cdtypes.DeploymentStatusFailed || d.status == cdtypes.DeploymentStatusStopped):
			status = cdtypes.LifecycleEventStatusFailed
		case i == d.step && d.status == cdtypes.DeploymentStatusInProgress:
			status = cdtypes.LifecycleEventStatusInProgress
		}
		target.LifecycleEvents = append(target.LifecycleEvents, cdtypes.LifecycleEvent{LifecycleEventName: aws.String(name), Status: status})
	}
	blue, green := 100.0, 0.0
	if d.step > slices.Index(codeDeployEvents, "AllowTraffic") {
		blue, green = 0, 100
	}
	target.TaskSetsInfo = []cdtypes.ECSTaskSet{
		{TaskSetLabel: cdtypes.TargetLabelBlue, TrafficWeight: blue},
		{TaskSetLabel: cdtypes.TargetLabelGreen, TrafficWeight: green},
	}
	return &codedeploy.GetDeploymentTargetOutput{DeploymentTarget: &cdtypes.DeploymentTarget{DeploymentTargetType: cdtypes.DeploymentTargetTypeEcsTarget, EcsTarget: target}}, nil
}

func (c *CodeDeploy) StopDeployment(ctx context.Context, in *codedeploy.StopDeploymentInput, _ ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error) {
	if err := c.enter(ctx, "StopDeployment"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, err := c.deployment(in.DeploymentId)
	if err != nil {
		return nil, err
	}
	if d.status != cdtypes.DeploymentStatusInProgress && d.status != cdtypes.DeploymentStatusCreated {
		return nil, &smithy.GenericAPIError{Code: "DeploymentAlreadyCompletedException", Message: "The deployment is already completed"}
	}
	d.status, d.stopped = cdtypes.DeploymentStatusStopped, true
	return &codedeploy.StopDeploymentOutput{Status: cdtypes.StopStatusPending}, nil
}

// ListDeployments lists a group's deployments, newest first, with the
// statuses asked for.
func (c *CodeDeploy) ListDeployments(ctx context.Context, in *codedeploy.ListDeploymentsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error) {
	if err := c.enter(ctx, "ListDeployments"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &codedeploy.ListDeploymentsOutput{}
	for _, id := range slices.Backward(c.order) {
		d := c.deployments[id]
		if in.ApplicationName != nil && aws.ToString(d.in.ApplicationName) != aws.ToString(in.ApplicationName) ||
			in.DeploymentGroupName != nil && aws.ToString(d.in.DeploymentGroupName) != aws.ToString(in.DeploymentGroupName) {
			continue
		}
		if len(in.IncludeOnlyStatuses) > 0 && !slices.Contains(in.IncludeOnlyStatuses, d.status) {
			continue
		}
		out.Deployments = append(out.Deployments, id)
	}
	return out, nil
}
