package fakeaws

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func ecsTarget(id, taskDefinition string) etypes.Target {
	return etypes.Target{Id: aws.String(id), Arn: aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/app"),
		EcsParameters: &etypes.EcsParameters{TaskDefinitionArn: aws.String(taskDefinition)}}
}

func TestEventsRuleLifecycle(t *testing.T) {
	ctx := context.Background()
	f := NewEvents()
	owner := []etypes.Tag{{Key: aws.String("tamp:group"), Value: aws.String("app")}}

	out, err := f.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("job"), ScheduleExpression: aws.String("rate(1 hour)"),
		Description: aws.String("first"), State: etypes.RuleStateDisabled, Tags: owner})
	if err != nil || aws.ToString(out.RuleArn) != "arn:aws:events:"+Region+":"+Account+":rule/job" {
		t.Fatalf("create: %v, %v", out, err)
	}
	// An update replaces the definition and ignores tags.
	if _, err := f.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("job"), ScheduleExpression: aws.String("rate(2 hours)"),
		Tags: []etypes.Tag{{Key: aws.String("tamp:group"), Value: aws.String("other")}}}); err != nil {
		t.Fatal(err)
	}
	r, _ := f.Rule("job")
	if aws.ToString(r.ScheduleExpression) != "rate(2 hours)" || r.Description != nil || r.State != etypes.RuleStateEnabled {
		t.Errorf("after update: %+v", r)
	}
	if tags := f.Tags("job"); !maps.Equal(tags, map[string]string{"tamp:group": "app"}) {
		t.Errorf("tags after update: %v", tags)
	}
	if _, err := f.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x")}); errorCode(err) != "ValidationException" {
		t.Errorf("a rule with neither schedule nor pattern: %v", err)
	}
	if _, err := f.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: out.RuleArn,
		Tags: []etypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: out.RuleArn})
	if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "tamp:group" || aws.ToString(tags.Tags[1].Value) != "data" {
		t.Errorf("tags: %+v, %v", tags, err)
	}

	// Targets are replaced by Id; five at most.
	put := func(ts ...etypes.Target) (*eventbridge.PutTargetsOutput, error) {
		return f.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("job"), Targets: ts})
	}
	if _, err := put(ecsTarget("tamp", "td:1"), ecsTarget("old", "td:0")); err != nil {
		t.Fatal(err)
	}
	if _, err := put(ecsTarget("tamp", "td:2")); err != nil {
		t.Fatal(err)
	}
	ts := f.Targets("job")
	if len(ts) != 2 || aws.ToString(ts[0].EcsParameters.TaskDefinitionArn) != "td:2" {
		t.Errorf("targets: %+v", ts)
	}
	var limit *etypes.LimitExceededException
	if _, err := put(ecsTarget("3", "x"), ecsTarget("4", "x"), ecsTarget("5", "x"), ecsTarget("6", "x")); !errors.As(err, &limit) || len(f.Targets("job")) != 2 {
		t.Errorf("a sixth target: %v", err)
	}
	f.RejectTargets("job", "ValidationException", "bad role")
	if out, err := put(ecsTarget("tamp", "td:3")); err != nil || out.FailedEntryCount != 1 || aws.ToString(out.FailedEntries[0].TargetId) != "tamp" {
		t.Errorf("rejected: %+v, %v", out, err)
	}
	f.RejectTargets("job", "", "")

	// A rule with targets cannot be deleted.
	if _, err := f.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("job")}); errorCode(err) != "ValidationException" {
		t.Fatalf("delete with targets: %v", err)
	}
	if _, err := f.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("job"), Ids: []string{"tamp", "old", "never"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("job")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("job")}); err != nil {
		t.Errorf("deleting a missing rule succeeds on AWS: %v", err)
	}
	var nf *etypes.ResourceNotFoundException
	if _, err := f.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("job")}); !errors.As(err, &nf) {
		t.Errorf("targets of a deleted rule: %v", err)
	}
	if _, err := f.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: out.RuleArn}); !errors.As(err, &nf) {
		t.Errorf("tags of a deleted rule: %v", err)
	}
	if _, err := f.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("custom")}); !errors.As(err, &nf) {
		t.Errorf("another bus: %v", err)
	}
	want := map[string]int{"PutRule": 3, "TagResource": 1, "ListTagsForResource": 2, "PutTargets": 4, "DeleteRule": 3,
		"RemoveTargets": 1, "ListTargetsByRule": 1, "ListRules": 1}
	if got := f.CallCounts(); !maps.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestEventsListPagesAndPrefix(t *testing.T) {
	ctx := context.Background()
	f := NewEvents()
	f.SetPageSize(2)
	for _, n := range []string{"app-c", "app-a", "other", "app-b"} {
		f.AddRule(etypes.Rule{Name: aws.String(n), ScheduleExpression: aws.String("rate(1 day)")}, nil)
	}
	arn := f.AddRule(etypes.Rule{Name: aws.String("app-lambda"), ScheduleExpression: aws.String("rate(1 day)")},
		map[string]string{"tamp:group": "someone-else"},
		etypes.Target{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
	var names []string
	in := &eventbridge.ListRulesInput{NamePrefix: aws.String("app-")}
	for {
		out, err := f.ListRules(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if !slices.Equal(names, []string{"app-a", "app-b", "app-c", "app-lambda"}) || f.Calls("ListRules") != 2 {
		t.Errorf("listed %v in %d calls", names, f.Calls("ListRules"))
	}
	tags, err := f.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || aws.ToString(tags.Tags[0].Value) != "someone-else" {
		t.Errorf("seeded tags: %+v, %v", tags, err)
	}
	if ts := f.Targets("app-lambda"); len(ts) != 1 || ts[0].EcsParameters != nil {
		t.Errorf("seeded targets: %+v", ts)
	}
}

func TestEventsFaults(t *testing.T) {
	ctx := context.Background()
	f := NewEvents()
	boom := errors.New("boom")
	f.FailAfter("PutRule", 1, boom)
	for i, want := range []error{nil, boom} {
		if _, err := f.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r" + string(rune('0'+i))), ScheduleExpression: aws.String("rate(1 day)")}); !errors.Is(err, want) {
			t.Errorf("call %d: %v", i+1, err)
		}
	}
	if names := f.RuleNames(); !slices.Equal(names, []string{"r0"}) || f.Calls("PutRule") != 2 {
		t.Errorf("rules %v after %d calls", names, f.Calls("PutRule"))
	}
}
