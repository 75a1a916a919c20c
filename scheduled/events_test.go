package scheduled

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// fakeEvents keeps rules' targets; only what Put and Delete touch.
type fakeEvents struct {
	EventsAPI
	targets map[string][]etypes.Target
	deleted []string
}

func (f *fakeEvents) PutRule(_ context.Context, in *eventbridge.PutRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	return &eventbridge.PutRuleOutput{RuleArn: aws.String("arn:aws:events:r:1:rule/" + aws.ToString(in.Name))}, nil
}

func (f *fakeEvents) TagResource(context.Context, *eventbridge.TagResourceInput, ...func(*eventbridge.Options)) (*eventbridge.TagResourceOutput, error) {
	return &eventbridge.TagResourceOutput{}, nil
}

func (f *fakeEvents) PutTargets(_ context.Context, in *eventbridge.PutTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error) {
	rule := aws.ToString(in.Rule)
	for _, t := range in.Targets {
		f.targets[rule] = slices.DeleteFunc(f.targets[rule], func(x etypes.Target) bool { return aws.ToString(x.Id) == aws.ToString(t.Id) })
		f.targets[rule] = append(f.targets[rule], t)
	}
	return &eventbridge.PutTargetsOutput{}, nil
}

func (f *fakeEvents) ListTargetsByRule(_ context.Context, in *eventbridge.ListTargetsByRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	return &eventbridge.ListTargetsByRuleOutput{Targets: f.targets[aws.ToString(in.Rule)]}, nil
}

func (f *fakeEvents) RemoveTargets(_ context.Context, in *eventbridge.RemoveTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error) {
	rule := aws.ToString(in.Rule)
	f.targets[rule] = slices.DeleteFunc(f.targets[rule], func(x etypes.Target) bool { return slices.Contains(in.Ids, aws.ToString(x.Id)) })
	return &eventbridge.RemoveTargetsOutput{}, nil
}

func (f *fakeEvents) DeleteRule(_ context.Context, in *eventbridge.DeleteRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error) {
	if len(f.targets[aws.ToString(in.Name)]) > 0 {
		return nil, &eventbridgeRuleHasTargets{}
	}
	f.deleted = append(f.deleted, aws.ToString(in.Name))
	return &eventbridge.DeleteRuleOutput{}, nil
}

type eventbridgeRuleHasTargets struct{}

func (*eventbridgeRuleHasTargets) Error() string { return "rule can't be deleted since it has targets" }

// An adopted rule keeps one target after a sync (not its old one beside
// tamp's), a rule with a foreign target beside tamp's shows the difference,
// and prune removes every target before the rule.
func TestEventsTargets(t *testing.T) {
	foreign := etypes.Target{Id: aws.String("ecschedule"), Arn: aws.String("cluster"),
		EcsParameters: &etypes.EcsParameters{TaskDefinitionArn: aws.String("td:1")}}
	api := &fakeEvents{targets: map[string][]etypes.Target{"job": {foreign}}}
	b := &EventsBackend{API: api, Group: "g", RoleArn: "role", ClusterArn: "cluster"}

	adopted, err := fromRule(etypes.Rule{Name: aws.String("job"), ScheduleExpression: aws.String("rate(1 hour)")}, api.targets["job"])
	if err != nil || adopted.OtherTargets != 0 || adopted.TaskDefinition != "td:1" {
		t.Fatalf("adopted rule read as %+v, %v", adopted, err)
	}
	task := Resolve(&Task{Name: "job", Schedule: "rate(1 hour)"}, "td:2", "")
	if err := b.Put(context.Background(), task, true); err != nil {
		t.Fatal(err)
	}
	if ts := api.targets["job"]; len(ts) != 1 || aws.ToString(ts[0].Id) != targetID {
		t.Fatalf("targets after sync: %+v", ts)
	}

	api.targets["job"] = append(api.targets["job"], foreign)
	both, err := fromRule(etypes.Rule{Name: aws.String("job"), ScheduleExpression: aws.String("rate(1 hour)")}, api.targets["job"])
	if err != nil || both.OtherTargets != 1 || both.TaskDefinition != "td:2" {
		t.Fatalf("rule with two targets read as %+v, %v", both, err)
	}
	if err := b.Delete(context.Background(), "job"); err != nil || !slices.Contains(api.deleted, "job") {
		t.Fatalf("delete: %v, deleted %v", err, api.deleted)
	}
}
