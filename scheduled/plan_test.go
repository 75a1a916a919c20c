package scheduled

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/tamp-ecs/tamp/internal/diffreport"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// plan reads the backend and compares local with it, as a sync does.
func plan(t *testing.T, b Backend, local ...*Task) *Plan {
	t.Helper()
	remote, exists, err := b.Remote(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(local, remote, exists)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// actions is each resource's action in report order: "create schedule a".
func actions(r diffreport.Report) []string {
	var out []string
	for _, c := range r.Changes {
		out = append(out, string(c.Action)+" "+c.Resource)
	}
	return out
}

func TestMakePlan(t *testing.T) {
	remote := map[string]*Task{
		"same":    resolved("same"),
		"changed": resolved("changed"),
		"zeta":    resolved("zeta"),
		"alpha":   resolved("alpha"),
	}
	local := []*Task{resolved("new"), resolved("changed", func(t *Task) { t.Schedule = "rate(1 hour)" }), resolved("same")}
	p, err := MakePlan(local, remote, true)
	if err != nil {
		t.Fatal(err)
	}
	// Config order first, then the owned tasks it no longer lists, sorted.
	want := []string{"create schedule new", "update schedule changed", "unchanged schedule same", "delete schedule alpha", "delete schedule zeta"}
	if got := actions(p.Report); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if f := p.Report.Changes[1].Fields; !slices.Equal(f, []string{"schedule"}) {
		t.Errorf("changed fields %v", f)
	}
	if len(p.puts) != 2 || p.puts[0].exists || !p.puts[1].exists || !slices.Equal(p.deletes, []string{"alpha", "zeta"}) {
		t.Errorf("puts %+v, deletes %v", p.puts, p.deletes)
	}
}

// A sync on the Scheduler backend: creates, updates, leaves what matches,
// deletes owned schedules only with prune, and never touches another
// group's.
func TestApplySchedulerBackend(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	b := schedulerBackend(api)
	api.AddGroup("app")
	for _, task := range []*Task{resolved("same"), resolved("changed"), resolved("gone")} {
		if err := b.Put(ctx, task, false); err != nil {
			t.Fatal(err)
		}
	}
	api.AddSchedule(lambdaSchedule("other", "new")) // same name, another group
	api.AddSchedule(lambdaSchedule("app", "lambda"))
	local := []*Task{resolved("new"), resolved("changed", func(t *Task) { t.Command = []string{"bin/v2"} }), resolved("same")}

	api.ResetCalls()
	p := plan(t, b, local...)
	want := []string{"create schedule new", "update schedule changed", "unchanged schedule same", "delete schedule gone"}
	if got := actions(p.Report); !slices.Equal(got, want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	done, err := p.Apply(ctx, b, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Applied{Created: 1, Updated: 1, Unchanged: 1, Left: 1}); done != want {
		t.Errorf("done %+v, want %+v", done, want)
	}
	// A diff of N tasks costs N+1 calls; the sync adds one write per change.
	if want := map[string]int{"ListSchedules": 1, "GetSchedule": 4, "CreateSchedule": 1, "UpdateSchedule": 1}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("calls %v, want %v", api.CallCounts(), want)
	}
	if got := api.ScheduleNames("app"); !slices.Equal(got, []string{"changed", "gone", "lambda", "new", "same"}) {
		t.Errorf("without prune, app holds %v", got)
	}
	if s, _ := api.Schedule("app", "changed"); !strings.Contains(compact(aws.ToString(s.Target.Input)), `"command":["bin/v2"]`) {
		t.Errorf("changed not updated: %s", aws.ToString(s.Target.Input))
	}

	api.ResetCalls()
	p = plan(t, b, local...)
	if got := actions(p.Report); !slices.Equal(got, []string{"unchanged schedule new", "unchanged schedule changed", "unchanged schedule same", "delete schedule gone"}) {
		t.Errorf("second plan %v", got)
	}
	done, err = p.Apply(ctx, b, true, 2)
	if want := (Applied{Unchanged: 3, Deleted: 1, Pruned: true}); err != nil || done != want {
		t.Errorf("prune: %+v, %v; want %+v", done, err, want)
	}
	if api.Calls("CreateSchedule")+api.Calls("UpdateSchedule") != 0 || api.Calls("DeleteSchedule") != 1 {
		t.Errorf("prune calls %v", api.CallCounts())
	}
	if got := api.ScheduleNames("app"); !slices.Equal(got, []string{"changed", "lambda", "new", "same"}) {
		t.Errorf("after prune, app holds %v (the Lambda schedule is not ours to delete)", got)
	}
	if got := api.ScheduleNames("other"); !slices.Equal(got, []string{"new"}) {
		t.Errorf("another group changed: %v", got)
	}
}

// A sync on the rules backend deletes, with prune, only rules tagged with
// the group: never another group's, an untagged one, or one of another kind.
func TestApplyEventsBackend(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	local := []*Task{resolved("new"), resolved("adopted"), resolved("same")}
	b := eventsBackend(api, "new", "adopted", "same")
	if err := b.Put(ctx, resolved("same"), false); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, resolved("gone"), false); err != nil {
		t.Fatal(err)
	}
	adoptedTarget := ecsTarget("ecschedule", testRevision)
	api.AddRule(scheduledRule("adopted"), nil, adoptedTarget)
	api.AddRule(scheduledRule("theirs"), owned("other"), ecsTarget(targetID, "td:1"))
	api.AddRule(scheduledRule("untagged"), nil, ecsTarget(targetID, "td:1"))
	api.AddRule(scheduledRule("owned-lambda"), owned("app"), lambdaTarget())

	p := plan(t, b, local...)
	want := []string{"create schedule new", "update schedule adopted", "unchanged schedule same", "delete schedule gone"}
	if got := actions(p.Report); !slices.Equal(got, want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	api.ResetCalls()
	done, err := p.Apply(ctx, b, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Applied{Created: 1, Updated: 1, Unchanged: 1, Deleted: 1, Pruned: true}); done != want {
		t.Errorf("done %+v, want %+v", done, want)
	}
	if got := api.RuleNames(); !slices.Equal(got, []string{"adopted", "new", "owned-lambda", "same", "theirs", "untagged"}) {
		t.Errorf("rules left %v", got)
	}
	if ids := targetIDs(api.Targets("adopted")); !slices.Equal(ids, []string{targetID}) || api.Tags("adopted")[OwnerTag] != "app" {
		t.Errorf("adopted rule: targets %v, tags %v", ids, api.Tags("adopted"))
	}
	// new: PutRule + PutTargets; adopted: PutRule, TagResource, PutTargets,
	// ListTargetsByRule, RemoveTargets; gone: ListTargetsByRule,
	// RemoveTargets, DeleteRule.
	if want := map[string]int{"PutRule": 2, "TagResource": 1, "PutTargets": 2, "ListTargetsByRule": 2, "RemoveTargets": 2, "DeleteRule": 1}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("calls %v, want %v", api.CallCounts(), want)
	}
	if p := plan(t, b, local...); p.Report.Differs() {
		t.Errorf("after the sync: %v", actions(p.Report))
	}
}

// An adopted rule whose two ECS targets both run the config's task is a
// difference (the task would run twice), and a sync leaves one target.
func TestApplyFixesARuleWithTwoECSTargets(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	b := eventsBackend(api, "job")
	task := resolved("job")
	if err := b.Put(ctx, task, false); err != nil {
		t.Fatal(err)
	}
	mine := api.Targets("job")[0]
	copy1, copy2 := mine, mine
	copy1.Id, copy2.Id = aws.String("ecschedule-1"), aws.String("ecschedule-2")
	api.AddRule(etypes.Rule{Name: aws.String("job"), ScheduleExpression: aws.String(task.Schedule)}, nil, copy1, copy2)

	p := plan(t, b, task)
	if got := actions(p.Report); !slices.Equal(got, []string{"update schedule job"}) {
		t.Fatalf("actions %v", got)
	}
	if _, err := p.Apply(ctx, b, false, 0); err != nil {
		t.Fatal(err)
	}
	if ids := targetIDs(api.Targets("job")); !slices.Equal(ids, []string{targetID}) {
		t.Errorf("targets %v", ids)
	}
}

// Nothing to write creates no group; something to write into a missing
// group creates it first.
func TestApplyEnsuresTheGroup(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	b := schedulerBackend(api)
	p := plan(t, b)
	if _, err := p.Apply(ctx, b, true, 0); err != nil || api.HasGroup("app") || api.Calls("CreateScheduleGroup") != 0 {
		t.Errorf("empty plan: %v, group created %v", err, api.HasGroup("app"))
	}
	p = plan(t, b, resolved("a"), resolved("b"))
	if got := actions(p.Report); !slices.Equal(got, []string{"create schedule a", "create schedule b"}) {
		t.Fatalf("actions %v", got)
	}
	done, err := p.Apply(ctx, b, false, 0)
	if err != nil || done.Created != 2 {
		t.Fatalf("apply: %v, %v", done, err)
	}
	if !api.HasGroup("app") || api.Calls("CreateScheduleGroup") != 1 || !slices.Equal(api.ScheduleNames("app"), []string{"a", "b"}) {
		t.Errorf("group %v, calls %v, schedules %v", api.HasGroup("app"), api.CallCounts(), api.ScheduleNames("app"))
	}

	failing := fakeaws.NewScheduler()
	failing.Fail("CreateScheduleGroup", errors.New("quota"))
	fb := schedulerBackend(failing)
	done, err = plan(t, fb, resolved("a")).Apply(ctx, fb, false, 0)
	if err == nil || done != (Applied{}) || failing.Calls("CreateSchedule") != 0 {
		t.Errorf("group failing: %v, %v, calls %v", done, err, failing.CallCounts())
	}
}

// --disable-all is every task with Disabled set: one update each, and the
// next plain sync enables them again.
func TestApplyDisableAll(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	api.AddGroup("app")
	b := schedulerBackend(api)
	config := []*Task{resolved("a"), resolved("b"), resolved("c", func(t *Task) { t.Disabled = true })}
	if _, err := plan(t, b, config...).Apply(ctx, b, false, 0); err != nil {
		t.Fatal(err)
	}
	var disabled []*Task
	for _, task := range config {
		d := *task
		d.Disabled = true
		disabled = append(disabled, &d)
	}
	api.ResetCalls()
	p := plan(t, b, disabled...)
	if got := actions(p.Report); !slices.Equal(got, []string{"update schedule a", "update schedule b", "unchanged schedule c"}) {
		t.Fatalf("disable-all plan %v", got)
	}
	if _, err := p.Apply(ctx, b, false, 0); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if s, _ := api.Schedule("app", n); s.State != stypes.ScheduleStateDisabled {
			t.Errorf("%s is %s", n, s.State)
		}
	}
	if api.Calls("UpdateSchedule") != 2 {
		t.Errorf("calls %v", api.CallCounts())
	}
	if _, err := plan(t, b, config...).Apply(ctx, b, false, 0); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]stypes.ScheduleState{"a": stypes.ScheduleStateEnabled, "b": stypes.ScheduleStateEnabled, "c": stypes.ScheduleStateDisabled} {
		if s, _ := api.Schedule("app", n); s.State != want {
			t.Errorf("after a plain sync %s is %s, want %s", n, s.State, want)
		}
	}
}

