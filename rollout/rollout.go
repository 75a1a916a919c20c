// Package rollout runs the workflows that move a project's services and
// its scheduled tasks together. A deploy rolls out the services, then
// repoints the scheduled tasks at the revisions the services now run; a
// rollback sends the services back, moves the scheduled tasks with them,
// and only then deregisters what was rolled back from.
//
// It is a package of its own, above ecs and scheduled, because the order of
// those steps is the whole point: it is what keeps a schedule from ever
// running a revision that no deploy chose, or one that was deregistered
// under it. ecs knows services and scheduled knows schedules; neither
// should know the other's half of the sequence.
package rollout

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/diffreport"
	"github.com/tamp-ecs/tamp/scheduled"
)

// Rollout deploys and rolls back a project's services, keeping its
// scheduled tasks in step.
type Rollout struct {
	Deployer *ecs.Deployer
	// Scheduled syncs the config's scheduled tasks; nil when the config
	// has none.
	Scheduled *scheduled.Syncer
	// Proofs run before a deploy changes anything; nil: none.
	Proofs *Proofs
	// Scaling suspends and resumes the services' auto scaling around a
	// deploy or rollback; nil: never.
	Scaling *ecs.AutoScaling
}

// ScalingOptions say what happens to the services' auto scaling around a
// change.
type ScalingOptions struct {
	// Suspend suspends it once every input is checked, before the first
	// change, and restores each target's own state after, failure or not,
	// unless KeepSuspended.
	Suspend, KeepSuspended bool
	// Resume resumes it after the change, failure or not.
	Resume bool
}

// DeployOptions are deploy's choices.
type DeployOptions struct {
	ecs.DeployOptions
	// Repoint syncs the scheduled tasks after the services deployed.
	Repoint bool
	// Narrowed is deploy --only: only the scheduled tasks on the task
	// definitions in scope are repointed.
	Narrowed bool
	Scaling  ScalingOptions
}

// Deployed is what a deploy did.
type Deployed struct {
	Proved   Proved
	Services []ecs.ServiceResult
	// Scheduled is what the repoint did; nil when there was none.
	Scheduled *scheduled.Applied
}

// Deploy registers and rolls out the services in defs and, once every one
// of them is deployed, points the scheduled tasks that run the config's
// task definitions at the revisions just registered or reused. A failed
// service deploy leaves the scheduled tasks alone.
//
// With Proofs, the pre-deploy tasks and the canaries run once the
// revisions are registered, before any service or schedule changes; when
// one fails nothing else happens. Deploy returns once every canary has
// been stopped.
func (r *Rollout) Deploy(ctx context.Context, defs *ecs.Definitions, o DeployOptions) (Deployed, error) {
	var out Deployed
	if !r.Proofs.Empty() {
		if r.Proofs.Canary != nil {
			defer r.Proofs.Canary.Wait()
		}
		o.DeployOptions.Prove = func(ctx context.Context, next []ecs.NextRevision) error {
			return r.Proofs.run(ctx, r.Deployer.API, o.Cluster, next, o.Concurrency, &out.Proved)
		}
	}
	var names []string
	for _, s := range defs.Services {
		names = append(names, s.Name)
	}
	var restore func(context.Context) error
	if o.Scaling.Suspend && r.Scaling != nil {
		prove := o.DeployOptions.Prove
		o.DeployOptions.Prove = func(ctx context.Context, next []ecs.NextRevision) error {
			if prove != nil {
				if err := prove(ctx, next); err != nil {
					return err
				}
			}
			var err error
			restore, err = r.suspend(ctx, o.Cluster, names)
			return err
		}
	}
	results, err := r.Deployer.Deploy(ctx, defs, o.DeployOptions)
	err = errors.Join(err, r.afterScaling(ctx, o.Cluster, names, o.Scaling, restore))
	out.Services = results
	if err != nil || !o.Repoint || r.Scheduled == nil || o.NoWait {
		return out, err
	}
	po := scheduled.PlanOptions{Register: true}
	if o.Narrowed {
		po.Referencing = []string{}
		for _, td := range defs.TaskDefinitions {
			po.Referencing = append(po.Referencing, td.Name)
		}
	}
	applied, err := r.Scheduled.Sync(ctx, po)
	out.Scheduled = &applied
	return out, err
}

