package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// typing makes the command's standard input the text, as if typed at the
// prompt (os.Stdin is the confirmation's source); "" is an input that
// ends at once.
func typing(text string) func(t *testing.T, f *fakeClients) {
	return func(t *testing.T, f *fakeClients) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "stdin")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		saved := os.Stdin
		os.Stdin = in
		t.Cleanup(func() { os.Stdin = saved; in.Close() })
	}
}

// then runs setups in turn.
func then(setups ...func(t *testing.T, f *fakeClients)) func(t *testing.T, f *fakeClients) {
	return func(t *testing.T, f *fakeClients) {
		for _, s := range setups {
			s(t, f)
		}
	}
}

// serviceStatus checks service web's status.
func serviceStatus(want string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		svc, ok := f.ecs.Service("web")
		if got := aws.ToString(svc.Status); !ok || got != want {
			t.Errorf("service web is %q (exists %v), want %s", got, ok, want)
		}
	}
}

const deletePrompt = `Delete service web in cluster app (ACTIVE, web:1, desired 1, running 1)? Type "web" to confirm: `

func TestDelete(t *testing.T) {
	deleted := map[string]int{"DescribeServices": 2, "UpdateService": 1, "DeleteService": 1}
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name: "--dry-run: what it would do, no change", setup: deployedV1, args: []string{"delete", "--dry-run"},
			stderr: "web: would scale to 0 (desired 1, running 1, web:1), delete it and wait until it is INACTIVE\n" +
				"dry run: nothing was changed\n",
			ecs: map[string]int{"DescribeServices": 1}, check: serviceStatus("ACTIVE"),
		},
		{
			name: "no confirmation: nothing changes", setup: then(deployedV1, typing("")), args: []string{"delete"},
			code: 1,
			stderr: deletePrompt + "\n" +
				"error: service web: not deleted: no confirmation (the input ended); type the name, or give --force\nnothing was changed in AWS\n",
			ecs: map[string]int{"DescribeServices": 1}, check: serviceStatus("ACTIVE"),
		},
		{
			name: "the wrong name: nothing changes", setup: then(deployedV1, typing("wbe\n")), args: []string{"delete"},
			code:   1,
			stderr: deletePrompt + "wbe\n" + `error: service web: not deleted: the confirmation "wbe" is not "web"` + "\nnothing was changed in AWS\n",
			ecs:    map[string]int{"DescribeServices": 1}, check: serviceStatus("ACTIVE"),
		},
		{
			name: "confirmed: scaled to 0, deleted, INACTIVE", setup: then(deployedV1, typing("web\n")), args: []string{"delete"},
			stderr: deletePrompt + "web\nweb: scaled to 0 (was 1)\nweb: deleted; waiting until it is INACTIVE\nweb: deleted (INACTIVE)\n",
			ecs:    deleted, check: serviceStatus("INACTIVE"),
		},
		{
			name: "--force asks nothing; json", setup: deployedV1, args: []string{"delete", "--force", "--output", "json"},
			stdout: `{
  "dry_run": false,
  "services": [
    {
      "name": "web",
      "cluster": "app",
      "status": "INACTIVE",
      "task_definition": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      "desired": 1,
      "running": 1,
      "action": "deleted",
      "scalable_target_deregistered": false,
      "scaled_down": true
    }
  ]
}
`,
			stderr: "web: scaled to 0 (was 1)\nweb: deleted; waiting until it is INACTIVE\n",
			ecs:    deleted, check: serviceStatus("INACTIVE"),
		},
		{
			name: "auto scaling: its scalable target goes first, so no policy scales it up again", args: []string{"delete", "--force"},
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.scale.AddTarget("app", "web", 1, 4, "cpu")
			},
			stderr: "web: scalable target deregistered (min 1, max 4), its scaling policies with it\n" +
				"web: scaled to 0 (was 1)\nweb: deleted; waiting until it is INACTIVE\nweb: deleted (INACTIVE)\n",
			ecs: deleted,
			check: func(t *testing.T, f *fakeClients, r result) {
				serviceStatus("INACTIVE")(t, f, r)
				if _, ok := f.scale.Target("app", "web"); ok {
					t.Error("the scalable target is still registered")
				}
				checkCalls(t, "Application Auto Scaling", f.scale.CallCounts(),
					map[string]int{"DescribeScalableTargets": 1, "DescribeScalingPolicies": 1, "DeregisterScalableTarget": 1})
			},
		},
		{
			name: "auto scaling in a dry run", args: []string{"delete", "--dry-run"},
			setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.scale.AddTarget("app", "web", 1, 4, "cpu")
			},
			stderr: "web: would deregister its scalable target (min 1, max 4) and its scaling policies\n" +
				"web: would scale to 0 (desired 1, running 1, web:1), delete it and wait until it is INACTIVE\n" +
				"dry run: nothing was changed\n",
			ecs: map[string]int{"DescribeServices": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if _, ok := f.scale.Target("app", "web"); !ok {
					t.Error("the dry run deregistered the scalable target")
				}
			},
		},
		{
			name: "a service scaled to 0 already is only deleted", setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.mustRun(t, "scale", "--tasks", "0")
			},
			args:   []string{"delete", "--force"},
			stderr: "web: deleted; waiting until it is INACTIVE\nweb: deleted (INACTIVE)\n",
			ecs:    map[string]int{"DescribeServices": 2, "DeleteService": 1}, check: serviceStatus("INACTIVE"),
		},
		{
			name: "deleted already: nothing to do", setup: func(t *testing.T, f *fakeClients) {
				deployedV1(t, f)
				f.mustRun(t, "delete", "--force")
			},
			args:   []string{"delete"},
			stderr: "web: already INACTIVE in cluster app; nothing to delete\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
		{
			name: "not there at all", args: []string{"delete", "--force"},
			stderr: "web: no such service in cluster app; nothing to delete\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
		{
			name: "a service the config does not name is refused", setup: deployedV1, args: []string{"delete", "--only", "api", "--force"},
			code: 1,
			stderr: "error: --only: nothing named api in $DIR/tamp.yaml; names in the config: web\n" +
				"nothing was changed in AWS\n",
		},
	})
}

