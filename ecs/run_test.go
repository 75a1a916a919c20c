package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// runFake knows task definition batch (containers app, then sidecar) and
// runs its tasks as scripted.
func runFake(run fakeaws.TaskRun) *fakeaws.ECS {
	api := fakeaws.NewECS()
	api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("batch"), ContainerDefinitions: []types.ContainerDefinition{
		{Name: aws.String("app"), Image: aws.String("app:1"), Essential: aws.Bool(true)},
		{Name: aws.String("sidecar"), Image: aws.String("side:1"), Essential: aws.Bool(false)},
	}})
	api.SetTaskRun("batch", run)
	return api
}

func TestRunExitCodes(t *testing.T) {
	in := &awsecs.RunTaskInput{Cluster: aws.String("c"), TaskDefinition: aws.String("batch:1")}
	tests := []struct {
		name    string
		run     fakeaws.TaskRun
		watch   string
		code    int32 // for a *ContainerExitError
		wantErr string
	}{
		{name: "exit 0", run: fakeaws.TaskRun{Polls: 3}},
		{name: "exit 3", run: fakeaws.TaskRun{Polls: 2, ExitCode: 3}, code: 3},
		{name: "watched sidecar exits 0 while app fails", run: fakeaws.TaskRun{Polls: 1, ExitCode: 9}, watch: "sidecar"},
		{name: "no exit code", run: fakeaws.TaskRun{Polls: 1, PullFails: true}, wantErr: "container app has no exit code: CannotPullContainerError"},
		{name: "failed to start", run: fakeaws.TaskRun{FailStart: true}, wantErr: "failed to start: RESOURCE:MEMORY no capacity"},
		{name: "no such container", run: fakeaws.TaskRun{}, watch: "nope", wantErr: `no container "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := fakeaws.NewClock()
			api := runFake(tt.run)
			r := &Runner{API: api, Clock: clock}
			_, err := r.Run(context.Background(), in, tt.watch, false)
			var exit *ContainerExitError
			switch {
			case tt.code != 0:
				if !errors.As(err, &exit) || exit.Code != tt.code || exit.Container != "app" {
					t.Fatalf("err = %v, want exit code %d of app", err, tt.code)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, &exit) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			}
			if tt.run.Polls > 1 && clock.Sleeps() != tt.run.Polls-1 {
				t.Errorf("slept %d times for %d polls", clock.Sleeps(), tt.run.Polls)
			}
			if got := api.RunTaskInputs(); len(got) != 1 || got[0] != in {
				t.Errorf("RunTask requests %v, want the one given", got)
			}
		})
	}
}

func TestRunNoWait(t *testing.T) {
	api := runFake(fakeaws.TaskRun{Polls: 5})
	arns, err := (&Runner{API: api}).Run(context.Background(), &awsecs.RunTaskInput{TaskDefinition: aws.String("batch:1")}, "", true)
	if err != nil || len(arns) != 1 || api.Calls("DescribeTasks") != 0 {
		t.Errorf("arns %v, err %v, described %d", arns, err, api.Calls("DescribeTasks"))
	}
}

func TestRunFollowsEveryTask(t *testing.T) {
	api := runFake(fakeaws.TaskRun{Polls: 2})
	var started []string
	var polled []int
	r := &Runner{API: api, Clock: fakeaws.NewClock(),
		Started: func(arns []string) { started = arns },
		Polled: func(_ context.Context, tasks []types.Task) {
			stopped := 0
			for _, t := range tasks {
				if aws.ToString(t.LastStatus) == "STOPPED" {
					stopped++
				}
			}
			polled = append(polled, stopped)
		}}
	arns, err := r.Run(context.Background(), &awsecs.RunTaskInput{Cluster: aws.String("c"), TaskDefinition: aws.String("batch"), Count: aws.Int32(2)}, "", false)
	if err != nil || len(arns) != 2 || !slices.Equal(started, arns) {
		t.Fatalf("arns %v, started %v, err %v", arns, started, err)
	}
	if fmt.Sprint(polled) != "[0 2]" || api.Calls("DescribeTasks") != 2 {
		t.Errorf("polled %v (stopped tasks per poll), calls %v", polled, api.CallCounts())
	}
}

func TestRunErrors(t *testing.T) {
	in := &awsecs.RunTaskInput{Cluster: aws.String("c"), TaskDefinition: aws.String("batch")}
	api := runFake(fakeaws.TaskRun{Polls: 3})
	api.Fail("RunTask", errDenied)
	if _, err := (&Runner{API: api}).Run(context.Background(), in, "", false); !errors.Is(err, errDenied) || !strings.HasPrefix(err.Error(), "run task batch: ") {
		t.Errorf("err = %v", err)
	}
	api.Fail("RunTask", nil)
	api.Fail("DescribeTasks", errDenied)
	arns, err := (&Runner{API: api, Clock: fakeaws.NewClock()}).Run(context.Background(), in, "", false)
	if !errors.Is(err, errDenied) || !strings.HasPrefix(err.Error(), "follow task: ") || len(arns) != 1 {
		t.Errorf("arns %v, err %v", arns, err)
	}
	// Ctrl-C while the task runs: tamp stops waiting, the task goes on.
	api.Fail("DescribeTasks", nil)
	api.SetTaskRun("batch", fakeaws.TaskRun{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{API: api, Clock: fakeaws.NewClock(), Polled: func(context.Context, []types.Task) { cancel() }}
	arns, err = r.Run(ctx, in, "", false)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting for "+arns[0]+"; the task goes on") {
		t.Errorf("err = %v", err)
	}
}

func TestContainerExitError(t *testing.T) {
	err := &ContainerExitError{Task: "arn:aws:ecs:r:1:task/c/0123abcd", Container: "app", Code: 3}
	if err.Error() != "task 0123abcd: container app exited with code 3" {
		t.Errorf("%q", err.Error())
	}
}

func TestLogFollowerPrintsEachLineOnceInOrder(t *testing.T) {
	logs := fakeaws.NewLogs()
	logs.SetPageSize(2) // the follower pages through what a poll finds
	var lines []string
	f := &LogFollower{API: logs, Group: "/ecs/app", Stream: "app/app/abc", Print: func(l string) { lines = append(lines, l) }}
	poll := func() {
		t.Helper()
		if err := f.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	poll() // the task is starting: no stream yet
	logs.Append("/ecs/app", "app/app/abc", "migrating", "step 1", "step 2")
	poll()
	poll()
	logs.Append("/ecs/app", "app/app/abc", "done")
	poll()
	poll()
	if got := strings.Join(lines, "|"); got != "migrating|step 1|step 2|done" {
		t.Errorf("lines = %s", got)
	}
	// Two pages for the three first lines, one empty answer per poll at the end.
	if n := logs.Calls("GetLogEvents"); n != 1+3+1+2+1 {
		t.Errorf("%d calls", n)
	}
	logs.Fail("GetLogEvents", errDenied)
	if err := f.Poll(context.Background()); !errors.Is(err, errDenied) || !strings.HasPrefix(err.Error(), "log /ecs/app/app/app/abc: ") {
		t.Errorf("err = %v", err)
	}
}

func TestAwslogsStream(t *testing.T) {
	c := types.ContainerDefinition{Name: aws.String("app"), LogConfiguration: &types.LogConfiguration{
		LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "batch"}}}
	g, r, s, ok := AwslogsStream(c, "arn:aws:ecs:r:1:task/cluster/0123abcd")
	if !ok || g != "/ecs/app" || r != "eu-west-1" || s != "batch/app/0123abcd" {
		t.Errorf("got %q %q %q %v", g, r, s, ok)
	}
	c.LogConfiguration.Options["awslogs-stream-prefix"] = ""
	if _, _, _, ok := AwslogsStream(c, "arn"); ok {
		t.Error("a stream without a prefix cannot be named")
	}
	c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwsfirelens}
	if _, _, _, ok := AwslogsStream(c, "arn"); ok {
		t.Error("a container logging through FireLens has no awslogs stream")
	}
}
