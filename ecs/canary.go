package ecs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// CanarySpec says how a service's canary runs.
type CanarySpec struct {
	Tasks      int32         // canary tasks (1 to 10)
	HealthyFor time.Duration // how long they must stay healthy
	Timeout    time.Duration // bound on the whole canary, from RunTask
	// TargetGroup also proves the tasks in each of the service's target
	// groups: registered, healthy by the load balancer's own checks,
	// deregistered.
	TargetGroup bool
}

// The canary's defaults, where the config and the flags say nothing.
const (
	DefaultCanaryHealthyFor = 10 * time.Second
	DefaultCanaryTimeout    = 5 * time.Minute
	// canaryDrainWait bounds how long a passed canary waits for its
	// targets to drain before the deploy goes on; the canary is stopped
	// when they have drained, and the deploy waits for that at its end.
	canaryDrainWait = 10 * time.Second
	// canaryLogLines is how many of a failed canary's last log lines are
	// kept, per container.
	canaryLogLines = 20
)

// CanaryAPI is the part of ECS a canary uses.
type CanaryAPI interface {
	RunAPI
	StopTask(ctx context.Context, in *awsecs.StopTaskInput, optFns ...func(*awsecs.Options)) (*awsecs.StopTaskOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *awsecs.DescribeTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
	DescribeContainerInstances(ctx context.Context, in *awsecs.DescribeContainerInstancesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeContainerInstancesOutput, error)
}

var _ CanaryAPI = (*awsecs.Client)(nil)

// Canary proves a new revision before a service runs it: canary tasks of
// the revision start next to the service, where and as its tasks run, and
// must become healthy (their containers' health checks, and, behind a
// load balancer, the target groups' checks) and stay so. Whatever happens,
// they are stopped.
type Canary struct {
	API CanaryAPI
	// Targets proves tasks in target groups; nil: services behind a load
	// balancer cannot be proven there, and say so.
	Targets TargetsAPI
	// Logs hands out a CloudWatch Logs client for a region ("" is the
	// project's), to keep a failed canary's last log lines; nil: none.
	Logs  func(ctx context.Context, region string) (LogsAPI, error)
	Clock Clock
	// First and Max bound the pause between polls, as for Waiter.
	First, Max time.Duration
	// Progress is told each step, by service.
	Progress func(service, line string)

	drains sync.WaitGroup // passed canaries draining from their target groups
}

// CanaryResult is how a service's canary went.
type CanaryResult struct {
	Service        string   `json:"service"`
	TaskDefinition string   `json:"task_definition"`
	Tasks          []string `json:"tasks"`
	TargetGroups   []string `json:"target_groups,omitempty"`
	Passed         bool     `json:"passed"`
	// Reason is why it failed; LogLines its containers' last log lines
	// ("container: line").
	Reason   string   `json:"reason,omitempty"`
	LogLines []string `json:"log_lines,omitempty"`
	// Stopped says every canary task was stopped (or had stopped), or
	// is being stopped once drained (Wait tells when).
	Stopped bool  `json:"stopped"`
	Err     error `json:"-"`
}

// ProofError is a deploy stopped before any service changed: a canary
// that failed or a pre-deploy task that did not exit 0.
type ProofError struct {
	What string // "canary of web (web:5)", "deploy.before[0] (migrate: python manage.py migrate)"
	Err  error
}

func (e *ProofError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *ProofError) Unwrap() error { return e.Err }

// Wait waits for the passed canaries still draining to be stopped.
func (c *Canary) Wait() { c.drains.Wait() }

func (c *Canary) say(service, format string, args ...any) {
	if c.Progress != nil {
		c.Progress(service, fmt.Sprintf(format, args...))
	}
}

func (c *Canary) clock() Clock {
	if c.Clock == nil {
		return SystemClock{}
	}
	return c.Clock
}

// canaryRun is one canary in flight.
type canaryRun struct {
	c          *Canary
	service    string
	cluster    string
	spec       CanarySpec
	containers []types.ContainerDefinition
	mode       types.NetworkMode
	lbs        []types.LoadBalancer
	deadline   time.Time
	interval   time.Duration
	maxPause   time.Duration
	tasks      []string
	registered map[string][]Target // target group -> targets registered
	res        *CanaryResult
}

// Prove runs the canary of svc on revision arn, in cluster. remote is the
// service as ECS has it (nil for one to create): where the config has no
// service definition, the canary runs as the service in ECS does.
func (c *Canary) Prove(ctx context.Context, cluster string, svc *Service, remote *types.Service, arn string, spec CanarySpec) (res CanaryResult) {
	res = CanaryResult{Service: svc.Name, TaskDefinition: arn, Stopped: true} // nothing runs yet
	in, lbs := canaryInput(cluster, svc, remote, arn, spec)
	first, maxPause := (&Waiter{First: c.First, Max: c.Max}).intervals()
	run := &canaryRun{c: c, service: svc.Name, cluster: cluster, spec: spec, lbs: lbs, interval: first, maxPause: maxPause,
		deadline: c.clock().Now().Add(spec.Timeout), registered: map[string][]Target{}, res: &res}
	fail := func(err error) CanaryResult {
		res.Err = &ProofError{What: fmt.Sprintf("canary of %s (%s)", svc.Name, revisionOf(arn)), Err: err}
		if res.Reason == "" {
			res.Reason = err.Error()
		}
		return res
	}
	td, err := c.API.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil {
		return fail(fmt.Errorf("task definition %s: %w", revisionOf(arn), err))
	}
	run.containers, run.mode = td.TaskDefinition.ContainerDefinitions, td.TaskDefinition.NetworkMode
	if spec.TargetGroup && len(lbs) > 0 && c.Targets == nil {
		return fail(errors.New("the service is behind a load balancer but this deploy cannot reach Elastic Load Balancing; set target_group: false to prove the canary by its health checks alone"))
	}

	out, err := c.API.RunTask(ctx, in)
	if err != nil {
		return fail(fmt.Errorf("start: %w", err))
	}
	for _, t := range out.Tasks {
		run.tasks = append(run.tasks, aws.ToString(t.TaskArn))
	}
	res.Tasks = run.tasks
	// From here on the tasks run: stop them whatever happens, unless a
	// passed canary hands them to its drain.
	handedOff := false
	defer func() {
		if !handedOff {
			run.stop(ctx, res.Passed)
		}
	}()
	if len(out.Failures) > 0 {
		var reasons []string
		for _, f := range out.Failures {
			reasons = append(reasons, strings.TrimSpace(aws.ToString(f.Reason)+" "+aws.ToString(f.Detail)))
		}
		return fail(fmt.Errorf("%d of %d canary tasks failed to start: %s", len(out.Failures), spec.Tasks, strings.Join(reasons, "; ")))
	}
	c.say(svc.Name, "canary %s started: %s", revisionOf(arn), strings.Join(taskIDs(run.tasks), ", "))

	tasks, err := run.untilHealthy(ctx)
	if err != nil {
		res.LogLines = run.lastLines(ctx, tasks)
		return fail(err)
	}
	if spec.TargetGroup && len(lbs) > 0 {
		if err := run.inTargetGroups(ctx, tasks); err != nil {
			res.LogLines = run.lastLines(ctx, tasks)
			return fail(err)
		}
	}
	res.Passed = true
	c.say(svc.Name, "canary %s passed", revisionOf(arn))
	handedOff = true // drain stops it
	if run.drain(ctx) {
		return res
	}
	res.Stopped = true // once drained
	c.drains.Add(1)
	go func() {
		defer c.drains.Done()
		run.drainRest(ctx)
	}()
	return res
}

// canaryInput is the RunTask request for a service's canary: the
// service's launch type or capacity providers, platform version, network,
// placement, tags and ECS Exec setting, from its definition (or, without
// one, from ECS); and the load balancers to prove it behind.
func canaryInput(cluster string, svc *Service, remote *types.Service, arn string, spec CanarySpec) (*awsecs.RunTaskInput, []types.LoadBalancer) {
	in := &awsecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String(arn), Count: aws.Int32(spec.Tasks),
		StartedBy: aws.String("tamp-canary"), Group: aws.String("tamp-canary:" + svc.Name)}
	var tags []types.Tag
	var lbs []types.LoadBalancer
	switch {
	case svc.Input != nil:
		s := svc.Input
		in.LaunchType, in.CapacityProviderStrategy, in.PlatformVersion = s.LaunchType, s.CapacityProviderStrategy, s.PlatformVersion
		in.NetworkConfiguration, in.PlacementConstraints, in.PlacementStrategy = s.NetworkConfiguration, s.PlacementConstraints, s.PlacementStrategy
		in.EnableExecuteCommand, in.PropagateTags, tags, lbs = s.EnableExecuteCommand, s.PropagateTags, s.Tags, s.LoadBalancers
	case remote != nil:
		s := remote
		in.LaunchType, in.CapacityProviderStrategy, in.PlatformVersion = s.LaunchType, s.CapacityProviderStrategy, s.PlatformVersion
		in.NetworkConfiguration, in.PlacementConstraints, in.PlacementStrategy = s.NetworkConfiguration, s.PlacementConstraints, s.PlacementStrategy
		in.EnableExecuteCommand, in.PropagateTags, tags, lbs = s.EnableExecuteCommand, s.PropagateTags, s.Tags, s.LoadBalancers
	}
	if in.PropagateTags == types.PropagateTagsService {
		in.PropagateTags = "" // RunTask has no service to take tags from
	}
	in.Tags = append(slices.Clone(tags), types.Tag{Key: aws.String("tamp:canary"), Value: aws.String(svc.Name)})
	return in, slices.DeleteFunc(slices.Clone(lbs), func(lb types.LoadBalancer) bool { return aws.ToString(lb.TargetGroupArn) == "" })
}

