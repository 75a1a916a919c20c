package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/diffreport"
	"github.com/tamp-ecs/tamp/scheduled"
)

// ScheduledCmd groups the scheduled task commands.
type ScheduledCmd struct {
	Diff ScheduledDiffCmd `cmd:"" help:"Show what sync would change in the scheduled tasks."`
	Sync ScheduledSyncCmd `cmd:"" help:"Create and update the scheduled tasks as the config says."`
	Dump ScheduledDumpCmd `cmd:"" help:"Print the group's existing schedules as a list file, to adopt them."`
	Run  ScheduledRunCmd  `cmd:"" help:"Run a scheduled task now, as its schedule would, and exit with its container's exit code."`
	List ScheduledListCmd `cmd:"" help:"List the scheduled tasks the config declares, with their revision and next run."`
}

// ScheduledListCmd lists the declared tasks.
type ScheduledListCmd struct{}

// listedTask is one line of scheduled list.
type listedTask struct {
	Name           string `json:"name"`
	Schedule       string `json:"schedule"`
	Timezone       string `json:"timezone"`
	State          string `json:"state"`
	TaskDefinition string `json:"task_definition"` // family:revision a sync would use
	NextRun        string `json:"next_run,omitempty"`
}

func (c *ScheduledListCmd) Run(ctx context.Context, a *app) error {
	p, err := a.loadProject(ctx)
	if err != nil {
		return err
	}
	defs, err := ecs.Load(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
	if err != nil {
		return invalidInput{err}
	}
	tasks, err := loadScheduled(p, defs)
	if err != nil {
		return err
	}
	if tasks, err = onlyTasks(tasks, a.Only); err != nil {
		return invalidInput{err}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return err
	}
	arns, _, err := resolveTaskDefinitions(ctx, awsecs.NewFromConfig(cfg), tasks, defs, false, nil)
	if err != nil {
		return err
	}
	var rows []listedTask
	now := time.Now()
	for _, t := range tasks {
		row := listedTask{Name: t.Name, Schedule: t.Schedule, Timezone: t.Timezone, State: "ENABLED", TaskDefinition: shortRevision(arns[t.TaskDefinition])}
		if row.Timezone == "" {
			row.Timezone = "UTC"
		}
		if t.Disabled {
			row.State = "DISABLED"
		}
		if next, ok := t.NextRun(now); ok {
			row.NextRun = next.Format(time.RFC3339)
		}
		rows = append(rows, row)
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"scheduled_tasks": rows})
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSCHEDULE\tTIME ZONE\tSTATE\tTASK DEFINITION\tNEXT RUN")
	for _, r := range rows {
		next := r.NextRun
		if next == "" {
			next = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Schedule, r.Timezone, r.State, r.TaskDefinition, next)
	}
	return w.Flush()
}

// ScheduledRunCmd runs one scheduled task now.
type ScheduledRunCmd struct {
	Name   string `arg:"" help:"The scheduled task to run."`
	NoWait bool   `help:"Print the task ARN and return; do not wait for it to stop."`
}

