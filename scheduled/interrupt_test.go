package scheduled

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/diffreport"
)

// Ctrl-C at each write in turn: every change that had started is seen
// through (a plan made right after has exactly the changes counted as
// not started left to do, none half made), the error is the interrupt
// once, and one more plain sync reaches what an uninterrupted sync does.
func TestSyncInterruptedAtEveryWrite(t *testing.T) {
	for _, backend := range []string{config.BackendScheduler, config.BackendEvents} {
		for _, start := range []string{"empty", "existing"} {
			t.Run(backend+"/"+start, func(t *testing.T) {
				clean := newWorld(t, backend, start)
				if err := clean.sync(context.Background(), nil, 1); err != nil {
					t.Fatal(err)
				}
				want := clean.snapshot(t)
				// The first write registers batch's revision, which the
				// plan does before any schedule is written.
				for k := 1; k < clean.writes.n; k++ {
					for _, limit := range []int{1, 3} {
						w := newWorld(t, backend, start)
						ctx, cancel := context.WithCancel(context.Background())
						n := 0
						var mu sync.Mutex
						ctrlC := func(ctx context.Context, op string) error {
							mu.Lock()
							defer mu.Unlock()
							if n++; n == k+1 {
								cancel() // while this write is on its way
							}
							return nil
						}
						p, err := w.syncer(ctrlC, limit).Plan(ctx, PlanOptions{Register: true})
						if err != nil {
							t.Fatal(err)
						}
						applied, err := p.Apply(ctx, true)
						cancel()
						switch {
						case applied.NotStarted > 0 && err != context.Canceled:
							t.Fatalf("write %d, limit %d: %v not started, error %q; want context.Canceled alone", k, limit, applied, err)
						case applied.NotStarted == 0 && err != nil:
							t.Fatalf("write %d, limit %d: every change started, yet %v", k, limit, err)
						}
						if applied.NotStarted > 0 && !strings.HasSuffix(applied.String(), fmt.Sprintf("; interrupted: %d not started (run the sync again to finish)", applied.NotStarted)) {
							t.Errorf("write %d: summary %q", k, applied)
						}
						after := w.plan(t)
						left := 0
						for _, c := range after.Report.Changes {
							if c.Action != diffreport.Unchanged {
								left++
							}
						}
						if left != applied.NotStarted {
							t.Fatalf("write %d, limit %d: %s, but %d changes are left to do: %v", k, limit, applied, left, actions(after.Report))
						}
						total := p.Report.Counts()
						if made := applied.Created + applied.Updated + applied.Deleted; made+applied.NotStarted != total[diffreport.Create]+total[diffreport.Update]+total[diffreport.Delete] {
							t.Errorf("write %d: %s does not add up to the plan's %v", k, applied, total)
						}
						if err := w.sync(context.Background(), func(context.Context, string) error { return nil }, limit); err != nil {
							t.Fatal(err)
						}
						if got := w.snapshot(t); got != want {
							t.Fatalf("write %d, limit %d: the sync after the interrupt did not reach the clean state", k, limit)
						}
					}
				}
			})
		}
	}
}