// pause sleeps until the next poll; past the deadline it says so.
func (r *canaryRun) pause(ctx context.Context, waiting string) error {
	clock := r.c.clock()
	if !clock.Now().Before(r.deadline) {
		return fmt.Errorf("%s within %s", waiting, r.spec.Timeout)
	}
	if err := clock.Sleep(ctx, min(r.interval, max(r.deadline.Sub(clock.Now()), time.Millisecond))); err != nil {
		return err
	}
	r.interval = min(r.interval*3/2, r.maxPause)
	return nil
}

// describe reads the canary's tasks, failing when one has stopped or a
// container's health check says UNHEALTHY. healthy says every task runs
// and every essential container with a health check is HEALTHY.
func (r *canaryRun) describe(ctx context.Context) (tasks []types.Task, healthy bool, status string, err error) {
	out, err := r.c.API.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: aws.String(r.cluster), Tasks: r.tasks})
	if err != nil {
		return nil, false, "", fmt.Errorf("describe the canary: %w", err)
	}
	checked := map[string]bool{}
	for _, cd := range r.containers {
		if cd.HealthCheck != nil && (cd.Essential == nil || *cd.Essential) {
			checked[aws.ToString(cd.Name)] = true
		}
	}
	healthy = len(out.Tasks) == len(r.tasks)
	var states []string
	for _, t := range out.Tasks {
		id := revisionOf(aws.ToString(t.TaskArn))
		if aws.ToString(t.LastStatus) == "STOPPED" {
			return out.Tasks, false, "", fmt.Errorf("canary task %s stopped: %s", id, stoppedWhy(t))
		}
		state := id + " " + aws.ToString(t.LastStatus)
		if aws.ToString(t.LastStatus) != "RUNNING" {
			healthy = false
		}
		for _, ct := range t.Containers {
			name := aws.ToString(ct.Name)
			if !checked[name] {
				continue
			}
			state += fmt.Sprintf(", %s %s", name, ct.HealthStatus)
			switch ct.HealthStatus {
			case types.HealthStatusUnhealthy:
				return out.Tasks, false, "", fmt.Errorf("canary task %s: container %s's health check is UNHEALTHY", id, name)
			case types.HealthStatusHealthy:
			default:
				healthy = false
			}
		}
		states = append(states, state)
	}
	return out.Tasks, healthy, strings.Join(states, "; "), nil
}

