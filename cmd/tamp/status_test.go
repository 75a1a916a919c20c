package main

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// inTokyo makes the local time zone Asia/Tokyo for the test: status
// prints times in local time, and a fixed zone other than UTC shows that
// they are converted.
func inTokyo(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = tokyo
	t.Cleanup(func() { time.Local = saved })
}

// deployedAtFixedTime is web deployed at v1 with the fake stamping
// deployments and events 2026-01-02T03:04:05Z.
func deployedAtFixedTime(t *testing.T, f *fakeClients) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.ecs.SetNow(func() time.Time { return at })
	deployedV1(t, f)
}

func TestStatus(t *testing.T) {
	inTokyo(t)
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:  "text, on stdout",
			setup: deployedAtFixedTime, args: []string{"status"},
			stdout: "service web: ACTIVE, task definition web:1, desired 1 running 1 pending 0\n" +
				"  deployment PRIMARY web:1 COMPLETED: desired 1 running 1 pending 0 failed 0, since 2026-01-02 12:04:05\n" +
				"  2026-01-02 12:04:05 (service web) has reached a steady state.\n",
			ecs: map[string]int{"DescribeServices": 1},
		},
		{
			name:  "json",
			setup: deployedAtFixedTime, args: []string{"status", "--output", "json", "--events", "1"},
			stdout: `{
  "services": [
    {
      "name": "web",
      "exists": true,
      "status": "ACTIVE",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      "desired": 1,
      "running": 1,
      "pending": 0,
      "deployments": [
        {
          "id": "ecs-svc/1",
          "status": "PRIMARY",
          "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
          "rollout_state": "COMPLETED",
          "desired": 1,
          "running": 1,
          "pending": 0,
          "failed": 0,
          "created_at": "2026-01-02T03:04:05Z"
        }
      ],
      "events": [
        {
          "at": "2026-01-02T03:04:05Z",
          "message": "(service web) has reached a steady state."
        }
      ],
      "deployment_controller": "ECS"
    }
  ]
}
`,
			ecs: map[string]int{"DescribeServices": 1},
		},
		{
			name:   "a service that does not exist yet",
			args:   []string{"status"},
			stdout: "service web: does not exist (deploy creates it)\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
		{
			name:   "a config without services",
			files:  map[string]string{"tamp.yaml": "region: ap-northeast-1\ncluster: app\ntask_definitions:\n  - name: web\n    path: web-task.json\n"},
			args:   []string{"status"},
			code:   1,
			stderr: "error: $DIR/tamp.yaml: no services in scope\nnothing was changed in AWS\n",
		},
	})
}

func TestScale(t *testing.T) {
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:  "sets the count and waits until it runs",
			setup: deployedV1, args: []string{"scale", "--tasks", "2"},
			stderr: "HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 2 pending 0 running 2 failed 0\n" +
				"web: scaled to 2\n",
			ecs: map[string]int{"UpdateService": 1, "DescribeServices": 2},
			check: func(t *testing.T, f *fakeClients, r result) {
				up := f.ecs.LastUpdate()
				if up == nil || aws.ToInt32(up.DesiredCount) != 2 || up.TaskDefinition != nil {
					t.Errorf("UpdateService %+v, want desiredCount 2 alone", up)
				}
			},
		},
		{
			name:  "--no-wait",
			setup: deployedV1, args: []string{"scale", "--tasks", "2", "--no-wait"},
			stderr: "web: scaled to 2\n",
			ecs:    map[string]int{"UpdateService": 1},
		},
		{
			name:  "a negative count is refused before anything is asked",
			setup: deployedV1, args: []string{"scale", "--tasks=-1"},
			code:   1,
			stderr: "error: --tasks takes a number of 0 or more\n",
		},
		{
			name:   "--tasks is required",
			args:   []string{"scale"},
			code:   1,
			stderr: "error: missing flags: --tasks=N\n",
		},
	})
}

func TestWait(t *testing.T) {
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:  "a deployment that is done",
			setup: deployedV1, args: []string{"wait"},
			stderr: "HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
				"web: deployed\n",
			ecs: map[string]int{"DescribeServices": 2},
		},
		{
			name:  "on a terminal",
			setup: deployedV1, args: []string{"wait", "--color", "never"}, tty: true,
			stderr: "HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"\r\x1b[Kweb: web:1 COMPLETED desired 1 pending 0 running 1 failed 0" +
				"\r\x1b[Kweb: deployed\n",
			ecs: map[string]int{"DescribeServices": 2},
		},
		{
			name: "a deployment that never ends: exit 4",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
				t.Setenv("IMAGE_TAG", "v2")
				f.mustRun(t, "deploy", "--no-wait")
			},
			args: []string{"wait", "--timeout", "700ms"}, // see TestDeploy's timeout
			code: 4,
			stderr: "HH:MM:SS web: web:2 IN_PROGRESS desired 1 pending 1 running 1 failed 0\n" +
				"error: service web: still not done after 1s (web:2 IN_PROGRESS, running 1 of 1); " +
				"the deployment goes on in AWS: follow it with `tamp wait` or `tamp status`\n",
			ecs: map[string]int{"DescribeServices": 2},
		},
		{
			name:   "a service that does not exist",
			args:   []string{"wait"},
			code:   1,
			stderr: "error: service web does not exist or has no deployment in cluster app\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
	})
}
