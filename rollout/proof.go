package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// Proofs are what a deploy proves before it changes anything: the
// pre-deploy tasks, one after the other, then the canaries of the
// services about to run a new revision, all at once. Nothing changes
// unless every one passes.
type Proofs struct {
	Before []ecs.BeforeTask
	// BeforeDefs are the definitions the pre-deploy tasks run.
	BeforeDefs *ecs.Definitions
	// Tasks runs the pre-deploy tasks (following their logs).
	Tasks *ecs.TaskRun
	// Canaries are the services to prove, by name, and how.
	Canaries map[string]ecs.CanarySpec
	Canary   *ecs.Canary
}

// Proved is what the proofs did.
type Proved struct {
	Before   []ecs.BeforeResult  `json:"before,omitempty"`
	Canaries []*ecs.CanaryResult `json:"canaries,omitempty"`
}

// Empty tells proofs with nothing to do.
func (p *Proofs) Empty() bool { return p == nil || (len(p.Before) == 0 && len(p.Canaries) == 0) }

// run runs the pre-deploy tasks in order, stopping at the first that
// fails, then the canaries of the services in next that change revision
// (at most concurrency at once), into out.
func (p *Proofs) run(ctx context.Context, api ecs.API, cluster string, next []ecs.NextRevision, concurrency int, out *Proved) error {
	for _, b := range p.Before {
		res := ecs.RunBefore(ctx, api, p.Tasks, p.BeforeDefs, b, next)
		out.Before = append(out.Before, res)
		if res.Err != nil {
			return res.Err
		}
	}
	var mu sync.Mutex
	g := new(errgroup.Group)
	if concurrency <= 0 {
		concurrency = awsclient.Concurrency
	}
	g.SetLimit(concurrency)
	for _, n := range next {
		spec, ok := p.Canaries[n.Service.Name]
		if !ok {
			continue
		}
		if !n.Changes {
			if p.Canary.Progress != nil {
				p.Canary.Progress(n.Service.Name, fmt.Sprintf("no canary: the service already runs %s", ecs.ShortRevision(n.TaskDefinition)))
			}
			continue
		}
		res := &ecs.CanaryResult{Service: n.Service.Name}
		out.Canaries = append(out.Canaries, res)
		g.Go(func() error {
			r := p.Canary.Prove(ctx, cluster, n.Service, n.Remote, n.TaskDefinition, spec)
			mu.Lock()
			*res = r
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	var errs []error
	for _, r := range out.Canaries {
		errs = append(errs, r.Err)
	}
	return errors.Join(errs...)
}

// Plan is deploy --dry-run's account of the proofs: a line for each
// pre-deploy task and canary a deploy would run.
func (p *Proofs) Plan(defs *ecs.Definitions) []string {
	if p == nil {
		return nil
	}
	var lines []string
	for _, b := range p.Before {
		lines = append(lines, fmt.Sprintf("would run %s before any change", b.What()))
	}
	for _, s := range defs.Services {
		if spec, ok := p.Canaries[s.Name]; ok {
			lines = append(lines, fmt.Sprintf("would prove %s's new revision with a canary of %s", s.Name, spec.Describe(s)))
		}
	}
	return slices.Clip(lines)
}
