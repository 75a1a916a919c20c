package ecs

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// A CODE_DEPLOY service's deployment carries the AppSpec's fields as the
// config changes them; a target group change alone starts none (the
// deployment group owns the target groups).
func TestCodeDeployTarget(t *testing.T) {
	lb := func(tg, container string, port int32) []types.LoadBalancer {
		return []types.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String(container), ContainerPort: aws.Int32(port)}}
	}
	vpc := func(subnet string) *types.NetworkConfiguration {
		return &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{Subnets: []string{subnet}}}
	}
	current := &types.Service{ServiceName: aws.String("web"), PlatformVersion: aws.String("1.4.0"),
		LoadBalancers: lb("blue", "app", 8080), NetworkConfiguration: vpc("subnet-a")}
	for _, c := range []struct {
		name   string
		update awsecs.UpdateServiceInput
		owned  bool
		check  func(*types.Service) bool
	}{
		{"nothing of CodeDeploy's", awsecs.UpdateServiceInput{DesiredCount: aws.Int32(3)}, false,
			func(s *types.Service) bool { return aws.ToString(s.PlatformVersion) == "1.4.0" }},
		{"platform version", awsecs.UpdateServiceInput{PlatformVersion: aws.String("1.3.0")}, true,
			func(s *types.Service) bool { return aws.ToString(s.PlatformVersion) == "1.3.0" }},
		{"subnets", awsecs.UpdateServiceInput{NetworkConfiguration: vpc("subnet-b")}, true,
			func(s *types.Service) bool {
				return s.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] == "subnet-b"
			}},
		{"capacity providers", awsecs.UpdateServiceInput{CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE_SPOT"), Weight: 1}}}, true,
			func(s *types.Service) bool {
				return aws.ToString(s.CapacityProviderStrategy[0].CapacityProvider) == "FARGATE_SPOT"
			}},
		{"container port", awsecs.UpdateServiceInput{LoadBalancers: lb("blue", "app", 9090)}, true,
			func(s *types.Service) bool { return aws.ToInt32(s.LoadBalancers[0].ContainerPort) == 9090 }},
		{"target group alone", awsecs.UpdateServiceInput{LoadBalancers: lb("green", "app", 8080)}, false,
			func(s *types.Service) bool { return aws.ToString(s.LoadBalancers[0].TargetGroupArn) == "blue" }},
	} {
		target, owned := codeDeployTarget(current, &c.update)
		if owned != c.owned || !c.check(target) {
			t.Errorf("%s: owned %v (want %v), target %+v", c.name, owned, c.owned, target)
		}
	}
	if aws.ToString(current.PlatformVersion) != "1.4.0" || current.NetworkConfiguration.AwsvpcConfiguration.Subnets[0] != "subnet-a" {
		t.Errorf("the service as it runs was changed: %+v", current)
	}
}
