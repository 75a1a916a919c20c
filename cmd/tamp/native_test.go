package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// A native blue/green deployment that ECS rolls back because a deployment
// alarm went off exits 3, the reason naming the alarm.
func TestDeployNativeAlarmExits3(t *testing.T) {
	t.Setenv("IMAGE_TAG", "v1")
	f := newFakeClients()
	f.dir = project(t, withFiles(webProject, map[string]string{
		"web-service.json": strings.Replace(webProject["web-service.json"], `"desiredCount": 1,`,
			`"desiredCount": 1, "deploymentConfiguration": {"strategy": "BLUE_GREEN", "alarms": {"alarmNames": ["web-5xx"], "enable": true, "rollback": true}},`, 1),
	}))
	f.mustRun(t, "register")
	// web runs web:1 already (steady), as ECS-native blue/green.
	f.ecs.AddService("app", types.Service{ServiceName: aws.String("web"), DesiredCount: 1, TaskDefinition: aws.String(web(1)),
		DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen}})
	// The alarm goes off on the first look, so that the wall-clock wait is short.
	f.ecs.SetRollout("web", fakeaws.Rollout{AlarmAt: "RECONCILE_SERVICE"})
	t.Setenv("IMAGE_TAG", "v2")
	r := f.run(t, false, "deploy")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "error: service web: deployment failed: ") || !strings.Contains(r.stderr, "alarm web-5xx went off") {
		t.Errorf("stderr does not name the alarm:\n%s", r.stderr)
	}
}