// stoppedWhy is a stopped task's reason and its containers' exit codes.
func stoppedWhy(t types.Task) string {
	why := aws.ToString(t.StoppedReason)
	if t.StopCode != "" {
		why += " (" + string(t.StopCode) + ")"
	}
	for _, ct := range t.Containers {
		switch {
		case ct.ExitCode != nil:
			why += fmt.Sprintf("; container %s exited with code %d", aws.ToString(ct.Name), *ct.ExitCode)
		case aws.ToString(ct.Reason) != "":
			why += fmt.Sprintf("; container %s: %s", aws.ToString(ct.Name), aws.ToString(ct.Reason))
		}
	}
	return why
}

// untilHealthy waits until every canary task runs with its checked
// containers HEALTHY, and stays so for HealthyFor.
func (r *canaryRun) untilHealthy(ctx context.Context) ([]types.Task, error) {
	clock := r.c.clock()
	var since time.Time
	last := ""
	for {
		tasks, healthy, status, err := r.describe(ctx)
		if err != nil {
			return tasks, err
		}
		if status != last {
			r.c.say(r.service, "canary %s", status)
			last = status
		}
		switch {
		case !healthy:
			since = time.Time{}
		case since.IsZero():
			since = clock.Now()
			if r.spec.HealthyFor > 0 {
				r.c.say(r.service, "canary healthy; watching it for %s", r.spec.HealthyFor)
			}
		}
		if healthy && clock.Now().Sub(since) >= r.spec.HealthyFor {
			return tasks, nil
		}
		waiting := "the canary was not healthy"
		if !since.IsZero() {
			waiting = fmt.Sprintf("the canary did not stay healthy for %s", r.spec.HealthyFor)
		}
		if err := r.pause(ctx, waiting+" ("+status+")"); err != nil {
			return tasks, err
		}
	}
}

