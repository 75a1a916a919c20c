package main

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

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
			stderr: "error: --tasks, --min and --max take a number of 0 or more\n",
		},
		{
			name:   "--tasks (or --min/--max) is required",
			args:   []string{"scale"},
			code:   1,
			stderr: "error: give --tasks N, or --min N and/or --max N for the auto scaling target\n",
		},
		{
			name:  "--min and --max change the scalable target; no desired count is set",
			setup: scaledV1, args: []string{"scale", "--min", "2", "--max", "8"},
			stderr: "web: auto scaling min 2, max 8 (was min 1, max 4)\n",
			check: func(t *testing.T, f *fakeClients, r result) {
				tg, _ := f.scale.Target("app", "web")
				if aws.ToInt32(tg.MinCapacity) != 2 || aws.ToInt32(tg.MaxCapacity) != 8 || f.ecs.Calls("UpdateService") != 0 {
					t.Errorf("target %d..%d, UpdateService %d", aws.ToInt32(tg.MinCapacity), aws.ToInt32(tg.MaxCapacity), f.ecs.Calls("UpdateService"))
				}
			},
		},
		{
			name:  "--min on a service without a scalable target: refused, nothing changed",
			setup: deployedV1, args: []string{"scale", "--min", "2"},
			code:   1,
			stderr: "error: --min/--max: web has no Application Auto Scaling target; register one (aws application-autoscaling register-scalable-target) or leave out --min/--max\n",
		},
		{
			name:  "--tasks with --suspend-auto-scaling: suspended around the change, then as it was",
			setup: scaledV1, args: []string{"scale", "--tasks", "3", "--no-wait", "--suspend-auto-scaling"},
			stderr: "web: auto scaling suspended (min 1, max 4)\n" +
				"web: auto scaling active again\n" +
				"web: scaled to 3\n",
			ecs:   map[string]int{"UpdateService": 1},
			check: suspendedThenRestored,
		},
	})
}

// scaledV1 is web deployed at web:1 with a scalable target (1 to 4, one
// target-tracking policy).
func scaledV1(t *testing.T, f *fakeClients) {
	deployedV1(t, f)
	f.scale.AddTarget("app", "web", 1, 4, "cpu-70")
}

// suspendedThenRestored checks the target was suspended in full, then
// returned to active.
func suspendedThenRestored(t *testing.T, f *fakeClients, r result) {
	t.Helper()
	states := f.scale.States()
	if len(states) != 2 || !aws.ToBool(states[0].DynamicScalingInSuspended) || !aws.ToBool(states[0].DynamicScalingOutSuspended) ||
		!aws.ToBool(states[0].ScheduledScalingSuspended) || aws.ToBool(states[1].DynamicScalingInSuspended) ||
		aws.ToBool(states[1].DynamicScalingOutSuspended) || aws.ToBool(states[1].ScheduledScalingSuspended) {
		t.Errorf("suspended states %s", jsonOf(states))
	}
}

