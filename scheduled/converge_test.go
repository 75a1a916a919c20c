package scheduled

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/google/go-cmp/cmp"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// A sync stopped at any write — the process killed there, the network
// gone, or that one operation failing from then on — leaves a state from
// which one more plain sync reaches exactly what an uninterrupted sync
// reaches: the same schedules, rules, targets, tags and task definition
// revisions, nothing twice. On both backends, from an empty account and
// from one holding tasks to update, adopt and prune.
func TestSyncConvergesAfterAStopAtEveryWrite(t *testing.T) {
	for _, backend := range []string{config.BackendScheduler, config.BackendEvents} {
		for _, start := range []string{"empty", "existing"} {
			t.Run(backend+"/"+start, func(t *testing.T) {
				clean := newWorld(t, backend, start)
				if err := clean.sync(context.Background(), nil, 1); err != nil {
					t.Fatal(err)
				}
				clean.assertSynced(t)
				want := clean.snapshot(t)
				writesMade := clean.writes.n

				for _, limit := range []int{1, 3} {
					for k := range writesMade {
						w := newWorld(t, backend, start)
						w.writes.crashAfter = k
						if err := w.sync(context.Background(), nil, limit); err == nil {
							t.Fatalf("limit %d, stopped after %d of %d writes: the sync reported no error", limit, k, writesMade)
						}
						made := w.writes.ops
						w.writes.crashAfter = -1
						if err := w.sync(context.Background(), nil, limit); err != nil {
							t.Fatalf("limit %d, stopped after %d writes: the next sync: %v", limit, k, err)
						}
						if diff := cmp.Diff(want, w.snapshot(t)); diff != "" {
							t.Fatalf("limit %d, stopped after %d writes (%v): the next sync left (-clean +got):\n%s", limit, k, made, diff)
						}
					}
				}

				// One operation failing from its n-th call on, the others
				// going through (a PutTargets the rule's role is refused for,
				// say), then lifted.
				for _, op := range writes {
					for n := range clean.calls(op) {
						w := newWorld(t, backend, start)
						injected := errors.New("injected failure")
						w.ledger().FailAfter(op, n, injected)
						if err := w.sync(context.Background(), nil, 3); !errors.Is(err, injected) {
							t.Fatalf("%s failing after %d: sync error %v", op, n, err)
						}
						w.ledger().Fail(op, nil)
						if err := w.sync(context.Background(), nil, 3); err != nil {
							t.Fatalf("%s failing after %d: the next sync: %v", op, n, err)
						}
						if diff := cmp.Diff(want, w.snapshot(t)); diff != "" {
							t.Fatalf("%s failing after %d: the next sync left (-clean +got):\n%s", op, n, diff)
						}
					}
				}
			})
		}
	}
}

// world is an account a sync runs against: the fakes, wrapped so a test
// can stop the sync at a write, and the config's scheduled tasks.
type world struct {
	backend string
	ecs     *fakeaws.ECS
	sched   *fakeaws.Scheduler
	events  *fakeaws.Events
	writes  *writeLog
	defs    *ecs.Definitions
	tasks   []*Task
}

