package appspec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/ecs"
)

// CodeDeployAPI is the part of CodeDeploy a deployment of an ECS service
// uses: finding its deployment group, creating the deployment, following
// its lifecycle events and stopping it.
type CodeDeployAPI interface {
	ListApplications(ctx context.Context, in *codedeploy.ListApplicationsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListApplicationsOutput, error)
	BatchGetApplications(ctx context.Context, in *codedeploy.BatchGetApplicationsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.BatchGetApplicationsOutput, error)
	ListDeploymentGroups(ctx context.Context, in *codedeploy.ListDeploymentGroupsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentGroupsOutput, error)
	BatchGetDeploymentGroups(ctx context.Context, in *codedeploy.BatchGetDeploymentGroupsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentGroupsOutput, error)
	CreateDeployment(ctx context.Context, in *codedeploy.CreateDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.CreateDeploymentOutput, error)
	GetDeployment(ctx context.Context, in *codedeploy.GetDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	ListDeploymentTargets(ctx context.Context, in *codedeploy.ListDeploymentTargetsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentTargetsOutput, error)
	GetDeploymentTarget(ctx context.Context, in *codedeploy.GetDeploymentTargetInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentTargetOutput, error)
	StopDeployment(ctx context.Context, in *codedeploy.StopDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error)
	ListDeployments(ctx context.Context, in *codedeploy.ListDeploymentsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error)
}

var _ CodeDeployAPI = (*codedeploy.Client)(nil)

// Group is a CodeDeploy application and deployment group.
type Group struct {
	Application, DeploymentGroup string
}

// FindGroup is the deployment group whose ECS service is cluster/service:
// the one a CODE_DEPLOY service deploys through when the config does not
// name it. Exactly one must match.
func FindGroup(ctx context.Context, api CodeDeployAPI, cluster, service string) (Group, error) {
	var apps []string
	for p := codedeploy.NewListApplicationsPaginator(api, &codedeploy.ListApplicationsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return Group{}, fmt.Errorf("codedeploy:ListApplications: %w", err)
		}
		apps = append(apps, out.Applications...)
	}
	var found []Group
	for batch := range slices.Chunk(apps, 100) {
		out, err := api.BatchGetApplications(ctx, &codedeploy.BatchGetApplicationsInput{ApplicationNames: batch})
		if err != nil {
			return Group{}, fmt.Errorf("codedeploy:BatchGetApplications: %w", err)
		}
		for _, app := range out.ApplicationsInfo {
			if app.ComputePlatform != cdtypes.ComputePlatformEcs {
				continue
			}
			groups, err := groupsOf(ctx, api, aws.ToString(app.ApplicationName), cluster, service)
			if err != nil {
				return Group{}, err
			}
			found = append(found, groups...)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Group{}, fmt.Errorf("no CodeDeploy deployment group deploys service %s of cluster %s; name it in the config (codedeploy: {application_name, deployment_group_name})", service, cluster)
	default:
		var names []string
		for _, g := range found {
			names = append(names, g.Application+"/"+g.DeploymentGroup)
		}
		return Group{}, fmt.Errorf("%d CodeDeploy deployment groups deploy service %s (%s); name one in the config (codedeploy: {application_name, deployment_group_name})",
			len(found), service, strings.Join(names, ", "))
	}
}

func groupsOf(ctx context.Context, api CodeDeployAPI, app, cluster, service string) ([]Group, error) {
	var names []string
	for p := codedeploy.NewListDeploymentGroupsPaginator(api, &codedeploy.ListDeploymentGroupsInput{ApplicationName: aws.String(app)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("codedeploy:ListDeploymentGroups %s: %w", app, err)
		}
		names = append(names, out.DeploymentGroups...)
	}
	var found []Group
	for batch := range slices.Chunk(names, 100) {
		out, err := api.BatchGetDeploymentGroups(ctx, &codedeploy.BatchGetDeploymentGroupsInput{ApplicationName: aws.String(app), DeploymentGroupNames: batch})
		if err != nil {
			return nil, fmt.Errorf("codedeploy:BatchGetDeploymentGroups %s: %w", app, err)
		}
		for _, g := range out.DeploymentGroupsInfo {
			for _, s := range g.EcsServices {
				if aws.ToString(s.ServiceName) == service && sameCluster(aws.ToString(s.ClusterName), cluster) {
					found = append(found, Group{Application: app, DeploymentGroup: aws.ToString(g.DeploymentGroupName)})
				}
			}
		}
	}
	return found, nil
}

// sameCluster compares cluster names, either of which may be an ARN.
func sameCluster(a, b string) bool {
	short := func(s string) string { return s[strings.LastIndex(s, "/")+1:] }
	return short(a) == short(b)
}

// Stage is how far a CodeDeploy deployment has come, for --wait-until:
// the deployment's end, or the moment traffic has moved to the new tasks
// (the original ones may still be kept for the termination wait), or a
// lifecycle event that has succeeded.
type Stage struct {
	Event string // a lifecycle event name ("AfterAllowTestTraffic"); "" with TrafficShifted false: the end
	// TrafficShifted: AllowTraffic has succeeded.
	TrafficShifted bool
}

// String is the stage as --wait-until takes it.
func (s Stage) String() string {
	switch {
	case s.TrafficShifted:
		return "traffic-shifted"
	case s.Event != "":
		return s.Event
	}
	return "deployed"
}

// ParseStage reads --wait-until for a CODE_DEPLOY service: "deployed" or
// "stable" (the deployment's end), "traffic-shifted", or a lifecycle event
// name of ECS blue/green deployments.
func ParseStage(s string) (Stage, error) {
	switch s {
	case "", "deployed", "stable":
		return Stage{}, nil
	case "traffic-shifted":
		return Stage{TrafficShifted: true}, nil
	}
	for _, e := range LifecycleEvents {
		if strings.EqualFold(s, e) {
			return Stage{Event: e}, nil
		}
	}
	if _, ok := ecs.StageUntil(s); ok {
		// A stage of ECS-native deployments: the end, for CodeDeploy.
		return Stage{}, nil
	}
	stages := make([]string, len(ecs.Stages))
	for i, st := range ecs.Stages {
		stages[i] = string(st)
	}
	return Stage{}, fmt.Errorf("--wait-until %q: use deployed, stable, traffic-shifted, a CodeDeploy lifecycle event (%s) or an ECS deployment lifecycle stage (%s)",
		s, strings.Join(LifecycleEvents, ", "), strings.Join(stages, ", "))
}

// LifecycleEvents are the lifecycle events of an ECS blue/green deployment,
// in the order CodeDeploy runs them.
var LifecycleEvents = []string{"BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}

// DeployOptions are a CodeDeploy deployment's settings.
type DeployOptions struct {
	Group Group
	// RollbackEvents turn on the deployment's automatic rollback for those
	// events (DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM,
	// DEPLOYMENT_STOP_ON_REQUEST); none leaves the group's setting.
	RollbackEvents []string
	Until          Stage
	NoWait         bool
	// Poll is the time between looks at the deployment (default 5 s).
	Poll  time.Duration
	Clock ecs.Clock
	// Progress gets one line per change seen: lifecycle events, traffic,
	// status.
	Progress func(line string)
}

// Result is what a CodeDeploy deployment came to.
type Result struct {
	DeploymentID string
	Status       string // CodeDeploy's: Succeeded, Failed, Stopped, InProgress (when the wait stopped at a stage)
}

// DeploymentFailedError is a deployment that CodeDeploy failed or stopped
// (or rolled back): exit 3, with CodeDeploy's reason.
type DeploymentFailedError struct {
	ID, Status, Reason string
}

func (e *DeploymentFailedError) Error() string {
	return fmt.Sprintf("CodeDeploy deployment %s %s: %s", e.ID, strings.ToLower(e.Status), e.Reason)
}

// Deploy creates a CodeDeploy deployment of appSpec (the document Build
// writes) and follows it until opts.Until. Ctrl-C stops the wait, not the
// deployment: the error then says how to follow it.
func Deploy(ctx context.Context, api CodeDeployAPI, appSpec []byte, opts DeployOptions) (Result, error) {
	in := &codedeploy.CreateDeploymentInput{
		ApplicationName:     aws.String(opts.Group.Application),
		DeploymentGroupName: aws.String(opts.Group.DeploymentGroup),
		Description:         aws.String("tamp deploy"),
		Revision: &cdtypes.RevisionLocation{
			RevisionType:   cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(string(appSpec))},
		},
	}
	if len(opts.RollbackEvents) > 0 {
		rb := &cdtypes.AutoRollbackConfiguration{Enabled: true}
		for _, e := range opts.RollbackEvents {
			rb.Events = append(rb.Events, cdtypes.AutoRollbackEvent(e))
		}
		in.AutoRollbackConfiguration = rb
	}
	out, err := api.CreateDeployment(ctx, in)
	if err != nil {
		return Result{}, fmt.Errorf("codedeploy:CreateDeployment %s/%s: %w", opts.Group.Application, opts.Group.DeploymentGroup, err)
	}
	res := Result{DeploymentID: aws.ToString(out.DeploymentId), Status: string(cdtypes.DeploymentStatusCreated)}
	say(opts, "CodeDeploy deployment %s created (%s/%s)", res.DeploymentID, opts.Group.Application, opts.Group.DeploymentGroup)
	if opts.NoWait {
		return res, nil
	}
	return Follow(ctx, api, res.DeploymentID, opts)
}

// RollbackEvents are the events --rollback-events takes.
var RollbackEvents = []string{string(cdtypes.AutoRollbackEventDeploymentFailure), string(cdtypes.AutoRollbackEventDeploymentStopOnAlarm), string(cdtypes.AutoRollbackEventDeploymentStopOnRequest)}

// Follow waits for deployment id to reach opts.Until, reporting each
// lifecycle event's status and the traffic weights as they change.
func Follow(ctx context.Context, api CodeDeployAPI, id string, opts DeployOptions) (Result, error) {
	clock := opts.Clock
	if clock == nil {
		clock = ecs.SystemClock{}
	}
	poll := opts.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	res := Result{DeploymentID: id}
	seen := map[string]string{} // lifecycle event -> status reported
	var lastStatus, lastTraffic string
	for {
		out, err := api.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		if err != nil {
			return res, interrupted(ctx, id, fmt.Errorf("codedeploy:GetDeployment %s: %w", id, err))
		}
		info := out.DeploymentInfo
		res.Status = string(info.Status)
		events, traffic, err := targets(ctx, api, id)
		if err != nil {
			return res, interrupted(ctx, id, err)
		}
		for _, e := range events {
			name, status := aws.ToString(e.LifecycleEventName), string(e.Status)
			if status == "" || status == string(cdtypes.LifecycleEventStatusPending) || seen[name] == status {
				continue
			}
			seen[name] = status
			line := fmt.Sprintf("lifecycle event %s: %s", name, status)
			if d := e.Diagnostics; d != nil && aws.ToString(d.Message) != "" {
				line += ": " + aws.ToString(d.Message)
			}
			say(opts, "%s", line)
		}
		if traffic != "" && traffic != lastTraffic {
			lastTraffic = traffic
			say(opts, "traffic: %s", traffic)
		}
		if res.Status != lastStatus {
			lastStatus = res.Status
			say(opts, "CodeDeploy deployment %s: %s", id, res.Status)
		}
		switch info.Status {
		case cdtypes.DeploymentStatusSucceeded:
			return res, nil
		case cdtypes.DeploymentStatusFailed, cdtypes.DeploymentStatusStopped:
			return res, &DeploymentFailedError{ID: id, Status: res.Status, Reason: reason(info)}
		}
		if reached(opts.Until, seen) {
			return res, nil
		}
		if err := clock.Sleep(ctx, poll); err != nil {
			return res, interrupted(ctx, id, err)
		}
	}
}

// reached tells whether the lifecycle events seen satisfy a stage short of
// the deployment's end.
func reached(until Stage, seen map[string]string) bool {
	ok := string(cdtypes.LifecycleEventStatusSucceeded)
	switch {
	case until.TrafficShifted:
		return seen["AllowTraffic"] == ok
	case until.Event != "":
		return seen[until.Event] == ok
	}
	return false
}

// targets reads the deployment's ECS target: its lifecycle events and the
// traffic weight of each task set ("blue 0%, green 100%").
func targets(ctx context.Context, api CodeDeployAPI, id string) ([]cdtypes.LifecycleEvent, string, error) {
	out, err := api.ListDeploymentTargets(ctx, &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(id)})
	if err != nil {
		return nil, "", fmt.Errorf("codedeploy:ListDeploymentTargets %s: %w", id, err)
	}
	if len(out.TargetIds) == 0 {
		return nil, "", nil // not created yet
	}
	t, err := api.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String(out.TargetIds[0])})
	if err != nil {
		return nil, "", fmt.Errorf("codedeploy:GetDeploymentTarget %s: %w", id, err)
	}
	ecsTarget := t.DeploymentTarget.EcsTarget
	if ecsTarget == nil {
		return nil, "", nil
	}
	var weights []string
	for _, ts := range ecsTarget.TaskSetsInfo {
		weights = append(weights, fmt.Sprintf("%s %g%%", strings.ToLower(string(ts.TaskSetLabel)), ts.TrafficWeight))
	}
	return ecsTarget.LifecycleEvents, strings.Join(weights, ", "), nil
}

