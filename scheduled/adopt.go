package scheduled

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
)

// Existing reads the schedules a config's scheduled block names, sorted by
// name, in the model a tasks file holds (scheduled dump, init): the
// schedule group's schedules, or, on the events backend, the scheduled
// rules with an ECS target whose names start with prefix, owned or not.
func Existing(ctx context.Context, sc *config.Scheduled, sched SchedulerAPI, events EventsAPI, prefix string) ([]*Task, error) {
	var remote map[string]*Task
	if sc.Backend == config.BackendEvents {
		var err error
		if remote, err = (&EventsBackend{API: events}).Adopt(ctx, prefix); err != nil {
			return nil, err
		}
	} else {
		var exists bool
		var err error
		remote, exists, err = (&SchedulerBackend{API: sched, Group: sc.Group}).Remote(ctx)
		if err != nil {
			return nil, err
		}
		if !exists {
			return nil, fmt.Errorf("schedule group %s does not exist", sc.Group)
		}
	}
	tasks := make([]*Task, 0, len(remote))
	for _, name := range slices.Sorted(maps.Keys(remote)) {
		tasks = append(tasks, remote[name])
	}
	return tasks, nil
}

// Adopt reads existing schedules for a new config (init): the schedules of
// group (EventBridge Scheduler), or the rules whose names start with
// prefix (EventBridge rules), and the scheduled block that owns them. The
// role most of them use becomes scheduled.role_arn.
func Adopt(ctx context.Context, group, prefix string, sched SchedulerAPI, events EventsAPI) ([]*Task, *config.Scheduled, error) {
	block := &config.Scheduled{Backend: config.BackendScheduler, Group: group, TasksFile: "scheduled.yaml"}
	if prefix != "" {
		block.Backend, block.Group = config.BackendEvents, strings.TrimRight(prefix, "-_.")
	}
	tasks, err := Existing(ctx, block, sched, events, prefix)
	if err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	if len(tasks) == 0 {
		return nil, nil, errors.New("init: no schedules with an ECS target to adopt")
	}
	roles := map[string]int{}
	for _, t := range tasks {
		roles[t.RoleArn]++
	}
	block.RoleArn = slices.MaxFunc(slices.Sorted(maps.Keys(roles)), func(x, y string) int { return roles[x] - roles[y] })
	for _, t := range tasks {
		if t.RoleArn == block.RoleArn {
			t.RoleArn = ""
		}
	}
	return tasks, block, nil
}

// Link writes adopted tasks' task definitions as a config writes them: one
// of services' families (family → config service name) as that name, so
// the schedule follows the service's deploys, any other as family:revision.
func Link(tasks []*Task, services map[string]string) {
	for _, t := range tasks {
		family, _, _ := strings.Cut(ecs.ShortRevision(t.TaskDefinition), ":")
		if name, ok := services[family]; ok {
			t.TaskDefinition = name
		} else {
			t.TaskDefinition = ecs.ShortRevision(t.TaskDefinition)
		}
	}
}

// CommonCluster is the cluster name all tasks run on, "" when they differ.
func CommonCluster(tasks []*Task) string {
	name := ""
	for _, t := range tasks {
		n := ecs.ShortRevision(t.ClusterArn) // cluster/NAME -> NAME
		if name != "" && n != name {
			return ""
		}
		name = n
	}
	return name
}
