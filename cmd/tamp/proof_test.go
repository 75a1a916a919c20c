package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// proofProject is runProject (web and a migrate task definition) whose
// deploys first run the migration, and whose web proves each new revision
// with a canary (no load balancer: by its health alone).
var proofProject = withFiles(runProject, map[string]string{
	"tamp.yaml": `region: ap-northeast-1
cluster: app
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.json
    canary: {healthy_for: 0s}
task_definitions:
  - name: migrate
    path: migrate-task.json
deploy:
  before:
    - task_definition: migrate
      command: bin/migrate --all
`,
})

// noCanary is proofProject without web's canary block.
var noCanary = map[string]string{"tamp.yaml": `region: ap-northeast-1
cluster: app
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.json
task_definitions:
  - name: migrate
    path: migrate-task.json
`}

// healthyCanary makes web's tasks (the canary) run and report HEALTHY.
func healthyCanary(t *testing.T, f *fakeClients) {
	f.mustRun(t, "deploy", "--skip-canary", "--skip-before")
	logged(t, f)
	f.ecs.SetTaskRun("web", fakeaws.TaskRun{Hang: true, Health: []types.HealthStatus{types.HealthStatusHealthy}})
}

// nothingLeftRunning checks no task (canary or migration) still runs.
func nothingLeftRunning(t *testing.T, f *fakeClients, r result) {
	t.Helper()
	if running := f.ecs.RunningTasks(); len(running) != 0 {
		t.Errorf("left running: %v", running)
	}
}

const (
	taskID1 = "00000000000000000000000000000001"
	taskID2 = "00000000000000000000000000000002"
)

