package scheduled

import (
	"fmt"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
)

// fileRenderer serves one rendered list file.
type fileRenderer map[string]string

func (f fileRenderer) RenderJSON(path string) ([]byte, string, error) {
	text, ok := f[path]
	if !ok {
		return nil, "", fmt.Errorf("%s: file not found", path)
	}
	return []byte(text), "/app/" + path, nil
}

func TestLoadMergesDefaults(t *testing.T) {
	sc := &config.Scheduled{
		Defaults:  map[string]any{"task_definition": "batch", "launch_type": "FARGATE", "environment": map[string]any{"MODE": "default"}},
		TasksFile: "scheduled.json",
	}
	r := fileRenderer{"scheduled.json": `[
		{"name": "a", "schedule": "rate(1 hour)", "command": ["run", "a"]},
		{"name": "b", "schedule": "cron(0 16 * * ? *)", "environment": {"MODE": "full"}, "task_count": 2,
		 "container_overrides": [{"name": "app", "cpu": 256, "environment": [{"name": "X", "value": "1"}]}],
		 "network_configuration": {"awsvpcConfiguration": {"subnets": ["s-1"], "assignPublicIp": "DISABLED"}}}
	]`}
	tasks, err := Load(r, "/app/tamp.yaml", sc)
	if err != nil {
		t.Fatal(err)
	}
	a, b := tasks[0], tasks[1]
	if a.TaskDefinition != "batch" || a.LaunchType != "FARGATE" || a.Environment["MODE"] != "default" || strings.Join(a.Command, " ") != "run a" {
		t.Errorf("a = %+v", a)
	}
	if b.Environment["MODE"] != "full" || aws.ToInt32(b.TaskCount) != 2 || aws.ToString(b.ContainerOverrides[0].Name) != "app" ||
		b.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] != "s-1" {
		t.Errorf("b = %+v", b)
	}
}

