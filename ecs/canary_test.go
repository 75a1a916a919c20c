package ecs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// opLog keeps the calls the canary made, in order, across the ECS and
// ELB fakes.
type opLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *opLog) add(op string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, op)
}

func (l *opLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.ops, " ")
}

// loggedECS records the mutating calls of the fake ECS.
type loggedECS struct {
	*fakeaws.ECS
	log *opLog
}

func (e loggedECS) RunTask(ctx context.Context, in *awsecs.RunTaskInput, opts ...func(*awsecs.Options)) (*awsecs.RunTaskOutput, error) {
	e.log.add("RunTask")
	return e.ECS.RunTask(ctx, in, opts...)
}

func (e loggedECS) StopTask(ctx context.Context, in *awsecs.StopTaskInput, opts ...func(*awsecs.Options)) (*awsecs.StopTaskOutput, error) {
	e.log.add("StopTask")
	return e.ECS.StopTask(ctx, in, opts...)
}

// fakeTargets is a target group whose targets go through states: each
// TargetHealth answers the next of states for a registered target (the
// last repeats); a deregistered target answers drained (draining for
// drainPolls answers first).
type fakeTargets struct {
	log        *opLog
	mu         sync.Mutex
	states     []TargetHealth
	drainPolls int
	polls      map[string]int // target -> TargetHealth answers since registered
	gone       map[string]bool
	registered []Target
}

func (f *fakeTargets) RegisterTargets(_ context.Context, tg string, targets []Target) error {
	f.log.add("RegisterTargets")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registered = append(f.registered, targets...)
	return nil
}

func (f *fakeTargets) DeregisterTargets(_ context.Context, tg string, targets []Target) error {
	f.log.add("DeregisterTargets")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range targets {
		f.gone[t.String()] = true
		f.polls[t.String()] = 0
	}
	return nil
}

func (f *fakeTargets) TargetHealth(_ context.Context, tg string, targets []Target) ([]TargetHealth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []TargetHealth
	for _, t := range targets {
		f.polls[t.String()]++
		n := f.polls[t.String()]
		h := f.states[min(n, len(f.states))-1]
		if f.gone[t.String()] {
			h = TargetHealth{State: "unused", Reason: "Target.NotRegistered"}
			if n <= f.drainPolls {
				h = TargetHealth{State: "draining", Reason: "Target.DeregistrationInProgress"}
			}
		}
		h.Target = t
		out = append(out, h)
	}
	return out, nil
}

const canaryTG = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/0123"

// canaryWorld is a service behind a load balancer whose new revision
// web:2 has a health-checked, awslogs-logging container.
func canaryWorld(t *testing.T, run fakeaws.TaskRun, states ...TargetHealth) (*Canary, *fakeaws.ECS, *fakeTargets, *fakeaws.Logs, *opLog, *Service) {
	t.Helper()
	api, log := fakeaws.NewECS(), &opLog{}
	api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc})
	api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc, ContainerDefinitions: []types.ContainerDefinition{{
		Name: aws.String("app"), Image: aws.String("app:2"), Essential: aws.Bool(true),
		HealthCheck: &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -f localhost"}},
		LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web"}}}}})
	api.SetTaskRun("web", run)
	if len(states) == 0 {
		states = []TargetHealth{{State: "initial", Reason: "Elb.RegistrationInProgress"}, {State: "healthy"}}
	}
	targets := &fakeTargets{log: log, states: states, polls: map[string]int{}, gone: map[string]bool{}}
	logs := fakeaws.NewLogs()
	svc := &Service{Name: "web", Input: &awsecs.CreateServiceInput{
		LaunchType: types.LaunchTypeFargate, PlatformVersion: aws.String("1.4.0"), EnableExecuteCommand: true,
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
		Tags:                 []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String(canaryTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}},
	}}
	c := &Canary{API: loggedECS{api, log}, Targets: targets, Clock: fakeaws.NewClock(), First: time.Second, Max: time.Second,
		Logs: func(context.Context, string) (LogsAPI, error) { return logs, nil }}
	return c, api, targets, logs, log, svc
}

var goodCanary = CanarySpec{Tasks: 1, HealthyFor: 30 * time.Second, Timeout: 5 * time.Minute, TargetGroup: true}

