package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// logsProject is webProject with two containers that log with awslogs.
var logsProject = withFiles(webProject, map[string]string{
	"web-task.json": `{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [
  {"name": "app", "image": "busybox:{{ must_env ` + "`IMAGE_TAG`" + ` }}", "portMappings": [{"containerPort": 80}],
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "web"}}},
  {"name": "sidecar", "image": "busybox:1", "essential": false,
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "web"}}},
  {"name": "nolog", "image": "busybox:1", "essential": false}]}
`,
})

const logsSince = "2026-01-01T00:00:00Z"

// logsScene: web's task 1 (web:1, from 03:00 UTC) and a web:1 task that
// stopped at 03:00, each with lines in their containers' streams.
func logsScene(t *testing.T, f *fakeClients) {
	f.ecs.SetNow(func() time.Time { return tasksT0 })
	f.mustRun(t, "deploy")
	f.mustRun(t, "tasks")
	old := seededTask("0000000000000000000000000000c0de", 1, tasksT0.Add(-time.Hour))
	old.LastStatus, old.DesiredStatus, old.StoppedAt = aws.String("STOPPED"), aws.String("STOPPED"), aws.Time(tasksT0)
	old.Containers[0].LastStatus, old.Containers[0].ExitCode = aws.String("STOPPED"), aws.Int32(0)
	f.ecs.AddTask(old)
	at := func(d time.Duration, stream string, lines ...string) {
		f.logs.SetNow(func() time.Time { return tasksT0.Add(d) })
		f.logs.Append("/ecs/web", stream, lines...)
	}
	running := "00000000000000000000000000000001"
	at(-time.Minute, "web/app/0000000000000000000000000000c0de", "old task: draining")
	at(500*time.Millisecond, "web/sidecar/"+running, "sidecar up")
	at(time.Second, "web/app/"+running, "listening on :80")
	at(2*time.Second, "web/sidecar/"+running, "sync ok")
	at(2*time.Second, "web/app/"+running, "GET / 200", "GET /health 200")
}

func TestLogsGolden(t *testing.T) {
	inTokyo(t)
	t.Run("text", func(t *testing.T) {
		f := runGoldenStderr(t, logsProject, imageV1, logsScene, "logs.txt", nolog, "logs", "--since", logsSince)
		checkCalls(t, "CloudWatch Logs", f.logs.CallCounts(), map[string]int{"GetLogEvents": 7}) // a stream with lines is read to its end: a second call
	})
	t.Run("json", func(t *testing.T) {
		runGoldenStderr(t, logsProject, imageV1, logsScene, "logs.json", nolog, "logs", "--since", logsSince, "--output", "json")
	})
}

const nolog = "logs: container nolog of web:1 does not log with awslogs and a stream prefix; its lines are not shown\n"

func TestLogs(t *testing.T) {
	inTokyo(t)
	runCases(t, logsProject, imageV1, []cmdCase{
		{
			name: "--container", setup: logsScene, args: []string{"logs", "--since", logsSince, "--container", "sidecar"},
			stdout: "2026-01-02 12:00:00.500 00000000000000000000000000000001 sidecar | sidecar up\n" +
				"2026-01-02 12:00:02.000 00000000000000000000000000000001 sidecar | sync ok\n",
			ecs:  map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 2, "DescribeTaskDefinition": 1},
			logs: map[string]int{"GetLogEvents": 3},
		},
		{
			name: "--task: one task's lines; --since cuts earlier ones", setup: logsScene,
			args:   []string{"logs", "--task", "00000000000000000000000000000001", "--container", "app", "--since", "2026-01-02T03:00:01.5Z"},
			stdout: "2026-01-02 12:00:02.000 00000000000000000000000000000001 app | GET / 200\n2026-01-02 12:00:02.000 00000000000000000000000000000001 app | GET /health 200\n",
			ecs:    map[string]int{"DescribeTasks": 1, "DescribeTaskDefinition": 1},
			logs:   map[string]int{"GetLogEvents": 2},
		},
		{
			name: "a container no revision has", setup: logsScene, args: []string{"logs", "--since", logsSince, "--container", "ap"},
			code: 1,
			stderr: "error: --container ap: the tasks' task definitions have no container of that name; they have app, nolog, sidecar\n" +
				"nothing was changed in AWS\n",
			ecs: map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 2, "DescribeTaskDefinition": 1},
		},
		{
			name: "an unknown task", setup: logsScene, args: []string{"logs", "--task", "ffff"},
			code:   1,
			stderr: "error: --task ffff: no such task in cluster app (ECS shows stopped tasks for about an hour)\nnothing was changed in AWS\n",
			ecs:    map[string]int{"DescribeTasks": 1},
		},
		{
			name: "a bad --since", args: []string{"logs", "--since", "yesterday"},
			code:   1,
			stderr: "error: --since \"yesterday\": give a duration (10m, 2h) or a time (2026-01-02T15:04:05+09:00)\n",
		},
		{
			name: "no tasks", setup: func(t *testing.T, f *fakeClients) {
				f.ecs.AddService("app", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String(web(1))})
			},
			args:   []string{"logs"},
			stderr: "logs: no running or recently stopped task to read (ECS shows stopped tasks for about an hour)\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTasks": 2},
		},
	})
}