func TestLoadReportsEveryEntry(t *testing.T) {
	sc := &config.Scheduled{Tasks: []map[string]any{
		{"name": "a", "schedule": "rate(1 hour)", "task_definiton": "batch"},
		{"name": "b", "schedule": "rate(1 hour)", "task_count": "two"},
	}}
	_, err := Load(fileRenderer{}, "/app/tamp.yaml", sc)
	for _, want := range []string{
		`/app/tamp.yaml: scheduled.tasks: [0] (a).task_definiton: unknown field; did you mean "task_definition"?`,
		`/app/tamp.yaml: scheduled.tasks: [1] (b).task_count: expected a whole number, got the string "two"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestValidate(t *testing.T) {
	containers := func(name string) ([]string, bool) {
		if name == "batch" {
			return []string{"app", "sidecar"}, true
		}
		return nil, false
	}
	ok := func(mod func(*Task)) *Task {
		t := &Task{Name: "t", Schedule: "cron(0 16 * * ? *)", TaskDefinition: "batch"}
		mod(t)
		return t
	}
	tests := []struct {
		name    string
		backend string
		tasks   []*Task
		want    []string
	}{
		{"valid on both", config.BackendEvents, []*Task{ok(func(*Task) {})}, nil},
		{"5-field cron", config.BackendScheduler, []*Task{ok(func(t *Task) { t.Schedule = "cron(0 16 * * *)" })},
			[]string{"scheduled task t: schedule: cron(0 16 * * *): AWS cron expressions have 6 fields"}},
		{"unknown time zone", config.BackendScheduler, []*Task{ok(func(t *Task) { t.Timezone = "Asia/Tokio" })},
			[]string{`scheduled task t: timezone: "Asia/Tokio" is not an IANA time zone`}},
		{"the machine's zone is not a zone", config.BackendScheduler, []*Task{ok(func(t *Task) { t.Timezone = "Local" })},
			[]string{`scheduled task t: timezone: "Local" is not an IANA time zone`}},
		{"time zone on the events backend", config.BackendEvents, []*Task{ok(func(t *Task) { t.Timezone = "Asia/Tokyo" })},
			[]string{"scheduled task t: timezone: is for EventBridge Scheduler (backend: scheduler)"}},
		{"at() on the events backend", config.BackendEvents, []*Task{ok(func(t *Task) { t.Schedule = "at(2026-12-24T18:00:00)" })},
			[]string{"scheduled task t: schedule: at() runs once and needs EventBridge Scheduler"}},
		{"ephemeral storage out of range", config.BackendScheduler, []*Task{ok(func(t *Task) { t.EphemeralStorage = &ecstypes.EphemeralStorage{} })},
			[]string{"scheduled task t: ephemeral_storage.sizeInGiB: 0: use 21 to 200 (GiB)"}},
		{"unknown container", config.BackendScheduler, []*Task{ok(func(t *Task) { t.Container = "ap" })},
			[]string{`scheduled task t: container: no container named "ap" in task definition batch`}},
		{"unknown override container", config.BackendScheduler, []*Task{ok(func(t *Task) {
			t.ContainerOverrides = append(t.ContainerOverrides, overrideNamed("web"))
		})}, []string{`scheduled task t: container_overrides[0].name: no container named "web"`}},
		{"an external task definition is not checked offline", config.BackendScheduler, []*Task{ok(func(t *Task) {
			t.TaskDefinition, t.Container = "other-family:3", "anything"
		})}, nil},
		{"duplicate name", config.BackendScheduler, []*Task{ok(func(*Task) {}), ok(func(*Task) {})},
			[]string{`scheduled task t: name: "t" is used by another task; names must be unique`}},
		{"scheduler-only fields on the events backend", config.BackendEvents, []*Task{ok(func(t *Task) {
			t.FlexibleTimeWindow, t.StartDate, t.EndDate = &FlexibleTimeWindow{Mode: "OFF"}, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"
		})}, []string{"scheduled task t: flexible_time_window: is for EventBridge Scheduler", "scheduled task t: start_date: is for EventBridge Scheduler",
			"scheduled task t: end_date: is for EventBridge Scheduler"}},
		{"dates and window", config.BackendScheduler, []*Task{ok(func(t *Task) {
			t.StartDate, t.FlexibleTimeWindow = "2027-01-01 00:00", &FlexibleTimeWindow{Mode: "flexible"}
		})}, []string{`scheduled task t: start_date: "2027-01-01 00:00": write an RFC 3339 time`,
			`scheduled task t: flexible_time_window.mode: "flexible": use OFF or FLEXIBLE`}},
		{"fields read from AWS", config.BackendEvents, []*Task{ok(func(t *Task) { t.ClusterArn, t.OtherTargets = "arn", 1 })},
			[]string{"scheduled task t: cluster_arn: is set by tamp from the config's cluster; remove it",
				"scheduled task t: other_targets: is read from AWS, not set; remove it"}},
		{"launch type and capacity providers", config.BackendScheduler, []*Task{ok(func(t *Task) {
			t.LaunchType = "FARGATE"
			t.CapacityProviderStrategy = []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT")}}
			t.RetryPolicy = &RetryPolicy{MaximumEventAgeSeconds: aws.Int32(30)}
		})}, []string{"scheduled task t: launch_type: set launch_type or capacity_provider_strategy, not both",
			"scheduled task t: retry_policy.maximum_event_age_seconds: 30: use 60 to 86400"}},
		{"ranges and required fields", config.BackendScheduler, []*Task{{Name: "bad name!", TaskCount: aws.Int32(0),
			FlexibleTimeWindow: &FlexibleTimeWindow{Mode: "FLEXIBLE"}, RetryPolicy: &RetryPolicy{MaximumRetryAttempts: aws.Int32(200)}}},
			[]string{"name: \"bad name!\": use 1 to 64 letters", "schedule: is required",
				"flexible_time_window.maximum_window_in_minutes: FLEXIBLE needs 1 to 1440", "task_definition: is required",
				"task_count: 0: use 1 to 10", "retry_policy.maximum_retry_attempts: 200: use 0 to 185"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate(tt.tasks, tt.backend, containers)
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want %q", i, errs[i], w)
				}
			}
		})
	}
}

func overrideNamed(name string) ecstypes.ContainerOverride {
	return ecstypes.ContainerOverride{Name: aws.String(name)}
}

func TestRunTaskInput(t *testing.T) {
	local := &Task{Name: "nightly", Schedule: "cron(0 16 * * ? *)", TaskDefinition: "batch", Command: []string{"bin/batch", "run"},
		Environment: map[string]string{"MODE": "full"}, Memory: "1024", LaunchType: "FARGATE", TaskCount: aws.Int32(2),
		Tags: map[string]string{"team": "data"}}
	r := Resolve(local, "arn:aws:ecs:r:1:task-definition/batch:4", "app")
	in, watch := RunTaskInput(r, "app-cluster"), WatchedContainer(local)
	o := in.Overrides
	if aws.ToString(in.TaskDefinition) != "arn:aws:ecs:r:1:task-definition/batch:4" || aws.ToInt32(in.Count) != 2 ||
		in.LaunchType != "FARGATE" || aws.ToString(o.Memory) != "1024" || watch != "" ||
		strings.Join(o.ContainerOverrides[0].Command, " ") != "bin/batch run" || aws.ToString(o.ContainerOverrides[0].Environment[0].Value) != "full" ||
		aws.ToString(in.Tags[0].Key) != "team" || aws.ToString(in.StartedBy) != "tamp" {
		t.Errorf("RunTaskInput = %+v, watch %q", in, watch)
	}
}

// The watched container comes from the task as written: Resolve sorts the
// overrides, and must not sort the caller's.
func TestWatchedContainerAndResolveLeavesInput(t *testing.T) {
	local := &Task{Name: "t", ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("worker")}, {Name: aws.String("datadog")}}}
	Resolve(local, "arn", "worker")
	if got := WatchedContainer(local); got != "worker" || aws.ToString(local.ContainerOverrides[0].Name) != "worker" {
		t.Errorf("watched %q, first override %q", got, aws.ToString(local.ContainerOverrides[0].Name))
	}
	if got := Resolve(&Task{StartDate: "2027-04-01T00:00:00+09:00"}, "arn", "").StartDate; got != "2027-03-31T15:00:00Z" {
		t.Errorf("start date %s", got)
	}
}

// Task-level overrides survive a schedule's round trip through the target
// input, and run as written: an adopted schedule keeps them on sync.
func TestTaskLevelOverridesRoundTrip(t *testing.T) {
	local := &Task{Name: "nightly", Schedule: "rate(1 day)", TaskDefinition: "batch", Command: []string{"run"},
		Cpu: "512", Memory: "1024", TaskRoleArn: "arn:aws:iam::1:role/batch-task", ExecutionRoleArn: "arn:aws:iam::1:role/batch-exec",
		EphemeralStorage: &ecstypes.EphemeralStorage{SizeInGiB: 50}}
	r := Resolve(local, "arn:aws:ecs:r:1:task-definition/batch:4", "app")
	b := &SchedulerBackend{Group: "g", RoleArn: "arn:aws:iam::1:role/sched", ClusterArn: "arn:aws:ecs:r:1:cluster/app"}
	in, err := b.toSchedule(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"taskRoleArn":"arn:aws:iam::1:role/batch-task"`, `"executionRoleArn":"arn:aws:iam::1:role/batch-exec"`, `"ephemeralStorage":{"sizeInGiB":50}`} {
		if !strings.Contains(strings.Join(strings.Fields(aws.ToString(in.Target.Input)), ""), want) {
			t.Errorf("input %s lacks %s", aws.ToString(in.Target.Input), want)
		}
	}
	back, err := fromSchedule(&scheduler.GetScheduleOutput{Name: in.Name, ScheduleExpression: in.ScheduleExpression,
		State: in.State, FlexibleTimeWindow: in.FlexibleTimeWindow, Target: in.Target})
	if err != nil {
		t.Fatal(err)
	}
	if back.TaskRoleArn != local.TaskRoleArn || back.ExecutionRoleArn != local.ExecutionRoleArn ||
		back.EphemeralStorage.SizeInGiB != 50 || back.Cpu != "512" || back.Memory != "1024" {
		t.Errorf("read back %+v", back)
	}
	o := RunTaskInput(r, "app").Overrides
	if aws.ToString(o.TaskRoleArn) != local.TaskRoleArn || aws.ToString(o.ExecutionRoleArn) != local.ExecutionRoleArn || o.EphemeralStorage.SizeInGiB != 50 {
		t.Errorf("run overrides %+v", o)
	}
	if (&Task{Name: "bare"}).Override() != nil {
		t.Error("a task that overrides nothing passes an override")
	}
}

