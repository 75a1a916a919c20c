package config

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envMap is a LookupEnv backed by a map, so tests never touch the process
// environment.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// writeFiles writes files (relative name -> content) under dir, creating
// directories as needed, and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testOpts are Load options with an empty environment, this build's
// registry and a fixed version.
func testOpts(env map[string]string) Options {
	return Options{
		LookupEnv: envMap(env),
		Version:   "0.1.0",
		Plugins:   DefaultRegistry(),
	}
}

func mustLoad(t *testing.T, path string, opts Options) *Project {
	t.Helper()
	p, err := Load(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return p
}

// wantErr fails unless err is non-nil and its message contains every one
// of subs.
func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q\ndoes not contain %q", err.Error(), s)
		}
	}
}

// decodeJSON parses rendered JSON into a generic map.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("rendered output is not a JSON object: %v\n%s", err, b)
	}
	return m
}

func absPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
