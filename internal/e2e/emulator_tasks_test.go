package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
)

// The launcher's tasks (internal/e2e/mototasks.py), driven through the AWS
// SDK as tamp drives them. Sleeps are short; a test that needs to see a
// task still RUNNING gives it a few tenths of a second, which a loaded
// machine could exceed: the failure then says the task had already ended.

// emu is one test's account in moto: its clients, network and cluster.
type emu struct {
	t   *testing.T
	ctx context.Context
	ecs *ecs.Client
	elb *elb.Client
	log *cloudwatchlogs.Client
	net map[string]string
	cfg aws.Config
}

func newEmu(t *testing.T) *emu {
	t.Helper()
	t.Parallel()
	px, _ := newAccount(t)
	cfg := proxyConfig(px)
	e := &emu{t: t, ctx: context.Background(), ecs: ecs.NewFromConfig(cfg), elb: elb.NewFromConfig(cfg), log: cloudwatchlogs.NewFromConfig(cfg), cfg: cfg}
	ids, err := seedNetwork(e.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.net = ids
	for _, c := range []string{"app", "other"} {
		if err := seedCluster(e.ctx, cfg, c); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// container is a container definition: a command run by sh -c, and a
// CMD-SHELL health check unless check is "".
func container(name, image, script, check string, essential bool) ecstypes.ContainerDefinition {
	cd := ecstypes.ContainerDefinition{Name: aws.String(name), Image: aws.String(image), Memory: aws.Int32(128),
		Essential: aws.Bool(essential), Command: []string{"sh", "-c", script},
		LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": "/ecs/emu", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "emu"}}}
	if check != "" {
		cd.HealthCheck = &ecstypes.HealthCheck{Command: []string{"CMD-SHELL", check}}
	}
	return cd
}

// register registers family with the containers; awsvpc makes it a
// Fargate task definition.
func (e *emu) register(family string, awsvpc bool, containers ...ecstypes.ContainerDefinition) string {
	e.t.Helper()
	in := &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: containers}
	if awsvpc {
		in.NetworkMode = ecstypes.NetworkModeAwsvpc
		in.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityFargate}
		in.Cpu, in.Memory = aws.String("256"), aws.String("512")
	}
	out, err := e.ecs.RegisterTaskDefinition(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// run starts one task of td in cluster app; awsvpc tasks go to SUBNET_A.
func (e *emu) run(td string, awsvpc bool, change func(*ecs.RunTaskInput)) ecstypes.Task {
	e.t.Helper()
	in := &ecs.RunTaskInput{Cluster: aws.String("app"), TaskDefinition: aws.String(td)}
	if awsvpc {
		in.LaunchType = ecstypes.LaunchTypeFargate
		in.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{e.net["SUBNET_A"]}, SecurityGroups: []string{e.net["SECURITY_GROUP"]}}}
	}
	if change != nil {
		change(in)
	}
	out, err := e.ecs.RunTask(e.ctx, in)
	if err != nil {
		e.t.Fatalf("RunTask: %v", err)
	}
	if len(out.Tasks) != 1 || len(out.Failures) != 0 {
		e.t.Fatalf("RunTask: %d tasks, failures %v", len(out.Tasks), out.Failures)
	}
	return out.Tasks[0]
}

func (e *emu) describe(arn string, include ...ecstypes.TaskField) ecstypes.Task {
	e.t.Helper()
	out, err := e.ecs.DescribeTasks(e.ctx, &ecs.DescribeTasksInput{Cluster: aws.String("app"), Tasks: []string{arn}, Include: include})
	if err != nil {
		e.t.Fatalf("DescribeTasks: %v", err)
	}
	if len(out.Tasks) != 1 {
		e.t.Fatalf("DescribeTasks %s: %d tasks, failures %v", arn, len(out.Tasks), out.Failures)
	}
	return out.Tasks[0]
}

// until describes the task until ok says so, for at most 10 s.
func (e *emu) until(arn, what string, ok func(ecstypes.Task) bool) ecstypes.Task {
	e.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		task := e.describe(arn)
		if ok(task) {
			return task
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("task %s: not %s after 10s: %s", arn, what, show(task))
		}
	}
}

func stopped(t ecstypes.Task) bool { return aws.ToString(t.LastStatus) == "STOPPED" }

func byName(t *testing.T, task ecstypes.Task, name string) ecstypes.Container {
	t.Helper()
	for _, c := range task.Containers {
		if aws.ToString(c.Name) == name {
			return c
		}
	}
	t.Fatalf("task has no container %s: %s", name, show(task))
	return ecstypes.Container{}
}

// show sums a task up for failure messages.
func show(t ecstypes.Task) string {
	s := fmt.Sprintf("last %s desired %s health %s stop %s %q;", aws.ToString(t.LastStatus), aws.ToString(t.DesiredStatus),
		t.HealthStatus, t.StopCode, aws.ToString(t.StoppedReason))
	for _, c := range t.Containers {
		code := "-"
		if c.ExitCode != nil {
			code = fmt.Sprint(*c.ExitCode)
		}
		s += fmt.Sprintf(" %s %s exit %s health %s;", aws.ToString(c.Name), aws.ToString(c.LastStatus), code, c.HealthStatus)
	}
	return s
}

func (e *emu) logLines(task ecstypes.Task, container string) []string {
	e.t.Helper()
	id := aws.ToString(task.TaskArn)[strings.LastIndexByte(aws.ToString(task.TaskArn), '/')+1:]
	out, err := e.log.GetLogEvents(e.ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/emu"),
		LogStreamName: aws.String("emu/" + container + "/" + id), StartFromHead: aws.Bool(true)})
	if err != nil {
		e.t.Fatalf("GetLogEvents: %v", err)
	}
	var lines []string
	for _, ev := range out.Events {
		lines = append(lines, aws.ToString(ev.Message))
	}
	return lines
}

