package progress

import (
	"strings"
	"testing"
	"time"

	"github.com/tamp-ecs/tamp/ecs"
)

func TestProgress(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 5, 7, 0, time.Local)
	web := ecs.Progress{Service: "web", Revision: "web:2", Rollout: "IN_PROGRESS", Desired: 2, Pending: 1, Running: 1, At: at}
	api := ecs.Progress{Service: "api", Revision: "api:5", Rollout: "COMPLETED", Desired: 1, Running: 1, At: at}
	event := ecs.Progress{Service: "web", Event: "(service web) has started 1 tasks", At: at}

	// CI: one timestamped line per change, events on lines of their own.
	var b strings.Builder
	p := New(&b, false, false)
	p.Println("web: updated, deploying %s", "web:2")
	p.Report(web)
	p.Report(event)
	p.Report(api)
	p.Done()
	want := "web: updated, deploying web:2\n" +
		"09:05:07 web: web:2 IN_PROGRESS desired 2 pending 1 running 1 failed 0\n" +
		"09:05:07 web: event: (service web) has started 1 tasks\n" +
		"09:05:07 api: api:5 COMPLETED desired 1 pending 0 running 1 failed 0\n"
	if b.String() != want {
		t.Errorf("plain:\n%q\nwant:\n%q", b.String(), want)
	}

	// A terminal: one live line with every service (by name), redrawn in
	// place, cleared before any line of its own and at the end; colour on
	// the final states.
	b.Reset()
	p = New(&b, true, true)
	p.Report(web)
	p.Report(api)
	p.Report(event)
	p.Done()
	live := "api: api:5 \x1b[32mCOMPLETED\x1b[0m desired 1 pending 0 running 1 failed 0 | web: web:2 IN_PROGRESS desired 2 pending 1 running 1 failed 0"
	want = "\r\x1b[Kweb: web:2 IN_PROGRESS desired 2 pending 1 running 1 failed 0" +
		"\r\x1b[K" + live +
		"\r\x1b[K09:05:07 web: event: (service web) has started 1 tasks\n\r\x1b[K" + live +
		"\r\x1b[K"
	if b.String() != want {
		t.Errorf("live:\n%q\nwant:\n%q", b.String(), want)
	}
}
