package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// Until is when a deployment counts as done.
type Until string

const (
	// UntilDeployed: the PRIMARY deployment runs the new revision and its
	// rollout is COMPLETED.
	UntilDeployed Until = "deployed"
	// UntilStable: deployed, running = desired, and no other deployment left.
	UntilStable Until = "stable"
)

// DeploymentFailedError is a deployment ECS gave up on or rolled back.
type DeploymentFailedError struct {
	Service string
	Reason  string
}

func (e *DeploymentFailedError) Error() string {
	return fmt.Sprintf("service %s: deployment failed: %s", e.Service, e.Reason)
}

// WaitTimeoutError is a wait that ran out of time; State says where the
// deployment stood.
type WaitTimeoutError struct {
	Service string
	State   string
	After   time.Duration
}

func (e *WaitTimeoutError) Error() string {
	return fmt.Sprintf("service %s: still not done after %s (%s); the deployment goes on in AWS: follow it with `tamp wait` or `tamp status`",
		e.Service, e.After.Round(time.Second), e.State)
}

// Clock is time as the waiter sees it; tests replace it.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

func (SystemClock) Sleep(ctx context.Context, d time.Duration) error { return awsclient.Sleep(ctx, d) }

// Progress is one observation of a deployment, or one new service event.
type Progress struct {
	Service  string
	Revision string // family:revision of the deployment followed
	Rollout  string // IN_PROGRESS, COMPLETED, FAILED
	Desired  int32
	Pending  int32
	Running  int32
	Failed   int32
	// Stage and Traffic: an ECS-native blue/green, linear or canary
	// deployment's lifecycle stage and the production traffic share of its
	// new revision ("25%"), as the service deployments API says.
	Stage   string
	Traffic string
	Event   string // a new service event's message, when this reports one
	At      time.Time
}

// Waiter follows a service's deployment to its end.
type Waiter struct {
	API      API
	Clock    Clock
	Progress func(Progress) // called for each change and each new event; may be nil
	// First is the pause before the second poll (the first is immediate);
	// it grows by half each poll up to Max.
	First, Max time.Duration
}

func (w *Waiter) intervals() (first, max time.Duration) {
	first, max = w.First, w.Max
	if first <= 0 {
		first = time.Second
	}
	if max <= 0 {
		max = 15 * time.Second
	}
	return first, max
}

// Deployment names the deployment to follow: by ID when the change's
// answer gave one (a rollback of the same revision is then not mistaken for
// it), else the PRIMARY deployment of TaskDefinition.
type Deployment struct {
	ID             string
	TaskDefinition string // ARN
}

// DeploymentOf is the PRIMARY deployment in a service description (the one
// a CreateService or UpdateService answer says it started).
func DeploymentOf(svc *types.Service, taskDefinition string) Deployment {
	d := Deployment{TaskDefinition: taskDefinition}
	if svc != nil {
		for _, dep := range svc.Deployments {
			if aws.ToString(dep.Status) == "PRIMARY" && aws.ToString(dep.TaskDefinition) == taskDefinition {
				d.ID = aws.ToString(dep.Id)
			}
		}
	}
	return d
}

// graceNotSeen is how many polls a deployment may be missing from the
// service's description before that means it is gone: the API is
// eventually consistent right after a change.
const graceNotSeen = 3

// Wait follows a deployment on service until until holds, the deployment
// fails, or ctx ends. since is when the change was made: older service
// events are not reported, nor are the events listed in known (those the
// service had before the change).
func (w *Waiter) Wait(ctx context.Context, cluster, service string, dep Deployment, until Until, since time.Time, known ...types.ServiceEvent) error {
	_, err := w.wait(ctx, cluster, service, dep, until, since, known...)
	return err
}

