package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/scheduled"
)

// serviceScope is the project, its ECS client and the names of the
// services --only leaves in scope, for commands that act on running
// services rather than on definitions.
type serviceScope struct {
	project *config.Project
	api     *awsecs.Client
	names   []string
}

func (a *app) services(ctx context.Context) (*serviceScope, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, err
	}
	sel, err := p.Select(a.Only)
	if err != nil {
		return nil, invalidInput{err}
	}
	if len(sel.Services) == 0 {
		return nil, invalidInput{fmt.Errorf("%s: no services in scope", p.Path)}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return nil, err
	}
	s := &serviceScope{project: p, api: awsecs.NewFromConfig(cfg)}
	for _, svc := range sel.Services {
		s.names = append(s.names, svc.Name)
	}
	return s, nil
}

// deployer builds an ecs.Deployer printing its progress.
func (a *app) deployer(api ecs.API, prog *progress) *ecs.Deployer {
	return &ecs.Deployer{
		API:    api,
		Waiter: &ecs.Waiter{API: api, Progress: prog.Report},
		Started: func(r ecs.ServiceResult) {
			prog.Println("%s: %s, %s", r.Name, r.Action, deployingWhat(r))
		},
	}
}

// RollbackCmd returns services to the previous revision.
type RollbackCmd struct {
	Revision                 int32  `placeholder:"N" help:"Roll back to revision N of the family instead of the previous ACTIVE one."`
	DeregisterTaskDefinition bool   `help:"Deregister the revision rolled back from (never one a service still runs)."`
	DryRun                   bool   `help:"Say what would be rolled back; change nothing."`
	NoWait                   bool   `help:"Return once the rollback is started."`
	NoScheduled              bool   `help:"Do not repoint scheduled tasks at the rolled-back revisions."`
	WaitUntil                string `enum:"deployed,stable" default:"deployed" help:"When the rollback counts as done (as for deploy)."`
}

func (c *RollbackCmd) Run(ctx context.Context, a *app) error {
	s, err := a.services(ctx)
	if err != nil {
		return err
	}
	prog := newProgress(a)
	defer prog.Done()
	cluster := clusterOf(s.project.Cluster)
	d := a.deployer(s.api, prog)
	// Deregistration comes last, after the scheduled tasks moved off the
	// revisions rolled back from.
	results, err := d.Rollback(ctx, s.names, ecs.RollbackOptions{
		Cluster: cluster, Revision: c.Revision, DryRun: c.DryRun, NoWait: c.NoWait,
		Until: ecs.Until(c.WaitUntil), Timeout: s.project.EffectiveTimeout(),
	})
	prog.Done()
	if a.Output != "json" {
		for _, r := range results {
			if r.To == "" || (!c.DryRun && (r.Err != nil || !r.Changed)) {
				continue
			}
			switch {
			case c.DryRun:
				fmt.Fprintf(a.stderr, "%s: would roll back %s -> %s\n", r.Name, shortRevision(r.From), shortRevision(r.To))
			case r.Stopped:
				fmt.Fprintf(a.stderr, "%s: rolled back %s -> %s (stopped the deployment in progress)\n", r.Name, shortRevision(r.From), shortRevision(r.To))
			default:
				fmt.Fprintf(a.stderr, "%s: rolled back %s -> %s\n", r.Name, shortRevision(r.From), shortRevision(r.To))
			}
		}
		if c.DryRun && err == nil {
			fmt.Fprintln(a.stderr, "dry run: nothing was changed")
		}
	}
	if err == nil && !c.DryRun && !c.NoWait && s.project.Scheduled != nil && !c.NoScheduled {
		// Scheduled tasks on a rolled-back service's task definition follow
		// it; those on a standalone task definition go back one revision
		// too (without --only), as deploy moved them forward.
		pinned := map[string]string{}
		for _, r := range results {
			pinned[r.Name] = r.To
		}
		if len(a.Only) == 0 {
			err = a.previousStandalone(ctx, s, pinned)
		}
		if err == nil {
			err = a.repointScheduledTo(ctx, s.project, pinned)
		}
	}
	if c.DeregisterTaskDefinition && !c.DryRun && slices.ContainsFunc(results, func(r ecs.RollbackResult) bool { return r.Changed && r.Err == nil }) {
		err = errors.Join(err, a.deregisterRolledBack(ctx, s.project, d, cluster, results))
	}
	if a.Output == "json" {
		if jerr := writeJSON(a, map[string]any{"dry_run": c.DryRun, "services": results}); jerr != nil {
			return jerr
		}
	}
	return err
}

// deregisterRolledBack deregisters the revisions rolled back from that no
// service in the cluster and no scheduled task of the config still uses.
func (a *app) deregisterRolledBack(ctx context.Context, p *config.Project, d *ecs.Deployer, cluster string, results []ecs.RollbackResult) error {
	scheduledUse, err := a.scheduledRevisionsInUse(ctx, p)
	if err != nil {
		for i := range results {
			if r := &results[i]; r.Err == nil && r.Changed {
				r.Err = fmt.Errorf("service %s: rolled back, but not deregistering %s: cannot tell whether a scheduled task uses it: %w", r.Name, shortRevision(r.From), err)
				r.Error = r.Err.Error()
			}
		}
		return err
	}
	err = d.DeregisterRolledBack(ctx, cluster, results, scheduledUse)
	if a.Output != "json" {
		for _, r := range results {
			switch {
			case r.Deregistered:
				fmt.Fprintf(a.stderr, "%s: deregistered %s\n", r.Name, shortRevision(r.From))
			case r.Err == nil && r.Changed:
				fmt.Fprintf(a.stderr, "%s: kept %s: still in use\n", r.Name, shortRevision(r.From))
			}
		}
	}
	return err
}

