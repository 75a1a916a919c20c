package fakeaws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

// Events is an in-memory EventBridge holding rules on the default event
// bus, each with its targets and tags. It answers the calls package
// scheduled makes, with the errors AWS gives as the SDK hands them back
// (*types.ResourceNotFoundException, *types.LimitExceededException, and
// a smithy.GenericAPIError for a ValidationException, which the SDK has no
// type for), and is safe for concurrent use.
type Events struct {
	callLedger

	mu       sync.Mutex
	rules    map[string]*eventRule
	rejected map[string]etypes.PutTargetsResultEntry // rule → how PutTargets fails its entries
	pageSize int
}

type eventRule struct {
	rule    etypes.Rule
	targets []etypes.Target
	tags    map[string]string
}

const (
	// eventsRuleARN is the ARN prefix of the fake's rules.
	eventsRuleARN = "arn:aws:events:" + Region + ":" + Account + ":rule/"
	// targetsPerRule is EventBridge's quota of targets on one rule.
	targetsPerRule = 5
)

// NewEvents returns an Events with no rules. Lists come back in pages of
// 100, as AWS's largest Limit.
func NewEvents() *Events {
	return &Events{rules: map[string]*eventRule{}, rejected: map[string]etypes.PutTargetsResultEntry{}, pageSize: 100}
}

// SetPageSize makes ListRules and ListTargetsByRule return at most n items
// a page, so a test with a handful of rules exercises NextToken.
func (f *Events) SetPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pageSize = max(n, 1)
}

// AddRule seeds a rule (Arn, EventBusName and State filled in when empty)
// with its tags and targets, replacing one of the same name, and returns
// its ARN. Seeding is not counted as a call. Any rule may be seeded: one
// with an event pattern, one whose target is a Lambda rather than an ECS
// task, one tagged as another group's.
func (f *Events) AddRule(r etypes.Rule, tags map[string]string, targets ...etypes.Target) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(r.Name)
	if r.Arn == nil {
		r.Arn = aws.String(eventsRuleARN + name)
	}
	if r.EventBusName == nil {
		r.EventBusName = aws.String("default")
	}
	if r.State == "" {
		r.State = etypes.RuleStateEnabled
	}
	f.rules[name] = &eventRule{rule: jsonCopy(r), targets: jsonCopy(targets), tags: maps.Clone(tags)}
	return aws.ToString(r.Arn)
}

// RejectTargets makes PutTargets on the rule report every target as a
// failed entry with the code and message (as AWS does for a target it
// cannot use) and store none; an empty code lifts it.
func (f *Events) RejectTargets(rule, code, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == "" {
		delete(f.rejected, rule)
		return
	}
	f.rejected[rule] = etypes.PutTargetsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String(message)}
}

// Rule is a copy of a stored rule.
func (f *Events) Rule(name string) (etypes.Rule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.rules[name]
	if !ok {
		return etypes.Rule{}, false
	}
	return jsonCopy(r.rule), true
}

// Targets is a copy of a rule's targets, in the order they were put.
func (f *Events) Targets(rule string) []etypes.Target {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.rules[rule]; ok {
		return jsonCopy(r.targets)
	}
	return nil
}

// Tags is a copy of a rule's tags.
func (f *Events) Tags(rule string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.rules[rule]; ok {
		return maps.Clone(r.tags)
	}
	return nil
}

// RuleNames are the names of every rule, sorted.
func (f *Events) RuleNames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.rules))
}

// ListRules lists the rules sorted by name, filtered by NamePrefix, a page
// at a time.
func (f *Events) ListRules(ctx context.Context, in *eventbridge.ListRulesInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error) {
	if err := f.enter(ctx, "ListRules"); err != nil {
		return nil, err
	}
	if err := defaultBus(in.EventBusName); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var rules []etypes.Rule
	for _, name := range slices.Sorted(maps.Keys(f.rules)) {
		if strings.HasPrefix(name, aws.ToString(in.NamePrefix)) {
			rules = append(rules, f.rules[name].rule)
		}
	}
	page, next, err := pageOf(rules, in.NextToken, aws.ToInt32(in.Limit), f.pageSize)
	if err != nil {
		return nil, untypedAPIError("ValidationException", err.Error())
	}
	return &eventbridge.ListRulesOutput{Rules: jsonCopy(page), NextToken: next}, nil
}

// ListTargetsByRule lists a rule's targets, a page at a time.
func (f *Events) ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	if err := f.enter(ctx, "ListTargetsByRule"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.find(in.EventBusName, in.Rule)
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(r.targets, in.NextToken, aws.ToInt32(in.Limit), f.pageSize)
	if err != nil {
		return nil, untypedAPIError("ValidationException", err.Error())
	}
	return &eventbridge.ListTargetsByRuleOutput{Targets: jsonCopy(page), NextToken: next}, nil
}