func wantRunning(t *testing.T, task ecstypes.Task) {
	t.Helper()
	if aws.ToString(task.LastStatus) != "RUNNING" || aws.ToString(task.DesiredStatus) != "RUNNING" || task.StartedAt == nil || task.StoppedAt != nil {
		t.Fatalf("want a RUNNING task with startedAt (if STOPPED, the machine may be too slow for the test's sleep): %s", show(task))
	}
}

// A container that sleeps keeps the task RUNNING, logging what it printed
// before the sleep; when the sleep is over it prints the rest and exits,
// and the task stops with the sidecar killed.
func TestEmulatorSleepingTask(t *testing.T) {
	e := newEmu(t)
	td := e.register("sleeper", false,
		container("app", "app:1", "echo before; sleep 0.6; echo after; exit 3", "", true),
		container("sidecar", "side:1", "echo side; sleep infinity", "", false),
		container("init", "init:1", "echo init done; exit 0", "", false))
	started := e.run(td, false, nil)
	if aws.ToString(started.LastStatus) != "PROVISIONING" || aws.ToString(started.DesiredStatus) != "RUNNING" {
		t.Fatalf("RunTask answered %s", show(started))
	}
	arn := aws.ToString(started.TaskArn)
	task := e.describe(arn)
	wantRunning(t, task)
	if app := byName(t, task, "app"); aws.ToString(app.LastStatus) != "RUNNING" || app.ExitCode != nil {
		t.Errorf("app while sleeping: %s", show(task))
	}
	if init := byName(t, task, "init"); aws.ToString(init.LastStatus) != "STOPPED" || aws.ToInt32(init.ExitCode) != 0 || init.ExitCode == nil {
		t.Errorf("a non-essential container that ended: %s", show(task))
	}
	if got := e.logLines(task, "app"); !slices.Equal(got, []string{"before"}) {
		t.Errorf("app's log while sleeping: %q, want [before]", got)
	}
	if tasks, err := runningTasks(e.ctx, e.cfg); err != nil || !slices.Contains(tasks, arn) {
		t.Errorf("ListTasks (RUNNING) while it runs: %v %v", tasks, err)
	}

	task = e.until(arn, "STOPPED", stopped)
	if aws.ToString(task.DesiredStatus) != "STOPPED" || task.StopCode != ecstypes.TaskStopCodeEssentialContainerExited ||
		aws.ToString(task.StoppedReason) != "Essential container in task exited" || task.StoppedAt == nil || task.StartedAt == nil {
		t.Errorf("stopped task: %s", show(task))
	}
	for name, code := range map[string]int32{"app": 3, "sidecar": 137, "init": 0} {
		c := byName(t, task, name)
		if aws.ToString(c.LastStatus) != "STOPPED" || c.ExitCode == nil || *c.ExitCode != code {
			t.Errorf("container %s: want STOPPED with exit code %d: %s", name, code, show(task))
		}
	}
	if got := e.logLines(task, "app"); !slices.Equal(got, []string{"before", "after"}) {
		t.Errorf("app's log: %q, want [before after]", got)
	}
	if got := e.logLines(task, "sidecar"); !slices.Equal(got, []string{"side"}) {
		t.Errorf("sidecar's log: %q, want [side]", got)
	}
}

