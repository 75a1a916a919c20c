// Package appspec builds CodeDeploy AppSpec documents for ECS services that
// use the CODE_DEPLOY deployment controller, from the service as it runs.
// It owns CodeDeploy-driven deployments: finding a service's deployment
// group, creating a deployment of an AppSpec and following its lifecycle
// events (codedeploy.go); deploy does not drive them yet.
package appspec

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/goccy/go-yaml"
)

// Build writes the AppSpec (YAML) that deploys taskDefinition (an ARN) to
// svc: the target service with its load balancer, network configuration,
// platform version and capacity provider strategy as the service has them,
// and hooks (a list of {LifecycleEvent: function} entries) when given.
func Build(svc *types.Service, taskDefinition string, hooks []any) ([]byte, error) {
	name := aws.ToString(svc.ServiceName)
	if svc.DeploymentController == nil || svc.DeploymentController.Type != types.DeploymentControllerTypeCodeDeploy {
		return nil, fmt.Errorf("service %s uses the %s deployment controller; an AppSpec is for CODE_DEPLOY services", name, controllerOf(svc))
	}
	if len(svc.LoadBalancers) == 0 {
		return nil, fmt.Errorf("service %s has no load balancer; CodeDeploy needs one to shift traffic", name)
	}
	lb := svc.LoadBalancers[0]
	props := yaml.MapSlice{
		{Key: "TaskDefinition", Value: taskDefinition},
		{Key: "LoadBalancerInfo", Value: yaml.MapSlice{
			{Key: "ContainerName", Value: aws.ToString(lb.ContainerName)},
			{Key: "ContainerPort", Value: aws.ToInt32(lb.ContainerPort)},
		}},
	}
	if v := aws.ToString(svc.PlatformVersion); v != "" {
		props = append(props, yaml.MapItem{Key: "PlatformVersion", Value: v})
	}
	if nc := svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		vpc := nc.AwsvpcConfiguration
		conf := yaml.MapSlice{{Key: "Subnets", Value: vpc.Subnets}}
		if len(vpc.SecurityGroups) > 0 {
			conf = append(conf, yaml.MapItem{Key: "SecurityGroups", Value: vpc.SecurityGroups})
		}
		if vpc.AssignPublicIp != "" {
			conf = append(conf, yaml.MapItem{Key: "AssignPublicIp", Value: string(vpc.AssignPublicIp)})
		}
		props = append(props, yaml.MapItem{Key: "NetworkConfiguration", Value: yaml.MapSlice{{Key: "AwsvpcConfiguration", Value: conf}}})
	}
	if len(svc.CapacityProviderStrategy) > 0 {
		var strategy []yaml.MapSlice
		for _, s := range svc.CapacityProviderStrategy {
			item := yaml.MapSlice{{Key: "CapacityProvider", Value: aws.ToString(s.CapacityProvider)}, {Key: "Weight", Value: s.Weight}}
			if s.Base != 0 {
				item = append(item, yaml.MapItem{Key: "Base", Value: s.Base})
			}
			strategy = append(strategy, item)
		}
		props = append(props, yaml.MapItem{Key: "CapacityProviderStrategy", Value: strategy})
	}
	doc := yaml.MapSlice{
		{Key: "version", Value: "0.0"},
		{Key: "Resources", Value: []yaml.MapSlice{{{Key: "TargetService", Value: yaml.MapSlice{
			{Key: "Type", Value: "AWS::ECS::Service"},
			{Key: "Properties", Value: props},
		}}}}},
	}
	if len(hooks) > 0 {
		doc = append(doc, yaml.MapItem{Key: "Hooks", Value: hooks})
	}
	return yaml.MarshalWithOptions(doc, yaml.IndentSequence(true))
}

// Hooks reads the config's appspec block: `hooks` (or ecspresso's `Hooks`),
// a list of {LifecycleEvent: function} entries.
func Hooks(config map[string]any) ([]any, error) {
	for _, key := range []string{"hooks", "Hooks"} {
		v, ok := config[key]
		if !ok {
			continue
		}
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("appspec.%s must be a list of {LifecycleEvent: function} entries", key)
		}
		return list, nil
	}
	return nil, nil
}

func controllerOf(svc *types.Service) string {
	if svc.DeploymentController == nil {
		return "ECS"
	}
	return string(svc.DeploymentController.Type)
}
