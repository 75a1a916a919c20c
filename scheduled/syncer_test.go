package scheduled

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// writes are the calls that change a backend.
var writes = []string{"CreateSchedule", "UpdateSchedule", "DeleteSchedule", "CreateScheduleGroup",
	"PutRule", "PutTargets", "TagResource", "RemoveTargets", "DeleteRule"}

func writeCount(counts map[string]int) int {
	n := 0
	for _, op := range writes {
		n += counts[op]
	}
	return n
}

// A sync of N tasks running a config task definition, then a second with
// nothing changed: the second costs at most N+3 calls and writes nothing
// (the target of the design's section 8), on both backends.
func TestSyncerNothingChangedCostsNPlus3(t *testing.T) {
	const n = 12
	for _, backend := range []string{config.BackendScheduler, config.BackendEvents} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			ecsAPI, sched, events := fakeaws.NewECS(), fakeaws.NewScheduler(), fakeaws.NewEvents()
			defs := &ecs.Definitions{TaskDefinitions: []*ecs.TaskDefinition{{Name: "batch", File: "batch.json", Containers: []string{"app"},
				Input: ecs.NormalizeTaskDefinition(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("batch"), ContainerDefinitions: []ecstypes.ContainerDefinition{
					{Name: aws.String("app"), Image: aws.String("batch:1"), Memory: aws.Int32(512), Essential: aws.Bool(true)}}})}}}
			var tasks []*Task
			for i := range n {
				tasks = append(tasks, &Task{Name: fmt.Sprintf("job-%02d", i), Schedule: "rate(1 hour)", TaskDefinition: "batch",
					Command: []string{"run", fmt.Sprint(i)}})
			}
			s := &Syncer{Config: &config.Scheduled{Backend: backend, Group: "app", RoleArn: testRole}, ConfigPath: "/app/tamp.yaml",
				Cluster: "app", Defs: defs, Tasks: tasks, ECS: ecsAPI, Scheduler: sched, Events: events}

			first, err := s.Plan(ctx, PlanOptions{Register: true})
			if err != nil {
				t.Fatal(err)
			}
			if c := first.Report.Counts(); c["create"] != n {
				t.Fatalf("first plan %v", c)
			}
			applied, err := first.Apply(ctx, false)
			if err != nil || applied.Created != n {
				t.Fatalf("first sync %+v, %v", applied, err)
			}
			for _, f := range []interface{ ResetCalls() }{ecsAPI, sched, events} {
				f.ResetCalls()
			}

			second, err := s.Plan(ctx, PlanOptions{Register: true})
			if err != nil {
				t.Fatal(err)
			}
			applied, err = second.Apply(ctx, true)
			if err != nil || second.Report.Differs() || applied.Unchanged != n || applied.Created+applied.Updated+applied.Deleted != 0 {
				t.Errorf("second sync %+v (%v), report %v", applied, err, second.Report.Counts())
			}
			calls := ecsAPI.TotalCalls() + sched.TotalCalls() + events.TotalCalls()
			if calls > n+3 || writeCount(sched.CallCounts())+writeCount(events.CallCounts()) != 0 || ecsAPI.Calls("RegisterTaskDefinition") != 0 {
				t.Errorf("second sync made %d calls (want at most %d, no writes): ecs %v, scheduler %v, events %v",
					calls, n+3, ecsAPI.CallCounts(), sched.CallCounts(), events.CallCounts())
			}
		})
	}
}
