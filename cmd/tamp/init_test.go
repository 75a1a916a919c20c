package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// runningElsewhere is batchProject deployed from another directory: web
// runs web:1 in cluster app, and group app holds nightly (batch:1) and
// warmup (web:1).
func runningElsewhere(t *testing.T, f *fakeClients) {
	dir := project(t, batchProject)
	f.mustRun(t, "deploy", "-c", filepath.Join(dir, "tamp.yaml"))
}

const (
	initHeader = "# Written by tamp init from what runs in AWS. Check it with `tamp diff` (no differences\n" +
		"# expected), then keep it in git.\n"
	initWebService = `{
  "deploymentConfiguration": {
    "deploymentCircuitBreaker": {},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100
  },
  "deploymentController": {
    "type": "ECS"
  },
  "desiredCount": 1,
  "launchType": "FARGATE",
  "networkConfiguration": {
    "awsvpcConfiguration": {
      "subnets": [
        "subnet-a"
      ],
      "assignPublicIp": "DISABLED",
      "securityGroups": [
        "sg-a"
      ]
    }
  },
  "platformVersion": "LATEST",
  "propagateTags": "NONE",
  "schedulingStrategy": "REPLICA"
}
`
	initWebTask = `{
  "containerDefinitions": [
    {
      "essential": true,
      "image": "busybox:v1",
      "name": "app",
      "portMappings": [
        {
          "containerPort": 80,
          "hostPort": 80,
          "protocol": "tcp"
        }
      ]
    }
  ],
  "family": "web",
  "cpu": "256",
  "memory": "512",
  "networkMode": "awsvpc",
  "requiresCompatibilities": [
    "FARGATE"
  ]
}
`
)

// wrote checks that diff (and scheduled diff, with a scheduled block)
// finds nothing after init, and then the files init wrote, by path under
// the project, exactly.
func wrote(files map[string]string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		if d := f.run(t, false, "diff", "--exit-code"); d.code != 0 || d.stdout != "" {
			t.Errorf("diff after init: exit %d\n%s%s", d.code, d.stdout, d.stderr)
		}
		if _, ok := files["scheduled.yaml"]; ok {
			if d := f.run(t, false, "scheduled", "diff", "--exit-code"); d.code != 0 || d.stdout != "" {
				t.Errorf("scheduled diff after init: exit %d\n%s%s", d.code, d.stdout, d.stderr)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			got, err := os.ReadFile(filepath.Join(f.dir, name))
			switch {
			case err != nil:
				t.Errorf("init did not write %s: %v", name, err)
			case string(got) != files[name]:
				t.Errorf("%s:\n%s\nwant:\n%s", name, got, files[name])
			}
		}
	}
}

