package ecs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
)

func TestRunExitCodes(t *testing.T) {
	in := &awsecs.RunTaskInput{Cluster: aws.String("c"), TaskDefinition: aws.String("batch:3")}
	tests := []struct {
		name    string
		run     *fakeRun
		watch   string
		code    int32 // for a *ContainerExitError
		wantErr string
	}{
		{name: "exit 0", run: &fakeRun{polls: 3, exitCode: aws.Int32(0)}},
		{name: "exit 3", run: &fakeRun{polls: 2, exitCode: aws.Int32(3)}, code: 3},
		{name: "watched sidecar exits 0 while app fails", run: &fakeRun{polls: 1, exitCode: aws.Int32(9)}, watch: "sidecar"},
		{name: "no exit code", run: &fakeRun{polls: 1}, wantErr: "container app has no exit code: CannotPullContainerError"},
		{name: "failed to start", run: &fakeRun{failStart: true}, wantErr: "failed to start: RESOURCE:MEMORY no capacity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			r := &Runner{API: tt.run, Clock: clock}
			_, err := r.Run(context.Background(), in, tt.watch, false)
			var exit *ContainerExitError
			switch {
			case tt.code != 0:
				if !errors.As(err, &exit) || exit.Code != tt.code {
					t.Fatalf("err = %v, want exit code %d", err, tt.code)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, &exit) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			}
			if tt.run.polls > 1 && clock.sleeps.Load() != int64(tt.run.polls-1) {
				t.Errorf("slept %d times for %d polls", clock.sleeps.Load(), tt.run.polls)
			}
		})
	}
}

func TestRunNoWait(t *testing.T) {
	f := &fakeRun{polls: 5, exitCode: aws.Int32(0)}
	arns, err := (&Runner{API: f}).Run(context.Background(), &awsecs.RunTaskInput{TaskDefinition: aws.String("b:1")}, "", true)
	if err != nil || len(arns) != 1 || f.described != 0 {
		t.Errorf("arns %v, err %v, described %d", arns, err, f.described)
	}
}
