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

func TestJudge(t *testing.T) {
	web1, web2 := fakeaws.TaskDefinitionARN("web", 1), fakeaws.TaskDefinitionARN("web", 2)
	dep := func(id, status, td string, rollout types.DeploymentRolloutState) types.Deployment {
		return types.Deployment{Id: aws.String(id), Status: aws.String(status), TaskDefinition: aws.String(td), RolloutState: rollout, DesiredCount: 2, RunningCount: 2}
	}
	failedEvent := []types.ServiceEvent{{Message: aws.String("(service web) is unable to place a task")}}
	tests := []struct {
		name    string
		svc     types.Service
		dep     Deployment
		until   Until
		polls   int
		done    bool
		wantErr string
	}{
		{name: "completed", svc: types.Service{Deployments: []types.Deployment{dep("2", "PRIMARY", web2, "COMPLETED"), dep("1", "ACTIVE", web1, "COMPLETED")}},
			dep: Deployment{ID: "2"}, until: UntilDeployed, done: true},
		{name: "completed, the old one still draining", svc: types.Service{DesiredCount: 2, RunningCount: 2,
			Deployments: []types.Deployment{dep("2", "PRIMARY", web2, "COMPLETED"), dep("1", "ACTIVE", web1, "COMPLETED")}},
			dep: Deployment{ID: "2"}, until: UntilStable},
		{name: "by revision when no ID is known", svc: types.Service{Deployments: []types.Deployment{dep("2", "PRIMARY", web2, "COMPLETED")}},
			dep: Deployment{TaskDefinition: web2}, until: UntilDeployed, done: true},
		{name: "not seen yet", svc: types.Service{Deployments: []types.Deployment{dep("1", "PRIMARY", web1, "COMPLETED")}},
			dep: Deployment{ID: "2"}, polls: 2},
		{name: "gone: ECS went back", svc: types.Service{Events: failedEvent, Deployments: []types.Deployment{dep("1", "PRIMARY", web1, "COMPLETED")}},
			dep: Deployment{ID: "2"}, polls: 3, wantErr: "ECS rolled back to web:1 ((service web) is unable to place a task)"},
		{name: "gone without a primary", svc: types.Service{}, dep: Deployment{ID: "2"}, polls: 3, wantErr: "the deployment is gone"},
		{name: "failed without a reason", svc: types.Service{Deployments: []types.Deployment{dep("2", "PRIMARY", web2, "FAILED")}},
			dep: Deployment{ID: "2"}, wantErr: "rollout FAILED"},
		{name: "replaced", svc: types.Service{Deployments: []types.Deployment{dep("3", "PRIMARY", web1, "IN_PROGRESS"), dep("2", "ACTIVE", web2, "IN_PROGRESS")}},
			dep: Deployment{ID: "2"}, wantErr: "replaced by a deployment of web:1"},
		{name: "replaced, no primary listed", svc: types.Service{Deployments: []types.Deployment{dep("2", "ACTIVE", web2, "IN_PROGRESS")}},
			dep: Deployment{ID: "2"}, wantErr: "replaced by a newer deployment"},
		{name: "no rollout state, steady", svc: types.Service{Deployments: []types.Deployment{dep("2", "PRIMARY", web2, "")}},
			dep: Deployment{ID: "2"}, done: true},
		{name: "no rollout state, two deployments", svc: types.Service{Deployments: []types.Deployment{dep("2", "PRIMARY", web2, ""), dep("1", "ACTIVE", web1, "")}},
			dep: Deployment{ID: "2"}},
		// CODE_DEPLOY services have task sets, not deployments
		{name: "task sets: primary steady", svc: codeDeploySvc(taskSet("PRIMARY", web2, types.StabilityStatusSteadyState, 2)),
			dep: Deployment{TaskDefinition: web2}, done: true},
		{name: "task sets: primary still stabilizing", svc: codeDeploySvc(taskSet("PRIMARY", web2, types.StabilityStatusStabilizing, 1)),
			dep: Deployment{TaskDefinition: web2}},
		{name: "task sets: deployed, the original still there", svc: codeDeploySvc(taskSet("PRIMARY", web2, types.StabilityStatusSteadyState, 2), taskSet("ACTIVE", web1, types.StabilityStatusSteadyState, 2)),
			dep: Deployment{TaskDefinition: web2}, done: true},
		{name: "task sets: stable waits for the original to go", svc: codeDeploySvc(taskSet("PRIMARY", web2, types.StabilityStatusSteadyState, 2), taskSet("ACTIVE", web1, types.StabilityStatusSteadyState, 2)),
			dep: Deployment{TaskDefinition: web2}, until: UntilStable},
		{name: "task sets: another revision is primary", svc: codeDeploySvc(taskSet("PRIMARY", web1, types.StabilityStatusSteadyState, 2)),
			dep: Deployment{TaskDefinition: web2}, polls: 3, wantErr: "the PRIMARY task set runs web:1"},
		{name: "task sets: not there yet", svc: codeDeploySvc(),
			dep: Deployment{TaskDefinition: web2}, polls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.svc.ServiceName = aws.String("web")
			done, _, err := judge(&tt.svc, tt.dep, tt.until, max(tt.polls, 1))
			var failed *DeploymentFailedError
			switch {
			case tt.wantErr != "":
				if !errors.As(err, &failed) || failed.Reason != tt.wantErr {
					t.Errorf("err = %v, want reason %q", err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("err = %v", err)
			}
			if done != tt.done {
				t.Errorf("done = %v, want %v", done, tt.done)
			}
		})
	}
}

func codeDeploySvc(sets ...types.TaskSet) types.Service {
	return types.Service{DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy}, TaskSets: sets}
}