// A write failing part way: every failure is reported, what succeeded is
// counted, and nothing is pruned after a failed write.
func TestApplyReportsFailures(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	api.AddGroup("app")
	b := schedulerBackend(api)
	if err := b.Put(ctx, resolved("gone"), false); err != nil {
		t.Fatal(err)
	}
	p := plan(t, b, resolved("a"), resolved("b"), resolved("c"))
	api.FailAfter("CreateSchedule", 1, errors.New("throttled"))
	done, err := p.Apply(ctx, b, true, 1)
	if err == nil || strings.Count(err.Error(), "throttled") != 2 || !strings.Contains(err.Error(), "schedule b: throttled") ||
		!strings.Contains(err.Error(), "schedule c: throttled") {
		t.Errorf("error %v, want b and c named", err)
	}
	if want := (Applied{Created: 1, Pruned: true}); done != want {
		t.Errorf("done %+v, want %+v", done, want)
	}
	if api.Calls("DeleteSchedule") != 0 || !slices.Equal(api.ScheduleNames("app"), []string{"a", "gone"}) {
		t.Errorf("pruned after a failure: %v", api.ScheduleNames("app"))
	}

	api.Fail("CreateSchedule", nil)
	api.Fail("DeleteSchedule", errors.New("denied"))
	p = plan(t, b, resolved("a"))
	if done, err := p.Apply(ctx, b, true, 0); err == nil || !strings.Contains(err.Error(), "delete schedule gone: denied") || done.Deleted != 0 {
		t.Errorf("delete failing: %v, %v", done, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	p = plan(t, b, resolved("x"), resolved("y"))
	api.ResetCalls()
	// Nothing started: both changes say so, and the interrupt is one error.
	if done, err := p.Apply(cancelled, b, false, 0); err != context.Canceled || done != (Applied{NotStarted: 2, Left: 2}) || api.TotalCalls() != 0 {
		t.Errorf("cancelled: %v, %v, calls %v", done, err, api.CallCounts())
	}
}

func TestAppliedString(t *testing.T) {
	for _, c := range []struct {
		a    Applied
		want string
	}{
		{Applied{Created: 1, Unchanged: 2}, "scheduled: 1 created, 0 updated, 2 unchanged"},
		{Applied{Updated: 1, Left: 1}, "scheduled: 0 created, 1 updated, 0 unchanged; 1 owned schedule not in the config was left (--prune deletes them)"},
		{Applied{Left: 3}, "scheduled: 0 created, 0 updated, 0 unchanged; 3 owned schedules not in the config were left (--prune deletes them)"},
		{Applied{Deleted: 2, Pruned: true, Left: 2}, "scheduled: 0 created, 0 updated, 0 unchanged, 2 deleted"},
		{Applied{NotStarted: 2}, "scheduled: 0 created, 0 updated, 0 unchanged; interrupted: 2 not started (run the sync again to finish)"},
	} {
		if got := c.a.String(); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.a, got, c.want)
		}
	}
}
