package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// batchProject is web (as in webProject), a standalone batch task
// definition, and two scheduled tasks on EventBridge Scheduler in group
// app: nightly on batch, warmup on web's task definition.
var batchProject = map[string]string{
	"tamp.yaml": `region: ap-northeast-1
cluster: app
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.json
task_definitions:
  - name: batch
    path: batch-task.json
scheduled:
  backend: scheduler
  group: app
  role_arn: arn:aws:iam::123456789012:role/scheduler
  defaults:
    task_definition: batch
    launch_type: FARGATE
    network_configuration: {awsvpcConfiguration: {subnets: [subnet-a], securityGroups: [sg-a]}}
  tasks_file: scheduled.yaml
`,
	"web-task.json":    webProject["web-task.json"],
	"web-service.json": webProject["web-service.json"],
	"batch-task.json": `{"family": "batch", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "app", "image": "busybox:{{ must_env ` + "`IMAGE_TAG`" + ` }}",
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/batch", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "batch"}}}]}
`,
	"scheduled.yaml": `- name: nightly
  schedule: cron(0 16 * * ? *)
  timezone: Asia/Tokyo
  command: [bin/batch, nightly]
- name: warmup
  schedule: rate(1 hour)
  task_definition: web
`,
}

// eventsProject is batchProject on the EventBridge rules backend (UTC
// only: no time zone).
var eventsProject = withFiles(batchProject, map[string]string{
	"tamp.yaml": strings.Replace(batchProject["tamp.yaml"], "backend: scheduler", "backend: events", 1),
	"scheduled.yaml": `- name: nightly
  schedule: cron(0 16 * * ? *)
  command: [bin/batch, nightly]
- name: warmup
  schedule: rate(1 hour)
  task_definition: web
`,
})

// withFiles is base with some files replaced.
func withFiles(base, files map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, files)
	return out
}

func batch(rev int32) string { return fakeaws.TaskDefinitionARN("batch", rev) }

func synced(t *testing.T, f *fakeClients) { f.mustRun(t, "scheduled", "sync") }

// oldSchedule is a schedule of batch:1 named old in group, as a sync of an
// earlier config left it.
func oldSchedule(group string) scheduler.GetScheduleOutput {
	return scheduler.GetScheduleOutput{
		Name: aws.String("old"), GroupName: aws.String(group), ScheduleExpression: aws.String("rate(1 day)"),
		FlexibleTimeWindow: &stypes.FlexibleTimeWindow{Mode: stypes.FlexibleTimeWindowModeOff},
		Target: &stypes.Target{
			Arn:           aws.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/app"),
			RoleArn:       aws.String("arn:aws:iam::123456789012:role/scheduler"),
			EcsParameters: &stypes.EcsParameters{TaskDefinitionArn: aws.String(batch(1))},
		},
	}
}

// syncedWithOld is the project synced, and a schedule old in the config's
// group (owned) and one in the default group (not).
func syncedWithOld(t *testing.T, f *fakeClients) {
	synced(t, f)
	f.sched.AddSchedule(oldSchedule("app"))
	f.sched.AddSchedule(oldSchedule("default"))
}

// schedules checks the task definition each schedule of group app runs,
// and its state, by name ("-" for a schedule that must not exist).
func schedules(want map[string]string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		for name, w := range want {
			s, ok := f.sched.Schedule("app", name)
			switch {
			case w == "-" && ok:
				t.Errorf("schedule %s exists", name)
			case w == "-":
			case !ok:
				t.Errorf("schedule %s does not exist", name)
			default:
				got := aws.ToString(s.Target.EcsParameters.TaskDefinitionArn) + " " + string(s.State)
				if got != w {
					t.Errorf("schedule %s runs %s, want %s", name, got, w)
				}
			}
		}
	}
}

