package config

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestPeekOffline(t *testing.T) {
	// Every value from elsewhere would fail here: no state file, no AWS,
	// STAGE unset. Peek reads the names and paths all the same.
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": `
region: '{{ ssm "/region" }}'
cluster: app-{{ must_env "STAGE" }}
plugins:
  - name: tfstate
    config: { url: "s3://no-such-bucket/{{ must_env "STAGE" }}.tfstate" }
    func_prefix: net_
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.jsonnet
task_definitions:
  - name: batch
    path: batch-task.json
scheduled:
  group: app
  role_arn: '{{ net_tfstate "aws_iam_role.scheduler.arn" }}'
  tasks_file: scheduled.jsonnet
`,
		"scheduled.jsonnet": `[{ name: 'nightly', schedule: std.native('net_tfstate')('output.cron') }]`,
	})
	p, err := Peek(context.Background(), dir+"/tamp.yaml", Options{LookupEnv: envMap(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Cluster != "app-" || p.Region != "" || p.Scheduled.RoleArn != "" {
		t.Errorf("cluster %q, region %q, role %q: want the outside values empty", p.Cluster, p.Region, p.Scheduled.RoleArn)
	}
	if got := p.names(); !slices.Equal(got, []string{"web", "batch"}) {
		t.Errorf("names = %q", got)
	}
	if p.Scheduled.Backend != BackendScheduler {
		t.Errorf("backend = %q, want the default filled in", p.Scheduled.Backend)
	}
	text, _, err := p.RenderJSON("scheduled.jsonnet")
	if err != nil {
		t.Fatalf("the tasks file does not render through the peeked project: %v", err)
	}
	if !strings.Contains(string(text), `"nightly"`) {
		t.Errorf("tasks file rendered as %s", text)
	}
	// Missing definition files are not Peek's business; Validate says so.
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "file not found") {
		t.Errorf("Validate = %v, want the missing files named", err)
	}
}

func TestPeekDecodesStrictly(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": "clustr: x\n",
		"bad-plugin.yaml": `plugins:
  - name: tfstate
    config: { bucket: x }
`,
		"one.yaml": "service: web\ntask_definition: task.json\n",
	})
	_, err := Peek(context.Background(), dir+"/tamp.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown field "clustr"; did you mean "cluster"?`) {
		t.Errorf("unknown key: %v", err)
	}
	_, err = Peek(context.Background(), dir+"/bad-plugin.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "config.bucket: unknown key") {
		t.Errorf("bad plugin setting: %v", err)
	}
	p, err := Peek(context.Background(), dir+"/one.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 1 || p.Services[0].Name != "web" || p.Service != "" {
		t.Errorf("one-service form not folded: %+v", p.Config)
	}
}
