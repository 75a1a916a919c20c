package main

import (
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/scheduled"
)

func TestVerifySelection(t *testing.T) {
	p := &config.Project{Config: &config.Config{Path: "tamp.yaml",
		Services:        []config.Service{{Name: "web", TaskDefinition: "web.json"}, {Name: "api", TaskDefinition: "api.json"}},
		TaskDefinitions: []config.TaskDefinition{{Name: "batch", Path: "batch.json"}},
	}}
	tasks := []*scheduled.Task{{Name: "nightly", TaskDefinition: "batch"}, {Name: "with-web", TaskDefinition: "web"}}
	names := func(sel config.Selection, kept []*scheduled.Task) string {
		var out []string
		for _, s := range sel.Services {
			out = append(out, "service:"+s.Name)
		}
		for _, td := range sel.TaskDefinitions {
			out = append(out, "td:"+td.Name)
		}
		for _, k := range kept {
			out = append(out, "task:"+k.Name)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		only        []string
		referencing bool
		want        string
	}{
		{nil, false, "service:web service:api td:batch task:nightly task:with-web"},
		{[]string{"web"}, false, "service:web"},
		// deploy --verify --only web also checks the schedules it repoints
		{[]string{"web"}, true, "service:web task:with-web"},
		// a named scheduled task brings its task definition in, to check containers
		{[]string{"nightly"}, false, "td:batch task:nightly"},
	} {
		sel, kept, err := verifySelection(p, tasks, tc.only, tc.referencing)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(sel, kept); got != tc.want {
			t.Errorf("only %v referencing %v: %s, want %s", tc.only, tc.referencing, got, tc.want)
		}
	}
	_, _, err := verifySelection(p, tasks, []string{"nosuch"}, false)
	if err == nil || !strings.Contains(err.Error(), "nothing named nosuch; the config has api, batch, nightly, web, with-web") {
		t.Errorf("error %v", err)
	}
}