// logs --follow --output json writes JSON Lines: each line an object of
// its own as it is read, no document around them. Ctrl-C ends it.
func TestLogsFollowJSON(t *testing.T) {
	inTokyo(t)
	dir := project(t, logsProject)
	t.Setenv("IMAGE_TAG", "v1")
	t.Setenv("NO_COLOR", "")
	f := newFakeClients()
	f.dir = dir
	logsScene(t, f)
	f.resetCalls()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// The first read: the sidecar's stream to its end, the old task's
		// that does not exist. Then a new line, read after the pause.
		for f.logs.Calls("GetLogEvents") < 3 {
			time.Sleep(time.Millisecond)
		}
		f.logs.SetNow(func() time.Time { return tasksT0.Add(3 * time.Second) })
		f.logs.Append("/ecs/web", "web/sidecar/00000000000000000000000000000001", "sync again")
		for f.logs.Calls("GetLogEvents") < 6 {
			time.Sleep(time.Millisecond)
		}
		cancel() // Ctrl-C
	}()
	r := f.runCtx(ctx, t, false, "logs", "--follow", "--output", "json", "--since", logsSince, "--container", "sidecar")
	r.check(t, 130,
		`{"at":"2026-01-02T03:00:00.5Z","task":"00000000000000000000000000000001","container":"sidecar","message":"sidecar up"}`+"\n"+
			`{"at":"2026-01-02T03:00:02Z","task":"00000000000000000000000000000001","container":"sidecar","message":"sync ok"}`+"\n"+
			`{"at":"2026-01-02T03:00:03Z","task":"00000000000000000000000000000001","container":"sidecar","message":"sync again"}`+"\n",
		"error: interrupted\n")
	for _, line := range strings.SplitAfter(r.stdout, "\n") {
		if line == "" {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil || !strings.HasSuffix(line, "}\n") {
			t.Errorf("line %q is not one JSON object: %v", line, err)
		}
	}
	checkCalls(t, "ECS", f.ecs.CallCounts(), map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 2, "DescribeTaskDefinition": 1})
	checkCalls(t, "CloudWatch Logs", f.logs.CallCounts(), map[string]int{"GetLogEvents": 6})
}

// batchRun is a stopped task of batch:1 that startedBy started, with its
// log lines.
func batchRun(f *fakeClients, id, startedBy string, at time.Time, exit int32, lines ...string) {
	batchRunIn(f, id, startedBy, "family:batch", at, exit, lines...)
}

// batchRunIn is batchRun with the task in task group group.
func batchRunIn(f *fakeClients, id, startedBy, group string, at time.Time, exit int32, lines ...string) {
	task := seededTask(id, 1, at)
	task.TaskDefinitionArn, task.Group, task.StartedBy = aws.String(batch(1)), aws.String(group), aws.String(startedBy)
	task.LastStatus, task.DesiredStatus, task.StoppedAt = aws.String("STOPPED"), aws.String("STOPPED"), aws.Time(at.Add(time.Minute))
	task.StopCode, task.StoppedReason = types.TaskStopCodeEssentialContainerExited, aws.String("Essential container in task exited")
	task.Containers[0].LastStatus, task.Containers[0].ExitCode = aws.String("STOPPED"), aws.Int32(exit)
	f.ecs.AddTask(task)
	f.logs.SetNow(func() time.Time { return at.Add(time.Second) })
	f.logs.Append("/ecs/batch", "batch/app/"+id, lines...)
}

