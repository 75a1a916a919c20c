package scheduled

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
)

// startedByPrefixes are what EventBridge puts in the startedBy of the
// tasks it runs, before the rule's or the schedule's name: rules
// "events-rule/NAME", EventBridge Scheduler "chronos-schedule/NAME".
var startedByPrefixes = []string{"events-rule/", "chronos-schedule/"}

// maxStartedBy is the longest startedBy ECS keeps; a longer one arrives
// cut to it.
const maxStartedBy = 36

// startedBy tells whether a task's startedBy names the schedule.
func startedBy(value, name string) bool {
	for _, prefix := range startedByPrefixes {
		want := prefix + name
		if value == want || len(value) == maxStartedBy && len(want) > maxStartedBy && strings.HasPrefix(want, value) {
			return true
		}
	}
	return false
}

// Runs are the tasks the schedule o started that ECS still shows
// (running, and stopped for about an hour), newest first: tasks of its
// task definition's family in its cluster whose startedBy names the
// schedule, or, when the task sets a task group no other task of the
// config sets, in that group.
func (s *Syncer) Runs(ctx context.Context, api ecs.TasksAPI, o *Owned) ([]ecs.Task, error) {
	if o.Task == nil || o.Task.TaskDefinition == "" {
		return nil, config.Invalid(fmt.Errorf("%s has no ECS target, so it runs nothing", o.Name))
	}
	family, _, _ := strings.Cut(ecs.ShortRevision(o.Task.TaskDefinition), ":")
	group := o.Task.Group
	if group != "" && slices.ContainsFunc(s.Tasks, func(t *Task) bool { return t.Name != o.Name && t.Group == group }) {
		group = "" // shared: it tells the schedules apart no more
	}
	cluster := o.Task.ClusterArn
	if cluster == "" {
		cluster = ecs.ClusterName(s.Cluster)
	}
	var runs []ecs.Task
	for _, status := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		tasks, err := ecs.FindTasks(ctx, api, &awsecs.ListTasksInput{Cluster: aws.String(cluster), Family: aws.String(family), DesiredStatus: status})
		if err != nil {
			return nil, fmt.Errorf("tasks of %s: %w", o.Name, err)
		}
		for _, t := range tasks {
			if startedBy(t.StartedBy, o.Name) || group != "" && t.Group == group {
				runs = append(runs, t)
			}
		}
	}
	slices.SortStableFunc(runs, func(a, b ecs.Task) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return runs, nil
}
