package main

import (
	"context"
	"fmt"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/verify"
)

// DeployCmd registers task definitions and creates or updates services.
type DeployCmd struct {
	DryRun               bool   `help:"Show the diff of what would change; change nothing."`
	SkipTaskDefinition   bool   `help:"Keep the revision each service runs now (no register)."`
	LatestTaskDefinition bool   `help:"Use the family's latest ACTIVE revision (no register)."`
	Revision             int32  `placeholder:"N" help:"Use revision N of the family (no register)."`
	ForceNewDeployment   bool   `help:"Start a new deployment even when nothing changed (fresh tasks, new image pull)."`
	Tasks                *int32 `placeholder:"N" help:"Set the desired count."`
	NoWait               bool   `help:"Return once the change is made; do not follow the deployment."`
	WaitUntil            string `enum:"deployed,stable" default:"deployed" help:"deployed: the new revision's rollout COMPLETED; stable: also running = desired and no other deployment left."`
	RollbackOnFailure    bool   `help:"When a deployment fails, return the service to the revision it ran before and wait for that."`
	NoScheduled          bool   `help:"Do not repoint the scheduled tasks at the revisions deployed."`
	Verify               bool   `help:"Run verify first (its tree on stderr) and change nothing when a check is NG."`
}

func (c *DeployCmd) Run(ctx context.Context, a *app) error {
	source, err := c.revisionSource()
	if err != nil {
		return err
	}
	if c.Verify {
		// What deploy touches: the services, and the scheduled tasks (with
		// the task definitions they run) when it repoints them.
		repoints := !c.NoScheduled && !c.NoWait && !c.DryRun
		rep, err := a.verify(ctx, verifyOptions{scheduled: repoints, standalone: repoints, referencing: true})
		if err != nil {
			return err
		}
		if err := rep.WriteText(a.stderr, a.color); err != nil {
			return err
		}
		if rep.Failed() {
			return invalidInput{fmt.Errorf("%w: %d NG; deploy stopped", errVerifyNG, rep.Summary[verify.NG])}
		}
	}
	p, defs, err := a.loadDefinitions(ctx, true)
	if err != nil {
		return err
	}
	repoint := p.Scheduled != nil && !c.NoScheduled && !c.NoWait && !c.DryRun
	if repoint {
		// Checked now, before the first change, not after the services moved.
		all, err := ecs.Load(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
		if err != nil {
			return invalidInput{err}
		}
		if _, err := loadScheduled(p, all); err != nil {
			return err
		}
	}
	cfg, err := a.awsConfig(ctx, p)
	if err != nil {
		return err
	}
	api := awsecs.NewFromConfig(cfg)
	if c.DryRun {
		remote, err := ecs.Describe(ctx, api, clusterOf(p.Cluster), defs)
		if err != nil {
			return err
		}
		if err := ecs.CheckDeployable(defs, remote, c.options(p, source)); err != nil {
			return err
		}
		report, err := ecs.Diff(defs, remote, ignoredTags(p))
		if err != nil {
			return err
		}
		if err := writeReport(a, report, "unified"); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "dry run: %s; nothing was changed\n", report.Summary())
		return nil
	}
	prog := newProgress(a)
	defer prog.Done()
	results, err := a.deployer(api, prog).Deploy(ctx, defs, c.options(p, source))
	prog.Done()
	if err == nil && repoint {
		// The services run the new revisions: point the scheduled tasks
		// that use the config's task definitions at them too.
		err = a.repointScheduled(ctx, p, defs, nil)
	}
	if a.Output == "json" {
		if jerr := writeJSON(a, map[string]any{"services": results}); jerr != nil {
			return jerr
		}
	} else {
		for _, r := range results {
			if r.Err == nil && r.Waited {
				fmt.Fprintf(a.stderr, "%s: deployed %s\n", r.Name, shortRevision(r.TaskDefinition))
			}
			if r.RolledBackTo != "" {
				fmt.Fprintf(a.stderr, "%s: rolled back to %s after the failure\n", r.Name, shortRevision(r.RolledBackTo))
			}
		}
	}
	return err
}

func deployingWhat(r ecs.ServiceResult) string {
	if r.Action == ecs.ServiceUnchanged {
		return "runs " + shortRevision(r.TaskDefinition)
	}
	return "deploying " + shortRevision(r.TaskDefinition)
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
		Cluster:    clusterOf(p.Cluster),
		Revisions:  source,
		Revision:   c.Revision,
		ForceNew:   c.ForceNewDeployment,
		Tasks:      c.Tasks,
		NoWait:     c.NoWait,
		Until:      ecs.Until(c.WaitUntil),
		Timeout:    p.EffectiveTimeout(),
		IgnoreTags: ignoredTags(p),

		RollbackOnFailure: c.RollbackOnFailure,
	}
}

// shortRevision is family:revision of a task definition ARN.
func shortRevision(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// repointScheduled syncs the scheduled tasks that use task definitions in
// defs' scope (all with no --only): those registered in this run resolve to
// the revisions just registered or reused, and pinned ones (rollback) to
// the given revision. Other scheduled task settings are synced too.
func (a *app) repointScheduled(ctx context.Context, p *config.Project, defs *ecs.Definitions, pinned map[string]string) error {
	o := planOptions{register: true, concurrency: 8, pinned: pinned}
	if len(a.Only) > 0 {
		o.referencing = []string{}
		for _, td := range defs.TaskDefinitions {
			o.referencing = append(o.referencing, td.Name)
		}
	}
	plan, backend, err := a.scheduledPlan(ctx, o)
	if err != nil {
		return err
	}
	return applyScheduled(ctx, a, plan, backend, false, o.concurrency)
}