// createNightly and createWarmup are the diff of creating each task.
const (
	createNightly = `--- /dev/null
+++ schedule nightly (config)
@@ -0,0 +1,37 @@
+{
+  "name": "nightly",
+  "schedule": "cron(0 16 * * ? *)",
+  "timezone": "Asia/Tokyo",
+  "task_definition": "batch:(new revision)",
+  "container_overrides": [
+    {
+      "command": [
+        "bin/batch",
+        "nightly"
+      ],
+      "name": "app"
+    }
+  ],
+  "task_count": 1,
+  "launch_type": "FARGATE",
+  "network_configuration": {
+    "awsvpcConfiguration": {
+      "subnets": [
+        "subnet-a"
+      ],
+      "assignPublicIp": "DISABLED",
+      "securityGroups": [
+        "sg-a"
+      ]
+    }
+  },
+  "retry_policy": {
+    "maximum_event_age_seconds": 86400,
+    "maximum_retry_attempts": 185
+  },
+  "role_arn": "arn:aws:iam::123456789012:role/scheduler",
+  "cluster_arn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/app",
+  "flexible_time_window": {
+    "mode": "OFF"
+  }
+}
`
	createWarmup = `--- /dev/null
+++ schedule warmup (config)
@@ -0,0 +1,28 @@
+{
+  "name": "warmup",
+  "schedule": "rate(1 hour)",
+  "timezone": "UTC",
+  "task_definition": "web:(new revision)",
+  "task_count": 1,
+  "launch_type": "FARGATE",
+  "network_configuration": {
+    "awsvpcConfiguration": {
+      "subnets": [
+        "subnet-a"
+      ],
+      "assignPublicIp": "DISABLED",
+      "securityGroups": [
+        "sg-a"
+      ]
+    }
+  },
+  "retry_policy": {
+    "maximum_event_age_seconds": 86400,
+    "maximum_retry_attempts": 185
+  },
+  "role_arn": "arn:aws:iam::123456789012:role/scheduler",
+  "cluster_arn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/app",
+  "flexible_time_window": {
+    "mode": "OFF"
+  }
+}
`
)