func TestLoadInlineTasks(t *testing.T) {
	sc := &config.Scheduled{Defaults: map[string]any{"task_definition": "batch", "task_count": 2},
		Tasks: []map[string]any{{"name": "a", "schedule": "rate(1 hour)"}, {"name": "b", "schedule": "rate(1 day)", "task_count": 3}}}
	tasks, err := Load(fileRenderer{}, "/app/tamp.yaml", sc)
	if err != nil || len(tasks) != 2 {
		t.Fatalf("%v, %v", tasks, err)
	}
	if tasks[0].TaskDefinition != "batch" || aws.ToInt32(tasks[0].TaskCount) != 2 || aws.ToInt32(tasks[1].TaskCount) != 3 {
		t.Errorf("a %+v, b %+v", tasks[0], tasks[1])
	}
	if tasks, err := Load(fileRenderer{}, "/app/tamp.yaml", &config.Scheduled{}); err != nil || len(tasks) != 0 {
		t.Errorf("no tasks: %v, %v", tasks, err)
	}
}

// A tasks file that is not a list of objects says so, naming the file.
func TestLoadBadTasksFile(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{`{"name": "a"}`, "/app/scheduled.json: expected a list of scheduled tasks"},
		{`[{"name": "a"}, "b"]`, "/app/scheduled.json: [1]: expected an object"},
		{`[{"name": `, "/app/scheduled.json:1:11: invalid JSON after rendering: unexpected EOF; check the quotes"},
		{`[{"schedule": "rate(1 hour)", "cpu": 512}]`, "/app/scheduled.json: [0].cpu: expected a string"},
	} {
		_, err := Load(fileRenderer{"scheduled.json": tt.text}, "/app/tamp.yaml", &config.Scheduled{TasksFile: "scheduled.json"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.text, err, tt.want)
		}
	}
	_, err := Load(fileRenderer{}, "/app/tamp.yaml", &config.Scheduled{TasksFile: "missing.json"})
	if err == nil || !strings.Contains(err.Error(), "missing.json: file not found") {
		t.Errorf("missing file: %v", err)
	}
}