func TestInit(t *testing.T) {
	runCases(t, map[string]string{}, imageV1, []cmdCase{
		{
			name:  "a service: the config and its two definitions, and diff finds nothing",
			setup: runningElsewhere, args: []string{"init", "--service", "web", "--cluster", "app"},
			stderr: "wrote $DIR/tamp.yaml\nwrote $DIR/ecs/web-service.json\nwrote $DIR/ecs/web-task.json\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
			check: wrote(map[string]string{
				"tamp.yaml": initHeader + `region: ap-northeast-1
cluster: app
services:
- name: web
  service_definition: ecs/web-service.json
  task_definition: ecs/web-task.json
`,
				"ecs/web-service.json": initWebService,
				"ecs/web-task.json":    initWebTask,
			}),
		},
		{
			name: "a service and a schedule group: the schedule on the service's revision names the service; " +
				"the cluster is the schedules'",
			setup: runningElsewhere, args: []string{"init", "--service", "web", "--scheduled-group", "app"},
			stderr:    "wrote $DIR/tamp.yaml\nwrote $DIR/ecs/web-service.json\nwrote $DIR/ecs/web-task.json\nwrote $DIR/scheduled.yaml\n",
			ecs:       map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
			check: wrote(map[string]string{
				"tamp.yaml": initHeader + `region: ap-northeast-1
cluster: app
services:
- name: web
  service_definition: ecs/web-service.json
  task_definition: ecs/web-task.json
scheduled:
  backend: scheduler
  group: app
  role_arn: arn:aws:iam::123456789012:role/scheduler
  tasks_file: scheduled.yaml
`,
				"ecs/web-service.json": initWebService,
				"ecs/web-task.json":    initWebTask,
				"scheduled.yaml": `- name: nightly
  schedule: cron(0 16 * * ? *)
  timezone: Asia/Tokyo
  task_definition: batch:1
  container_overrides:
  - command:
    - bin/batch
    - nightly
    name: app
  launch_type: FARGATE
  network_configuration:
    awsvpcConfiguration:
      subnets:
      - subnet-a
      assignPublicIp: DISABLED
      securityGroups:
      - sg-a
- name: warmup
  schedule: rate(1 hour)
  task_definition: web
  launch_type: FARGATE
  network_configuration:
    awsvpcConfiguration:
      subnets:
      - subnet-a
      assignPublicIp: DISABLED
      securityGroups:
      - sg-a
`,
			}),
		},
		{
			name: "EventBridge rules by prefix: the events backend, the prefix as the group",
			setup: func(t *testing.T, f *fakeClients) {
				dir := project(t, eventsProject)
				f.mustRun(t, "scheduled", "sync", "-c", filepath.Join(dir, "tamp.yaml"))
			},
			args:   []string{"init", "--scheduled-prefix", "night"},
			stderr: "wrote $DIR/tamp.yaml\nwrote $DIR/scheduled.yaml\n",
			events: map[string]int{"ListRules": 1, "ListTargetsByRule": 1},
			check: wrote(map[string]string{
				"tamp.yaml": initHeader + `region: ap-northeast-1
cluster: app
scheduled:
  backend: events
  group: night
  role_arn: arn:aws:iam::123456789012:role/scheduler
  tasks_file: scheduled.yaml
`,
				"scheduled.yaml": `- name: nightly
  schedule: cron(0 16 * * ? *)
  task_definition: batch:1
  container_overrides:
  - command:
    - bin/batch
    - nightly
    name: app
  launch_type: FARGATE
  network_configuration:
    awsvpcConfiguration:
      subnets:
      - subnet-a
      assignPublicIp: DISABLED
      securityGroups:
      - sg-a
`,
			}),
		},
		{
			name:   "nothing to adopt named",
			args:   []string{"init"},
			code:   1,
			stderr: "error: init: give --service, --scheduled-group or --scheduled-prefix\nnothing was changed in AWS\n",
		},
		{
			name:   "both backends",
			args:   []string{"init", "--scheduled-group", "app", "--scheduled-prefix", "app-"},
			code:   1,
			stderr: "error: init: give --scheduled-group (EventBridge Scheduler) or --scheduled-prefix (EventBridge rules), not both\nnothing was changed in AWS\n",
		},
		{
			name:   "a file that exists: nothing written without --force",
			files:  map[string]string{"ecs/web-task.json": "{}\n"},
			setup:  runningElsewhere,
			args:   []string{"init", "--service", "web", "--cluster", "app"},
			code:   1,
			stderr: "error: init: $DIR/ecs/web-task.json exists; move it away or pass --force to overwrite\nnothing was changed in AWS\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if _, err := os.Stat(filepath.Join(f.dir, "tamp.yaml")); err == nil {
					t.Error("tamp.yaml was written")
				}
				if b, _ := os.ReadFile(filepath.Join(f.dir, "ecs/web-task.json")); string(b) != "{}\n" {
					t.Errorf("web-task.json overwritten: %s", b)
				}
			},
		},
		{
			name:   "--force overwrites",
			files:  map[string]string{"ecs/web-task.json": "{}\n"},
			setup:  runningElsewhere,
			args:   []string{"init", "--service", "web", "--cluster", "app", "--force"},
			stderr: "wrote $DIR/tamp.yaml\nwrote $DIR/ecs/web-service.json\nwrote $DIR/ecs/web-task.json\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
			check:  wrote(map[string]string{"ecs/web-task.json": initWebTask}),
		},
		{
			name:   "a service that does not run",
			setup:  runningElsewhere,
			args:   []string{"init", "--service", "nosuch", "--cluster", "app"},
			code:   1,
			stderr: "error: init: no service nosuch in cluster app (ap-northeast-1)\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
	})
}