func TestScheduledSync(t *testing.T) {
	// With N tasks and nothing changed: ListSchedules, a GetSchedule
	// each, and DescribeTaskDefinition for each referenced definition.
	readOnly := map[string]int{"ListSchedules": 1, "GetSchedule": 2}
	twoDescribed := map[string]int{"DescribeTaskDefinition": 2}
	enabled := map[string]string{"nightly": batch(1) + " ENABLED", "warmup": web(1) + " ENABLED"}
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:   "from nothing: the group, the referenced revisions, every schedule",
			args:   []string{"scheduled", "sync"},
			stderr: "scheduled: 2 created, 0 updated, 0 unchanged\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 2, "RegisterTaskDefinition": 2},
			scheduler: map[string]int{"GetScheduleGroup": 1, "CreateScheduleGroup": 1, "ListSchedules": 1,
				"CreateSchedule": 2},
			check: schedules(enabled),
		},
		{
			name:  "nothing changed: N + 2 calls, no writes",
			setup: synced, args: []string{"scheduled", "sync"},
			stderr:    "scheduled: 0 created, 0 updated, 2 unchanged\n",
			ecs:       twoDescribed,
			scheduler: readOnly,
		},
		{
			name:   "dry run: the diff on stdout, nothing registered or written",
			args:   []string{"scheduled", "sync", "--dry-run"},
			stdout: createNightly + createWarmup,
			stderr: "dry run: 2 to create, 0 to update, 0 unchanged; nothing was changed\n",
			ecs:    twoDescribed, scheduler: map[string]int{"GetScheduleGroup": 1, "ListSchedules": 1},
			check: schedules(map[string]string{"nightly": "-", "warmup": "-"}),
		},
		{
			name:  "a new image: the new revisions registered first, both schedules repointed",
			setup: synced, env: imageV2, args: []string{"scheduled", "sync"},
			stderr:    "scheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       map[string]int{"DescribeTaskDefinition": 2, "RegisterTaskDefinition": 2},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 2},
			check:     schedules(map[string]string{"nightly": batch(2) + " ENABLED", "warmup": web(2) + " ENABLED"}),
		},
		{
			name:  "--only: that task alone",
			setup: synced, env: imageV2, args: []string{"scheduled", "sync", "--only", "warmup"},
			stderr: "scheduled: 0 created, 1 updated, 0 unchanged\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1},
			// Both schedules are read, the one out of scope too.
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 1},
			check:     schedules(map[string]string{"nightly": batch(1) + " ENABLED", "warmup": web(2) + " ENABLED"}),
		},
		{
			name:  "--disable-all",
			setup: synced, args: []string{"scheduled", "sync", "--disable-all"},
			stderr:    "scheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       twoDescribed,
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 2},
			check:     schedules(map[string]string{"nightly": batch(1) + " DISABLED", "warmup": web(1) + " DISABLED"}),
		},
		{
			name: "after --disable-all a plain sync restores the config's states",
			setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				f.mustRun(t, "scheduled", "sync", "--disable-all")
			},
			args:      []string{"scheduled", "sync"},
			stderr:    "scheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       twoDescribed,
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 2},
			check:     schedules(enabled),
		},
		{
			name:  "an owned schedule the config no longer lists is left without --prune",
			setup: syncedWithOld, args: []string{"scheduled", "sync"},
			stderr:    "scheduled: 0 created, 0 updated, 2 unchanged; 1 owned schedule not in the config was left (--prune deletes them)\n",
			ecs:       twoDescribed,
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 3},
			check:     schedules(map[string]string{"old": batch(1) + " ENABLED"}),
		},
		{
			name:  "--prune deletes it, and nothing in another group",
			setup: syncedWithOld, args: []string{"scheduled", "sync", "--prune"},
			stderr:    "scheduled: 0 created, 0 updated, 2 unchanged, 1 deleted\n",
			ecs:       twoDescribed,
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 3, "DeleteSchedule": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				schedules(map[string]string{"old": "-"})(t, f, r)
				if got := f.sched.ScheduleNames("default"); !slices.Equal(got, []string{"old"}) {
					t.Errorf("default group: %v, want [old] left alone", got)
				}
			},
		},
		{
			name:   "--prune with --only is refused before anything is read",
			args:   []string{"scheduled", "sync", "--prune", "--only", "nightly"},
			code:   1,
			stderr: "error: --prune deletes what the config does not list, so it cannot be combined with --only\n",
		},
		{
			name:   "--disable-all with --enable-all is refused",
			args:   []string{"scheduled", "sync", "--disable-all", "--enable-all"},
			code:   1,
			stderr: "error: --disable-all and --enable-all exclude each other\n",
		},
		{
			name:  "--prune in the account's default group is refused",
			files: map[string]string{"tamp.yaml": strings.Replace(batchProject["tamp.yaml"], "group: app", "group: default", 1)},
			args:  []string{"scheduled", "sync", "--prune"},
			code:  1,
			stderr: "error: $DIR/tamp.yaml: scheduled.group is the account's shared default group; --prune would delete other schedules there, " +
				"so it is refused: give the config a group of its own\nnothing was changed in AWS\n",
		},
		{
			name:  "a bad schedule expression: nothing is asked of AWS",
			files: map[string]string{"scheduled.yaml": "- name: broken\n  schedule: cron(0 16 * * *)\n"},
			args:  []string{"scheduled", "sync"},
			code:  1,
			stderr: "error: $DIR/scheduled.yaml:2: scheduled task broken: schedule: cron(0 16 * * *): AWS cron expressions have 6 fields " +
				"(minutes hours day-of-month month day-of-week year), this has 5\nnothing was changed in AWS\n",
		},
		{
			name: "a write AWS refuses: exit 1, the others still written",
			setup: func(t *testing.T, f *fakeClients) {
				f.sched.FailAfter("CreateSchedule", 1, &stypes.ValidationException{Message: aws.String("invalid role")})
			},
			args:   []string{"scheduled", "sync", "--concurrency", "1"},
			code:   1,
			stderr: "scheduled: 1 created, 0 updated, 0 unchanged\nerror: schedule warmup: ValidationException: invalid role\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 2, "RegisterTaskDefinition": 2},
			scheduler: map[string]int{"GetScheduleGroup": 1, "CreateScheduleGroup": 1, "ListSchedules": 1,
				"CreateSchedule": 2},
			check: schedules(map[string]string{"nightly": batch(1) + " ENABLED", "warmup": "-"}),
		},
	})
}