// A good canary: started where the service runs, healthy by its health
// check and stays so for healthy_for, then healthy in the target group;
// deregistered and stopped before Prove returns.
func TestCanaryPasses(t *testing.T) {
	c, api, targets, _, log, svc := canaryWorld(t, fakeaws.TaskRun{Hang: true,
		Health: []types.HealthStatus{types.HealthStatusUnknown, types.HealthStatusHealthy}})
	var lines []string
	c.Progress = func(service, line string) { lines = append(lines, service+": "+line) }
	res := c.Prove(context.Background(), "app", svc, nil, fakeaws.TaskDefinitionARN("web", 2), goodCanary)
	if res.Err != nil || !res.Passed || !res.Stopped {
		t.Fatalf("result %+v\n%s", res, strings.Join(lines, "\n"))
	}
	if got := log.String(); got != "RunTask RegisterTargets DeregisterTargets StopTask" {
		t.Errorf("calls %q", got)
	}
	in := api.RunTaskInputs()[0]
	if aws.ToString(in.TaskDefinition) != fakeaws.TaskDefinitionARN("web", 2) || in.LaunchType != types.LaunchTypeFargate ||
		aws.ToString(in.PlatformVersion) != "1.4.0" || !in.EnableExecuteCommand || in.NetworkConfiguration == nil ||
		aws.ToString(in.StartedBy) != "tamp-canary" || len(in.Tags) != 2 || aws.ToString(in.Tags[1].Key) != "tamp:canary" {
		t.Errorf("RunTask %+v", in)
	}
	if len(targets.registered) != 1 || targets.registered[0] != (Target{ID: "10.0.0.2", Port: 8080}) {
		t.Errorf("registered %v", targets.registered)
	}
	if running := api.RunningTasks(); len(running) != 0 {
		t.Errorf("left running: %v", running)
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"web: canary web:2 started: ", ", app UNKNOWN", ", app HEALTHY", "web: canary healthy; watching it for 30s",
		"web: canary registered in target group web: 10.0.0.2:8080", "web: canary target 10.0.0.2:8080 initial in web", "web: canary healthy in web",
		"web: canary deregistered from target group web", "web: canary stopped: "} {
		if !strings.Contains(text, want) {
			t.Errorf("progress lacks %q:\n%s", want, text)
		}
	}
	// healthy_for was kept: HEALTHY from the second poll, then 30 s more.
	if slept := c.Clock.(*fakeaws.Clock).Slept(); slept < 30*time.Second {
		t.Errorf("slept %s, less than healthy_for", slept)
	}
}

// Each way a canary fails: the reason says what happened, its last log
// lines are kept, and no task is left running or registered.
func TestCanaryFails(t *testing.T) {
	cases := []struct {
		name    string
		run     fakeaws.TaskRun
		states  []TargetHealth
		spec    CanarySpec
		reason  string
		targets bool // it got as far as the target group
	}{
		{name: "container exits", run: fakeaws.TaskRun{Polls: 2, ExitCode: 1},
			reason: "canary task 00000000000000000000000000000001 stopped: Essential container in task exited (EssentialContainerExited); container app exited with code 1"},
		{name: "health check unhealthy", run: fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusUnknown, types.HealthStatusUnhealthy}},
			reason: "canary task 00000000000000000000000000000001: container app's health check is UNHEALTHY"},
		{name: "turns unhealthy while watched", run: fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy, types.HealthStatusHealthy, types.HealthStatusUnhealthy}},
			reason: "container app's health check is UNHEALTHY"},
		{name: "never healthy", run: fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusUnknown}},
			reason: "the canary was not healthy (00000000000000000000000000000001 RUNNING, app UNKNOWN) within 5m0s"},
		{name: "unhealthy in the target group", run: fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}},
			states: []TargetHealth{{State: "initial"}, {State: "unhealthy", Reason: "Target.Timeout", Description: "Request timed out"}}, targets: true,
			reason: "target 10.0.0.2:8080 is unhealthy in target group web: Target.Timeout: Request timed out"},
		{name: "never healthy in the target group", run: fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}},
			states: []TargetHealth{{State: "initial", Reason: "Elb.RegistrationInProgress"}}, targets: true,
			reason: "the load balancer did not call the canary healthy (10.0.0.2:8080 initial in web) within 5m0s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, api, targets, logs, log, svc := canaryWorld(t, tc.run, tc.states...)
			logs.Append("/ecs/web", "web/app/00000000000000000000000000000001", "booting", "listening on :8080")
			spec := goodCanary
			spec.HealthyFor = 10 * time.Second
			res := c.Prove(context.Background(), "app", svc, nil, fakeaws.TaskDefinitionARN("web", 2), spec)
			var proof *ProofError
			if res.Passed || res.Err == nil || !errors.As(res.Err, &proof) || !res.Stopped {
				t.Fatalf("result %+v", res)
			}
			if !strings.Contains(res.Reason, tc.reason) || !strings.HasPrefix(res.Err.Error(), "canary of web (web:2): ") {
				t.Errorf("reason %q, error %q; want %q", res.Reason, res.Err, tc.reason)
			}
			if strings.Join(res.LogLines, "|") != "app: booting|app: listening on :8080" {
				t.Errorf("log lines %q", res.LogLines)
			}
			if running := api.RunningTasks(); len(running) != 0 {
				t.Errorf("left running: %v", running)
			}
			want := "RunTask StopTask"
			if tc.targets {
				want = "RunTask RegisterTargets DeregisterTargets StopTask"
			}
			if log.String() != want {
				t.Errorf("calls %q, want %q", log, want)
			}
			_ = targets
		})
	}
}

