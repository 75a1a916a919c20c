package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/awsjson"
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

// fakeTargets is a set of target groups whose targets go through states:
// each TargetHealth answers the next of states for a registered target
// (the last repeats), or of the group's own in groupStates; a
// deregistered target answers drained (draining for drainPolls answers
// first). done keeps what was done in each group, by name: "register
// T", "health", "deregister T".
type fakeTargets struct {
	log         *opLog
	mu          sync.Mutex
	states      []TargetHealth
	groupStates map[string][]TargetHealth
	drainPolls  int
	polls       map[string]int // group and target -> TargetHealth answers since registered
	gone        map[string]bool
	registered  []Target
	done        map[string][]string
}

func targetKey(tg string, t Target) string { return tg + " " + t.String() }

func (f *fakeTargets) RegisterTargets(_ context.Context, tg string, targets []Target) error {
	f.log.add("RegisterTargets")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registered = append(f.registered, targets...)
	for _, t := range targets {
		f.done[targetGroupName(tg)] = append(f.done[targetGroupName(tg)], "register "+t.String())
	}
	return nil
}

func (f *fakeTargets) DeregisterTargets(_ context.Context, tg string, targets []Target) error {
	f.log.add("DeregisterTargets")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range targets {
		f.gone[targetKey(tg, t)] = true
		f.polls[targetKey(tg, t)] = 0
		f.done[targetGroupName(tg)] = append(f.done[targetGroupName(tg)], "deregister "+t.String())
	}
	return nil
}

func (f *fakeTargets) TargetHealth(_ context.Context, tg string, targets []Target) ([]TargetHealth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	states := f.states
	if s, ok := f.groupStates[targetGroupName(tg)]; ok {
		states = s
	}
	if n := len(f.done[targetGroupName(tg)]); n == 0 || f.done[targetGroupName(tg)][n-1] != "health" {
		f.done[targetGroupName(tg)] = append(f.done[targetGroupName(tg)], "health")
	}
	var out []TargetHealth
	for _, t := range targets {
		f.polls[targetKey(tg, t)]++
		n := f.polls[targetKey(tg, t)]
		h := states[min(n, len(states))-1]
		if f.gone[targetKey(tg, t)] {
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
	targets := &fakeTargets{log: log, states: states, polls: map[string]int{}, gone: map[string]bool{}, done: map[string][]string{}}
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

// A service without a service definition: the canary runs as the service
// in ECS does (its capacity providers, placement, network, tags and ECS
// Exec setting), two tasks of it, both proven behind the service's load
// balancer and both stopped.
func TestCanaryOfARemoteService(t *testing.T) {
	c, api, targets, _, log, _ := canaryWorld(t, fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}})
	svc := &Service{Name: "web"} // no service_definition
	remote := &types.Service{ServiceName: aws.String("web"), PlatformVersion: aws.String("LATEST"), EnableExecuteCommand: true,
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 3},
			{CapacityProvider: aws.String("FARGATE"), Base: 1, Weight: 1}},
		PlacementConstraints: []types.PlacementConstraint{{Type: types.PlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.os-type == linux")}},
		PlacementStrategy:    []types.PlacementStrategy{{Type: types.PlacementStrategyTypeSpread, Field: aws.String("attribute:ecs.availability-zone")}},
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-9"},
			SecurityGroups: []string{"sg-9"}, AssignPublicIp: types.AssignPublicIpDisabled}},
		PropagateTags: types.PropagateTagsService,
		Tags:          []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(canaryTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}},
	}
	spec := goodCanary
	spec.Tasks, spec.HealthyFor = 2, 0
	res := c.Prove(context.Background(), "app", svc, remote, fakeaws.TaskDefinitionARN("web", 2), spec)
	if res.Err != nil || !res.Passed || !res.Stopped || len(res.Tasks) != 2 {
		t.Fatalf("result %+v", res)
	}
	in, err := awsjson.Marshal(api.RunTaskInputs())
	if err != nil {
		t.Fatal(err)
	}
	got := sortedJSON(t, in)
	// propagateTags SERVICE is left out: RunTask has no service to take
	// tags from.
	want := `[{"capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":3},{"base":1,"capacityProvider":"FARGATE","weight":1}],` +
		`"cluster":"app","count":2,"enableExecuteCommand":true,"group":"tamp-canary:web",` +
		`"networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"DISABLED","securityGroups":["sg-9"],"subnets":["subnet-9"]}},` +
		`"placementConstraints":[{"expression":"attribute:ecs.os-type == linux","type":"memberOf"}],` +
		`"placementStrategy":[{"field":"attribute:ecs.availability-zone","type":"spread"}],"platformVersion":"LATEST","startedBy":"tamp-canary",` +
		`"tags":[{"key":"team","value":"web"},{"key":"tamp:canary","value":"web"}],` +
		`"taskDefinition":"` + fakeaws.TaskDefinitionARN("web", 2) + `"}]`
	if got != sortedJSON(t, []byte(want)) {
		t.Errorf("RunTask\n got %s\nwant %s", got, want)
	}
	if len(targets.registered) != 2 || targets.registered[0] == targets.registered[1] {
		t.Errorf("registered %v, want both tasks", targets.registered)
	}
	if running := api.RunningTasks(); len(running) != 0 || api.Calls("StopTask") != 2 {
		t.Errorf("left running: %v (StopTask %d)", running, api.Calls("StopTask"))
	}
	if got := log.String(); got != "RunTask RegisterTargets DeregisterTargets StopTask StopTask" {
		t.Errorf("calls %q", got)
	}
}

