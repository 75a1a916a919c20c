package main

import (
	"testing"
)

// createWeb is the diff of a project whose service and task definition do
// not exist yet.
const createWeb = `--- /dev/null
+++ task definition web (config)
@@ -0,0 +1,23 @@
+{
+  "containerDefinitions": [
+    {
+      "essential": true,
+      "image": "busybox:v1",
+      "name": "app",
+      "portMappings": [
+        {
+          "containerPort": 80,
+          "hostPort": 80,
+          "protocol": "tcp"
+        }
+      ]
+    }
+  ],
+  "family": "web",
+  "cpu": "256",
+  "memory": "512",
+  "networkMode": "awsvpc",
+  "requiresCompatibilities": [
+    "FARGATE"
+  ]
+}
--- /dev/null
+++ service web (config)
@@ -0,0 +1,26 @@
+{
+  "deploymentConfiguration": {
+    "deploymentCircuitBreaker": {},
+    "maximumPercent": 200,
+    "minimumHealthyPercent": 100
+  },
+  "deploymentController": {
+    "type": "ECS"
+  },
+  "desiredCount": 1,
+  "launchType": "FARGATE",
+  "networkConfiguration": {
+    "awsvpcConfiguration": {
+      "subnets": [
+        "subnet-a"
+      ],
+      "assignPublicIp": "DISABLED",
+      "securityGroups": [
+        "sg-a"
+      ]
+    }
+  },
+  "platformVersion": "LATEST",
+  "propagateTags": "NONE",
+  "schedulingStrategy": "REPLICA"
+}
`

func TestDiff(t *testing.T) {
	read := map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1}
	runCases(t, webProject, imageV1, []cmdCase{
		{
			name:   "nothing in AWS: everything will be created; --exit-code 2",
			args:   []string{"diff", "--exit-code"},
			code:   2,
			stdout: createWeb,
			ecs:    read,
		},
		{
			name:   "without --exit-code a difference is exit 0",
			args:   []string{"diff"},
			stdout: createWeb,
			ecs:    read,
		},
		{
			name:  "after a deploy: nothing printed, exit 0",
			setup: deployedV1, args: []string{"diff", "--exit-code"},
			ecs: read,
		},
		{
			name:  "a new image: the one field, unified",
			setup: deployedV1, env: imageV2, args: []string{"diff", "--exit-code"},
			code: 2, stdout: diffV1V2, ecs: read,
		},
		{
			name:  "unified diff coloured with --color always",
			setup: deployedV1, env: imageV2, args: []string{"diff", "--color", "always"},
			stdout: "\x1b[1m--- task definition web (AWS: web:1)\x1b[0m\n" +
				"\x1b[1m+++ task definition web (config)\x1b[0m\n" +
				"\x1b[36m@@ -2,7 +2,7 @@\x1b[0m\n" +
				"   \"containerDefinitions\": [\n" +
				"     {\n" +
				"       \"essential\": true,\n" +
				"\x1b[31m-      \"image\": \"busybox:v1\",\x1b[0m\n" +
				"\x1b[32m+      \"image\": \"busybox:v2\",\x1b[0m\n" +
				"       \"name\": \"app\",\n" +
				"       \"portMappings\": [\n" +
				"         {\n",
			ecs: read,
		},
		{
			name:  "markdown",
			setup: deployedV1, env: imageV2, args: []string{"diff", "--format", "markdown"},
			stdout: "**tamp diff**: 0 to create, 1 to update, 1 unchanged\n\n" +
				"<details><summary>update task definition web</summary>\n\n" +
				"```diff\n" + diffV1V2 + "```\n\n" +
				"</details>\n",
			ecs: read,
		},
		{
			name:  "--output json",
			setup: deployedV1, env: imageV2, args: []string{"diff", "--output", "json", "--exit-code"},
			code: 2,
			stdout: `{
  "changes": [
    {
      "resource": "task definition web",
      "action": "update",
      "remote": "web:1",
      "fields": [
        "containerDefinitions[0].image"
      ]
    }
  ],
  "summary": {
    "create": 0,
    "delete": 0,
    "unchanged": 1,
    "update": 1
  }
}
`,
			ecs: read,
		},
		{
			name:  "a definition that does not decode: nothing is asked of AWS",
			files: map[string]string{"web-service.json": `{"desiredCount": "one"}`},
			args:  []string{"diff"},
			code:  1,
			stderr: "error: $DIR/web-service.json: desiredCount: expected a whole number, got the string \"one\"\n" +
				"nothing was changed in AWS\n",
		},
	})
}

func TestDiffIncludesScheduled(t *testing.T) {
	deployed := func(t *testing.T, f *fakeClients) { f.mustRun(t, "deploy") }
	runCases(t, batchProject, imageV1, []cmdCase{
		{
			name:  "a new image: both task definitions and both schedules",
			setup: deployed, env: imageV2, args: []string{"diff", "--format", "json", "--exit-code"},
			code: 2,
			stdout: `{
  "changes": [
    {
      "resource": "task definition web",
      "action": "update",
      "remote": "web:1",
      "fields": [
        "containerDefinitions[0].image"
      ]
    },
    {
      "resource": "task definition batch",
      "action": "update",
      "remote": "batch:1",
      "fields": [
        "containerDefinitions[0].image"
      ]
    },
    {
      "resource": "schedule nightly",
      "action": "update",
      "fields": [
        "task_definition"
      ]
    },
    {
      "resource": "schedule warmup",
      "action": "update",
      "fields": [
        "task_definition"
      ]
    }
  ],
  "summary": {
    "create": 0,
    "delete": 0,
    "unchanged": 1,
    "update": 4
  }
}
`,
			ecs:       map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 4},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
		{
			name:  "--only batch: its task definition and the schedule that runs it",
			setup: deployed, env: imageV2, args: []string{"diff", "--format", "json", "--only", "batch"},
			stdout: `{
  "changes": [
    {
      "resource": "task definition batch",
      "action": "update",
      "remote": "batch:1",
      "fields": [
        "containerDefinitions[0].image"
      ]
    },
    {
      "resource": "schedule nightly",
      "action": "update",
      "fields": [
        "task_definition"
      ]
    }
  ],
  "summary": {
    "create": 0,
    "delete": 0,
    "unchanged": 0,
    "update": 2
  }
}
`,
			ecs:       map[string]int{"DescribeTaskDefinition": 2},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
		{
			name:  "after a deploy: nothing",
			setup: deployed, args: []string{"diff", "--exit-code"},
			ecs:       map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 4},
			scheduler: map[string]int{"ListSchedules": 1, "GetSchedule": 2},
		},
	})
}