func TestScheduledDelete(t *testing.T) {
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name: "an owned schedule the config no longer lists", setup: then(syncedWithOld, typing("old\n")), args: []string{"scheduled", "delete", "old"},
			stderr:    `Delete schedule old (schedule group app)? Type "old" to confirm: old` + "\nscheduled: deleted schedule old (schedule group app)\n",
			scheduler: map[string]int{"GetSchedule": 1, "DeleteSchedule": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if _, ok := f.sched.Schedule("app", "old"); ok {
					t.Error("schedule app/old is still there")
				}
				if _, ok := f.sched.Schedule("default", "old"); !ok {
					t.Error("schedule default/old, another group's, was deleted")
				}
			},
		},
		{
			name: "one the config lists: deleted, and it says sync makes it again", setup: synced,
			args: []string{"scheduled", "delete", "nightly", "--force", "--output", "json"},
			stdout: `{
  "backend": "scheduler",
  "deleted": true,
  "dry_run": false,
  "listed": true,
  "name": "nightly",
  "owner": "schedule group app"
}
`,
			stderr: "scheduled: deleted schedule nightly (schedule group app)\n" +
				"note: the config still lists nightly: the next scheduled sync (or deploy) creates it again; remove it from the config to keep it gone\n",
			scheduler: map[string]int{"GetSchedule": 1, "DeleteSchedule": 1},
			check:     schedules(map[string]string{"nightly": "-", "warmup": web(1) + " ENABLED"}),
		},
		{
			name: "--dry-run", setup: syncedWithOld, args: []string{"scheduled", "delete", "old", "--dry-run"},
			stderr:    "scheduled: would delete schedule old (schedule group app); nothing was changed\n",
			scheduler: map[string]int{"GetSchedule": 1},
		},
		{
			name: "without confirmation nothing changes", setup: then(syncedWithOld, typing("")), args: []string{"scheduled", "delete", "old"},
			code: 1,
			stderr: `Delete schedule old (schedule group app)? Type "old" to confirm: ` + "\n" +
				"error: schedule old: not deleted: no confirmation (the input ended); type the name, or give --force\nnothing was changed in AWS\n",
			scheduler: map[string]int{"GetSchedule": 1},
		},
		{
			name: "one in no group of the config's is refused", setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				s := oldSchedule("default")
				s.Name = aws.String("elsewhere")
				f.sched.AddSchedule(s)
			},
			args: []string{"scheduled", "delete", "elsewhere", "--force"},
			code: 1,
			stderr: "error: no schedule elsewhere in schedule group app, which is what the config owns; schedules of other groups are never touched\n" +
				"nothing was changed in AWS\n",
			scheduler: map[string]int{"GetSchedule": 1},
		},
	})
	runCases(t, eventsProject, imageV1, []cmdCase{
		{
			name: "events: an owned rule, its target first", setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				f.events.AddRule(etypes.Rule{Name: aws.String("old"), ScheduleExpression: aws.String("rate(1 day)")}, map[string]string{"tamp:group": "app"},
					etypes.Target{Id: aws.String("tamp"), Arn: aws.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/app"),
						EcsParameters: &etypes.EcsParameters{TaskDefinitionArn: aws.String(batch(1))}})
			},
			args:   []string{"scheduled", "delete", "old", "--force"},
			stderr: "scheduled: deleted rule old (tag tamp:group=app)\n",
			events: map[string]int{"ListRules": 1, "ListTagsForResource": 1, "ListTargetsByRule": 2, "RemoveTargets": 1, "DeleteRule": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if _, ok := f.events.Rule("old"); ok {
					t.Error("rule old is still there")
				}
			},
		},
		{
			name: "events: a rule without the group's tag is refused", setup: func(t *testing.T, f *fakeClients) {
				synced(t, f)
				f.events.AddRule(etypes.Rule{Name: aws.String("theirs"), ScheduleExpression: aws.String("rate(1 day)")}, map[string]string{"tamp:group": "other"},
					etypes.Target{Id: aws.String("x"), Arn: aws.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/app"),
						EcsParameters: &etypes.EcsParameters{TaskDefinitionArn: aws.String(batch(1))}})
			},
			args: []string{"scheduled", "delete", "theirs", "--force"},
			code: 1,
			stderr: "error: rule theirs does not carry the tag tamp:group=app, so the config does not own it; tamp deletes only rules it owns\n" +
				"nothing was changed in AWS\n",
			events: map[string]int{"ListRules": 1, "ListTagsForResource": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if _, ok := f.events.Rule("theirs"); !ok {
					t.Error("rule theirs was deleted")
				}
			},
		},
	})
}
