package ecs

import (
	"fmt"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ValidateService checks a service definition against its name in the
// config and the task definition it runs (normalized; nil when it did not
// load), with CreateService's documented rules: counts and percentages,
// launch type or capacity providers, the network configuration the task's
// network mode needs, load balancers, service registries, placement,
// deployment options per controller and strategy, tags.
func ValidateService(file, name string, svc *awsecs.CreateServiceInput, td *awsecs.RegisterTaskDefinitionInput) []error {
	p := &problems{file: file}
	if n := aws.ToString(svc.ServiceName); n != "" && n != name {
		p.add("serviceName", "%q differs from the name %q in the config; remove serviceName or make them equal", n, name)
	} else if !apiName.MatchString(name) {
		p.add("serviceName", "%q (the config's name for this service): a service name is 1 to 255 letters, digits, '_' or '-'; rename it in the config", name)
	}
	p.notNegative("desiredCount", svc.DesiredCount)
	p.notNegative("healthCheckGracePeriodSeconds", svc.HealthCheckGracePeriodSeconds)
	if tok := aws.ToString(svc.ClientToken); len(tok) > 36 || !printableASCII(tok) {
		p.add("clientToken", "is up to 36 ASCII characters from ! to ~")
	}
	controller := types.DeploymentControllerTypeEcs
	if dc := svc.DeploymentController; dc != nil && dc.Type != "" {
		controller = dc.Type
	}
	fargate := svc.LaunchType == types.LaunchTypeFargate
	p.capacityProviders(svc, &fargate)
	p.deployment(svc.DeploymentConfiguration, controller)
	if svc.SchedulingStrategy == types.SchedulingStrategyDaemon {
		switch {
		case fargate:
			p.add("schedulingStrategy", "DAEMON does not run on Fargate; use REPLICA")
		case controller != types.DeploymentControllerTypeEcs:
			p.add("schedulingStrategy", "DAEMON needs the ECS deployment controller, not %s; use REPLICA", controller)
		}
	}
	if controller == types.DeploymentControllerTypeCodeDeploy && len(svc.LoadBalancers) == 0 {
		p.add("loadBalancers", "a CODE_DEPLOY service needs an Application or Network Load Balancer's target group")
	}
	if vpc := awsvpc(svc); vpc != nil {
		if n := len(vpc.Subnets); n > 16 {
			p.add("networkConfiguration.awsvpcConfiguration.subnets", "%d subnets; a service takes at most 16", n)
		}
		if n := len(vpc.SecurityGroups); n > 5 {
			p.add("networkConfiguration.awsvpcConfiguration.securityGroups", "%d security groups; a service takes at most 5", n)
		}
	}
	if svc.Role != nil && len(svc.LoadBalancers) == 0 {
		p.add("role", "is for calling a load balancer, and the service has none; remove it")
	}
	p.placement(svc, td, fargate)
	if n := len(svc.ServiceRegistries); n > 1 {
		p.add("serviceRegistries", "%d registries; a service takes one", n)
	}
	for i, r := range svc.ServiceRegistries {
		if r.Port != nil && r.ContainerPort != nil {
			p.add(fmt.Sprintf("serviceRegistries[%d].port", i), "set port or containerName and containerPort, not both")
		}
	}
	p.required(svc)
	p.tags(svc.Tags)
	if td != nil {
		p.againstTask(svc, td, fargate)
	}
	return p.errs
}

func printableASCII(s string) bool {
	for _, r := range s {
		if r < 33 || r > 126 {
			return false
		}
	}
	return true
}

func awsvpc(svc *awsecs.CreateServiceInput) *types.AwsVpcConfiguration {
	if nc := svc.NetworkConfiguration; nc != nil {
		return nc.AwsvpcConfiguration
	}
	return nil
}

// capacityProviders checks the capacity provider strategy, and sets
// *fargate when it places tasks on Fargate.
func (p *problems) capacityProviders(svc *awsecs.CreateServiceInput, fargate *bool) {
	cps := svc.CapacityProviderStrategy
	if len(cps) == 0 {
		return
	}
	if svc.LaunchType != "" {
		p.add("launchType", "set launchType or capacityProviderStrategy, not both")
	}
	if len(cps) > 20 {
		p.add("capacityProviderStrategy", "%d capacity providers; a strategy takes at most 20", len(cps))
	}
	withBase, weighted := 0, 0
	for i, cp := range cps {
		f := fmt.Sprintf("capacityProviderStrategy[%d]", i)
		p.between(f+".weight", aws.Int32(cp.Weight), 0, 1000, "")
		p.between(f+".base", aws.Int32(cp.Base), 0, 100000, "")
		if cp.Base > 0 {
			withBase++
		}
		if cp.Weight > 0 {
			weighted++
		}
		if n := aws.ToString(cp.CapacityProvider); n == "FARGATE" || n == "FARGATE_SPOT" {
			*fargate = true
		}
	}
	if withBase > 1 {
		p.add("capacityProviderStrategy", "%d capacity providers have a base; only one may", withBase)
	}
	if len(cps) > 1 && weighted == 0 {
		p.add("capacityProviderStrategy", "every weight is 0, so no capacity provider can place a task; give one a weight above 0")
	}
}

// deployment checks the deployment configuration's ranges, and the
// options that belong to one controller or strategy.
func (p *problems) deployment(dc *types.DeploymentConfiguration, controller types.DeploymentControllerType) {
	if dc == nil {
		return
	}
	p.notNegative("deploymentConfiguration.maximumPercent", dc.MaximumPercent)
	p.notNegative("deploymentConfiguration.minimumHealthyPercent", dc.MinimumHealthyPercent)
	p.notNegative("deploymentConfiguration.bakeTimeInMinutes", dc.BakeTimeInMinutes)
	if controller != types.DeploymentControllerTypeEcs {
		if cb := dc.DeploymentCircuitBreaker; cb != nil && cb.Enable {
			p.add("deploymentConfiguration.deploymentCircuitBreaker", "is for the ECS deployment controller, not %s; remove it", controller)
		}
		if a := dc.Alarms; a != nil && a.Enable {
			p.add("deploymentConfiguration.alarms", "are for the ECS deployment controller, not %s; remove them", controller)
		}
	}
	if lc := dc.LinearConfiguration; lc != nil {
		if dc.Strategy != types.DeploymentStrategyLinear {
			p.add("deploymentConfiguration.linearConfiguration", "is for strategy LINEAR; set the strategy or remove it")
		}
		p.tenths("deploymentConfiguration.linearConfiguration.stepPercent", lc.StepPercent, 3, 100)
		p.between("deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes", lc.StepBakeTimeInMinutes, 0, 1440, " minutes")
	}
	if cc := dc.CanaryConfiguration; cc != nil {
		if dc.Strategy != types.DeploymentStrategyCanary {
			p.add("deploymentConfiguration.canaryConfiguration", "is for strategy CANARY; set the strategy or remove it")
		}
		p.tenths("deploymentConfiguration.canaryConfiguration.canaryPercent", cc.CanaryPercent, 0.1, 100)
		p.between("deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes", cc.CanaryBakeTimeInMinutes, 0, 1440, " minutes")
	}
}

// tenths checks a traffic percentage: a multiple of 0.1 from lo to hi.
func (p *problems) tenths(field string, v *float64, lo, hi float64) {
	if v == nil {
		return
	}
	if *v < lo-1e-9 || *v > hi+1e-9 || math.Abs(*v*10-math.Round(*v*10)) > 1e-6 {
		p.add(field, "%g: use a multiple of 0.1 from %g to %g", *v, lo, hi)
	}
}

// placement checks placement constraints and strategies.
func (p *problems) placement(svc *awsecs.CreateServiceInput, td *awsecs.RegisterTaskDefinitionInput, fargate bool) {
	total := len(svc.PlacementConstraints)
	if td != nil {
		total += len(td.PlacementConstraints)
	}
	if total > 10 {
		p.add("placementConstraints", "%d constraints with the task definition's; a task takes at most 10", total)
	}
	if fargate && len(svc.PlacementConstraints) > 0 {
		p.add("placementConstraints", "Fargate takes no placement constraints; remove them")
	}
	for i, pc := range svc.PlacementConstraints {
		f := fmt.Sprintf("placementConstraints[%d].expression", i)
		switch e := aws.ToString(pc.Expression); {
		case pc.Type == types.PlacementConstraintTypeDistinctInstance && e != "":
			p.add(f, "distinctInstance takes no expression; remove it")
		case len(e) > 2000:
			p.add(f, "is %d characters; an expression takes at most 2000", len(e))
		}
	}
	if n := len(svc.PlacementStrategy); n > 5 {
		p.add("placementStrategy", "%d strategies; a service takes at most 5", n)
	}
}

// againstTask checks the service against the task definition it runs.
func (p *problems) againstTask(svc *awsecs.CreateServiceInput, td *awsecs.RegisterTaskDefinitionInput, fargate bool) {
	mode := td.NetworkMode
	family := aws.ToString(td.Family)
	fargateTD := slices.Contains(td.RequiresCompatibilities, types.CompatibilityFargate)
	switch {
	case fargate && !fargateTD && mode != types.NetworkModeAwsvpc:
		p.add("launchType", "runs on Fargate, which needs networkMode awsvpc in task definition %s", family)
	case mode == types.NetworkModeAwsvpc && awsvpc(svc) == nil:
		p.add("networkConfiguration", "task definition %s uses networkMode awsvpc, which needs the service's awsvpcConfiguration (subnets, security groups)", family)
	case mode != types.NetworkModeAwsvpc && svc.NetworkConfiguration != nil:
		p.add("networkConfiguration", "is for networkMode awsvpc, and task definition %s uses %s; remove it or change the network mode", family, mode)
	}
	if mode == types.NetworkModeAwsvpc && svc.Role != nil {
		p.add("role", "is not taken when the task definition uses networkMode awsvpc (the service-linked role is used); remove it")
	}
	if fargate && !fargateTD {
		// The task definition was not checked as a Fargate one.
		cpu, cerr := parseCPU(aws.ToString(td.Cpu))
		mem, merr := parseMemory(aws.ToString(td.Memory))
		switch {
		case td.Cpu == nil || td.Memory == nil:
			p.add("launchType", "runs on Fargate, which needs task-level cpu and memory in task definition %s", family)
		case cerr == nil && merr == nil:
			if why := fargateTaskSize(cpu, mem); why != "" {
				p.add("launchType", "runs on Fargate and task definition %s does not fit: %s", family, why)
			}
		}
	}
	containers := map[string]types.ContainerDefinition{}
	for _, c := range td.ContainerDefinitions {
		containers[aws.ToString(c.Name)] = c
	}
	for i, lb := range svc.LoadBalancers {
		field := fmt.Sprintf("loadBalancers[%d]", i)
		if lb.TargetGroupArn != nil && lb.LoadBalancerName != nil {
			p.add(field, "set targetGroupArn (Application or Network Load Balancer) or loadBalancerName (Classic), not both")
		}
		if lb.LoadBalancerName != nil && mode == types.NetworkModeAwsvpc {
			p.add(field+".loadBalancerName", "a Classic Load Balancer cannot reach awsvpc tasks; use a target group of type ip")
		}
		c, ok := containers[aws.ToString(lb.ContainerName)]
		if !ok {
			p.add(field+".containerName", "no container named %q in task definition %s", aws.ToString(lb.ContainerName), family)
			continue
		}
		if lb.ContainerPort == nil {
			p.add(field+".containerPort", "is required: the port of container %q that the load balancer sends traffic to", aws.ToString(lb.ContainerName))
			continue
		}
		if !hasPort(c, *lb.ContainerPort) {
			p.add(field+".containerPort", "container %q has no port mapping for port %d", aws.ToString(lb.ContainerName), *lb.ContainerPort)
		}
	}
	for i, r := range svc.ServiceRegistries {
		name := aws.ToString(r.ContainerName)
		if name == "" {
			continue
		}
		field := fmt.Sprintf("serviceRegistries[%d]", i)
		c, ok := containers[name]
		if !ok {
			p.add(field+".containerName", "no container named %q in task definition %s", name, family)
			continue
		}
		if r.ContainerPort != nil && !hasPort(c, *r.ContainerPort) {
			p.add(field+".containerPort", "container %q has no port mapping for port %d", name, *r.ContainerPort)
		}
	}
}

// hasPort tells whether a container maps port, alone or in a range.
func hasPort(c types.ContainerDefinition, port int32) bool {
	for _, pm := range c.PortMappings {
		if aws.ToInt32(pm.ContainerPort) == port {
			return true
		}
		if first, last, ok := portRange(aws.ToString(pm.ContainerPortRange)); ok && int(port) >= first && int(port) <= last {
			return true
		}
	}
	return false
}