// Ctrl-C while the canary is watched stops it (with a context of its
// own) and the error is the interruption.
func TestCanaryInterrupted(t *testing.T) {
	c, api, _, _, _, svc := canaryWorld(t, fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusUnknown}})
	ctx, cancel := context.WithCancel(context.Background())
	c.Progress = func(_, line string) {
		if strings.Contains(line, "UNKNOWN") {
			cancel()
		}
	}
	res := c.Prove(ctx, "app", svc, nil, fakeaws.TaskDefinitionARN("web", 2), goodCanary)
	if !errors.Is(res.Err, context.Canceled) || res.Passed || !res.Stopped {
		t.Fatalf("result %+v", res)
	}
	if running := api.RunningTasks(); len(running) != 0 || api.Calls("StopTask") != 1 {
		t.Errorf("left running: %v (StopTask %d)", running, api.Calls("StopTask"))
	}
}

// A passed canary whose target drains longer than the drain wait is left
// to drain: Prove returns (the deploy goes on) and Wait returns once the
// canary has drained and been stopped.
func TestCanaryDrainsInTheBackground(t *testing.T) {
	c, api, targets, _, _, svc := canaryWorld(t, fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}})
	targets.drainPolls = 30 // 30 s of draining at 1 s polls: longer than the 10 s wait
	spec := goodCanary
	spec.HealthyFor = 0
	res := c.Prove(context.Background(), "app", svc, nil, fakeaws.TaskDefinitionARN("web", 2), spec)
	if res.Err != nil || !res.Passed {
		t.Fatalf("result %+v", res)
	}
	if api.Calls("StopTask") != 0 {
		t.Errorf("stopped while still draining")
	}
	c.Wait()
	if running := api.RunningTasks(); len(running) != 0 || api.Calls("StopTask") != 1 {
		t.Errorf("left running after Wait: %v", running)
	}
}

// Bridge-mode tasks are registered as their EC2 instance and host port.
func TestCanaryTargetOfBridgeTask(t *testing.T) {
	task := types.Task{TaskArn: aws.String("arn:aws:ecs:r:1:task/app/abc"), ContainerInstanceArn: aws.String("arn:aws:ecs:r:1:container-instance/app/ci1"),
		Containers: []types.Container{{Name: aws.String("app"), NetworkBindings: []types.NetworkBinding{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(32768)}}}}}
	lb := types.LoadBalancer{TargetGroupArn: aws.String(canaryTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(80)}
	got, err := targetOf(task, lb, types.NetworkModeBridge, map[string]string{"arn:aws:ecs:r:1:container-instance/app/ci1": "i-0abc"})
	if err != nil || got != (Target{ID: "i-0abc", Port: 32768}) {
		t.Errorf("target %v, %v", got, err)
	}
	lb.ContainerPort = aws.Int32(81)
	if _, err := targetOf(task, lb, types.NetworkModeBridge, map[string]string{"arn:aws:ecs:r:1:container-instance/app/ci1": "i-0abc"}); err == nil ||
		!strings.Contains(err.Error(), "container app has no host port bound to port 81") {
		t.Errorf("unbound port: %v", err)
	}
}