// wait is Wait, also saying which lifecycle stage it stopped at while the
// deployment goes on ("" when it waited to the end).
func (w *Waiter) wait(ctx context.Context, cluster, service string, dep Deployment, until Until, since time.Time, known ...types.ServiceEvent) (string, error) {
	clock := w.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	interval, maxInterval := w.intervals()
	start := clock.Now()
	seenEvents := map[string]bool{}
	for _, e := range known {
		seenEvents[aws.ToString(e.Id)] = true
	}
	var last Progress
	polls := 0
	stages := true // asked of the service deployments API until it does not answer
	for first := true; ; first = false {
		if !first {
			if err := clock.Sleep(ctx, interval); err != nil {
				return "", w.stopped(ctx, service, last, clock.Now().Sub(start))
			}
			interval = min(interval*3/2, maxInterval)
		}
		out, err := w.API.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
		if err != nil {
			if ctx.Err() != nil {
				return "", w.stopped(ctx, service, last, clock.Now().Sub(start))
			}
			return "", fmt.Errorf("service %s: follow the deployment: %w", service, err)
		}
		if len(out.Services) == 0 {
			return "", fmt.Errorf("service %s: not found in cluster %s", service, cluster)
		}
		svc := &out.Services[0]
		w.reportEvents(svc, since, seenEvents)
		polls++
		done, p, err := judge(svc, dep, until, polls)
		reached := ""
		var failed *DeploymentFailedError
		if errors.As(err, &failed) {
			failed.Reason += w.ecsReason(ctx, cluster, service, since, failed.Reason)
		} else if stages && !done && nativeStrategy(svc) {
			// Optional: without the service deployments API the rollout
			// state alone decides, and the stage is not shown.
			sd, serr := w.serviceDeployment(ctx, cluster, service, since)
			stages = serr == nil
			if sd != nil {
				stageProgress(&p, sd)
				if done = stageReached(until, sd); done {
					reached = string(until)
				}
			}
		}
		p.Service, p.At = service, clock.Now()
		if p != last.withoutTime(p.At) && w.Progress != nil {
			w.Progress(p)
		}
		last = p
		if err != nil || done {
			return reached, err
		}
	}
}

func (p Progress) withoutTime(at time.Time) Progress {
	p.At = at
	return p
}

