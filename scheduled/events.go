package scheduled

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// EventsAPI is the part of EventBridge the rules backend uses.
type EventsAPI interface {
	ListRules(ctx context.Context, in *eventbridge.ListRulesInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error)
	ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
	ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error)
	PutRule(ctx context.Context, in *eventbridge.PutRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	TagResource(ctx context.Context, in *eventbridge.TagResourceInput, optFns ...func(*eventbridge.Options)) (*eventbridge.TagResourceOutput, error)
	RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error)
	DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error)
}

var _ EventsAPI = (*eventbridge.Client)(nil)

// OwnerTag marks every rule tamp writes: tamp:group=<group>. Only rules
// carrying the config's group are ever deleted.
const OwnerTag = "tamp:group"

// targetID is the ID of the one ECS target of a tamp rule.
const targetID = "tamp"

// EventsBackend keeps tasks as EventBridge rules on the default bus, each
// with one ECS target, tagged with the config's group.
type EventsBackend struct {
	API         EventsAPI
	Group       string
	RoleArn     string
	ClusterArn  string
	Concurrency int // requests at once; awsclient.Concurrency when 0
	// Names are the config's task names: those rules are read directly;
	// the tags of other scheduled rules are checked to find owned ones.
	Names []string

	mu   sync.Mutex
	arns map[string]string // rule name → ARN, as Remote last listed them
}

// Remote reads the rules named in the config and the other rules the
// group owns, resolved into the model.
func (b *EventsBackend) Remote(ctx context.Context) (map[string]*Task, bool, error) {
	byName, names, err := b.scheduledRules(ctx, "")
	if err != nil {
		return nil, false, interrupted(ctx, err)
	}
	b.mu.Lock()
	b.arns = map[string]string{}
	for name, r := range byName {
		b.arns[name] = aws.ToString(r.Arn)
	}
	b.mu.Unlock()
	tasks := map[string]*Task{}
	var mu sync.Mutex
	err = forEach(ctx, names, limitOr(b.Concurrency), func(name string) error {
		rule := byName[name]
		if !slices.Contains(b.Names, name) {
			tags, err := b.API.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: rule.Arn})
			if err != nil {
				return fmt.Errorf("tags of rule %s: %w", name, err)
			}
			if !slices.ContainsFunc(tags.Tags, func(t etypes.Tag) bool {
				return aws.ToString(t.Key) == OwnerTag && aws.ToString(t.Value) == b.Group
			}) {
				return nil // not ours
			}
		}
		targets, err := b.API.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
		if err != nil {
			return fmt.Errorf("targets of rule %s: %w", name, err)
		}
		var t *Task
		if len(targets.Targets) == 0 {
			// A rule whose target was never put (a sync stopped between
			// PutRule and PutTargets) or already removed (between a prune's
			// RemoveTargets and DeleteRule): a task to repair or delete.
			t = withoutTarget(rule)
		} else if t, err = fromRule(rule, targets.Targets); errors.Is(err, errNotECS) && !slices.Contains(b.Names, name) {
			return nil // owned, but not an ECS task rule
		} else if err != nil {
			return fmt.Errorf("read rule %s: %w", name, err)
		}
		mu.Lock()
		tasks[name] = t
		mu.Unlock()
		return nil
	})
	return tasks, true, interrupted(ctx, err)
}

// withoutTarget reads a rule that has no target: the rule's own fields,
// and the time zone and time window every rule has, but nothing a target
// would hold, so a diff shows the whole target as missing.
func withoutTarget(r etypes.Rule) *Task {
	return &Task{
		Name: aws.ToString(r.Name), Description: aws.ToString(r.Description), Schedule: aws.ToString(r.ScheduleExpression),
		Disabled: r.State == etypes.RuleStateDisabled, Timezone: "UTC", FlexibleTimeWindow: &FlexibleTimeWindow{Mode: "OFF"},
	}
}