func reason(info *cdtypes.DeploymentInfo) string {
	var parts []string
	if e := info.ErrorInformation; e != nil {
		parts = append(parts, strings.TrimSpace(string(e.Code)+" "+aws.ToString(e.Message)))
	}
	if rb := info.RollbackInfo; rb != nil && aws.ToString(rb.RollbackMessage) != "" {
		parts = append(parts, aws.ToString(rb.RollbackMessage))
	}
	if len(parts) == 0 {
		return "CodeDeploy gave no reason"
	}
	return strings.Join(parts, "; ")
}

// interrupted says, when the wait was cut short by Ctrl-C, that the
// deployment goes on and how to follow it.
func interrupted(ctx context.Context, id string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return &ecs.CodeDeployWaitStopped{ID: id, Err: ctx.Err()}
}

// Stop stops a deployment in progress, with CodeDeploy rolling it back.
func Stop(ctx context.Context, api CodeDeployAPI, id string) error {
	_, err := api.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String(id), AutoRollbackEnabled: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("codedeploy:StopDeployment %s: %w", id, err)
	}
	return nil
}

func say(opts DeployOptions, format string, args ...any) {
	if opts.Progress != nil {
		opts.Progress(fmt.Sprintf(format, args...))
	}
}

// Deployer is ecs.CodeDeployer over CodeDeploy: for each CODE_DEPLOY
// service it builds the AppSpec (as `tamp appspec` prints it, with the
// config's hooks), finds the deployment group (the config's, else the one
// deploying the service), creates the deployment and follows it.
type Deployer struct {
	API CodeDeployAPI
	// Groups are the deployment groups the config names, by service.
	Groups         map[string]Group
	Hooks          []any
	RollbackEvents []string
	Until          Stage
	Poll           time.Duration
	Clock          ecs.Clock
	// Progress gets each service's progress lines.
	Progress func(service, line string)
}