// previousStandalone pins the standalone task definitions the scheduled
// tasks use to the revision before their family's latest.
func (a *app) previousStandalone(ctx context.Context, s *serviceScope, pinned map[string]string) error {
	defs, err := ecs.Load(ctx, s.project, config.Selection{TaskDefinitions: s.project.TaskDefinitions})
	if err != nil {
		return invalidInput{err}
	}
	tasks, err := loadScheduled(s.project, defs)
	if err != nil {
		return err
	}
	d := &ecs.Deployer{API: s.api}
	for _, td := range defs.TaskDefinitions {
		used := slices.ContainsFunc(tasks, func(t *scheduled.Task) bool { return t.TaskDefinition == td.Name })
		if !used {
			continue
		}
		previous, latest, err := d.PreviousRevision(ctx, td.Family())
		if err != nil {
			return err
		}
		pinned[td.Name] = previous
		fmt.Fprintf(a.stderr, "%s: scheduled tasks go back %s -> %s\n", td.Name, shortRevision(latest), shortRevision(previous))
	}
	return nil
}

// repointScheduledTo points the scheduled tasks using the named config task
// definitions at the given revisions, leaving the others alone.
func (a *app) repointScheduledTo(ctx context.Context, p *config.Project, pinned map[string]string) error {
	o := planOptions{register: true, concurrency: 8, pinned: pinned, referencing: []string{}}
	for name := range pinned {
		o.referencing = append(o.referencing, name)
	}
	plan, backend, err := a.scheduledPlan(ctx, o)
	if err != nil {
		return err
	}
	return applyScheduled(ctx, a, plan, backend, false, o.concurrency)
}

// WaitCmd follows the services' current deployments.
type WaitCmd struct {
	WaitUntil string `enum:"deployed,stable" default:"deployed" help:"When a deployment counts as done (as for deploy)."`
}

func (c *WaitCmd) Run(ctx context.Context, a *app) error {
	s, err := a.services(ctx)
	if err != nil {
		return err
	}
	prog := newProgress(a)
	defer prog.Done()
	err = a.deployer(s.api, prog).WaitCurrent(ctx, clusterOf(s.project.Cluster), s.names, ecs.Until(c.WaitUntil), s.project.EffectiveTimeout())
	prog.Done()
	if err == nil {
		fmt.Fprintf(a.stderr, "%s: deployed\n", strings.Join(s.names, ", "))
	}
	return err
}

// ScaleCmd changes the desired count.
type ScaleCmd struct {
	Tasks  int32 `required:"" placeholder:"N" help:"The desired count."`
	NoWait bool  `help:"Return once the count is set."`
}

func (c *ScaleCmd) Run(ctx context.Context, a *app) error {
	if c.Tasks < 0 {
		return usageError{fmt.Errorf("--tasks takes a number of 0 or more")}
	}
	s, err := a.services(ctx)
	if err != nil {
		return err
	}
	prog := newProgress(a)
	defer prog.Done()
	err = a.deployer(s.api, prog).Scale(ctx, clusterOf(s.project.Cluster), s.names, c.Tasks, c.NoWait, s.project.EffectiveTimeout())
	prog.Done()
	if err == nil {
		fmt.Fprintf(a.stderr, "%s: scaled to %d\n", strings.Join(s.names, ", "), c.Tasks)
	}
	return err
}

// StatusCmd shows the services' deployments and recent events.
type StatusCmd struct {
	Events int `default:"5" placeholder:"N" help:"How many recent service events to show."`
}

func (c *StatusCmd) Run(ctx context.Context, a *app) error {
	s, err := a.services(ctx)
	if err != nil {
		return err
	}
	statuses, err := ecs.Status(ctx, s.api, clusterOf(s.project.Cluster), s.names, c.Events)
	if err != nil {
		return err
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"services": statuses})
	}
	var b strings.Builder
	for i, st := range statuses {
		if i > 0 {
			b.WriteString("\n")
		}
		if !st.Exists {
			fmt.Fprintf(&b, "service %s: does not exist (deploy creates it)\n", st.Name)
			continue
		}
		fmt.Fprintf(&b, "service %s: %s, task definition %s, desired %d running %d pending %d\n",
			st.Name, st.Status, shortRevision(st.TaskDefinition), st.Desired, st.Running, st.Pending)
		for _, d := range st.Deployments {
			fmt.Fprintf(&b, "  deployment %s %s %s: desired %d running %d pending %d failed %d, since %s\n",
				d.Status, shortRevision(d.TaskDefinition), d.Rollout, d.Desired, d.Running, d.Pending, d.Failed, d.CreatedAt.Local().Format("2006-01-02 15:04:05"))
		}
		for _, e := range st.Events {
			fmt.Fprintf(&b, "  %s %s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Message)
		}
	}
	_, err = fmt.Fprint(a.stdout, b.String())
	return err
}
