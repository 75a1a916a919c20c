package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func TestTaskLogsFollow(t *testing.T) {
	api := fakeaws.NewECS()
	td := api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{
		Name: aws.String("app"), LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs,
			Options: map[string]string{"awslogs-group": "g", "awslogs-stream-prefix": "web"}}}}})
	logs := fakeaws.NewLogs()
	clock := fakeaws.NewClock()
	logs.SetNow(clock.Now)
	logs.Append("g", "web/app/t1", "one")
	tasks := []Task{{ID: "t1", ARN: "arn:aws:ecs:r:1:task/c/t1", TaskDefinition: td}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	l := &TaskLogs{ECS: api, Clock: clock, Interval: time.Second, Refresh: 3 * time.Second,
		Logs:  func(context.Context, string) (LogsAPI, error) { return logs, nil },
		Tasks: func(context.Context) ([]Task, error) { return tasks, nil },
		Line: func(line LogLine) {
			got = append(got, line.Task+" "+line.Message)
			switch line.Message {
			case "one":
				// a new line, and a task started meanwhile
				logs.Append("g", "web/app/t1", "two")
				logs.Append("g", "web/app/t2", "from t2")
				tasks = append(tasks, Task{ID: "t2", ARN: "arn:aws:ecs:r:1:task/c/t2", TaskDefinition: td})
			case "from t2":
				cancel() // Ctrl-C
			}
		},
	}
	err := l.Run(ctx, true)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want interrupted", err)
	}
	if want := "t1 one, t1 two, t2 from t2"; strings.Join(got, ", ") != want {
		t.Errorf("lines %q, want %q", strings.Join(got, ", "), want)
	}
	if api.Calls("DescribeTaskDefinition") != 1 {
		t.Errorf("%d DescribeTaskDefinition calls, want 1 (one revision)", api.Calls("DescribeTaskDefinition"))
	}
}

func TestTaskLogsInTimeOrder(t *testing.T) {
	api := fakeaws.NewECS()
	opts := map[string]string{"awslogs-group": "g", "awslogs-stream-prefix": "p"}
	td := api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{
		{Name: aws.String("a"), LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: opts}},
		{Name: aws.String("b"), LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: opts}}}})
	logs := fakeaws.NewLogs()
	logs.SetPageSize(1) // every stream read a line a call
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range []struct{ stream, line string }{{"p/b/t", "b1"}, {"p/a/t", "a1"}, {"p/b/t", "b2"}, {"p/a/t", "a2"}, {"p/a/t", "a3"}} {
		logs.SetNow(func() time.Time { return base.Add(time.Duration(i) * time.Second) })
		logs.Append("g", s.stream, s.line)
	}
	var got []string
	l := &TaskLogs{ECS: api, Logs: func(context.Context, string) (LogsAPI, error) { return logs, nil },
		Tasks: func(context.Context) ([]Task, error) {
			return []Task{{ID: "t", ARN: "arn:aws:ecs:r:1:task/c/t", TaskDefinition: td}}, nil
		},
		Line:  func(line LogLine) { got = append(got, fmt.Sprintf("%s:%s", line.Container, line.Message)) },
		Since: base.Add(time.Second),
	}
	if err := l.Run(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if want := "a:a1 b:b2 a:a2 a:a3"; strings.Join(got, " ") != want {
		t.Errorf("lines %q, want %q (b1 is before --since)", strings.Join(got, " "), want)
	}
}