// inTargetGroups registers the canary tasks in each of the service's
// target groups and waits until the load balancer calls every one
// healthy, the tasks still running and healthy meanwhile.
func (r *canaryRun) inTargetGroups(ctx context.Context, tasks []types.Task) error {
	targets, err := r.targetsOf(ctx, tasks)
	if err != nil {
		return err
	}
	for _, lb := range r.lbs {
		tg := aws.ToString(lb.TargetGroupArn)
		want := targets[lbKey(lb)]
		if err := r.c.Targets.RegisterTargets(ctx, tg, want); err != nil {
			return fmt.Errorf("register the canary in target group %s: %w", targetGroupName(tg), err)
		}
		r.registered[tg] = append(r.registered[tg], want...)
		r.res.TargetGroups = append(r.res.TargetGroups, tg)
		r.c.say(r.service, "canary registered in target group %s: %s", targetGroupName(tg), targetList(want))
	}
	last := ""
	for {
		pending := []string{}
		for _, tg := range slices.Sorted(maps.Keys(r.registered)) {
			health, err := r.c.Targets.TargetHealth(ctx, tg, r.registered[tg])
			if err != nil {
				return fmt.Errorf("target health in %s: %w", targetGroupName(tg), err)
			}
			for _, h := range health {
				switch {
				case h.State == "healthy":
				case h.State == "unhealthy", h.Reason == "Target.NotInUse", h.Reason == "Target.InvalidState":
					return fmt.Errorf("target %s is %s in target group %s: %s", h.Target, h.State, targetGroupName(tg), reasonOf(h))
				default:
					pending = append(pending, fmt.Sprintf("%s %s in %s", h.Target, h.State, targetGroupName(tg)))
				}
			}
		}
		if len(pending) == 0 {
			r.c.say(r.service, "canary healthy in %s", strings.Join(targetGroupNames(r.res.TargetGroups), ", "))
			return nil
		}
		if status := strings.Join(pending, "; "); status != last {
			r.c.say(r.service, "canary target %s", status)
			last = status
		}
		if err := r.pause(ctx, "the load balancer did not call the canary healthy ("+strings.Join(pending, "; ")+")"); err != nil {
			return err
		}
		if _, _, _, err := r.describe(ctx); err != nil {
			return err
		}
	}
}