func TestScheduledSyncEvents(t *testing.T) {
	runCases(t, eventsProject, imageV1, []cmdCase{
		{
			name:   "from nothing: a rule and tamp's target each, tagged with the group",
			args:   []string{"scheduled", "sync"},
			stderr: "scheduled: 2 created, 0 updated, 0 unchanged\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 2, "RegisterTaskDefinition": 2},
			events: map[string]int{"ListRules": 1, "PutRule": 2, "PutTargets": 2},
			check: func(t *testing.T, f *fakeClients, r result) {
				for _, name := range []string{"nightly", "warmup"} {
					if tags := f.events.Tags(name); tags["tamp:group"] != "app" {
						t.Errorf("rule %s tags %v, want tamp:group=app", name, tags)
					}
					if targets := f.events.Targets(name); len(targets) != 1 || aws.ToString(targets[0].Id) != "tamp" {
						t.Errorf("rule %s targets %+v, want tamp's alone", name, targets)
					}
				}
			},
		},
		{
			name:  "nothing changed: N + 2 calls, no writes",
			setup: synced, args: []string{"scheduled", "sync"},
			stderr: "scheduled: 0 created, 0 updated, 2 unchanged\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 2},
			events: map[string]int{"ListRules": 1, "ListTargetsByRule": 2},
		},
		{
			name:  "a time zone is refused on the events backend",
			files: map[string]string{"scheduled.yaml": batchProject["scheduled.yaml"]},
			args:  []string{"scheduled", "sync"},
			code:  1,
			stderr: "error: $DIR/scheduled.yaml:3: scheduled task nightly: timezone: is for EventBridge Scheduler (backend: scheduler); " +
				"EventBridge rules run in UTC with no window or dates\nnothing was changed in AWS\n",
		},
		{
			name:  "dump --prefix: the rules as a list file",
			setup: synced, args: []string{"scheduled", "dump", "--prefix", "n"},
			stdout: `- name: nightly
  schedule: cron(0 16 * * ? *)
  task_definition: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:1
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
  role_arn: arn:aws:iam::123456789012:role/scheduler
`,
			events: map[string]int{"ListRules": 1, "ListTargetsByRule": 1},
		},
	})
}

