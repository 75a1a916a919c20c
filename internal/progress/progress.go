// Package progress prints ECS deployments as they go, for people on a
// terminal and for CI logs alike.
package progress

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/term"
)

// Progress prints deployments as they go: on a terminal one live line with
// every service's state, redrawn in place; elsewhere (CI) a timestamped
// line whenever a service's state changes. New service events are printed
// once each, as lines of their own.
type Progress struct {
	mu     sync.Mutex
	w      io.Writer
	live   bool // redraw one line in place
	color  bool
	states map[string]ecs.Progress
	drawn  bool
}

// New prints to w, drawing a live line when live.
func New(w io.Writer, live, color bool) *Progress {
	return &Progress{w: w, live: live, color: color, states: map[string]ecs.Progress{}}
}

// Report is an ecs.Waiter Progress callback.
func (p *Progress) Report(pr ecs.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr.Event != "" {
		p.clear()
		fmt.Fprintf(p.w, "%s %s: event: %s\n", stamp(pr.At), pr.Service, pr.Event)
		p.draw()
		return
	}
	p.states[pr.Service] = pr
	if p.live {
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "%s %s\n", stamp(pr.At), p.describe(pr))
}

// Println prints a line of its own, keeping the live line below it.
func (p *Progress) Println(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, format+"\n", args...)
	p.draw()
}

// Done leaves the live line for good.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *Progress) describe(pr ecs.Progress) string {
	state := pr.Rollout
	switch pr.Rollout {
	case "COMPLETED":
		state = term.Paint(p.color, term.Green, state)
	case "FAILED":
		state = term.Paint(p.color, term.Red, state)
	}
	if pr.Stage != "" {
		state += " " + pr.Stage
		if pr.Traffic != "" {
			state += " traffic " + pr.Traffic
		}
	}
	return fmt.Sprintf("%s: %s %s desired %d pending %d running %d failed %d",
		pr.Service, pr.Revision, state, pr.Desired, pr.Pending, pr.Running, pr.Failed)
}

func (p *Progress) draw() {
	if !p.live || len(p.states) == 0 {
		return
	}
	names := make([]string, 0, len(p.states))
	for n := range p.states {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = p.describe(p.states[n])
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", strings.Join(parts, " | "))
	p.drawn = true
}

func (p *Progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.Local().Format("15:04:05")
}