func reasonOf(h TargetHealth) string {
	return strings.TrimPrefix(strings.TrimSuffix(h.Reason+": "+h.Description, ": "), ": ")
}

func lbKey(lb types.LoadBalancer) string {
	return aws.ToString(lb.TargetGroupArn) + "\x00" + aws.ToString(lb.ContainerName) + "\x00" + fmt.Sprint(aws.ToInt32(lb.ContainerPort))
}

// targetsOf are the canary tasks as each load balancer's targets: the
// task's address with awsvpc, the container instance's EC2 instance and
// the host port otherwise.
func (r *canaryRun) targetsOf(ctx context.Context, tasks []types.Task) (map[string][]Target, error) {
	instances := map[string]string{} // container instance ARN -> EC2 instance ID
	if r.mode != types.NetworkModeAwsvpc {
		var arns []string
		for _, t := range tasks {
			if a := aws.ToString(t.ContainerInstanceArn); a != "" && !slices.Contains(arns, a) {
				arns = append(arns, a)
			}
		}
		if len(arns) > 0 {
			out, err := r.c.API.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{Cluster: aws.String(r.cluster), ContainerInstances: arns})
			if err != nil {
				return nil, fmt.Errorf("the canary's container instances: %w", err)
			}
			for _, ci := range out.ContainerInstances {
				instances[aws.ToString(ci.ContainerInstanceArn)] = aws.ToString(ci.Ec2InstanceId)
			}
		}
	}
	targets := map[string][]Target{}
	for _, lb := range r.lbs {
		for _, t := range tasks {
			target, err := targetOf(t, lb, r.mode, instances)
			if err != nil {
				return nil, err
			}
			targets[lbKey(lb)] = append(targets[lbKey(lb)], target)
		}
	}
	return targets, nil
}

func targetOf(t types.Task, lb types.LoadBalancer, mode types.NetworkMode, instances map[string]string) (Target, error) {
	id, port := revisionOf(aws.ToString(t.TaskArn)), aws.ToInt32(lb.ContainerPort)
	if mode == types.NetworkModeAwsvpc {
		for _, a := range t.Attachments {
			if aws.ToString(a.Type) != "ElasticNetworkInterface" {
				continue
			}
			for _, d := range a.Details {
				if aws.ToString(d.Name) == "privateIPv4Address" && aws.ToString(d.Value) != "" {
					return Target{ID: aws.ToString(d.Value), Port: port}, nil
				}
			}
		}
		return Target{}, fmt.Errorf("canary task %s has no private IPv4 address to register", id)
	}
	instance := instances[aws.ToString(t.ContainerInstanceArn)]
	if instance == "" {
		return Target{}, fmt.Errorf("canary task %s runs on no EC2 instance tamp can register (launch type %s)", id, t.LaunchType)
	}
	for _, ct := range t.Containers {
		if aws.ToString(ct.Name) != aws.ToString(lb.ContainerName) {
			continue
		}
		for _, b := range ct.NetworkBindings {
			if aws.ToInt32(b.ContainerPort) == port && aws.ToInt32(b.HostPort) != 0 {
				return Target{ID: instance, Port: aws.ToInt32(b.HostPort)}, nil
			}
		}
	}
	return Target{}, fmt.Errorf("canary task %s: container %s has no host port bound to port %d", id, aws.ToString(lb.ContainerName), port)
}

// drain deregisters a passed canary from its target groups and waits,
// at most canaryDrainWait, until the load balancer has drained it (at
// once when it has no requests in flight), then stops it. false: still
// draining; drainRest finishes.
func (r *canaryRun) drain(ctx context.Context) bool {
	if len(r.registered) == 0 {
		r.stop(ctx, true)
		return true
	}
	r.deregister(ctx)
	clock := r.c.clock()
	until := clock.Now().Add(canaryDrainWait)
	for r.draining(ctx) {
		if !clock.Now().Before(until) {
			r.c.say(r.service, "canary draining from its target groups; the deploy goes on and stops it once drained")
			return false
		}
		if clock.Sleep(ctx, min(r.interval, until.Sub(clock.Now()))) != nil {
			break
		}
	}
	r.stop(ctx, true)
	return true
}

