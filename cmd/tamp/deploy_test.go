package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
	"github.com/tamp-ecs/tamp/verify"
)

// webProject is a config with one Fargate service, web, whose image tag
// comes from IMAGE_TAG.
var webProject = map[string]string{
	"tamp.yaml": `region: ap-northeast-1
cluster: app
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.json
`,
	"web-task.json": `{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "app", "image": "busybox:{{ must_env ` + "`IMAGE_TAG`" + ` }}", "portMappings": [{"containerPort": 80}]}]}
`,
	"web-service.json": `{"launchType": "FARGATE", "desiredCount": 1,
 "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-a"]}}}
`,
}

var (
	imageV1 = map[string]string{"IMAGE_TAG": "v1"}
	imageV2 = map[string]string{"IMAGE_TAG": "v2"}
)

// deployedV1 is web created and deployed at busybox:v1 (web:1); a case's
// env then usually moves IMAGE_TAG on.
func deployedV1(t *testing.T, f *fakeClients) {
	f.mustRun(t, "deploy")
}

// web is the ARN of revision rev of the web family.
func web(rev int32) string { return fakeaws.TaskDefinitionARN("web", rev) }

// runs checks which revision service web runs and how many tasks it wants.
func runs(arn string, desired int32) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		svc, ok := f.ecs.Service("web")
		if !ok {
			t.Fatal("service web does not exist")
		}
		if got := aws.ToString(svc.TaskDefinition); got != arn || svc.DesiredCount != desired {
			t.Errorf("web runs %s with desired %d, want %s with %d", got, svc.DesiredCount, arn, desired)
		}
	}
}

const (
	createdV1 = "web: created, deploying web:1\n" +
		"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
		"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
		"web: deployed web:1\n"
	updatedV2 = "web: updated, deploying web:2\n" +
		"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
		"HH:MM:SS web: web:2 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
		"web: deployed web:2\n"
	diffV1V2 = "--- task definition web (AWS: web:1)\n" +
		"+++ task definition web (config)\n" +
		"@@ -2,7 +2,7 @@\n" +
		"   \"containerDefinitions\": [\n" +
		"     {\n" +
		"       \"essential\": true,\n" +
		"-      \"image\": \"busybox:v1\",\n" +
		"+      \"image\": \"busybox:v2\",\n" +
		"       \"name\": \"app\",\n" +
		"       \"portMappings\": [\n" +
		"         {\n"
)