func TestScheduledLogs(t *testing.T) {
	inTokyo(t)
	scene := func(t *testing.T, f *fakeClients) {
		synced(t, f)
		batchRun(f, "000000000000000000000000000000a1", "chronos-schedule/nightly", tasksT0, 0, "nightly: 10 rows")
		batchRun(f, "000000000000000000000000000000a2", "chronos-schedule/nightly", tasksT0.Add(24*time.Hour), 1, "nightly: failed")
		batchRun(f, "000000000000000000000000000000b1", "tamp", tasksT0.Add(time.Hour), 0, "a run by hand")
		batchRun(f, "000000000000000000000000000000c1", "events-rule/nightly-other", tasksT0.Add(2*time.Hour), 0, "another schedule's")
	}
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name: "its runs, newest first, then their lines", setup: scene, args: []string{"scheduled", "logs", "nightly", "--since", logsSince},
			stdout: "scheduled task nightly: 2 runs (ECS shows stopped tasks for about an hour)\n" +
				"  TASK                              REVISION  STATUS   HEALTH   STARTED              STOPPED              ZONE             IP         EXIT\n" +
				"  000000000000000000000000000000a2  batch:1   STOPPED  UNKNOWN  2026-01-03 12:00:00  2026-01-03 12:01:00  ap-northeast-1c  10.0.2.99  app=1\n" +
				"    stopped: EssentialContainerExited: Essential container in task exited\n" +
				"  000000000000000000000000000000a1  batch:1   STOPPED  UNKNOWN  2026-01-02 12:00:00  2026-01-02 12:01:00  ap-northeast-1c  10.0.2.99  app=0\n" +
				"    stopped: EssentialContainerExited: Essential container in task exited\n" +
				"\n" +
				"2026-01-02 12:00:01.000 000000000000000000000000000000a1 app | nightly: 10 rows\n" +
				"2026-01-03 12:00:01.000 000000000000000000000000000000a2 app | nightly: failed\n",
			ecs:       map[string]int{"DescribeTaskDefinition": 1, "ListTasks": 2, "DescribeTasks": 1},
			scheduler: map[string]int{"GetSchedule": 1},
			logs:      map[string]int{"GetLogEvents": 4},
		},
		{
			name: "a schedule the config does not own", setup: scene, args: []string{"scheduled", "logs", "ghost"},
			code:      1,
			stderr:    "error: no schedule ghost in schedule group app, which is what the config owns; schedules of other groups are never touched\nnothing was changed in AWS\n",
			scheduler: map[string]int{"GetSchedule": 1},
		},
	})
}