func TestResolve(t *testing.T) {
	written := &Task{Name: "t", Schedule: "  rate(1 hour) ", Container: "worker", Command: []string{"run"},
		Environment: map[string]string{"B": "2", "A": "1"},
		ContainerOverrides: []ecstypes.ContainerOverride{
			{Name: aws.String("worker"), Environment: []ecstypes.KeyValuePair{{Name: aws.String("C"), Value: aws.String("3")}}},
			{Name: aws.String("app"), Command: []string{"serve"}},
		},
		TaskCount:   aws.Int32(4),
		RetryPolicy: &RetryPolicy{MaximumEventAgeSeconds: aws.Int32(600)},
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{"s-2", "s-1"}, AssignPublicIp: ecstypes.AssignPublicIpEnabled}},
	}
	r := Resolve(written, "arn:td:7", "app")
	if r.Schedule != "rate(1 hour)" || r.TaskDefinition != "arn:td:7" || r.Container != "" || r.Command != nil || r.Environment != nil {
		t.Errorf("shorthands left: %+v", r)
	}
	if len(r.ContainerOverrides) != 2 || aws.ToString(r.ContainerOverrides[0].Name) != "app" {
		t.Fatalf("overrides %+v", r.ContainerOverrides)
	}
	worker := r.ContainerOverrides[1]
	var env []string
	for _, kv := range worker.Environment {
		env = append(env, aws.ToString(kv.Name)+"="+aws.ToString(kv.Value))
	}
	if strings.Join(worker.Command, " ") != "run" || strings.Join(env, " ") != "A=1 B=2 C=3" {
		t.Errorf("worker override: command %v, env %v", worker.Command, env)
	}
	if aws.ToInt32(r.TaskCount) != 4 || aws.ToInt32(r.RetryPolicy.MaximumEventAgeSeconds) != 600 || aws.ToInt32(r.RetryPolicy.MaximumRetryAttempts) != 185 ||
		r.Timezone != "UTC" || r.FlexibleTimeWindow.Mode != "OFF" {
		t.Errorf("defaults: %+v", r)
	}
	if vpc := r.NetworkConfiguration.AwsvpcConfiguration; strings.Join(vpc.Subnets, " ") != "s-1 s-2" || vpc.AssignPublicIp != ecstypes.AssignPublicIpEnabled {
		t.Errorf("network %+v", vpc)
	}
	if len(written.ContainerOverrides[0].Environment) != 1 || written.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] != "s-2" {
		t.Error("Resolve changed the task as written")
	}
	// A shorthand for a container without an override adds one.
	if r := Resolve(&Task{Command: []string{"x"}}, "arn", "app"); len(r.ContainerOverrides) != 1 || aws.ToString(r.ContainerOverrides[0].Name) != "app" {
		t.Errorf("added override %+v", r.ContainerOverrides)
	}
}

func TestRunTaskInputWithoutOverrides(t *testing.T) {
	r := Resolve(&Task{Name: "t", TaskDefinition: "batch", Container: "worker", PlatformVersion: "1.4.0", Group: "batch",
		EnableECSManagedTags: true, PropagateTags: ecstypes.PropagateTagsTaskDefinition,
		PlacementStrategy: []ecstypes.PlacementStrategy{{Type: ecstypes.PlacementStrategyTypeSpread, Field: aws.String("attribute:ecs.availability-zone")}}}, "arn:td:1", "app")
	in := RunTaskInput(r, "app")
	if in.Overrides != nil || aws.ToString(in.PlatformVersion) != "1.4.0" || aws.ToString(in.Group) != "batch" || !in.EnableECSManagedTags ||
		aws.ToInt32(in.Count) != 1 || len(in.PlacementStrategy) != 1 || aws.ToString(in.Cluster) != "app" {
		t.Errorf("RunTaskInput %+v", in)
	}
	if got := WatchedContainer(&Task{Container: "worker", ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("app")}}}); got != "worker" {
		t.Errorf("watched %q, want the container named", got)
	}
	// The same fields reach a schedule's target.
	tg, err := targetOf(r)
	if err != nil || !aws.ToBool(tg.ecs.EnableECSManagedTags) || len(tg.ecs.PlacementStrategy) != 1 || tg.input != nil {
		t.Errorf("target %+v, %v", tg, err)
	}
}