func TestDeployProofs(t *testing.T) {
	migrated := "deploy.before[0] (migrate: bin/migrate --all): started " + taskID1 + " on migrate:1\n" +
		"migrate | migrating\nmigrate | done\n"
	migratedOK := migrated + "deploy.before[0]: exited 0\n"
	runCases(t, proofProject, imageV1, []cmdCase{
		{
			name:  "the migration exits 0 and the canary passes: then web updates, and nothing is left running",
			setup: healthyCanary, env: imageV2, args: []string{"deploy"},
			stderr: migratedOK +
				"web: canary web:2 started: " + taskID2 + "\n" +
				"web: canary " + taskID2 + " RUNNING\n" +
				"web: canary web:2 passed\n" +
				"web: canary stopped: " + taskID2 + "\n" +
				// web's tasks hang (the canary's script), so the service's
				// own rollout is what the fake's rollout script says.
				updatedV2,
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 4, "RegisterTaskDefinition": 2, "RunTask": 2, "DescribeTasks": 2,
				"StopTask": 1, "UpdateService": 1},
			logs: map[string]int{"GetLogEvents": 3},
			check: func(t *testing.T, f *fakeClients, r result) {
				runs(web(2), 1)(t, f, r)
				nothingLeftRunning(t, f, r)
				runsIn := f.ecs.RunTaskInputs()
				if len(runsIn) != 2 || aws.ToString(runsIn[0].TaskDefinition) != fakeaws.TaskDefinitionARN("migrate", 1) ||
					aws.ToString(runsIn[1].TaskDefinition) != web(2) || aws.ToString(runsIn[1].StartedBy) != "tamp-canary" ||
					jsonOf(runsIn[1].NetworkConfiguration) != `{"awsvpcConfiguration":{"subnets":["subnet-a"],"assignPublicIp":"DISABLED","securityGroups":["sg-a"]}}` {
					t.Errorf("RunTask requests %s", jsonOf(runsIn))
				}
			},
		},
		{
			name: "the migration exits 2: exit 3 naming it; the canary never runs, web is not updated",
			setup: func(t *testing.T, f *fakeClients) {
				healthyCanary(t, f)
				f.ecs.SetTaskRun("migrate", fakeaws.TaskRun{ExitCode: 2})
			},
			env: imageV2, args: []string{"deploy"}, code: 3,
			stderr: migrated +
				"error: deploy.before[0] (migrate: bin/migrate --all): task " + taskID1 + ": container app exited with code 2; nothing was deployed\n",
			ecs:   map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 3, "RegisterTaskDefinition": 2, "RunTask": 1, "DescribeTasks": 1},
			logs:  map[string]int{"GetLogEvents": 3},
			check: runs(web(1), 1),
		},
		{
			name: "the canary's container exits 1: exit 3 with why, web is not updated",
			setup: func(t *testing.T, f *fakeClients) {
				healthyCanary(t, f)
				f.ecs.SetTaskRun("web", fakeaws.TaskRun{ExitCode: 1})
			},
			env: imageV2, args: []string{"deploy", "--skip-before"}, code: 3,
			stderr: "web: canary web:2 started: " + taskID1 + "\n" +
				"web: canary stopped: " + taskID1 + "\n" +
				"error: canary of web (web:2): canary task " + taskID1 + " stopped: Essential container in task exited (EssentialContainerExited); container app exited with code 1\n",
			ecs: map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 3, "RegisterTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1,
				"StopTask": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				runs(web(1), 1)(t, f, r)
				nothingLeftRunning(t, f, r)
			},
		},
		{
			name:  "--skip-canary and --skip-before: a plain deploy",
			setup: healthyCanary, env: imageV2, args: []string{"deploy", "--skip-canary", "--skip-before"},
			stderr: updatedV2,
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
		},
		{
			name:  "nothing to deploy: no canary (web runs web:1 already), the migration still runs",
			setup: healthyCanary, args: []string{"deploy"},
			stderr: migratedOK +
				"web: no canary: the service already runs web:1\n" +
				"web: unchanged, runs web:1\n",
			ecs:  map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1},
			logs: map[string]int{"GetLogEvents": 3},
		},
		{
			name:  "--dry-run says what would run, and runs nothing",
			setup: healthyCanary, env: imageV2, args: []string{"deploy", "--dry-run"},
			stdout: diffV1V2,
			stderr: "would run deploy.before[0] (migrate: bin/migrate --all) before any change\n" +
				"would prove web's new revision with a canary of 1 task, healthy for 0s within 5m0s\n" +
				"dry run: 0 to create, 1 to update, 1 unchanged; nothing was changed\n",
			ecs: map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name:  "--output json: the migration and the canary in the document",
			setup: healthyCanary, env: imageV2, args: []string{"deploy", "--output", "json"},
			stdout: `{
  "before": [
    {
      "field": "deploy.before[0]",
      "name": "migrate",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/migrate:1",
      "command": [
        "bin/migrate",
        "--all"
      ],
      "tasks": [
        "arn:aws:ecs:ap-northeast-1:123456789012:task/app/` + taskID1 + `"
      ],
      "exit_code": 0
    }
  ],
  "canaries": [
    {
      "service": "web",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2",
      "tasks": [
        "arn:aws:ecs:ap-northeast-1:123456789012:task/app/` + taskID2 + `"
      ],
      "passed": true,
      "stopped": true
    }
  ],
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
			stderr: migratedOK +
				"web: canary web:2 started: " + taskID2 + "\n" +
				"web: canary " + taskID2 + " RUNNING\n" +
				"web: canary web:2 passed\n" +
				"web: canary stopped: " + taskID2 + "\n" +
				"web: updated, deploying web:2\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:2 COMPLETED desired 1 pending 0 running 1 failed 0\n",
			ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 4, "RegisterTaskDefinition": 2, "RunTask": 2, "DescribeTasks": 2,
				"StopTask": 1, "UpdateService": 1},
			logs: map[string]int{"GetLogEvents": 3},
		},
		{
			name:  "--canary on a service without a canary block: deploy.canary's settings, else the defaults",
			files: noCanary, setup: healthyCanary, env: imageV2, args: []string{"deploy", "--canary", "--dry-run"},
			stdout: diffV1V2,
			stderr: "would prove web's new revision with a canary of 1 task, healthy for 10s within 5m0s\n" +
				"dry run: 0 to create, 1 to update, 1 unchanged; nothing was changed\n",
			ecs: map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name:  "a pre-deploy task naming no task definition of the config: exit 1, nothing called",
			files: map[string]string{"tamp.yaml": noCanary["tamp.yaml"] + "deploy:\n  before:\n    - task_definition: migrat\n"},
			args:  []string{"deploy"}, code: 1,
			stderr: "error: $DIR/tamp.yaml: deploy.before[0].task_definition: \"migrat\" is not a task definition or service of this config; use one of \"web\", \"migrate\"\nnothing was changed in AWS\n",
		},
		{
			name:  "a canary block out of range: exit 1, nothing called",
			files: map[string]string{"tamp.yaml": noCanary["tamp.yaml"] + "deploy:\n  canary: {tasks: 11, healthy_for: soon}\n"},
			args:  []string{"deploy"}, code: 1,
			stderr: "error: $DIR/tamp.yaml: deploy.canary.tasks: 11 is out of range; give 1 to 10 (default 1)\n" +
				"error: $DIR/tamp.yaml: deploy.canary.healthy_for: \"soon\" is not a duration; write it like \"30s\" or \"5m\"\n" +
				"nothing was changed in AWS\n",
		},
	})
}

// A pre-deploy task that names the service's task definition (not the
// service) runs the new revision with the service's network: web is an
// awsvpc service, and RunTask refuses such a task without one.
func TestDeployBeforeOnTheServiceTaskDefinition(t *testing.T) {
	project := withFiles(runProject, map[string]string{"tamp.yaml": noCanary["tamp.yaml"] + `deploy:
  before:
    - task_definition: web
      command: [python, manage.py, migrate]
`})
	runCases(t, project, imageV1, []cmdCase{{
		name: "runs web:2 in the service's subnets",
		setup: func(t *testing.T, f *fakeClients) {
			f.mustRun(t, "deploy", "--skip-before")
			logged(t, f)
		},
		env: imageV2, args: []string{"deploy"},
		stderr: "deploy.before[0] (web: python manage.py migrate): started " + taskID1 + " on web:2\n" +
			"logs: container app does not log with awslogs and a stream prefix; not following its log\n" +
			"deploy.before[0]: exited 0\n" + updatedV2,
		ecs: map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 3, "DescribeTasks": 1, "RegisterTaskDefinition": 1,
			"RunTask": 1, "UpdateService": 1},
		check: func(t *testing.T, f *fakeClients, r result) {
			runs(web(2), 1)(t, f, r)
			in := f.ecs.RunTaskInputs()
			if len(in) != 1 || aws.ToString(in[0].TaskDefinition) != web(2) || in[0].LaunchType != types.LaunchTypeFargate ||
				jsonOf(in[0].NetworkConfiguration) != `{"awsvpcConfiguration":{"subnets":["subnet-a"],"assignPublicIp":"DISABLED","securityGroups":["sg-a"]}}` {
				t.Errorf("RunTask requests %s", jsonOf(in))
			}
		},
	}})
}
