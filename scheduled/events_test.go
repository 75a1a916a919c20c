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
	"github.com/google/go-cmp/cmp"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func eventsBackend(api EventsAPI, names ...string) *EventsBackend {
	return &EventsBackend{API: api, Group: "app", RoleArn: testRole, ClusterArn: testCluster, Names: names}
}

func scheduledRule(name string) etypes.Rule {
	return etypes.Rule{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 hour)")}
}

// ecsTarget is an ECS target another tool wrote.
func ecsTarget(id, taskDefinition string) etypes.Target {
	return etypes.Target{Id: aws.String(id), Arn: aws.String(testCluster), RoleArn: aws.String(testRole),
		EcsParameters: &etypes.EcsParameters{TaskDefinitionArn: aws.String(taskDefinition)}}
}

func lambdaTarget() etypes.Target {
	return etypes.Target{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")}
}

func owned(group string) map[string]string { return map[string]string{OwnerTag: group} }

func targetIDs(ts []etypes.Target) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, aws.ToString(t.Id))
	}
	return ids
}

// An adopted rule keeps one target after a sync (not its old one beside
// tamp's), a rule with a foreign target beside tamp's shows the difference,
// and prune removes every target before the rule.
func TestEventsTargets(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	api.AddRule(scheduledRule("job"), nil, ecsTarget("ecschedule", "td:1"))
	b := eventsBackend(api, "job")

	remote, _, err := b.Remote(ctx)
	if adopted := remote["job"]; err != nil || adopted == nil || adopted.OtherTargets != 0 || adopted.TaskDefinition != "td:1" {
		t.Fatalf("adopted rule read as %+v, %v", adopted, err)
	}
	if err := b.Put(ctx, resolved("job", func(t *Task) { t.Schedule = "rate(1 hour)" }), true); err != nil {
		t.Fatal(err)
	}
	if ids := targetIDs(api.Targets("job")); !slices.Equal(ids, []string{targetID}) {
		t.Fatalf("targets after sync: %v", ids)
	}
	if tags := api.Tags("job"); tags[OwnerTag] != "app" {
		t.Errorf("adopted rule not tagged as the group's: %v", tags)
	}

	api.AddRule(scheduledRule("job"), owned("app"), append(api.Targets("job"), ecsTarget("ecschedule", "td:1"))...)
	remote, _, err = b.Remote(ctx)
	if both := remote["job"]; err != nil || both.OtherTargets != 1 || both.TaskDefinition != testRevision {
		t.Fatalf("rule with two targets read as %+v, %v", both, err)
	}
	api.ResetCalls()
	if err := b.Delete(ctx, "job"); err != nil || slices.Contains(api.RuleNames(), "job") {
		t.Fatalf("delete: %v, rules %v", err, api.RuleNames())
	}
	if want := map[string]int{"ListTargetsByRule": 1, "RemoveTargets": 1, "DeleteRule": 1}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("delete calls %v, want %v", api.CallCounts(), want)
	}
}

