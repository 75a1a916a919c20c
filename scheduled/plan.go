package scheduled

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/internal/diffreport"
)

// Backend is where scheduled tasks live: EventBridge Scheduler (the
// schedules of a schedule group, SchedulerBackend) or EventBridge rules
// (rules tagged with the group, EventsBackend). Remote reads what the
// config owns (and, on the rules backend, the rules named like its tasks,
// which a sync adopts), so a plan deletes nothing the config does not own.
type Backend interface {
	Remote(ctx context.Context) (tasks map[string]*Task, ownerExists bool, err error)
	Put(ctx context.Context, t *Task, exists bool) error
	Delete(ctx context.Context, name string) error
	EnsureGroup(ctx context.Context) error
}

// Plan is what a sync would do: each task created, updated or left, and
// the owned tasks the config no longer lists (deleted with prune).
type Plan struct {
	Report      diffreport.Report
	puts        []put
	deletes     []string
	ownerExists bool
	// writeTimeout bounds each change once started (defaultWriteTimeout
	// when 0).
	writeTimeout time.Duration
}

type put struct {
	task   *Task
	exists bool
}

// MakePlan compares resolved local tasks with what the backend holds.
func MakePlan(local []*Task, remote map[string]*Task, ownerExists bool) (*Plan, error) {
	p := &Plan{ownerExists: ownerExists}
	listed := map[string]bool{}
	for _, t := range local {
		listed[t.Name] = true
		var before []byte
		r, exists := remote[t.Name]
		if exists {
			before = doc(r)
		}
		c, err := diffreport.NewChange("schedule "+t.Name, "", before, doc(t))
		if err != nil {
			return nil, err
		}
		p.Report.Changes = append(p.Report.Changes, c)
		if c.Action != diffreport.Unchanged {
			p.puts = append(p.puts, put{task: t, exists: exists})
		}
	}
	var gone []string
	for name := range remote {
		if !listed[name] {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	for _, name := range gone {
		c, err := diffreport.NewChange("schedule "+name, "", doc(remote[name]), nil)
		if err != nil {
			return nil, err
		}
		p.Report.Changes = append(p.Report.Changes, c)
		p.deletes = append(p.deletes, name)
	}
	return p, nil
}

func doc(t *Task) []byte {
	b, err := awsjson.Marshal(t)
	if err != nil {
		panic("scheduled: " + err.Error())
	}
	return b
}

// Apply makes the plan's changes, at most limit at once
// (awsclient.Concurrency when 0); deletions only with prune, and only
// once every create and update succeeded. It returns what it did and
// every error.
//
// A change once started is seen through to its answer: it runs on a
// context that ctx's cancellation does not reach, bounded by a timeout,
// so an interrupt never leaves a rule without its target or a write whose
// outcome is unknown. Once ctx is done no further change starts; those
// are counted as not started, and ctx's error is returned once (with any
// other failure), not once per change.
func (p *Plan) Apply(ctx context.Context, b Backend, prune bool, limit int) (Applied, error) {
	a := Applied{Unchanged: p.Report.Counts()[diffreport.Unchanged], Pruned: prune}
	if !prune {
		a.Left = len(p.deletes)
	}
	pending := len(p.puts)
	if prune {
		pending += len(p.deletes)
	}
	if pending == 0 {
		return a, nil
	}
	if len(p.puts) > 0 && !p.ownerExists {
		if err := ctx.Err(); err != nil {
			a.NotStarted = pending
			return a, err
		}
		if err := p.write(ctx, b.EnsureGroup); err != nil {
			return a, err
		}
	}
	byName := map[string]put{}
	var names []string
	for _, x := range p.puts {
		byName[x.task.Name] = x
		names = append(names, x.task.Name)
	}
	var mu sync.Mutex
	count := func(n *int) {
		mu.Lock()
		*n++
		mu.Unlock()
	}
	// forEach gets a context that is never done: whether a change starts
	// is decided here, against ctx, so one not started is counted rather
	// than reported as an error of its own.
	each := func(items []string, fn func(ctx context.Context, name string) error) error {
		return forEach(context.WithoutCancel(ctx), items, limit, func(name string) error {
			if ctx.Err() != nil {
				count(&a.NotStarted)
				return nil
			}
			return p.write(ctx, func(ctx context.Context) error { return fn(ctx, name) })
		})
	}
	err := each(names, func(ctx context.Context, name string) error {
		x := byName[name]
		if err := b.Put(ctx, x.task, x.exists); err != nil {
			return err
		}
		if x.exists {
			count(&a.Updated)
		} else {
			count(&a.Created)
		}
		return nil
	})
	if prune {
		switch {
		case a.NotStarted > 0: // interrupted: deletions wait for a sync that made every change
			a.NotStarted += len(p.deletes)
		case err == nil:
			err = each(p.deletes, func(ctx context.Context, name string) error {
				if err := b.Delete(ctx, name); err != nil {
					return err
				}
				count(&a.Deleted)
				return nil
			})
		}
	}
	if a.NotStarted > 0 {
		if err == nil {
			return a, ctx.Err()
		}
		return a, errors.Join(err, ctx.Err())
	}
	return a, err
}

// defaultWriteTimeout bounds one change that was started: long enough
// for the SDK's retries of a throttled call, short enough that a hung
// call cannot keep an interrupted sync from ending.
const defaultWriteTimeout = 2 * time.Minute

// write runs one change on a context that keeps ctx's values but not its
// cancellation, bounded by the plan's write timeout.
func (p *Plan) write(ctx context.Context, fn func(context.Context) error) error {
	timeout := p.writeTimeout
	if timeout <= 0 {
		timeout = defaultWriteTimeout
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return fn(wctx)
}

// interrupted is ctx's error when ctx is done and a read failed, so that
// an interrupted read reports the interrupt once instead of once per
// schedule or rule it was reading; err otherwise.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
