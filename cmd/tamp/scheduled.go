package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/scheduled"
)

// ScheduledCmd groups the scheduled task commands.
type ScheduledCmd struct {
	Diff ScheduledDiffCmd `cmd:"" help:"Show what sync would change in the scheduled tasks."`
	Sync ScheduledSyncCmd `cmd:"" help:"Create and update the scheduled tasks as the config says."`
	Dump ScheduledDumpCmd `cmd:"" help:"Print the group's existing schedules (or rules) as a list file, to adopt them."`
	Run  ScheduledRunCmd  `cmd:"" help:"Run a scheduled task now, as its schedule would, and exit with its container's exit code."`
	List ScheduledListCmd `cmd:"" help:"List the scheduled tasks the config declares, with their revision and next run."`

	Delete ScheduledDeleteCmd `cmd:"" help:"Delete one schedule (or rule) the config owns."`
	Logs   ScheduledLogsCmd   `cmd:"" help:"Show a schedule's last runs (exit codes) and their CloudWatch Logs lines."`
}

// ScheduledListCmd lists the declared tasks.
type ScheduledListCmd struct{}

func (c *ScheduledListCmd) Run(ctx context.Context, a *app) error {
	s, o, err := a.scheduledScope(ctx, 0)
	if err != nil {
		return err
	}
	rows, err := s.List(ctx, o, time.Now())
	if err != nil {
		return err
	}
	if a.Output == "json" {
		return writeJSON(a, map[string]any{"scheduled_tasks": rows})
	}
	return scheduled.WriteList(a.stdout, rows)
}

// ScheduledRunCmd runs one scheduled task now.
type ScheduledRunCmd struct {
	Name   string `arg:"" predictor:"tasks" help:"The scheduled task to run."`
	NoWait bool   `help:"Print the task ARN and return; do not wait for it to stop."`
}

func (c *ScheduledRunCmd) Run(ctx context.Context, a *app) error {
	s, err := a.syncer(ctx, 0)
	if err != nil {
		return err
	}
	in, containers, watch, err := s.RunNow(ctx, c.Name)
	if err != nil {
		return err
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	return a.taskRun(api, c.NoWait).Run(ctx, in, containers, watch, c.NoWait)
}

// prove runs --canary's task, its log on stderr (stdout stays the sync's).
func (c *ScheduledSyncCmd) prove(ctx context.Context, a *app, s *scheduled.Syncer) error {
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	run := a.taskRun(api, false)
	run.Line = func(line string) { fmt.Fprintf(a.stderr, "%s | %s\n", c.Canary, line) }
	if err := s.Prove(ctx, c.Canary, run); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "canary %s exited 0\n", c.Canary)
	return nil
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
		return config.Invalid(fmt.Errorf("%s: scheduled dump needs a scheduled block naming the backend (and, for scheduler, the group)", p.Path))
	}
	sched, events, err := a.eventBridge(ctx, p.Region)
	if err != nil {
		return err
	}
	tasks, err := scheduled.Existing(ctx, p.Scheduled, sched, events, c.Prefix)
	if err != nil {
		return err
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
	Concurrency int    `default:"${concurrency}" help:"AWS requests at once."`
}

func (c *ScheduledDiffCmd) Run(ctx context.Context, a *app) error {
	s, o, err := a.scheduledScope(ctx, c.Concurrency)
	if err != nil {
		return err
	}
	plan, err := s.Plan(ctx, o)
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
	DryRun      bool   `help:"Show the diff of what would change; change nothing."`
	Prune       bool   `help:"Delete owned schedules the config no longer lists (refused with --only)."`
	DisableAll  bool   `help:"Disable every scheduled task (maintenance); the next plain sync restores the config's states."`
	EnableAll   bool   `help:"Enable every scheduled task."`
	Concurrency int    `default:"${concurrency}" help:"AWS requests at once."`
	Canary      string `placeholder:"NAME" help:"Before changing any schedule, run this scheduled task once on the revision the sync points it at (as scheduled run does); change nothing unless it exits 0."`
}

func (c *ScheduledSyncCmd) Run(ctx context.Context, a *app) error {
	switch {
	case c.Prune && len(a.Only) > 0:
		return usageError{fmt.Errorf("--prune deletes what the config does not list, so it cannot be combined with --only")}
	case c.DisableAll && c.EnableAll:
		return usageError{fmt.Errorf("--disable-all and --enable-all exclude each other")}
	}
	if c.Prune {
		if p, err := a.loadProject(ctx); err == nil && p.Scheduled != nil &&
			p.Scheduled.Backend == config.BackendScheduler && p.Scheduled.Group == "default" {
			return config.Invalid(fmt.Errorf("%s: scheduled.group is the account's shared default group; --prune would delete other schedules there, so it is refused: give the config a group of its own", p.Path))
		}
	}
	s, o, err := a.scheduledScope(ctx, c.Concurrency)
	if err != nil {
		return err
	}
	if c.Canary != "" && !slices.Contains(scheduled.Names(s.Tasks), c.Canary) {
		return config.Invalid(fmt.Errorf("--canary: no scheduled task named %s; the config has %s", c.Canary, strings.Join(scheduled.Names(s.Tasks), ", ")))
	}
	o.Register, o.DisableAll, o.EnableAll = !c.DryRun, c.DisableAll, c.EnableAll
	plan, err := s.Plan(ctx, o)
	if err != nil {
		return err
	}
	if c.DryRun {
		if err := writeReport(a, plan.Report, "unified"); err != nil {
			return err
		}
		if c.Canary != "" && plan.Report.Differs() {
			fmt.Fprintf(a.stderr, "would run %s once first, and change nothing unless it exits 0\n", c.Canary)
		}
		fmt.Fprintf(a.stderr, "dry run: %s; nothing was changed\n", plan.Report.Summary())
		return nil
	}
	if c.Canary != "" {
		if !plan.Report.Differs() {
			fmt.Fprintf(a.stderr, "nothing to change: %s not run\n", c.Canary)
		} else if err := c.prove(ctx, a, s); err != nil {
			return err
		}
	}
	applied, err := plan.Apply(ctx, c.Prune)
	fmt.Fprintln(a.stderr, applied)
	return err
}

// scheduledScope is the syncer and the plan options for the scheduled
// tasks --only leaves in scope.
func (a *app) scheduledScope(ctx context.Context, concurrency int) (*scheduled.Syncer, scheduled.PlanOptions, error) {
	_, scope, err := a.inScope(ctx)
	if err != nil {
		return nil, scheduled.PlanOptions{}, err
	}
	s, err := a.syncer(ctx, concurrency)
	return s, scheduled.ScopeOptions(scope), err
}

// taskRun runs one-off tasks: the ARN on stdout with noWait (it is the
// command's result), the watched container's log lines on stdout.
func (a *app) taskRun(api ecs.RunAPI, noWait bool) *ecs.TaskRun {
	return &ecs.TaskRun{API: api,
		Logs: func(ctx context.Context, region string) (ecs.LogsAPI, error) {
			if region == "" {
				region = a.project.Region
			}
			return a.clients.Logs(ctx, region)
		},
		Started: func(arns []string) {
			for _, arn := range arns {
				if noWait {
					fmt.Fprintln(a.stdout, arn)
				} else {
					fmt.Fprintf(a.stderr, "started %s\n", arn)
				}
			}
		},
		Line: func(line string) { fmt.Fprintln(a.stdout, line) },
		Note: func(note string) { fmt.Fprintln(a.stderr, note) },
	}
}
