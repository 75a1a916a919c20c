package scheduled

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// Existing reads a schedule group's ECS schedules, or the rules under a
// prefix, sorted by name; a group that does not exist is an error.
func TestExisting(t *testing.T) {
	ctx := context.Background()
	sched, events := fakeaws.NewScheduler(), fakeaws.NewEvents()
	sc := &config.Scheduled{Backend: config.BackendScheduler, Group: "app"}
	if _, err := Existing(ctx, sc, sched, events, ""); err == nil || err.Error() != "schedule group app does not exist" {
		t.Errorf("missing group: %v", err)
	}
	sched.AddGroup("app")
	b := schedulerBackend(sched)
	for _, n := range []string{"b", "a"} {
		if err := b.Put(ctx, resolved(n), false); err != nil {
			t.Fatal(err)
		}
	}
	sched.AddSchedule(lambdaSchedule("app", "lambda"))
	sched.ResetCalls()
	tasks, err := Existing(ctx, sc, sched, events, "")
	if err != nil || len(tasks) != 2 || tasks[0].Name != "a" || tasks[1].Name != "b" {
		t.Errorf("scheduler: %v, %v", tasks, err)
	}

	events.AddRule(scheduledRule("app-b"), nil, ecsTarget("x", "td:1"))
	events.AddRule(scheduledRule("app-a"), owned("other"), ecsTarget("x", "td:1"))
	events.AddRule(scheduledRule("web"), nil, ecsTarget("x", "td:1"))
	tasks, err = Existing(ctx, &config.Scheduled{Backend: config.BackendEvents}, sched, events, "app-")
	if err != nil || len(tasks) != 2 || tasks[0].Name != "app-a" || tasks[1].Name != "app-b" {
		t.Errorf("events: %v, %v", tasks, err)
	}
	if writeCount(sched.CallCounts())+writeCount(events.CallCounts()) != 0 {
		t.Errorf("reading wrote something: %v %v", sched.CallCounts(), events.CallCounts())
	}
}

// Adopt takes the role most schedules use as scheduled.role_arn (and
// leaves it off those tasks), and names the group after the prefix.
func TestAdopt(t *testing.T) {
	ctx := context.Background()
	sched, events := fakeaws.NewScheduler(), fakeaws.NewEvents()
	withRole := func(role string) etypes.Target {
		tg := ecsTarget("x", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4")
		tg.RoleArn = aws.String(role)
		return tg
	}
	events.AddRule(scheduledRule("app-a"), nil, withRole("arn:aws:iam::123456789012:role/events"))
	events.AddRule(scheduledRule("app-b"), nil, withRole("arn:aws:iam::123456789012:role/events"))
	events.AddRule(scheduledRule("app-c"), nil, withRole("arn:aws:iam::123456789012:role/special"))
	tasks, block, err := Adopt(ctx, "", "app-", sched, events)
	if err != nil {
		t.Fatal(err)
	}
	if block.Backend != config.BackendEvents || block.Group != "app" || block.RoleArn != "arn:aws:iam::123456789012:role/events" || block.TasksFile != "scheduled.yaml" {
		t.Errorf("block %+v", block)
	}
	if len(tasks) != 3 || tasks[0].RoleArn != "" || tasks[1].RoleArn != "" || tasks[2].RoleArn != "arn:aws:iam::123456789012:role/special" {
		t.Errorf("roles %q %q %q", tasks[0].RoleArn, tasks[1].RoleArn, tasks[2].RoleArn)
	}

	Link(tasks, map[string]string{"web": "web-service"})
	tasks[2].TaskDefinition = "arn:aws:ecs:us-east-1:123456789012:task-definition/batch:2"
	Link(tasks[2:], nil)
	if tasks[0].TaskDefinition != "web-service" || tasks[2].TaskDefinition != "batch:2" {
		t.Errorf("linked %q, %q", tasks[0].TaskDefinition, tasks[2].TaskDefinition)
	}
	if got := CommonCluster(tasks); got != "app" {
		t.Errorf("common cluster %q", got)
	}
	tasks[1].ClusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/other"
	if got := CommonCluster(tasks); got != "" {
		t.Errorf("clusters differ, got %q", got)
	}

	if _, _, err := Adopt(ctx, "app", "", sched, events); err == nil || !strings.Contains(err.Error(), "init: schedule group app does not exist") {
		t.Errorf("missing group: %v", err)
	}
	sched.AddGroup("app")
	sched.AddSchedule(lambdaSchedule("app", "lambda"))
	if _, _, err := Adopt(ctx, "app", "", sched, events); err == nil || err.Error() != "init: no schedules with an ECS target to adopt" {
		t.Errorf("nothing to adopt: %v", err)
	}
}
