package verify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/config"
)

func scopeProject(t *testing.T) *config.Project {
	t.Helper()
	dir := t.TempDir()
	td := func(family string) string {
		return `{"family": "` + family + `", "containerDefinitions": [{"name": "app", "image": "img", "memory": 128}]}`
	}
	files := map[string]string{
		"tamp.yaml": `cluster: c1
services:
  - { name: web, task_definition: web-task.json, service_definition: web-service.json }
  - { name: api, task_definition: api-task.json, service_definition: api-service.json }
task_definitions:
  - { name: batch, path: batch-task.json }
scheduled:
  backend: scheduler
  group: g
  role_arn: arn:aws:iam::123456789012:role/sched
  tasks:
    - { name: nightly, schedule: "rate(1 day)", task_definition: batch }
    - { name: with-web, schedule: "rate(1 hour)", task_definition: web, role_arn: arn:aws:iam::123456789012:role/own }
`,
		"web-task.json": td("web"), "api-task.json": td("api"), "batch-task.json": td("batch"),
		"web-service.json": `{"desiredCount": 1}`, "api-service.json": `{"desiredCount": 1}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := config.Load(context.Background(), filepath.Join(dir, "tamp.yaml"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// inputNames lists what an Input reports and checks: services, task
// definitions and scheduled tasks (with their roles).
func inputNames(in Input) string {
	var out []string
	for _, s := range in.Definitions.Services {
		out = append(out, "service:"+s.Name)
	}
	for _, td := range in.Definitions.TaskDefinitions {
		out = append(out, "td:"+td.Name)
	}
	for _, t := range in.Scheduled {
		out = append(out, "task:"+t.Name+"@"+t.RoleArn[strings.LastIndex(t.RoleArn, "/")+1:])
	}
	return strings.Join(out, " ")
}

func TestLoadScope(t *testing.T) {
	p := scopeProject(t)
	for _, tc := range []struct {
		only                      []string
		withScheduled, standalone bool
		want                      string
	}{
		{nil, true, true, "service:web service:api td:web td:api td:batch task:nightly@sched task:with-web@own"},
		{nil, false, false, "service:web service:api td:web td:api"},
		// a named service brings the schedules that run its revisions
		{[]string{"web"}, true, true, "service:web td:web task:with-web@own"},
		// a named scheduled task brings its task definition in to check
		// containers, but only what --only names is reported
		{[]string{"nightly"}, true, true, "task:nightly@sched"},
		{[]string{"batch"}, true, true, "td:batch task:nightly@sched"},
	} {
		var names []string
		if tc.withScheduled {
			names = []string{"nightly", "with-web"}
		}
		scope, err := p.Scope(tc.only, names)
		if err != nil {
			t.Fatal(err)
		}
		in, err := Load(context.Background(), p, scope, tc.withScheduled, tc.standalone)
		if err != nil {
			t.Fatal(err)
		}
		if got := inputNames(in); got != tc.want {
			t.Errorf("only %v scheduled %v standalone %v:\n got %s\nwant %s", tc.only, tc.withScheduled, tc.standalone, got, tc.want)
		}
		if in.Cluster != "c1" || len(in.ConfigTaskDefinitions) != 3 || (len(in.Scheduled) > 0 && in.Backend != config.BackendScheduler) {
			t.Errorf("input %+v", in)
		}
	}
}

func TestLoadScopeBadScheduledContainer(t *testing.T) {
	p := scopeProject(t)
	p.Scheduled.Tasks = []map[string]any{{"name": "bad", "schedule": "rate(1 day)", "task_definition": "batch", "container": "nope", "command": []any{"x"}}}
	scope, _ := p.Scope(nil, []string{"bad"})
	_, err := Load(context.Background(), p, scope, true, true)
	if err == nil || !strings.Contains(err.Error(), `no container named "nope" in task definition batch`) {
		t.Fatalf("err = %v", err)
	}
	if !isInput(err) {
		t.Errorf("a bad scheduled task is not an input error: %T", err)
	}
}

func isInput(err error) bool {
	_, ok := err.(*config.InputError)
	return ok
}