// A task whose essential container ends at once is STOPPED the first time
// it is described, as before sleeps existed.
func TestEmulatorTaskEndsAtOnce(t *testing.T) {
	e := newEmu(t)
	td := e.register("once", false, container("app", "app:1", "echo hi && exit 4", "exit 0", true))
	task := e.describe(aws.ToString(e.run(td, false, nil).TaskArn))
	if !stopped(task) || aws.ToString(task.DesiredStatus) != "STOPPED" || aws.ToInt32(byName(t, task, "app").ExitCode) != 4 {
		t.Fatalf("want STOPPED with exit code 4 on the first describe: %s", show(task))
	}
}

// Health checks: UNKNOWN on the first describe, then the check's result;
// healthy-for turns UNHEALTHY; a non-essential container's check does not
// count for the task.
func TestEmulatorHealthChecks(t *testing.T) {
	e := newEmu(t)
	cases := []struct {
		name, check, want string
	}{
		{"healthy", "curl -f http://localhost/ || exit 1", "HEALTHY"},
		{"unhealthy", "false || exit 1", "UNHEALTHY"},
		{"exits2", "exit 2", "UNHEALTHY"},
		{"none", "", "UNKNOWN"},
	}
	for _, c := range cases {
		td := e.register("health-"+c.name, false,
			container("app", "app:1", "sleep infinity", c.check, true),
			container("side", "side:1", "sleep infinity", "exit 1", false))
		arn := aws.ToString(e.run(td, false, nil).TaskArn)
		first := e.describe(arn)
		wantRunning(t, first)
		if first.HealthStatus != ecstypes.HealthStatusUnknown || byName(t, first, "app").HealthStatus != ecstypes.HealthStatusUnknown {
			t.Errorf("%s: first describe: %s, want UNKNOWN", c.name, show(first))
		}
		second := e.describe(arn)
		if string(second.HealthStatus) != c.want || string(byName(t, second, "app").HealthStatus) != c.want {
			t.Errorf("%s: second describe: %s, want %s", c.name, show(second), c.want)
		}
		if byName(t, second, "side").HealthStatus != ecstypes.HealthStatusUnhealthy {
			t.Errorf("%s: the sidecar's failing check: %s", c.name, show(second))
		}
	}

	// ["CMD", ...] runs its words.
	cd := container("app", "app:1", "sleep infinity", "", true)
	cd.HealthCheck = &ecstypes.HealthCheck{Command: []string{"CMD", "true"}}
	arn := aws.ToString(e.run(e.register("health-cmd", false, cd), false, nil).TaskArn)
	e.describe(arn)
	if task := e.describe(arn); task.HealthStatus != ecstypes.HealthStatusHealthy {
		t.Errorf(`["CMD", "true"]: %s`, show(task))
	}

	// healthy-for: HEALTHY, then UNHEALTHY, while the task runs on.
	arn = aws.ToString(e.run(e.register("health-for", false, container("app", "app:1", "sleep infinity", "healthy-for 0.5", true)), false, nil).TaskArn)
	e.describe(arn)
	if task := e.describe(arn); task.HealthStatus != ecstypes.HealthStatusHealthy {
		t.Fatalf("healthy-for 0.5 at once: %s, want HEALTHY (a slow machine?)", show(task))
	}
	task := e.until(arn, "UNHEALTHY", func(t ecstypes.Task) bool { return t.HealthStatus == ecstypes.HealthStatusUnhealthy })
	wantRunning(t, task)
	if byName(t, task, "app").HealthStatus != ecstypes.HealthStatusUnhealthy {
		t.Errorf("healthy-for after its time: %s", show(task))
	}
}