func (c *ScheduledRunCmd) Run(ctx context.Context, a *app) error {
	p, err := a.loadProject(ctx)
	if err != nil {
		return err
	}
	defs, err := ecs.Load(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
	if err != nil {
		return invalidInput{err}
	}
	tasks, err := loadScheduled(p, defs)
	if err != nil {
		return err
	}
	if tasks, err = onlyTasks(tasks, []string{c.Name}); err != nil {
		return invalidInput{fmt.Errorf("scheduled run: %s", strings.TrimPrefix(err.Error(), "--only: "))}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return err
	}
	api := awsecs.NewFromConfig(cfg)
	// The revision the schedule runs after a sync: register (idempotently).
	t := tasks[0]
	arn, containers, err := runnableRevision(ctx, api, defs, t.TaskDefinition)
	if err != nil {
		return err
	}
	first := ""
	if len(containers) > 0 {
		first = aws.ToString(containers[0].Name)
	}
	in := scheduled.RunTaskInput(scheduled.Resolve(t, arn, first), clusterOf(p.Cluster))
	watch := scheduled.WatchedContainer(t)
	if watch == "" {
		watch = firstEssential(containers)
	}
	return a.runAndFollow(ctx, api, in, containers, watch, p.Region, c.NoWait)
}

// ScheduledDumpCmd prints existing schedules or rules as a list file.
type ScheduledDumpCmd struct {
	Prefix string `help:"events backend: dump the scheduled rules whose names start with this (owned or not)."`
}

func (c *ScheduledDumpCmd) Run(ctx context.Context, a *app) error {
	p, err := a.loadProject(ctx)
	if err != nil {
		return err
	}
	if p.Scheduled == nil {
		return invalidInput{fmt.Errorf("%s: scheduled dump needs a scheduled block naming the backend (and, for scheduler, the group)", p.Path)}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return err
	}
	var remote map[string]*scheduled.Task
	if p.Scheduled.Backend == config.BackendEvents {
		remote, err = (&scheduled.EventsBackend{API: eventbridge.NewFromConfig(cfg)}).Adopt(ctx, c.Prefix)
		if err != nil {
			return err
		}
	} else {
		var exists bool
		remote, exists, err = (&scheduled.SchedulerBackend{API: scheduler.NewFromConfig(cfg), Group: p.Scheduled.Group}).Remote(ctx)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("schedule group %s does not exist", p.Scheduled.Group)
		}
	}
	names := make([]string, 0, len(remote))
	for name := range remote {
		names = append(names, name)
	}
	slices.Sort(names)
	tasks := make([]*scheduled.Task, len(names))
	for i, name := range names {
		tasks[i] = remote[name]
	}
	out, err := scheduled.Dump(tasks)
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(out)
	return err
}

// ScheduledDiffCmd shows what sync would change.
type ScheduledDiffCmd struct {
	Format      string `enum:"unified,markdown,json" default:"unified" help:"unified, markdown or json (as for diff)."`
	ExitCode    bool   `help:"Exit 2 when anything differs, 0 when nothing does."`
	Concurrency int    `default:"8" help:"AWS requests at once."`
}

func (c *ScheduledDiffCmd) Run(ctx context.Context, a *app) error {
	plan, _, err := a.scheduledPlan(ctx, planOptions{concurrency: c.Concurrency, only: a.Only})
	if err != nil {
		return err
	}
	if err := writeReport(a, plan.Report, c.Format); err != nil {
		return err
	}
	if c.ExitCode && plan.Report.Differs() {
		return errDiffers
	}
	return nil
}

// ScheduledSyncCmd makes the scheduled tasks match the config.
type ScheduledSyncCmd struct {
	DryRun      bool `help:"Show the diff of what would change; change nothing."`
	Prune       bool `help:"Delete owned schedules the config no longer lists (refused with --only)."`
	DisableAll  bool `help:"Disable every scheduled task (maintenance); the next plain sync restores the config's states."`
	EnableAll   bool `help:"Enable every scheduled task."`
	Concurrency int  `default:"8" help:"AWS requests at once."`
}

func (c *ScheduledSyncCmd) Run(ctx context.Context, a *app) error {
	if c.Prune && len(a.Only) > 0 {
		return usageError{fmt.Errorf("--prune deletes what the config does not list, so it cannot be combined with --only")}
	}
	if c.Prune {
		if p, err := a.loadProject(ctx); err == nil && p.Scheduled != nil &&
			p.Scheduled.Backend == config.BackendScheduler && p.Scheduled.Group == "default" {
			return invalidInput{fmt.Errorf("%s: scheduled.group is the account's shared default group; --prune would delete other schedules there, so it is refused: give the config a group of its own", p.Path)}
		}
	}
	if c.DisableAll && c.EnableAll {
		return usageError{fmt.Errorf("--disable-all and --enable-all exclude each other")}
	}
	plan, backend, err := a.scheduledPlan(ctx, planOptions{register: !c.DryRun, disableAll: c.DisableAll, enableAll: c.EnableAll,
		concurrency: c.Concurrency, only: a.Only})
	if err != nil {
		return err
	}
	if c.DryRun {
		if err := writeReport(a, plan.Report, "unified"); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "dry run: %s; nothing was changed\n", plan.Report.Summary())
		return nil
	}
	return applyScheduled(ctx, a, plan, backend, c.Prune, c.Concurrency)
}

