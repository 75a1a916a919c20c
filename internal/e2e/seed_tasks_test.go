package e2e

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/rogpeppe/go-internal/testscript"
)

// ecsrun CLUSTER TASKDEF STARTEDBY: run a task as EventBridge would, with
// that startedBy ("chronos-schedule/NAME", "events-rule/NAME").
func cmdECSRun(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: ecsrun CLUSTER TASKDEF STARTEDBY")
	}
	_, err := ecs.NewFromConfig(seedConfig(ts)).RunTask(context.Background(), &ecs.RunTaskInput{
		Cluster: aws.String(args[0]), TaskDefinition: aws.String(args[1]), StartedBy: aws.String(args[2]),
	})
	ts.Check(err)
}