// newWorld is an account in the start state ("empty", or "existing":
// synced once by an older config, with an adopted rule or a schedule of
// another kind beside, and other groups' schedules and rules) and the
// config to sync it to: a new revision of the config task definition
// batch, three tasks to create, one to repoint, one on an outside
// family with only its description changed, one unchanged, and (in
// "existing") one the config no longer lists.
func newWorld(t *testing.T, backend, start string) *world {
	t.Helper()
	w := &world{backend: backend, ecs: fakeaws.NewECS(), sched: fakeaws.NewScheduler(), events: fakeaws.NewEvents(), writes: &writeLog{crashAfter: -1}}
	w.ecs.AddTaskDefinition(ecsTaskDefinition("ext", "worker"))
	if start == "existing" {
		w.defs = batchDefinition("batch:1")
		w.tasks = []*Task{
			{Name: "repoint", Schedule: "rate(1 hour)", TaskDefinition: "batch", Command: []string{"repoint"}},
			{Name: "described", Description: "before", Schedule: "rate(2 hours)", TaskDefinition: "ext"},
			{Name: "same", Schedule: "cron(0 3 * * ? *)", TaskDefinition: "ext", Environment: map[string]string{"MODE": "full"}},
			{Name: "gone", Schedule: "rate(1 day)", TaskDefinition: "batch"},
		}
		if err := w.sync(context.Background(), nil, 1); err != nil {
			t.Fatal(err)
		}
		switch backend {
		case config.BackendEvents:
			// described was written by another tool: untagged, its one
			// target under that tool's ID.
			target := w.events.Targets("described")[0]
			target.Id = aws.String("ecschedule")
			r, _ := w.events.Rule("described")
			w.events.AddRule(r, nil, target)
			w.events.AddRule(scheduledRule("theirs"), owned("other"), ecsTarget(targetID, "td:1"))
			w.events.AddRule(scheduledRule("untagged"), nil, ecsTarget("x", "td:1"))
			w.events.AddRule(scheduledRule("owned-lambda"), owned("app"), lambdaTarget())
		default:
			w.sched.AddSchedule(lambdaSchedule("app", "lambda"))
			w.sched.AddSchedule(lambdaSchedule("other", "gone"))
		}
	}
	w.defs = batchDefinition("batch:2")
	w.tasks = []*Task{
		{Name: "create-a", Schedule: "rate(5 minutes)", TaskDefinition: "batch", Command: []string{"a"}},
		{Name: "repoint", Schedule: "rate(1 hour)", TaskDefinition: "batch", Command: []string{"repoint"}},
		{Name: "create-b", Schedule: "cron(0 16 * * ? *)", TaskDefinition: "batch", Disabled: true},
		{Name: "described", Description: "after", Schedule: "rate(2 hours)", TaskDefinition: "ext"},
		{Name: "same", Schedule: "cron(0 3 * * ? *)", TaskDefinition: "ext", Environment: map[string]string{"MODE": "full"}},
		{Name: "create-c", Schedule: "rate(1 day)", TaskDefinition: "ext", Tags: map[string]string{"team": "data"}},
	}
	for _, f := range []interface{ ResetCalls() }{w.ecs, w.sched, w.events} {
		f.ResetCalls()
	}
	w.writes.n, w.writes.ops = 0, nil
	return w
}

// batchDefinition is the config task definition batch running image.
func batchDefinition(image string) *ecs.Definitions {
	return &ecs.Definitions{TaskDefinitions: []*ecs.TaskDefinition{{Name: "batch", File: "batch.json", Containers: []string{"app"},
		Input: ecs.NormalizeTaskDefinition(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("batch"), ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String(image), Memory: aws.Int32(512), Essential: aws.Bool(true)}}})}}}
}

// syncer is the Syncer a command builds, over the wrapped fakes; each
// write goes through hook first when it is set, else through the log.
func (w *world) syncer(hook func(ctx context.Context, op string) error, limit int) *Syncer {
	if hook == nil {
		hook = w.writes.enter
	}
	return &Syncer{Config: &config.Scheduled{Backend: w.backend, Group: "app", RoleArn: testRole}, ConfigPath: "/app/tamp.yaml",
		Cluster: "app", Defs: w.defs, Tasks: w.tasks, Concurrency: limit,
		ECS: cutECS{w.ecs, hook}, Scheduler: cutScheduler{w.sched, hook}, Events: cutEvents{w.events, hook}}
}

// sync is scheduled sync --prune.
func (w *world) sync(ctx context.Context, hook func(ctx context.Context, op string) error, limit int) error {
	p, err := w.syncer(hook, limit).Plan(ctx, PlanOptions{Register: true})
	if err != nil {
		return err
	}
	_, err = p.Apply(ctx, true)
	return err
}