// ScaleOptions are scale's choices.
type ScaleOptions struct {
	Cluster  string
	Services []string
	// Tasks is the desired count to set; nil leaves it.
	Tasks *int32
	// Min and Max change the services' scalable targets (nil: as they
	// are); a service without one is an error, before any change.
	Min, Max *int32
	NoWait   bool
	Timeout  time.Duration
	Scaling  ScalingOptions
}

// Scale changes the services' auto scaling bounds, then their desired
// count (waiting until stable), with their auto scaling suspended around
// it when asked.
func (r *Rollout) Scale(ctx context.Context, o ScaleOptions) error {
	var targets map[string]*ecs.ScalableTarget
	if o.Min != nil || o.Max != nil {
		if r.Scaling == nil {
			return errors.New("--min and --max need Application Auto Scaling, which this scale cannot reach")
		}
		var err error
		if targets, err = ecs.ScalableTargets(ctx, r.Scaling.API, o.Cluster, o.Services); err != nil {
			return err
		}
		var missing []string
		for _, name := range o.Services {
			if targets[name] == nil {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("--min/--max: %s %s no Application Auto Scaling target; register one (aws application-autoscaling register-scalable-target) or leave out --min/--max",
				strings.Join(missing, ", "), map[bool]string{true: "has", false: "have"}[len(missing) == 1])
		}
	}
	return r.withScaling(ctx, o.Cluster, o.Services, o.Scaling, func() error {
		for _, name := range slices.Sorted(maps.Keys(targets)) {
			if err := r.Scaling.SetCapacity(ctx, targets[name], o.Min, o.Max); err != nil {
				return err
			}
		}
		if o.Tasks == nil {
			return nil
		}
		return r.Deployer.Scale(ctx, o.Cluster, o.Services, *o.Tasks, o.NoWait, o.Timeout)
	})
}

// withScaling makes a change with the services' auto scaling suspended
// around it (o.Suspend) and restored, or resumed (o.Resume), after it,
// whatever its outcome. A deploy suspends later, once every input is
// checked (Deploy's Prove hook), and restores the same way.
func (r *Rollout) withScaling(ctx context.Context, cluster string, names []string, o ScalingOptions, change func() error) error {
	var restore func(context.Context) error
	if o.Suspend && r.Scaling != nil {
		var err error
		if restore, err = r.suspend(ctx, cluster, names); err != nil {
			return errors.Join(err, r.afterScaling(ctx, cluster, names, o, restore))
		}
	}
	return errors.Join(change(), r.afterScaling(ctx, cluster, names, o, restore))
}

// suspend suspends the auto scaling of services (names) that have a
// scalable target, returning what restores it.
func (r *Rollout) suspend(ctx context.Context, cluster string, names []string) (func(context.Context) error, error) {
	targets, err := ecs.ScalableTargets(ctx, r.Scaling.API, cluster, names)
	if err != nil {
		return nil, err
	}
	return r.Scaling.Suspend(ctx, targets)
}

// afterScaling restores what suspend suspended (unless kept suspended)
// and, with Resume, resumes the services' auto scaling: after the change
// whatever its outcome, Ctrl-C included.
func (r *Rollout) afterScaling(ctx context.Context, cluster string, names []string, o ScalingOptions, restore func(context.Context) error) error {
	if r.Scaling == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var err error
	if restore != nil && !o.KeepSuspended {
		err = restore(ctx)
	}
	if o.Resume {
		targets, terr := ecs.ScalableTargets(ctx, r.Scaling.API, cluster, names)
		if terr == nil {
			terr = r.Scaling.Resume(ctx, targets)
		}
		err = errors.Join(err, terr)
	}
	return err
}

// Preview is deploy --dry-run: what deploy would change, refusing what
// deploy would refuse; nothing is changed.
func (r *Rollout) Preview(ctx context.Context, defs *ecs.Definitions, o ecs.DeployOptions) (diffreport.Report, error) {
	remote, err := ecs.Describe(ctx, r.Deployer.API, o.Cluster, defs)
	if err != nil {
		return diffreport.Report{}, err
	}
	if err := ecs.DescribeScaling(ctx, r.Deployer.Scaling, o.Cluster, remote); err != nil {
		return diffreport.Report{}, err
	}
	if err := ecs.CheckDeployable(defs, remote, o); err != nil {
		return diffreport.Report{}, err
	}
	return ecs.Diff(defs, remote, o.IgnoreTags)
}

// RollbackOptions are rollback's choices.
type RollbackOptions struct {
	ecs.RollbackOptions
	Services []string
	// Repoint moves the scheduled tasks with the services; with
	// Standalone (no --only) those on standalone task definitions go back
	// one revision too, as deploy moved them forward.
	Repoint, Standalone bool
	Scaling             ScalingOptions
}

// RolledBack is what a rollback did.
type RolledBack struct {
	Services []ecs.RollbackResult
	// Standalone are the standalone task definitions whose scheduled
	// tasks went back a revision.
	Standalone []Move
	Scheduled  *scheduled.Applied
	// Deregistering says a deregistration was tried: Services then say
	// which revisions were deregistered and which kept.
	Deregistering bool
}

// Move is a task definition's scheduled tasks going from one revision to
// another.
type Move struct {
	Name     string
	From, To string
}

// Rollback returns the services to their previous (or the named) revision,
// repoints the scheduled tasks at the revisions rolled back to, and only
// then, with Deregister, deregisters the revisions rolled back from that
// no service in the cluster and no scheduled task still runs.
func (r *Rollout) Rollback(ctx context.Context, o RollbackOptions) (RolledBack, error) {
	deregister := o.Deregister
	o.Deregister = false // last, below: after the schedules moved off those revisions
	scaling := o.Scaling
	if o.DryRun {
		scaling = ScalingOptions{} // a dry run changes nothing
	}
	var results []ecs.RollbackResult
	err := r.withScaling(ctx, o.Cluster, o.Services, scaling, func() error {
		var err error
		results, err = r.Deployer.Rollback(ctx, o.Services, o.RollbackOptions)
		return err
	})
	out := RolledBack{Services: results}
	if err == nil && o.Repoint && r.Scheduled != nil && !o.DryRun && !o.NoWait {
		err = r.repointBack(ctx, &out, o.Standalone)
	}
	if deregister && !o.DryRun && slices.ContainsFunc(out.Services, func(x ecs.RollbackResult) bool { return x.Changed && x.Err == nil }) {
		out.Deregistering = true
		err = errors.Join(err, r.deregister(ctx, out.Services, o.Cluster))
	}
	return out, err
}

// repointBack points the scheduled tasks on the rolled-back services' task
// definitions at the revisions rolled back to and, with standalone, those
// on standalone task definitions at the revision before their family's
// latest.
func (r *Rollout) repointBack(ctx context.Context, out *RolledBack, standalone bool) error {
	pinned := map[string]string{}
	for _, s := range out.Services {
		pinned[s.Name] = s.To
	}
	if standalone {
		for _, td := range r.Scheduled.Defs.TaskDefinitions {
			used := slices.ContainsFunc(r.Scheduled.Tasks, func(t *scheduled.Task) bool { return t.TaskDefinition == td.Name })
			if !used || r.Scheduled.Defs.FindService(td.Name) != nil {
				continue
			}
			previous, latest, err := r.Deployer.PreviousRevision(ctx, td.Family())
			if err != nil {
				return err
			}
			pinned[td.Name] = previous
			out.Standalone = append(out.Standalone, Move{Name: td.Name, From: latest, To: previous})
		}
	}
	po := scheduled.PlanOptions{Register: true, Pinned: pinned, Referencing: []string{}}
	for name := range pinned {
		po.Referencing = append(po.Referencing, name)
	}
	applied, err := r.Scheduled.Sync(ctx, po)
	out.Scheduled = &applied
	return err
}

// deregister deregisters the revisions rolled back from that are not in
// use; a revision whose use cannot be told is kept, and the result says why.
func (r *Rollout) deregister(ctx context.Context, results []ecs.RollbackResult, cluster string) error {
	var scheduledUse map[string]bool
	if r.Scheduled != nil {
		var err error
		if scheduledUse, err = r.Scheduled.RevisionsInUse(ctx); err != nil {
			for i := range results {
				if x := &results[i]; x.Err == nil && x.Changed {
					x.Err = fmt.Errorf("service %s: rolled back, but not deregistering %s: cannot tell whether a scheduled task uses it: %w", x.Name, ecs.ShortRevision(x.From), err)
					x.Error = x.Err.Error()
				}
			}
			return err
		}
	}
	return r.Deployer.DeregisterRolledBack(ctx, cluster, results, scheduledUse)
}
