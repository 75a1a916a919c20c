package scheduled

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

var (
	_ SchedulerAPI = (*fakeaws.Scheduler)(nil)
	_ EventsAPI    = (*fakeaws.Events)(nil)
)

const (
	testCluster  = "arn:aws:ecs:us-east-1:123456789012:cluster/app"
	testRole     = "arn:aws:iam::123456789012:role/scheduler"
	testRevision = "arn:aws:ecs:us-east-1:123456789012:task-definition/batch:3"
)

// resolved is a task as a sync compares it: resolved against revision 3
// of batch (first container app) on the test cluster, with mod applied to
// the task as written.
func resolved(name string, mod ...func(*Task)) *Task {
	t := &Task{Name: name, Schedule: "cron(0 16 * * ? *)", TaskDefinition: "batch", Command: []string{"bin/" + name},
		Environment: map[string]string{"MODE": "full"}, LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}}}}
	for _, m := range mod {
		m(t)
	}
	r := Resolve(t, testRevision, "app")
	r.ClusterArn = testCluster
	if r.RoleArn == "" {
		r.RoleArn = testRole
	}
	return r
}

func schedulerBackend(api SchedulerAPI) *SchedulerBackend {
	return &SchedulerBackend{API: api, Group: "app", RoleArn: testRole, ClusterArn: testCluster}
}

// lambdaSchedule is a schedule of another kind in a group.
func lambdaSchedule(group, name string) scheduler.GetScheduleOutput {
	return scheduler.GetScheduleOutput{Name: aws.String(name), GroupName: aws.String(group), ScheduleExpression: aws.String("rate(1 day)"),
		FlexibleTimeWindow: &stypes.FlexibleTimeWindow{Mode: stypes.FlexibleTimeWindowModeOff},
		Target:             &stypes.Target{Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"), RoleArn: aws.String(testRole)}}
}

func notFound(msg string) error {
	return &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: msg}
}

// What Put writes is what Remote reads back: a synced task compares
// unchanged, so a second sync writes nothing.
func TestSchedulerPutThenRemoteRoundTrips(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	api.AddGroup("app")
	b := schedulerBackend(api)
	full := resolved("nightly", func(t *Task) {
		t.Description, t.Timezone, t.TaskCount = "nightly aggregation", "Asia/Tokyo", aws.Int32(2)
		t.StartDate, t.EndDate = "2027-04-01T00:00:00+09:00", "2028-04-01T00:00:00Z"
		t.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: "FLEXIBLE", MaximumWindowInMinutes: aws.Int32(15)}
		t.RetryPolicy = &RetryPolicy{MaximumRetryAttempts: aws.Int32(2)}
		t.DeadLetterArn = "arn:aws:sqs:us-east-1:123456789012:dlq"
		t.Tags = map[string]string{"team": "data", "app": "batch"}
		t.Cpu, t.PropagateTags, t.EnableExecuteCommand = "512", ecstypes.PropagateTagsTaskDefinition, true
		t.RoleArn = "arn:aws:iam::123456789012:role/nightly"
	})
	plain := resolved("hourly", func(t *Task) { t.Schedule, t.Disabled = "rate(1 hour)", true })
	for _, task := range []*Task{full, plain} {
		if err := b.Put(ctx, task, false); err != nil {
			t.Fatal(err)
		}
	}

	s, _ := api.Schedule("app", "nightly")
	if aws.ToString(s.ScheduleExpressionTimezone) != "Asia/Tokyo" || s.State != stypes.ScheduleStateEnabled ||
		aws.ToString(s.Target.Arn) != testCluster || aws.ToString(s.Target.RoleArn) != "arn:aws:iam::123456789012:role/nightly" ||
		aws.ToString(s.Target.DeadLetterConfig.Arn) != "arn:aws:sqs:us-east-1:123456789012:dlq" ||
		aws.ToInt32(s.Target.RetryPolicy.MaximumRetryAttempts) != 2 || aws.ToInt32(s.Target.RetryPolicy.MaximumEventAgeInSeconds) != 86400 ||
		!s.StartDate.Equal(time.Date(2027, 3, 31, 15, 0, 0, 0, time.UTC)) || s.FlexibleTimeWindow.Mode != stypes.FlexibleTimeWindowModeFlexible {
		t.Errorf("stored schedule %+v", s)
	}
	// The Scheduler's ECS tags are {key, value} maps, sorted by key.
	if diff := cmp.Diff([]map[string]string{{"key": "app", "value": "batch"}, {"key": "team", "value": "data"}}, s.Target.EcsParameters.Tags); diff != "" {
		t.Errorf("ECS tags (-want +got):\n%s", diff)
	}
	if in := compact(aws.ToString(s.Target.Input)); !strings.Contains(in, `"command":["bin/nightly"]`) || !strings.Contains(in, `"cpu":"512"`) {
		t.Errorf("input %s", in)
	}
	if h, _ := api.Schedule("app", "hourly"); h.State != stypes.ScheduleStateDisabled || h.Description != nil {
		t.Errorf("hourly %+v", h)
	}

	api.ResetCalls()
	remote, exists, err := b.Remote(ctx)
	if err != nil || !exists {
		t.Fatalf("remote: %v, exists %v", err, exists)
	}
	if diff := cmp.Diff(docs(map[string]*Task{"nightly": full, "hourly": plain}), docs(remote)); diff != "" {
		t.Errorf("read back (-put +read):\n%s", diff)
	}
	if want := map[string]int{"ListSchedules": 1, "GetSchedule": 2}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("remote calls %v, want %v", api.CallCounts(), want)
	}
	plan, err := MakePlan([]*Task{full, plain}, remote, exists)
	if err != nil || plan.Report.Differs() || len(plan.puts) != 0 {
		t.Errorf("second sync would change %+v (%v)", plan.Report.Counts(), err)
	}
}

