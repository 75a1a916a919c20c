package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// steadyService is a service that was running before the test: revision
// 1 of its own family, count tasks.
func steadyService(api *fakeaws.ECS, name string, count int32) string {
	arn := api.AddTaskDefinition(types.TaskDefinition{Family: aws.String(name),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1")}}})
	api.AddService("c", types.Service{ServiceName: aws.String(name), DesiredCount: count, TaskDefinition: aws.String(arn)})
	return arn
}

func TestStatus(t *testing.T) {
	api := fakeaws.NewECS()
	clock := fakeaws.NewClock()
	api.SetNow(clock.Now)
	arn := steadyService(api, "web", 2)
	api.EditService("web", func(s *types.Service) {
		s.Events = []types.ServiceEvent{ // newest first, as ECS lists them
			{Id: aws.String("3"), CreatedAt: aws.Time(clock.Now()), Message: aws.String("third")},
			{Id: aws.String("2"), CreatedAt: aws.Time(clock.Now().Add(-time.Minute)), Message: aws.String("second")},
			{Id: aws.String("1"), CreatedAt: aws.Time(clock.Now().Add(-2 * time.Minute)), Message: aws.String("first")},
		}
	})
	steadyService(api, "old", 0)
	api.EditService("old", func(s *types.Service) { s.Status = aws.String("INACTIVE") })

	got, err := Status(context.Background(), api, "c", []string{"web", "gone", "old"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []ServiceStatus{
		{Name: "web", Exists: true, Status: "ACTIVE", TaskDefinition: arn, Desired: 2, Running: 2,
			Deployments: []DeploymentStatus{{ID: "ecs-svc/1", Status: "PRIMARY", TaskDefinition: arn, Rollout: "COMPLETED", Desired: 2, Running: 2, CreatedAt: clock.Now()}},
			Events:      []EventStatus{{At: clock.Now().Add(-time.Minute), Message: "second"}, {At: clock.Now(), Message: "third"}}},
		{Name: "gone", Deployments: []DeploymentStatus{}, Events: []EventStatus{}},
		{Name: "old", Deployments: []DeploymentStatus{}, Events: []EventStatus{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

func TestStatusAsksTenServicesPerCall(t *testing.T) {
	api := fakeaws.NewECS()
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("s%02d", i))
		steadyService(api, names[i], 1)
	}
	got, err := Status(context.Background(), api, "c", names, 0)
	if err != nil {
		t.Fatal(err)
	}
	if api.Calls("DescribeServices") != 2 || len(got) != 12 || !got[11].Exists || got[11].Name != "s11" {
		t.Errorf("%d calls, %d statuses (last %+v)", api.Calls("DescribeServices"), len(got), got[len(got)-1])
	}
	api.Fail("DescribeServices", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	if _, err := Status(context.Background(), api, "c", names, 0); err == nil || !strings.Contains(err.Error(), "describe services in cluster c: ") {
		t.Errorf("err = %v", err)
	}
}

func TestWaitCurrentFollowsTheDeploymentInProgress(t *testing.T) {
	api := fakeaws.NewECS()
	d, clock, log := newDeployer(api)
	api.SetNow(clock.Now)
	deployRevisions(t, d, "web", "app:1")
	api.SetRollout("web", fakeaws.Rollout{Polls: 3})
	if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	log.lines, clock = nil, fakeaws.NewClock()
	d.Waiter.Clock = clock
	if err := d.WaitCurrent(context.Background(), "c", []string{"web"}, UntilStable, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(log.lines, "\n"); !strings.Contains(got, "web web:2 IN_PROGRESS") || !strings.HasSuffix(got, "web web:2 COMPLETED") ||
		!strings.Contains(got, "event: (service web) has reached a steady state.") {
		t.Errorf("progress:\n%s", got)
	}
	// The rollout takes three descriptions: Status's, the waiter's first
	// (at once), and one after a pause.
	if clock.Sleeps() != 1 {
		t.Errorf("slept %d times, want 1", clock.Sleeps())
	}
}

func TestWaitCurrentErrors(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	steadyService(api, "web", 1)
	steadyService(api, "stuck", 1)
	api.SetRollout("stuck", fakeaws.Rollout{Hang: true})
	if _, err := api.UpdateService(context.Background(), &awsecs.UpdateServiceInput{Service: aws.String("stuck"), ForceNewDeployment: true}); err != nil {
		t.Fatal(err)
	}
	err := d.WaitCurrent(context.Background(), "c", []string{"web", "gone", "stuck"}, UntilDeployed, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "service gone does not exist or has no deployment in cluster c") {
		t.Errorf("err = %v", err)
	}
	var timeout *WaitTimeoutError
	if !errors.As(err, &timeout) || timeout.Service != "stuck" || !strings.Contains(timeout.State, "stuck:1 IN_PROGRESS") {
		t.Errorf("err = %v, want stuck to time out", err)
	}
	if strings.Contains(err.Error(), "service web") {
		t.Errorf("web was done: %v", err)
	}
}

func TestScale(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	steadyService(api, "web", 1)
	steadyService(api, "worker", 1)
	err := d.Scale(context.Background(), "c", []string{"web", "gone", "worker"}, 3, false, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "scale service gone: ") || strings.Contains(err.Error(), "service web") {
		t.Fatalf("err = %v, want only gone to fail", err)
	}
	for _, name := range []string{"web", "worker"} {
		svc, _ := api.Service(name)
		if svc.DesiredCount != 3 || svc.RunningCount != 3 || svc.Deployments[0].DesiredCount != 3 {
			t.Errorf("%s: desired %d, running %d", name, svc.DesiredCount, svc.RunningCount)
		}
	}
	var sent []string
	for _, u := range api.Updates() {
		if aws.ToInt32(u.DesiredCount) != 3 || u.TaskDefinition != nil || u.ForceNewDeployment {
			t.Errorf("scale sent more than the count: %+v", u)
		}
		sent = append(sent, aws.ToString(u.Service))
	}
	if fmt.Sprint(sent) != "[web worker]" {
		t.Errorf("updated %v", sent)
	}

	// --no-wait: the count is set, nothing is followed.
	api.ResetCalls()
	if err := d.Scale(context.Background(), "c", []string{"web"}, 0, true, 0); err != nil {
		t.Fatal(err)
	}
	if api.Calls("UpdateService") != 1 || api.Calls("DescribeServices") != 0 {
		t.Errorf("calls %v", api.CallCounts())
	}
}