// sortedJSON is a JSON document on one line, its keys sorted.
func sortedJSON(t *testing.T, b []byte) string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// Bridge and host tasks are registered as the EC2 instance of their
// container instance and the host port bound to the load balancer's
// container port.
func TestCanaryOfBridgeAndHostTasks(t *testing.T) {
	for _, tc := range []struct {
		mode     types.NetworkMode
		hostPort int32 // the port mapping's
		want     Target
	}{
		{mode: types.NetworkModeBridge, want: Target{ID: "i-00000000000000000000000000000001", Port: 32768 + 10 + 1}},
		{mode: types.NetworkModeBridge, hostPort: 8081, want: Target{ID: "i-00000000000000000000000000000001", Port: 8081}},
		{mode: types.NetworkModeHost, want: Target{ID: "i-00000000000000000000000000000001", Port: 8080}},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.mode, tc.hostPort), func(t *testing.T) {
			c, api, targets, _, log, _ := canaryWorld(t, fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}})
			mappings := []types.PortMapping{{ContainerPort: aws.Int32(9000)}, {ContainerPort: aws.Int32(8080), HostPort: aws.Int32(tc.hostPort)}}
			if tc.mode == types.NetworkModeHost {
				mappings[1].HostPort = nil
			}
			api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), NetworkMode: tc.mode, ContainerDefinitions: []types.ContainerDefinition{{
				Name: aws.String("app"), Image: aws.String("app:3"), PortMappings: mappings}}})
			svc := &Service{Name: "web", Input: &awsecs.CreateServiceInput{LaunchType: types.LaunchTypeEc2,
				LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(canaryTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}}}}
			spec := goodCanary
			spec.HealthyFor = 0
			res := c.Prove(context.Background(), "app", svc, nil, fakeaws.TaskDefinitionARN("web", 3), spec)
			if res.Err != nil || !res.Passed {
				t.Fatalf("result %+v", res)
			}
			if in := api.RunTaskInputs()[0]; in.LaunchType != types.LaunchTypeEc2 || in.NetworkConfiguration != nil {
				t.Errorf("RunTask %+v", in)
			}
			if len(targets.registered) != 1 || targets.registered[0] != tc.want {
				t.Errorf("registered %v, want %v", targets.registered, tc.want)
			}
			if api.Calls("DescribeContainerInstances") != 1 {
				t.Errorf("DescribeContainerInstances %d", api.Calls("DescribeContainerInstances"))
			}
			want := []string{"register " + tc.want.String(), "health", "deregister " + tc.want.String(), "health"}
			if got := targets.done["web"]; !slices.Equal(got, want) {
				t.Errorf("in the target group: %q, want %q", got, want)
			}
			if got := log.String(); got != "RunTask RegisterTargets DeregisterTargets StopTask" {
				t.Errorf("calls %q", got)
			}
		})
	}
}

