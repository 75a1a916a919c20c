package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// TaskDefinitionAPI is the part of ECS that reads a revision.
type TaskDefinitionAPI interface {
	DescribeTaskDefinition(ctx context.Context, in *awsecs.DescribeTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
}

// LogLine is one line of a task's container log.
type LogLine struct {
	At        time.Time `json:"at"`
	Task      string    `json:"task"` // the task ID
	Container string    `json:"container"`
	Message   string    `json:"message"`
}

// TaskLogs prints the CloudWatch Logs lines of tasks' containers, from
// the awslogs configuration of each task's own revision (group, region,
// stream prefix), all streams interleaved in time order, with the task
// and the container of each line. It reads each stream with the
// LogFollower `run` follows a one-off task with.
type TaskLogs struct {
	ECS TaskDefinitionAPI
	// Logs hands out a CloudWatch Logs client for a region ("" is the
	// project's).
	Logs func(ctx context.Context, region string) (LogsAPI, error)
	// Tasks are the tasks to read; while following it is asked again now
	// and then, so that tasks started since are read too.
	Tasks func(ctx context.Context) ([]Task, error)
	// Container reads only that container's log ("" for all).
	Container string
	// Since skips lines (and tasks stopped) before it.
	Since time.Time
	Line  func(LogLine)
	// Note is told what keeps a log from being read.
	Note  func(string)
	Clock Clock
	// Interval is the pause between reads while following (default 2 s);
	// Refresh how often Tasks is asked again (default 15 s).
	Interval, Refresh time.Duration

	followers map[string]*taskStream
	defs      map[string][]types.ContainerDefinition
	clients   map[string]LogsAPI
	noted     map[string]bool
}

// taskStream is one container's stream of one task, and the lines its
// last read found.
type taskStream struct {
	task, container string
	follower        *LogFollower
	lines           []LogLine
}

// Run prints the lines written so far and, with follow, goes on printing
// new ones until ctx ends (Ctrl-C), which it returns.
func (l *TaskLogs) Run(ctx context.Context, follow bool) error {
	clock := l.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	interval, refresh := l.Interval, l.Refresh
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if refresh <= 0 {
		refresh = 15 * time.Second
	}
	l.followers, l.defs, l.clients, l.noted = map[string]*taskStream{}, map[string][]types.ContainerDefinition{}, map[string]LogsAPI{}, map[string]bool{}
	if err := l.find(ctx); err != nil {
		return err
	}
	found := clock.Now()
	for {
		err := l.read(ctx)
		if !follow {
			return err
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.note(fmt.Sprintf("logs: %v (retrying)", err))
		}
		if err := clock.Sleep(ctx, interval); err != nil {
			return err
		}
		if clock.Now().Sub(found) >= refresh {
			if err := l.find(ctx); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				l.note(fmt.Sprintf("logs: %v (retrying)", err))
			}
			found = clock.Now()
		}
	}
}

func (l *TaskLogs) note(s string) {
	if l.Note != nil && !l.noted[s] {
		l.noted[s] = true
		l.Note(s)
	}
}

// find adds a follower for each container stream of the tasks not yet
// followed. A --container no task's revision has is an input error.
func (l *TaskLogs) find(ctx context.Context) error {
	tasks, err := l.Tasks(ctx)
	if err != nil {
		return err
	}
	if len(tasks) == 0 {
		l.note("logs: no running or recently stopped task to read (ECS shows stopped tasks for about an hour)")
	}
	var names []string
	matched := l.Container == ""
	for _, t := range tasks {
		if t.StoppedAt != nil && !l.Since.IsZero() && t.StoppedAt.Before(l.Since) {
			continue // stopped before the window
		}
		defs, err := l.containers(ctx, t.TaskDefinition)
		if err != nil {
			return err
		}
		for _, cd := range defs {
			name := aws.ToString(cd.Name)
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			if l.Container != "" && name != l.Container {
				continue
			}
			matched = true
			group, region, stream, ok := AwslogsStream(cd, t.ARN)
			if !ok {
				l.note(fmt.Sprintf("logs: container %s of %s does not log with awslogs and a stream prefix; its lines are not shown", name, ShortRevision(t.TaskDefinition)))
				continue
			}
			key := group + "\x00" + stream
			if l.followers[key] != nil {
				continue
			}
			api, err := l.client(ctx, region)
			if err != nil {
				return err
			}
			ts := &taskStream{task: t.ID, container: name}
			ts.follower = &LogFollower{API: api, Group: group, Stream: stream, Since: l.Since,
				Event: func(at time.Time, line string) {
					ts.lines = append(ts.lines, LogLine{At: at.UTC(), Task: ts.task, Container: ts.container, Message: line})
				}}
			l.followers[key] = ts
		}
	}
	if !matched && len(tasks) > 0 {
		return config.Invalid(fmt.Errorf("--container %s: the tasks' task definitions have no container of that name; they have %s", l.Container, strings.Join(names, ", ")))
	}
	return nil
}

func (l *TaskLogs) containers(ctx context.Context, arn string) ([]types.ContainerDefinition, error) {
	if defs, ok := l.defs[arn]; ok {
		return defs, nil
	}
	out, err := l.ECS.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("task definition %s: %w", ShortRevision(arn), err)
	}
	l.defs[arn] = out.TaskDefinition.ContainerDefinitions
	return l.defs[arn], nil
}

func (l *TaskLogs) client(ctx context.Context, region string) (LogsAPI, error) {
	if api, ok := l.clients[region]; ok {
		return api, nil
	}
	api, err := l.Logs(ctx, region)
	if err != nil {
		return nil, err
	}
	l.clients[region] = api
	return api, nil
}

// read reads every stream's new lines (a few at once) and prints them in
// time order; lines of one time keep their stream's order.
func (l *TaskLogs) read(ctx context.Context) error {
	keys := make([]string, 0, len(l.followers))
	for k := range l.followers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var mu sync.Mutex
	var errs []error
	g := new(errgroup.Group)
	g.SetLimit(awsclient.Concurrency)
	for _, k := range keys {
		ts := l.followers[k]
		g.Go(func() error {
			if err := ts.follower.Poll(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			return nil
		})
	}
	g.Wait()
	var lines []LogLine
	for _, k := range keys {
		lines = append(lines, l.followers[k].lines...)
		l.followers[k].lines = nil
	}
	slices.SortStableFunc(lines, func(a, b LogLine) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := strings.Compare(a.Task, b.Task); c != 0 {
			return c
		}
		return strings.Compare(a.Container, b.Container)
	})
	for _, line := range lines {
		l.Line(line)
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// Text is a log line as `logs` prints it: local time to the millisecond,
// the task ID, the container, the message.
func (l LogLine) Text() string {
	return fmt.Sprintf("%s %s %s | %s", l.At.Local().Format("2006-01-02 15:04:05.000"), l.Task, l.Container, l.Message)
}
