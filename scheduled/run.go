package scheduled

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// WatchedContainer is the container whose exit code counts when a task is
// run: its container, else its first override's, else "" (the task
// definition's first essential one). t is the task as written.
func WatchedContainer(t *Task) string {
	if t.Container != "" {
		return t.Container
	}
	if len(t.ContainerOverrides) > 0 {
		return aws.ToString(t.ContainerOverrides[0].Name)
	}
	return ""
}

// RunTaskInput is the RunTask request that runs a resolved task now with
// exactly what its schedule passes.
func RunTaskInput(t *Task, cluster string) *awsecs.RunTaskInput {
	in := &awsecs.RunTaskInput{
		Cluster: aws.String(cluster), TaskDefinition: aws.String(t.TaskDefinition), Count: t.TaskCount,
		LaunchType: t.LaunchType, CapacityProviderStrategy: t.CapacityProviderStrategy, NetworkConfiguration: t.NetworkConfiguration,
		PlatformVersion: nonEmpty(t.PlatformVersion), Group: nonEmpty(t.Group), PropagateTags: t.PropagateTags,
		EnableExecuteCommand: t.EnableExecuteCommand, EnableECSManagedTags: t.EnableECSManagedTags,
		PlacementConstraints: t.PlacementConstraints, PlacementStrategy: t.PlacementStrategy,
		StartedBy: aws.String("tamp"),
	}
	for k, v := range t.Tags {
		in.Tags = append(in.Tags, ecstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	in.Overrides = t.Override()
	return in
}