// UpdateSchedule replaces the whole schedule, so Put sends everything:
// a field the config drops is dropped in AWS, the rest is kept.
func TestSchedulerPutUpdateSendsTheWholeSchedule(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	b := schedulerBackend(api)
	if err := b.Put(ctx, resolved("a", func(t *Task) { t.Description, t.DeadLetterArn = "old", "arn:aws:sqs:us-east-1:123456789012:dlq" }), false); !isNotFound(err) ||
		!strings.Contains(err.Error(), "schedule a: ") {
		t.Fatalf("create in a missing group: %v", err)
	}
	api.AddGroup("app")
	if err := b.Put(ctx, resolved("a", func(t *Task) { t.Description, t.DeadLetterArn = "old", "arn:aws:sqs:us-east-1:123456789012:dlq" }), false); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, resolved("a", func(t *Task) { t.Schedule = "rate(2 hours)"; t.StartDate = "2027-01-01T00:00:00Z" }), true); err != nil {
		t.Fatal(err)
	}
	s, _ := api.Schedule("app", "a")
	if s.Description != nil || s.Target.DeadLetterConfig != nil || aws.ToString(s.ScheduleExpression) != "rate(2 hours)" ||
		s.StartDate == nil || aws.ToString(s.Target.EcsParameters.TaskDefinitionArn) != testRevision ||
		s.Target.EcsParameters.NetworkConfiguration == nil || aws.ToString(s.Target.RoleArn) != testRole {
		t.Errorf("after update %+v", s)
	}
	if api.Calls("CreateSchedule") != 2 || api.Calls("UpdateSchedule") != 1 {
		t.Errorf("calls %v", api.CallCounts())
	}
	if err := b.Put(ctx, resolved("a", func(t *Task) { t.EndDate = "next year" }), true); err == nil || api.Calls("UpdateSchedule") != 1 {
		t.Errorf("a bad end date was sent (%v)", err)
	}
}

