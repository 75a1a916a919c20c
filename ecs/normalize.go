package ecs

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// NormalizeTaskDefinition returns a copy of in in the form AWS stores: API
// defaults filled in, sizes in plain units, order-insensitive lists sorted.
// Two definitions that AWS treats as the same normalize to equal values.
// Values that do not parse (a bad cpu size) are left as written; Validate
// reports them.
func NormalizeTaskDefinition(in *awsecs.RegisterTaskDefinitionInput) *awsecs.RegisterTaskDefinitionInput {
	td := clone(in)
	if td.Cpu != nil {
		if n, err := parseCPU(*td.Cpu); err == nil {
			td.Cpu = aws.String(strconv.Itoa(n))
		}
	}
	if td.Memory != nil {
		if n, err := parseMemory(*td.Memory); err == nil {
			td.Memory = aws.String(strconv.Itoa(n))
		}
	}
	if td.NetworkMode == "" {
		td.NetworkMode = types.NetworkModeBridge
	}
	for i := range td.ContainerDefinitions {
		normalizeContainer(&td.ContainerDefinitions[i], td.NetworkMode)
	}
	slices.SortStableFunc(td.ContainerDefinitions, func(a, b types.ContainerDefinition) int {
		return cmp.Compare(aws.ToString(a.Name), aws.ToString(b.Name))
	})
	slices.SortStableFunc(td.Volumes, func(a, b types.Volume) int {
		return cmp.Compare(aws.ToString(a.Name), aws.ToString(b.Name))
	})
	slices.SortStableFunc(td.PlacementConstraints, func(a, b types.TaskDefinitionPlacementConstraint) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(aws.ToString(a.Expression), aws.ToString(b.Expression)))
	})
	slices.Sort(td.RequiresCompatibilities)
	slices.SortStableFunc(td.InferenceAccelerators, func(a, b types.InferenceAccelerator) int {
		return cmp.Compare(aws.ToString(a.DeviceName), aws.ToString(b.DeviceName))
	})
	sortTags(td.Tags)
	return td
}

