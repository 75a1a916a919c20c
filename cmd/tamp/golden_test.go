package main

import (
	"os"
	"path/filepath"
	"testing"
)

// runGolden runs a command line in a project of files, after setup, and
// compares its stdout with testdata/golden/NAME at the repository's root
// (the e2e scripts' goldens live there too); TAMP_UPDATE_GOLDEN=1 (make
// golden) rewrites the file instead. It must exit 0 and print nothing on
// stderr.
func runGolden(t *testing.T, files, env map[string]string, setup func(*testing.T, *fakeClients), name string, args ...string) *fakeClients {
	t.Helper()
	return runGoldenStderr(t, files, env, setup, name, "", args...)
}

// runGoldenStderr is runGolden for a command that also prints stderr
// (notes): exactly that.
func runGoldenStderr(t *testing.T, files, env map[string]string, setup func(*testing.T, *fakeClients), name, stderr string, args ...string) *fakeClients {
	t.Helper()
	dir := project(t, files)
	t.Setenv("NO_COLOR", "")
	for k, v := range env {
		t.Setenv(k, v)
	}
	f := newFakeClients()
	f.dir = dir
	if setup != nil {
		setup(t, f)
		f.resetCalls()
	}
	r := f.run(t, false, args...)
	if r.code != 0 || r.stderr != stderr {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if os.Getenv("TAMP_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("stdout differs from %s (TAMP_UPDATE_GOLDEN=1 rewrites it):\n--- got\n%s\n--- want\n%s", path, r.stdout, want)
	}
	return f
}
