package ecs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func runDefs() *Definitions {
	td := &TaskDefinition{Name: "web", File: "web-task.json", Containers: []string{"sidecar", "app"},
		Input: NormalizeTaskDefinition(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("app"), Image: aws.String("web:1"), Memory: aws.Int32(256)},
			{Name: aws.String("sidecar"), Image: aws.String("proxy:1"), Memory: aws.Int32(64), Essential: aws.Bool(false)},
		}})}
	svc := &Service{Name: "web", Input: &awsecs.CreateServiceInput{LaunchType: types.LaunchTypeFargate, PlatformVersion: aws.String("1.4.0"),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{"subnet-1"}}}}}
	return &Definitions{Services: []*Service{svc}, TaskDefinitions: []*TaskDefinition{td}}
}

func TestRunSpecPrepare(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	in, containers, watch, err := RunSpec{Service: "web", Cluster: "c1", Count: 2, Tags: map[string]string{"k": "v"},
		Command: []string{"bin/migrate"}}.Prepare(ctx, api, runDefs())
	if err != nil {
		t.Fatal(err)
	}
	// The config definition is registered; the file's container order
	// decides "the first essential one" (the sidecar is not essential).
	if api.Calls("RegisterTaskDefinition") != 1 || ShortRevision(aws.ToString(in.TaskDefinition)) != "web:1" {
		t.Errorf("task definition %s after %d registrations", aws.ToString(in.TaskDefinition), api.Calls("RegisterTaskDefinition"))
	}
	if watch != "app" || len(containers) != 2 || aws.ToString(containers[0].Name) != "sidecar" {
		t.Errorf("watch %q, containers %d", watch, len(containers))
	}
	if in.LaunchType != types.LaunchTypeFargate || aws.ToString(in.PlatformVersion) != "1.4.0" || in.NetworkConfiguration == nil ||
		aws.ToString(in.Cluster) != "c1" || aws.ToInt32(in.Count) != 2 || len(in.Tags) != 1 || aws.ToString(in.StartedBy) != "tamp" {
		t.Errorf("request %+v", in)
	}
	if o := in.Overrides.ContainerOverrides; len(o) != 1 || aws.ToString(o[0].Name) != "app" || o[0].Command[0] != "bin/migrate" {
		t.Errorf("overrides %+v", o)
	}

	// A family in ECS is described, not registered; --container picks the
	// command's container and an existing override is amended.
	api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("ext"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("job"), Image: aws.String("x")}}})
	over := &types.TaskOverride{ContainerOverrides: []types.ContainerOverride{{Name: aws.String("job"), Environment: []types.KeyValuePair{{Name: aws.String("A"), Value: aws.String("1")}}}}}
	in, _, watch, err = RunSpec{TaskDefinition: "ext", Cluster: "c1", Count: 1, Overrides: over, Command: []string{"x"}, Container: "job", Watch: "job"}.Prepare(ctx, api, runDefs())
	if err != nil || watch != "job" || len(in.Overrides.ContainerOverrides) != 1 || in.Overrides.ContainerOverrides[0].Command[0] != "x" ||
		len(in.Overrides.ContainerOverrides[0].Environment) != 1 || api.Calls("RegisterTaskDefinition") != 1 {
		t.Errorf("ext: %+v, %v", in.Overrides, err)
	}

	_, _, _, err = RunSpec{TaskDefinition: "nope", Cluster: "c1"}.Prepare(ctx, api, runDefs())
	if err == nil || !strings.HasPrefix(err.Error(), "task definition nope: neither a config task definition nor one in ECS") {
		t.Errorf("unknown: %v", err)
	}
	if _, _, _, err = (RunSpec{Service: "api"}).Prepare(ctx, api, runDefs()); err == nil {
		t.Error("an unknown service ran")
	}
}

func TestFirstEssential(t *testing.T) {
	c := func(name string, essential *bool) types.ContainerDefinition {
		return types.ContainerDefinition{Name: aws.String(name), Essential: essential}
	}
	for want, cs := range map[string][]types.ContainerDefinition{
		"a": {c("a", nil), c("b", aws.Bool(true))},
		"b": {c("a", aws.Bool(false)), c("b", nil)},
		"x": {c("x", aws.Bool(false))},
		"":  nil,
	} {
		if got := FirstEssential(cs); got != want {
			t.Errorf("FirstEssential = %q, want %q", got, want)
		}
	}
}

func TestTaskRunFollowsTheLog(t *testing.T) {
	api := fakeaws.NewECS()
	logs := fakeaws.NewLogs()
	var notes, lines []string
	run := &TaskRun{API: api, Clock: fakeaws.NewClock(),
		Logs:    func(context.Context, string) (LogsAPI, error) { return logs, nil },
		Started: func([]string) {}, Line: func(l string) { lines = append(lines, l) }, Note: func(n string) { notes = append(notes, n) }}
	noLog := []types.ContainerDefinition{{Name: aws.String("app")}}
	in := &awsecs.RunTaskInput{TaskDefinition: aws.String(api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("f"), ContainerDefinitions: noLog}))}
	err := run.Run(context.Background(), in, noLog, "app", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "container app does not log with awslogs") {
		t.Errorf("notes %q", notes)
	}
	run.Logs = func(context.Context, string) (LogsAPI, error) { return nil, errors.New("no region") }
	logged := []types.ContainerDefinition{{Name: aws.String("app"), LogConfiguration: &types.LogConfiguration{LogDriver: types.LogDriverAwslogs,
		Options: map[string]string{"awslogs-group": "g", "awslogs-stream-prefix": "p"}}}}
	notes = nil
	if err := run.Run(context.Background(), in, logged, "app", false); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0] != "logs: no region" {
		t.Errorf("notes %q", notes)
	}

	// The watched container's stream is printed line by line.
	run.Logs = func(context.Context, string) (LogsAPI, error) { return logs, nil }
	run.Started = func(arns []string) {
		logs.Append("g", "p/app/"+ShortRevision(arns[0]), "migrating", "done")
	}
	api.SetTaskRun("f", fakeaws.TaskRun{ExitCode: 3})
	err = run.Run(context.Background(), in, logged, "app", false)
	var exit *ContainerExitError
	if !errors.As(err, &exit) || exit.Code != 3 || strings.Join(lines, "|") != "migrating|done" {
		t.Errorf("err %v, lines %q", err, lines)
	}
}