// The case: 27 tasks, 3 already synced, 8 changes on their way
// when Ctrl-C comes. The 8 are made whole (a rule with its target), the
// 16 others never start, the line says so, and the error is one
// interrupt, not one per task.
func TestSyncInterruptedMidwaySaysWhatWasNotStarted(t *testing.T) {
	for backend, firstWrite := range map[string]string{config.BackendScheduler: "CreateSchedule", config.BackendEvents: "PutRule"} {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend, "empty")
			var tasks []*Task
			for i := range 27 {
				tasks = append(tasks, &Task{Name: fmt.Sprintf("job-%02d", i), Schedule: "rate(1 hour)", TaskDefinition: "ext"})
			}
			w.tasks = tasks[:3]
			if err := w.sync(context.Background(), nil, 8); err != nil {
				t.Fatal(err)
			}
			w.tasks = tasks
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			entered, release := 0, make(chan struct{})
			// The first 8 writes wait until all 8 are in flight; then
			// Ctrl-C, and they go on.
			hold := func(ctx context.Context, op string) error {
				if op != firstWrite {
					return nil
				}
				mu.Lock()
				entered++
				if entered == 8 {
					cancel()
					close(release)
				}
				mu.Unlock()
				<-release
				return nil
			}
			p, err := w.syncer(hold, 8).Plan(ctx, PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			applied, err := p.Apply(ctx, false)
			if err != context.Canceled {
				t.Errorf("error %q, want context.Canceled once", err)
			}
			if got, want := applied.String(), "scheduled: 8 created, 0 updated, 3 unchanged; interrupted: 16 not started (run the sync again to finish)"; got != want {
				t.Errorf("summary\n%s\nwant\n%s", got, want)
			}
			var made []string
			switch backend {
			case config.BackendEvents:
				made = w.events.RuleNames()
				for _, name := range made {
					if ids := targetIDs(w.events.Targets(name)); !slices.Equal(ids, []string{targetID}) {
						t.Errorf("rule %s has targets %v: a change cut in half", name, ids)
					}
				}
			default:
				made = w.sched.ScheduleNames("app")
			}
			if len(made) != 11 || w.calls(firstWrite) != 8+3 {
				t.Errorf("%d tasks in AWS (%v), %d %s calls; want 11 and 11", len(made), made, w.calls(firstWrite), firstWrite)
			}
			if err := w.sync(context.Background(), nil, 8); err != nil {
				t.Fatal(err)
			}
			w.assertSynced(t)
		})
	}
}

// hungBackend is a backend whose writes never answer.
type hungBackend struct{ started chan string }

func (hungBackend) Remote(context.Context) (map[string]*Task, bool, error) {
	return map[string]*Task{}, true, nil
}
func (b hungBackend) Put(ctx context.Context, t *Task, _ bool) error {
	b.started <- t.Name
	<-ctx.Done()
	return fmt.Errorf("schedule %s: %w", t.Name, ctx.Err())
}
func (hungBackend) Delete(context.Context, string) error { return nil }
func (hungBackend) EnsureGroup(context.Context) error    { return nil }

// A write that hangs is not waited for forever: the bound on a change
// once started ends it, even after Ctrl-C, and the sync says what it
// could not make and what it did not start.
func TestApplyBoundsAWriteThatHangs(t *testing.T) {
	b := hungBackend{started: make(chan string, 2)}
	p, err := MakePlan([]*Task{resolved("a"), resolved("b")}, map[string]*Task{}, true)
	if err != nil {
		t.Fatal(err)
	}
	p.writeTimeout = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-b.started
		cancel()
	}()
	begin := time.Now()
	applied, err := p.Apply(ctx, b, false, 1)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "schedule a: context deadline exceeded") {
		t.Errorf("error %v", err)
	}
	if applied != (Applied{NotStarted: 1}) || time.Since(begin) > 5*time.Second {
		t.Errorf("applied %+v after %v", applied, time.Since(begin))
	}
}

// Ctrl-C while reading what AWS holds is one interrupt, not an error per
// schedule or rule that was being read.
func TestRemoteInterruptedIsOneError(t *testing.T) {
	for _, backend := range []string{config.BackendScheduler, config.BackendEvents} {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend, "existing")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var b Backend = &SchedulerBackend{API: cancellingScheduler{w.sched, cancel}, Group: "app", Concurrency: 2}
			if backend == config.BackendEvents {
				b = &EventsBackend{API: cancellingEvents{w.events, cancel}, Group: "app", Concurrency: 2, Names: Names(w.tasks)}
			}
			if _, _, err := b.Remote(ctx); err != context.Canceled {
				t.Errorf("error %q, want context.Canceled once", err)
			}
		})
	}
}

// cancellingScheduler and cancellingEvents cancel the caller's context
// with the first read of one schedule or rule.
type (
	cancellingScheduler struct {
		SchedulerAPI
		cancel func()
	}
	cancellingEvents struct {
		EventsAPI
		cancel func()
	}
)

func (c cancellingScheduler) GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error) {
	c.cancel()
	out, err := c.SchedulerAPI.GetSchedule(ctx, in)
	return sent(ctx, out, err)
}

func (c cancellingEvents) ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	c.cancel()
	out, err := c.EventsAPI.ListTargetsByRule(ctx, in)
	return sent(ctx, out, err)
}
