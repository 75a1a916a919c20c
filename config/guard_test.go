package config

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A config that sets nothing is an error naming the file: every command
// used to succeed on it doing nothing.
func TestLoadEmptyConfig(t *testing.T) {
	for name, text := range map[string]string{
		"tamp.yaml":     "",
		"comments.yaml": "# nothing here yet\n\n# still nothing\n",
		"braces.yaml":   "{}\n",
		"document.yaml": "---\n",
		"tamp.json":     "{}",
		"tamp.jsonnet":  "{}",
		"rendered.yaml": "{{ env `UNSET_PART` `` }}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{name: text})
			path := filepath.Join(dir, name)
			_, err := Load(context.Background(), path, testOpts(nil))
			wantErr(t, err, path+": the config is empty; give it services, task_definitions or scheduled")
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
}

// A config with only a scheduled block or only task definitions is not
// empty, nor is one whose keys are there but null.
func TestLoadNotEmpty(t *testing.T) {
	for name, text := range map[string]string{
		"scheduled.yaml": "scheduled:\n  group: g\n  tasks: []\n",
		"taskdefs.yaml":  "task_definitions:\n  - name: t\n    path: t.json\n",
		"null.yaml":      "scheduled:\n",
		"cluster.yaml":   "cluster: c\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{name: text, "t.json": "{}"})
			if _, err := Load(context.Background(), filepath.Join(dir, name), testOpts(nil)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// billionLaughs is nine levels of nine aliases: a few hundred bytes that
// expand to 9^9 values.
func billionLaughs(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sa: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", indent)
	for c := 'b'; c <= 'i'; c++ {
		prev := string(c - 1)
		fmt.Fprintf(&b, "%s%c: &%c [%s]\n", indent, c, c, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 9), ", "))
	}
	return b.String()
}

// A YAML alias bomb anywhere tamp reads YAML (the config, a YAML
// definition or tasks file) is one line naming the file, and memory stays
// small: it used to exhaust memory and print a Go stack trace.
func TestAliasBombIsRefused(t *testing.T) {
	bomb := billionLaughs("  ")
	for _, tt := range []struct{ name, config, file, text string }{
		{"config", "tamp.yaml", "tamp.yaml", "appspec:\n" + bomb},
		{"config, first pass", "tamp.yaml", "tamp.yaml", "plugins:\n  - name: tfstate\n    config:\n" + billionLaughs("      ")},
		{"tasks file", "tamp.yaml", "tasks.yaml", "- name: t\n  x:\n" + billionLaughs("    ")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{tt.config: "scheduled: {group: g, tasks_file: tasks.yaml}\n", tt.file: tt.text}
			dir := writeFiles(t, t.TempDir(), files)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := loadAndRender(dir, tt.config, tt.file)
			runtime.ReadMemStats(&after)
			path := filepath.Join(dir, tt.file)
			wantErr(t, err, path+": its YAML aliases (*name) would expand it to more than the 2 MiB tamp reads from one file")
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Errorf("refusing the bomb allocated %d MiB", grew>>20)
			}
		})
	}
}

func loadAndRender(dir, config, file string) error {
	p, err := Load(context.Background(), filepath.Join(dir, config), testOpts(nil))
	if err != nil || file == config {
		return err
	}
	_, _, err = p.RenderJSON(file)
	return err
}

// Aliases that repeat a block, as YAML users write them, still load.
func TestAliasesWithinTheLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("scheduled:\n  group: g\n  defaults: &d {task_definition: batch, launch_type: FARGATE, environment: {MODE: full}}\n  tasks:\n")
	for i := range 500 {
		fmt.Fprintf(&b, "    - {<<: *d, name: t%d, schedule: rate(1 hour)}\n", i)
	}
	dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.yaml": b.String()})
	p := mustLoad(t, filepath.Join(dir, "tamp.yaml"), testOpts(nil))
	if n := len(p.Scheduled.Tasks); n != 500 {
		t.Fatalf("%d tasks, want 500", n)
	}
	if p.Scheduled.Tasks[499]["launch_type"] != "FARGATE" {
		t.Errorf("merge key not applied: %v", p.Scheduled.Tasks[499])
	}
}

// A document larger than MaxDocumentSize is refused before the decoder
// spends a hundred times its size on it.
func TestDocumentTooLarge(t *testing.T) {
	text := "task_definitions: []\n# " + strings.Repeat("x", MaxDocumentSize) + "\n"
	dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.yaml": text})
	path := filepath.Join(dir, "tamp.yaml")
	_, err := Load(context.Background(), path, testOpts(nil))
	wantErr(t, err, path+": 2.0 MiB after templates, more than the 2 MiB tamp reads from one file; make it smaller")
}

func TestExpandedSize(t *testing.T) {
	for _, tt := range []struct {
		text     string
		min, max int64
	}{
		{"a: &a [x, y]\nb: *a\n", 10, 30},
		{"a: &a " + strings.Repeat("x", 1000) + "\nb: [*a, *a, *a]\n", 4000, 4100},
		{"a: &a [*a, *a]\n", 1, 20},                                            // an alias inside its own anchor is null
		{"b: [*a, *a]\na: &a [x, y]\n", 10, 40},                                // an anchor after its alias still counts
		{"a: &a x\nc: &a " + strings.Repeat("y", 100) + "\nb: *a\n", 200, 230}, // a name defined twice counts as the larger
		{"a: [unclosed\n", 13, 13},                                             // does not parse: its own length
		{billionLaughs(""), MaxDocumentSize + 1, MaxDocumentSize + 1},
	} {
		if got := expandedSize([]byte(tt.text)); got < tt.min || got > tt.max {
			t.Errorf("expandedSize(%.40q) = %d, want %d..%d", tt.text, got, tt.min, tt.max)
		}
	}
}
