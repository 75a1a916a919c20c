package scheduled

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// ecsParameters is the ECS part of a schedule's or rule's target in one
// shape: the Scheduler's and EventBridge's SDK types have the same JSON
// form (tags aside), so each backend converts to and from this.
type ecsParameters struct {
	TaskDefinitionArn        *string
	TaskCount                *int32
	LaunchType               ecstypes.LaunchType
	PlatformVersion          *string
	Group                    *string
	PropagateTags            ecstypes.PropagateTags
	EnableExecuteCommand     *bool
	EnableECSManagedTags     *bool
	NetworkConfiguration     *ecstypes.NetworkConfiguration
	PlacementConstraints     []ecstypes.PlacementConstraint
	PlacementStrategy        []ecstypes.PlacementStrategy
	CapacityProviderStrategy []ecstypes.CapacityProviderStrategyItem
	ReferenceId              *string
	// Tags differ in shape between the backends, which read them themselves.
	Tags any
}

// target is what both backends put in a target besides the ECS parameters.
type target struct {
	ecs        ecsParameters
	input      *string
	maxAge     *int32
	maxRetries *int32
	deadLetter *string
}

// targetOf builds the target of a resolved task.
func targetOf(t *Task) (target, error) {
	tg := target{ecs: ecsParameters{
		TaskDefinitionArn: aws.String(t.TaskDefinition), TaskCount: t.TaskCount, LaunchType: t.LaunchType,
		PlatformVersion: nonEmpty(t.PlatformVersion), Group: nonEmpty(t.Group), PropagateTags: t.PropagateTags,
		NetworkConfiguration: t.NetworkConfiguration, PlacementConstraints: t.PlacementConstraints,
		CapacityProviderStrategy: t.CapacityProviderStrategy,
	}, deadLetter: nonEmpty(t.DeadLetterArn)}
	if t.EnableExecuteCommand {
		tg.ecs.EnableExecuteCommand = aws.Bool(true)
	}
	if t.EnableECSManagedTags {
		tg.ecs.EnableECSManagedTags = aws.Bool(true)
	}
	tg.ecs.PlacementStrategy = t.PlacementStrategy
	input, err := overrideInput(t)
	if err != nil {
		return tg, err
	}
	if why := inputTooLong(input); why != "" {
		return tg, fmt.Errorf("scheduled task %s: %s", t.Name, why) // Validate refuses it first; never sent
	}
	tg.input = nonEmpty(input)
	if rp := t.RetryPolicy; rp != nil {
		tg.maxAge, tg.maxRetries = rp.MaximumEventAgeSeconds, rp.MaximumRetryAttempts
	}
	return tg, nil
}

// apply fills a task from a target read back from AWS.
func (tg target) apply(t *Task) error {
	e := tg.ecs
	t.TaskDefinition, t.TaskCount, t.LaunchType = aws.ToString(e.TaskDefinitionArn), e.TaskCount, e.LaunchType
	t.PlatformVersion, t.Group, t.PropagateTags = aws.ToString(e.PlatformVersion), aws.ToString(e.Group), e.PropagateTags
	t.EnableExecuteCommand, t.EnableECSManagedTags = aws.ToBool(e.EnableExecuteCommand), aws.ToBool(e.EnableECSManagedTags)
	t.PlacementStrategy = e.PlacementStrategy
	t.NetworkConfiguration, t.PlacementConstraints, t.CapacityProviderStrategy = e.NetworkConfiguration, e.PlacementConstraints, e.CapacityProviderStrategy
	if in := aws.ToString(tg.input); in != "" {
		v, err := awsjson.Unmarshal([]byte(in))
		if err != nil {
			return fmt.Errorf("its input is not JSON: %w", err)
		}
		var o ecstypes.TaskOverride
		if err := awsjson.Decode(v, &o); err != nil {
			return fmt.Errorf("its input is not an ECS task override: %w", err)
		}
		t.setOverride(&o)
	}
	if tg.maxAge != nil || tg.maxRetries != nil {
		t.RetryPolicy = &RetryPolicy{MaximumEventAgeSeconds: tg.maxAge, MaximumRetryAttempts: tg.maxRetries}
	}
	t.DeadLetterArn = aws.ToString(tg.deadLetter)
	return nil
}

// maxInput is the most characters a target's input may have: EventBridge's
// Target.Input takes up to 8,192, and ECS allows 8,192 characters of
// RunTask overrides (JSON punctuation included), which is what the input
// of an ECS target is on either backend.
const maxInput = 8192

// overrideInput is the RunTask overrides a target passes as its input, as
// compact JSON: every character counts against maxInput. Which spacing AWS
// holds never shows in a diff, which compares the override read back.
func overrideInput(t *Task) (string, error) {
	o := t.Override()
	if o == nil {
		return "", nil
	}
	g, err := awsjson.ToGeneric(o)
	if err != nil {
		return "", err
	}
	b, err := awsjson.Marshal(g)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// inputTooLong explains an input over maxInput, or returns "".
func inputTooLong(input string) string {
	n := utf8.RuneCountInString(input)
	if n <= maxInput {
		return ""
	}
	return fmt.Sprintf("the RunTask overrides tamp puts in the target's input come to %d characters as compact JSON, over the %d that EventBridge and ECS take; "+
		"move environment values into the task definition (or an environmentFiles file) or shorten the command", n, maxInput)
}
