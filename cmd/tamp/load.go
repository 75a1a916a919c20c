package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/clients"
	"github.com/tamp-ecs/tamp/internal/progress"
	"github.com/tamp-ecs/tamp/internal/version"
	"github.com/tamp-ecs/tamp/rollout"
	"github.com/tamp-ecs/tamp/scheduled"
)

// loadProject reads the config with the command line's variables, once.
func (a *app) loadProject(ctx context.Context) (*config.Project, error) {
	if a.project != nil {
		return a.project, nil
	}
	opts := config.Options{
		ExtStr:  a.ExtStr,
		ExtCode: a.ExtCode,
		Region:  a.Region,
		Timeout: a.Timeout,
		Version: version.Version,
		Only:    a.Only,
		Plugins: config.DefaultRegistry(),
		AWS:     a.clients.AWSConfig,
		Trace:   a.trace,
		Masker:  a.masker,
	}
	if own, ok := a.clients.(clients.PluginAPIs); ok {
		opts.SSM, opts.SecretsManager = own.SSM(), own.SecretsManager()
	}
	p, err := config.Load(ctx, a.Config, opts)
	if err != nil {
		return nil, config.Invalid(err)
	}
	a.project = p
	return p, nil
}

// inScope resolves --only, once. The scheduled task names are read only
// when --only names something that is neither a service nor a task
// definition.
func (a *app) inScope(ctx context.Context) (*config.Project, *config.Scope, error) {
	p, err := a.loadProject(ctx)
	if err != nil || a.scope != nil {
		return p, a.scope, err
	}
	var names []string
	if p.Scheduled != nil && !p.Knows(a.Only) {
		tasks, err := scheduled.Load(p, p.Path, p.Scheduled)
		if err != nil {
			return nil, nil, config.Invalid(err)
		}
		names = scheduled.Names(tasks)
	}
	if a.scope, err = p.Scope(a.Only, names); err != nil {
		return nil, nil, config.Invalid(err)
	}
	return p, a.scope, nil
}

// needs is what a command works on of the definitions in scope.
type needs struct {
	command string // for messages: "deploy"
	// services: the services themselves, each checked against the task
	// definition it runs; otherwise only the services' task definitions
	// are read (a service definition's problem does not stop register).
	services bool
	// standalone: task_definitions entries too.
	standalone bool
	// noTaskDefinitions: the command works on services without a
	// task_definition (render services).
	noTaskDefinitions bool
}

