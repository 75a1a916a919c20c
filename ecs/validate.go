package ecs

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ValidateTaskDefinition checks what AWS would refuse or what is certainly a
// mistake, without calling AWS. td is the definition as written (not
// normalized); every problem is returned, each naming file and field.
func ValidateTaskDefinition(file string, td *awsecs.RegisterTaskDefinitionInput) []error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s: %s", file, field, fmt.Sprintf(format, args...)))
	}
	if aws.ToString(td.Family) == "" {
		fail("family", "is required; set the task definition family name")
	}
	if td.Cpu != nil {
		if _, err := parseCPU(*td.Cpu); err != nil {
			fail("cpu", "%v", err)
		}
	}
	if td.Memory != nil {
		if _, err := parseMemory(*td.Memory); err != nil {
			fail("memory", "%v", err)
		}
	}
	for _, c := range td.RequiresCompatibilities {
		if c != types.CompatibilityFargate {
			continue
		}
		if td.NetworkMode != types.NetworkModeAwsvpc {
			fail("networkMode", "FARGATE requires \"awsvpc\", got %q", td.NetworkMode)
		}
		if td.Cpu == nil || td.Memory == nil {
			fail("cpu", "FARGATE requires task-level cpu and memory; set both")
		}
	}
	if len(td.ContainerDefinitions) == 0 {
		fail("containerDefinitions", "at least one container is required")
	}
	names := map[string]int{}
	essential := false
	for i, c := range td.ContainerDefinitions {
		field := fmt.Sprintf("containerDefinitions[%d]", i)
		name := aws.ToString(c.Name)
		switch prev, dup := names[name]; {
		case name == "":
			fail(field+".name", "is required")
		case dup:
			fail(field+".name", "%q is already the name of containerDefinitions[%d]; container names must be unique", name, prev)
		default:
			names[name] = i
		}
		if aws.ToString(c.Image) == "" {
			fail(field+".image", "is required")
		}
		if c.Essential == nil || *c.Essential {
			essential = true
		}
		for j, pm := range c.PortMappings {
			if td.NetworkMode == types.NetworkModeAwsvpc && pm.HostPort != nil && pm.ContainerPort != nil && *pm.HostPort != *pm.ContainerPort {
				fail(fmt.Sprintf("%s.portMappings[%d].hostPort", field, j),
					"under networkMode awsvpc the host port must equal the container port (%d); remove hostPort", *pm.ContainerPort)
			}
		}
	}
	for i, c := range td.ContainerDefinitions {
		for j, dep := range c.DependsOn {
			if _, ok := names[aws.ToString(dep.ContainerName)]; !ok {
				fail(fmt.Sprintf("containerDefinitions[%d].dependsOn[%d].containerName", i, j),
					"no container named %q in this task definition", aws.ToString(dep.ContainerName))
			}
		}
	}
	if len(td.ContainerDefinitions) > 0 && !essential {
		fail("containerDefinitions", "at least one container must be essential")
	}
	return errs
}

// ValidateService checks a service definition against its name in the
// config and the task definition it runs.
func ValidateService(file, name string, svc *awsecs.CreateServiceInput, td *awsecs.RegisterTaskDefinitionInput) []error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s: %s", file, field, fmt.Sprintf(format, args...)))
	}
	if n := aws.ToString(svc.ServiceName); n != "" && n != name {
		fail("serviceName", "%q differs from the name %q in the config; remove serviceName or make them equal", n, name)
	}
	if td == nil {
		return errs
	}
	containers := map[string]types.ContainerDefinition{}
	for _, c := range td.ContainerDefinitions {
		containers[aws.ToString(c.Name)] = c
	}
	for i, lb := range svc.LoadBalancers {
		field := fmt.Sprintf("loadBalancers[%d]", i)
		c, ok := containers[aws.ToString(lb.ContainerName)]
		if !ok {
			fail(field+".containerName", "no container named %q in task definition %s", aws.ToString(lb.ContainerName), aws.ToString(td.Family))
			continue
		}
		if lb.ContainerPort == nil {
			continue
		}
		found := false
		for _, pm := range c.PortMappings {
			if aws.ToInt32(pm.ContainerPort) == *lb.ContainerPort {
				found = true
			}
		}
		if !found {
			fail(field+".containerPort", "container %q has no port mapping for port %d", aws.ToString(lb.ContainerName), *lb.ContainerPort)
		}
	}
	return errs
}
