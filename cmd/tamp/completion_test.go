package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/internal/completion"
)

// completionProject names its services, task definitions and scheduled
// tasks plainly, while everything else needs what completion must not
// reach: SSM, a Terraform state that is not there, an unset variable.
var completionProject = map[string]string{
	"tamp.yaml": `region: '{{ ssm "/app/region" }}'
cluster: app-{{ must_env "STAGE" }}
plugins:
  - name: tfstate
    config: { url: "s3://tf-{{ must_env "STAGE" }}/terraform.tfstate" }
services:
  - name: web
    service_definition: ecs/web-service.json
    task_definition: ecs/web-task.json
  - name: worker
    task_definition: ecs/worker-task.json
task_definitions:
  - name: migrate
    path: ecs/migrate-task.json
scheduled:
  group: app
  role_arn: '{{ tfstate "aws_iam_role.scheduler.arn" }}'
  tasks_file: scheduled.jsonnet
`,
	"scheduled.jsonnet": `[
  { name: 'nightly', schedule: 'cron(0 1 * * ? *)', task_definition: 'migrate' },
  { name: 'hourly', schedule: 'rate(1 hour)', task_definition: std.native('tfstate')('output.td') },
]`,
	"other.yaml": "task_definitions:\n  - name: other-batch\n    path: ecs/migrate-task.json\n",
	"notes.txt":  "",
	"ecs/x":      "",
}

func TestCompleteCommand(t *testing.T) {
	dir := project(t, completionProject)
	t.Setenv("TAMP_CONFIG", filepath.Join(dir, "tamp.yaml")) // as the default tamp.yaml would be found
	tests := []struct {
		words []string
		want  string
	}{
		{[]string{"--only", ""}, "web\tservice\nworker\tservice\nmigrate\ttask definition\nnightly\tscheduled task\nhourly\tscheduled task\n"},
		{[]string{"--only", "web,"}, "web,worker\tservice\nweb,migrate\ttask definition\nweb,nightly\tscheduled task\nweb,hourly\tscheduled task\n"},
		{[]string{"deploy", "--only", "w"}, "web\tservice\nworker\tservice\n"},
		{[]string{"run", "--service", ""}, "web\tservice\nworker\tservice\n"},
		{[]string{"run", "--task-definition", "m"}, "migrate\ttask definition\n"},
		{[]string{"scheduled", "run", ""}, "nightly\tscheduled task\nhourly\tscheduled task\n"},
		{[]string{"scheduled", "delete", ""}, "nightly\tscheduled task\nhourly\tscheduled task\n"},
		{[]string{"scheduled", "logs", ""}, "nightly\tscheduled task\nhourly\tscheduled task\n"},
		{[]string{"exec", "--service", ""}, "web\tservice\nworker\tservice\n"},
		{[]string{"-c", filepath.Join(dir, "other.yaml"), "--only", ""}, "other-batch\ttask definition\n"},
		{[]string{"--config", dir + "/"}, dir + "/ecs/\n" + dir + "/other.yaml\n" + dir + "/scheduled.jsonnet\n" + dir + "/tamp.yaml\n"},
		{[]string{"--config=" + dir + "/t"}, "--config=" + dir + "/tamp.yaml\n"},
		{[]string{"--output", ""}, "text\njson\n"},
		{[]string{"render", "s"}, "services\nscheduled\n"},
		{[]string{"completion", ""}, "bash\nzsh\nfish\n"},
		{[]string{"sche"}, "scheduled\tScheduled tasks on EventBridge Scheduler or EventBridge rules: diff, sync, list, run, dump, delete, logs\nschema\tPrint the JSON Schema (draft 2020-12) of the config file or of the scheduled task list, for editors\n"},
		{[]string{"__"}, ""}, // the hidden command stays hidden
		{[]string{"-c", filepath.Join(dir, "missing.yaml"), "--only", ""}, ""},
	}
	for _, tt := range tests {
		f := newFakeClients()
		r := f.run(t, false, append([]string{completion.Command, "--"}, tt.words...)...)
		if r.code != 0 || r.stdout != tt.want || r.stderr != "" {
			t.Errorf("tamp __complete -- %q:\nexit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", tt.words, r.code, r.stdout, tt.want, r.stderr)
		}
		if len(f.askedFor()) != 0 || f.ssm.TotalCalls() != 0 {
			t.Errorf("tamp __complete -- %q reached AWS: clients %v, %d SSM calls", tt.words, f.askedFor(), f.ssm.TotalCalls())
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range completion.Shells() {
		want, err := completion.Script(shell, "tamp")
		if err != nil {
			t.Fatal(err)
		}
		newFakeClients().run(t, false, "completion", shell).check(t, 0, want, "")
		if !strings.Contains(want, "__complete --") {
			t.Errorf("the %s script does not ask tamp", shell)
		}
	}
	if r := newFakeClients().run(t, false, "completion", "tcsh"); r.code != 1 {
		t.Errorf("tamp completion tcsh: exit %d", r.code)
	}
}