// A new rule is written with the group's tag in PutRule and one target;
// read back it compares unchanged.
func TestEventsPutThenRemoteRoundTrips(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	b := eventsBackend(api, "nightly", "hourly")
	nightly := resolved("nightly", func(t *Task) {
		t.Description, t.TaskCount, t.Tags = "nightly aggregation", aws.Int32(3), map[string]string{"team": "data"}
		t.RetryPolicy = &RetryPolicy{MaximumEventAgeSeconds: aws.Int32(3600), MaximumRetryAttempts: aws.Int32(2)}
		t.DeadLetterArn = "arn:aws:sqs:us-east-1:123456789012:dlq"
	})
	hourly := resolved("hourly", func(t *Task) { t.Schedule, t.Disabled = "rate(1 hour)", true })
	for _, task := range []*Task{nightly, hourly} {
		if err := b.Put(ctx, task, false); err != nil {
			t.Fatal(err)
		}
	}
	if want := map[string]int{"PutRule": 2, "PutTargets": 2}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("create calls %v, want %v (no tagging or target listing for a new rule)", api.CallCounts(), want)
	}
	r, _ := api.Rule("nightly")
	if r.State != etypes.RuleStateEnabled || aws.ToString(r.Description) != "nightly aggregation" || aws.ToString(r.ScheduleExpression) != "cron(0 16 * * ? *)" {
		t.Errorf("rule %+v", r)
	}
	if h, _ := api.Rule("hourly"); h.State != etypes.RuleStateDisabled {
		t.Errorf("hourly state %s", h.State)
	}
	if tags := api.Tags("nightly"); !maps.Equal(tags, owned("app")) {
		t.Errorf("tags %v", tags)
	}
	ts := api.Targets("nightly")
	if len(ts) != 1 {
		t.Fatalf("targets %+v", ts)
	}
	tg := ts[0]
	if aws.ToString(tg.Id) != targetID || aws.ToString(tg.Arn) != testCluster || aws.ToString(tg.RoleArn) != testRole ||
		aws.ToInt32(tg.EcsParameters.TaskCount) != 3 || aws.ToString(tg.EcsParameters.TaskDefinitionArn) != testRevision ||
		aws.ToString(tg.DeadLetterConfig.Arn) != "arn:aws:sqs:us-east-1:123456789012:dlq" || aws.ToInt32(tg.RetryPolicy.MaximumEventAgeInSeconds) != 3600 ||
		aws.ToString(tg.EcsParameters.Tags[0].Key) != "team" || !strings.Contains(compact(aws.ToString(tg.Input)), `"command":["bin/nightly"]`) {
		t.Errorf("target %+v", tg)
	}

	api.ResetCalls()
	remote, exists, err := b.Remote(ctx)
	if err != nil || !exists {
		t.Fatal(err)
	}
	if diff := cmp.Diff(docs(map[string]*Task{"nightly": nightly, "hourly": hourly}), docs(remote)); diff != "" {
		t.Errorf("read back (-put +read):\n%s", diff)
	}
	// Rules named like config tasks are read without their tags.
	if want := map[string]int{"ListRules": 1, "ListTargetsByRule": 2}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("remote calls %v, want %v", api.CallCounts(), want)
	}
	plan, err := MakePlan([]*Task{nightly, hourly}, remote, exists)
	if err != nil || plan.Report.Differs() {
		t.Errorf("second sync would change %v (%v)", plan.Report.Counts(), err)
	}
}

// Remote holds the rules named like config tasks (owned or not) and the
// scheduled rules tagged with the group; other groups' rules, untagged
// rules, event-pattern rules and owned rules of another kind are not
// tasks of this config.
func TestEventsRemote(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	api.SetPageSize(3)
	api.AddRule(scheduledRule("config-named"), nil, ecsTarget("ecschedule", "td:1"))
	api.AddRule(scheduledRule("owned-gone"), owned("app"), ecsTarget(targetID, "td:2"))
	api.AddRule(scheduledRule("other-group"), owned("other"), ecsTarget(targetID, "td:3"))
	api.AddRule(scheduledRule("untagged"), nil, ecsTarget("x", "td:4"))
	api.AddRule(scheduledRule("owned-lambda"), owned("app"), lambdaTarget())
	api.AddRule(etypes.Rule{Name: aws.String("on-event"), EventPattern: aws.String(`{"source":["aws.ecs"]}`)}, owned("app"), ecsTarget(targetID, "td:5"))

	remote, exists, err := eventsBackend(api, "config-named", "not-there-yet").Remote(ctx)
	if err != nil || !exists {
		t.Fatal(err)
	}
	if got := names(remote); got != "config-named owned-gone" {
		t.Errorf("remote holds %s", got)
	}
	// Two pages of rules; tags read for the four scheduled rules the
	// config does not name; targets for the three candidates.
	if want := map[string]int{"ListRules": 2, "ListTagsForResource": 4, "ListTargetsByRule": 3}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("calls %v, want %v", api.CallCounts(), want)
	}

	api.AddRule(scheduledRule("config-lambda"), nil, lambdaTarget())
	if _, _, err := eventsBackend(api, "config-lambda").Remote(ctx); err == nil ||
		!strings.Contains(err.Error(), "read rule config-lambda: its target is not an ECS task") {
		t.Errorf("a config-named rule of another kind: %v", err)
	}
}

