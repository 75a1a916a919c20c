package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/internal/fixtures"
)

// fixtureFiles calls add with every fixture file (see fixtures.Each) whose
// name keep accepts.
func fixtureFiles(t testing.TB, keep func(name string) bool, add func(name string, data []byte), dirs ...string) {
	fixtures.Each(t, func(name string, data []byte) {
		if keep(name) {
			add(name, data)
		}
	}, dirs...)
}

var configExts = []string{".yaml", ".json", ".jsonnet", ".yml"}

// FuzzLoad feeds a config file's bytes through the loader the commands
// use (two passes, templates, Jsonnet, plugins, strict decode, checks):
// it never panics, and every error names the file. The seeds are every
// YAML, JSON and Jsonnet fixture in the tree.
func FuzzLoad(f *testing.F) {
	fixtureFiles(f, func(name string) bool {
		ext := filepath.Ext(name)
		return ext == ".yaml" || ext == ".yml" || ext == ".json" || ext == ".jsonnet"
	}, func(name string, data []byte) {
		for i, ext := range configExts {
			if ext == filepath.Ext(name) {
				f.Add(uint8(i), data)
			}
		}
	}, "testdata", "../testdata")
	// Plugins that would reach the network are refused; AWS is never there.
	reg := DefaultRegistry()
	tfstateLocal := reg["tfstate"]
	reg["tfstate"] = func(ctx context.Context, setup PluginSetup) (Functions, error) {
		if u, _ := setup.Config["url"].(string); u != "" {
			return Functions{}, errors.New("no state URLs while fuzzing")
		}
		return tfstateLocal(ctx, setup)
	}
	f.Fuzz(func(t *testing.T, ext uint8, data []byte) {
		name := "tamp" + configExts[int(ext)%len(configExts)]
		dir := t.TempDir()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := testOpts(map[string]string{"STAGE": "prod"})
		opts.Plugins = reg
		p, err := Load(context.Background(), path, opts)
		if err != nil {
			if !strings.Contains(err.Error(), dir) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// What the commands render next: the tasks file, if any.
		if p.Scheduled != nil && p.Scheduled.TasksFile != "" {
			_, _, _ = p.RenderJSON(p.Scheduled.TasksFile)
		}
	})
}

// FuzzYAMLToJSON is how every YAML definition and tasks file is read: it
// never panics, never takes more than a bounded document, and every error
// names the file.
func FuzzYAMLToJSON(f *testing.F) {
	fixtureFiles(f, func(name string) bool {
		return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
	}, func(_ string, data []byte) { f.Add(data) }, "testdata", "../testdata")
	f.Add([]byte(billionLaughs("")))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := yamlToJSON("/app/x.yaml", data)
		if err != nil && !strings.HasPrefix(err.Error(), "/app/x.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
