package scheduled

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// Dump leaves out what EventBridge fills in and the cluster, and keeps
// what differs from those defaults.
func TestDump(t *testing.T) {
	nightly := resolved("nightly", func(t *Task) {
		t.Timezone, t.TaskCount = "Asia/Tokyo", aws.Int32(2)
		t.RetryPolicy = &RetryPolicy{MaximumRetryAttempts: aws.Int32(2)}
		t.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: "FLEXIBLE", MaximumWindowInMinutes: aws.Int32(15)}
	})
	hourly := resolved("hourly", func(t *Task) {
		t.Schedule, t.Command, t.Environment, t.NetworkConfiguration = "rate(1 hour)", nil, nil, nil
		t.RetryPolicy = &RetryPolicy{MaximumEventAgeSeconds: aws.Int32(3600)}
	})
	out, err := Dump([]*Task{nightly, hourly})
	if err != nil {
		t.Fatal(err)
	}
	want := `- name: nightly
  schedule: cron(0 16 * * ? *)
  timezone: Asia/Tokyo
  task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/batch:3
  container_overrides:
  - command:
    - bin/nightly
    environment:
    - name: MODE
      value: full
    name: app
  task_count: 2
  launch_type: FARGATE
  network_configuration:
    awsvpcConfiguration:
      subnets:
      - subnet-a
      - subnet-b
      assignPublicIp: DISABLED
      securityGroups:
      - sg-1
  retry_policy:
    maximum_retry_attempts: 2
  role_arn: arn:aws:iam::123456789012:role/scheduler
  flexible_time_window:
    mode: FLEXIBLE
    maximum_window_in_minutes: 15
- name: hourly
  schedule: rate(1 hour)
  task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/batch:3
  launch_type: FARGATE
  retry_policy:
    maximum_event_age_seconds: 3600
  role_arn: arn:aws:iam::123456789012:role/scheduler
`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("dump (-want +got):\n%s", diff)
	}
	if nightly.ClusterArn != testCluster || aws.ToInt32(hourly.TaskCount) != 1 {
		t.Error("Dump changed the tasks it was given")
	}
	if out, err := Dump(nil); err != nil || string(out) != "[]\n" {
		t.Errorf("no tasks: %q, %v", out, err)
	}
}

// A dump fed back as the tasks file gives an empty diff: what scheduled
// dump promises a team adopting existing schedules.
func TestDumpLoadsBackUnchanged(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewScheduler()
	api.AddGroup("app")
	b := schedulerBackend(api)
	for _, task := range []*Task{
		resolved("nightly", func(t *Task) {
			t.Timezone, t.StartDate, t.Description = "Asia/Tokyo", "2027-04-01T00:00:00+09:00", "nightly"
			t.Tags = map[string]string{"team": "data"}
		}),
		resolved("hourly", func(t *Task) { t.Schedule, t.Disabled = "rate(1 hour)", true }),
	} {
		if err := b.Put(ctx, task, false); err != nil {
			t.Fatal(err)
		}
	}
	remote, _, err := b.Remote(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Dump([]*Task{remote["hourly"], remote["nightly"]})
	if err != nil {
		t.Fatal(err)
	}
	text, err := yaml.YAMLToJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := Load(fileRenderer{"scheduled.yaml": string(text)}, "/app/tamp.yaml", &config.Scheduled{TasksFile: "scheduled.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if errs := Validate(tasks, config.BackendScheduler, func(string) ([]string, bool) { return nil, false }); len(errs) > 0 {
		t.Fatalf("the dump does not validate: %v", errs)
	}
	var local []*Task
	for _, task := range tasks {
		r := Resolve(task, task.TaskDefinition, "")
		r.ClusterArn = testCluster // the config's cluster
		local = append(local, r)
	}
	p, err := MakePlan(local, remote, true)
	if err != nil || p.Report.Differs() {
		t.Errorf("the dump loads back as %v (%v)", actions(p.Report), err)
	}
}