// definitions renders and validates every definition in scope that the
// command needs. Any problem stops the command before it reaches AWS.
func (a *app) definitions(ctx context.Context, n needs) (*config.Project, *config.Scope, *ecs.Definitions, error) {
	p, scope, err := a.inScope(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if n.services {
		if err := p.ServicesNamed(); err != nil {
			return nil, nil, nil, err
		}
	}
	sel := scope.Selection()
	if !n.standalone {
		sel.TaskDefinitions = nil
	}
	sel.Services = slices.Clone(sel.Services) // the scope's stay as they are
	var missing []error
	for i, s := range sel.Services {
		if s.TaskDefinition == "" && !n.noTaskDefinitions {
			missing = append(missing, fmt.Errorf("%s: service %s has no %s, which %s needs; add it (status, scale, wait and rollback work without one)",
				p.Path, s.Name, p.ServiceKey(s.Name, "task_definition"), n.command))
		}
		if !n.services {
			sel.Services[i].ServiceDefinition = ""
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, nil, nil, config.Invalid(err)
	}
	defs, err := ecs.Load(ctx, p, sel)
	return p, scope, defs, config.Invalid(err)
}

// taskDefinitionsOnly is every task definition of the config, the
// services' and the standalone ones, without the service definitions:
// what scheduled tasks may run.
func taskDefinitionsOnly(p *config.Project) config.Selection {
	sel := config.Selection{TaskDefinitions: p.TaskDefinitions}
	for _, s := range p.Services {
		sel.Services = append(sel.Services, config.Service{Name: s.Name, TaskDefinition: s.TaskDefinition})
	}
	return sel
}

// serviceNames are the services in scope, for commands that act on running
// services; none is an error.
func (a *app) serviceNames(ctx context.Context) (*config.Project, []string, error) {
	p, scope, err := a.inScope(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := p.ServicesNamed(); err != nil {
		return nil, nil, err
	}
	if len(scope.Services) == 0 {
		return nil, nil, config.Invalid(fmt.Errorf("%s: no services in scope", p.Path))
	}
	return p, scope.ServiceNames(), nil
}

// ecsAPI is the ECS client for the project's region.
func (a *app) ecsAPI(ctx context.Context) (ECSAPI, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, err
	}
	return a.clients.ECS(ctx, p.Region)
}

// syncer is the config's scheduled tasks with every definition they may
// run, loaded and validated, and the clients to plan and sync them.
func (a *app) syncer(ctx context.Context, concurrency int) (*scheduled.Syncer, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, err
	}
	defs, err := ecs.Load(ctx, p, taskDefinitionsOnly(p))
	if err != nil {
		return nil, config.Invalid(err)
	}
	tasks, err := scheduled.LoadTasks(p, defs)
	if err != nil {
		return nil, err
	}
	s := &scheduled.Syncer{Config: p.Scheduled, ConfigPath: p.Path, Cluster: p.Cluster, Defs: defs, Tasks: tasks, Concurrency: concurrency}
	if s.Region, err = a.clients.Region(ctx, p.Region); err != nil {
		return nil, err
	}
	if s.ECS, err = a.clients.ECS(ctx, p.Region); err != nil {
		return nil, err
	}
	if s.Scheduler, s.Events, err = a.eventBridge(ctx, p.Region); err != nil {
		return nil, err
	}
	s.STS, err = a.clients.STS(ctx, p.Region)
	return s, err
}

// eventBridge are the clients of both scheduled backends.
func (a *app) eventBridge(ctx context.Context, region string) (scheduled.SchedulerAPI, scheduled.EventsAPI, error) {
	sched, err := a.clients.Scheduler(ctx, region)
	if err != nil {
		return nil, nil, err
	}
	events, err := a.clients.Events(ctx, region)
	return sched, events, err
}

// deployer builds an ecs.Deployer printing its progress on stderr; the
// caller ends the progress with Done.
func (a *app) deployer(api ecs.API) (*ecs.Deployer, *progress.Progress) {
	prog := progress.New(a.stderr, a.stderrTTY, a.color)
	return &ecs.Deployer{
		API:    api,
		Waiter: &ecs.Waiter{API: api, Progress: prog.Report},
		Started: func(r ecs.ServiceResult) {
			prog.Println("%s", rollout.Started(r))
		},
	}, prog
}

// autoScaling is the services' Application Auto Scaling; with prog, its
// changes are reported with the progress lines.
func (a *app) autoScaling(ctx context.Context, p *config.Project, prog *progress.Progress) (*ecs.AutoScaling, error) {
	api, err := a.clients.Scaling(ctx, p.Region)
	if err != nil {
		return nil, err
	}
	as := &ecs.AutoScaling{API: api, Cluster: ecs.ClusterName(p.Cluster)}
	if prog != nil {
		as.Said = func(line string) { prog.Println("%s", line) }
	}
	return as, nil
}

// provers are the clients the proofs run with: the pre-deploy tasks'
// runner and the canary, their lines with the deploy's progress.
func (a *app) provers(ctx context.Context, p *config.Project, api ECSAPI, pr *rollout.Proofs, prog *progress.Progress) (*rollout.Proofs, error) {
	logs := func(ctx context.Context, region string) (ecs.LogsAPI, error) {
		if region == "" {
			region = p.Region
		}
		return a.clients.Logs(ctx, region)
	}
	say := func(line string) { prog.Println("%s", line) }
	pr.Tasks = &ecs.TaskRun{API: api, Logs: logs, Line: say, Note: say}
	if len(pr.Canaries) > 0 {
		targets, err := a.clients.Targets(ctx, p.Region)
		if err != nil {
			return nil, err
		}
		pr.Canary = &ecs.Canary{API: api, Targets: targets, Logs: logs,
			Progress: func(service, line string) { prog.Println("%s: %s", service, line) }}
	}
	return pr, nil
}

// codeDeployer drives the CODE_DEPLOY services of a deploy through
// CodeDeploy: the deployment groups the config names, the config's AppSpec
// hooks, the stage to wait for; progress lines go with the others.
func (a *app) codeDeployer(ctx context.Context, p *config.Project, prog *progress.Progress, until appspec.Stage, rollbackEvents []string) (*appspec.Deployer, error) {
	api, err := a.clients.CodeDeploy(ctx, p.Region)
	if err != nil {
		return nil, err
	}
	hooks, err := appspec.Hooks(p.AppSpec)
	if err != nil {
		return nil, config.Invalid(fmt.Errorf("%s: %w", p.Path, err))
	}
	d := &appspec.Deployer{API: api, Groups: map[string]appspec.Group{}, Hooks: hooks, RollbackEvents: rollbackEvents, Until: until}
	if prog != nil {
		d.Progress = func(service, line string) { prog.Println("%s: %s", service, line) }
	}
	for _, s := range p.Services {
		if cd := s.CodeDeploy; cd != nil && cd.ApplicationName != "" && cd.DeploymentGroupName != "" {
			d.Groups[s.Name] = appspec.Group{Application: cd.ApplicationName, DeploymentGroup: cd.DeploymentGroupName}
		}
	}
	return d, nil
}

func ignoredTags(p *config.Project) []string {
	if p.Ignore == nil {
		return nil
	}
	return p.Ignore.Tags
}
