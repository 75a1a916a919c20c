package main

import (
	"testing"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// Deploy and rollback move the scheduled tasks with the services (see
// batchProject): warmup runs what web runs, nightly the batch revision
// the same deploy registered or reused.

const deployedWebV2 = "web: updated, deploying web:2\n" +
	"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
	"HH:MM:SS web: web:2 COMPLETED desired 1 pending 0 running 1 failed 0\n"

func TestDeployRepointsScheduled(t *testing.T) {
	deployed := func(t *testing.T, f *fakeClients) { f.mustRun(t, "deploy") }
	// deploy's own reads, and the repoint's: both task definitions again.
	updatedBoth := map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 4, "RegisterTaskDefinition": 2, "UpdateService": 1}
	repointedBoth := map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 2}
	onV1 := schedules(map[string]string{"nightly": batch(1) + " ENABLED", "warmup": web(1) + " ENABLED"})
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name: "from nothing: the service, then the schedules on the revisions deployed",
			args: []string{"deploy"},
			stderr: "web: created, deploying web:1\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
				"web: deployed web:1\n" +
				"scheduled: 2 created, 0 updated, 0 unchanged\n",
			ecs:       map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 4, "RegisterTaskDefinition": 2, "CreateService": 1},
			scheduler: map[string]int{"GetScheduleGroup": 1, "CreateScheduleGroup": 1, "ListSchedules": 1, "CreateSchedule": 2},
			check:     onV1,
		},
		{
			name:  "a new image: both schedules follow",
			setup: deployed, env: imageV2, args: []string{"deploy"},
			stderr:    deployedWebV2 + "web: deployed web:2\nscheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       updatedBoth,
			scheduler: repointedBoth,
			check:     schedules(map[string]string{"nightly": batch(2) + " ENABLED", "warmup": web(2) + " ENABLED"}),
		},
		{
			name:  "--only web: the schedule on web's definition alone",
			setup: deployed, env: imageV2, args: []string{"deploy", "--only", "web"},
			stderr:    deployedWebV2 + "web: deployed web:2\nscheduled: 0 created, 1 updated, 0 unchanged\n",
			ecs:       map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 3, "RegisterTaskDefinition": 1, "UpdateService": 1},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 1},
			check:     schedules(map[string]string{"nightly": batch(1) + " ENABLED", "warmup": web(2) + " ENABLED"}),
		},
		{
			name:  "--no-scheduled leaves them, and reads none",
			setup: deployed, env: imageV2, args: []string{"deploy", "--no-scheduled"},
			stderr: deployedWebV2 + "web: deployed web:2\n",
			ecs:    map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check:  onV1,
		},
		{
			name:  "--no-wait leaves them",
			setup: deployed, env: imageV2, args: []string{"deploy", "--no-wait"},
			stderr: "web: updated, deploying web:2\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 2, "RegisterTaskDefinition": 1, "UpdateService": 1},
			check:  onV1,
		},
		{
			name: "a failed deploy leaves them",
			setup: func(t *testing.T, f *fakeClients) {
				deployed(t, f)
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
			check: onV1,
		},
		{
			name:  "a bad scheduled task stops deploy before anything is asked of AWS",
			files: map[string]string{"scheduled.yaml": "- name: broken\n  schedule: cron(0 16 * * *)\n"},
			args:  []string{"deploy"},
			code:  1,
			stderr: "error: $DIR/scheduled.yaml:2: scheduled task broken: schedule: cron(0 16 * * *): AWS cron expressions have 6 fields " +
				"(minutes hours day-of-month month day-of-week year), this has 5\nnothing was changed in AWS\n",
		},
		{
			name:  "json: the services on stdout, the repoint on stderr",
			setup: deployed, env: imageV2, args: []string{"deploy", "--output", "json"},
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
			stderr:    deployedWebV2 + "scheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       updatedBoth,
			scheduler: repointedBoth,
		},
	})
}

func TestRollbackRepointsScheduled(t *testing.T) {
	back := map[string]int{"DescribeServices": 2, "DescribeTaskDefinition": 1, "ListTaskDefinitions": 2, "UpdateService": 1}
	repointedBoth := map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 2}
	onV1 := schedules(map[string]string{"nightly": batch(1) + " ENABLED", "warmup": web(1) + " ENABLED"})
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:  "the service and its schedule go back, batch's schedules too",
			setup: deployedV2, args: []string{"rollback"},
			stderr: rolledBackWait + "web: rolled back web:2 -> web:1\n" +
				"batch: scheduled tasks go back batch:2 -> batch:1\n" +
				"scheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       back,
			scheduler: repointedBoth,
			check:     onV1,
		},
		{
			name:  "--only web: batch's schedules stay",
			setup: deployedV2, args: []string{"rollback", "--only", "web"},
			stderr:    rolledBackWait + "web: rolled back web:2 -> web:1\nscheduled: 0 created, 1 updated, 0 unchanged\n",
			ecs:       map[string]int{"DescribeServices": 2, "ListTaskDefinitions": 1, "UpdateService": 1},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2, "UpdateSchedule": 1},
			check:     schedules(map[string]string{"nightly": batch(2) + " ENABLED", "warmup": web(1) + " ENABLED"}),
		},
		{
			name:  "--deregister-task-definition: last, once no schedule runs it",
			setup: deployedV2, args: []string{"rollback", "--deregister-task-definition"},
			stderr: rolledBackWait + "web: rolled back web:2 -> web:1\n" +
				"batch: scheduled tasks go back batch:2 -> batch:1\n" +
				"scheduled: 0 created, 2 updated, 0 unchanged\n" +
				"web: deregistered web:2\n",
			ecs: map[string]int{"DescribeServices": 3, "DescribeTaskDefinition": 1, "ListServices": 1, "ListTaskDefinitions": 2,
				"UpdateService": 1, "DeregisterTaskDefinition": 1},
			// The schedules are read again before deregistering: none may run web:2.
			scheduler: map[string]int{"ListSchedules": 2, "GetSchedule": 4, "UpdateSchedule": 2},
			check: func(t *testing.T, f *fakeClients, r result) {
				onV1(t, f, r)
				deregistered(web(2))(t, f, r)
			},
		},
		{
			name:  "--no-scheduled --deregister-task-definition: kept, a schedule still runs it",
			setup: deployedV2, args: []string{"rollback", "--no-scheduled", "--deregister-task-definition"},
			stderr:    rolledBackWait + "web: rolled back web:2 -> web:1\nweb: kept web:2: still in use\n",
			ecs:       map[string]int{"DescribeServices": 3, "ListServices": 1, "ListTaskDefinitions": 1, "UpdateService": 1},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
			check: func(t *testing.T, f *fakeClients, r result) {
				schedules(map[string]string{"nightly": batch(2) + " ENABLED", "warmup": web(2) + " ENABLED"})(t, f, r)
				deregistered()(t, f, r)
			},
		},
		{
			name:  "json: the services on stdout, the repoint on stderr",
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
			stderr: "web: updated, deploying web:1\n" +
				"HH:MM:SS web: event: (service web) has reached a steady state.\n" +
				"HH:MM:SS web: web:1 COMPLETED desired 1 pending 0 running 1 failed 0\n" +
				"batch: scheduled tasks go back batch:2 -> batch:1\n" +
				"scheduled: 0 created, 2 updated, 0 unchanged\n",
			ecs:       back,
			scheduler: repointedBoth,
		},
	})
}