func TestEventsRemoteErrors(t *testing.T) {
	ctx := context.Background()
	denied := errors.New("access denied")
	for _, tt := range []struct{ op, want string }{
		{"ListRules", "list rules: access denied"},
		{"ListTagsForResource", "tags of rule untagged: access denied"},
		{"ListTargetsByRule", "targets of rule job: access denied"},
	} {
		api := fakeaws.NewEvents()
		api.AddRule(scheduledRule("job"), nil, ecsTarget(targetID, "td:1"))
		api.AddRule(scheduledRule("untagged"), nil, ecsTarget(targetID, "td:1"))
		api.Fail(tt.op, denied)
		if _, _, err := eventsBackend(api, "job").Remote(ctx); !errors.Is(err, denied) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s failing: %v", tt.op, err)
		}
	}
}

// Adopt reads every scheduled rule with an ECS target under the prefix,
// whoever owns it.
func TestEventsAdopt(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	api.SetPageSize(2)
	api.AddRule(scheduledRule("app-a"), nil, ecsTarget("ecschedule", "td:1"))
	api.AddRule(scheduledRule("app-b"), owned("other"), ecsTarget(targetID, "td:2"))
	api.AddRule(scheduledRule("app-lambda"), nil, lambdaTarget())
	api.AddRule(etypes.Rule{Name: aws.String("app-event"), EventPattern: aws.String(`{}`)}, nil, ecsTarget("x", "td:3"))
	api.AddRule(scheduledRule("web-c"), nil, ecsTarget("x", "td:4"))

	tasks, err := (&EventsBackend{API: api}).Adopt(ctx, "app-")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(tasks); got != "app-a app-b" || tasks["app-b"].TaskDefinition != "td:2" || tasks["app-a"].RoleArn != testRole {
		t.Errorf("adopted %s: %+v", got, tasks)
	}
	if want := map[string]int{"ListRules": 2, "ListTargetsByRule": 3}; !maps.Equal(api.CallCounts(), want) {
		t.Errorf("calls %v, want %v", api.CallCounts(), want)
	}
	all, err := (&EventsBackend{API: api}).Adopt(ctx, "")
	if err != nil || names(all) != "app-a app-b web-c" {
		t.Errorf("no prefix: %s, %v", names(all), err)
	}
	api.Fail("ListTargetsByRule", errors.New("throttled"))
	if _, err := (&EventsBackend{API: api}).Adopt(ctx, "app-"); err == nil || !strings.Contains(err.Error(), "targets of rule app-") {
		t.Errorf("targets failing: %v", err)
	}
	api.Fail("ListRules", errors.New("throttled"))
	if _, err := (&EventsBackend{API: api}).Adopt(ctx, "app-"); err == nil || !strings.Contains(err.Error(), "list rules: throttled") {
		t.Errorf("list failing: %v", err)
	}
}

