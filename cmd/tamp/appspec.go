package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/appspec"
)

// AppSpecCmd prints the CodeDeploy AppSpec for a CODE_DEPLOY service.
type AppSpecCmd struct {
	TaskDefinition string `default:"current" placeholder:"current|latest|ARN" help:"The revision to deploy: the service's current one, the family's latest ACTIVE one, or an ARN."`
}

func (c *AppSpecCmd) Run(ctx context.Context, a *app) error {
	s, err := a.services(ctx)
	if err != nil {
		return err
	}
	if len(s.names) != 1 {
		return invalidInput{fmt.Errorf("appspec prints one service's AppSpec; choose one with --only (%s)", strings.Join(s.names, ", "))}
	}
	hooks, err := appspec.Hooks(s.project.AppSpec)
	if err != nil {
		return invalidInput{fmt.Errorf("%s: %w", s.project.Path, err)}
	}
	cluster := clusterOf(s.project.Cluster)
	out, err := s.api.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: s.names})
	if err != nil {
		return err
	}
	if len(out.Services) == 0 {
		return fmt.Errorf("service %s does not exist in cluster %s", s.names[0], cluster)
	}
	svc := &out.Services[0]
	td := c.TaskDefinition
	switch td {
	case "current":
		td = aws.ToString(svc.TaskDefinition)
	case "latest":
		family := strings.Split(shortRevision(aws.ToString(svc.TaskDefinition)), ":")[0]
		latest, err := s.api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)})
		if err != nil {
			return fmt.Errorf("latest revision of %s: %w", family, err)
		}
		td = aws.ToString(latest.TaskDefinition.TaskDefinitionArn)
	}
	doc, err := appspec.Build(svc, td, hooks)
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(doc)
	return err
}
