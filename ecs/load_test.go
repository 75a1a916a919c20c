package ecs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/config"
)

// mapRenderer renders files from memory, each path at /p/<path>.
type mapRenderer struct {
	files      map[string]string
	prefetched []string
	rendered   []string
}

func (r *mapRenderer) Prefetch(_ context.Context, paths ...string) {
	r.prefetched = append(r.prefetched, paths...)
}

func (r *mapRenderer) RenderJSON(path string) ([]byte, string, error) {
	r.rendered = append(r.rendered, path)
	text, ok := r.files[path]
	if !ok {
		return nil, "", fmt.Errorf("%s: %w", path, os.ErrNotExist)
	}
	return []byte(text), "/p/" + path, nil
}

const (
	goodTD  = `{"family":"web","containerDefinitions":[{"name":"app","image":"app:1","memory":128},{"name":"log","image":"fluent:1","memory":64,"essential":false}]}`
	goodSvc = `{"desiredCount":2,"tags":[{"key":"team","value":"a"}]}`
)

func TestLoad(t *testing.T) {
	r := &mapRenderer{files: map[string]string{
		"web-td.json": goodTD, "web-svc.json": goodSvc,
		"batch.json": `{"family":"batch","containerDefinitions":[{"name":"job","image":"job:1","memory":64}]}`,
	}}
	sel := config.Selection{
		Services:        []config.Service{{Name: "web", ServiceDefinition: "web-svc.json", TaskDefinition: "web-td.json"}, {Name: "bare", TaskDefinition: "web-td.json"}},
		TaskDefinitions: []config.TaskDefinition{{Name: "batch", Path: "batch.json"}},
	}
	defs, err := Load(context.Background(), r, sel)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(r.prefetched) != "[web-td.json web-svc.json web-td.json batch.json]" {
		t.Errorf("prefetched %v before rendering", r.prefetched)
	}
	if len(defs.Services) != 2 || len(defs.TaskDefinitions) != 3 {
		t.Fatalf("%d services, %d task definitions", len(defs.Services), len(defs.TaskDefinitions))
	}
	web := defs.Services[0]
	if web.Name != "web" || web.File != "/p/web-svc.json" || web.Input == nil || *web.Input.DesiredCount != 2 ||
		web.TaskDefinition != defs.TaskDefinitions[0] || web.TaskDefinition.File != "/p/web-td.json" {
		t.Errorf("web = %+v", web)
	}
	if _, ok := web.Declared["desiredCount"]; !ok || len(web.Declared) != 2 {
		t.Errorf("declared %v", web.Declared)
	}
	// The file's container order is kept beside the normalized input.
	if got := web.TaskDefinition.Containers; !slices.Equal(got, []string{"app", "log"}) {
		t.Errorf("containers %v", got)
	}
	if bare := defs.Services[1]; bare.Input != nil || bare.File != "" || bare.TaskDefinition.Family() != "web" {
		t.Errorf("a service without a service definition = %+v", bare)
	}
	if b := defs.TaskDefinitions[2]; b.Name != "batch" || b.Family() != "batch" {
		t.Errorf("standalone = %+v", b)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	r := &mapRenderer{files: map[string]string{
		"web-td.json":  `{"family":"web","containerDefinitions":[{"name":"app","memory":128}]}`,
		"web-svc.json": `{"desiredCount":1,"serviceName":"other"}`,
		"bad.json":     `{"family":"bad","containerDefinitions":[{"name":"a","image":"i","memorry":1}]}`,
		"api-td.json":  strings.Replace(goodTD, `"web"`, `"api"`, 1), "api-svc.json": `{"desiredCount":"two"}`,
	}}
	sel := config.Selection{
		Services: []config.Service{
			{Name: "web", ServiceDefinition: "web-svc.json", TaskDefinition: "web-td.json"},
			{Name: "api", ServiceDefinition: "api-svc.json", TaskDefinition: "api-td.json"},
			{Name: "nosvc", ServiceDefinition: "missing-svc.json", TaskDefinition: "api-td.json"},
		},
		TaskDefinitions: []config.TaskDefinition{{Name: "bad", Path: "bad.json"}, {Name: "gone", Path: "gone.json"}},
	}
	_, err := Load(context.Background(), r, sel)
	for _, want := range []string{
		"/p/web-td.json: containerDefinitions[0].image: is required",
		`/p/web-svc.json: serviceName: "other" differs from the name "web" in the config`,
		"/p/api-svc.json",
		"missing-svc.json: file does not exist",
		"containerDefinitions[0].memorry",
		"gone.json: file does not exist",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}

	// LoadAll keeps each definition with its own problems.
	defs, err := LoadAll(context.Background(), r, sel)
	if err != nil {
		t.Fatalf("problems that belong to a definition are not the error: %v", err)
	}
	byName := map[string][]error{}
	for _, s := range defs.Services {
		byName["service "+s.Name] = s.Problems
	}
	for _, td := range defs.TaskDefinitions {
		byName["task definition "+td.Name] = append(byName["task definition "+td.Name], td.Problems...)
	}
	for name, n := range map[string]int{"service web": 1, "service api": 1, "service nosvc": 1, "task definition web": 1, "task definition bad": 1, "task definition gone": 1, "task definition api": 0} {
		if len(byName[name]) != n {
			t.Errorf("%s: problems %v, want %d", name, byName[name], n)
		}
	}
	for _, td := range defs.TaskDefinitions {
		if td.Name == "bad" && td.Input != nil {
			t.Error("a definition that did not decode has no input")
		}
	}
	if !errors.Is(byName["task definition gone"][0], os.ErrNotExist) {
		t.Errorf("the render error is kept: %v", byName["task definition gone"])
	}
}

// Two config entries rendering one family differently would make the
// family's latest revision depend on the order: refused. The same
// contents twice are fine.
func TestLoadRefusesOneFamilyTwoWays(t *testing.T) {
	r := &mapRenderer{files: map[string]string{
		"a.json": tdJSON("shared", "app:1"), "b.json": tdJSON("shared", "app:1"), "c.json": tdJSON("shared", "app:2"),
	}}
	same := config.Selection{TaskDefinitions: []config.TaskDefinition{{Name: "a", Path: "a.json"}, {Name: "b", Path: "b.json"}}}
	if _, err := Load(context.Background(), r, same); err != nil {
		t.Errorf("equal definitions of one family: %v", err)
	}
	differ := config.Selection{TaskDefinitions: []config.TaskDefinition{{Name: "a", Path: "a.json"}, {Name: "c", Path: "c.json"}}}
	_, err := LoadAll(context.Background(), r, differ)
	if err == nil || err.Error() != `/p/c.json: family: "shared" is also the family of a (/p/a.json) with different contents; give one of them another family` {
		t.Errorf("err = %v", err)
	}
}
