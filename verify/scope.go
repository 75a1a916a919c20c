package verify

import (
	"context"
	"slices"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/scheduled"
)

// Load renders and checks offline what a verify of scope covers: the
// services and task definitions it names, and (withScheduled) the
// scheduled tasks it names or that run a definition it names, with the
// task definitions those run (loaded to check their container names,
// reported only when named). Without standalone the config's standalone
// task definitions are left out. A config that does not load is an input
// error; problems in definitions become NG lines of the report.
func Load(ctx context.Context, p *config.Project, scope *config.Scope, withScheduled, standalone bool) (Input, error) {
	var tasks []*scheduled.Task
	if p.Scheduled != nil && withScheduled {
		var err error
		if tasks, err = scheduled.Load(p, p.Path, p.Scheduled); err != nil {
			return Input{}, config.Invalid(err)
		}
	}
	sel := config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions}
	if scope.Narrowed() {
		o := scheduled.ScopeOptions(scope)
		want := scope.DefinitionNames()
		tasks = slices.DeleteFunc(tasks, func(t *scheduled.Task) bool {
			return !slices.Contains(o.Only, t.Name) && !slices.Contains(o.Referencing, t.TaskDefinition)
		})
		for _, t := range tasks {
			want = append(want, t.TaskDefinition)
		}
		sel.Services = slices.DeleteFunc(slices.Clone(sel.Services), func(s config.Service) bool { return !slices.Contains(want, s.Name) })
		sel.TaskDefinitions = slices.DeleteFunc(slices.Clone(sel.TaskDefinitions), func(td config.TaskDefinition) bool { return !slices.Contains(want, td.Name) })
	}
	if !standalone {
		sel.TaskDefinitions = nil
	}
	defs, err := ecs.LoadAll(ctx, p, sel)
	if err != nil {
		return Input{}, config.Invalid(err)
	}
	in := Input{Region: p.Region, Cluster: ecs.ClusterName(p.Cluster), Scheduled: tasks, Definitions: defs}
	if len(tasks) > 0 {
		if err := scheduled.Check(tasks, p.Scheduled.Backend, defs); err != nil {
			return Input{}, err
		}
		in.Backend = p.Scheduled.Backend
		for _, t := range tasks {
			if t.RoleArn == "" {
				t.RoleArn = p.Scheduled.RoleArn
			}
		}
	}
	for _, s := range p.Services {
		in.ConfigTaskDefinitions = append(in.ConfigTaskDefinitions, s.Name)
	}
	for _, td := range p.TaskDefinitions {
		in.ConfigTaskDefinitions = append(in.ConfigTaskDefinitions, td.Name)
	}
	if scope.Narrowed() {
		named := scope.DefinitionNames()
		in.Definitions = &ecs.Definitions{
			Services:        slices.DeleteFunc(slices.Clone(defs.Services), func(s *ecs.Service) bool { return !slices.Contains(named, s.Name) }),
			TaskDefinitions: slices.DeleteFunc(slices.Clone(defs.TaskDefinitions), func(td *ecs.TaskDefinition) bool { return !slices.Contains(named, td.Name) }),
		}
	}
	return in, nil
}
