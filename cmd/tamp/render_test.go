package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// indented is a JSON document one level in, as the value of a key.
func indented(doc string) string {
	return strings.ReplaceAll(strings.TrimSuffix(doc, "\n"), "\n", "\n  ")
}

func TestRender(t *testing.T) {
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name: "config: the timeout filled in",
			args: []string{"render", "config"},
			stdout: `{
  "region": "ap-northeast-1",
  "cluster": "app",
  "timeout": "10m0s",
  "services": [
    {
      "name": "web",
      "service_definition": "web-service.json",
      "task_definition": "web-task.json"
    }
  ]
}
`,
		},
		{
			name:   "services, normalized, keyed by name; nothing asked of AWS",
			args:   []string{"render", "services"},
			stdout: "{\n  \"web\": " + indented(initWebService) + "\n}\n",
		},
		{
			name:   "taskdefs",
			args:   []string{"render", "taskdefs"},
			stdout: "{\n  \"web\": " + indented(initWebTask) + "\n}\n",
		},
		{
			name:   "an --envfile reaches the templates",
			files:  map[string]string{"stage.env": "IMAGE_TAG=from-file\n"},
			unset:  []string{"IMAGE_TAG"},
			args:   []string{"render", "taskdefs", "--envfile", "$DIR/stage.env"},
			stdout: "{\n  \"web\": " + indented(strings.Replace(initWebTask, "busybox:v1", "busybox:from-file", 1)) + "\n}\n",
		},
		{
			name:   "an --envfile overrides the environment and a later one an earlier one",
			files:  map[string]string{"stage.env": "IMAGE_TAG=from-file\n", "later.env": "IMAGE_TAG=from-later-file\n"},
			args:   []string{"render", "taskdefs", "--envfile", "$DIR/stage.env", "--envfile", "$DIR/later.env"},
			stdout: "{\n  \"web\": " + indented(strings.Replace(initWebTask, "busybox:v1", "busybox:from-later-file", 1)) + "\n}\n",
		},
		{
			name:   "an --envfile that is not there",
			args:   []string{"render", "taskdefs", "--envfile", "$DIR/nosuch.env"},
			code:   1,
			stderr: "error: --envfile: open $DIR/nosuch.env: no such file or directory\n",
		},
	})
}

const (
	renderedNightly = `{
  "name": "nightly",
  "schedule": "cron(0 16 * * ? *)",
  "timezone": "Asia/Tokyo",
  "task_definition": "batch",
  "command": [
    "bin/batch",
    "nightly"
  ],
  "launch_type": "FARGATE",
  "network_configuration": {
    "awsvpcConfiguration": {
      "subnets": [
        "subnet-a"
      ],
      "securityGroups": [
        "sg-a"
      ]
    }
  }
}
`
	renderedWarmup = `{
  "name": "warmup",
  "schedule": "rate(1 hour)",
  "task_definition": "web",
  "launch_type": "FARGATE",
  "network_configuration": {
    "awsvpcConfiguration": {
      "subnets": [
        "subnet-a"
      ],
      "securityGroups": [
        "sg-a"
      ]
    }
  }
}
`
)

func TestRenderScheduled(t *testing.T) {
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:   "the tasks with defaults merged, keyed by name; nothing asked of AWS",
			args:   []string{"render", "scheduled"},
			stdout: "{\n  \"nightly\": " + indented(renderedNightly) + ",\n  \"warmup\": " + indented(renderedWarmup) + "\n}\n",
		},
		{
			name:   "--only a scheduled task: that task alone",
			args:   []string{"render", "scheduled", "--only", "warmup"},
			stdout: "{\n  \"warmup\": " + indented(renderedWarmup) + "\n}\n",
		},
	})
}

func TestVersion(t *testing.T) {
	runCases(t, map[string]string{}, nil, []cmdCase{
		{
			name:   "json",
			args:   []string{"version", "--output", "json"},
			stdout: fmt.Sprintf("{\n  \"commit\": \"\",\n  \"go\": %q,\n  \"version\": \"0.1.0\"\n}\n", runtime.Version()),
		},
	})
}