func TestScheduledDiff(t *testing.T) {
	readOnly := map[string]int{"ListSchedules": 1, "GetSchedule": 2}
	twoDescribed := map[string]int{"DescribeTaskDefinition": 2}
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:   "nothing in AWS yet: everything to create; --exit-code 2",
			args:   []string{"scheduled", "diff", "--exit-code"},
			code:   2,
			stdout: createNightly + createWarmup,
			ecs:    twoDescribed, scheduler: map[string]int{"GetScheduleGroup": 1, "ListSchedules": 1},
		},
		{
			name:  "in sync: nothing printed; --exit-code 0",
			setup: synced, args: []string{"scheduled", "diff", "--exit-code"},
			ecs: twoDescribed, scheduler: readOnly,
		},
		{
			name:  "a new image: exit 0 without --exit-code",
			setup: synced, env: imageV2, args: []string{"scheduled", "diff", "--format", "json"},
			stdout: `{
  "changes": [
    {
      "resource": "schedule nightly",
      "action": "update",
      "fields": [
        "task_definition"
      ]
    },
    {
      "resource": "schedule warmup",
      "action": "update",
      "fields": [
        "task_definition"
      ]
    }
  ],
  "summary": {
    "create": 0,
    "delete": 0,
    "unchanged": 0,
    "update": 2
  }
}
`,
			ecs: twoDescribed, scheduler: readOnly,
		},
		{
			name:  "--output json is --format json",
			setup: synced, env: imageV2, args: []string{"scheduled", "diff", "--only", "warmup", "--output", "json", "--exit-code"},
			code: 2,
			stdout: `{
  "changes": [
    {
      "resource": "schedule warmup",
      "action": "update",
      "fields": [
        "task_definition"
      ]
    }
  ],
  "summary": {
    "create": 0,
    "delete": 0,
    "unchanged": 0,
    "update": 1
  }
}
`,
			ecs: map[string]int{"DescribeTaskDefinition": 1}, scheduler: readOnly,
		},
		{
			name:  "markdown",
			setup: synced, env: imageV2, args: []string{"scheduled", "diff", "--format", "markdown"},
			stdout: "**tamp diff**: 0 to create, 2 to update, 0 unchanged\n\n" +
				"<details><summary>update schedule nightly</summary>\n\n" +
				"```diff\n" +
				"--- schedule nightly (AWS)\n" +
				"+++ schedule nightly (config)\n" +
				"@@ -2,7 +2,7 @@\n" +
				"   \"name\": \"nightly\",\n" +
				"   \"schedule\": \"cron(0 16 * * ? *)\",\n" +
				"   \"timezone\": \"Asia/Tokyo\",\n" +
				"-  \"task_definition\": \"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:1\",\n" +
				"+  \"task_definition\": \"batch:(new revision)\",\n" +
				"   \"container_overrides\": [\n" +
				"     {\n" +
				"       \"command\": [\n" +
				"```\n\n" +
				"</details>\n\n" +
				"<details><summary>update schedule warmup</summary>\n\n" +
				"```diff\n" +
				"--- schedule warmup (AWS)\n" +
				"+++ schedule warmup (config)\n" +
				"@@ -2,7 +2,7 @@\n" +
				"   \"name\": \"warmup\",\n" +
				"   \"schedule\": \"rate(1 hour)\",\n" +
				"   \"timezone\": \"UTC\",\n" +
				"-  \"task_definition\": \"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1\",\n" +
				"+  \"task_definition\": \"web:(new revision)\",\n" +
				"   \"task_count\": 1,\n" +
				"   \"launch_type\": \"FARGATE\",\n" +
				"   \"network_configuration\": {\n" +
				"```\n\n" +
				"</details>\n",
			ecs: twoDescribed, scheduler: readOnly,
		},
		{
			name:  "an owned schedule the config no longer lists shows as a deletion",
			setup: syncedWithOld, args: []string{"scheduled", "diff", "--exit-code"},
			code: 2,
			stdout: `--- schedule old (AWS)
+++ /dev/null
@@ -1,16 +0,0 @@
-{
-  "name": "old",
-  "schedule": "rate(1 day)",
-  "timezone": "UTC",
-  "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:1",
-  "task_count": 1,
-  "retry_policy": {
-    "maximum_event_age_seconds": 86400,
-    "maximum_retry_attempts": 185
-  },
-  "role_arn": "arn:aws:iam::123456789012:role/scheduler",
-  "cluster_arn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/app",
-  "flexible_time_window": {
-    "mode": "OFF"
-  }
-}
`,
			ecs: twoDescribed, scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 3},
		},
		{
			name:  "a task the config does not declare, by --only",
			setup: synced, args: []string{"scheduled", "diff", "--only", "nightlx"},
			code:   1,
			stderr: "error: --only: nothing named nightlx in $DIR/tamp.yaml; names in the config: web, batch, nightly, warmup\nnothing was changed in AWS\n",
		},
	})
}

