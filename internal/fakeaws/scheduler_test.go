package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
)

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func createInput(group, name string) *scheduler.CreateScheduleInput {
	return &scheduler.CreateScheduleInput{Name: aws.String(name), GroupName: aws.String(group), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: &stypes.FlexibleTimeWindow{Mode: stypes.FlexibleTimeWindowModeOff},
		Description:        aws.String("first"),
		Target: &stypes.Target{Arn: aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/app"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
			EcsParameters: &stypes.EcsParameters{TaskDefinitionArn: aws.String("td:1")}}}
}

func TestSchedulerLifecycle(t *testing.T) {
	ctx := context.Background()
	f := NewScheduler()

	_, err := f.CreateSchedule(ctx, createInput("app", "a"))
	var nf *stypes.ResourceNotFoundException
	if !errors.As(err, &nf) || errorCode(err) != "ResourceNotFoundException" {
		t.Fatalf("create in a missing group: %v", err)
	}
	if _, err := f.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("app")}); errorCode(err) != "ResourceNotFoundException" {
		t.Fatalf("get a missing group: %v", err)
	}
	if _, err := f.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	var conflict *stypes.ConflictException
	if _, err := f.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("app")}); !errors.As(err, &conflict) {
		t.Fatalf("create an existing group: %v", err)
	}
	out, err := f.CreateSchedule(ctx, createInput("app", "a"))
	if err != nil || aws.ToString(out.ScheduleArn) != "arn:aws:scheduler:"+Region+":"+Account+":schedule/app/a" {
		t.Fatalf("create: %v, %v", out, err)
	}
	if _, err := f.CreateSchedule(ctx, createInput("app", "a")); !errors.As(err, &conflict) {
		t.Fatalf("create twice: %v", err)
	}
	got, err := f.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("a"), GroupName: aws.String("app")})
	if err != nil || got.State != stypes.ScheduleStateEnabled || aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts) != 185 ||
		aws.ToString(got.Description) != "first" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	got.Target.EcsParameters.TaskDefinitionArn = aws.String("changed by the caller")
	if s, _ := f.Schedule("app", "a"); aws.ToString(s.Target.EcsParameters.TaskDefinitionArn) != "td:1" {
		t.Error("a schedule returned aliases the fake's state")
	}

	// UpdateSchedule replaces everything: the description left out is gone.
	up := scheduler.UpdateScheduleInput(*createInput("app", "a"))
	up.Description, up.State = nil, stypes.ScheduleStateDisabled
	if _, err := f.UpdateSchedule(ctx, &up); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.Schedule("app", "a"); s.Description != nil || s.State != stypes.ScheduleStateDisabled || s.CreationDate == nil {
		t.Errorf("after update: %+v", s)
	}
	up.Name = aws.String("missing")
	if _, err := f.UpdateSchedule(ctx, &up); !errors.As(err, &nf) {
		t.Errorf("update a missing schedule: %v", err)
	}
	bad := createInput("app", "b")
	bad.Target.RoleArn, bad.FlexibleTimeWindow = nil, nil
	if _, err := f.CreateSchedule(ctx, bad); errorCode(err) != "ValidationException" {
		t.Errorf("create without a role or window: %v", err)
	}

	if _, err := f.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("a"), GroupName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("a"), GroupName: aws.String("app")}); !errors.As(err, &nf) {
		t.Errorf("delete twice: %v", err)
	}
	if names := f.ScheduleNames("app"); len(names) != 0 {
		t.Errorf("left %v", names)
	}
	want := map[string]int{"CreateSchedule": 4, "GetScheduleGroup": 1, "CreateScheduleGroup": 2, "GetSchedule": 1,
		"UpdateSchedule": 2, "DeleteSchedule": 2}
	if got := f.CallCounts(); !maps.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestSchedulerListPagesAndFilters(t *testing.T) {
	ctx := context.Background()
	f := NewScheduler()
	f.SetPageSize(2)
	for _, n := range []string{"e", "b", "d", "a", "c"} {
		f.AddSchedule(scheduler.GetScheduleOutput{Name: aws.String(n), GroupName: aws.String("app"), ScheduleExpression: aws.String("rate(1 day)")})
	}
	f.AddSchedule(scheduler.GetScheduleOutput{Name: aws.String("lambda"), ScheduleExpression: aws.String("rate(1 day)"),
		Target: &stypes.Target{Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")}})
	var names []string
	in := &scheduler.ListSchedulesInput{GroupName: aws.String("app")}
	for {
		out, err := f.ListSchedules(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Schedules {
			names = append(names, aws.ToString(s.Name))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if !slices.Equal(names, []string{"a", "b", "c", "d", "e"}) || f.Calls("ListSchedules") != 3 {
		t.Errorf("listed %v in %d calls", names, f.Calls("ListSchedules"))
	}
	out, err := f.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("default")})
	if err != nil || len(out.Schedules) != 1 || aws.ToString(out.Schedules[0].Target.Arn) != "arn:aws:lambda:us-east-1:123456789012:function:f" {
		t.Errorf("default group: %+v, %v", out, err)
	}
	out, err = f.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("nope")})
	if err != nil || len(out.Schedules) != 0 || out.NextToken != nil {
		t.Errorf("missing group: %+v, %v", out, err)
	}
	if !f.HasGroup("app") || f.HasGroup("nope") {
		t.Error("AddSchedule creates its group, and only that")
	}
	if _, err := f.ListSchedules(ctx, &scheduler.ListSchedulesInput{NextToken: aws.String("x")}); errorCode(err) != "ValidationException" {
		t.Errorf("bad token: %v", err)
	}
}

func TestSchedulerFaults(t *testing.T) {
	ctx := context.Background()
	f := NewScheduler()
	throttled := errors.New("throttled")
	f.FailAfter("CreateSchedule", 2, throttled)
	for i, want := range []error{nil, nil, throttled, throttled} {
		if _, err := f.CreateSchedule(ctx, createInput("default", fmt.Sprint(i))); !errors.Is(err, want) {
			t.Errorf("call %d: %v, want %v", i+1, err, want)
		}
	}
	if names := f.ScheduleNames("default"); !slices.Equal(names, []string{"0", "1"}) {
		t.Errorf("a failed call changed the state: %v", names)
	}
	f.Fail("CreateSchedule", nil)
	if _, err := f.CreateSchedule(ctx, createInput("default", "4")); err != nil {
		t.Errorf("after clearing: %v", err)
	}
	if f.Calls("CreateSchedule") != 5 || f.TotalCalls() != 5 {
		t.Errorf("calls %v", f.CallCounts())
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.GetSchedule(cancelled, &scheduler.GetScheduleInput{Name: aws.String("0")}); !errors.Is(err, context.Canceled) || f.Calls("GetSchedule") != 0 {
		t.Errorf("cancelled call: %v, counted %d", err, f.Calls("GetSchedule"))
	}
	f.ResetCalls()
	if f.TotalCalls() != 0 {
		t.Error("ResetCalls kept counts")
	}
}

// Run with -race: the fake is used by up to eight goroutines at once.
func TestSchedulerConcurrentUse(t *testing.T) {
	ctx := context.Background()
	f := NewScheduler()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			name := fmt.Sprint(i)
			if _, err := f.CreateSchedule(ctx, createInput("default", name)); err != nil {
				t.Error(err)
			}
			if _, err := f.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(f.ScheduleNames("default")); n != 50 || f.Calls("CreateSchedule") != 50 {
		t.Errorf("%d schedules, %d creates", n, f.Calls("CreateSchedule"))
	}
}