func TestDeploy(t *testing.T) {
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:   "creates a missing service and waits",
			args:   []string{"deploy"},
			stderr: createdV1,
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "CreateService": 1},
			check:  runs(web(1), 1),
		},
		{
			name: "creates on a terminal: a live line, redrawn, then cleared",
			args: []string{"deploy"}, tty: true,
			// NO_COLOR is unset and stderr is a terminal: COMPLETED is green.
			stderr: "web: created, deploying web:1\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"\r\x1b[Kweb: web:1 \x1b[32mCOMPLETED\x1b[0m desired 1 pending 0 running 1 failed 0" +
				"\r\x1b[Kweb: deployed web:1\n",
			ecs:   map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "CreateService": 1},
			check: runs(web(1), 1),
		},
		{
			name: "on a terminal with --color never: the live line without colour",
			args: []string{"deploy", "--color", "never"}, tty: true,
			stderr: "web: created, deploying web:1\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"\r\x1b[Kweb: web:1 COMPLETED desired 1 pending 0 running 1 failed 0" +
				"\r\x1b[Kweb: deployed web:1\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "CreateService": 1},
		},
		{
			name:  "nothing to change: nothing changed, nothing waited for",
			setup: deployedV1, args: []string{"deploy"},
			stderr: "web: unchanged, runs web:1\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name:  "a new image: registers and updates",
			setup: deployedV1, env: imageV2, args: []string{"deploy"},
			stderr: updatedV2,
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				runs(web(2), 1)(t, f, r)
				up := f.ecs.LastUpdate()
				if up == nil || aws.ToString(up.TaskDefinition) != web(2) || up.DesiredCount != nil || up.ForceNewDeployment {
					t.Errorf("UpdateService %+v, want only the new revision", up)
				}
			},
		},
		{
			name:  "a new image on a terminal",
			setup: deployedV1, env: imageV2, args: []string{"deploy"}, tty: true,
			stderr: "web: updated, deploying web:2\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"\r\x1b[Kweb: web:2 \x1b[32mCOMPLETED\x1b[0m desired 1 pending 0 running 1 failed 0" +
				"\r\x1b[Kweb: deployed web:2\n",
			ecs:   map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check: runs(web(2), 1),
		},
		{
			name:  "json: the result on stdout, progress still on stderr",
			setup: deployedV1, env: imageV2, args: []string{"deploy", "--output", "json"},
			stdout: `{
  "services": [
    {
      "name": "web",
      "action": "updated",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2",
      "waited": true
    }
  ]
}
`,
			stderr: "web: updated, deploying web:2\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:2 COMPLETED desired 1 pending 0 running 1 failed 0\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
		},
		{
			name:  "json, nothing to change",
			setup: deployedV1, args: []string{"deploy", "--output", "json"},
			stdout: `{
  "services": [
    {
      "name": "web",
      "action": "unchanged",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      "waited": false
    }
  ]
}
`,
			stderr: "web: unchanged, runs web:1\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name:  "dry run: the diff, and nothing changed",
			setup: deployedV1, env: imageV2, args: []string{"deploy", "--dry-run"},
			stdout: diffV1V2,
			stderr: "dry run: 0 to create, 1 to update, 1 unchanged; nothing was changed\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
			check:  runs(web(1), 1),
		},
		{
			name:  "no wait: the change, not followed",
			setup: deployedV1, env: imageV2, args: []string{"deploy", "--no-wait"},
			stderr: "web: updated, deploying web:2\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
		},
		{
			name:  "--tasks: only the count changes",
			setup: deployedV1, args: []string{"deploy", "--tasks", "3"},
			stderr: "web: updated, deploying web:1\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 3 pending 0 running 3 failed 0\n" +
				"web: deployed web:1\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 1, "UpdateService": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				up := f.ecs.LastUpdate()
				if up == nil || aws.ToInt32(up.DesiredCount) != 3 || up.TaskDefinition != nil {
					t.Errorf("UpdateService %+v, want desiredCount 3 alone", up)
				}
			},
		},
		{
			name: "failed rollout (ECS rolled back): exit 3 with the reason",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Fail: true})
			},
			env: imageV2, args: []string{"deploy"},
			code: 3,
			stderr: "web: updated, deploying web:2\n" +
				"HH:MM:SS web: event: (service web) deployment ecs-svc/2 deployment failed: tasks failed to start.\n" +
				"HH:MM:SS web: web:2 FAILED desired 1 pending 1 running 0 failed 0\n" +
				"error: service web: deployment failed: ECS deployment circuit breaker: tasks failed to start. " +
				"((service web) deployment ecs-svc/2 deployment failed: tasks failed to start.) " +
				"(ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1,
				"ListServiceDeployments": 1, "DescribeServiceDeployments": 1},
			check: runs(web(1), 1),
		},
		{
			name: "failed rollout on a terminal: the live line is cleared before the error",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Fail: true})
			},
			env: imageV2, args: []string{"deploy", "--color", "never"}, tty: true,
			code: 3,
			stderr: "web: updated, deploying web:2\n" +
				"HH:MM:SS web: event: (service web) deployment ecs-svc/2 deployment failed: tasks failed to start.\n" +
				"\r\x1b[Kweb: web:2 FAILED desired 1 pending 1 running 0 failed 0\r\x1b[K" +
				"error: service web: deployment failed: ECS deployment circuit breaker: tasks failed to start. " +
				"((service web) deployment ecs-svc/2 deployment failed: tasks failed to start.) " +
				"(ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1,
				"ListServiceDeployments": 1, "DescribeServiceDeployments": 1},
		},
		{
			name: "failed rollout, no circuit breaker: --rollback-on-failure goes back, exit stays 3",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Fail: true, NoRollback: true, OnlyTaskDefinition: web(2)})
			},
			env: imageV2, args: []string{"deploy", "--rollback-on-failure"},
			code: 3,
			stderr: "web: updated, deploying web:2\n" +
				"HH:MM:SS web: web:2 FAILED desired 1 pending 1 running 0 failed 0\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
				"web: rolled back to web:1 after the failure\n" +
				// The fake's service deployments API answers every failed
				// deployment as ROLLBACK_SUCCESSFUL, NoRollback or not.
				"error: service web: deployment failed: ECS deployment circuit breaker: tasks failed to start. " +
				"(ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)\n",
			ecs: map[string]int{"DescribeServices": 4, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 2,
				"ListServiceDeployments": 1, "DescribeServiceDeployments": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				runs(web(1), 1)(t, f, r)
				ups := f.ecs.Updates()
				if len(ups) != 2 || aws.ToString(ups[0].TaskDefinition) != web(2) || aws.ToString(ups[1].TaskDefinition) != web(1) {
					t.Errorf("updates: %d, want web:2 then web:1", len(ups))
				}
			},
		},
		{
			// The waiter sleeps on the wall clock, 1 s before its second
			// poll: a timeout of 700ms ends that sleep, well clear of
			// its end, and the wait it reports rounds to 1s.
			name: "a rollout that never ends: exit 4 after --timeout, saying where it stands",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
			},
			env: imageV2, args: []string{"deploy", "--timeout", "700ms"},
			code: 4,
			stderr: "web: updated, deploying web:2\n" +
				"HH:MM:SS web: web:2 IN_PROGRESS desired 1 pending 1 running 1 failed 0\n" +
				"error: service web: still not done after 1s (web:2 IN_PROGRESS, running 1 of 1); " +
				"the deployment goes on in AWS: follow it with `tamp wait` or `tamp status`\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
		},
		{
			name: "an AWS error: exit 1 with what was being done",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.Fail("UpdateService", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"})
			},
			env: imageV2, args: []string{"deploy"},
			code:   1,
			stderr: "error: update service web: api error AccessDeniedException: not allowed\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check:  runs(web(1), 1),
		},
		{
			name: "a deployment in progress is refused before any change",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
				t.Setenv("IMAGE_TAG", "v2")
				f.mustRun(t, "deploy", "--no-wait")
			},
			env: map[string]string{"IMAGE_TAG": "v3"}, args: []string{"deploy"},
			code: 1,
			stderr: "error: service web has a deployment in progress (PRIMARY web:2 IN_PROGRESS, ACTIVE web:1 COMPLETED); " +
				"wait for it with `tamp wait --only web`, then deploy again\n",
			ecs: map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name: "a service to create needs a desired count: refused before any change",
			files: map[string]string{"web-service.json": `{"launchType": "FARGATE",
 "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-a"]}}}`},
			args:   []string{"deploy"},
			code:   1,
			stderr: "error: $DIR/web-service.json: service web does not exist; set desiredCount in its definition or pass --tasks N to create it\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name:  "a definition that does not decode: nothing is asked of AWS",
			files: map[string]string{"web-task.json": `{"family": "web", "containerDefinitions": [{"name": "app", "imagee": "busybox"}]}`},
			args:  []string{"deploy"},
			code:  1,
			stderr: "error: $DIR/web-task.json: containerDefinitions[0].imagee: unknown field; did you mean \"image\"?\n" +
				"nothing was changed in AWS\n",
		},
		{
			name:  "a missing variable: nothing is asked of AWS",
			unset: []string{"IMAGE_TAG"},
			args:  []string{"deploy"},
			code:  1,
			stderr: "error: $DIR/web-task.json:2: {{ must_env `IMAGE_TAG` }}: IMAGE_TAG is not set; export it or put it in an --envfile\n" +
				"nothing was changed in AWS\n",
		},
		{
			name:   "flags that exclude each other",
			args:   []string{"deploy", "--skip-task-definition", "--revision", "3"},
			code:   1,
			stderr: "error: --skip-task-definition, --latest-task-definition and --revision exclude each other; give one\n",
		},
		{
			name: "--verify: a check NG stops the deploy before any ECS call",
			args: []string{"deploy", "--verify"},
			code: 1,
			stderr: "service web ($DIR/web-service.json)\n" +
				"  OK    definition: valid\n" +
				"  NG    cluster app: does not exist in ap-northeast-1; create it or fix cluster in the config\n" +
				"  NG    subnet subnet-a: does not exist in ap-northeast-1\n" +
				"  NG    security group sg-a: does not exist in ap-northeast-1\n" +
				"task definition web ($DIR/web-task.json)\n" +
				"  OK    definition: valid\n" +
				"  SKIP  image busybox:v1: registry docker.io is not ECR; not checked\n" +
				"2 OK, 3 NG, 1 SKIP\n" +
				"error: verify found problems (NG above): 3 NG; deploy stopped\n" +
				"nothing was changed in AWS\n",
			check: func(t *testing.T, f *fakeClients, r result) {
				checkCalls(t, "verify", f.lookup.counts(), map[string]int{"Clusters": 1, "Subnets": 1, "SecurityGroups": 1})
			},
		},
		{
			name: "--verify: everything OK, then the deploy",
			setup: func(t *testing.T, f *fakeClients) {
				f.lookup.clusters["app"] = &verify.Cluster{Status: "ACTIVE"}
				f.lookup.subnets["subnet-a"] = "vpc-1"
				f.lookup.groups["sg-a"] = "vpc-1"
			},
			args: []string{"deploy", "--verify"},
			stderr: "service web ($DIR/web-service.json)\n" +
				"  OK    definition: valid\n" +
				"  OK    cluster app: ACTIVE\n" +
				"  OK    subnet subnet-a: exists in vpc-1\n" +
				"  OK    security group sg-a: exists in vpc-1\n" +
				"task definition web ($DIR/web-task.json)\n" +
				"  OK    definition: valid\n" +
				"  SKIP  image busybox:v1: registry docker.io is not ECR; not checked\n" +
				"5 OK, 0 NG, 1 SKIP\n" + createdV1,
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "CreateService": 1},
		},
	})
}

// Ctrl-C while waiting stops the wait with 130 and says where the
// deployment stands and how to follow it.
func TestDeployInterrupted(t *testing.T) {
	dir := project(t, webProject)
	t.Setenv("IMAGE_TAG", "v1")
	t.Setenv("NO_COLOR", "")
	f := newFakeClients()
	f.dir = dir
	deployedV1(t, f)
	f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
	t.Setenv("IMAGE_TAG", "v2")
	f.resetCalls()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// After the first poll: the waiter then sleeps for a second.
		for f.ecs.Calls("DescribeServices") < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	r := f.runCtx(ctx, t, false, "deploy")
	r.check(t, 130, "", "web: updated, deploying web:2\n"+
		"HH:MM:SS web: web:2 IN_PROGRESS desired 1 pending 1 running 1 failed 0\n"+
		"error: service web: stopped waiting (web:2 IN_PROGRESS, running 1 of 1); the deployment goes on in AWS: "+
		"follow it with `tamp wait` or `tamp status`: context canceled\n")
	checkCalls(t, "ECS", f.ecs.CallCounts(), map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1})
}