// An update writes the rule, tags it (PutRule ignores tags on update),
// replaces tamp's target and removes any other, and stops at the first
// write that fails.
func TestEventsPutUpdate(t *testing.T) {
	ctx := context.Background()
	task := resolved("job", func(t *Task) { t.Description = "new" })
	t.Run("tamp's own rule", func(t *testing.T) {
		api := fakeaws.NewEvents()
		api.AddRule(scheduledRule("job"), owned("app"), ecsTarget(targetID, "td:1"))
		if err := eventsBackend(api, "job").Put(ctx, task, true); err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"PutRule": 1, "TagResource": 1, "PutTargets": 1, "ListTargetsByRule": 1}; !maps.Equal(api.CallCounts(), want) {
			t.Errorf("calls %v, want %v (nothing to remove)", api.CallCounts(), want)
		}
		ts := api.Targets("job")
		if r, _ := api.Rule("job"); len(ts) != 1 || aws.ToString(ts[0].EcsParameters.TaskDefinitionArn) != testRevision || aws.ToString(r.Description) != "new" {
			t.Errorf("rule %+v, targets %+v", r, ts)
		}
	})
	t.Run("adopted rule with a foreign target", func(t *testing.T) {
		api := fakeaws.NewEvents()
		api.AddRule(scheduledRule("job"), map[string]string{"team": "data"}, ecsTarget("ecschedule", "td:1"), lambdaTarget())
		if err := eventsBackend(api, "job").Put(ctx, task, true); err != nil {
			t.Fatal(err)
		}
		if ids := targetIDs(api.Targets("job")); !slices.Equal(ids, []string{targetID}) {
			t.Errorf("targets %v", ids)
		}
		if tags := api.Tags("job"); !maps.Equal(tags, map[string]string{"team": "data", OwnerTag: "app"}) {
			t.Errorf("tags %v", tags)
		}
		if api.Calls("RemoveTargets") != 1 {
			t.Errorf("calls %v", api.CallCounts())
		}
	})
	for _, op := range []string{"PutRule", "TagResource", "PutTargets", "ListTargetsByRule", "RemoveTargets"} {
		t.Run(op+" failing", func(t *testing.T) {
			api := fakeaws.NewEvents()
			api.AddRule(scheduledRule("job"), nil, ecsTarget("ecschedule", "td:1"))
			api.Fail(op, errors.New("denied"))
			err := eventsBackend(api, "job").Put(ctx, task, true)
			if err == nil || !strings.Contains(err.Error(), "job: denied") {
				t.Errorf("error %v", err)
			}
		})
	}
	t.Run("target rejected", func(t *testing.T) {
		api := fakeaws.NewEvents()
		api.RejectTargets("job", "ValidationException", "Role is not valid")
		err := eventsBackend(api, "job").Put(ctx, task, false)
		if err == nil || err.Error() != "target of rule job: ValidationException: Role is not valid" {
			t.Errorf("error %v", err)
		}
	})
}

// Delete takes the targets off first: EventBridge refuses to delete a rule
// that has any.
func TestEventsDelete(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	api.AddRule(scheduledRule("bare"), owned("app"))
	if err := eventsBackend(api).Delete(ctx, "bare"); err != nil || len(api.RuleNames()) != 0 {
		t.Fatalf("delete: %v, left %v", err, api.RuleNames())
	}
	if api.Calls("RemoveTargets") != 0 {
		t.Error("targets removed from a rule that had none")
	}
	api.AddRule(scheduledRule("job"), owned("app"), ecsTarget(targetID, "td:1"))
	api.Fail("DeleteRule", errors.New("denied"))
	if err := eventsBackend(api).Delete(ctx, "job"); err == nil || !strings.Contains(err.Error(), "delete rule job: denied") {
		t.Errorf("delete failing: %v", err)
	}
	api.Fail("DeleteRule", nil)
	api.Fail("RemoveTargets", errors.New("denied"))
	api.AddRule(scheduledRule("job"), owned("app"), ecsTarget(targetID, "td:1"))
	if err := eventsBackend(api).Delete(ctx, "job"); err == nil || !strings.Contains(err.Error(), "remove targets of rule job: denied") {
		t.Errorf("remove targets failing: %v", err)
	}
	if err := eventsBackend(api).EnsureGroup(ctx); err != nil || api.Calls("PutRule")+api.Calls("TagResource") != 0 {
		t.Errorf("EnsureGroup wrote something: %v", err)
	}
}

