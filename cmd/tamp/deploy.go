package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/progress"
	"github.com/tamp-ecs/tamp/rollout"
	"github.com/tamp-ecs/tamp/verify"
)

// DeployCmd registers task definitions and creates or updates services.
type DeployCmd struct {
	DryRun               bool     `help:"Show the diff of what would change; change nothing."`
	SkipTaskDefinition   bool     `help:"Keep the revision each service runs now (no register)."`
	LatestTaskDefinition bool     `help:"Use the family's latest ACTIVE revision (no register)."`
	Revision             int32    `placeholder:"N" help:"Use revision N of the family (no register)."`
	ForceNewDeployment   bool     `help:"Start a new deployment even when nothing changed (fresh tasks, new image pull)."`
	Tasks                *int32   `placeholder:"N" help:"Set the desired count."`
	NoWait               bool     `help:"Return once the change is made; do not follow the deployment."`
	WaitUntil            string   `default:"deployed" help:"deployed: the new revision's rollout COMPLETED; stable: also running = desired and no other deployment left; traffic-shifted: production traffic moved (CODE_DEPLOY and ECS blue/green, linear, canary services). CODE_DEPLOY services also take a lifecycle event (AfterAllowTestTraffic ...), ECS-native ones a lifecycle stage (BAKE_TIME ...)."`
	RollbackEvents       []string `placeholder:"EVENT,..." help:"CODE_DEPLOY services: turn on the deployment's automatic rollback for DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM and/or DEPLOYMENT_STOP_ON_REQUEST."`
	RollbackOnFailure    bool     `help:"When a deployment fails, return the service to the revision it ran before and wait for that."`
	NoScheduled          bool     `help:"Do not repoint the scheduled tasks at the revisions deployed."`
	Verify               bool     `help:"Run verify first (its tree on stderr) and change nothing when a check is NG."`
	Canary               bool     `help:"Prove every service's new revision with a canary before the service runs it (its canary block, else deploy.canary, else 1 task healthy for 10s within 5m and healthy in its target groups)."`
	SkipCanary           bool     `help:"Run no canary, not even those the config asks for."`
	SkipBefore           bool     `help:"Do not run the pre-deploy tasks (deploy.before, services[].before): an escape hatch, for a rerun after they ran."`
	autoScalingFlags
}

// autoScalingFlags are the auto scaling choices of deploy, rollback and
// scale.
type autoScalingFlags struct {
	SuspendAutoScaling       bool `help:"Suspend the services' Application Auto Scaling (dynamic and scheduled scaling) before the change and restore it after, failure or not."`
	KeepAutoScalingSuspended bool `help:"With --suspend-auto-scaling: leave it suspended after the change."`
	ResumeAutoScaling        bool `help:"Resume the services' Application Auto Scaling after the change, failure or not."`
}

func (f autoScalingFlags) options() (rollout.ScalingOptions, error) {
	if f.KeepAutoScalingSuspended && !f.SuspendAutoScaling {
		return rollout.ScalingOptions{}, usageError{fmt.Errorf("--keep-auto-scaling-suspended goes with --suspend-auto-scaling")}
	}
	if f.KeepAutoScalingSuspended && f.ResumeAutoScaling {
		return rollout.ScalingOptions{}, usageError{fmt.Errorf("--keep-auto-scaling-suspended and --resume-auto-scaling exclude each other")}
	}
	return rollout.ScalingOptions{Suspend: f.SuspendAutoScaling, KeepSuspended: f.KeepAutoScalingSuspended, Resume: f.ResumeAutoScaling}, nil
}

func (c *DeployCmd) Run(ctx context.Context, a *app) error {
	source, err := c.revisionSource()
	if err != nil {
		return err
	}
	stage, err := c.stage()
	if err != nil {
		return err
	}
	if c.Canary && c.SkipCanary {
		return usageError{fmt.Errorf("--canary and --skip-canary exclude each other; give one")}
	}
	repoint := !c.NoScheduled && !c.NoWait && !c.DryRun
	if c.Verify {
		// What deploy touches: the services, and the scheduled tasks (with
		// the task definitions they run) when it repoints them.
		rep, err := a.verify(ctx, verifyOptions{scheduled: repoint, standalone: repoint})
		if err != nil {
			return err
		}
		if err := rep.WriteText(a.stderr, a.color); err != nil {
			return err
		}
		if rep.Failed() {
			return config.Invalid(fmt.Errorf("%w: %d NG; deploy stopped", errVerifyNG, rep.Summary[verify.NG]))
		}
	}
	p, scope, defs, err := a.definitions(ctx, needs{command: "deploy", services: true})
	if err != nil {
		return err
	}
	r := &rollout.Rollout{}
	if p.Scheduled != nil && repoint {
		// Loaded and checked now, before the first change.
		if r.Scheduled, err = a.syncer(ctx, 0); err != nil {
			return err
		}
	}
	scaling, err := c.autoScalingFlags.options()
	if err != nil {
		return err
	}
	proofs, err := c.proofs(ctx, p, defs)
	if err != nil {
		return err
	}
	api, err := a.ecsAPI(ctx)
	if err != nil {
		return err
	}
	opts := c.options(p, source)
	as, err := a.autoScaling(ctx, p, nil)
	if err != nil {
		return err
	}
	if c.DryRun {
		r.Deployer = &ecs.Deployer{API: api, Scaling: as.API}
		report, err := r.Preview(ctx, defs, opts)
		if err != nil {
			return err
		}
		if err := writeReport(a, report, "unified"); err != nil {
			return err
		}
		for _, line := range proofs.Plan(defs) {
			fmt.Fprintln(a.stderr, line)
		}
		fmt.Fprintf(a.stderr, "dry run: %s; nothing was changed\n", report.Summary())
		return nil
	}
	var prog *progress.Progress
	r.Deployer, prog = a.deployer(api)
	defer prog.Done()
	if r.Deployer.CodeDeploy, err = a.codeDeployer(ctx, p, prog, stage, c.RollbackEvents); err != nil {
		return err
	}
	as.Said = func(line string) { prog.Println("%s", line) }
	r.Deployer.Scaling, r.Scaling = as.API, as
	if !proofs.Empty() {
		if r.Proofs, err = a.provers(ctx, p, api, proofs, prog); err != nil {
			return err
		}
	}
	done, err := r.Deploy(ctx, defs, rollout.DeployOptions{DeployOptions: opts, Repoint: repoint, Narrowed: scope.Narrowed(), Scaling: scaling})
	prog.Done()
	if a.Output != "json" {
		done.WriteText(a.stderr)
	} else if done.Scheduled != nil {
		fmt.Fprintln(a.stderr, done.Scheduled)
	}
	if a.Output == "json" {
		// Lists even when empty: a failed proof leaves no service result,
		// a deploy with canaries alone no pre-deploy task.
		if done.Services == nil {
			done.Services = []ecs.ServiceResult{}
		}
		doc := map[string]any{"services": done.Services}
		if !proofs.Empty() {
			if done.Proved.Before == nil {
				done.Proved.Before = []ecs.BeforeResult{}
			}
			if done.Proved.Canaries == nil {
				done.Proved.Canaries = []*ecs.CanaryResult{}
			}
			doc["before"], doc["canaries"] = done.Proved.Before, done.Proved.Canaries
		}
		return errors.Join(err, writeJSON(a, doc))
	}
	return err
}