func normalizeContainer(c *types.ContainerDefinition, mode types.NetworkMode) {
	if c.Essential == nil {
		c.Essential = aws.Bool(true)
	}
	for i := range c.PortMappings {
		pm := &c.PortMappings[i]
		if pm.Protocol == "" {
			pm.Protocol = types.TransportProtocolTcp
		}
		if mode == types.NetworkModeAwsvpc && pm.HostPort == nil && pm.ContainerPort != nil {
			pm.HostPort = aws.Int32(*pm.ContainerPort)
		}
	}
	slices.SortStableFunc(c.PortMappings, func(a, b types.PortMapping) int {
		return cmp.Or(
			cmp.Compare(aws.ToInt32(a.ContainerPort), aws.ToInt32(b.ContainerPort)),
			cmp.Compare(a.Protocol, b.Protocol),
			cmp.Compare(aws.ToInt32(a.HostPort), aws.ToInt32(b.HostPort)),
			cmp.Compare(aws.ToString(a.ContainerPortRange), aws.ToString(b.ContainerPortRange)),
		)
	})
	slices.SortStableFunc(c.Environment, func(a, b types.KeyValuePair) int {
		return cmp.Compare(aws.ToString(a.Name), aws.ToString(b.Name))
	})
	slices.SortStableFunc(c.Secrets, func(a, b types.Secret) int {
		return cmp.Compare(aws.ToString(a.Name), aws.ToString(b.Name))
	})
	slices.SortStableFunc(c.MountPoints, func(a, b types.MountPoint) int {
		return cmp.Or(cmp.Compare(aws.ToString(a.ContainerPath), aws.ToString(b.ContainerPath)),
			cmp.Compare(aws.ToString(a.SourceVolume), aws.ToString(b.SourceVolume)))
	})
	slices.SortStableFunc(c.VolumesFrom, func(a, b types.VolumeFrom) int {
		return cmp.Compare(aws.ToString(a.SourceContainer), aws.ToString(b.SourceContainer))
	})
	slices.SortStableFunc(c.Ulimits, func(a, b types.Ulimit) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortStableFunc(c.SystemControls, func(a, b types.SystemControl) int {
		return cmp.Compare(aws.ToString(a.Namespace), aws.ToString(b.Namespace))
	})
	slices.SortStableFunc(c.ExtraHosts, func(a, b types.HostEntry) int {
		return cmp.Compare(aws.ToString(a.Hostname), aws.ToString(b.Hostname))
	})
	slices.SortStableFunc(c.DependsOn, func(a, b types.ContainerDependency) int {
		return cmp.Compare(aws.ToString(a.ContainerName), aws.ToString(b.ContainerName))
	})
	slices.SortStableFunc(c.ResourceRequirements, func(a, b types.ResourceRequirement) int {
		return cmp.Compare(a.Type, b.Type)
	})
	if hc := c.HealthCheck; hc != nil {
		// The API's documented defaults, which describe-task-definition returns.
		if hc.Interval == nil {
			hc.Interval = aws.Int32(30)
		}
		if hc.Timeout == nil {
			hc.Timeout = aws.Int32(5)
		}
		if hc.Retries == nil {
			hc.Retries = aws.Int32(3)
		}
	}
}

// NormalizeService returns a copy of in with the defaults CreateService
// applies filled in and order-insensitive lists sorted.
func NormalizeService(in *awsecs.CreateServiceInput) *awsecs.CreateServiceInput {
	svc := clone(in)
	if svc.SchedulingStrategy == "" {
		svc.SchedulingStrategy = types.SchedulingStrategyReplica
	}
	if svc.DeploymentController == nil {
		svc.DeploymentController = &types.DeploymentController{Type: types.DeploymentControllerTypeEcs}
	}
	if svc.DeploymentController.Type == types.DeploymentControllerTypeEcs {
		if svc.DeploymentConfiguration == nil {
			svc.DeploymentConfiguration = &types.DeploymentConfiguration{}
		}
		dc := svc.DeploymentConfiguration
		maxPct, minPct := int32(200), int32(100)
		if svc.SchedulingStrategy == types.SchedulingStrategyDaemon {
			maxPct, minPct = 100, 0
		}
		if dc.MaximumPercent == nil {
			dc.MaximumPercent = aws.Int32(maxPct)
		}
		if dc.MinimumHealthyPercent == nil {
			dc.MinimumHealthyPercent = aws.Int32(minPct)
		}
		if dc.DeploymentCircuitBreaker == nil {
			dc.DeploymentCircuitBreaker = &types.DeploymentCircuitBreaker{}
		}
		if dc.Strategy == types.DeploymentStrategyRolling {
			dc.Strategy = "" // the default, which describe-services spells out
		}
		if a := dc.Alarms; a != nil && !a.Enable && !a.Rollback && len(a.AlarmNames) == 0 {
			dc.Alarms = nil
		}
	}
	if svc.LaunchType == types.LaunchTypeFargate && svc.PlatformVersion == nil {
		svc.PlatformVersion = aws.String("LATEST")
	}
	if nc := svc.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		vpc := nc.AwsvpcConfiguration
		if vpc.AssignPublicIp == "" {
			vpc.AssignPublicIp = types.AssignPublicIpDisabled
		}
		slices.Sort(vpc.Subnets)
		slices.Sort(vpc.SecurityGroups)
	}
	if svc.PropagateTags == "" {
		svc.PropagateTags = types.PropagateTagsNone
	}
	slices.SortStableFunc(svc.LoadBalancers, func(a, b types.LoadBalancer) int {
		return cmp.Or(
			cmp.Compare(aws.ToString(a.TargetGroupArn), aws.ToString(b.TargetGroupArn)),
			cmp.Compare(aws.ToString(a.LoadBalancerName), aws.ToString(b.LoadBalancerName)),
			cmp.Compare(aws.ToString(a.ContainerName), aws.ToString(b.ContainerName)),
			cmp.Compare(aws.ToInt32(a.ContainerPort), aws.ToInt32(b.ContainerPort)),
		)
	})
	slices.SortStableFunc(svc.ServiceRegistries, func(a, b types.ServiceRegistry) int {
		return cmp.Compare(aws.ToString(a.RegistryArn), aws.ToString(b.RegistryArn))
	})
	slices.SortStableFunc(svc.CapacityProviderStrategy, func(a, b types.CapacityProviderStrategyItem) int {
		return cmp.Compare(aws.ToString(a.CapacityProvider), aws.ToString(b.CapacityProvider))
	})
	slices.SortStableFunc(svc.PlacementConstraints, func(a, b types.PlacementConstraint) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(aws.ToString(a.Expression), aws.ToString(b.Expression)))
	})
	sortTags(svc.Tags)
	return svc
}

func sortTags(tags []types.Tag) {
	slices.SortStableFunc(tags, func(a, b types.Tag) int { return cmp.Compare(aws.ToString(a.Key), aws.ToString(b.Key)) })
}

// clone deep-copies an SDK value through its generic JSON form, which also
// turns empty lists and maps into unset ones.
func clone[T any](in *T) *T {
	out := new(T)
	g, err := awsjson.ToGeneric(in)
	if err == nil {
		err = awsjson.Decode(g, out)
	}
	if err != nil {
		// Only possible for a value that awsjson cannot represent, which
		// Decode would have refused in the first place.
		panic("ecs: clone: " + err.Error())
	}
	return out
}

// Canonical is the normalized JSON used to compare and show a definition.
func Canonical(v any) []byte {
	b, err := awsjson.Marshal(v)
	if err != nil {
		panic("ecs: canonical: " + err.Error())
	}
	return b
}
