package fakeaws

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

func batchECS() *ECS {
	f := NewECS()
	f.AddTaskDefinition(types.TaskDefinition{Family: aws.String("batch"), ContainerDefinitions: []types.ContainerDefinition{
		{Name: aws.String("app"), Image: aws.String("app:1")}, {Name: aws.String("side"), Image: aws.String("side:1")}}})
	return f
}

func TestTasksRunAsScripted(t *testing.T) {
	ctx := context.Background()
	f := batchECS()
	f.SetTaskRun("batch", TaskRun{Polls: 2, ExitCode: 3})
	out, err := f.RunTask(ctx, &awsecs.RunTaskInput{Cluster: aws.String("c"), TaskDefinition: aws.String("batch"), Count: aws.Int32(2)})
	if err != nil || len(out.Tasks) != 2 || out.Tasks[0].TaskArn == out.Tasks[1].TaskArn {
		t.Fatalf("%+v %v", out, err)
	}
	arn := aws.ToString(out.Tasks[0].TaskArn)
	if !strings.HasPrefix(arn, "arn:aws:ecs:"+Region+":"+Account+":task/c/") || len(out.Tasks[0].Containers) != 2 {
		t.Errorf("task %+v", out.Tasks[0])
	}
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	desc, _ := f.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{arn, "nope"}})
	if aws.ToString(desc.Tasks[0].LastStatus) != "RUNNING" || len(desc.Failures) != 1 || aws.ToString(desc.Failures[0].Reason) != "MISSING" {
		t.Errorf("first description %+v", desc)
	}
	desc, _ = f.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{id}}) // by ID, as ECS takes it
	task := desc.Tasks[0]
	if aws.ToString(task.LastStatus) != "STOPPED" || task.StopCode != types.TaskStopCodeEssentialContainerExited ||
		aws.ToInt32(task.Containers[0].ExitCode) != 3 || aws.ToInt32(task.Containers[1].ExitCode) != 0 {
		t.Errorf("stopped task %+v", task)
	}

	f.SetTaskRun("", TaskRun{PullFails: true})
	f.AddTaskDefinition(types.TaskDefinition{Family: aws.String("other"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("x")}}})
	out, _ = f.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("other:1")})
	desc, _ = f.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: []string{aws.ToString(out.Tasks[0].TaskArn)}})
	if c := desc.Tasks[0].Containers[0]; c.ExitCode != nil || desc.Tasks[0].StopCode != types.TaskStopCodeTaskFailedToStart {
		t.Errorf("an image not pulled: %+v", desc.Tasks[0])
	}

	f.SetTaskRun("batch", TaskRun{FailStart: true})
	out, err = f.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("batch")})
	if err != nil || len(out.Tasks) != 0 || len(out.Failures) != 1 {
		t.Errorf("no capacity: %+v %v", out, err)
	}
	var ae smithy.APIError
	if _, err := f.RunTask(ctx, &awsecs.RunTaskInput{TaskDefinition: aws.String("nope")}); !errors.As(err, &ae) || ae.ErrorCode() != "ClientException" {
		t.Errorf("unknown task definition: %v", err)
	}
	if n := len(f.RunTaskInputs()); n != 4 {
		t.Errorf("%d RunTask requests recorded, want 4", n)
	}
}

func TestCallsAndFailures(t *testing.T) {
	ctx := context.Background()
	f := batchECS()
	boom := errors.New("boom")
	f.FailAfter("DescribeTaskDefinition", 1, boom)
	in := &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("batch")}
	if _, err := f.DescribeTaskDefinition(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DescribeTaskDefinition(ctx, in); err != boom {
		t.Errorf("err = %v", err)
	}
	f.Fail("DescribeTaskDefinition", nil)
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.DescribeTaskDefinition(done, in); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if f.Calls("DescribeTaskDefinition") != 2 { // the cancelled call was never sent
		t.Errorf("calls %v", f.CallCounts())
	}
	f.ResetCalls()
	if len(f.CallCounts()) != 0 {
		t.Errorf("calls %v", f.CallCounts())
	}
}

// A seeded service is steady; a new desired count alone starts no
// deployment, and the service runs it one description later.
func TestSeededServiceScales(t *testing.T) {
	ctx := context.Background()
	f := NewECS()
	f.AddService("c", types.Service{ServiceName: aws.String("web"), DesiredCount: 1, TaskDefinition: aws.String(TaskDefinitionARN("web", 4))})
	svc, ok := f.Service("web")
	if !ok || aws.ToString(svc.ServiceArn) != ServiceARN("c", "web") || len(svc.Deployments) != 1 ||
		svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted || svc.RunningCount != 1 {
		t.Fatalf("seeded %+v", svc)
	}
	if _, err := f.UpdateService(ctx, &awsecs.UpdateServiceInput{Service: aws.String("web"), DesiredCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	out, _ := f.DescribeServices(ctx, &awsecs.DescribeServicesInput{Services: []string{ServiceARN("c", "web")}})
	if s := out.Services[0]; len(s.Deployments) != 1 || s.RunningCount != 3 || s.Deployments[0].RunningCount != 3 {
		t.Errorf("scaled %+v", s)
	}
	list, _ := f.ListServices(ctx, &awsecs.ListServicesInput{})
	if len(list.ServiceArns) != 1 || list.ServiceArns[0] != ServiceARN("c", "web") {
		t.Errorf("ListServices %v", list.ServiceArns)
	}
}
