package scheduled

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	etypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/tamp-ecs/tamp/config"
)

// Owned is one schedule (or rule) that the config's group owns, as AWS
// holds it: on the scheduler backend a schedule of the group, on the
// events backend a rule tagged tamp:group=<group>, each with an ECS
// target. Nothing else is ever deleted.
type Owned struct {
	Name    string `json:"name"`
	Backend string `json:"backend"` // scheduler | events
	// Owner is what makes it the config's: "schedule group app" or
	// "tag tamp:group=app".
	Owner string `json:"owner"`
	// Task is what it runs, resolved (task definition ARN, cluster, group
	// ...); for a rule whose target is gone, only the rule's own fields.
	Task *Task `json:"-"`
	// Listed: the config still lists it, so the next sync makes it again.
	Listed bool `json:"listed"`
}

// FindOwned finds the schedule or rule name that the config owns, or says
// why it is not one: missing, in no group of the config's, without the
// config's tag, or not an ECS task.
func (s *Syncer) FindOwned(ctx context.Context, name string) (*Owned, error) {
	o := &Owned{Name: name, Backend: s.Config.Backend, Listed: slices.Contains(Names(s.Tasks), name)}
	if s.Config.Backend == config.BackendEvents {
		o.Owner = fmt.Sprintf("tag %s=%s", OwnerTag, s.Config.Group)
		return o, s.findRule(ctx, o)
	}
	o.Owner = "schedule group " + s.Config.Group
	out, err := s.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String(s.Config.Group)})
	if isNotFound(err) {
		return nil, config.Invalid(fmt.Errorf("no schedule %s in schedule group %s, which is what the config owns; schedules of other groups are never touched", name, s.Config.Group))
	}
	if err != nil {
		return nil, fmt.Errorf("get schedule %s: %w", name, err)
	}
	t, err := fromSchedule(out)
	if errors.Is(err, errNotECS) {
		return nil, config.Invalid(fmt.Errorf("schedule %s in group %s does not run an ECS task; tamp leaves it alone", name, s.Config.Group))
	}
	if err != nil {
		return nil, fmt.Errorf("read schedule %s: %w", name, err)
	}
	o.Task = t
	return o, nil
}

// findRule finds the rule of the default bus named o.Name and checks it
// carries the config's tag and an ECS target (or none: a task to repair).
func (s *Syncer) findRule(ctx context.Context, o *Owned) error {
	var rule *etypes.Rule
	in := &eventbridge.ListRulesInput{NamePrefix: aws.String(o.Name)}
	for rule == nil {
		out, err := s.Events.ListRules(ctx, in)
		if err != nil {
			return fmt.Errorf("list rules: %w", err)
		}
		for i := range out.Rules {
			if aws.ToString(out.Rules[i].Name) == o.Name {
				rule = &out.Rules[i]
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if rule == nil {
		return config.Invalid(fmt.Errorf("no rule %s on the default event bus", o.Name))
	}
	tags, err := s.Events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: rule.Arn})
	if err != nil {
		return fmt.Errorf("tags of rule %s: %w", o.Name, err)
	}
	if !slices.ContainsFunc(tags.Tags, func(t etypes.Tag) bool {
		return aws.ToString(t.Key) == OwnerTag && aws.ToString(t.Value) == s.Config.Group
	}) {
		return config.Invalid(fmt.Errorf("rule %s does not carry the tag %s=%s, so the config does not own it; tamp deletes only rules it owns", o.Name, OwnerTag, s.Config.Group))
	}
	targets, err := s.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(o.Name)})
	if err != nil {
		return fmt.Errorf("targets of rule %s: %w", o.Name, err)
	}
	if len(targets.Targets) == 0 {
		o.Task = withoutTarget(*rule)
		return nil
	}
	t, err := fromRule(*rule, targets.Targets)
	if errors.Is(err, errNotECS) {
		return config.Invalid(fmt.Errorf("rule %s does not run an ECS task; tamp leaves it alone", o.Name))
	}
	if err != nil {
		return fmt.Errorf("read rule %s: %w", o.Name, err)
	}
	o.Task = t
	return nil
}

// DeleteOwned deletes a schedule or rule FindOwned found (on the events
// backend its targets, then the rule). Once started it is seen through,
// Ctrl-C or not.
func (s *Syncer) DeleteOwned(ctx context.Context, o *Owned) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &Plan{}
	return p.write(ctx, func(ctx context.Context) error { return s.backend("").Delete(ctx, o.Name) })
}
