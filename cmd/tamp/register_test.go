package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deployedThenTagged is web deployed at v1, then its task definition file
// declaring a tag the revision does not have.
func deployedThenTagged(t *testing.T, f *fakeClients) {
	deployedV1(t, f)
	tagged := strings.Replace(webProject["web-task.json"], `"family": "web",`, `"family": "web", "tags": [{"key": "team", "value": "web"}],`, 1)
	if err := os.WriteFile(filepath.Join(f.dir, "web-task.json"), []byte(tagged), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRegister(t *testing.T) {
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:   "a family with no revision yet: registered",
			args:   []string{"register"},
			stderr: "web: registered revision web:1\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1},
		},
		{
			name:  "unchanged: the revision reused, nothing registered",
			setup: deployedV1, args: []string{"register"},
			stderr: "web: reused revision web:1 (definition unchanged)\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1},
		},
		{
			name:  "unchanged but for a declared tag: reused, the tag added",
			setup: deployedThenTagged, args: []string{"register"},
			stderr: "web: reused revision web:1 (definition unchanged, tags updated)\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "TagResource": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if got := jsonOf(f.ecs.Tags(web(1))); got != `[{"key":"team","value":"web"}]` {
					t.Errorf("web:1 tags %s", got)
				}
			},
		},
		{
			name: "dry run: would-lines on stderr, the definitions to register on stdout",
			args: []string{"register", "--dry-run"},
			// The task definition as init writes it, one level in.
			stdout: "{\n  \"web\": " + strings.ReplaceAll(strings.TrimSuffix(initWebTask, "\n"), "\n", "\n  ") + "\n}\n",
			stderr: "web: would register the first revision of web\ndry run: nothing was changed\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1},
		},
		{
			name:  "dry run, unchanged",
			setup: deployedV1, args: []string{"register", "--dry-run"},
			stderr: "web: would reuse revision web:1 (definition unchanged)\ndry run: nothing was changed\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1},
		},
		{
			name: "json",
			args: []string{"register", "--output", "json"},
			stdout: `{
  "dry_run": false,
  "task_definitions": [
    {
      "name": "web",
      "family": "web",
      "action": "registered",
      "revision": 1,
      "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1"
    }
  ]
}
`,
			ecs: map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1},
		},
		{
			name:  "json, a tag added",
			setup: deployedThenTagged, args: []string{"register", "--output", "json", "--dry-run"},
			stdout: `{
  "dry_run": true,
  "task_definitions": [
    {
      "name": "web",
      "family": "web",
      "action": "would reuse",
      "revision": 1,
      "arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1",
      "tags_updated": true
    }
  ]
}
`,
			ecs: map[string]int{"DescribeTaskDefinition": 1},
		},
		{
			name:   "--only a name the config does not have",
			args:   []string{"register", "--only", "batch"},
			code:   1,
			stderr: "error: --only: nothing named batch in $DIR/tamp.yaml; names in the config: web\nnothing was changed in AWS\n",
		},
	})
}