// plan is what a plain sync would do now.
func (w *world) plan(t *testing.T) *SyncPlan {
	t.Helper()
	p, err := w.syncer(func(context.Context, string) error { return nil }, 1).Plan(context.Background(), PlanOptions{Register: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *world) ledger() interface {
	FailAfter(string, int, error)
	Fail(string, error)
} {
	if w.backend == config.BackendEvents {
		return w.events
	}
	return w.sched
}

func (w *world) calls(op string) int {
	return w.ecs.Calls(op) + w.sched.Calls(op) + w.events.Calls(op)
}

// assertSynced checks what a sync must reach, beyond being repeatable: a
// plan with nothing to do, every config task once with one target, the
// group's tag, and batch's latest revision (its image is the config's).
func (w *world) assertSynced(t *testing.T) {
	t.Helper()
	if p := w.plan(t); p.Report.Differs() {
		t.Fatalf("after a sync: %v", actions(p.Report))
	}
	for _, task := range w.tasks {
		latest, err := w.ecs.DescribeTaskDefinition(context.Background(), &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(task.TaskDefinition)})
		if err != nil {
			t.Fatal(err)
		}
		td := aws.ToString(latest.TaskDefinition.TaskDefinitionArn)
		switch w.backend {
		case config.BackendEvents:
			ts := w.events.Targets(task.Name)
			if len(ts) != 1 || aws.ToString(ts[0].Id) != targetID || aws.ToString(ts[0].EcsParameters.TaskDefinitionArn) != td {
				t.Errorf("rule %s: targets %+v", task.Name, ts)
			}
			if w.events.Tags(task.Name)[OwnerTag] != "app" {
				t.Errorf("rule %s: tags %v", task.Name, w.events.Tags(task.Name))
			}
		default:
			s, ok := w.sched.Schedule("app", task.Name)
			if !ok || aws.ToString(s.Target.EcsParameters.TaskDefinitionArn) != td {
				t.Errorf("schedule %s: %+v", task.Name, s)
			}
		}
	}
}

// snapshot is everything a sync may have changed, without the times
// AWS stamps: schedules by group, rules with their targets and tags, and
// the config family's revisions.
func (w *world) snapshot(t *testing.T) string {
	t.Helper()
	state := map[string]any{}
	for _, group := range []string{"default", "app", "other"} {
		if !w.sched.HasGroup(group) {
			continue
		}
		schedules := map[string]any{}
		for _, name := range w.sched.ScheduleNames(group) {
			s, _ := w.sched.Schedule(group, name)
			s.CreationDate, s.LastModificationDate = nil, nil
			schedules[name] = s
		}
		state["group "+group] = schedules
	}
	for _, name := range w.events.RuleNames() {
		r, _ := w.events.Rule(name)
		state["rule "+name] = map[string]any{"rule": r, "targets": w.events.Targets(name), "tags": w.events.Tags(name)}
	}
	revs, err := w.ecs.ListTaskDefinitions(context.Background(), &awsecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("batch")})
	if err != nil {
		t.Fatal(err)
	}
	state["batch revisions"] = revs.TaskDefinitionArns
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// errCrashed is every write after the one a test stopped the sync at, as
// if the process had been killed there: nothing more reaches AWS.
var errCrashed = errors.New("the sync was stopped here")

// writeLog counts the writes a sync makes, in the order they are sent,
// and refuses those after crashAfter (none when it is negative).
type writeLog struct {
	mu         sync.Mutex
	n          int
	ops        []string
	crashAfter int
}

func (l *writeLog) enter(_ context.Context, op string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.crashAfter >= 0 && l.n >= l.crashAfter {
		return errCrashed
	}
	l.n++
	l.ops = append(l.ops, op)
	return nil
}

// sent is the answer to a write that reached AWS, as the caller sees it:
// a write whose context ended while it was in flight is reported as the
// context's error, whatever AWS made of it (as the SDK does when the
// connection is dropped on cancel).
func sent[T any](ctx context.Context, out T, err error) (T, error) {
	if err == nil && ctx.Err() != nil {
		var zero T
		return zero, ctx.Err()
	}
	return out, err
}

// The fakes with their writes passed through a hook: it may refuse the
// write or cancel the sync's context.
type (
	cutECS struct {
		*fakeaws.ECS
		hook func(context.Context, string) error
	}
	cutScheduler struct {
		*fakeaws.Scheduler
		hook func(context.Context, string) error
	}
	cutEvents struct {
		*fakeaws.Events
		hook func(context.Context, string) error
	}
)

func (c cutECS) RegisterTaskDefinition(ctx context.Context, in *awsecs.RegisterTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error) {
	if err := c.hook(ctx, "RegisterTaskDefinition"); err != nil {
		return nil, err
	}
	out, err := c.ECS.RegisterTaskDefinition(ctx, in)
	return sent(ctx, out, err)
}

func (c cutECS) TagResource(ctx context.Context, in *awsecs.TagResourceInput, _ ...func(*awsecs.Options)) (*awsecs.TagResourceOutput, error) {
	if err := c.hook(ctx, "ecs.TagResource"); err != nil {
		return nil, err
	}
	out, err := c.ECS.TagResource(ctx, in)
	return sent(ctx, out, err)
}

func (c cutScheduler) CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error) {
	if err := c.hook(ctx, "CreateSchedule"); err != nil {
		return nil, err
	}
	out, err := c.Scheduler.CreateSchedule(ctx, in)
	return sent(ctx, out, err)
}

