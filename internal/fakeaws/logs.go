package fakeaws

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Logs is an in-memory CloudWatch Logs: log streams that tests (or a task
// in another fake) append lines to, read with GetLogEvents as the
// awslogs driver's readers do. It has the methods of ecs.LogsAPI. Make one
// with NewLogs; it is safe for concurrent use.
type Logs struct {
	callLedger

	mu       sync.Mutex
	now      func() time.Time
	streams  map[string][]cwltypes.OutputLogEvent // by group + "\x00" + stream
	pageSize int
}

// NewLogs is a Logs with no stream, answering up to 10,000 events a page
// as CloudWatch Logs does.
func NewLogs() *Logs {
	return &Logs{now: time.Now, streams: map[string][]cwltypes.OutputLogEvent{}, pageSize: 10000}
}

// SetNow makes the fake stamp appended lines with now's time.
func (l *Logs) SetNow(now func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
}

// SetPageSize bounds the events in one GetLogEvents answer, so that tests
// can make readers page.
func (l *Logs) SetPageSize(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pageSize = n
}

// Append writes lines to a stream, creating it (and its group) if needed.
func (l *Logs) Append(group, stream string, lines ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := group + "\x00" + stream
	if l.streams[key] == nil {
		l.streams[key] = []cwltypes.OutputLogEvent{}
	}
	ms := l.now().UnixMilli()
	for _, line := range lines {
		l.streams[key] = append(l.streams[key], cwltypes.OutputLogEvent{Message: aws.String(line), Timestamp: aws.Int64(ms), IngestionTime: aws.Int64(ms)})
	}
}

// GetLogEvents reads a stream forward from its head (StartFromHead) or
// from a forward token: at the end it hands back the token it was given,
// as CloudWatch Logs does. A stream that does not exist is a
// ResourceNotFoundException.
func (l *Logs) GetLogEvents(ctx context.Context, in *cloudwatchlogs.GetLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	if err := l.enter(ctx, "GetLogEvents"); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	events, ok := l.streams[aws.ToString(in.LogGroupName)+"\x00"+aws.ToString(in.LogStreamName)]
	if !ok {
		return nil, &cwltypes.ResourceNotFoundException{Message: aws.String("The specified log stream does not exist.")}
	}
	if !aws.ToBool(in.StartFromHead) && in.NextToken == nil {
		return nil, fmt.Errorf("fakeaws: GetLogEvents reads from the head only")
	}
	start := 0
	if in.NextToken != nil {
		n, err := strconv.Atoi(strings.TrimPrefix(*in.NextToken, "f/"))
		if err != nil || !strings.HasPrefix(*in.NextToken, "f/") || n > len(events) {
			return nil, &cwltypes.InvalidParameterException{Message: aws.String("The specified nextToken is invalid.")}
		}
		start = n
	}
	size := l.pageSize
	if in.Limit != nil && int(*in.Limit) < size {
		size = int(*in.Limit)
	}
	out := &cloudwatchlogs.GetLogEventsOutput{NextBackwardToken: aws.String(fmt.Sprintf("b/%d", start))}
	end := start
	for end < len(events) && len(out.Events) < size {
		e := events[end]
		end++
		if in.StartTime != nil && aws.ToInt64(e.Timestamp) < *in.StartTime {
			continue
		}
		out.Events = append(out.Events, e)
	}
	out.NextForwardToken = aws.String(fmt.Sprintf("f/%d", end))
	return out, nil
}
