package ecs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// stageLog keeps the stage and traffic of each progress line.
type stageLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *stageLog) add(p Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.Event == "" && p.Stage != "" {
		line := p.Service + " " + p.Stage
		if p.Traffic != "" {
			line += " " + p.Traffic
		}
		if n := len(l.lines); n == 0 || l.lines[n-1] != line {
			l.lines = append(l.lines, line)
		}
	}
}

const (
	blueGreenSvc = `{"desiredCount":2,"deploymentConfiguration":{"strategy":"BLUE_GREEN","bakeTimeInMinutes":5,
 "lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:ap-northeast-1:123456789012:function:smoke","roleArn":"arn:aws:iam::123456789012:role/hooks","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]}}`
	linearSvc = `{"desiredCount":2,"deploymentConfiguration":{"strategy":"LINEAR","linearConfiguration":{"stepPercent":25,"stepBakeTimeInMinutes":1}}}`
	canarySvc = `{"desiredCount":2,"deploymentConfiguration":{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":5,"canaryBakeTimeInMinutes":2}}}`
)

// nativeDeployer deploys svcJSON at app:1, then returns what deploying
// app:2 needs: the deployer with a stage log and the definitions.
func nativeDeployer(t *testing.T, svcJSON string) (*Deployer, *fakeaws.ECS, *stageLog, *Definitions) {
	t.Helper()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", svcJSON, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c", Until: UntilDeployed}); err != nil {
		t.Fatal(err)
	}
	api.ResetCalls()
	log := &stageLog{}
	d.Waiter.Progress = log.add
	return d, api, log, defsOf(serviceDef(t, "web", svcJSON, tdJSON("web", "app:2")))
}

func TestNativeStagesInOrder(t *testing.T) {
	tests := []struct {
		name, svc string
		want      []string
	}{
		{"blue/green shifts all traffic at once", blueGreenSvc, []string{
			"web RECONCILE_SERVICE 0%", "web PRE_SCALE_UP 0%", "web SCALE_UP 0%", "web POST_SCALE_UP 0%",
			"web TEST_TRAFFIC_SHIFT 0%", "web POST_TEST_TRAFFIC_SHIFT 0%", "web PRODUCTION_TRAFFIC_SHIFT 100%",
			"web POST_PRODUCTION_TRAFFIC_SHIFT 100%", "web BAKE_TIME 100%", "web CLEAN_UP 100%"}},
		{"linear in steps of 25%", linearSvc, []string{
			"web RECONCILE_SERVICE 0%", "web PRE_SCALE_UP 0%", "web SCALE_UP 0%", "web POST_SCALE_UP 0%",
			"web TEST_TRAFFIC_SHIFT 0%", "web POST_TEST_TRAFFIC_SHIFT 0%",
			"web PRODUCTION_TRAFFIC_SHIFT 25%", "web PRODUCTION_TRAFFIC_SHIFT 50%", "web PRODUCTION_TRAFFIC_SHIFT 75%", "web PRODUCTION_TRAFFIC_SHIFT 100%",
			"web POST_PRODUCTION_TRAFFIC_SHIFT 100%", "web BAKE_TIME 100%", "web CLEAN_UP 100%"}},
		{"canary first, then the rest", canarySvc, []string{
			"web RECONCILE_SERVICE 0%", "web PRE_SCALE_UP 0%", "web SCALE_UP 0%", "web POST_SCALE_UP 0%",
			"web TEST_TRAFFIC_SHIFT 0%", "web POST_TEST_TRAFFIC_SHIFT 0%",
			"web PRODUCTION_TRAFFIC_SHIFT 5%", "web PRODUCTION_TRAFFIC_SHIFT 100%",
			"web POST_PRODUCTION_TRAFFIC_SHIFT 100%", "web BAKE_TIME 100%", "web CLEAN_UP 100%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, log, defs := nativeDeployer(t, tt.svc)
			res, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: UntilDeployed})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Stage != "" || !res[0].Waited {
				t.Errorf("result %+v: waited to the end, no stage", res[0])
			}
			if !slices.Equal(log.lines, tt.want) {
				t.Errorf("stages:\n%s\nwant:\n%s", strings.Join(log.lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestNativeWaitUntilStage(t *testing.T) {
	for _, tt := range []struct {
		until Until
		last  string
	}{
		{"BAKE_TIME", "web BAKE_TIME 100%"},
		{UntilTrafficShifted, "web PRODUCTION_TRAFFIC_SHIFT 100%"},
		{"POST_TEST_TRAFFIC_SHIFT", "web POST_TEST_TRAFFIC_SHIFT 0%"},
	} {
		t.Run(string(tt.until), func(t *testing.T) {
			d, api, log, defs := nativeDeployer(t, linearSvc)
			res, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: tt.until})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Stage != string(tt.until) {
				t.Errorf("stage %q, want %q", res[0].Stage, tt.until)
			}
			if got := log.lines[len(log.lines)-1]; got != tt.last {
				t.Errorf("returned at %q, want %q (%v)", got, tt.last, log.lines)
			}
			// The deployment goes on: it is still in progress in ECS.
			if svc, _ := api.Service("web"); svc.Deployments[0].RolloutState != "IN_PROGRESS" {
				t.Errorf("rollout %s after returning at a stage", svc.Deployments[0].RolloutState)
			}
		})
	}
}

func TestNativeFailedHookNamesTheHook(t *testing.T) {
	d, api, log, defs := nativeDeployer(t, blueGreenSvc)
	api.SetRollout("web", fakeaws.Rollout{FailHookAt: "POST_TEST_TRAFFIC_SHIFT"})
	_, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: UntilDeployed})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want a DeploymentFailedError", err)
	}
	for _, want := range []string{"lifecycle hook arn:aws:lambda:ap-northeast-1:123456789012:function:smoke FAILED", "a lifecycle hook failed in POST_TEST_TRAFFIC_SHIFT"} {
		if !strings.Contains(failed.Reason, want) {
			t.Errorf("reason %q lacks %q", failed.Reason, want)
		}
	}
	if got := log.lines[len(log.lines)-1]; got != "web POST_TEST_TRAFFIC_SHIFT 0%" && got != "web TEST_TRAFFIC_SHIFT 0%" {
		t.Errorf("last stage seen %q", got)
	}
}

