package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

var tasksT0 = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)

// seededTask is a task of service web started before the test, named by a
// fixed ID.
func seededTask(id string, rev int32, started time.Time) types.Task {
	arn := "arn:aws:ecs:ap-northeast-1:123456789012:task/app/" + id
	return types.Task{
		TaskArn: aws.String(arn), ClusterArn: aws.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/app"),
		TaskDefinitionArn: aws.String(web(rev)), Group: aws.String("service:web"), StartedBy: aws.String("ecs-svc/0"),
		LastStatus: aws.String("RUNNING"), DesiredStatus: aws.String("RUNNING"), HealthStatus: types.HealthStatusUnknown,
		AvailabilityZone: aws.String("ap-northeast-1c"), CreatedAt: aws.Time(started), StartedAt: aws.Time(started),
		Attachments: []types.Attachment{{Type: aws.String("ElasticNetworkInterface"),
			Details: []types.KeyValuePair{{Name: aws.String("privateIPv4Address"), Value: aws.String("10.0.2.99")}}}},
		Containers: []types.Container{{Name: aws.String("app"), LastStatus: aws.String("RUNNING"), TaskArn: aws.String(arn)}},
	}
}

// tasksScene: web deployed at web:1 at 03:00 UTC (its task replaced at
// 04:00 by web:2's), a web:2 task that ran out of memory at 04:30, and a
// web:1 task still running, left from before.
func tasksScene(t *testing.T, f *fakeClients) {
	f.ecs.SetNow(func() time.Time { return tasksT0 })
	f.mustRun(t, "deploy")
	f.mustRun(t, "tasks")
	f.ecs.SetNow(func() time.Time { return tasksT0.Add(time.Hour) })
	t.Setenv("IMAGE_TAG", "v2")
	f.mustRun(t, "deploy")
	f.mustRun(t, "tasks")
	crashed := seededTask("0000000000000000000000000000c0de", 2, tasksT0.Add(75*time.Minute))
	crashed.LastStatus, crashed.DesiredStatus = aws.String("STOPPED"), aws.String("STOPPED")
	crashed.StopCode, crashed.StoppedReason = types.TaskStopCodeEssentialContainerExited, aws.String("Essential container in task exited")
	crashed.StoppedAt = aws.Time(tasksT0.Add(90 * time.Minute))
	crashed.Containers[0].LastStatus, crashed.Containers[0].ExitCode = aws.String("STOPPED"), aws.Int32(137)
	crashed.Containers[0].Reason = aws.String("OutOfMemoryError: Container killed due to memory usage")
	f.ecs.AddTask(crashed)
	f.ecs.AddTask(seededTask("00000000000000000000000000001d1e", 1, tasksT0.Add(-time.Hour)))
}

func TestTasksGolden(t *testing.T) {
	inTokyo(t)
	t.Run("text", func(t *testing.T) {
		f := runGolden(t, webProject, imageV1, tasksScene, "tasks.txt", "tasks")
		checkCalls(t, "ECS", f.ecs.CallCounts(), map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 2})
	})
	t.Run("json", func(t *testing.T) {
		runGolden(t, webProject, imageV1, tasksScene, "tasks.json", "tasks", "--output", "json")
	})
	t.Run("--stopped 0", func(t *testing.T) {
		runGolden(t, webProject, imageV1, tasksScene, "tasks-running.txt", "tasks", "--stopped", "0")
	})
}

func TestTasksStop(t *testing.T) {
	stoppedOnly := func(ids ...string) func(t *testing.T, f *fakeClients, r result) {
		return func(t *testing.T, f *fakeClients, r result) {
			t.Helper()
			var want []string
			for _, id := range ids {
				want = append(want, "arn:aws:ecs:ap-northeast-1:123456789012:task/app/"+id)
			}
			if got := f.ecs.StoppedTasks(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("stopped %v, want %v", got, want)
			}
		}
	}
	listed := map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 2}
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name: "--stop-all-old: the web:1 task left running", setup: tasksScene, args: []string{"tasks", "--stop-all-old"},
			stderr: "web: stopped task 00000000000000000000000000001d1e (web:1)\n",
			ecs:    withCalls(listed, map[string]int{"StopTask": 1}),
			check: func(t *testing.T, f *fakeClients, r result) {
				stoppedOnly("00000000000000000000000000001d1e")(t, f, r)
				task, _ := f.ecs.Task("00000000000000000000000000001d1e")
				if aws.ToString(task.StoppedReason) != "Stopped by tamp tasks --stop" {
					t.Errorf("stopped reason %q", aws.ToString(task.StoppedReason))
				}
			},
		},
		{
			name: "--stop ID; json", setup: tasksScene, args: []string{"tasks", "--stop", fmt.Sprintf("%032x", 2), "--output", "json"},
			stdout: `{
  "stopped": [
    {
      "service": "web",
      "id": "00000000000000000000000000000002",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2"
    }
  ]
}
`,
			ecs:   withCalls(listed, map[string]int{"StopTask": 1}),
			check: stoppedOnly(fmt.Sprintf("%032x", 2)),
		},
		{
			name: "an ID that is no task of the service stops nothing", setup: tasksScene,
			args: []string{"tasks", "--stop", fmt.Sprintf("%032x", 2) + ",ffff", "--stop", "0000000000000000000000000000c0de"},
			code: 1,
			stderr: "error: --stop ffff: no task of that ID runs in service web\n" +
				"error: --stop 0000000000000000000000000000c0de: the task of service web is STOPPED already\n" +
				"nothing was changed in AWS\n",
			ecs:   listed,
			check: stoppedOnly(),
		},
		{
			name: "--stop-all-old waits for a deployment in progress", setup: func(t *testing.T, f *fakeClients) {
				tasksScene(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
				t.Setenv("IMAGE_TAG", "v3")
				f.mustRun(t, "deploy", "--no-wait")
			},
			args: []string{"tasks", "--stop-all-old"},
			code: 1,
			stderr: "error: --stop-all-old: service web has a deployment in progress, whose rollout replaces its old tasks; " +
				"follow it with `tamp wait --only web`\nnothing was changed in AWS\n",
			ecs:   listed,
			check: stoppedOnly(),
		},
		{
			name: "nothing old: nothing to stop", setup: deployedV1, args: []string{"tasks", "--stop-all-old"},
			stderr: "no task to stop\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTasks": 2, "DescribeTasks": 1},
		},
	})
}
