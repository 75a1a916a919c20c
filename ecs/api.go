package ecs

import (
	"context"
	"errors"
	"strings"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
)

// API is the part of the ECS API this package uses, satisfied by
// *ecs.Client and by test fakes.
type API interface {
	DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	CreateService(ctx context.Context, in *awsecs.CreateServiceInput, optFns ...func(*awsecs.Options)) (*awsecs.CreateServiceOutput, error)
	UpdateService(ctx context.Context, in *awsecs.UpdateServiceInput, optFns ...func(*awsecs.Options)) (*awsecs.UpdateServiceOutput, error)
	UntagResource(ctx context.Context, in *awsecs.UntagResourceInput, optFns ...func(*awsecs.Options)) (*awsecs.UntagResourceOutput, error)
	ListServices(ctx context.Context, in *awsecs.ListServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.ListServicesOutput, error)
	ListTaskDefinitions(ctx context.Context, in *awsecs.ListTaskDefinitionsInput, optFns ...func(*awsecs.Options)) (*awsecs.ListTaskDefinitionsOutput, error)
	DeregisterTaskDefinition(ctx context.Context, in *awsecs.DeregisterTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DeregisterTaskDefinitionOutput, error)
	ListServiceDeployments(ctx context.Context, in *awsecs.ListServiceDeploymentsInput, optFns ...func(*awsecs.Options)) (*awsecs.ListServiceDeploymentsOutput, error)
	StopServiceDeployment(ctx context.Context, in *awsecs.StopServiceDeploymentInput, optFns ...func(*awsecs.Options)) (*awsecs.StopServiceDeploymentOutput, error)
	DescribeServiceDeployments(ctx context.Context, in *awsecs.DescribeServiceDeploymentsInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServiceDeploymentsOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *awsecs.DescribeTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
	RegisterTaskDefinition(ctx context.Context, in *awsecs.RegisterTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error)
	TagResource(ctx context.Context, in *awsecs.TagResourceInput, optFns ...func(*awsecs.Options)) (*awsecs.TagResourceOutput, error)
}

var _ API = (*awsecs.Client)(nil)

// isTaskDefinitionNotFound tells the answer ECS gives for a family (or
// revision) that does not exist.
func isTaskDefinitionNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ClientException" &&
		strings.Contains(ae.ErrorMessage(), "Unable to describe task definition")
}

// OperationsAPI is the part of ECS the day-2 commands use besides API:
// removing revisions and services, listing and stopping tasks, and ECS
// Exec. Satisfied by *ecs.Client and by test fakes.
type OperationsAPI interface {
	DeleteTaskDefinitions(ctx context.Context, in *awsecs.DeleteTaskDefinitionsInput, optFns ...func(*awsecs.Options)) (*awsecs.DeleteTaskDefinitionsOutput, error)
	DeleteService(ctx context.Context, in *awsecs.DeleteServiceInput, optFns ...func(*awsecs.Options)) (*awsecs.DeleteServiceOutput, error)
	ListTasks(ctx context.Context, in *awsecs.ListTasksInput, optFns ...func(*awsecs.Options)) (*awsecs.ListTasksOutput, error)
	StopTask(ctx context.Context, in *awsecs.StopTaskInput, optFns ...func(*awsecs.Options)) (*awsecs.StopTaskOutput, error)
	ExecuteCommand(ctx context.Context, in *awsecs.ExecuteCommandInput, optFns ...func(*awsecs.Options)) (*awsecs.ExecuteCommandOutput, error)
}

var _ OperationsAPI = (*awsecs.Client)(nil)