// A deployment alarm that goes off makes ECS roll back: the failure names
// the alarm, from the service deployment's alarms.triggeredAlarmNames.
func TestNativeAlarmNamesTheAlarm(t *testing.T) {
	const svc = `{"desiredCount":2,"deploymentConfiguration":{"strategy":"BLUE_GREEN","bakeTimeInMinutes":5,
 "alarms":{"alarmNames":["web-5xx","web-latency"],"enable":true,"rollback":true}}}`
	d, api, log, defs := nativeDeployer(t, svc)
	api.SetRollout("web", fakeaws.Rollout{AlarmAt: "BAKE_TIME"})
	_, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: UntilDeployed})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want a DeploymentFailedError", err)
	}
	for _, want := range []string{"alarm web-5xx went off", "an alarm went off in BAKE_TIME"} {
		if !strings.Contains(failed.Reason, want) {
			t.Errorf("reason %q lacks %q", failed.Reason, want)
		}
	}
	if strings.Contains(failed.Reason, "web-latency") {
		t.Errorf("reason %q names an alarm that did not go off", failed.Reason)
	}
	if got := log.lines[len(log.lines)-1]; got != "web BAKE_TIME 100%" && got != "web POST_PRODUCTION_TRAFFIC_SHIFT 100%" {
		t.Errorf("last stage seen %q", got)
	}
}

// A rollback during an ECS-native deployment stops it with ECS's own
// rollback: StopServiceDeployment with stopType ROLLBACK.
func TestNativeRollbackStopsWithRollback(t *testing.T) {
	d, api, _, defs := nativeDeployer(t, blueGreenSvc)
	api.SetRollout("web", fakeaws.Rollout{HangAt: "BAKE_TIME"})
	if res, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: "BAKE_TIME"}); err != nil || res[0].Stage != "BAKE_TIME" {
		t.Fatalf("deploy until BAKE_TIME: %+v, %v", res, err)
	}
	api.ResetCalls()
	res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Until: UntilDeployed})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Stopped || !strings.HasSuffix(res[0].To, "web:1") || api.Calls("UpdateService") != 0 {
		t.Errorf("rollback %+v, calls %v; want the deployment stopped, back to web:1", res[0], api.CallCounts())
	}
	if got := api.StopTypes(); !slices.Equal(got, []types.StopServiceDeploymentStopType{types.StopServiceDeploymentStopTypeRollback}) {
		t.Errorf("stop types %v, want [ROLLBACK]", got)
	}
	if svc, _ := api.Service("web"); !strings.HasSuffix(aws.ToString(svc.TaskDefinition), "web:1") {
		t.Errorf("service runs %s after the rollback", aws.ToString(svc.TaskDefinition))
	}
}

func TestNativeStagesOptional(t *testing.T) {
	d, api, log, defs := nativeDeployer(t, blueGreenSvc)
	api.Fail("ListServiceDeployments", errors.New("AccessDeniedException: not authorized to perform ecs:ListServiceDeployments"))
	if _, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: UntilDeployed}); err != nil {
		t.Fatalf("the deploy failed without the service deployments API: %v", err)
	}
	if len(log.lines) != 0 {
		t.Errorf("stages shown without the API: %v", log.lines)
	}
	if n := api.Calls("ListServiceDeployments"); n != 1 {
		t.Errorf("ListServiceDeployments asked %d times, want once (then given up)", n)
	}
}

func TestStageUntil(t *testing.T) {
	for in, want := range map[string]Until{"BAKE_TIME": "BAKE_TIME", "bake-time": "BAKE_TIME", "traffic-shifted": UntilTrafficShifted, "post_production_traffic_shift": "POST_PRODUCTION_TRAFFIC_SHIFT"} {
		if got, ok := StageUntil(in); !ok || got != want {
			t.Errorf("StageUntil(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"deployed", "stable", "AfterAllowTraffic", "BAKE"} {
		if _, ok := StageUntil(in); ok {
			t.Errorf("StageUntil(%q) accepted", in)
		}
	}
}