// StopTask stops a running task at once, with the reason given or AWS's
// default, and answers with the task; an unknown task is AWS's error.
func TestEmulatorStopTask(t *testing.T) {
	e := newEmu(t)
	td := e.register("stoppable", false, container("app", "app:1", "echo up; sleep infinity; echo never", "", true))
	for _, reason := range []string{"canary failed", ""} {
		arn := aws.ToString(e.run(td, false, nil).TaskArn)
		wantRunning(t, e.describe(arn))
		in := &ecs.StopTaskInput{Cluster: aws.String("app"), Task: aws.String(arn)}
		if reason != "" {
			in.Reason = aws.String(reason)
		}
		out, err := e.ecs.StopTask(e.ctx, in)
		if err != nil {
			t.Fatalf("StopTask: %v", err)
		}
		want := reason
		if want == "" {
			want = "Task stopped by user"
		}
		for _, task := range []ecstypes.Task{*out.Task, e.describe(arn)} {
			if !stopped(task) || aws.ToString(task.DesiredStatus) != "STOPPED" || task.StopCode != ecstypes.TaskStopCodeUserInitiated ||
				aws.ToString(task.StoppedReason) != want || task.StoppedAt == nil || aws.ToInt32(byName(t, task, "app").ExitCode) != 137 {
				t.Errorf("stopped task: %s, want reason %q, UserInitiated, exit code 137", show(task), want)
			}
		}
		if got := e.logLines(*out.Task, "app"); !slices.Equal(got, []string{"up"}) {
			t.Errorf("log of a stopped task: %q, want [up]", got)
		}
	}
	// The task's ID alone names it too.
	arn := aws.ToString(e.run(td, false, nil).TaskArn)
	if _, err := e.ecs.StopTask(e.ctx, &ecs.StopTaskInput{Cluster: aws.String("app"), Task: aws.String(arn[strings.LastIndexByte(arn, '/')+1:])}); err != nil {
		t.Errorf("StopTask by ID: %v", err)
	} else if task := e.describe(arn); !stopped(task) {
		t.Errorf("StopTask by ID: %s", show(task))
	}

	_, err := e.ecs.StopTask(e.ctx, &ecs.StopTaskInput{Cluster: aws.String("app"), Task: aws.String("0123456789abcdef0123456789abcdef")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" || ae.ErrorMessage() != "The referenced task was not found." {
		t.Errorf("StopTask of an unknown task: %v", err)
	}
}

// ListTasks lists the launcher's tasks by desired status (RUNNING when not
// asked), cluster, startedBy and family.
func TestEmulatorListTasks(t *testing.T) {
	e := newEmu(t)
	long := e.register("long", false, container("app", "app:1", "sleep infinity", "", true))
	short := e.register("short", false, container("app", "app:1", "exit 0", "", true))
	running := aws.ToString(e.run(long, false, func(in *ecs.RunTaskInput) { in.StartedBy = aws.String("canary") }).TaskArn)
	done := aws.ToString(e.run(short, false, nil).TaskArn)
	elsewhere := aws.ToString(e.run(long, false, func(in *ecs.RunTaskInput) { in.Cluster = aws.String("other") }).TaskArn)
	list := func(in ecs.ListTasksInput) []string {
		t.Helper()
		out, err := e.ecs.ListTasks(e.ctx, &in)
		if err != nil {
			t.Fatalf("ListTasks: %v", err)
		}
		return out.TaskArns
	}
	app := aws.String("app")
	for name, c := range map[string]struct {
		in   ecs.ListTasksInput
		want []string
	}{
		"default":         {ecs.ListTasksInput{Cluster: app}, []string{running}},
		"RUNNING":         {ecs.ListTasksInput{Cluster: app, DesiredStatus: ecstypes.DesiredStatusRunning}, []string{running}},
		"STOPPED":         {ecs.ListTasksInput{Cluster: app, DesiredStatus: ecstypes.DesiredStatusStopped}, []string{done}},
		"other cluster":   {ecs.ListTasksInput{Cluster: aws.String("other")}, []string{elsewhere}},
		"startedBy":       {ecs.ListTasksInput{Cluster: app, StartedBy: aws.String("canary")}, []string{running}},
		"other startedBy": {ecs.ListTasksInput{Cluster: app, StartedBy: aws.String("tamp")}, nil},
		"family":          {ecs.ListTasksInput{Cluster: app, Family: aws.String("short"), DesiredStatus: ecstypes.DesiredStatusStopped}, []string{done}},
		"other family":    {ecs.ListTasksInput{Cluster: app, Family: aws.String("short")}, nil},
		"serviceName":     {ecs.ListTasksInput{Cluster: app, ServiceName: aws.String("web")}, nil},
	} {
		if got := list(c.in); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	if _, err := e.ecs.StopTask(e.ctx, &ecs.StopTaskInput{Cluster: app, Task: aws.String(running)}); err != nil {
		t.Fatal(err)
	}
	if got := list(ecs.ListTasksInput{Cluster: app}); len(got) != 0 {
		t.Errorf("RUNNING after StopTask: %v", got)
	}
	if got := list(ecs.ListTasksInput{Cluster: app, DesiredStatus: ecstypes.DesiredStatusStopped}); !slices.Contains(got, running) || !slices.Contains(got, done) {
		t.Errorf("STOPPED after StopTask: %v", got)
	}
	_, err := e.ecs.ListTasks(e.ctx, &ecs.ListTasksInput{Cluster: aws.String("missing")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ClusterNotFoundException" {
		t.Errorf("ListTasks of a missing cluster: %v", err)
	}
}

// awsvpc tasks get a network interface with an address of their subnet,
// and the task keeps what RunTask asked for.
func TestEmulatorAwsvpcTask(t *testing.T) {
	e := newEmu(t)
	td := e.register("web", true, container("app", "app:1", "sleep infinity", "", true))
	started := e.run(td, true, func(in *ecs.RunTaskInput) {
		in.Group, in.StartedBy, in.PlatformVersion = aws.String("canary:web"), aws.String("tamp"), aws.String("LATEST")
		in.EnableExecuteCommand = true
		in.Tags = []ecstypes.Tag{{Key: aws.String("purpose"), Value: aws.String("canary")}}
		in.Overrides = &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("app"),
			Command: []string{"sh", "-c", "echo overridden; sleep infinity"}}}}
	})
	if len(started.Tags) != 1 {
		t.Errorf("RunTask's answer has tags %v", started.Tags)
	}
	arn := aws.ToString(started.TaskArn)
	task := e.describe(arn)
	wantRunning(t, task)
	if len(task.Tags) != 0 {
		t.Errorf("DescribeTasks without include TAGS has tags %v", task.Tags)
	}
	if aws.ToString(task.Group) != "canary:web" || aws.ToString(task.StartedBy) != "tamp" || task.LaunchType != ecstypes.LaunchTypeFargate ||
		aws.ToString(task.PlatformVersion) != "1.4.0" || !task.EnableExecuteCommand || task.CreatedAt == nil ||
		aws.ToString(task.Cpu) != "256" || aws.ToString(task.Memory) != "512" ||
		task.Overrides == nil || len(task.Overrides.ContainerOverrides) != 1 || aws.ToString(task.ClusterArn) == "" {
		t.Errorf("the task does not keep what RunTask asked: group %q startedBy %q launchType %s platformVersion %q enableExecuteCommand %v createdAt %v cpu %q memory %q overrides %+v cluster %q",
			aws.ToString(task.Group), aws.ToString(task.StartedBy), task.LaunchType, aws.ToString(task.PlatformVersion), task.EnableExecuteCommand,
			task.CreatedAt, aws.ToString(task.Cpu), aws.ToString(task.Memory), task.Overrides, aws.ToString(task.ClusterArn))
	}
	subnets := e.subnets()
	if zone := aws.ToString(task.AvailabilityZone); zone != subnets[e.net["SUBNET_A"]].zone {
		t.Errorf("a task in SUBNET_A is in %s, want %s", zone, subnets[e.net["SUBNET_A"]].zone)
	}
	if got := e.logLines(task, "app"); !slices.Equal(got, []string{"overridden"}) {
		t.Errorf("the overridden command's log: %q", got)
	}
	if tagged := e.describe(arn, ecstypes.TaskFieldTags); len(tagged.Tags) != 1 || aws.ToString(tagged.Tags[0].Key) != "purpose" {
		t.Errorf("DescribeTasks with include TAGS: %v", tagged.Tags)
	}

	ip := taskIP(t, task)
	if cidr := subnets[e.net["SUBNET_A"]].cidr; !netip.MustParsePrefix(cidr).Contains(netip.MustParseAddr(ip)) {
		t.Errorf("address %s is not in SUBNET_A's %s", ip, cidr)
	}
	att := task.Attachments[0]
	details := map[string]string{}
	for _, d := range att.Details {
		details[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	if aws.ToString(att.Type) != "ElasticNetworkInterface" || aws.ToString(att.Status) != "ATTACHED" || aws.ToString(att.Id) == "" ||
		details["subnetId"] != e.net["SUBNET_A"] || !strings.HasPrefix(details["networkInterfaceId"], "eni-") ||
		details["macAddress"] == "" || details["privateDnsName"] != "ip-"+strings.ReplaceAll(ip, ".", "-")+".ap-northeast-1.compute.internal" {
		t.Errorf("attachment %+v", att)
	}
	ni := byName(t, task, "app").NetworkInterfaces
	if len(ni) != 1 || aws.ToString(ni[0].AttachmentId) != aws.ToString(att.Id) || aws.ToString(ni[0].PrivateIpv4Address) != ip {
		t.Errorf("container networkInterfaces %+v", ni)
	}

	// Another task, in SUBNET_B: another address, and that subnet's zone.
	other := e.describe(aws.ToString(e.run(td, true, func(in *ecs.RunTaskInput) {
		in.NetworkConfiguration.AwsvpcConfiguration.Subnets = []string{e.net["SUBNET_B"]}
	}).TaskArn))
	b := subnets[e.net["SUBNET_B"]]
	if otherIP := taskIP(t, other); otherIP == ip || !netip.MustParsePrefix(b.cidr).Contains(netip.MustParseAddr(otherIP)) {
		t.Errorf("second task's address %s (first %s), want another one in %s", otherIP, ip, b.cidr)
	}
	if zone := aws.ToString(other.AvailabilityZone); zone != b.zone || zone == aws.ToString(task.AvailabilityZone) {
		t.Errorf("a task in SUBNET_B is in %s, want %s", zone, b.zone)
	}
	// A third task in SUBNET_A: the next free address.
	third := taskIP(t, e.describe(aws.ToString(e.run(td, true, nil).TaskArn)))
	if third == ip || !netip.MustParsePrefix(subnets[e.net["SUBNET_A"]].cidr).Contains(netip.MustParseAddr(third)) {
		t.Errorf("third task's address %s (first %s)", third, ip)
	}

	_, err := e.ecs.RunTask(e.ctx, &ecs.RunTaskInput{Cluster: aws.String("app"), TaskDefinition: aws.String(td), LaunchType: ecstypes.LaunchTypeFargate})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" || !strings.Contains(ae.ErrorMessage(), "Network Configuration must be provided") {
		t.Errorf("an awsvpc task without networkConfiguration: %v", err)
	}
	_, err = e.ecs.RunTask(e.ctx, &ecs.RunTaskInput{Cluster: aws.String("missing"), TaskDefinition: aws.String(td)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ClusterNotFoundException" {
		t.Errorf("RunTask in a missing cluster: %v", err)
	}
}

type subnet struct{ cidr, zone string }

// subnets are the CIDR blocks and zones of the account's subnets, by ID.
func (e *emu) subnets() map[string]subnet {
	e.t.Helper()
	out, err := ec2.NewFromConfig(e.cfg).DescribeSubnets(e.ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	found := map[string]subnet{}
	for _, s := range out.Subnets {
		found[aws.ToString(s.SubnetId)] = subnet{aws.ToString(s.CidrBlock), aws.ToString(s.AvailabilityZone)}
	}
	return found
}

func taskIP(t *testing.T, task ecstypes.Task) string {
	t.Helper()
	if len(task.Attachments) != 1 {
		t.Fatalf("want one attachment: %+v", task.Attachments)
	}
	for _, d := range task.Attachments[0].Details {
		if aws.ToString(d.Name) == "privateIPv4Address" {
			return aws.ToString(d.Value)
		}
	}
	t.Fatalf("no privateIPv4Address in %+v", task.Attachments[0].Details)
	return ""
}

// A target registered with a task's address is "initial" at first, then
// follows the task: healthy while it runs, unhealthy when its image is
// unreachable or it stopped; deregistered, it is unused.
func TestEmulatorTargetHealth(t *testing.T) {
	e := newEmu(t)
	tg, err := seedTargetGroup(e.ctx, e.cfg, e.net, "web", 8080, true)
	if err != nil {
		t.Fatal(err)
	}
	good := e.register("good", true, container("app", "app:v1", "sleep infinity", "", true))
	bad := e.register("bad", true, container("app", "app:v2-unreachable", "sleep infinity", "", true))
	goodIP := taskIP(t, e.describe(aws.ToString(e.run(good, true, nil).TaskArn)))
	badTask := e.describe(aws.ToString(e.run(bad, true, nil).TaskArn))
	badIP := taskIP(t, badTask)
	type state struct{ state, reason string }
	health := func(targets ...elbtypes.TargetDescription) map[string]state {
		t.Helper()
		out, err := e.elb.DescribeTargetHealth(e.ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg), Targets: targets})
		if err != nil {
			t.Fatalf("DescribeTargetHealth: %v", err)
		}
		got := map[string]state{}
		for _, d := range out.TargetHealthDescriptions {
			got[fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port))] = state{string(d.TargetHealth.State), string(d.TargetHealth.Reason)}
		}
		return got
	}
	check := func(what string, got map[string]state, want map[string]state) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	target := func(ip string, port int32) elbtypes.TargetDescription {
		return elbtypes.TargetDescription{Id: aws.String(ip), Port: aws.Int32(port)}
	}
	if _, err := e.elb.RegisterTargets(e.ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tg),
		Targets: []elbtypes.TargetDescription{target(goodIP, 8080), target(badIP, 8080), target("10.0.1.250", 8080)}}); err != nil {
		t.Fatal(err)
	}
	g, b, x := goodIP+":8080", badIP+":8080", "10.0.1.250:8080"
	check("first describe, all targets", health(), map[string]state{
		g: {"initial", "Elb.RegistrationInProgress"}, b: {"initial", "Elb.RegistrationInProgress"}, x: {"healthy", ""}})
	check("second describe", health(target(goodIP, 8080), target(badIP, 8080)), map[string]state{
		g: {"healthy", ""}, b: {"unhealthy", "Target.Timeout"}})
	check("by Id only", health(elbtypes.TargetDescription{Id: aws.String(goodIP)}), map[string]state{g: {"healthy", ""}})
	check("another port", health(target(goodIP, 9090)), map[string]state{goodIP + ":9090": {"unused", "Target.NotRegistered"}})

	// The good task stops: its target fails its health checks.
	goodArn := ""
	for _, arn := range listAll(t, e) {
		if arn != aws.ToString(badTask.TaskArn) {
			goodArn = arn
		}
	}
	if _, err := e.ecs.StopTask(e.ctx, &ecs.StopTaskInput{Cluster: aws.String("app"), Task: aws.String(goodArn)}); err != nil {
		t.Fatal(err)
	}
	check("stopped task", health(target(goodIP, 8080)), map[string]state{g: {"unhealthy", "Target.FailedHealthChecks"}})

	// Deregistered: unused at once, and no longer among all targets.
	if _, err := e.elb.DeregisterTargets(e.ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(tg),
		Targets: []elbtypes.TargetDescription{target(goodIP, 8080)}}); err != nil {
		t.Fatal(err)
	}
	check("deregistered", health(target(goodIP, 8080)), map[string]state{g: {"unused", "Target.NotRegistered"}})
	check("all after deregistering", health(), map[string]state{b: {"unhealthy", "Target.Timeout"}, x: {"healthy", ""}})

	// Registered again: initial again.
	if _, err := e.elb.RegisterTargets(e.ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tg),
		Targets: []elbtypes.TargetDescription{target(badIP, 8080)}}); err != nil {
		t.Fatal(err)
	}
	check("registered again", health(target(badIP, 8080)), map[string]state{b: {"initial", "Elb.RegistrationInProgress"}})

	// A target group no load balancer forwards to does not check targets.
	lone, err := seedTargetGroup(e.ctx, e.cfg, e.net, "lone", 8080, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.elb.RegisterTargets(e.ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(lone),
		Targets: []elbtypes.TargetDescription{target(badIP, 8080)}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.elb.DescribeTargetHealth(e.ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(lone)})
	if err != nil || len(out.TargetHealthDescriptions) != 1 || out.TargetHealthDescriptions[0].TargetHealth.Reason != elbtypes.TargetHealthReasonEnumNotInUse {
		t.Errorf("target group without a load balancer: %+v %v", out, err)
	}
}

func listAll(t *testing.T, e *emu) []string {
	t.Helper()
	out, err := e.ecs.ListTasks(e.ctx, &ecs.ListTasksInput{Cluster: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	return out.TaskArns
}

// A running container's later lines reach its log when their time comes,
// whether or not anyone describes the task.
func TestEmulatorLogsFollowTime(t *testing.T) {
	e := newEmu(t)
	td := e.register("chatty", false, container("app", "app:1", "echo one; sleep 0.3; echo two; sleep 0.2s; echo three; sleep infinity", "", true))
	task := e.run(td, false, nil)
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = e.logLines(task, "app"); len(got) == 3 {
			break
		}
	}
	if !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("log without DescribeTasks: %q, want [one two three]", got)
	}
	wantRunning(t, e.describe(aws.ToString(task.TaskArn)))
}
