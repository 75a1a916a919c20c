package main

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// runProject is webProject with a standalone migrate task definition of
// two containers: app (essential, logging with awslogs) and sidecar.
var runProject = withFiles(webProject, map[string]string{
	"tamp.yaml": webProject["tamp.yaml"] + `task_definitions:
  - name: migrate
    path: migrate-task.json
`,
	"migrate-task.json": `{"family": "migrate", "containerDefinitions": [
  {"name": "app", "image": "app:1", "memory": 256, "command": ["bin/default"],
   "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/migrate", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "migrate"}}},
  {"name": "sidecar", "image": "sidecar:1", "memory": 64, "essential": false}]}
`,
	"overrides.json": `{"containerOverrides": [{"name": "app", "environment": [{"name": "MODE", "value": "full"}]}], "cpu": "512"}`,
})

// task1 is the first task the fake starts.
const task1 = "arn:aws:ecs:ap-northeast-1:123456789012:task/app/00000000000000000000000000000001"

// logged puts the app container's log lines of the first task in place.
func logged(t *testing.T, f *fakeClients) {
	f.logs.Append("/ecs/migrate", "migrate/app/00000000000000000000000000000001", "migrating", "done")
}

func TestRun(t *testing.T) {
	migrate1 := fakeaws.TaskDefinitionARN("migrate", 1)
	registeredAndRan := map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1}
	runCases(t, runProject, imageV1, []cmdCase{
		{
			name:   "a config task definition, registered, with a command: its log on stdout, exit 0",
			setup:  logged,
			args:   []string{"run", "--task-definition", "migrate", "--command", "bin/migrate --all"},
			stdout: "migrating\ndone\n",
			stderr: "started " + task1 + "\n",
			ecs:    registeredAndRan,
			logs:   map[string]int{"GetLogEvents": 3},
			check: func(t *testing.T, f *fakeClients, r result) {
				in := onlyRun(t, f)
				if aws.ToString(in.TaskDefinition) != migrate1 || aws.ToString(in.Cluster) != "app" || aws.ToInt32(in.Count) != 1 ||
					aws.ToString(in.StartedBy) != "tamp" {
					t.Errorf("RunTask %s in %s, count %d, started by %s", aws.ToString(in.TaskDefinition), aws.ToString(in.Cluster),
						aws.ToInt32(in.Count), aws.ToString(in.StartedBy))
				}
				want := &types.TaskOverride{ContainerOverrides: []types.ContainerOverride{{Name: aws.String("app"), Command: []string{"bin/migrate", "--all"}}}}
				if !reflect.DeepEqual(in.Overrides, want) {
					t.Errorf("overrides %s, want %s", jsonOf(in.Overrides), jsonOf(want))
				}
			},
		},
		{
			name: "the watched container's exit code is tamp's",
			setup: func(t *testing.T, f *fakeClients) {
				logged(t, f)
				f.ecs.SetTaskRun("migrate", fakeaws.TaskRun{ExitCode: 3})
			},
			args:   []string{"run", "--task-definition", "migrate"},
			code:   3,
			stdout: "migrating\ndone\n",
			stderr: "started " + task1 + "\nerror: task 00000000000000000000000000000001: container app exited with code 3\n",
			ecs:    registeredAndRan,
			logs:   map[string]int{"GetLogEvents": 3},
			check: func(t *testing.T, f *fakeClients, r result) {
				if in := onlyRun(t, f); in.Overrides != nil {
					t.Errorf("overrides %s without --command", jsonOf(in.Overrides))
				}
			},
		},
		{
			name:   "--watch-container: that container's code (0) counts, and its log (none)",
			setup:  func(t *testing.T, f *fakeClients) { f.ecs.SetTaskRun("migrate", fakeaws.TaskRun{ExitCode: 3}) },
			args:   []string{"run", "--task-definition", "migrate", "--watch-container", "sidecar"},
			stderr: "started " + task1 + "\nlogs: container sidecar does not log with awslogs and a stream prefix; not following its log\n",
			ecs:    registeredAndRan,
		},
		{
			name: "--no-wait: the task ARNs on stdout; --count and --tags passed",
			args: []string{"run", "--task-definition", "migrate", "--no-wait", "--count", "2", "--tags", "a=1,b=2"},
			stdout: task1 + "\n" +
				"arn:aws:ecs:ap-northeast-1:123456789012:task/app/00000000000000000000000000000002\n",
			ecs: map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				in := onlyRun(t, f)
				tags := map[string]string{}
				for _, tag := range in.Tags {
					tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
				}
				if aws.ToInt32(in.Count) != 2 || !reflect.DeepEqual(tags, map[string]string{"a": "1", "b": "2"}) {
					t.Errorf("count %d, tags %v", aws.ToInt32(in.Count), tags)
				}
			},
		},
		{
			name:  "--service: the service's task definition with its network and launch type",
			setup: deployedV1, args: []string{"run", "--service", "web", "--command", `["sh", "-c", "echo hi"]`},
			stderr: "started " + task1 + "\nlogs: container app does not log with awslogs and a stream prefix; not following its log\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				in := onlyRun(t, f)
				net := `{"awsvpcConfiguration":{"subnets":["subnet-a"],"assignPublicIp":"DISABLED","securityGroups":["sg-a"]}}`
				if aws.ToString(in.TaskDefinition) != web(1) || in.LaunchType != types.LaunchTypeFargate || jsonOf(in.NetworkConfiguration) != net {
					t.Errorf("RunTask %s %s %s", aws.ToString(in.TaskDefinition), in.LaunchType, jsonOf(in.NetworkConfiguration))
				}
				if got := in.Overrides.ContainerOverrides[0].Command; !reflect.DeepEqual(got, []string{"sh", "-c", "echo hi"}) {
					t.Errorf("command %q", got)
				}
			},
		},
		{
			name:  "a family:revision from ECS, not in the config",
			setup: deployedV1, args: []string{"run", "--task-definition", "web:1"},
			stderr: "started " + task1 + "\nlogs: container app does not log with awslogs and a stream prefix; not following its log\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1},
		},
		{
			name:   "--overrides-file",
			args:   []string{"run", "--task-definition", "migrate", "--overrides-file", "$DIR/overrides.json", "--no-wait"},
			stdout: task1 + "\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				want := `{"containerOverrides":[{"environment":[{"name":"MODE","value":"full"}],"name":"app"}],"cpu":"512"}`
				if got := jsonOf(onlyRun(t, f).Overrides); got != want {
					t.Errorf("overrides %s, want %s", got, want)
				}
			},
		},
		{
			name:   "a task that fails to start: exit 1",
			setup:  func(t *testing.T, f *fakeClients) { f.ecs.SetTaskRun("migrate", fakeaws.TaskRun{FailStart: true}) },
			args:   []string{"run", "--task-definition", "migrate"},
			code:   1,
			stderr: "error: run task " + migrate1 + ": 1 of 1 failed to start: RESOURCE:MEMORY no capacity\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1},
		},
		{
			name:  "a container that stopped without an exit code: exit 1 with the reason",
			setup: func(t *testing.T, f *fakeClients) { f.ecs.SetTaskRun("migrate", fakeaws.TaskRun{PullFails: true}) },
			args:  []string{"run", "--task-definition", "migrate"},
			code:  1,
			stderr: "started " + task1 + "\n" +
				"error: task " + task1 + ": container app has no exit code: CannotPullContainerError: pull image manifest has been retried (TaskFailedToStart)\n",
			ecs:  registeredAndRan,
			logs: map[string]int{"GetLogEvents": 2},
		},
		{
			name:   "neither --task-definition nor --service",
			args:   []string{"run"},
			code:   1,
			stderr: "error: give --task-definition or --service (one of them)\n",
		},
		{
			name:   "both --task-definition and --service",
			args:   []string{"run", "--task-definition", "migrate", "--service", "web"},
			code:   1,
			stderr: "error: give --task-definition or --service (one of them)\n",
		},
		{
			name:   "a --command that does not split: refused before anything is registered",
			args:   []string{"run", "--task-definition", "migrate", "--command", "bin/x 'unterminated"},
			code:   1,
			stderr: "error: --command: unterminated single quote\n",
		},
		{
			name:   "a service the config does not have",
			args:   []string{"run", "--service", "nosuch"},
			code:   1,
			stderr: "error: --service: no service named nosuch in $DIR/tamp.yaml\nnothing was changed in AWS\n",
		},
		{
			name:   "an --overrides-file that is not there",
			args:   []string{"run", "--task-definition", "migrate", "--overrides-file", "$DIR/nosuch.json"},
			code:   1,
			stderr: "error: --overrides-file: open $DIR/nosuch.json: no such file or directory\nnothing was changed in AWS\n",
		},
		{
			name:   "a family neither in the config nor in ECS",
			args:   []string{"run", "--task-definition", "nosuch"},
			code:   1,
			stderr: "error: task definition nosuch: neither a config task definition nor one in ECS: api error ClientException: Unable to describe task definition.\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1},
		},
	})
}
