package scheduled

import (
	"context"
	"sort"
	"sync"

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
// once every create and update succeeded. It returns what it did, by
// action, and every error.
func (p *Plan) Apply(ctx context.Context, b Backend, prune bool, limit int) (map[diffreport.Action]int, error) {
	done := map[diffreport.Action]int{}
	if len(p.puts) > 0 && !p.ownerExists {
		if err := b.EnsureGroup(ctx); err != nil {
			return done, err
		}
	}
	byName := map[string]put{}
	var names []string
	for _, x := range p.puts {
		byName[x.task.Name] = x
		names = append(names, x.task.Name)
	}
	var mu sync.Mutex
	count := func(a diffreport.Action) {
		mu.Lock()
		done[a]++
		mu.Unlock()
	}
	err := forEach(ctx, names, limit, func(name string) error {
		x := byName[name]
		if err := b.Put(ctx, x.task, x.exists); err != nil {
			return err
		}
		if x.exists {
			count(diffreport.Update)
		} else {
			count(diffreport.Create)
		}
		return nil
	})
	if prune && err == nil {
		err = forEach(ctx, p.deletes, limit, func(name string) error {
			if err := b.Delete(ctx, name); err != nil {
				return err
			}
			count(diffreport.Delete)
			return nil
		})
	}
	return done, err
}
