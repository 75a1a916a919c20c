package ecs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

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

// fakeLogs serves a stream that grows by one batch of lines per call, as
// a running task's log does; the stream is missing before the first batch.
type fakeLogs struct {
	batches [][]string
	calls   int
}

func (f *fakeLogs) GetLogEvents(_ context.Context, in *cloudwatchlogs.GetLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	f.calls++
	if f.calls == 1 {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "The specified log stream does not exist."}
	}
	// The token is the number of batches already read.
	read := 0
	if in.NextToken != nil {
		read, _ = strconv.Atoi(*in.NextToken)
	}
	out := &cloudwatchlogs.GetLogEventsOutput{NextForwardToken: aws.String(strconv.Itoa(read))}
	if read < len(f.batches) && read < f.calls-1 {
		for _, m := range f.batches[read] {
			out.Events = append(out.Events, cwltypes.OutputLogEvent{Message: aws.String(m)})
		}
		out.NextForwardToken = aws.String(strconv.Itoa(read + 1))
	}
	return out, nil
}

func TestLogFollowerPrintsEachLineOnceInOrder(t *testing.T) {
	logs := &fakeLogs{batches: [][]string{{"migrating", "step 1"}, {"step 2"}, {"done"}}}
	var lines []string
	f := &LogFollower{API: logs, Group: "/ecs/app", Stream: "app/app/abc", Print: func(l string) { lines = append(lines, l) }}
	for range 6 {
		if err := f.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(lines, "|"); got != "migrating|step 1|step 2|done" {
		t.Errorf("lines = %s", got)
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
}
