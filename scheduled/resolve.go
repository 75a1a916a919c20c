package scheduled

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Resolve returns the task as it is to run: the task definition as the
// revision ARN it will use, the command/environment shorthands folded into
// container_overrides (for container, default firstContainer), and the
// defaults EventBridge applies filled in. Local tasks and tasks read back
// from AWS are both resolved, so they compare field by field.
func Resolve(t *Task, taskDefinitionArn, firstContainer string) *Task {
	r := *t
	r.ContainerOverrides = slices.Clone(t.ContainerOverrides) // sorted below: not the caller's
	r.TaskDefinition = taskDefinitionArn
	r.Schedule = strings.TrimSpace(r.Schedule)
	r.StartDate, r.EndDate = utc(r.StartDate), utc(r.EndDate)
	if len(t.Command) > 0 || len(t.Environment) > 0 {
		name := t.Container
		if name == "" {
			name = firstContainer
		}
		var target *ecstypes.ContainerOverride
		for i := range r.ContainerOverrides {
			if aws.ToString(r.ContainerOverrides[i].Name) == name {
				target = &r.ContainerOverrides[i]
			}
		}
		if target == nil {
			r.ContainerOverrides = append(r.ContainerOverrides, ecstypes.ContainerOverride{Name: aws.String(name)})
			target = &r.ContainerOverrides[len(r.ContainerOverrides)-1]
		}
		if len(t.Command) > 0 {
			target.Command = t.Command
		}
		for k, v := range t.Environment {
			target.Environment = append(target.Environment, ecstypes.KeyValuePair{Name: aws.String(k), Value: aws.String(v)})
		}
	}
	r.Container, r.Command, r.Environment = "", nil, nil
	for i := range r.ContainerOverrides {
		o := &r.ContainerOverrides[i]
		o.Environment = slices.Clone(o.Environment)
		slices.SortStableFunc(o.Environment, func(a, b ecstypes.KeyValuePair) int {
			return cmp.Compare(aws.ToString(a.Name), aws.ToString(b.Name))
		})
	}
	slices.SortStableFunc(r.ContainerOverrides, func(a, b ecstypes.ContainerOverride) int {
		return cmp.Compare(aws.ToString(a.Name), aws.ToString(b.Name))
	})
	if r.TaskCount == nil {
		r.TaskCount = aws.Int32(1)
	}
	if r.FlexibleTimeWindow == nil {
		r.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: "OFF"}
	}
	if r.Timezone == "" {
		r.Timezone = "UTC"
	}
	// EventBridge Scheduler's retry policy when none is given: a day, 185 attempts.
	rp := RetryPolicy{MaximumEventAgeSeconds: aws.Int32(86400), MaximumRetryAttempts: aws.Int32(185)}
	if t.RetryPolicy != nil {
		if t.RetryPolicy.MaximumEventAgeSeconds != nil {
			rp.MaximumEventAgeSeconds = t.RetryPolicy.MaximumEventAgeSeconds
		}
		if t.RetryPolicy.MaximumRetryAttempts != nil {
			rp.MaximumRetryAttempts = t.RetryPolicy.MaximumRetryAttempts
		}
	}
	r.RetryPolicy = &rp
	if nc := r.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		vpc := *nc.AwsvpcConfiguration
		vpc.Subnets, vpc.SecurityGroups = sorted(vpc.Subnets), sorted(vpc.SecurityGroups)
		if vpc.AssignPublicIp == "" {
			vpc.AssignPublicIp = ecstypes.AssignPublicIpDisabled
		}
		r.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &vpc}
	}
	return &r
}

// utc writes an RFC 3339 time in UTC, as AWS hands dates back, so that a
// date written with an offset compares equal.
func utc(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return s
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
