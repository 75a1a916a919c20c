package scheduled

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tamp-ecs/tamp/ecs"
)

// RevisionUsers are the task definition revisions the config's scheduled
// tasks run, each with the tasks that run it ("scheduled task NAME"):
// what the group's schedules (or the owned rules) run in AWS now, by ARN,
// and what a task of the config names by family:revision or ARN, which
// the next sync would point it at. Nothing here is ever deregistered.
func (s *Syncer) RevisionUsers(ctx context.Context) (ecs.RevisionUsers, error) {
	remote, _, err := s.backend("").Remote(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the scheduled tasks' revisions: %w", err)
	}
	users := ecs.RevisionUsers{}
	for _, name := range slices.Sorted(maps.Keys(remote)) {
		users.Add(remote[name].TaskDefinition, "scheduled task "+name)
	}
	for _, t := range s.Tasks {
		ref := t.TaskDefinition
		if s.Defs.FindTaskDefinition(ref) != nil {
			continue // a config task definition: the revision register gives it
		}
		if strings.HasPrefix(ref, "arn:") || strings.Contains(ref, ":") {
			users.Add(ref, "scheduled task "+t.Name)
			users.Add(ecs.ShortRevision(ref), "scheduled task "+t.Name)
		}
	}
	return users, nil
}
