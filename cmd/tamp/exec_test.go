package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// execProject is webProject with ECS Exec enabled on the service.
var execProject = withFiles(webProject, map[string]string{
	"web-service.json": `{"launchType": "FARGATE", "desiredCount": 1, "enableExecuteCommand": true,
 "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-a"]}}}
`,
})

// standInPlugin is a directory holding a session-manager-plugin that
// writes its arguments, one a line, to the file it returns.
func standInPlugin(t *testing.T) (dir, args string) {
	t.Helper()
	dir = t.TempDir()
	args = filepath.Join(dir, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\n"
	if err := os.WriteFile(filepath.Join(dir, "session-manager-plugin"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, args
}

// pluginGot checks the arguments the stand-in plugin was run with (nil:
// it was not run), and then forgets them.
func pluginGot(path string, want []string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		b, err := os.ReadFile(path)
		os.Remove(path)
		switch {
		case want == nil && err == nil:
			t.Errorf("the plugin ran with %q", b)
		case want == nil:
		case err != nil:
			t.Errorf("the plugin did not run: %v", err)
		case string(b) != strings.Join(want, "\n")+"\n":
			t.Errorf("plugin arguments:\n%s\nwant:\n%s", b, strings.Join(want, "\n"))
		}
	}
}

func TestExec(t *testing.T) {
	dir, args := standInPlugin(t)
	withPlugin := map[string]string{"PATH": dir + string(os.PathListSeparator) + os.Getenv("PATH"), "AWS_PROFILE": ""}
	withoutPlugin := map[string]string{"PATH": t.TempDir()}
	deployedWithTask := func(t *testing.T, f *fakeClients) {
		f.mustRun(t, "deploy")
		f.mustRun(t, "tasks") // the service's task starts
	}
	session := `{"sessionId": "ecs-execute-command-1", "streamUrl": "wss://ssmmessages.ap-northeast-1.amazonaws.com/v1/data-channel/ecs-execute-command-1?role=publish_subscribe&cell-number=AAAA", "tokenValue": "token-ecs-execute-command-1"}`
	task := "00000000000000000000000000000001"
	found := map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1, "DescribeTaskDefinition": 1}
	runCases(t, execProject, imageV1, []cmdCase{
		{
			name: "the session goes to the plugin as the AWS CLI passes it", setup: deployedWithTask, env: withPlugin, args: []string{"exec"},
			stderr: "web: session in task " + task + ", container app\n",
			ecs:    withCalls(found, map[string]int{"ExecuteCommand": 1}),
			check: func(t *testing.T, f *fakeClients, r result) {
				pluginGot(args, []string{session, "ap-northeast-1", "StartSession", "",
					`{"Target": "ecs:app_` + task + `_` + task + `-1000"}`, "https://ecs.ap-northeast-1.amazonaws.com"})(t, f, r)
				in := f.ecs.ExecuteCommands()[0]
				if aws.ToString(in.Command) != "/bin/sh" || !in.Interactive || aws.ToString(in.Container) != "app" || aws.ToString(in.Cluster) != "app" {
					t.Errorf("ExecuteCommand %s", jsonOf(in))
				}
			},
		},
		{
			name: "--command, --task, --container", setup: deployedWithTask, env: withPlugin,
			args:   []string{"exec", "--command", "bin/rails console", "--task", task, "--container", "app", "--service", "web"},
			stderr: "web: session in task " + task + ", container app\n",
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTasks": 1, "ExecuteCommand": 1},
			check: func(t *testing.T, f *fakeClients, r result) {
				if in := f.ecs.ExecuteCommands()[0]; aws.ToString(in.Command) != "bin/rails console" {
					t.Errorf("command %q", aws.ToString(in.Command))
				}
				os.Remove(args)
			},
		},
		{
			name: "no plugin: says how to install it, opens no session", setup: deployedWithTask, env: withoutPlugin, args: []string{"exec"},
			code: 1,
			stderr: "error: session-manager-plugin is not installed (not found on PATH); ECS Exec needs it: install it as " +
				"https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html says\n",
			check: pluginGot(args, nil),
		},
		{
			name: "exec not enabled on the service", setup: deployedWithTask, env: withPlugin, args: []string{"exec"},
			files: map[string]string{"web-service.json": webProject["web-service.json"]},
			code:  1,
			stderr: "error: ECS Exec is not enabled on service web: set \"enableExecuteCommand\": true in its service definition and deploy with --force-new-deployment " +
				"(tasks keep the setting they started with); the task role also needs the ssmmessages permissions ECS Exec uses\nnothing was changed in AWS\n",
			ecs:   map[string]int{"DescribeServices": 1},
			check: pluginGot(args, nil),
		},
		{
			name: "a task started before it was enabled", env: withPlugin, args: []string{"exec"},
			files: map[string]string{"web-service.json": webProject["web-service.json"]},
			setup: func(t *testing.T, f *fakeClients) {
				deployedWithTask(t, f)
				f.ecs.EditService("web", func(s *types.Service) { s.EnableExecuteCommand = true })
			},
			code: 1,
			stderr: "error: task " + task + " of service web was started without ECS Exec: set \"enableExecuteCommand\": true in the service definition, " +
				"then `tamp deploy --force-new-deployment` so that new tasks start with it\nnothing was changed in AWS\n",
			ecs:   map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1},
			check: pluginGot(args, nil),
		},
		{
			name: "a container the task lacks", setup: deployedWithTask, env: withPlugin, args: []string{"exec", "--container", "ap"},
			code:   1,
			stderr: "error: --container ap: task " + task + " has no container of that name; it has app\nnothing was changed in AWS\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTasks": 1, "DescribeTasks": 1},
			check:  pluginGot(args, nil),
		},
		{
			name: "no running task", env: withPlugin, args: []string{"exec"},
			setup: func(t *testing.T, f *fakeClients) {
				f.mustRun(t, "deploy")
				f.mustRun(t, "scale", "--tasks", "0")
			},
			code:   1,
			stderr: "error: service web runs no task to exec into\nnothing was changed in AWS\n",
			ecs:    map[string]int{"DescribeServices": 1, "ListTasks": 1},
			check:  pluginGot(args, nil),
		},
	})
}
