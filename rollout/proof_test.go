package rollout

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

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// lines keeps progress lines from concurrent canaries, in order.
type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) add(service, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, service+": "+line)
}

func (l *lines) index(want string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, line := range l.all {
		if strings.Contains(line, want) {
			return i
		}
	}
	return -1
}

// gateClock holds every sleep until open is closed.
type gateClock struct {
	*fakeaws.Clock
	open chan struct{}
}

func (g gateClock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-g.open:
	case <-time.After(5 * time.Second): // one after the other: let the test say so
	}
	return g.Clock.Sleep(ctx, d)
}

// Two services' canaries run at once: both start before either passes;
// when one fails, the other still runs to its end and is stopped, and no
// service changes.
func TestCanariesOfSeveralServicesRunAtOnce(t *testing.T) {
	api := fakeaws.NewECS()
	for _, name := range []string{"web", "api"} {
		api.AddTaskDefinition(types.TaskDefinition{Family: aws.String(name), ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String(name + ":2"), HealthCheck: &types.HealthCheck{Command: []string{"CMD-SHELL", "true"}}}}})
	}
	healthy := fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusUnknown, types.HealthStatusUnknown, types.HealthStatusHealthy}}
	next := func() []ecs.NextRevision {
		var n []ecs.NextRevision
		for _, name := range []string{"web", "api"} {
			n = append(n, ecs.NextRevision{Service: &ecs.Service{Name: name, Input: &awsecs.CreateServiceInput{}},
				TaskDefinition: fakeaws.TaskDefinitionARN(name, 1), Changes: true})
		}
		return n
	}
	spec := ecs.CanarySpec{Tasks: 1, Timeout: ecs.DefaultCanaryTimeout}
	run := func(t *testing.T) (*Proved, *lines, error) {
		log := &lines{}
		// No canary polls again until both have started: were they run one
		// after the other, the first would wait for the second in vain.
		gate := gateClock{Clock: fakeaws.NewClock(), open: make(chan struct{})}
		var once sync.Once
		progress := func(service, line string) {
			log.add(service, line)
			if log.index("web: canary web:1 started") >= 0 && log.index("api: canary api:1 started") >= 0 {
				once.Do(func() { close(gate.open) })
			}
		}
		p := &Proofs{Canaries: map[string]ecs.CanarySpec{"web": spec, "api": spec},
			Canary: &ecs.Canary{API: api, Clock: gate, Progress: progress}}
		out := &Proved{}
		err := p.run(context.Background(), api, "c1", next(), 2, out)
		return out, log, err
	}

	api.SetTaskRun("", healthy)
	out, log, err := run(t)
	if err != nil || len(out.Canaries) != 2 || !out.Canaries[0].Passed || !out.Canaries[1].Passed {
		t.Fatalf("canaries %+v: %v", out.Canaries, err)
	}
	for _, a := range []string{"web", "api"} {
		for _, b := range []string{"web", "api"} {
			if started, passed := log.index(a+": canary "+a+":1 started"), log.index(b+": canary "+b+":1 passed"); started < 0 || passed < 0 || started > passed {
				t.Errorf("%s started (line %d) after %s passed (line %d): one after the other\n%s", a, started, b, passed, strings.Join(log.all, "\n"))
			}
		}
	}

	api.SetTaskRun("api", fakeaws.TaskRun{Polls: 1, ExitCode: 1})
	out, _, err = run(t)
	var proof *ecs.ProofError
	if !errors.As(err, &proof) || !strings.Contains(err.Error(), "canary of api (api:1)") || !out.Canaries[0].Passed || out.Canaries[1].Passed {
		t.Fatalf("canaries %+v: %v", out.Canaries, err)
	}
	if running := api.RunningTasks(); len(running) != 0 {
		t.Errorf("left running: %v", running)
	}
	if api.Calls("UpdateService") != 0 || api.Calls("CreateService") != 0 {
		t.Errorf("a service changed")
	}
}

// countedECS counts the canaries in flight: from RunTask to StopTask.
type countedECS struct {
	*fakeaws.ECS
	mu       sync.Mutex
	inFlight int
	most     int
}