// Adopt reads every scheduled rule whose name starts with prefix and has
// an ECS target, owned or not, for scheduled dump.
func (b *EventsBackend) Adopt(ctx context.Context, prefix string) (map[string]*Task, error) {
	byName, names, err := b.scheduledRules(ctx, prefix)
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	tasks := map[string]*Task{}
	var mu sync.Mutex
	err = forEach(ctx, names, limitOr(b.Concurrency), func(name string) error {
		targets, err := b.API.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
		if err != nil {
			return fmt.Errorf("targets of rule %s: %w", name, err)
		}
		t, err := fromRule(byName[name], targets.Targets)
		if err != nil {
			return nil // not an ECS task: not ours to adopt
		}
		mu.Lock()
		tasks[name] = t
		mu.Unlock()
		return nil
	})
	return tasks, interrupted(ctx, err)
}

// scheduledRules are the default bus's rules with a schedule expression
// (whose names start with prefix), by name, and their names in order.
func (b *EventsBackend) scheduledRules(ctx context.Context, prefix string) (map[string]etypes.Rule, []string, error) {
	byName := map[string]etypes.Rule{}
	var names []string
	in := &eventbridge.ListRulesInput{NamePrefix: nonEmpty(prefix)}
	for {
		out, err := b.API.ListRules(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("list rules: %w", err)
		}
		for _, r := range out.Rules {
			if aws.ToString(r.ScheduleExpression) != "" {
				byName[aws.ToString(r.Name)] = r
				names = append(names, aws.ToString(r.Name))
			}
		}
		if out.NextToken == nil {
			return byName, names, nil
		}
		in.NextToken = out.NextToken
	}
}

// Put writes the rule (tagged as the group's) and its ECS target.
//
// The writes are ordered so that a Put stopped after any of them leaves a
// rule that the next Remote reads as still different from t, or as t
// itself: a new rule is created with its tag, then given its target (a
// rule without one reads as a task to repair); an existing rule is
// tagged first (a rule updated but untagged would compare unchanged and
// never be owned), then gets tamp's target, loses any other (two targets
// read as a difference), and takes its own fields last.
func (b *EventsBackend) Put(ctx context.Context, t *Task, exists bool) error {
	target, err := b.target(t)
	if err != nil {
		return err
	}
	owner := []etypes.Tag{{Key: aws.String(OwnerTag), Value: aws.String(b.Group)}}
	if !exists {
		if _, err := b.putRule(ctx, t, owner); err != nil {
			return err
		}
		return b.putTarget(ctx, t.Name, target)
	}
	b.mu.Lock()
	arn := b.arns[t.Name]
	b.mu.Unlock()
	ruleWritten := false
	if arn == "" { // not listed by Remote: PutRule says the ARN
		if arn, err = b.putRule(ctx, t, nil); err != nil {
			return err
		}
		ruleWritten = true
	}
	// Tags given to PutRule apply only when it creates the rule.
	if _, err := b.API.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(arn), Tags: owner}); err != nil {
		return fmt.Errorf("tag rule %s: %w", t.Name, err)
	}
	if err := b.putTarget(ctx, t.Name, target); err != nil {
		return err
	}
	// One target: an adopted rule's own target would run the task twice.
	if err := b.removeTargets(ctx, t.Name, func(id string) bool { return id != targetID }); err != nil {
		return err
	}
	if ruleWritten {
		return nil
	}
	_, err = b.putRule(ctx, t, nil)
	return err
}

// putRule creates (with tags) or updates the rule and returns its ARN.
func (b *EventsBackend) putRule(ctx context.Context, t *Task, tags []etypes.Tag) (string, error) {
	state := etypes.RuleStateEnabled
	if t.Disabled {
		state = etypes.RuleStateDisabled
	}
	rule, err := b.API.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(t.Name), ScheduleExpression: aws.String(t.Schedule), State: state,
		Description: nonEmpty(t.Description), Tags: tags,
	})
	if err != nil {
		return "", fmt.Errorf("rule %s: %w", t.Name, err)
	}
	return aws.ToString(rule.RuleArn), nil
}

// putTarget puts tamp's target on the rule.
func (b *EventsBackend) putTarget(ctx context.Context, rule string, target *etypes.Target) error {
	out, err := b.API.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []etypes.Target{*target}})
	if err != nil {
		return fmt.Errorf("target of rule %s: %w", rule, err)
	}
	if out.FailedEntryCount > 0 && len(out.FailedEntries) > 0 {
		e := out.FailedEntries[0]
		return fmt.Errorf("target of rule %s: %s: %s", rule, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
	}
	return nil
}