// proofs are the pre-deploy tasks and canaries of this deploy (what the
// flags leave of the config's), read and checked before any change.
func (c *DeployCmd) proofs(ctx context.Context, p *config.Project, defs *ecs.Definitions) (*rollout.Proofs, error) {
	var names []string
	for _, s := range defs.Services {
		names = append(names, s.Name)
	}
	pr := &rollout.Proofs{}
	if !c.SkipBefore {
		tasks, err := ecs.BeforeTasks(p.Config, ecs.ClusterName(p.Cluster), names)
		if err != nil {
			return nil, config.Invalid(err)
		}
		if len(tasks) > 0 {
			pr.Before = tasks
			if pr.BeforeDefs, err = ecs.Load(ctx, p, ecs.BeforeSelection(p.Config, tasks)); err != nil {
				return nil, config.Invalid(err)
			}
		}
	}
	if !c.SkipCanary {
		pr.Canaries = ecs.CanarySpecs(p.Config, names, c.Canary)
	}
	return pr, nil
}

// stage reads --wait-until and --rollback-events: the stages of rolling
// deployments, or of CodeDeploy ones (rolling services then wait until
// deployed).
func (c *DeployCmd) stage() (appspec.Stage, error) {
	for _, e := range c.RollbackEvents {
		if !slices.Contains(appspec.RollbackEvents, e) {
			return appspec.Stage{}, usageError{fmt.Errorf("--rollback-events %q: use %s", e, strings.Join(appspec.RollbackEvents, ", "))}
		}
	}
	stage, err := appspec.ParseStage(c.WaitUntil)
	if err != nil {
		return stage, usageError{err}
	}
	return stage, nil
}

func (c *DeployCmd) revisionSource() (ecs.RevisionSource, error) {
	n := 0
	source := ecs.RegisterLocal
	if c.SkipTaskDefinition {
		n, source = n+1, ecs.KeepCurrent
	}
	if c.LatestTaskDefinition {
		n, source = n+1, ecs.LatestActive
	}
	if c.Revision != 0 {
		n, source = n+1, ecs.FixedRevision
	}
	if n > 1 {
		return 0, usageError{fmt.Errorf("--skip-task-definition, --latest-task-definition and --revision exclude each other; give one")}
	}
	if c.Revision < 0 || (c.Tasks != nil && *c.Tasks < 0) {
		return 0, usageError{fmt.Errorf("--revision and --tasks take a number of 0 or more")}
	}
	return source, nil
}

func (c *DeployCmd) options(p *config.Project, source ecs.RevisionSource) ecs.DeployOptions {
	return ecs.DeployOptions{
		Cluster:    ecs.ClusterName(p.Cluster),
		Revisions:  source,
		Revision:   c.Revision,
		ForceNew:   c.ForceNewDeployment,
		Tasks:      c.Tasks,
		NoWait:     c.NoWait,
		Until:      rollingUntil(c.WaitUntil),
		Timeout:    p.EffectiveTimeout(),
		IgnoreTags: ignoredTags(p),

		RollbackOnFailure: c.RollbackOnFailure,
	}
}

// rollingUntil is --wait-until for services ECS deploys itself: a
// CodeDeploy lifecycle event means the rollout's end for them, as does a
// lifecycle stage for a rolling service (ecs.Waiter knows which is which).
func rollingUntil(s string) ecs.Until {
	if ecs.Until(s) == ecs.UntilStable {
		return ecs.UntilStable
	}
	if until, ok := ecs.StageUntil(s); ok {
		return until // rolling services wait until deployed
	}
	return ecs.UntilDeployed
}