// ListTagsForResource lists a rule's tags, sorted by key.
func (f *Events) ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error) {
	if err := f.enter(ctx, "ListTagsForResource"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.byARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &eventbridge.ListTagsForResourceOutput{Tags: []etypes.Tag{}}
	for _, k := range slices.Sorted(maps.Keys(r.tags)) {
		out.Tags = append(out.Tags, etypes.Tag{Key: aws.String(k), Value: aws.String(r.tags[k])})
	}
	return out, nil
}

// PutRule creates a rule, with the request's tags, or replaces an existing
// one's definition: description, schedule, pattern, role and state are
// what the request says (state ENABLED when it says none), and its tags
// are ignored, as AWS ignores them on update.
func (f *Events) PutRule(ctx context.Context, in *eventbridge.PutRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	if err := f.enter(ctx, "PutRule"); err != nil {
		return nil, err
	}
	if err := defaultBus(in.EventBusName); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	switch {
	case name == "":
		return nil, untypedAPIError("ValidationException", "Name is required.")
	case aws.ToString(in.ScheduleExpression) == "" && aws.ToString(in.EventPattern) == "":
		return nil, untypedAPIError("ValidationException", "Parameter(s) ScheduleExpression or EventPattern must be specified.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := jsonCopy(in)
	rule := etypes.Rule{Name: c.Name, Arn: aws.String(eventsRuleARN + name), EventBusName: aws.String("default"),
		Description: c.Description, ScheduleExpression: c.ScheduleExpression, EventPattern: c.EventPattern,
		RoleArn: c.RoleArn, State: c.State}
	if rule.State == "" {
		rule.State = etypes.RuleStateEnabled
	}
	if r, ok := f.rules[name]; ok {
		r.rule = rule
	} else {
		tags := map[string]string{}
		for _, t := range c.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		f.rules[name] = &eventRule{rule: rule, tags: tags}
	}
	return &eventbridge.PutRuleOutput{RuleArn: rule.Arn}, nil
}

// PutTargets adds targets to a rule or replaces those of the same Id. A
// rule holds at most five.
func (f *Events) PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error) {
	if err := f.enter(ctx, "PutTargets"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.find(in.EventBusName, in.Rule)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Targets {
		if aws.ToString(t.Id) == "" || aws.ToString(t.Arn) == "" {
			return nil, untypedAPIError("ValidationException", "Every target needs an Id and an Arn.")
		}
	}
	out := &eventbridge.PutTargetsOutput{}
	if e, ok := f.rejected[aws.ToString(in.Rule)]; ok {
		for _, t := range in.Targets {
			e.TargetId = t.Id
			out.FailedEntries = append(out.FailedEntries, jsonCopy(e))
		}
		out.FailedEntryCount = int32(len(out.FailedEntries))
		return out, nil
	}
	targets := slices.Clone(r.targets)
	for _, t := range jsonCopy(in.Targets) {
		i := slices.IndexFunc(targets, func(x etypes.Target) bool { return aws.ToString(x.Id) == aws.ToString(t.Id) })
		if i >= 0 {
			targets[i] = t
		} else {
			targets = append(targets, t)
		}
	}
	if len(targets) > targetsPerRule {
		return nil, &etypes.LimitExceededException{Message: aws.String(fmt.Sprintf(
			"The requested resource exceeds the maximum number allowed: a rule can have %d targets.", targetsPerRule))}
	}
	r.targets = targets
	return out, nil
}

// TagResource adds tags to a rule, replacing those of the same keys.
func (f *Events) TagResource(ctx context.Context, in *eventbridge.TagResourceInput, _ ...func(*eventbridge.Options)) (*eventbridge.TagResourceOutput, error) {
	if err := f.enter(ctx, "TagResource"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.byARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if r.tags == nil {
		r.tags = map[string]string{}
	}
	for _, t := range in.Tags {
		r.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &eventbridge.TagResourceOutput{}, nil
}

// RemoveTargets removes a rule's targets by Id; an Id the rule does not
// have is no failure.
func (f *Events) RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error) {
	if err := f.enter(ctx, "RemoveTargets"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.find(in.EventBusName, in.Rule)
	if err != nil {
		return nil, err
	}
	r.targets = slices.DeleteFunc(r.targets, func(t etypes.Target) bool { return slices.Contains(in.Ids, aws.ToString(t.Id)) })
	return &eventbridge.RemoveTargetsOutput{}, nil
}

// DeleteRule deletes a rule that has no targets left; deleting one that
// does not exist succeeds, as on AWS.
func (f *Events) DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error) {
	if err := f.enter(ctx, "DeleteRule"); err != nil {
		return nil, err
	}
	if err := defaultBus(in.EventBusName); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.Name)
	if r, ok := f.rules[name]; ok {
		if len(r.targets) > 0 {
			return nil, untypedAPIError("ValidationException", "Rule can't be deleted since it has targets.")
		}
		delete(f.rules, name)
	}
	return &eventbridge.DeleteRuleOutput{}, nil
}

// find is the stored rule on the default bus, or the error AWS gives.
func (f *Events) find(bus, name *string) (*eventRule, error) {
	if err := defaultBus(bus); err != nil {
		return nil, err
	}
	r, ok := f.rules[aws.ToString(name)]
	if !ok {
		return nil, &etypes.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("Rule %s does not exist on EventBus default.", aws.ToString(name)))}
	}
	return r, nil
}

func (f *Events) byARN(arn *string) (*eventRule, error) {
	name, ok := strings.CutPrefix(aws.ToString(arn), eventsRuleARN)
	r, found := f.rules[name]
	if !ok || !found {
		return nil, &etypes.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("Rule %s does not exist on EventBus default.", name))}
	}
	return r, nil
}

// defaultBus refuses an event bus other than the default one, the only
// bus the fake has.
func defaultBus(name *string) error {
	switch aws.ToString(name) {
	case "", "default", "arn:aws:events:" + Region + ":" + Account + ":event-bus/default":
		return nil
	}
	return &etypes.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("Event bus %s does not exist.", aws.ToString(name)))}
}

// untypedAPIError is an error the SDK has no type for, as it hands one back.
func untypedAPIError(code, message string) error {
	return &smithy.GenericAPIError{Code: code, Message: message, Fault: smithy.FaultClient}
}
