package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// slowChanges makes CreateService and UpdateService take a few real
// milliseconds and records how many were in flight at once; before, when
// set, runs at the start of each.
type slowChanges struct {
	*fakeaws.ECS
	before func(ctx context.Context)

	mu             sync.Mutex
	now, maxAtOnce int
}

func (s *slowChanges) enter(ctx context.Context) {
	if s.before != nil {
		s.before(ctx)
	}
	s.mu.Lock()
	s.now++
	s.maxAtOnce = max(s.maxAtOnce, s.now)
	s.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	s.mu.Lock()
	s.now--
	s.mu.Unlock()
}

func (s *slowChanges) CreateService(ctx context.Context, in *awsecs.CreateServiceInput, opts ...func(*awsecs.Options)) (*awsecs.CreateServiceOutput, error) {
	s.enter(ctx)
	return s.ECS.CreateService(ctx, in, opts...)
}

func (s *slowChanges) UpdateService(ctx context.Context, in *awsecs.UpdateServiceInput, opts ...func(*awsecs.Options)) (*awsecs.UpdateServiceOutput, error) {
	s.enter(ctx)
	return s.ECS.UpdateService(ctx, in, opts...)
}

func servicesNamed(t *testing.T, n int, image string) *Definitions {
	var svcs []*Service
	for i := range n {
		name := fmt.Sprintf("s%02d", i)
		svcs = append(svcs, serviceDef(t, name, `{"desiredCount":1}`, tdJSON(name, image)))
	}
	return defsOf(svcs...)
}

// At most Concurrency services are being changed at once, yet every
// rollout is followed at the same time.
func TestDeployBoundsChangesNotRollouts(t *testing.T) {
	api := fakeaws.NewECS()
	slow := &slowChanges{ECS: api}
	d, _, _ := newDeployer(api)
	d.API = slow
	defs := servicesNamed(t, 5, "app:1")
	for _, s := range defs.Services {
		api.SetRollout(s.Name, fakeaws.Rollout{Polls: 100})
	}
	res, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: UntilDeployed, Concurrency: 2})
	if err != nil || len(res) != 5 {
		t.Fatalf("%+v %v", res, err)
	}
	if slow.maxAtOnce != 2 {
		t.Errorf("%d services changed at once, want 2", slow.maxAtOnce)
	}
	if got := api.MaxInFlight(); got != 5 {
		t.Errorf("%d rollouts followed at once, want all 5", got)
	}
}

// Rollback bounds its changes by awsclient.Concurrency.
func TestRollbackBoundsChanges(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	n := awsclient.Concurrency + 2
	for _, img := range []string{"app:1", "app:2"} {
		if _, err := d.Deploy(context.Background(), servicesNamed(t, n, img), DeployOptions{Cluster: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	slow := &slowChanges{ECS: api}
	d.API = slow
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("s%02d", i))
	}
	res, err := d.Rollback(context.Background(), names, RollbackOptions{Cluster: "c", Until: UntilDeployed})
	if err != nil || len(res) != n || !strings.HasSuffix(res[n-1].To, ":1") {
		t.Fatalf("%+v %v", res, err)
	}
	if slow.maxAtOnce != awsclient.Concurrency {
		t.Errorf("%d services sent back at once, want %d", slow.maxAtOnce, awsclient.Concurrency)
	}
}

// Ctrl-C while a change is being sent: the change runs to its answer, so
// what changed is known; waiting stops; services not started say so.
func TestDeployChangeSurvivesInterrupt(t *testing.T) {
	api := fakeaws.NewECS()
	ctx, cancel := context.WithCancel(context.Background())
	slow := &slowChanges{ECS: api, before: func(context.Context) { cancel() }}
	d, _, _ := newDeployer(api)
	d.API = slow
	res, err := d.Deploy(ctx, servicesNamed(t, 3, "app:1"), DeployOptions{Cluster: "c", Until: UntilDeployed, Concurrency: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	created := 0
	for _, r := range res {
		switch {
		case r.Action == ServiceCreated && strings.Contains(r.Error, "service "+r.Name+": stopped waiting"):
			created++
			if _, ok := api.Service(r.Name); !ok {
				t.Errorf("%s: reported created, yet it does not exist", r.Name)
			}
		case r.Action != ServiceUnchanged || !strings.Contains(r.Error, "not started: context canceled"):
			t.Errorf("a change not started: %+v", r)
		}
	}
	if created != 1 || api.Calls("CreateService") != 1 {
		t.Errorf("%d reported created, calls %v", created, api.CallCounts())
	}
}