// TestScheduledLogsMatching: which tasks are a schedule's runs. Its
// startedBy names it (events-rule/NAME for a rule, chronos-schedule/NAME
// for a schedule, cut to the 36 characters ECS keeps), or it is in the
// task group the scheduled task sets, unless another scheduled task of
// the config sets that group too.
func TestScheduledLogsMatching(t *testing.T) {
	inTokyo(t)
	header := "  TASK                              REVISION  STATUS   HEALTH   STARTED              STOPPED              ZONE             IP         EXIT\n"
	run := func(id, started, stopped string, exit int) string {
		return fmt.Sprintf("  %s  batch:1   STOPPED  UNKNOWN  %s  %s  ap-northeast-1c  10.0.2.99  app=%d\n", id, started, stopped, exit) +
			"    stopped: EssentialContainerExited: Essential container in task exited\n"
	}
	runCases(t, eventsProject, imageV1, []cmdCase{
		{
			name: "a rule's runs: startedBy events-rule/NAME",
			setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				batchRun(f, "000000000000000000000000000000a1", "events-rule/nightly", tasksT0, 0, "nightly by its rule")
				batchRun(f, "000000000000000000000000000000c1", "events-rule/nightly-other", tasksT0.Add(time.Hour), 0, "another rule's")
				batchRun(f, "000000000000000000000000000000b1", "tamp", tasksT0.Add(2*time.Hour), 0, "a run by hand")
			},
			args: []string{"scheduled", "logs", "nightly", "--since", logsSince},
			stdout: "scheduled task nightly: 1 run (ECS shows stopped tasks for about an hour)\n" + header +
				run("000000000000000000000000000000a1", "2026-01-02 12:00:00", "2026-01-02 12:01:00", 0) +
				"\n" +
				"2026-01-02 12:00:01.000 000000000000000000000000000000a1 app | nightly by its rule\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "ListTasks": 2, "DescribeTasks": 1},
			events: map[string]int{"ListRules": 1, "ListTagsForResource": 1, "ListTargetsByRule": 1},
			logs:   map[string]int{"GetLogEvents": 2},
		},
	})
	grouped := withFiles(batchProject, map[string]string{"scheduled.yaml": `- name: nightly
  schedule: cron(0 16 * * ? *)
  timezone: Asia/Tokyo
  command: [bin/batch, nightly]
  group: nightly-runs
- name: warmup
  schedule: rate(1 hour)
  task_definition: web
`})
	runCases(t, grouped, imageV1, []cmdCase{
		{
			name: "a task in the scheduled task's group is a run, whoever started it",
			setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				batchRunIn(f, "000000000000000000000000000000a1", "someone", "nightly-runs", tasksT0, 0, "nightly by hand, in its group")
				batchRun(f, "000000000000000000000000000000b1", "tamp", tasksT0.Add(time.Hour), 0, "a run by hand")
			},
			args: []string{"scheduled", "logs", "nightly", "--since", logsSince},
			stdout: "scheduled task nightly: 1 run (ECS shows stopped tasks for about an hour)\n" + header +
				run("000000000000000000000000000000a1", "2026-01-02 12:00:00", "2026-01-02 12:01:00", 0) +
				"\n" +
				"2026-01-02 12:00:01.000 000000000000000000000000000000a1 app | nightly by hand, in its group\n",
			ecs:       map[string]int{"DescribeTaskDefinition": 1, "ListTasks": 2, "DescribeTasks": 1},
			scheduler: map[string]int{"GetSchedule": 1},
			logs:      map[string]int{"GetLogEvents": 2},
		},
		{
			name:  "a group two scheduled tasks set tells their runs apart no more",
			files: map[string]string{"scheduled.yaml": strings.Replace(grouped["scheduled.yaml"], "task_definition: web\n", "task_definition: web\n  group: nightly-runs\n", 1)},
			setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				batchRunIn(f, "000000000000000000000000000000a1", "someone", "nightly-runs", tasksT0, 0, "in the shared group")
			},
			args:      []string{"scheduled", "logs", "nightly", "--since", logsSince},
			stdout:    "scheduled task nightly: no run (ECS shows stopped tasks for about an hour)\n\n",
			stderr:    "logs: no running or recently stopped task to read (ECS shows stopped tasks for about an hour)\n",
			ecs:       map[string]int{"ListTasks": 2, "DescribeTasks": 1},
			scheduler: map[string]int{"GetSchedule": 1},
		},
	})
	// ECS keeps 36 characters of startedBy: chronos-schedule/ and the
	// name's first 19.
	long := "nightly-report-for-finance"
	longProject := withFiles(batchProject, map[string]string{"scheduled.yaml": strings.Replace(batchProject["scheduled.yaml"], "name: nightly\n", "name: "+long+"\n", 1)})
	runCases(t, longProject, imageV1, []cmdCase{
		{
			name: "a long name: startedBy cut to 36 characters",
			setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				batchRun(f, "000000000000000000000000000000a1", ("chronos-schedule/" + long)[:36], tasksT0, 0, "the report")
				batchRun(f, "000000000000000000000000000000c1", "chronos-schedule/nightly-report", tasksT0.Add(time.Hour), 0, "a shorter name's")
			},
			args: []string{"scheduled", "logs", long, "--since", logsSince},
			stdout: "scheduled task " + long + ": 1 run (ECS shows stopped tasks for about an hour)\n" + header +
				run("000000000000000000000000000000a1", "2026-01-02 12:00:00", "2026-01-02 12:01:00", 0) +
				"\n" +
				"2026-01-02 12:00:01.000 000000000000000000000000000000a1 app | the report\n",
			ecs:       map[string]int{"DescribeTaskDefinition": 1, "ListTasks": 2, "DescribeTasks": 1},
			scheduler: map[string]int{"GetSchedule": 1},
			logs:      map[string]int{"GetLogEvents": 2},
		},
	})
}
