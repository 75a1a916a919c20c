package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
)

// runWith hands newClients the --debug trace writer (stderr, masked), and
// nil without --debug.
func TestDebugTrace(t *testing.T) {
	for _, debug := range []bool{false, true} {
		f := newFakeClients()
		args := []string{"version"}
		if debug {
			args = append(args, "--debug")
		}
		r := f.run(t, false, args...)
		if r.code != 0 || f.globals == nil || f.globals.Debug != debug {
			t.Fatalf("debug %v: exit %d, globals %+v", debug, r.code, f.globals)
		}
		if (f.trace != nil) != debug {
			t.Errorf("debug %v: trace writer %v", debug, f.trace)
		}
	}
	f := newFakeClients()
	var stderr ttyBuffer
	code := runWith(context.Background(), []string{"version", "--debug"}, &ttyBuffer{}, &stderr, func(g *Globals, trace io.Writer) Clients {
		io.WriteString(trace, "aws ECS.DescribeServices ok 12ms\n")
		return f
	})
	if code != 0 || stderr.String() != "aws ECS.DescribeServices ok 12ms\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// Commands ask the seam for clients of the project's region: the config's,
// or --region's over it; a one-off task's log is read where its awslogs
// configuration says. No SDK configuration is asked for when no template
// reads a value from AWS.
func TestClientRegions(t *testing.T) {
	logElsewhere := withFiles(runProject, map[string]string{
		"migrate-task.json": strings.Replace(runProject["migrate-task.json"], `"awslogs-region": "ap-northeast-1"`, `"awslogs-region": "us-west-2"`, 1),
	})
	runCases(t, logElsewhere, imageV1, []cmdCase{
		{
			name:   "the config's region",
			args:   []string{"register", "--only", "migrate"},
			stderr: "migrate: registered revision migrate:1\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1},
			check:  askedFor("ecs ap-northeast-1"),
		},
		{
			name:   "--region over the config's",
			args:   []string{"register", "--only", "migrate", "--region", "eu-west-1"},
			stderr: "migrate: registered revision migrate:1\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1},
			check:  askedFor("ecs eu-west-1"),
		},
		{
			name: "run reads the log in the task definition's awslogs-region",
			setup: func(t *testing.T, f *fakeClients) {
				f.logs.Append("/ecs/migrate", "migrate/app/00000000000000000000000000000001", "ok")
			},
			args:   []string{"run", "--task-definition", "migrate"},
			stdout: "ok\n",
			stderr: "started " + task1 + "\n",
			ecs:    map[string]int{"DescribeTaskDefinition": 1, "RegisterTaskDefinition": 1, "RunTask": 1, "DescribeTasks": 1},
			logs:   map[string]int{"GetLogEvents": 3},
			check:  askedFor("ecs ap-northeast-1", "logs us-west-2"),
		},
	})
}

func askedFor(want ...string) func(t *testing.T, f *fakeClients, r result) {
	return func(t *testing.T, f *fakeClients, r result) {
		t.Helper()
		if got := slices.Compact(f.askedFor()); !slices.Equal(got, want) {
			t.Errorf("clients asked for %q, want %q", got, want)
		}
	}
}
