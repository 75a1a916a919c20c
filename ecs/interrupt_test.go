package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// interruptingECS is Ctrl-C arriving while a registration is on its way:
// the run's context is cancelled as RegisterTaskDefinition is sent.
type interruptingECS struct {
	*fakeaws.ECS
	cancel     context.CancelFunc
	sentCtxErr error
}

func (f *interruptingECS) RegisterTaskDefinition(ctx context.Context, in *awsecs.RegisterTaskDefinitionInput, opts ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error) {
	f.cancel()
	f.sentCtxErr = ctx.Err()
	return f.ECS.RegisterTaskDefinition(ctx, in, opts...)
}

// A registration once sent is seen through: the revision exists and the
// result says so, instead of a cancelled call leaving it unknown.
func TestRegisterInFlightIsNotCutShort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := &interruptingECS{ECS: fakeaws.NewECS(), cancel: cancel}
	res, err := Register(ctx, api, []*TaskDefinition{mustTD(t, tdJSON("web", "app:1"))}, false)
	if err != nil || api.sentCtxErr != nil {
		t.Fatalf("register: %v (the call saw %v)", err, api.sentCtxErr)
	}
	if res[0].Action != Registered || res[0].Revision != 1 || api.Calls("RegisterTaskDefinition") != 1 {
		t.Errorf("result %+v", res[0])
	}
}

// Ctrl-C stops registrations from starting, and one error says which did
// not start and that a rerun finishes the job.
func TestRegisterInterruptedSaysWhatWasNotStarted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var tds []*TaskDefinition
	for i := range 3 {
		td := mustTD(t, tdJSON(fmt.Sprintf("job%d", i), "app:1"))
		td.Name = td.Family()
		tds = append(tds, td)
	}
	api := fakeaws.NewECS()
	_, err := Register(ctx, api, tds, false)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "interrupted before registering job0, job1, job2; what was registered stays, and running the command again finishes the job") {
		t.Errorf("err = %v", err)
	}
	if api.TotalCalls() != 0 {
		t.Errorf("calls after the interrupt: %v", api.CallCounts())
	}
}

// An interrupted deploy names the services it never changed, in one error
// that is an interrupt (exit 130), and changes none of them.
func TestDeployInterruptedNamesServicesNotStarted(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	defs := defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1")), serviceDef(t, "api", `{"desiredCount":1}`, tdJSON("api", "app:1")))
	ctx, cancel := context.WithCancel(context.Background())
	d.Started = func(ServiceResult) {}
	// Registration is done when the interrupt comes: nothing is created.
	api2 := &cancelOnCreate{ECS: api, cancel: cancel}
	d.API, d.Waiter.API = api2, api2
	results, err := d.Deploy(ctx, defs, DeployOptions{Cluster: "c", Concurrency: 1})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted before changing api; deploy again to finish") {
		t.Fatalf("err = %v", err)
	}
	if !results[1].NotStarted || results[0].NotStarted || api.Calls("CreateService") != 1 {
		t.Errorf("results %+v, calls %v", results, api.CallCounts())
	}
}

// cancelOnCreate is Ctrl-C arriving while the first service is created.
type cancelOnCreate struct {
	*fakeaws.ECS
	cancel context.CancelFunc
}

func (f *cancelOnCreate) CreateService(ctx context.Context, in *awsecs.CreateServiceInput, opts ...func(*awsecs.Options)) (*awsecs.CreateServiceOutput, error) {
	f.cancel()
	return f.ECS.CreateService(ctx, in, opts...)
}
