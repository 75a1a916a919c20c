package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSchemaCommand(t *testing.T) {
	for _, name := range []string{"config", "scheduled"} {
		want, err := os.ReadFile(filepath.Join("..", "..", "schema", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		f := newFakeClients()
		f.run(t, false, "schema", name).check(t, 0, string(want), "")
		if len(f.askedFor()) != 0 {
			t.Errorf("tamp schema %s asked for AWS clients: %v", name, f.askedFor())
		}
	}
	r := newFakeClients().run(t, false, "schema", "taskdef")
	if r.code != 1 || r.stdout != "" {
		t.Errorf("tamp schema taskdef: exit %d, stdout %q", r.code, r.stdout)
	}
}