// removeTargets removes the rule's targets whose IDs match.
func (b *EventsBackend) removeTargets(ctx context.Context, rule string, match func(id string) bool) error {
	out, err := b.API.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
	if err != nil {
		return fmt.Errorf("targets of rule %s: %w", rule, err)
	}
	var ids []string
	for _, t := range out.Targets {
		if match(aws.ToString(t.Id)) {
			ids = append(ids, aws.ToString(t.Id))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := b.API.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: ids}); err != nil {
		return fmt.Errorf("remove targets of rule %s: %w", rule, err)
	}
	return nil
}

// Delete removes the rule's targets, then the rule.
func (b *EventsBackend) Delete(ctx context.Context, name string) error {
	if err := b.removeTargets(ctx, name, func(string) bool { return true }); err != nil {
		return err
	}
	if _, err := b.API.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("delete rule %s: %w", name, err)
	}
	return nil
}

// EnsureGroup: rules need no group; the tag is the ownership.
func (b *EventsBackend) EnsureGroup(context.Context) error { return nil }

func (b *EventsBackend) target(t *Task) (*etypes.Target, error) {
	tg, err := targetOf(t)
	if err != nil {
		return nil, err
	}
	ecsp := &etypes.EcsParameters{}
	if err := convert(&tg.ecs, ecsp); err != nil {
		return nil, err
	}
	for k, v := range t.Tags {
		ecsp.Tags = append(ecsp.Tags, etypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	target := &etypes.Target{Id: aws.String(targetID), Arn: aws.String(orDefault(t.ClusterArn, b.ClusterArn)), RoleArn: aws.String(orDefault(t.RoleArn, b.RoleArn)), EcsParameters: ecsp, Input: tg.input}
	if tg.maxAge != nil || tg.maxRetries != nil {
		target.RetryPolicy = &etypes.RetryPolicy{MaximumEventAgeInSeconds: tg.maxAge, MaximumRetryAttempts: tg.maxRetries}
	}
	if tg.deadLetter != nil {
		target.DeadLetterConfig = &etypes.DeadLetterConfig{Arn: tg.deadLetter}
	}
	return target, nil
}

// fromRule reads a rule and its ECS target back into the resolved model.
func fromRule(r etypes.Rule, targets []etypes.Target) (*Task, error) {
	t := &Task{
		Name: aws.ToString(r.Name), Description: aws.ToString(r.Description), Schedule: aws.ToString(r.ScheduleExpression),
		Disabled: r.State == etypes.RuleStateDisabled,
	}
	var tgt *etypes.Target
	others := 0
	for i := range targets {
		if aws.ToString(targets[i].Id) == targetID {
			tgt = &targets[i]
		} else {
			others++
		}
	}
	if tgt == nil { // a rule tamp did not write: its (last) ECS target, the rest are others
		for i := range targets {
			if targets[i].EcsParameters != nil {
				tgt, others = &targets[i], len(targets)-1
			}
		}
	}
	if tgt == nil || tgt.EcsParameters == nil {
		return nil, errNotECS
	}
	t.ClusterArn, t.RoleArn = aws.ToString(tgt.Arn), aws.ToString(tgt.RoleArn)
	t.OtherTargets = others
	tg := target{input: tgt.Input}
	if err := convert(tgt.EcsParameters, &tg.ecs); err != nil {
		return nil, err
	}
	if rp := tgt.RetryPolicy; rp != nil {
		tg.maxAge, tg.maxRetries = rp.MaximumEventAgeInSeconds, rp.MaximumRetryAttempts
	}
	if dl := tgt.DeadLetterConfig; dl != nil {
		tg.deadLetter = dl.Arn
	}
	if err := tg.apply(t); err != nil {
		return nil, err
	}
	for _, tag := range tgt.EcsParameters.Tags {
		if t.Tags == nil {
			t.Tags = map[string]string{}
		}
		t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return Resolve(t, t.TaskDefinition, ""), nil
}
