package main

import (
	"testing"

	"github.com/tamp-ecs/tamp/verify"
)

// verifyProject is batchProject with a task definition that verify has
// more to ask about: two roles, an ECR image, a log group, a parameter.
var verifyProject = withFiles(batchProject, map[string]string{
	"batch-task.json": `{"family": "batch", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "executionRoleArn": "arn:aws:iam::123456789012:role/batch-exec", "taskRoleArn": "arn:aws:iam::123456789012:role/batch-task",
 "containerDefinitions": [{"name": "app", "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/batch:{{ must_env ` + "`IMAGE_TAG`" + ` }}",
   "secrets": [{"name": "DB_PASSWORD", "valueFrom": "/app/db_password"}],
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/batch", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "batch"}}}]}
`,
})

// allThere is an AWS in which everything verifyProject points at exists.
func allThere(t *testing.T, f *fakeClients) {
	l := f.lookup
	l.clusters["app"] = &verify.Cluster{Status: "ACTIVE"}
	l.subnets["subnet-a"] = "vpc-1"
	l.groups["sg-a"] = "vpc-1"
	l.roles["batch-exec"] = trustingRole("batch-exec", "ecs-tasks.amazonaws.com")
	l.roles["batch-task"] = trustingRole("batch-task", "ecs-tasks.amazonaws.com")
	l.roles["scheduler"] = trustingRole("scheduler", "scheduler.amazonaws.com")
	l.images["batch:v1"] = true
	l.logGroups["ap-northeast-1//ecs/batch"] = true
	l.parameters["/app/db_password"] = true
}

// asked checks the questions verify asked, by kind: each answer once, the
// batchable ones in one batch.
func asked(want map[string]int) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		checkCalls(t, "verify", f.lookup.counts(), want)
	}
}