// A service behind two load balancers: the canary is registered in both
// target groups (each with its container port), healthy in both before it
// passes, and deregistered from both, whether it passes or not.
func TestCanaryInTwoTargetGroups(t *testing.T) {
	const adminTG = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/admin/4567"
	lbs := []types.LoadBalancer{{TargetGroupArn: aws.String(canaryTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)},
		{TargetGroupArn: aws.String(adminTG), ContainerName: aws.String("app"), ContainerPort: aws.Int32(9090)}}
	web, admin := Target{ID: "10.0.0.2", Port: 8080}, Target{ID: "10.0.0.2", Port: 9090}

	t.Run("passes", func(t *testing.T) {
		c, api, targets, _, log, svc := canaryWorld(t, fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}})
		svc.Input.LoadBalancers = lbs
		// admin takes a poll longer to call it healthy.
		targets.groupStates = map[string][]TargetHealth{"admin": {{State: "initial"}, {State: "initial"}, {State: "healthy"}}}
		var lines []string
		c.Progress = func(_, line string) { lines = append(lines, line) }
		spec := goodCanary
		spec.HealthyFor = 0
		res := c.Prove(context.Background(), "app", svc, nil, fakeaws.TaskDefinitionARN("web", 2), spec)
		if res.Err != nil || !res.Passed || !slices.Equal(res.TargetGroups, []string{canaryTG, adminTG}) {
			t.Fatalf("result %+v\n%s", res, strings.Join(lines, "\n"))
		}
		want := map[string][]string{
			"web":   {"register " + web.String(), "health", "deregister " + web.String(), "health"},
			"admin": {"register " + admin.String(), "health", "deregister " + admin.String(), "health"},
		}
		for tg, w := range want {
			if got := targets.done[tg]; !slices.Equal(got, w) {
				t.Errorf("in %s: %q, want %q", tg, got, w)
			}
		}
		text := strings.Join(lines, "\n")
		for _, w := range []string{"canary registered in target group web: 10.0.0.2:8080\ncanary registered in target group admin: 10.0.0.2:9090",
			"canary target 10.0.0.2:9090 initial in admin\n", "canary healthy in web, admin\n", "canary deregistered from target group "} {
			if !strings.Contains(text, w) {
				t.Errorf("progress lacks %q:\n%s", w, text)
			}
		}
		// Still initial in admin: not passed then.
		if strings.Index(text, "canary healthy in web, admin") < strings.Index(text, "initial in admin") {
			t.Errorf("passed while admin had not called it healthy:\n%s", text)
		}
		if got := log.String(); got != "RunTask RegisterTargets RegisterTargets DeregisterTargets DeregisterTargets StopTask" {
			t.Errorf("calls %q", got)
		}
		if running := api.RunningTasks(); len(running) != 0 {
			t.Errorf("left running: %v", running)
		}
	})

	t.Run("unhealthy in the second", func(t *testing.T) {
		c, api, targets, _, log, svc := canaryWorld(t, fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}})
		svc.Input.LoadBalancers = lbs
		targets.groupStates = map[string][]TargetHealth{"admin": {{State: "initial"}, {State: "unhealthy", Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed with these codes: [404]"}}}
		spec := goodCanary
		spec.HealthyFor = 0
		res := c.Prove(context.Background(), "app", svc, nil, fakeaws.TaskDefinitionARN("web", 2), spec)
		if res.Passed || !strings.Contains(res.Reason, "target 10.0.0.2:9090 is unhealthy in target group admin: Target.ResponseCodeMismatch: Health checks failed with these codes: [404]") {
			t.Fatalf("result %+v", res)
		}
		for tg, target := range map[string]Target{"web": web, "admin": admin} {
			if got := targets.done[tg]; len(got) == 0 || got[len(got)-1] != "deregister "+target.String() {
				t.Errorf("in %s: %q, want it deregistered last", tg, got)
			}
		}
		if got := log.String(); got != "RunTask RegisterTargets RegisterTargets DeregisterTargets DeregisterTargets StopTask" {
			t.Errorf("calls %q", got)
		}
		if running := api.RunningTasks(); len(running) != 0 {
			t.Errorf("left running: %v", running)
		}
	})
}