func TestAutoScaling(t *testing.T) {
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:  "deploy --suspend-auto-scaling: suspended before the update, restored after",
			setup: scaledV1, env: imageV2, args: []string{"deploy", "--suspend-auto-scaling"},
			stderr: "web: auto scaling suspended (min 1, max 4)\n" + strings.Replace(updatedV2, "web: deployed", "web: auto scaling active again\nweb: deployed", 1),
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check:  suspendedThenRestored,
		},
		{
			name: "deploy --suspend-auto-scaling that fails: restored all the same, exit 3",
			setup: func(t *testing.T, f *fakeClients) {
				scaledV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Fail: true})
			},
			env: imageV2, args: []string{"deploy", "--suspend-auto-scaling"}, code: 3,
			stderr: "web: auto scaling suspended (min 1, max 4)\n" +
				"web: updated, deploying web:2\n" +
				"HH:MM:SS web: event: (service web) deployment ecs-svc/2 deployment failed: tasks failed to start.\n" +
				"HH:MM:SS web: web:2 FAILED desired 1 pending 1 running 0 failed 0\n" +
				"web: auto scaling active again\n" +
				"error: service web: deployment failed: ECS deployment circuit breaker: tasks failed to start. ((service web) deployment ecs-svc/2 deployment failed: tasks failed to start.) (ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)\n",
			ecs: map[string]int{"DescribeServiceDeployments": 1, "DescribeServices": 2, "DescribeTaskDefinition": 2, "ListServiceDeployments": 1,
				"RegisterTaskDefinition": 1, "UpdateService": 1},
			check: suspendedThenRestored,
		},
		{
			name:  "deploy --suspend-auto-scaling --keep-auto-scaling-suspended: left suspended; deploy --resume-auto-scaling resumes it",
			setup: scaledV1, env: imageV2, args: []string{"deploy", "--suspend-auto-scaling", "--keep-auto-scaling-suspended"},
			stderr: "web: auto scaling suspended (min 1, max 4)\n" + updatedV2,
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if st := f.scale.States(); len(st) != 1 || !aws.ToBool(st[0].DynamicScalingInSuspended) {
					t.Fatalf("states %s", jsonOf(st))
				}
				r2 := f.run(t, false, "deploy", "--resume-auto-scaling")
				if st := f.scale.States(); r2.code != 0 || len(st) != 2 || aws.ToBool(st[1].DynamicScalingInSuspended) ||
					!strings.Contains(r2.stderr, "web: auto scaling resumed\n") {
					t.Errorf("resume: exit %d %s, states %s", r2.code, r2.stderr, jsonOf(st))
				}
			},
		},
		{
			name: "a scaled service's desiredCount is the scaler's: no diff, no update, one note",
			setup: func(t *testing.T, f *fakeClients) {
				scaledV1(t, f)
				f.ecs.EditService("web", func(s *types.Service) { s.DesiredCount = 3 })
			},
			args:   []string{"diff"},
			stdout: "# service web: desiredCount 1 is left to Application Auto Scaling (min 1, max 4): deploy does not change it\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				r2 := f.run(t, false, "deploy")
				if r2.code != 0 || f.ecs.Calls("UpdateService") != 0 || r2.stderr != "web: unchanged, runs web:1\n" {
					t.Errorf("deploy: exit %d, UpdateService %d:\n%s", r2.code, f.ecs.Calls("UpdateService"), r2.stderr)
				}
			},
		},
		{
			name: "status shows the scalable target",
			setup: func(t *testing.T, f *fakeClients) {
				inTokyo(t)
				deployedAtFixedTime(t, f)
				f.scale.AddTarget("app", "web", 1, 4, "cpu-70")
			},
			args: []string{"status", "--events", "0"},
			stdout: "service web: ACTIVE, task definition web:1, desired 1 running 1 pending 0\n" +
				"  deployment PRIMARY web:1 COMPLETED: desired 1 running 1 pending 0 failed 0, since 2026-01-02 12:04:05\n" +
				"  auto scaling min 1 max 4, active, policies cpu-70\n",
			ecs: map[string]int{"DescribeServices": 1},
		},
		{
			name: "rollback --suspend-auto-scaling: suspended around the rollback, then as it was",
			setup: func(t *testing.T, f *fakeClients) {
				scaledV1(t, f)
				t.Setenv("IMAGE_TAG", "v2")
				f.mustRun(t, "deploy")
			},
			args: []string{"rollback", "--suspend-auto-scaling"},
			stderr: "web: auto scaling suspended (min 1, max 4)\n" +
				"web: updated, deploying web:1\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
				"web: auto scaling active again\n" +
				"web: rolled back web:2 -> web:1\n",
			ecs:   map[string]int{"DescribeServices": 2, "ListTaskDefinitions": 1, "UpdateService": 1},
			check: suspendedThenRestored,
		},
		{
			name:   "--keep-auto-scaling-suspended alone is refused",
			args:   []string{"deploy", "--keep-auto-scaling-suspended"},
			code:   1,
			stderr: "error: --keep-auto-scaling-suspended goes with --suspend-auto-scaling\n",
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