func TestVerify(t *testing.T) {
	everyQuestion := map[string]int{"Clusters": 1, "Subnets": 1, "SecurityGroups": 1, "Role": 3, "Image": 1, "LogGroup": 1, "Parameters": 1}
	runCases(t, verifyProject, imageV1, []cmdCase{
		{
			name:  "everything there: every line OK, exit 0",
			setup: allThere, args: []string{"verify"},
			stdout: `service web ($DIR/web-service.json)
  OK    definition: valid
  OK    cluster app: ACTIVE
  OK    subnet subnet-a: exists in vpc-1
  OK    security group sg-a: exists in vpc-1
task definition web ($DIR/web-task.json)
  OK    definition: valid
  SKIP  image busybox:v1: registry docker.io is not ECR; not checked
task definition batch ($DIR/batch-task.json)
  OK    definition: valid
  OK    execution role batch-exec: exists, trusts ecs-tasks.amazonaws.com
  OK    task role batch-task: exists, trusts ecs-tasks.amazonaws.com
  OK    image 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/batch:v1: exists
  OK    log group /ecs/batch: exists
  OK    secret DB_PASSWORD (container app): SSM parameter /app/db_password exists
scheduled task nightly
  OK    definition: valid
  OK    cluster app: ACTIVE
  OK    role scheduler: exists, trusts scheduler.amazonaws.com
  OK    subnet subnet-a: exists in vpc-1
  OK    security group sg-a: exists in vpc-1
scheduled task warmup
  OK    definition: valid
  OK    cluster app: ACTIVE
  OK    role scheduler: exists, trusts scheduler.amazonaws.com
  OK    subnet subnet-a: exists in vpc-1
  OK    security group sg-a: exists in vpc-1
21 OK, 0 NG, 1 SKIP
`,
			check: asked(everyQuestion),
		},
		{
			name: "nothing there: NG lines with the fix, exit 1",
			args: []string{"verify"},
			code: 1,
			stdout: `service web ($DIR/web-service.json)
  OK    definition: valid
  NG    cluster app: does not exist in ap-northeast-1; create it or fix cluster in the config
  NG    subnet subnet-a: does not exist in ap-northeast-1
  NG    security group sg-a: does not exist in ap-northeast-1
task definition web ($DIR/web-task.json)
  OK    definition: valid
  SKIP  image busybox:v1: registry docker.io is not ECR; not checked
task definition batch ($DIR/batch-task.json)
  OK    definition: valid
  NG    execution role batch-exec: does not exist; create it or fix arn:aws:iam::123456789012:role/batch-exec
  NG    task role batch-task: does not exist; create it or fix arn:aws:iam::123456789012:role/batch-task
  NG    image 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/batch:v1: tag v1 not found in repository batch (ap-northeast-1); push it or fix the tag
  NG    log group /ecs/batch: does not exist in ap-northeast-1; create it or set awslogs-create-group to "true" (container app)
  NG    secret DB_PASSWORD (container app): SSM parameter /app/db_password does not exist in ap-northeast-1; create it or fix valueFrom
scheduled task nightly
  OK    definition: valid
  NG    cluster app: does not exist in ap-northeast-1; create it or fix cluster in the config
  NG    role scheduler: does not exist; create it or fix arn:aws:iam::123456789012:role/scheduler
  NG    subnet subnet-a: does not exist in ap-northeast-1
  NG    security group sg-a: does not exist in ap-northeast-1
scheduled task warmup
  OK    definition: valid
  NG    cluster app: does not exist in ap-northeast-1; create it or fix cluster in the config
  NG    role scheduler: does not exist; create it or fix arn:aws:iam::123456789012:role/scheduler
  NG    subnet subnet-a: does not exist in ap-northeast-1
  NG    security group sg-a: does not exist in ap-northeast-1
5 OK, 16 NG, 1 SKIP
`,
			stderr: "error: verify found problems (NG above): 16 NG\n",
			check:  asked(everyQuestion),
		},
		{
			name:  "json, --only a scheduled task",
			setup: allThere, args: []string{"verify", "--output", "json", "--only", "nightly"},
			stdout: `{
  "resources": [
    {
      "kind": "scheduled task",
      "name": "nightly",
      "checks": [
        {
          "check": "definition",
          "status": "OK",
          "reason": "valid"
        },
        {
          "check": "cluster",
          "subject": "app",
          "status": "OK",
          "reason": "ACTIVE"
        },
        {
          "check": "role",
          "subject": "scheduler",
          "status": "OK",
          "reason": "exists, trusts scheduler.amazonaws.com"
        },
        {
          "check": "subnet",
          "subject": "subnet-a",
          "status": "OK",
          "reason": "exists in vpc-1"
        },
        {
          "check": "security group",
          "subject": "sg-a",
          "status": "OK",
          "reason": "exists in vpc-1"
        }
      ]
    }
  ],
  "summary": {
    "NG": 0,
    "OK": 5,
    "SKIP": 0
  }
}
`,
			check: asked(map[string]int{"Clusters": 1, "Subnets": 1, "SecurityGroups": 1, "Role": 1}),
		},
		{
			name: "--offline: the definition lines only, nothing asked",
			args: []string{"verify", "--offline"},
			stdout: `service web ($DIR/web-service.json)
  OK    definition: valid
task definition web ($DIR/web-task.json)
  OK    definition: valid
task definition batch ($DIR/batch-task.json)
  OK    definition: valid
scheduled task nightly
  OK    definition: valid
scheduled task warmup
  OK    definition: valid
5 OK, 0 NG, 0 SKIP
`,
			check: asked(map[string]int{}),
		},
		{
			name: "an invalid definition is an NG line of its own, the others still checked",
			files: map[string]string{"web-task.json": `{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "app"}]}`},
			args: []string{"verify", "--offline"},
			code: 1,
			stdout: `service web ($DIR/web-service.json)
  OK    definition: valid
task definition web ($DIR/web-task.json)
  NG    definition: containerDefinitions[0].image: is required
task definition batch ($DIR/batch-task.json)
  OK    definition: valid
scheduled task nightly
  OK    definition: valid
scheduled task warmup
  OK    definition: valid
4 OK, 1 NG, 0 SKIP
`,
			stderr: "error: verify found problems (NG above): 1 NG\n",
		},
		{
			name:  "a config that does not load: an error as for every command",
			files: map[string]string{"tamp.yaml": "cluster: [\n"},
			args:  []string{"verify"},
			code:  1,
			stderr: "error: $DIR/tamp.yaml: [1:10] sequence end token ']' not found; check the indentation, colons, quotes and brackets at that line and the one before\n" +
				"  >  1 | cluster: [\n" +
				"                  ^\n" +
				"nothing was changed in AWS\n",
			check: asked(map[string]int{}),
		},
	})
}