// drainRest waits for the drain to end (the target groups' deregistration
// delay at most, bounded by the canary's deadline), then stops the canary;
// on Ctrl-C it stops it at once.
func (r *canaryRun) drainRest(ctx context.Context) {
	clock := r.c.clock()
	for r.draining(ctx) && clock.Now().Before(r.deadline) {
		if clock.Sleep(ctx, r.maxPause) != nil {
			break
		}
	}
	r.stop(ctx, true)
}

// draining tells a target of the canary still draining.
func (r *canaryRun) draining(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	for tg, targets := range r.registered {
		health, err := r.c.Targets.TargetHealth(ctx, tg, targets)
		if err != nil {
			return false
		}
		if slices.ContainsFunc(health, func(h TargetHealth) bool { return h.State == "draining" }) {
			return true
		}
	}
	return false
}

// deregister takes the canary out of the target groups it was put in.
func (r *canaryRun) deregister(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for tg, targets := range r.registered {
		if err := r.c.Targets.DeregisterTargets(ctx, tg, targets); err != nil {
			r.c.say(r.service, "warning: the canary could not be deregistered from %s (%v); deregister %s there", targetGroupName(tg), err, targetList(targets))
			continue
		}
		r.c.say(r.service, "canary deregistered from target group %s", targetGroupName(tg))
	}
}

// stop stops the canary tasks, with a context of its own: Ctrl-C must not
// leave them running. A failed canary leaves its target groups first.
func (r *canaryRun) stop(ctx context.Context, passed bool) {
	if !passed && len(r.registered) > 0 {
		r.deregister(ctx)
		r.registered = map[string][]Target{}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	reason := "tamp: canary of " + r.service + " done"
	if !passed {
		reason = "tamp: canary of " + r.service + " failed"
	}
	stopped := true
	for _, arn := range r.tasks {
		_, err := r.c.API.StopTask(ctx, &awsecs.StopTaskInput{Cluster: aws.String(r.cluster), Task: aws.String(arn), Reason: aws.String(reason)})
		if err != nil {
			stopped = false
			r.c.say(r.service, "warning: canary task %s could not be stopped (%v); stop it with aws ecs stop-task --cluster %s --task %s", revisionOf(arn), err, r.cluster, arn)
		}
	}
	r.res.Stopped = stopped
	if len(r.tasks) > 0 && stopped {
		r.c.say(r.service, "canary stopped: %s", strings.Join(taskIDs(r.tasks), ", "))
	}
}

// lastLines are the last log lines of the canary's containers that log
// with awslogs (the first task's), "container: line".
func (r *canaryRun) lastLines(ctx context.Context, tasks []types.Task) []string {
	if r.c.Logs == nil || len(r.tasks) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var lines []string
	for _, cd := range r.containers {
		group, region, stream, ok := AwslogsStream(cd, r.tasks[0])
		if !ok {
			continue
		}
		api, err := r.c.Logs(ctx, region)
		if err != nil {
			continue
		}
		var got []string
		f := &LogFollower{API: api, Group: group, Stream: stream, Print: func(line string) { got = append(got, line) }}
		if f.Poll(ctx) != nil {
			continue
		}
		for _, line := range got[max(0, len(got)-canaryLogLines):] {
			lines = append(lines, aws.ToString(cd.Name)+": "+line)
		}
	}
	return lines
}

func taskIDs(arns []string) []string {
	ids := make([]string, len(arns))
	for i, a := range arns {
		ids[i] = revisionOf(a)
	}
	return ids
}

// targetGroupName is the name in a target group ARN
// (...:targetgroup/NAME/ID), or the ARN.
func targetGroupName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":targetgroup/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	return arn
}

func targetGroupNames(arns []string) []string {
	names := make([]string, len(arns))
	for i, a := range arns {
		names[i] = targetGroupName(a)
	}
	return names
}

func targetList(targets []Target) string {
	parts := make([]string, len(targets))
	for i, t := range targets {
		parts[i] = t.String()
	}
	return strings.Join(parts, ", ")
}