var _ ecs.CodeDeployer = (*Deployer)(nil)

// Deploy deploys taskDefinition to svc through CodeDeploy.
func (d *Deployer) Deploy(ctx context.Context, svc *ecstypes.Service, taskDefinition string, opts ecs.DeployOptions) (ecs.CodeDeployment, error) {
	name := aws.ToString(svc.ServiceName)
	spec, err := Build(svc, taskDefinition, d.Hooks)
	if err != nil {
		return ecs.CodeDeployment{}, err
	}
	group, err := d.group(ctx, opts.Cluster, name)
	if err != nil {
		return ecs.CodeDeployment{}, err
	}
	res, err := Deploy(ctx, d.API, spec, DeployOptions{
		Group: group, RollbackEvents: d.RollbackEvents, Until: d.Until, NoWait: opts.NoWait, Poll: d.Poll, Clock: d.Clock,
		Progress: func(line string) {
			if d.Progress != nil {
				d.Progress(name, line)
			}
		},
	})
	cd := ecs.CodeDeployment{ID: res.DeploymentID, Status: res.Status}
	if err != nil {
		return cd, fmt.Errorf("service %s: %w", name, err)
	}
	if res.Status != string(cdtypes.DeploymentStatusSucceeded) && !opts.NoWait {
		cd.Reached = d.Until.String()
	}
	return cd, nil
}