func (e *countedECS) RunTask(ctx context.Context, in *awsecs.RunTaskInput, opts ...func(*awsecs.Options)) (*awsecs.RunTaskOutput, error) {
	e.mu.Lock()
	e.inFlight++
	e.most = max(e.most, e.inFlight)
	e.mu.Unlock()
	return e.ECS.RunTask(ctx, in, opts...)
}

func (e *countedECS) StopTask(ctx context.Context, in *awsecs.StopTaskInput, opts ...func(*awsecs.Options)) (*awsecs.StopTaskOutput, error) {
	e.mu.Lock()
	e.inFlight--
	e.mu.Unlock()
	return e.ECS.StopTask(ctx, in, opts...)
}

func (e *countedECS) over(bound int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inFlight > bound
}

// holdClock holds each sleep, for at most hold of real time, until more
// canaries are in flight than the bound: a canary the bound should have
// kept waiting has every chance to start meanwhile.
type holdClock struct {
	*fakeaws.Clock
	api   *countedECS
	bound int
	hold  time.Duration
}

func (h holdClock) Sleep(ctx context.Context, d time.Duration) error {
	for until := time.Now().Add(h.hold); time.Now().Before(until) && !h.api.over(h.bound); {
		time.Sleep(time.Millisecond)
	}
	return h.Clock.Sleep(ctx, d)
}

// Canaries of several services run at most concurrency at once: with 1,
// one after the other, the next starting only once the one before has
// been stopped; with 2, two at a time.
func TestCanariesKeepTheConcurrencyBound(t *testing.T) {
	fake := fakeaws.NewECS()
	names := []string{"web", "api", "worker"}
	var next []ecs.NextRevision
	for _, name := range names {
		fake.AddTaskDefinition(types.TaskDefinition{Family: aws.String(name), ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String(name + ":1"), HealthCheck: &types.HealthCheck{Command: []string{"CMD-SHELL", "true"}}}}})
		next = append(next, ecs.NextRevision{Service: &ecs.Service{Name: name, Input: &awsecs.CreateServiceInput{}},
			TaskDefinition: fakeaws.TaskDefinitionARN(name, 1), Changes: true})
	}
	fake.SetTaskRun("", fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusUnknown, types.HealthStatusHealthy}})
	spec := ecs.CanarySpec{Tasks: 1, Timeout: ecs.DefaultCanaryTimeout}
	for _, concurrency := range []int{1, 2} {
		api := &countedECS{ECS: fake}
		log := &lines{}
		p := &Proofs{Canaries: map[string]ecs.CanarySpec{"web": spec, "api": spec, "worker": spec},
			Canary: &ecs.Canary{API: api, Clock: holdClock{Clock: fakeaws.NewClock(), api: api, bound: concurrency, hold: 200 * time.Millisecond},
				Progress: log.add}}
		out := &Proved{}
		if err := p.run(context.Background(), api, "c1", next, concurrency, out); err != nil || len(out.Canaries) != 3 {
			t.Fatalf("concurrency %d: canaries %+v: %v", concurrency, out.Canaries, err)
		}
		for _, r := range out.Canaries {
			if !r.Passed || !r.Stopped {
				t.Errorf("concurrency %d: %+v", concurrency, r)
			}
		}
		if api.most != concurrency {
			t.Errorf("concurrency %d: %d canaries ran at once\n%s", concurrency, api.most, strings.Join(log.all, "\n"))
		}
		if concurrency == 1 {
			for i := 1; i < len(names); i++ {
				stopped, started := log.index(names[i-1]+": canary stopped"), log.index(names[i]+": canary "+names[i]+":1 started")
				if stopped < 0 || started < stopped {
					t.Errorf("%s started (line %d) before %s was stopped (line %d)\n%s", names[i], started, names[i-1], stopped, strings.Join(log.all, "\n"))
				}
			}
		}
	}
	if running := fake.RunningTasks(); len(running) != 0 {
		t.Errorf("left running: %v", running)
	}
}