func TestScheduledList(t *testing.T) {
	// at() and rate() only: the next run of a cron() depends on today.
	files := map[string]string{"scheduled.yaml": `- name: xmas
  schedule: at(2099-12-24T18:00:00)
  timezone: Asia/Tokyo
- name: warmup
  schedule: rate(1 hour)
  disabled: true
  task_definition: web
`}
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:  "text",
			files: files, args: []string{"scheduled", "list"},
			stdout: "NAME    SCHEDULE                 TIME ZONE   STATE     TASK DEFINITION       NEXT RUN\n" +
				"xmas    at(2099-12-24T18:00:00)  Asia/Tokyo  ENABLED   batch:(new revision)  2099-12-24T18:00:00+09:00\n" +
				"warmup  rate(1 hour)             UTC         DISABLED  web:(new revision)    -\n",
			ecs: map[string]int{"DescribeTaskDefinition": 2},
		},
		{
			name:  "the revision a sync would use, once registered",
			files: files, setup: synced, args: []string{"scheduled", "list"},
			stdout: "NAME    SCHEDULE                 TIME ZONE   STATE     TASK DEFINITION  NEXT RUN\n" +
				"xmas    at(2099-12-24T18:00:00)  Asia/Tokyo  ENABLED   batch:1          2099-12-24T18:00:00+09:00\n" +
				"warmup  rate(1 hour)             UTC         DISABLED  web:1            -\n",
			ecs: map[string]int{"DescribeTaskDefinition": 2},
		},
		{
			name:  "json, --only",
			files: files, args: []string{"scheduled", "list", "--output", "json", "--only", "xmas"},
			stdout: `{
  "scheduled_tasks": [
    {
      "name": "xmas",
      "schedule": "at(2099-12-24T18:00:00)",
      "timezone": "Asia/Tokyo",
      "state": "ENABLED",
      "task_definition": "batch:(new revision)",
      "next_run": "2099-12-24T18:00:00+09:00"
    }
  ]
}
`,
			ecs: map[string]int{"DescribeTaskDefinition": 1},
		},
	})
}

func TestScheduledDump(t *testing.T) {
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:  "the group's schedules as a list file",
			setup: synced, args: []string{"scheduled", "dump"},
			stdout: `- name: nightly
  schedule: cron(0 16 * * ? *)
  timezone: Asia/Tokyo
  task_definition: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:1
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
  role_arn: arn:aws:iam::123456789012:role/scheduler
- name: warmup
  schedule: rate(1 hour)
  task_definition: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1
  launch_type: FARGATE
  network_configuration:
    awsvpcConfiguration:
      subnets:
      - subnet-a
      assignPublicIp: DISABLED
      securityGroups:
      - sg-a
  role_arn: arn:aws:iam::123456789012:role/scheduler
`,
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
		{
			name:  "a config without a scheduled block",
			files: map[string]string{"tamp.yaml": webProject["tamp.yaml"]},
			args:  []string{"scheduled", "dump"},
			code:  1,
			stderr: "error: $DIR/tamp.yaml: scheduled dump needs a scheduled block naming the backend (and, for scheduler, the group)\n" +
				"nothing was changed in AWS\n",
		},
	})
}

func TestScheduledRun(t *testing.T) {
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name: "runs what the schedule passes, prints the log, exits with the container's code",
			setup: func(t *testing.T, f *fakeClients) {
				f.ecs.SetTaskRun("batch", fakeaws.TaskRun{ExitCode: 4})
				// The first task the fake starts has ID 1.
				f.logs.Append("/ecs/batch", "batch/app/00000000000000000000000000000001", "nightly batch", "done")
			},
			args:   []string{"scheduled", "run", "nightly"},
			code:   4,
			stdout: "nightly batch\ndone\n",
			stderr: "started arn:aws:ecs:ap-northeast-1:123456789012:task/app/00000000000000000000000000000001\n" +
				"error: task 00000000000000000000000000000001: container app exited with code 4\n",
			ecs:  map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1},
			logs: map[string]int{"GetLogEvents": 3},
		},
		{
			name:   "--no-wait: the task ARN on stdout",
			args:   []string{"scheduled", "run", "nightly", "--no-wait"},
			stdout: "arn:aws:ecs:ap-northeast-1:123456789012:task/app/00000000000000000000000000000001\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1},
		},
		{
			name:   "a task the config does not declare: nothing is asked of AWS",
			args:   []string{"scheduled", "run", "nightlx"},
			code:   1,
			stderr: "error: scheduled run: no scheduled task named nightlx; the config has nightly, warmup\nnothing was changed in AWS\n",
		},
	})
}