// group is the deployment group of a service: the config's, else the one
// whose ECS service it is.
func (d *Deployer) group(ctx context.Context, cluster, service string) (Group, error) {
	if g, ok := d.Groups[service]; ok {
		return g, nil
	}
	return FindGroup(ctx, d.API, cluster, service)
}

// InProgress are the statuses of a deployment that has not ended.
var InProgress = []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusQueued,
	cdtypes.DeploymentStatusInProgress, cdtypes.DeploymentStatusReady, cdtypes.DeploymentStatusBaking}

// Active are the deployments of group that have not ended, newest first
// (as CodeDeploy lists them).
func Active(ctx context.Context, api CodeDeployAPI, group Group) ([]string, error) {
	var ids []string
	in := &codedeploy.ListDeploymentsInput{ApplicationName: aws.String(group.Application),
		DeploymentGroupName: aws.String(group.DeploymentGroup), IncludeOnlyStatuses: InProgress}
	for {
		out, err := api.ListDeployments(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("codedeploy:ListDeployments %s/%s: %w", group.Application, group.DeploymentGroup, err)
		}
		ids = append(ids, out.Deployments...)
		if out.NextToken == nil {
			return ids, nil
		}
		in.NextToken = out.NextToken
	}
}

// Stop stops svc's CodeDeploy deployments in progress, CodeDeploy rolling
// each back to the original task set.
func (d *Deployer) Stop(ctx context.Context, svc *ecstypes.Service, cluster string) (bool, error) {
	name := aws.ToString(svc.ServiceName)
	group, err := d.group(ctx, cluster, name)
	if err != nil {
		return false, err
	}
	ids, err := Active(ctx, d.API, group)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if err := Stop(ctx, d.API, id); err != nil {
			return false, err
		}
		if d.Progress != nil {
			d.Progress(name, fmt.Sprintf("stopped CodeDeploy deployment %s with rollback", id))
		}
	}
	return len(ids) > 0, nil
}

