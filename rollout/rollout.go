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
	"slices"

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
}

// DeployOptions are deploy's choices.
type DeployOptions struct {
	ecs.DeployOptions
	// Repoint syncs the scheduled tasks after the services deployed.
	Repoint bool
	// Narrowed is deploy --only: only the scheduled tasks on the task
	// definitions in scope are repointed.
	Narrowed bool
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
	results, err := r.Deployer.Deploy(ctx, defs, o.DeployOptions)
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

// Preview is deploy --dry-run: what deploy would change, refusing what
// deploy would refuse; nothing is changed.
func (r *Rollout) Preview(ctx context.Context, defs *ecs.Definitions, o ecs.DeployOptions) (diffreport.Report, error) {
	remote, err := ecs.Describe(ctx, r.Deployer.API, o.Cluster, defs)
	if err != nil {
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
	results, err := r.Deployer.Rollback(ctx, o.Services, o.RollbackOptions)
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