func taskSet(status, td string, stability types.StabilityStatus, running int32) types.TaskSet {
	return types.TaskSet{Status: aws.String(status), TaskDefinition: aws.String(td), StabilityStatus: stability, ComputedDesiredCount: 2, RunningCount: running}
}

// A deploy by someone else while tamp waits: the deployment followed was
// replaced, which is a failure naming the revision that replaced it.
func TestWaitReplacedWhileWaiting(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1", "app:2")
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	up, err := api.UpdateService(context.Background(), &awsecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 1))})
	if err != nil {
		t.Fatal(err)
	}
	replaced := false
	w := &Waiter{API: api, Clock: fakeaws.NewClock(), Progress: func(Progress) {
		if !replaced {
			replaced = true
			_, _ = api.UpdateService(context.Background(), &awsecs.UpdateServiceInput{Service: aws.String("web"), TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 2))})
		}
	}}
	err = w.Wait(context.Background(), "c", "web", DeploymentOf(up.Service, fakeaws.TaskDefinitionARN("web", 1)), UntilDeployed, time.Time{})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) || !strings.HasPrefix(failed.Reason, "replaced by a deployment of web:2") {
		t.Errorf("err = %v", err)
	}
}

func TestWaitErrors(t *testing.T) {
	api := fakeaws.NewECS()
	w := &Waiter{API: api} // the system clock: nothing here sleeps
	err := w.Wait(context.Background(), "c", "gone", Deployment{ID: "1"}, UntilDeployed, time.Time{})
	if err == nil || err.Error() != "service gone: not found in cluster c" {
		t.Errorf("err = %v", err)
	}
	steadyService(api, "web", 1)
	if err := w.Wait(context.Background(), "c", "web", Deployment{ID: "ecs-svc/1"}, UntilStable, time.Time{}); err != nil {
		t.Errorf("a steady service: %v", err)
	}
	api.Fail("DescribeServices", errDenied)
	err = w.Wait(context.Background(), "c", "web", Deployment{ID: "ecs-svc/1"}, UntilDeployed, time.Time{})
	if !errors.Is(err, errDenied) || !strings.HasPrefix(err.Error(), "service web: follow the deployment: ") {
		t.Errorf("err = %v", err)
	}
	// Ctrl-C before the first answer: no state to tell.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = w.Wait(ctx, "c", "web", Deployment{ID: "ecs-svc/1"}, UntilDeployed, time.Time{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting (no answer yet)") {
		t.Errorf("err = %v", err)
	}
}

// Without the service deployments API, a failure is reported with what
// the service description says alone.
func TestWaitFailureWithoutServiceDeploymentsAPI(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	api.SetRollout("web", fakeaws.Rollout{Fail: true})
	api.Fail("ListServiceDeployments", errDenied)
	_, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))), DeployOptions{Cluster: "c", Until: UntilDeployed})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) || strings.Contains(failed.Reason, "(ECS: ") || !strings.HasPrefix(failed.Reason, "ECS deployment circuit breaker: tasks failed to start.") {
		t.Errorf("err = %v", err)
	}
}

func TestSystemClockSleep(t *testing.T) {
	if err := (SystemClock{}).Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := (SystemClock{}).Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("err = %v after %s", err, time.Since(start))
	}
}
