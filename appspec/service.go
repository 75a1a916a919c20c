package appspec

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/ecs"
)

// ECSAPI is the part of ECS an AppSpec is built from.
type ECSAPI interface {
	DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *awsecs.DescribeTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
}

var _ ECSAPI = (*awsecs.Client)(nil)

// ForService builds the AppSpec of a running CODE_DEPLOY service for a
// revision: "current" (the one it runs), "latest" (its family's latest
// ACTIVE one) or a task definition ARN.
func ForService(ctx context.Context, api ECSAPI, cluster, service, revision string, hooks []any) ([]byte, error) {
	out, err := api.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil {
		return nil, err
	}
	if len(out.Services) == 0 {
		return nil, fmt.Errorf("service %s does not exist in cluster %s", service, cluster)
	}
	svc := &out.Services[0]
	td := revision
	switch revision {
	case "current":
		td = aws.ToString(svc.TaskDefinition)
	case "latest":
		family, _, _ := strings.Cut(ecs.ShortRevision(aws.ToString(svc.TaskDefinition)), ":")
		latest, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)})
		if err != nil {
			return nil, fmt.Errorf("latest revision of %s: %w", family, err)
		}
		td = aws.ToString(latest.TaskDefinition.TaskDefinitionArn)
	}
	return Build(svc, td, hooks)
}