// The old hand-rolled check, kept as a unit test of fromRule: of several
// targets, tamp's wins; without it, the last ECS one.
func TestFromRulePicksTheTarget(t *testing.T) {
	r := etypes.Rule{Name: aws.String("job"), ScheduleExpression: aws.String("rate(1 hour)")}
	got, err := fromRule(r, []etypes.Target{ecsTarget("a", "td:1"), lambdaTarget(), ecsTarget("b", "td:2")})
	if err != nil || got.TaskDefinition != "td:2" || got.OtherTargets != 2 {
		t.Errorf("without tamp's target: %+v, %v", got, err)
	}
	// Two ECS targets run the task twice: the one not read is another.
	got, err = fromRule(r, []etypes.Target{ecsTarget("a", "td:1"), ecsTarget("b", "td:2")})
	if err != nil || got.TaskDefinition != "td:2" || got.OtherTargets != 1 {
		t.Errorf("two ECS targets: %+v, %v", got, err)
	}
	got, err = fromRule(r, []etypes.Target{ecsTarget("b", "td:2"), ecsTarget(targetID, "td:9")})
	if err != nil || got.TaskDefinition != "td:9" || got.OtherTargets != 1 {
		t.Errorf("with tamp's target: %+v, %v", got, err)
	}
	if _, err := fromRule(r, []etypes.Target{lambdaTarget()}); !errors.Is(err, errNotECS) {
		t.Errorf("no ECS target: %v", err)
	}
	bad := ecsTarget(targetID, "td:1")
	bad.Input = aws.String(`{"containerOverrides": "no"}`)
	if _, err := fromRule(r, []etypes.Target{bad}); err == nil || !strings.Contains(err.Error(), "not an ECS task override") {
		t.Errorf("bad input: %v", err)
	}
}

// A rule left without a target — a sync stopped between PutRule and
// PutTargets, or a prune between RemoveTargets and DeleteRule — is a task
// to repair, owned or named like a config task, read with the rule's own
// fields and nothing a target holds; not a rule that stops every sync.
func TestEventsRemoteReadsARuleWithoutATarget(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewEvents()
	api.AddRule(etypes.Rule{Name: aws.String("half-created"), ScheduleExpression: aws.String("rate(1 hour)"), Description: aws.String("d")}, owned("app"))
	api.AddRule(scheduledRule("half-deleted"), owned("app"))
	api.AddRule(scheduledRule("named"), nil)
	api.AddRule(scheduledRule("theirs"), owned("other"))
	api.AddRule(scheduledRule("untagged"), nil)

	remote, _, err := eventsBackend(api, "half-created", "named").Remote(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(remote); got != "half-created half-deleted named" {
		t.Errorf("remote holds %s", got)
	}
	want := &Task{Name: "half-created", Description: "d", Schedule: "rate(1 hour)", Timezone: "UTC", FlexibleTimeWindow: &FlexibleTimeWindow{Mode: "OFF"}}
	if diff := cmp.Diff(want, remote["half-created"]); diff != "" {
		t.Errorf("half-created read as (-want +got):\n%s", diff)
	}
}

// The stuck rule of the issue, end to end through a Syncer: diff shows
// the target to put, sync puts it (and the tag) and leaves nothing to do;
// an owned one the config does not list is a deletion that prune makes.
func TestSyncRepairsARuleWithoutATarget(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, config.BackendEvents, "empty")
	w.tasks = w.tasks[:1] // create-a
	w.events.AddRule(etypes.Rule{Name: aws.String("create-a"), ScheduleExpression: aws.String("rate(5 minutes)")}, owned("app"))
	w.events.AddRule(scheduledRule("left-over"), owned("app"))

	p := w.plan(t)
	if got := actions(p.Report); !slices.Equal(got, []string{"update schedule create-a", "delete schedule left-over"}) {
		t.Fatalf("actions %v", got)
	}
	fields := p.Report.Changes[0].Fields
	for _, f := range []string{"task_definition", "cluster_arn", "role_arn", "task_count", "container_overrides", "retry_policy"} {
		if !slices.Contains(fields, f) {
			t.Errorf("the diff of the rule without a target does not show %s: %v", f, fields)
		}
	}
	if slices.Contains(fields, "schedule") || slices.Contains(fields, "timezone") {
		t.Errorf("the diff shows fields the rule has: %v", fields)
	}
	applied, err := p.Apply(ctx, true)
	if err != nil || applied != (Applied{Updated: 1, Deleted: 1, Pruned: true}) {
		t.Fatalf("sync %v, %v", applied, err)
	}
	if got := w.events.RuleNames(); !slices.Equal(got, []string{"create-a"}) {
		t.Errorf("rules %v", got)
	}
	w.assertSynced(t)
}