func (c cutScheduler) UpdateSchedule(ctx context.Context, in *scheduler.UpdateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error) {
	if err := c.hook(ctx, "UpdateSchedule"); err != nil {
		return nil, err
	}
	out, err := c.Scheduler.UpdateSchedule(ctx, in)
	return sent(ctx, out, err)
}

func (c cutScheduler) DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error) {
	if err := c.hook(ctx, "DeleteSchedule"); err != nil {
		return nil, err
	}
	out, err := c.Scheduler.DeleteSchedule(ctx, in)
	return sent(ctx, out, err)
}

func (c cutScheduler) CreateScheduleGroup(ctx context.Context, in *scheduler.CreateScheduleGroupInput, _ ...func(*scheduler.Options)) (*scheduler.CreateScheduleGroupOutput, error) {
	if err := c.hook(ctx, "CreateScheduleGroup"); err != nil {
		return nil, err
	}
	out, err := c.Scheduler.CreateScheduleGroup(ctx, in)
	return sent(ctx, out, err)
}

func (c cutEvents) PutRule(ctx context.Context, in *eventbridge.PutRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	if err := c.hook(ctx, "PutRule"); err != nil {
		return nil, err
	}
	out, err := c.Events.PutRule(ctx, in)
	return sent(ctx, out, err)
}

func (c cutEvents) PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error) {
	if err := c.hook(ctx, "PutTargets"); err != nil {
		return nil, err
	}
	out, err := c.Events.PutTargets(ctx, in)
	return sent(ctx, out, err)
}

func (c cutEvents) TagResource(ctx context.Context, in *eventbridge.TagResourceInput, _ ...func(*eventbridge.Options)) (*eventbridge.TagResourceOutput, error) {
	if err := c.hook(ctx, "TagResource"); err != nil {
		return nil, err
	}
	out, err := c.Events.TagResource(ctx, in)
	return sent(ctx, out, err)
}

func (c cutEvents) RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error) {
	if err := c.hook(ctx, "RemoveTargets"); err != nil {
		return nil, err
	}
	out, err := c.Events.RemoveTargets(ctx, in)
	return sent(ctx, out, err)
}

func (c cutEvents) DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error) {
	if err := c.hook(ctx, "DeleteRule"); err != nil {
		return nil, err
	}
	out, err := c.Events.DeleteRule(ctx, in)
	return sent(ctx, out, err)
}

// Keep the compiler's view of the wrappers honest.
var (
	_ ecs.API      = cutECS{}
	_ SchedulerAPI = cutScheduler{}
	_ EventsAPI    = cutEvents{}
)
