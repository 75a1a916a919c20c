// Package scheduled owns scheduled ECS tasks: the task list of the config
// (schema, defaults, shorthands), its offline validation (schedule
// expressions, time zones, backend-specific fields, container names), the
// two backends that hold them (EventBridge Scheduler: the schedules of one
// schedule group; EventBridge rules: rules on the default bus tagged
// tamp:group=<group>), and what is done with them: plan and diff, sync
// with prune and disable/enable all, list with next runs, run now, and
// dump/adopt of existing schedules.
//
// It does not render files or manage ECS services: package config renders
// the list file and package ecs registers the task definitions the tasks
// run.
package scheduled

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Task is one scheduled task, with the config's defaults merged under it.
// Our own keys are snake_case; embedded AWS shapes (container_overrides,
// network_configuration, capacity_provider_strategy, placement_constraints)
// use the API's keys.
type Task struct {
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	Schedule       string `json:"schedule"`
	Timezone       string `json:"timezone,omitempty"` // scheduler only
	Disabled       bool   `json:"disabled,omitempty"`
	TaskDefinition string `json:"task_definition"` // a config name, family, family:revision or ARN

	// Shorthands for the override of one container (default: the first).
	Container   string            `json:"container,omitempty"`
	Command     []string          `json:"command,omitempty"`
	Environment map[string]string `json:"environment,omitempty"`
	// The full form, as the API takes it.
	ContainerOverrides []ecstypes.ContainerOverride `json:"container_overrides,omitempty"`
	// Task-level overrides.
	Cpu              string                     `json:"cpu,omitempty"`
	Memory           string                     `json:"memory,omitempty"`
	TaskRoleArn      string                     `json:"task_role_arn,omitempty"`
	ExecutionRoleArn string                     `json:"execution_role_arn,omitempty"`
	EphemeralStorage *ecstypes.EphemeralStorage `json:"ephemeral_storage,omitempty"` // {"sizeInGiB": N}

	TaskCount                *int32                                  `json:"task_count,omitempty"`
	LaunchType               ecstypes.LaunchType                     `json:"launch_type,omitempty"`
	CapacityProviderStrategy []ecstypes.CapacityProviderStrategyItem `json:"capacity_provider_strategy,omitempty"`
	PlatformVersion          string                                  `json:"platform_version,omitempty"`
	NetworkConfiguration     *ecstypes.NetworkConfiguration          `json:"network_configuration,omitempty"`
	Group                    string                                  `json:"group,omitempty"`
	PropagateTags            ecstypes.PropagateTags                  `json:"propagate_tags,omitempty"`
	Tags                     map[string]string                       `json:"tags,omitempty"`
	EnableExecuteCommand     bool                                    `json:"enable_execute_command,omitempty"`
	EnableECSManagedTags     bool                                    `json:"enable_ecs_managed_tags,omitempty"`
	PlacementConstraints     []ecstypes.PlacementConstraint          `json:"placement_constraints,omitempty"`
	PlacementStrategy        []ecstypes.PlacementStrategy            `json:"placement_strategy,omitempty"`

	RetryPolicy   *RetryPolicy `json:"retry_policy,omitempty"`
	DeadLetterArn string       `json:"dead_letter_arn,omitempty"`
	// RoleArn is the role EventBridge runs the task with (default:
	// scheduled.role_arn). ClusterArn is set by tamp from the config's
	// cluster; both are compared like any other field.
	RoleArn    string `json:"role_arn,omitempty"`
	ClusterArn string `json:"cluster_arn,omitempty"`
	// OtherTargets counts targets on an EventBridge rule besides tamp's own
	// (read from AWS; a sync removes them, so it shows as a difference).
	OtherTargets int `json:"other_targets,omitempty"`

	// EventBridge Scheduler only.
	FlexibleTimeWindow *FlexibleTimeWindow `json:"flexible_time_window,omitempty"`
	StartDate          string              `json:"start_date,omitempty"` // RFC 3339
	EndDate            string              `json:"end_date,omitempty"`
}

// Override is the RunTask override a run of the task passes (the target's
// input); nil when the task overrides nothing.
func (t *Task) Override() *ecstypes.TaskOverride {
	o := &ecstypes.TaskOverride{ContainerOverrides: t.ContainerOverrides, Cpu: nonEmpty(t.Cpu), Memory: nonEmpty(t.Memory),
		TaskRoleArn: nonEmpty(t.TaskRoleArn), ExecutionRoleArn: nonEmpty(t.ExecutionRoleArn), EphemeralStorage: t.EphemeralStorage}
	if len(o.ContainerOverrides) == 0 && o.Cpu == nil && o.Memory == nil && o.TaskRoleArn == nil && o.ExecutionRoleArn == nil && o.EphemeralStorage == nil {
		return nil
	}
	return o
}

// setOverride fills the task-level fields from an override read back.
func (t *Task) setOverride(o *ecstypes.TaskOverride) {
	t.ContainerOverrides, t.Cpu, t.Memory = o.ContainerOverrides, aws.ToString(o.Cpu), aws.ToString(o.Memory)
	t.TaskRoleArn, t.ExecutionRoleArn, t.EphemeralStorage = aws.ToString(o.TaskRoleArn), aws.ToString(o.ExecutionRoleArn), o.EphemeralStorage
}

// RetryPolicy bounds how EventBridge retries a failed run.
type RetryPolicy struct {
	MaximumEventAgeSeconds *int32 `json:"maximum_event_age_seconds,omitempty"`
	MaximumRetryAttempts   *int32 `json:"maximum_retry_attempts,omitempty"`
}

// FlexibleTimeWindow lets EventBridge Scheduler start a run within a window.
type FlexibleTimeWindow struct {
	Mode                   string `json:"mode"` // OFF | FLEXIBLE
	MaximumWindowInMinutes *int32 `json:"maximum_window_in_minutes,omitempty"`
}
