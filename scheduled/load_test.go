package scheduled

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// loadProject writes files into a fresh directory and loads tamp.yaml.
func loadProject(t *testing.T, files map[string]string) (*config.Project, string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := config.Load(context.Background(), filepath.Join(dir, "tamp.yaml"), config.Options{
		LookupEnv: func(string) (string, bool) { return "", false }, Version: "0.1.0", Plugins: config.DefaultRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, dir
}

// problemLines are the lines of a joined error, with dir written as $DIR.
func problemLines(err error, dir string) []string {
	if err == nil {
		return nil
	}
	if dir == "" {
		dir = "\x00"
	}
	var lines []string
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		for _, e := range j.Unwrap() {
			lines = append(lines, strings.ReplaceAll(e.Error(), dir, "$DIR"))
		}
		return lines
	}
	return []string{strings.ReplaceAll(err.Error(), dir, "$DIR")}
}

func sameLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

const batchTask = `{"family": "batch", "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 256}]}`

// Every problem in a tasks file names the file and the line of the field
// (or of the entry), in one run: container names too. It used to be
// "scheduled task NAME: FIELD: ..." with no file at all.
func TestLoadNamesTheFileAndLine(t *testing.T) {
	p, dir := loadProject(t, map[string]string{
		"tamp.yaml": `task_definitions:
  - name: batch
    path: batch.json
scheduled:
  backend: events
  group: app
  defaults:
    task_definition: batch
    task_count: 20
  tasks_file: tasks.yaml
`,
		"batch.json": batchTask,
		"tasks.yaml": `- name: five-fields
  schedule: cron(0 16 * * *)
  task_count: 1
- name: on-events
  schedule: rate(1 hour)
  task_count: 1
  timezone: Asia/Tokyo
- name: typo
  schedule: rate(1 hour)
  task_count: 1
  container: ap
- name: from-defaults
  schedule: rate(1 hour)
- name: dup
  schedule: rate(1 hour)
  task_count: 1
- name: dup
  schedule: rate(1 hour)
  task_count: 1
- name: misspelt
  schedul: rate(1 hour)
- schedule: rate(1 hour)
  task_count: 1
`,
	})
	_, err := Load(p, p.Path, p.Scheduled)
	sameLines(t, problemLines(err, dir), []string{
		`$DIR/tasks.yaml:21: [6] (misspelt).schedul: unknown field; did you mean "schedule"?`,
		"$DIR/tasks.yaml:2: scheduled task five-fields: schedule: cron(0 16 * * *): AWS cron expressions have 6 fields (minutes hours day-of-month month day-of-week year), this has 5",
		"$DIR/tasks.yaml:7: scheduled task on-events: timezone: is for EventBridge Scheduler (backend: scheduler); EventBridge rules run in UTC with no window or dates",
		`$DIR/tasks.yaml:11: scheduled task typo: container: no container named "ap" in task definition batch (it has [app])`,
		"$DIR/tamp.yaml:9: scheduled task from-defaults: task_count: 20: use 1 to 10",
		`$DIR/tasks.yaml:17: scheduled task dup: name: "dup" is used by another task; names must be unique`,
		"$DIR/tasks.yaml:22: scheduled task [7]: name: is required",
	})
}

// Inline tasks point at the config's lines; a JSON tasks file at its own;
// Jsonnet output has no lines of the file, so only the file is named.
func TestLoadLinesByFormat(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"inline", map[string]string{"tamp.yaml": "scheduled:\n  group: g\n  tasks:\n    - name: a\n      task_definition: x\n      schedule: rate(5 minute)\n"},
			`$DIR/tamp.yaml:6: scheduled task a: schedule: rate(5 minute): with 5 write "minutes"`},
		{"inline, decode error", map[string]string{"tamp.yaml": "scheduled:\n  group: g\n  tasks:\n    - name: a\n      task_definition: x\n      schedule: rate(1 hour)\n      task_count: two\n"},
			`$DIR/tamp.yaml:7: scheduled.tasks: [0] (a).task_count: expected a whole number, got the string "two"`},
		{"json", map[string]string{"tamp.yaml": "scheduled: {group: g, tasks_file: tasks.json}\n",
			"tasks.json": "[\n  {\"name\": \"a\", \"task_definition\": \"x\",\n   \"schedule\": \"rate(0 hours)\"}\n]\n"},
			`$DIR/tasks.json:3: scheduled task a: schedule: rate(0 hours): the value must be a whole number of 1 or more`},
		{"jsonnet", map[string]string{"tamp.yaml": "scheduled: {group: g, tasks_file: tasks.jsonnet}\n",
			"tasks.jsonnet": "[\n  {name: 'a', task_definition: 'x',\n   schedule: 'rate(0 hours)'}\n]\n"},
			`$DIR/tasks.jsonnet: scheduled task a: schedule: rate(0 hours): the value must be a whole number of 1 or more`},
		{"not a list", map[string]string{"tamp.yaml": "scheduled: {group: g, tasks_file: tasks.yaml}\n", "tasks.yaml": "- name: a\n- just a string\n"},
			`$DIR/tasks.yaml:2: [1]: expected an object`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, dir := loadProject(t, tt.files)
			_, err := Load(p, p.Path, p.Scheduled)
			sameLines(t, problemLines(err, dir), []string{tt.want})
		})
	}
}

