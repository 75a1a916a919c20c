package main

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// sixRevisions is batchProject with six revisions of web, the service on
// web:5, the schedule warmup still on web:1 and nightly on batch:1.
func sixRevisions(t *testing.T, f *fakeClients) {
	for range 6 {
		f.ecs.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"),
			ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox:v1")}}})
	}
	f.ecs.AddTaskDefinition(types.TaskDefinition{Family: aws.String("batch"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox:v1")}}})
	f.ecs.AddService("app", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String(web(5)), DesiredCount: 1})
	for name, arn := range map[string]string{"warmup": web(1), "nightly": batch(1)} {
		s := oldSchedule("app")
		s.Name, s.Target.EcsParameters.TaskDefinitionArn = aws.String(name), aws.String(arn)
		f.sched.AddSchedule(s)
	}
}

// apiOnWeb3 is sixRevisions with a service api, which the config does
// not name, on web:3.
func apiOnWeb3(t *testing.T, f *fakeClients) {
	sixRevisions(t, f)
	f.ecs.AddService("app", types.Service{ServiceName: aws.String("api"), TaskDefinition: aws.String(web(3)), DesiredCount: 1})
}

// cleanedUp checks which revisions were deregistered (in any order:
// the calls run side by side) and deleted.
func cleanedUp(deregistered, deleted []string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		got := f.ecs.Deregistered()
		slices.Sort(got)
		slices.Sort(deregistered)
		if !slices.Equal(got, deregistered) {
			t.Errorf("deregistered %v, want %v", got, deregistered)
		}
		if gotDeleted := f.ecs.DeletedTaskDefinitions(); !slices.Equal(gotDeleted, deleted) {
			t.Errorf("deleted %v, want %v", gotDeleted, deleted)
		}
	}
}

func TestRevisions(t *testing.T) {
	reads := map[string]int{"ListServices": 1, "DescribeServices": 1, "ListTaskDefinitions": 2}
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name: "newest first, the ones in use marked", setup: sixRevisions, args: []string{"revisions"},
			stdout: "web: family web, 6 ACTIVE revisions\n" +
				"  web:6\n" +
				"  web:5  in use by service web\n" +
				"  web:4\n" +
				"  web:3\n" +
				"  web:2\n" +
				"  web:1  in use by scheduled task warmup\n" +
				"batch: family batch, 1 ACTIVE revision\n" +
				"  batch:1  in use by scheduled task nightly\n",
			ecs: reads, scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
		{
			name: "a service of the cluster the config does not name marks its revision", setup: apiOnWeb3, args: []string{"revisions", "--only", "web"},
			stdout: "web: family web, 6 ACTIVE revisions\n" +
				"  web:6\n" +
				"  web:5  in use by service web\n" +
				"  web:4\n" +
				"  web:3  in use by service api\n" +
				"  web:2\n" +
				"  web:1  in use by scheduled task warmup\n",
			ecs: map[string]int{"ListServices": 1, "DescribeServices": 1, "ListTaskDefinitions": 1}, scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
		{
			name: "--only narrows the families; json", setup: sixRevisions, args: []string{"revisions", "--only", "batch", "--output", "json"},
			stdout: `{
  "task_definitions": [
    {
      "names": [
        "batch"
      ],
      "family": "batch",
      "revisions": [
        {
          "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:1",
          "revision": 1,
          "in_use": [
            "scheduled task nightly"
          ]
        }
      ]
    }
  ]
}
`,
			ecs: map[string]int{"ListServices": 1, "DescribeServices": 1, "ListTaskDefinitions": 1}, scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
		{
			name: "a family with none", args: []string{"revisions", "--only", "batch"},
			stdout: "batch: family batch, no ACTIVE revision\n",
			ecs:    map[string]int{"ListServices": 1, "ListTaskDefinitions": 1}, scheduler: map[string]int{"ListSchedules": 1, "GetScheduleGroup": 1},
		},
	})
}

func TestDeregister(t *testing.T) {
	// The listing, then who runs what once more right before the calls.
	reads := map[string]int{"ListServices": 2, "DescribeServices": 2, "ListTaskDefinitions": 2}
	readsSchedules := map[string]int{"ListSchedules": 2, "GetSchedule": 4}
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name: "--keep 2: all but the newest two and those in use", setup: sixRevisions, args: []string{"deregister", "--keep", "2"},
			stderr: "web: deregistered web:4, web:3, web:2; kept web:6, web:5 (newest 2), web:1 (in use by scheduled task warmup)\n" +
				"batch: nothing to deregister; kept batch:1 (newest 2)\n",
			ecs:       withCalls(reads, map[string]int{"DeregisterTaskDefinition": 3}),
			scheduler: readsSchedules,
			check:     cleanedUp([]string{web(2), web(3), web(4)}, nil),
		},
		{
			name: "a revision a service the config does not name runs is kept", setup: apiOnWeb3, args: []string{"deregister", "--keep", "2", "--only", "web"},
			stderr:    "web: deregistered web:4, web:2; kept web:6, web:5 (newest 2), web:3 (in use by service api), web:1 (in use by scheduled task warmup)\n",
			ecs:       map[string]int{"ListServices": 2, "DescribeServices": 2, "ListTaskDefinitions": 1, "DeregisterTaskDefinition": 2},
			scheduler: readsSchedules,
			check:     cleanedUp([]string{web(2), web(4)}, nil),
		},
		{
			name: "--dry-run reads only", setup: sixRevisions, args: []string{"deregister", "--keep", "2", "--dry-run", "--delete"},
			stderr: "web: would deregister and delete web:4, web:3, web:2; would keep web:6, web:5 (newest 2), web:1 (in use by scheduled task warmup)\n" +
				"batch: nothing to deregister; would keep batch:1 (newest 2)\n",
			ecs:       map[string]int{"ListServices": 1, "DescribeServices": 1, "ListTaskDefinitions": 2},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
			check:     cleanedUp(nil, nil),
		},
		{
			name: "--delete: deregistered, then deleted in one call", setup: sixRevisions, args: []string{"deregister", "--keep", "1", "--delete", "--only", "web"},
			stderr:    "web: deregistered and deleted web:4, web:3, web:2; kept web:6 (newest 1), web:5 (in use by service web), web:1 (in use by scheduled task warmup)\n",
			ecs:       map[string]int{"ListServices": 2, "DescribeServices": 2, "ListTaskDefinitions": 1, "DeregisterTaskDefinition": 3, "DeleteTaskDefinitions": 1},
			scheduler: readsSchedules,
			check:     cleanedUp([]string{web(2), web(3), web(4)}, []string{web(4), web(3), web(2)}),
		},
		{
			name: "json", setup: sixRevisions, args: []string{"deregister", "--keep", "4", "--delete", "--only", "web", "--output", "json"},
			stdout: `{
  "delete": true,
  "dry_run": false,
  "task_definitions": [
    {
      "names": [
        "web"
      ],
      "family": "web",
      "deregistered": [
        "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2"
      ],
      "deleted": [
        "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:2"
      ],
      "kept": [
        {
          "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:6",
          "reason": "newest 4"
        },
        {
          "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:5",
          "reason": "newest 4"
        },
        {
          "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:4",
          "reason": "newest 4"
        },
        {
          "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:3",
          "reason": "newest 4"
        },
        {
          "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
          "reason": "in use by scheduled task warmup"
        }
      ]
    }
  ]
}
`,
			ecs:       map[string]int{"ListServices": 2, "DescribeServices": 2, "ListTaskDefinitions": 1, "DeregisterTaskDefinition": 1, "DeleteTaskDefinitions": 1},
			scheduler: readsSchedules,
			check:     cleanedUp([]string{web(2)}, []string{web(2)}),
		},
		{
			name: "--keep 0 is refused before any call", setup: sixRevisions, args: []string{"deregister", "--keep", "0"},
			code:   1,
			stderr: "error: --keep takes 1 or more: the newest revision is the one register compares with and reuses\n",
		},
		{
			name: "a failed read of the schedules changes nothing",
			setup: func(t *testing.T, f *fakeClients) {
				sixRevisions(t, f)
				f.sched.Fail("ListSchedules", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"})
			},
			args:      []string{"deregister", "--keep", "2"},
			code:      1,
			stderr:    "error: read the scheduled tasks' revisions: list schedules of group app: api error AccessDeniedException: not allowed\n",
			ecs:       map[string]int{"ListServices": 1, "DescribeServices": 1},
			scheduler: map[string]int{"ListSchedules": 1},
			check:     cleanedUp(nil, nil),
		},
	})
}

// withCalls is a copy of calls with more added.
func withCalls(calls, more map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range calls {
		out[k] = v
	}
	for k, v := range more {
		out[k] += v
	}
	return out
}
