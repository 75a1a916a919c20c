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
	if pc := td.ProxyConfiguration; pc != nil {
		sortByKey(pc.Properties, func(p types.KeyValuePair) *string { return p.Name })
	}
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
	// Stable sorts throughout: entries with the same key (a variable set
	// twice) keep the order they were given in, which may be what decides.
	sortByKey(c.Environment, func(e types.KeyValuePair) *string { return e.Name })
	sortByKey(c.Secrets, func(e types.Secret) *string { return e.Name })
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
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(aws.ToString(a.Value), aws.ToString(b.Value)))
	})
	slices.Sort(c.Links)
	if lp := c.LinuxParameters; lp != nil {
		if caps := lp.Capabilities; caps != nil {
			slices.Sort(caps.Add)
			slices.Sort(caps.Drop)
		}
		for i := range lp.Devices {
			slices.Sort(lp.Devices[i].Permissions)
		}
		slices.SortStableFunc(lp.Devices, func(a, b types.Device) int {
			return cmp.Or(cmp.Compare(aws.ToString(a.HostPath), aws.ToString(b.HostPath)),
				cmp.Compare(aws.ToString(a.ContainerPath), aws.ToString(b.ContainerPath)))
		})
		// A tmpfs mount's options keep their order: of two opposites (ro,
		// rw) the last one is in force.
		sortByKey(lp.Tmpfs, func(t types.Tmpfs) *string { return t.ContainerPath })
	}
	if lc := c.LogConfiguration; lc != nil {
		sortByKey(lc.SecretOptions, func(e types.Secret) *string { return e.Name })
	}
	if rp := c.RestartPolicy; rp != nil {
		slices.Sort(rp.IgnoredExitCodes)
	}
	// Kept as given, since order means something there: command, entryPoint
	// and healthCheck.command (arguments), environmentFiles (read top down),
	// dnsServers and dnsSearchDomains (tried in turn), dockerSecurityOptions
	// (applied in turn). README's table lists each decision and its reason.
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
	if dc := svc.DeploymentConfiguration; dc != nil {
		if a := dc.Alarms; a != nil {
			slices.Sort(a.AlarmNames)
		}
		// The hooks keep their order (how hooks at one stage follow one
		// another is not documented); the stages a hook runs at are a set.
		for i := range dc.LifecycleHooks {
			slices.Sort(dc.LifecycleHooks[i].LifecycleStages)
		}
	}
	if sc := svc.ServiceConnectConfiguration; sc != nil {
		sortByKey(sc.Services, func(s types.ServiceConnectService) *string { return s.PortName })
		if lc := sc.LogConfiguration; lc != nil {
			sortByKey(lc.SecretOptions, func(e types.Secret) *string { return e.Name })
		}
	}
	for i := range svc.VolumeConfigurations {
		if ebs := svc.VolumeConfigurations[i].ManagedEBSVolume; ebs != nil {
			for j := range ebs.TagSpecifications {
				sortTags(ebs.TagSpecifications[j].Tags)
			}
		}
	}
	sortByKey(svc.VolumeConfigurations, func(v types.ServiceVolumeConfiguration) *string { return v.Name })
	slices.SortStableFunc(svc.VpcLatticeConfigurations, func(a, b types.VpcLatticeConfiguration) int {
		return cmp.Or(cmp.Compare(aws.ToString(a.TargetGroupArn), aws.ToString(b.TargetGroupArn)),
			cmp.Compare(aws.ToString(a.PortName), aws.ToString(b.PortName)))
	})
	sortTags(svc.Tags)
	return svc
}

func sortTags(tags []types.Tag) {
	sortByKey(tags, func(t types.Tag) *string { return t.Key })
}

// sortByKey sorts list by the string key gives each entry, keeping the
// given order of entries with the same key.
func sortByKey[T any](list []T, key func(T) *string) {
	slices.SortStableFunc(list, func(a, b T) int { return cmp.Compare(aws.ToString(key(a)), aws.ToString(key(b))) })
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
