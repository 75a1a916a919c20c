package ecs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

var _ ServiceDeleteAPI = (*fakeaws.ECS)(nil)

// slowDrain is ECS where a deleted service stays DRAINING for the first
// polls descriptions.
type slowDrain struct {
	*fakeaws.ECS
	polls int
}

func (s *slowDrain) DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, opts ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error) {
	out, err := s.ECS.DescribeServices(ctx, in, opts...)
	if err == nil && s.ECS.Calls("DeleteService") > 0 && s.polls > 0 {
		s.polls--
		for i := range out.Services {
			out.Services[i].Status = aws.String("DRAINING")
		}
	}
	return out, err
}

func newDeleter(api ServiceDeleteAPI) (*ServiceDeleter, *fakeaws.Clock, *[]string) {
	clock := fakeaws.NewClock()
	var lines []string
	return &ServiceDeleter{API: api, Clock: clock, Progress: func(s, l string) { lines = append(lines, s+": "+l) }}, clock, &lines
}

func TestDeleteWaitsUntilInactive(t *testing.T) {
	api := fakeaws.NewECS()
	api.AddService("c", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String("arn:aws:ecs:r:1:task-definition/web:3"), DesiredCount: 2})
	d, clock, lines := newDeleter(&slowDrain{ECS: api, polls: 3})
	res, err := d.Delete(context.Background(), []string{"web"}, DeleteOptions{Cluster: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != Deleted || !res[0].ScaledDown || res[0].Desired != 2 {
		t.Errorf("result %+v", res[0])
	}
	if clock.Sleeps() != 3 {
		t.Errorf("%d sleeps, want 3 (DRAINING three times)", clock.Sleeps())
	}
	if svc, _ := api.Service("web"); aws.ToString(svc.Status) != "INACTIVE" {
		t.Errorf("service is %s", aws.ToString(svc.Status))
	}
	if got := strings.Join(*lines, "\n"); got != "web: scaled to 0 (was 2)\nweb: deleted; waiting until it is INACTIVE" {
		t.Errorf("progress:\n%s", got)
	}
}

func TestDeleteTimesOut(t *testing.T) {
	api := fakeaws.NewECS()
	api.AddService("c", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String("arn:aws:ecs:r:1:task-definition/web:3")})
	d, _, _ := newDeleter(&slowDrain{ECS: api, polls: 1000})
	_, err := d.Delete(context.Background(), []string{"web"}, DeleteOptions{Cluster: "c", Timeout: time.Nanosecond})
	var timeout *WaitTimeoutError
	if !errors.As(err, &timeout) || !strings.Contains(err.Error(), "deleted, but still DRAINING after") || strings.Contains(err.Error(), "deployment") {
		t.Fatalf("err = %v, want a timeout (exit 4) that speaks of the deletion", err)
	}
}

func TestDeleteConfirmsAllFirst(t *testing.T) {
	api := fakeaws.NewECS()
	for _, name := range []string{"web", "worker"} {
		api.AddService("c", types.Service{ServiceName: aws.String(name), TaskDefinition: aws.String("arn:aws:ecs:r:1:task-definition/" + name + ":1"), DesiredCount: 1})
	}
	d, _, _ := newDeleter(api)
	var asked []string
	d.Confirm = func(s ServiceToDelete) error {
		asked = append(asked, s.Name)
		if s.Name == "worker" {
			return errors.New("no")
		}
		return nil
	}
	api.ResetCalls()
	res, err := d.Delete(context.Background(), []string{"web", "worker"}, DeleteOptions{Cluster: "c"})
	if err == nil || !strings.Contains(err.Error(), "service worker: not deleted: no") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(asked, ",") != "web,worker" || api.Calls("UpdateService")+api.Calls("DeleteService") != 0 {
		t.Errorf("asked %v; calls %v", asked, api.CallCounts())
	}
	if res[0].Action != DeleteNotStarted || res[1].Action != NotConfirmed {
		t.Errorf("actions %s, %s", res[0].Action, res[1].Action)
	}
}

func TestDeleteInterruptedAfterScaling(t *testing.T) {
	api := fakeaws.NewECS()
	api.AddService("c", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String("arn:aws:ecs:r:1:task-definition/web:1"), DesiredCount: 1})
	ctx, cancel := context.WithCancel(context.Background())
	d, _, _ := newDeleter(api)
	d.Progress = func(string, string) { cancel() } // Ctrl-C as the scale-down is reported
	_, err := d.Delete(ctx, []string{"web"}, DeleteOptions{Cluster: "c"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "scaled to 0, not deleted (run delete again to finish)") {
		t.Fatalf("err = %v", err)
	}
	if api.Calls("DeleteService") != 0 {
		t.Error("DeleteService was called after Ctrl-C")
	}
}