// ecsReason asks the service deployments API, where it answers, why ECS
// ended the latest deployment: " (ECS: <reason>)", or "" when it has
// nothing more to say than known already.
func (w *Waiter) ecsReason(ctx context.Context, cluster, service string, since time.Time, known string) string {
	sd, err := w.serviceDeployment(ctx, cluster, service, since)
	if err != nil || sd == nil {
		return ""
	}
	var parts []string
	if reason := aws.ToString(sd.StatusReason); reason != "" && !strings.Contains(known, reason) {
		parts = append(parts, reason)
	}
	if hooks := failedHooks(sd); hooks != "" {
		parts = append(parts, hooks)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (ECS: " + strings.Join(parts, "; ") + ")"
}

// stopped explains why waiting ended early: the timeout, or Ctrl-C.
func (w *Waiter) stopped(ctx context.Context, service string, last Progress, waited time.Duration) error {
	state := "no answer yet"
	if last.Revision != "" {
		state = fmt.Sprintf("%s %s, running %d of %d", last.Revision, last.Rollout, last.Running, last.Desired)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &WaitTimeoutError{Service: service, State: state, After: waited}
	}
	return fmt.Errorf("service %s: stopped waiting (%s); the deployment goes on in AWS: follow it with `tamp wait` or `tamp status`: %w",
		service, state, ctx.Err())
}

// reportEvents reports service events newer than since, each once, oldest
// first (ECS lists them newest first).
func (w *Waiter) reportEvents(svc *types.Service, since time.Time, seen map[string]bool) {
	events := slices.Clone(svc.Events)
	slices.Reverse(events)
	for _, e := range events {
		id := aws.ToString(e.Id)
		if seen[id] || (e.CreatedAt != nil && e.CreatedAt.Before(since)) {
			continue
		}
		seen[id] = true
		if w.Progress != nil {
			w.Progress(Progress{Service: aws.ToString(svc.ServiceName), Event: aws.ToString(e.Message), At: aws.ToTime(e.CreatedAt)})
		}
	}
}

// judge decides from one description (the polls-th) whether the
// deployment is done, still going, or failed.
func judge(svc *types.Service, dep Deployment, until Until, polls int) (bool, Progress, error) {
	if usesTaskSets(svc) {
		return judgeTaskSets(svc, dep, until, polls)
	}
	name := aws.ToString(svc.ServiceName)
	var ours, primary *types.Deployment
	for i := range svc.Deployments {
		d := &svc.Deployments[i]
		if aws.ToString(d.Status) == "PRIMARY" {
			primary = d
		}
		switch {
		case dep.ID != "":
			if aws.ToString(d.Id) == dep.ID {
				ours = d
			}
		case aws.ToString(d.TaskDefinition) == dep.TaskDefinition && (ours == nil || aws.ToString(d.Status) == "PRIMARY"):
			ours = d
		}
	}
	p := Progress{Revision: revisionOf(dep.TaskDefinition), Desired: svc.DesiredCount, Pending: svc.PendingCount, Running: svc.RunningCount}
	if ours == nil {
		if polls < graceNotSeen {
			return false, p, nil
		}
		reason := "the deployment is gone"
		if primary != nil {
			reason = fmt.Sprintf("ECS rolled back to %s", revisionOf(aws.ToString(primary.TaskDefinition)))
		}
		return false, p, &DeploymentFailedError{Service: name, Reason: reason + lastFailure(svc)}
	}
	p.Rollout = string(ours.RolloutState)
	p.Desired, p.Pending, p.Running, p.Failed = ours.DesiredCount, ours.PendingCount, ours.RunningCount, ours.FailedTasks
	switch {
	case ours.RolloutState == types.DeploymentRolloutStateFailed:
		reason := aws.ToString(ours.RolloutStateReason)
		if reason == "" {
			reason = "rollout FAILED"
		}
		return false, p, &DeploymentFailedError{Service: name, Reason: reason + lastFailure(svc)}
	case aws.ToString(ours.Status) != "PRIMARY":
		reason := "replaced by a newer deployment"
		if primary != nil {
			reason = fmt.Sprintf("replaced by a deployment of %s", revisionOf(aws.ToString(primary.TaskDefinition)))
		}
		return false, p, &DeploymentFailedError{Service: name, Reason: reason + lastFailure(svc)}
	case ours.RolloutState == types.DeploymentRolloutStateCompleted:
		if until == UntilStable && (len(svc.Deployments) > 1 || svc.RunningCount != svc.DesiredCount) {
			return false, p, nil
		}
		return true, p, nil
	case ours.RolloutState == "":
		// No rollout state (a service behind a Classic Load Balancer, say):
		// done when it is the only deployment and runs what it should.
		p.Rollout = "STEADY?"
		if len(svc.Deployments) == 1 && ours.RunningCount == ours.DesiredCount && ours.PendingCount == 0 {
			p.Rollout = "STEADY"
			return true, p, nil
		}
	}
	return false, p, nil
}

// usesTaskSets tells a service whose deployments are task sets (CodeDeploy
// or an external controller) rather than ECS deployments.
func usesTaskSets(svc *types.Service) bool {
	if c := svc.DeploymentController; c != nil {
		return c.Type == types.DeploymentControllerTypeCodeDeploy || c.Type == types.DeploymentControllerTypeExternal
	}
	return false
}

// primaryTaskSet is the task set serving production traffic, or nil.
func primaryTaskSet(svc *types.Service) *types.TaskSet {
	for i := range svc.TaskSets {
		if aws.ToString(svc.TaskSets[i].Status) == "PRIMARY" {
			return &svc.TaskSets[i]
		}
	}
	return nil
}

// judgeTaskSets decides for a task-set service: done when the PRIMARY task
// set runs the task definition and has reached a steady state (and, for
// UntilStable, is the only task set).
func judgeTaskSets(svc *types.Service, dep Deployment, until Until, polls int) (bool, Progress, error) {
	name := aws.ToString(svc.ServiceName)
	p := Progress{Revision: revisionOf(dep.TaskDefinition), Desired: svc.DesiredCount, Pending: svc.PendingCount, Running: svc.RunningCount}
	primary := primaryTaskSet(svc)
	if primary == nil || aws.ToString(primary.TaskDefinition) != dep.TaskDefinition {
		if polls < graceNotSeen {
			return false, p, nil
		}
		reason := "no task set runs it"
		if primary != nil {
			reason = fmt.Sprintf("the PRIMARY task set runs %s", revisionOf(aws.ToString(primary.TaskDefinition)))
		}
		return false, p, &DeploymentFailedError{Service: name, Reason: reason + lastFailure(svc)}
	}
	p.Desired, p.Pending, p.Running = primary.ComputedDesiredCount, primary.PendingCount, primary.RunningCount
	p.Rollout = string(primary.StabilityStatus)
	steady := primary.StabilityStatus == types.StabilityStatusSteadyState && primary.RunningCount == primary.ComputedDesiredCount
	if !steady || (until == UntilStable && len(svc.TaskSets) > 1) {
		return false, p, nil
	}
	return true, p, nil
}

// lastFailure quotes the newest service event that explains a failure,
// preferring one that says what failed over one that says what ECS did.
func lastFailure(svc *types.Service) string {
	for _, hints := range [][]string{
		{"fail", "unable", "error", "unhealthy", "stopped"},
		{"rolling back", "circuit breaker"},
	} {
		for _, e := range svc.Events {
			msg := aws.ToString(e.Message)
			lower := strings.ToLower(msg)
			for _, hint := range hints {
				if strings.Contains(lower, hint) {
					return " (" + msg + ")"
				}
			}
		}
	}
	return ""
}

// revisionOf shortens a task definition ARN to family:revision.
func revisionOf(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}