// A renderer that keeps no sources still gets the file named.
func TestLoadWithoutSources(t *testing.T) {
	_, err := Load(fileRenderer{"scheduled.json": `[{"name": "a", "task_definition": "x", "schedule": "rate(1 hours)"}]`},
		"/app/tamp.yaml", &config.Scheduled{TasksFile: "scheduled.json"})
	sameLines(t, problemLines(err, ""), []string{`/app/scheduled.json: scheduled task a: schedule: rate(1 hours): with 1 write "hour"`})
}

func TestParentField(t *testing.T) {
	for in, want := range map[string]string{
		"container_overrides[0].environment[1].value": "container_overrides[0].environment[1]",
		"container_overrides[0]":                      "container_overrides",
		"schedule":                                    "",
	} {
		if got := parentField(in); got != want {
			t.Errorf("parentField(%q) = %q, want %q", in, got, want)
		}
	}
}

// A scheduled task whose task_definition is neither a config name nor in
// ECS is an input error that says what was looked for and what to do,
// before anything is registered or written: it used to be the SDK's
// "ClientException: Unable to describe task definition."
func TestPlanUnknownTaskDefinition(t *testing.T) {
	batch := &ecs.TaskDefinition{Name: "batch", File: "batch.json", Containers: []string{"app"},
		Input: ecs.NormalizeTaskDefinition(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("batch"), ContainerDefinitions: []ecstypes.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String("batch:1"), Memory: aws.Int32(512), Essential: aws.Bool(true)}}})}
	for _, tt := range []struct{ tasksFile, taskDefinition, want string }{
		{"tasks.yaml", "batchh", `/app/tasks.yaml: scheduled task nightly: task_definition: "batchh" is neither a task definition of the config (it has batch) ` +
			"nor a family batchh with an ACTIVE revision in ECS; name one of the config's task definitions, or register that family first"},
		{"", "batch:7", `/app/tamp.yaml: scheduled task nightly: task_definition: "batch:7" is neither a task definition of the config (it has batch) ` +
			"nor a revision 7 of family batch in ECS; name one of the config's task definitions, or register that family first"},
		{"/srv/tasks.json", "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/x:1", `/srv/tasks.json: scheduled task nightly: task_definition: ` +
			`"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/x:1" is neither a task definition of the config (it has batch) ` +
			"nor a task definition with that ARN in ECS; name one of the config's task definitions, or register that family first"},
	} {
		t.Run(tt.taskDefinition, func(t *testing.T) {
			ecsAPI, sched := fakeaws.NewECS(), fakeaws.NewScheduler()
			tasks := []*Task{
				{Name: "hourly", Schedule: "rate(1 hour)", TaskDefinition: "batch"},
				{Name: "nightly", Schedule: "rate(1 day)", TaskDefinition: tt.taskDefinition},
			}
			s := &Syncer{Config: &config.Scheduled{Backend: config.BackendScheduler, Group: "app", RoleArn: testRole, TasksFile: tt.tasksFile},
				ConfigPath: "/app/tamp.yaml", Cluster: "app", Defs: &ecs.Definitions{TaskDefinitions: []*ecs.TaskDefinition{batch}},
				Tasks: tasks, ECS: ecsAPI, Scheduler: sched}
			_, err := s.Plan(context.Background(), PlanOptions{Register: true})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n  %v\nwant\n  %s", err, tt.want)
			}
			if !errors.As(err, new(*config.InputError)) {
				t.Errorf("not an input error: %T", err)
			}
			if n := ecsAPI.Calls("RegisterTaskDefinition") + writeCount(sched.CallCounts()); n != 0 {
				t.Errorf("%d writes before the error: ecs %v, scheduler %v", n, ecsAPI.CallCounts(), sched.CallCounts())
			}
		})
	}
}

func TestTaskNames(t *testing.T) {
	p, _ := loadProject(t, map[string]string{
		"tamp.yaml": "scheduled:\n  group: g\n  tasks_file: tasks.yaml\n",
		// Entries that would not load still give their names; NAME is
		// the key in another case, as decoding takes it.
		"tasks.yaml": "- name: nightly\n  schedule: cron(0 1 * * ? *)\n- NAME: hourly\n  comand: [x]\n- schedule: rate(1 hour)\n",
	})
	names, err := TaskNames(p, p.Scheduled)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "nightly,hourly" {
		t.Errorf("names = %q", names)
	}
	inline := &config.Scheduled{Tasks: []map[string]any{{"name": "a"}, {"name": "b"}}}
	if names, err := TaskNames(p, inline); err != nil || strings.Join(names, ",") != "a,b" {
		t.Errorf("inline names = %q, %v", names, err)
	}
}