// A create that finds its schedule already there — the SDK retried a
// create whose answer was lost, or a sync stopped right after it — makes
// the schedule what the config says instead of failing the sync.
func TestSchedulerPutCreateOfAScheduleThatExists(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	api.AddGroup("app")
	b := schedulerBackend(api)
	if err := b.Put(ctx, resolved("a", func(t *Task) { t.Description = "first attempt" }), false); err != nil {
		t.Fatal(err)
	}
	want := resolved("a", func(t *Task) { t.Schedule = "rate(3 hours)" })
	if err := b.Put(ctx, want, false); err != nil {
		t.Fatalf("create of a schedule that exists: %v", err)
	}
	remote, _, err := b.Remote(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(docs(map[string]*Task{"a": want}), docs(remote)); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if api.Calls("CreateSchedule") != 2 || api.Calls("UpdateSchedule") != 1 {
		t.Errorf("calls %v", api.CallCounts())
	}
	api.FailAfter("UpdateSchedule", 0, errors.New("denied"))
	if err := b.Put(ctx, want, false); err == nil || err.Error() != "schedule a: denied" {
		t.Errorf("update after the conflict failing: %v", err)
	}
}

func TestSchedulerRemote(t *testing.T) {
	ctx := context.Background()
	t.Run("missing group holds nothing", func(t *testing.T) {
		api := fakeaws.NewScheduler()
		api.AddSchedule(lambdaSchedule("other", "job"))
		tasks, exists, err := schedulerBackend(api).Remote(ctx)
		if err != nil || exists || len(tasks) != 0 {
			t.Errorf("got %v, %v, %v", tasks, exists, err)
		}
		if want := map[string]int{"ListSchedules": 1, "GetScheduleGroup": 1}; !maps.Equal(api.CallCounts(), want) {
			t.Errorf("calls %v, want %v", api.CallCounts(), want)
		}
	})
	t.Run("list refused for a missing group", func(t *testing.T) {
		api := fakeaws.NewScheduler()
		api.Fail("ListSchedules", notFound("Schedule group app does not exist."))
		tasks, exists, err := schedulerBackend(api).Remote(ctx)
		if err != nil || exists || len(tasks) != 0 || api.Calls("GetScheduleGroup") != 0 {
			t.Errorf("got %v, %v, %v; calls %v", tasks, exists, err, api.CallCounts())
		}
	})
	t.Run("empty group exists", func(t *testing.T) {
		api := fakeaws.NewScheduler()
		api.AddGroup("app")
		tasks, exists, err := schedulerBackend(api).Remote(ctx)
		if err != nil || !exists || len(tasks) != 0 {
			t.Errorf("got %v, %v, %v", tasks, exists, err)
		}
	})
	t.Run("pages, and skips schedules of another kind", func(t *testing.T) {
		api := fakeaws.NewScheduler()
		api.SetPageSize(2)
		b := schedulerBackend(api)
		api.AddGroup("app")
		for _, n := range []string{"a", "b", "c"} {
			if err := b.Put(ctx, resolved(n), false); err != nil {
				t.Fatal(err)
			}
		}
		api.AddSchedule(lambdaSchedule("app", "lambda"))
		api.AddSchedule(lambdaSchedule("default", "d")) // another group
		// Another tool's {name: value} tag map reads as tags too.
		other := lambdaSchedule("app", "ecschedule")
		other.Target.Arn = aws.String(testCluster)
		other.Target.EcsParameters = &stypes.EcsParameters{TaskDefinitionArn: aws.String(testRevision), Tags: []map[string]string{{"team": "data"}}}
		api.AddSchedule(other)
		api.ResetCalls()
		tasks, exists, err := b.Remote(ctx)
		if err != nil || !exists {
			t.Fatal(err)
		}
		if got := names(tasks); got != "a b c ecschedule" {
			t.Errorf("read %s", got)
		}
		if tasks["ecschedule"].Tags["team"] != "data" || tasks["ecschedule"].TaskDefinition != testRevision {
			t.Errorf("ecschedule read as %+v", tasks["ecschedule"])
		}
		if want := map[string]int{"ListSchedules": 3, "GetSchedule": 5}; !maps.Equal(api.CallCounts(), want) {
			t.Errorf("calls %v, want %v", api.CallCounts(), want)
		}
	})
	t.Run("errors name the group or schedule", func(t *testing.T) {
		api := fakeaws.NewScheduler()
		api.AddGroup("app")
		b := schedulerBackend(api)
		for _, n := range []string{"a", "b"} {
			if err := b.Put(ctx, resolved(n), false); err != nil {
				t.Fatal(err)
			}
		}
		bad := lambdaSchedule("app", "broken")
		bad.Target.EcsParameters, bad.Target.Input = &stypes.EcsParameters{}, aws.String("not json")
		api.AddSchedule(bad)
		denied := errors.New("access denied")
		api.FailAfter("GetSchedule", 2, denied)
		_, _, err := b.Remote(ctx)
		if !errors.Is(err, denied) || !strings.Contains(err.Error(), "get schedule ") {
			t.Errorf("get failure: %v", err)
		}
		api.Fail("GetSchedule", nil)
		if _, _, err := b.Remote(ctx); err == nil || !strings.Contains(err.Error(), "read schedule broken: its input is not JSON") {
			t.Errorf("unreadable schedule: %v", err)
		}
		api.Fail("ListSchedules", denied)
		if _, _, err := b.Remote(ctx); !errors.Is(err, denied) || !strings.Contains(err.Error(), "list schedules of group app") {
			t.Errorf("list failure: %v", err)
		}
		empty := fakeaws.NewScheduler()
		empty.AddGroup("app")
		empty.Fail("GetScheduleGroup", denied)
		if _, _, err := schedulerBackend(empty).Remote(ctx); !errors.Is(err, denied) || !strings.Contains(err.Error(), "schedule group app") {
			t.Errorf("group failure: %v", err)
		}
	})
}

func TestSchedulerDeleteAndEnsureGroup(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	b := schedulerBackend(api)
	if err := b.EnsureGroup(ctx); err != nil || !api.HasGroup("app") {
		t.Fatalf("ensure group: %v", err)
	}
	if err := b.EnsureGroup(ctx); err != nil {
		t.Errorf("ensure an existing group: %v", err)
	}
	if err := b.Put(ctx, resolved("a"), false); err != nil {
		t.Fatal(err)
	}
	api.AddSchedule(lambdaSchedule("default", "a"))
	if err := b.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if len(api.ScheduleNames("app")) != 0 || len(api.ScheduleNames("default")) != 1 {
		t.Errorf("left app %v, default %v", api.ScheduleNames("app"), api.ScheduleNames("default"))
	}
	if err := b.Delete(ctx, "a"); !isNotFound(err) || !strings.Contains(err.Error(), "delete schedule a") {
		t.Errorf("delete twice: %v", err)
	}
	api.Fail("CreateScheduleGroup", errors.New("quota"))
	if err := b.EnsureGroup(ctx); err == nil || !strings.Contains(err.Error(), "create schedule group app: quota") {
		t.Errorf("ensure group failure: %v", err)
	}
}

// A schedule read back whose target is not an ECS task is no task.
func TestFromScheduleNotECS(t *testing.T) {
	for _, s := range []*scheduler.GetScheduleOutput{{Name: aws.String("x")}, {Name: aws.String("y"), Target: &stypes.Target{Arn: aws.String("arn:aws:sqs:q")}}} {
		if _, err := fromSchedule(s); !errors.Is(err, errNotECS) {
			t.Errorf("%s: %v", aws.ToString(s.Name), err)
		}
	}
}

// names is a map's keys, sorted, in one string.
func names(m map[string]*Task) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), " ")
}

// docs are tasks as MakePlan compares them (the SDK's types hold
// unexported fields cmp cannot look into).
func docs(m map[string]*Task) map[string]string {
	out := map[string]string{}
	for k, t := range m {
		out[k] = string(doc(t))
	}
	return out
}

// compact is JSON text without its whitespace.
func compact(s string) string { return strings.Join(strings.Fields(s), "") }
