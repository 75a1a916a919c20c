package main

import (
	"slices"
	"testing"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// deployedV2 is web deployed at v1 (web:1), then at v2 (web:2).
func deployedV2(t *testing.T, f *fakeClients) {
	f.mustRun(t, "deploy")
	t.Setenv("IMAGE_TAG", "v2")
	f.mustRun(t, "deploy")
}

// deregistered checks the revisions deregistered, in order.
func deregistered(arns ...string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		if got := f.ecs.Deregistered(); !slices.Equal(got, arns) {
			t.Errorf("deregistered %v, want %v", got, arns)
		}
	}
}

const rolledBackWait = "web: updated, deploying web:1\n" +
	"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
	"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n"

func TestRollback(t *testing.T) {
	rolledBack := map[string]int{"DescribeServices": 2, "ListTaskDefinitions": 1, "UpdateService": 1}
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:  "back to the previous ACTIVE revision, and waits",
			setup: deployedV2, args: []string{"rollback"},
			stderr: rolledBackWait + "web: rolled back web:2 -> web:1\n",
			ecs:    rolledBack,
			check: func(t *testing.T, f *fakeClients, r result) {
				runs(web(1), 1)(t, f, r)
				deregistered()(t, f, r)
			},
		},
		{
			name:  "on a terminal",
			setup: deployedV2, args: []string{"rollback", "--color", "never"}, tty: true,
			stderr: "web: updated, deploying web:1\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"\r\x1b[Kweb: web:1 COMPLETED desired 1 pending 0 running 1 failed 0" +
				"\r\x1b[Kweb: rolled back web:2 -> web:1\n",
			ecs: rolledBack,
		},
		{
			name:  "json",
			setup: deployedV2, args: []string{"rollback", "--output", "json"},
			stdout: `{
  "dry_run": false,
  "services": [
    {
      "name": "web",
      "from": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2",
      "to": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      "stopped_deployment": false,
      "deregistered": false
    }
  ]
}
`,
			stderr: rolledBackWait,
			ecs:    rolledBack,
		},
		{
			name:  "dry run: says what it would do, changes nothing",
			setup: deployedV2, args: []string{"rollback", "--dry-run"},
			stderr: "web: would roll back web:2 -> web:1\ndry run: nothing was changed\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTaskDefinitions": 1},
			check:  runs(web(2), 1),
		},
		{
			name:  "dry run, json",
			setup: deployedV2, args: []string{"rollback", "--dry-run", "--output", "json"},
			stdout: `{
  "dry_run": true,
  "services": [
    {
      "name": "web",
      "from": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2",
      "to": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      "stopped_deployment": false,
      "deregistered": false
    }
  ]
}
`,
			ecs: map[string]int{"DescribeServices": 1, "ListTaskDefinitions": 1},
		},
		{
			name: "--revision N",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV2(t, f)
				t.Setenv("IMAGE_TAG", "v3")
				f.mustRun(t, "deploy")
			},
			args:   []string{"rollback", "--revision", "1"},
			stderr: rolledBackWait + "web: rolled back web:3 -> web:1\n",
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 1, "UpdateService": 1},
			check:  runs(web(1), 1),
		},
		{
			name:  "--deregister-task-definition: the revision rolled back from, last",
			setup: deployedV2, args: []string{"rollback", "--deregister-task-definition"},
			stderr: rolledBackWait + "web: rolled back web:2 -> web:1\nweb: deregistered web:2\n",
			ecs: map[string]int{"DescribeServices": 3, "ListServices": 1, "ListTaskDefinitions": 1, "UpdateService": 1,
				"DeregisterTaskDefinition": 1},
			check: deregistered(web(2)),
		},
		{
			name:  "no wait",
			setup: deployedV2, args: []string{"rollback", "--no-wait"},
			stderr: "web: updated, deploying web:1\nweb: rolled back web:2 -> web:1\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTaskDefinitions": 1, "UpdateService": 1},
		},
		{
			name: "a deployment in progress is stopped with ECS's own rollback",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
				t.Setenv("IMAGE_TAG", "v2")
				f.mustRun(t, "deploy", "--no-wait")
			},
			args: []string{"rollback"},
			stderr: "web: updated, deploying web:1\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
				"web: rolled back web:2 -> web:1 (stopped the deployment in progress)\n",
			ecs:   map[string]int{"DescribeServices": 2, "ListServiceDeployments": 1, "ListTaskDefinitions": 1, "StopServiceDeployment": 1},
			check: runs(web(1), 1),
		},
		{
			name:  "nothing older to go back to",
			setup: deployedV1, args: []string{"rollback"},
			code:   1,
			stderr: "error: service web: no ACTIVE revision of web older than 1 to roll back to\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTaskDefinitions": 1},
		},
		{
			name:   "a service that does not exist",
			args:   []string{"rollback"},
			code:   1,
			stderr: "error: service web does not exist in cluster app\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
		{
			name: "the rollback's own rollout fails: exit 3",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV2(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Fail: true, NoRollback: true})
			},
			args: []string{"rollback"},
			code: 3,
			stderr: "web: updated, deploying web:1\n" +
				"HH:MM:SS web: web:1 FAILED desired 1 pending 1 running 0 failed 0\n" +
				"error: service web: deployment failed: ECS deployment circuit breaker: tasks failed to start. " +
				"(ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)\n",
			ecs: map[string]int{"DescribeServices": 2, "ListTaskDefinitions": 1, "UpdateService": 1,
				"ListServiceDeployments": 1, "DescribeServiceDeployments": 1},
		},
		{
			name: "the rollback's rollout never ends: exit 4",
			setup: func(t *testing.T, f *fakeClients) {
				deployedV2(t, f)
				f.ecs.SetRollout("web", fakeaws.Rollout{Hang: true})
			},
			args: []string{"rollback", "--timeout", "700ms"}, // see TestDeploy's timeout
			code: 4,
			stderr: "web: updated, deploying web:1\n" +
				"HH:MM:SS web: web:1 IN_PROGRESS desired 1 pending 1 running 1 failed 0\n" +
				"error: service web: still not done after 1s (web:1 IN_PROGRESS, running 1 of 1); " +
				"the deployment goes on in AWS: follow it with `tamp wait` or `tamp status`\n",
			ecs: rolledBack,
		},
		{
			name:  "--only a name the config does not have: nothing is asked of AWS",
			setup: deployedV2, args: []string{"rollback", "--only", "wbe"},
			code:   1,
			stderr: "error: --only: nothing named wbe in $DIR/tamp.yaml; names in the config: web\nnothing was changed in AWS\n",
		},
	})
}