// applyScheduled makes a plan's changes and reports them in one line.
func applyScheduled(ctx context.Context, a *app, plan *scheduled.Plan, backend scheduled.Backend, prune bool, concurrency int) error {
	done, err := plan.Apply(ctx, backend, prune, concurrency)
	n := plan.Report.Counts()
	msg := fmt.Sprintf("scheduled: %d created, %d updated, %d unchanged", done[diffreport.Create], done[diffreport.Update], n[diffreport.Unchanged])
	if prune {
		msg += fmt.Sprintf(", %d deleted", done[diffreport.Delete])
	} else if n[diffreport.Delete] > 0 {
		msg += fmt.Sprintf("; %d owned schedules not in the config were left (--prune deletes them)", n[diffreport.Delete])
	}
	fmt.Fprintln(a.stderr, msg)
	return err
}

// planOptions say which scheduled tasks a plan covers and how their
// revisions are found.
type planOptions struct {
	register              bool // register config task definitions (else: what register would do)
	disableAll, enableAll bool
	concurrency           int
	only                  []string          // scheduled task names (scheduled --only)
	referencing           []string          // keep tasks whose task_definition is one of these (deploy / rollback --only)
	pinned                map[string]string // task_definition → revision ARN to use (rollback)
}

// scheduledPlan loads, validates and resolves the scheduled tasks and
// compares them with the backend. With register, the task definitions they
// name are registered (idempotently) first; without, what register would
// do is assumed.
func (a *app) scheduledPlan(ctx context.Context, o planOptions) (*scheduled.Plan, scheduled.Backend, error) {
	p, err := a.loadProject(ctx)
	if err != nil {
		return nil, nil, err
	}
	defs, err := ecs.Load(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
	if err != nil {
		return nil, nil, invalidInput{err}
	}
	tasks, err := loadScheduled(p, defs)
	if err != nil {
		return nil, nil, err
	}
	var allNames []string
	for _, t := range tasks {
		allNames = append(allNames, t.Name)
	}
	if tasks, err = onlyTasks(tasks, o.only); err != nil {
		return nil, nil, invalidInput{err}
	}
	if o.referencing != nil {
		tasks = slices.DeleteFunc(tasks, func(t *scheduled.Task) bool { return !slices.Contains(o.referencing, t.TaskDefinition) })
	}
	sc := p.Scheduled
	if sc.RoleArn == "" {
		return nil, nil, invalidInput{fmt.Errorf("%s: scheduled.role_arn is required: the role EventBridge runs the tasks with", p.Path)}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	ecsAPI := awsecs.NewFromConfig(cfg)
	arns, firsts, err := resolveTaskDefinitions(ctx, ecsAPI, tasks, defs, o.register, o.pinned)
	if err != nil {
		return nil, nil, err
	}
	clusterArn, err := clusterARN(ctx, cfg, clusterOf(p.Cluster), arns)
	if err != nil {
		return nil, nil, err
	}
	backend := scheduledBackend(cfg, sc, clusterArn, o.concurrency, allNames)
	remote, exists, err := backend.Remote(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(o.only) > 0 || o.referencing != nil {
		// Only the tasks in scope are compared; nothing else is to delete.
		for name := range remote {
			if !slices.ContainsFunc(tasks, func(t *scheduled.Task) bool { return t.Name == name }) {
				delete(remote, name)
			}
		}
	}
	var resolved []*scheduled.Task
	for _, t := range tasks {
		r := scheduled.Resolve(t, arns[t.TaskDefinition], firsts[t.TaskDefinition])
		r.ClusterArn = clusterArn
		if r.RoleArn == "" {
			r.RoleArn = sc.RoleArn
		}
		switch {
		case o.disableAll:
			r.Disabled = true
		case o.enableAll:
			r.Disabled = false
		}
		resolved = append(resolved, r)
	}
	plan, err := scheduled.MakePlan(resolved, remote, exists)
	return plan, backend, err
}

// scheduledBackend is the config's scheduled backend: EventBridge
// Scheduler's group, or EventBridge rules (names: every task's, for rules
// named like them).
func scheduledBackend(cfg aws.Config, sc *config.Scheduled, clusterArn string, concurrency int, names []string) scheduled.Backend {
	if sc.Backend == config.BackendEvents {
		return &scheduled.EventsBackend{API: eventbridge.NewFromConfig(cfg), Group: sc.Group, RoleArn: sc.RoleArn, ClusterArn: clusterArn,
			Concurrency: concurrency, Names: names}
	}
	return &scheduled.SchedulerBackend{API: scheduler.NewFromConfig(cfg), Group: sc.Group, RoleArn: sc.RoleArn, ClusterArn: clusterArn, Concurrency: concurrency}
}

// scheduledRevisionsInUse are the task definition revisions (ARNs) the
// config's scheduled tasks in AWS run now; none without a scheduled block.
func (a *app) scheduledRevisionsInUse(ctx context.Context, p *config.Project) (map[string]bool, error) {
	if p.Scheduled == nil {
		return nil, nil
	}
	// Only the rules backend needs the task names (rules named like them).
	// Called after changes were made: a problem is no invalid input.
	var names []string
	if p.Scheduled.Backend == config.BackendEvents {
		tasks, err := scheduled.Load(p, p.Path, p.Scheduled)
		if err != nil {
			return nil, fmt.Errorf("read the scheduled tasks: %w", err)
		}
		for _, t := range tasks {
			names = append(names, t.Name)
		}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return nil, err
	}
	remote, _, err := scheduledBackend(cfg, p.Scheduled, "", 8, names).Remote(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the scheduled tasks' revisions: %w", err)
	}
	used := map[string]bool{}
	for _, t := range remote {
		used[t.TaskDefinition] = true
	}
	return used, nil
}

func onlyTasks(tasks []*scheduled.Task, only []string) ([]*scheduled.Task, error) {
	if len(only) == 0 {
		return tasks, nil
	}
	var out []*scheduled.Task
	var names []string
	for _, t := range tasks {
		names = append(names, t.Name)
		if slices.Contains(only, t.Name) {
			out = append(out, t)
		}
	}
	for _, n := range only {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("--only: no scheduled task named %s; the config has %s", n, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// resolveTaskDefinitions maps each task's task_definition to the revision
// ARN it runs and its first container: config task definitions through
// register (or what register would do), others through describe.
func resolveTaskDefinitions(ctx context.Context, api *awsecs.Client, tasks []*scheduled.Task, defs *ecs.Definitions, register bool, pinned map[string]string) (map[string]string, map[string]string, error) {
	arns, firsts := map[string]string{}, map[string]string{}
	var local []*ecs.TaskDefinition
	for _, t := range tasks {
		if _, done := arns[t.TaskDefinition]; done {
			continue
		}
		arns[t.TaskDefinition] = ""
		td := findTaskDefinition(defs, t.TaskDefinition)
		if td != nil {
			firsts[t.TaskDefinition] = td.Containers[0]
		}
		if arn, ok := pinned[t.TaskDefinition]; ok {
			arns[t.TaskDefinition] = arn
			continue
		}
		if td != nil {
			local = append(local, td)
			continue
		}
		out, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(t.TaskDefinition)})
		if err != nil {
			return nil, nil, fmt.Errorf("scheduled task %s: task definition %s: %w", t.Name, t.TaskDefinition, err)
		}
		arns[t.TaskDefinition] = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		if len(out.TaskDefinition.ContainerDefinitions) > 0 {
			firsts[t.TaskDefinition] = aws.ToString(out.TaskDefinition.ContainerDefinitions[0].Name)
		}
	}
	if len(local) > 0 {
		results, err := ecs.Register(ctx, api, local, !register)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range results {
			arns[r.Name] = r.ARN
			if r.ARN == "" { // a dry run of a definition that would get a new revision
				arns[r.Name] = r.Family + ":(new revision)"
			}
		}
	}
	return arns, firsts, nil
}

func findTaskDefinition(defs *ecs.Definitions, name string) *ecs.TaskDefinition {
	for _, td := range defs.TaskDefinitions {
		if td.Name == name {
			return td
		}
	}
	return nil
}

// clusterARN is the cluster's ARN, from the account and region of a task
// definition ARN, else from STS.
func clusterARN(ctx context.Context, cfg aws.Config, cluster string, arns map[string]string) (string, error) {
	for _, arn := range arns {
		parts := strings.Split(arn, ":")
		if len(parts) >= 6 && parts[0] == "arn" {
			return fmt.Sprintf("arn:%s:ecs:%s:%s:cluster/%s", parts[1], parts[3], parts[4], cluster), nil
		}
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("find the account for the cluster ARN: %w", err)
	}
	return fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/%s", cfg.Region, aws.ToString(id.Account), cluster), nil
}