// Latest is where the newest CodeDeploy deployment of svc stands: the one
// in progress, else the group's last attempted one.
func (d *Deployer) Latest(ctx context.Context, cluster, service string) ecs.CodeDeploymentStatus {
	group, err := d.group(ctx, cluster, service)
	if err != nil {
		return ecs.CodeDeploymentStatus{Error: err.Error()}
	}
	ids, err := Active(ctx, d.API, group)
	if err != nil {
		return ecs.CodeDeploymentStatus{Error: err.Error()}
	}
	id := ""
	if len(ids) > 0 {
		id = ids[0]
	} else {
		out, err := d.API.BatchGetDeploymentGroups(ctx, &codedeploy.BatchGetDeploymentGroupsInput{
			ApplicationName: aws.String(group.Application), DeploymentGroupNames: []string{group.DeploymentGroup}})
		if err != nil {
			return ecs.CodeDeploymentStatus{Error: fmt.Sprintf("codedeploy:BatchGetDeploymentGroups %s/%s: %v", group.Application, group.DeploymentGroup, err)}
		}
		for _, g := range out.DeploymentGroupsInfo {
			if last := g.LastAttemptedDeployment; last != nil {
				id = aws.ToString(last.DeploymentId)
			}
		}
	}
	if id == "" {
		return ecs.CodeDeploymentStatus{}
	}
	out, err := d.API.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		return ecs.CodeDeploymentStatus{ID: id, Error: fmt.Sprintf("codedeploy:GetDeployment %s: %v", id, err)}
	}
	st := ecs.CodeDeploymentStatus{ID: id, Status: string(out.DeploymentInfo.Status)}
	switch out.DeploymentInfo.Status {
	case cdtypes.DeploymentStatusFailed, cdtypes.DeploymentStatusStopped:
		st.Reason = reason(out.DeploymentInfo)
	}
	events, traffic, err := targets(ctx, d.API, id)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	st.Traffic = traffic
	for _, e := range events {
		st.Events = append(st.Events, ecs.LifecycleEventStatus{Name: aws.ToString(e.LifecycleEventName), Status: string(e.Status)})
	}
	return st
}

// Follow follows service's CodeDeploy deployment in progress to its end
// (for `tamp wait`); found is false when none is in progress.
func (d *Deployer) Follow(ctx context.Context, cluster, service string) (bool, error) {
	group, err := d.group(ctx, cluster, service)
	if err != nil {
		return false, err
	}
	ids, err := Active(ctx, d.API, group)
	if err != nil || len(ids) == 0 {
		return false, err
	}
	_, err = Follow(ctx, d.API, ids[0], DeployOptions{Group: group, Poll: d.Poll, Clock: d.Clock, Progress: func(line string) {
		if d.Progress != nil {
			d.Progress(service, line)
		}
	}})
	if err != nil {
		return true, fmt.Errorf("service %s: %w", service, err)
	}
	return true, nil
}
