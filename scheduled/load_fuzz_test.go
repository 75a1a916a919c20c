package scheduled

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/fixtures"
)

// FuzzLoadTasks reads a tasks file's bytes as the commands do (rendered,
// merged over defaults, decoded, validated, container names checked
// against a config task definition): no panic, and every problem names
// the tasks file or the config. The seeds are the scheduled task lists
// of the tree's fixtures.
func FuzzLoadTasks(f *testing.F) {
	fixtures.Each(f, func(name string, data []byte) {
		if strings.HasSuffix(name, ".yaml") && strings.Contains(string(data), "schedule:") && !strings.Contains(string(data), "scheduled:") {
			f.Add(data)
		}
	}, "../testdata/script")
	f.Add([]byte("- name: a\n  schedule: cron(0 16 * * ? *)\n  container: app\n  container_overrides: [{name: app, command: [x]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		files := map[string]string{
			"tamp.yaml": "task_definitions: [{name: batch, path: batch.json}]\n" +
				"scheduled: {group: g, defaults: {task_definition: batch}, tasks_file: tasks.yaml}\n",
			"batch.json": batchTask,
			"tasks.yaml": string(data),
		}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p, err := config.Load(context.Background(), filepath.Join(dir, "tamp.yaml"), config.Options{
			LookupEnv: func(string) (string, bool) { return "", false }, Version: "0.1.0", Plugins: config.Registry{},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(p, p.Path, p.Scheduled)
		for _, line := range problemLines(err, dir) {
			if !strings.HasPrefix(line, "$DIR/") {
				t.Fatalf("a problem that names no file: %s", line)
			}
		}
	})
}
