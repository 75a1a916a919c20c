package ecs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// LogsAPI is the part of CloudWatch Logs that following a task's log uses.
type LogsAPI interface {
	GetLogEvents(ctx context.Context, in *cloudwatchlogs.GetLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error)
}

var _ LogsAPI = (*cloudwatchlogs.Client)(nil)

// AwslogsStream is where the awslogs driver writes a container's log in a
// task: the group, region and stream (prefix/container/task-id). ok is
// false when the container does not log with awslogs and a stream prefix.
func AwslogsStream(c types.ContainerDefinition, taskArn string) (group, region, stream string, ok bool) {
	lc := c.LogConfiguration
	if lc == nil || lc.LogDriver != types.LogDriverAwslogs {
		return "", "", "", false
	}
	prefix := lc.Options["awslogs-stream-prefix"]
	if prefix == "" || lc.Options["awslogs-group"] == "" {
		return "", "", "", false
	}
	return lc.Options["awslogs-group"], lc.Options["awslogs-region"], fmt.Sprintf("%s/%s/%s", prefix, aws.ToString(c.Name), revisionOf(taskArn)), true
}

// LogFollower prints a log stream's new lines, in order, each time it is
// polled.
type LogFollower struct {
	API           LogsAPI
	Group, Stream string
	Print         func(line string)
	// Since, when set, skips the lines written before it.
	Since time.Time
	// Event, when set, is given each line with its time instead of Print.
	Event func(at time.Time, line string)
	token *string
}

// Poll prints the lines written since the last poll. A stream that does not
// exist yet (the task is still starting) has no lines.
func (f *LogFollower) Poll(ctx context.Context) error {
	for {
		in := &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(f.Group), LogStreamName: aws.String(f.Stream),
			StartFromHead: aws.Bool(true), NextToken: f.token,
		}
		if !f.Since.IsZero() {
			in.StartTime = aws.Int64(f.Since.UnixMilli())
		}
		out, err := f.API.GetLogEvents(ctx, in)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException" {
			return nil
		}
		if err != nil {
			return fmt.Errorf("log %s/%s: %w", f.Group, f.Stream, err)
		}
		for _, e := range out.Events {
			if f.Event != nil {
				f.Event(time.UnixMilli(aws.ToInt64(e.Timestamp)), aws.ToString(e.Message))
			} else {
				f.Print(aws.ToString(e.Message))
			}
		}
		// At the end the API hands back the token it was given.
		if len(out.Events) == 0 || aws.ToString(out.NextForwardToken) == aws.ToString(f.token) {
			f.token = out.NextForwardToken
			return nil
		}
		f.token = out.NextForwardToken
	}
}
