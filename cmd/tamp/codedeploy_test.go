package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// blueGreenProject is web as a CODE_DEPLOY service behind a target group,
// with the deployment group named in the config and an AppSpec hook.
var blueGreenProject = withFiles(webProject, map[string]string{
	"tamp.yaml": webProject["tamp.yaml"] + "    codedeploy: {application_name: web-app, deployment_group_name: web-group}\n" +
		"appspec:\n  hooks:\n    - AfterAllowTestTraffic: check-web\n",
	"web-service.json": strings.Replace(webProject["web-service.json"], `"desiredCount": 1,`,
		`"desiredCount": 1, "deploymentController": {"type": "CODE_DEPLOY"},
 "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-blue/0123456789abcdef", "containerName": "app", "containerPort": 80}],`, 1),
})

func TestDeployCodeDeployService(t *testing.T) {
	setup := func(t *testing.T) *fakeClients {
		t.Setenv("IMAGE_TAG", "v1")
		f := newFakeClients()
		f.dir = project(t, blueGreenProject)
		f.cd.AddGroup("web-app", cdtypes.ComputePlatformEcs, "web-group", "app", "web")
		f.cd.SetEventsPerPoll(100)
		f.mustRun(t, "deploy", "--no-wait") // creates the service with its first revision
		f.resetCalls()
		t.Setenv("IMAGE_TAG", "v2")
		return f
	}
	t.Run("the new revision goes through CodeDeploy, not UpdateService", func(t *testing.T) {
		f := setup(t)
		r := f.run(t, false, "deploy", "--rollback-events", "DEPLOYMENT_FAILURE,DEPLOYMENT_STOP_ON_ALARM")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if n := f.ecs.Calls("UpdateService"); n != 0 {
			t.Errorf("%d UpdateService calls; the task definition of a CODE_DEPLOY service changes only through CodeDeploy", n)
		}
		deps := f.cd.Deployments()
		if len(deps) != 1 {
			t.Fatalf("%d CodeDeploy deployments, want 1", len(deps))
		}
		spec := aws.ToString(deps[0].Revision.AppSpecContent.Content)
		for _, want := range []string{"TaskDefinition: " + web(2), "ContainerName: app", "ContainerPort: 80", "AfterAllowTestTraffic: check-web"} {
			if !strings.Contains(spec, want) {
				t.Errorf("AppSpec lacks %q:\n%s", want, spec)
			}
		}
		if aws.ToString(deps[0].DeploymentGroupName) != "web-group" || !deps[0].AutoRollbackConfiguration.Enabled {
			t.Errorf("deployment %+v", deps[0])
		}
		if got, want := deps[0].AutoRollbackConfiguration.Events, []cdtypes.AutoRollbackEvent{cdtypes.AutoRollbackEventDeploymentFailure, cdtypes.AutoRollbackEventDeploymentStopOnAlarm}; !slices.Equal(got, want) {
			t.Errorf("auto-rollback events %v, want %v", got, want)
		}
		for _, want := range []string{"web: CodeDeploy deployment d-FAKE00001 created (web-app/web-group)", "web: lifecycle event AllowTraffic: Succeeded", "web: CodeDeploy deployment d-FAKE00001: Succeeded"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
	})
	t.Run("a failed deployment exits 3 with CodeDeploy's reason", func(t *testing.T) {
		f := setup(t)
		f.cd.FailAt("AfterAllowTestTraffic")
		r := f.run(t, false, "deploy")
		if r.code != 3 || !strings.Contains(r.stderr, "error: service web: CodeDeploy deployment d-FAKE00001 failed: HEALTH_CONSTRAINTS The deployment failed because a lifecycle event hook failed: AfterAllowTestTraffic") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("a deployment CodeDeploy stops and rolls back exits 3 with CodeDeploy's reason", func(t *testing.T) {
		f := setup(t)
		f.cd.StopOnAlarmAt("AfterAllowTraffic", "web-5xx")
		r := f.run(t, false, "deploy", "--rollback-events", "DEPLOYMENT_STOP_ON_ALARM")
		const want = "error: service web: CodeDeploy deployment d-FAKE00001 stopped: ALARM_ACTIVE The deployment was stopped because alarm web-5xx went off during AfterAllowTraffic; " +
			"CodeDeploy rolled the deployment back to the original task set\n"
		if r.code != 3 || !strings.HasSuffix(r.stderr, want) || strings.Contains(r.stderr, "deployed web:2") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("bad --wait-until and --rollback-events are usage errors", func(t *testing.T) {
		f := setup(t)
		if r := f.run(t, false, "deploy", "--wait-until", "halfway"); r.code != 1 || !strings.Contains(r.stderr, "use deployed, stable, traffic-shifted, a CodeDeploy lifecycle event") {
			t.Errorf("--wait-until halfway: exit %d\n%s", r.code, r.stderr)
		}
		if r := f.run(t, false, "deploy", "--rollback-events", "ON_FAILURE"); r.code != 1 || !strings.Contains(r.stderr, `--rollback-events "ON_FAILURE": use DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST`) {
			t.Errorf("--rollback-events ON_FAILURE: exit %d\n%s", r.code, r.stderr)
		}
		if n := f.cd.TotalCalls() + f.ecs.Calls("RegisterTaskDefinition"); n != 0 {
			t.Errorf("%d calls after usage errors", n)
		}
	})
}
