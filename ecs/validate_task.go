package ecs

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ValidateTaskDefinition checks what AWS would refuse or what is certainly a
// mistake, without calling AWS. td is the definition as written (not
// normalized); every problem is returned, each naming file and field.
//
// The rules are RegisterTaskDefinition's and ContainerDefinition's as the
// ECS API reference documents them: Fargate's task sizes and the
// parameters Fargate does not take apply when requiresCompatibilities
// names FARGATE; container sizes are compared with the task's except for
// Windows, whose task-level sizes ECS ignores.
func ValidateTaskDefinition(file string, td *awsecs.RegisterTaskDefinitionInput) []error {
	p := &problems{file: file}
	if family := aws.ToString(td.Family); family == "" {
		p.add("family", "is required; set the task definition family name")
	} else {
		p.name("family", "family", family)
	}
	t := p.task(td)
	if len(td.ContainerDefinitions) == 0 {
		p.add("containerDefinitions", "at least one container is required")
	}
	names := map[string]int{}
	essential := false
	for i, c := range td.ContainerDefinitions {
		field := fmt.Sprintf("containerDefinitions[%d]", i)
		name := aws.ToString(c.Name)
		switch prev, dup := names[name]; {
		case name == "":
			p.add(field+".name", "is required")
		case dup:
			p.add(field+".name", "%q is already the name of containerDefinitions[%d]; container names must be unique", name, prev)
		default:
			p.name(field+".name", "container name", name)
			names[name] = i
		}
		p.image(field+".image", aws.ToString(c.Image))
		if c.Essential == nil || *c.Essential {
			essential = true
		}
		p.container(field, c, t)
	}
	p.containerSizes(td, t)
	for i, c := range td.ContainerDefinitions {
		field := fmt.Sprintf("containerDefinitions[%d]", i)
		p.references(field, c, td, names)
	}
	if len(td.ContainerDefinitions) > 0 && !essential {
		p.add("containerDefinitions", "at least one container must be essential")
	}
	if pc := td.ProxyConfiguration; pc != nil && aws.ToString(pc.ContainerName) != "" {
		if _, ok := names[aws.ToString(pc.ContainerName)]; !ok {
			p.add("proxyConfiguration.containerName", "no container named %q in this task definition", aws.ToString(pc.ContainerName))
		}
	}
	p.required(td)
	p.tags(td.Tags)
	return p.errs
}

// taskFacts are what the container checks need to know of their task.
type taskFacts struct {
	cpu, memory int // parsed; 0 when unset or not a size
	fargate     bool
	windows     bool
	mode        types.NetworkMode // as written; "" is the default (bridge on Linux)
	firelens    bool              // some container is a FireLens log router
}

// task checks the task-level fields and returns what the container checks
// need.
func (p *problems) task(td *awsecs.RegisterTaskDefinitionInput) taskFacts {
	t := taskFacts{mode: td.NetworkMode, fargate: slices.Contains(td.RequiresCompatibilities, types.CompatibilityFargate)}
	if rp := td.RuntimePlatform; rp != nil {
		t.windows = strings.HasPrefix(string(rp.OperatingSystemFamily), "WINDOWS")
	}
	for _, c := range td.ContainerDefinitions {
		if c.FirelensConfiguration != nil {
			t.firelens = true
		}
	}
	if td.Cpu != nil {
		if n, err := parseCPU(*td.Cpu); err != nil {
			p.add("cpu", "%v", err)
		} else {
			t.cpu = n
		}
	}
	if td.Memory != nil {
		if n, err := parseMemory(*td.Memory); err != nil {
			p.add("memory", "%v", err)
		} else {
			t.memory = n
		}
	}
	if !t.fargate && !t.windows && t.cpu != 0 && (t.cpu < 128 || t.cpu > 196608) {
		p.add("cpu", "%d is out of range; a task on EC2 or external instances takes 128 to 196608 CPU units (0.125 to 192 vCPU)", t.cpu)
	}
	if es := td.EphemeralStorage; es != nil && es.SizeInGiB != 0 && (es.SizeInGiB < 21 || es.SizeInGiB > 200) {
		p.add("ephemeralStorage.sizeInGiB", "%d is out of range; use 21 to 200 (GiB)", es.SizeInGiB)
	}
	for i, v := range td.Volumes {
		p.name(fmt.Sprintf("volumes[%d].name", i), "volume name", aws.ToString(v.Name))
	}
	if len(td.PlacementConstraints) > 10 {
		p.add("placementConstraints", "%d constraints; a task takes at most 10, its service's included", len(td.PlacementConstraints))
	}
	if t.fargate {
		p.fargateTask(td, t)
	}
	return t
}

// fargateTask checks what Fargate requires of, or does not take in, a
// task definition.
func (p *problems) fargateTask(td *awsecs.RegisterTaskDefinitionInput, t taskFacts) {
	if td.NetworkMode != types.NetworkModeAwsvpc {
		p.add("networkMode", "FARGATE requires \"awsvpc\", got %q", td.NetworkMode)
	}
	if td.Cpu == nil || td.Memory == nil {
		p.add("cpu", "FARGATE requires task-level cpu and memory; set both")
	}
	if t.cpu != 0 && t.memory != 0 {
		if why := fargateTaskSize(t.cpu, t.memory); why != "" {
			p.add("memory", "%s", why)
		}
	}
	if t.windows && t.cpu != 0 && t.cpu < 1024 {
		p.add("cpu", "%d: Windows containers on Fargate need at least 1 vCPU (1024)", t.cpu)
	}
	switch {
	case td.PidMode != "" && t.windows:
		p.add("pidMode", "Windows containers on Fargate take no pidMode; remove it")
	case td.PidMode != "" && td.PidMode != types.PidModeTask:
		p.add("pidMode", "%q: on Fargate the only pidMode is \"task\"", td.PidMode)
	}
	if td.IpcMode != "" {
		p.add("ipcMode", "Fargate takes no ipcMode; remove it")
	}
	if len(td.PlacementConstraints) > 0 {
		p.add("placementConstraints", "Fargate takes no placement constraints; remove them")
	}
	for i, v := range td.Volumes {
		if v.DockerVolumeConfiguration != nil {
			p.add(fmt.Sprintf("volumes[%d].dockerVolumeConfiguration", i), "Fargate does not run Docker volumes; use a bind mount (no host) or EFS")
		}
		if v.Host != nil && aws.ToString(v.Host.SourcePath) != "" {
			p.add(fmt.Sprintf("volumes[%d].host.sourcePath", i), "Fargate has no host paths; remove sourcePath for a task-scoped bind mount")
		}
	}
}

var (
	imageChars = regexp.MustCompile(`^[A-Za-z0-9._:/#-]+$`)
	imageHash  = regexp.MustCompile(`^sha256:[A-Fa-f0-9]{64}$`)
)

// image checks ContainerDefinition.image: up to 255 of letters, digits,
// - _ : . / # (before the @ of a digest), and a digest is sha256: with 64
// hex digits.
func (p *problems) image(field, image string) {
	if image == "" {
		p.add(field, "is required")
		return
	}
	name, digest, hasDigest := strings.Cut(image, "@")
	switch {
	case len(name) > 255:
		p.add(field, "is %d characters before any @digest; an image takes at most 255", len(name))
	case !imageChars.MatchString(name):
		p.add(field, "%q: an image is letters, digits and - _ : . / #, as repository-url/image:tag or repository-url/image@sha256:digest", image)
	case hasDigest && !imageHash.MatchString(digest):
		p.add(field, "%q: a digest is sha256: followed by 64 hexadecimal digits", image)
	}
}

// container checks one container's own fields.
func (p *problems) container(field string, c types.ContainerDefinition, t taskFacts) {
	p.notNegative(field+".cpu", aws.Int32(c.Cpu))
	p.notNegative(field+".memory", c.Memory)
	p.notNegative(field+".memoryReservation", c.MemoryReservation)
	if c.Memory != nil && c.MemoryReservation != nil && *c.MemoryReservation > *c.Memory {
		p.add(field+".memoryReservation", "%d MiB is more than memory (%d MiB); the soft limit cannot be above the hard limit", *c.MemoryReservation, *c.Memory)
	}
	if t.memory == 0 && aws.ToInt32(c.Memory) <= 0 && aws.ToInt32(c.MemoryReservation) <= 0 {
		p.add(field+".memory", "the task sets no memory, so each container needs memory or memoryReservation (MiB); set one, or the task's memory")
	}
	if t.memory != 0 && !t.windows && aws.ToInt32(c.Memory) > int32(t.memory) {
		p.add(field+".memory", "%d MiB is more than the task's memory (%d MiB)", *c.Memory, t.memory)
	}
	p.ports(field, c, t)
	if hc := c.HealthCheck; hc != nil {
		p.healthCheck(field+".healthCheck", hc)
	}
	if lc := c.LogConfiguration; lc != nil {
		p.logConfiguration(field+".logConfiguration", lc, t)
	}
	if len(c.Links) > 0 && t.mode != "" && t.mode != types.NetworkModeBridge {
		p.add(field+".links", "links need networkMode bridge, not %q; containers of one task reach each other on localhost", t.mode)
	}
	if t.mode == types.NetworkModeAwsvpc {
		if c.Hostname != nil {
			p.add(field+".hostname", "is not supported under networkMode awsvpc; remove it")
		}
		if len(c.ExtraHosts) > 0 {
			p.add(field+".extraHosts", "are not supported under networkMode awsvpc; remove them")
		}
	}
	if n := len(c.EnvironmentFiles); n > 10 {
		p.add(field+".environmentFiles", "%d files; a container takes at most 10", n)
	}
	if n := len(c.CredentialSpecs); n > 1 {
		p.add(field+".credentialSpecs", "%d credential specs; a container takes at most 1", n)
	}
	if t.fargate {
		p.fargateContainer(field, c)
	}
}

// fargateContainer checks the container parameters Fargate does not take
// or bounds more tightly.
func (p *problems) fargateContainer(field string, c types.ContainerDefinition) {
	if aws.ToBool(c.Privileged) {
		p.add(field+".privileged", "Fargate does not run privileged containers; remove it")
	}
	if len(c.DockerSecurityOptions) > 0 {
		p.add(field+".dockerSecurityOptions", "are not valid on Fargate; remove them")
	}
	if lp := c.LinuxParameters; lp != nil {
		if len(lp.Devices) > 0 {
			p.add(field+".linuxParameters.devices", "Fargate exposes no host devices; remove them")
		}
		for _, f := range []struct {
			name string
			v    *int32
		}{{"sharedMemorySize", lp.SharedMemorySize}, {"maxSwap", lp.MaxSwap}, {"swappiness", lp.Swappiness}} {
			if aws.ToInt32(f.v) != 0 {
				p.add(field+".linuxParameters."+f.name, "is not supported on Fargate; remove it")
			}
		}
		if lp.Capabilities != nil {
			for j, cap := range lp.Capabilities.Add {
				if cap != "SYS_PTRACE" {
					p.add(fmt.Sprintf("%s.linuxParameters.capabilities.add[%d]", field, j), "%q: Fargate only adds SYS_PTRACE", cap)
				}
			}
		}
	}
	for _, f := range []struct {
		name string
		v    *int32
	}{{"startTimeout", c.StartTimeout}, {"stopTimeout", c.StopTimeout}} {
		if aws.ToInt32(f.v) != 0 {
			p.between(field+"."+f.name, f.v, 2, 120, " seconds on Fargate")
		}
	}
	if fc := c.FirelensConfiguration; fc != nil {
		if v, ok := fc.Options["config-file-type"]; ok && v != "file" {
			p.add(field+`.firelensConfiguration.options["config-file-type"]`, "%q: Fargate reads a FireLens configuration from a file in the image only; use \"file\"", v)
		}
	}
}

var portName = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]{0,63}$`)

// ports checks a container's port mappings: port ranges, host ports per
// network mode, one mapping per container port whatever its protocol,
// names.
func (p *problems) ports(field string, c types.ContainerDefinition, t taskFacts) {
	if len(c.PortMappings) == 0 {
		return
	}
	if t.mode == types.NetworkModeNone {
		p.add(field+".portMappings", "networkMode none takes no port mappings; remove them or change networkMode")
		return
	}
	type span struct{ first, last, at int }
	var spans []span
	ranges := 0
	for j, pm := range c.PortMappings {
		f := fmt.Sprintf("%s.portMappings[%d]", field, j)
		cp := aws.ToInt32(pm.ContainerPort)
		switch {
		case cp != 0:
			if cp < 1 || cp > 65535 {
				p.add(f+".containerPort", "%d is not a port; use 1 to 65535", cp)
			} else {
				spans = append(spans, span{int(cp), int(cp), j})
			}
		case pm.ContainerPortRange == nil:
			p.add(f+".containerPort", "is required (or containerPortRange)")
		}
		if pm.HostPort != nil && (*pm.HostPort < 0 || *pm.HostPort > 65535) {
			p.add(f+".hostPort", "%d is not a port; use 0 to 65535", *pm.HostPort)
		} else if (t.mode == types.NetworkModeAwsvpc || t.mode == types.NetworkModeHost) && pm.HostPort != nil && pm.ContainerPort != nil && *pm.HostPort != *pm.ContainerPort {
			p.add(f+".hostPort", "under networkMode %s the host port must equal the container port (%d); remove hostPort", t.mode, *pm.ContainerPort)
		}
		if r := aws.ToString(pm.ContainerPortRange); pm.ContainerPortRange != nil {
			ranges++
			first, last, ok := portRange(r)
			switch {
			case !ok:
				p.add(f+".containerPortRange", "%q: write first-last, such as \"8000-8010\", with 1 <= first < last <= 65535", r)
			case t.mode != "" && t.mode != types.NetworkModeBridge && t.mode != types.NetworkModeAwsvpc:
				p.add(f+".containerPortRange", "needs networkMode bridge or awsvpc, not %q", t.mode)
			default:
				spans = append(spans, span{first, last, j})
			}
			if pm.HostPort != nil {
				p.add(f+".hostPort", "is chosen by ECS for a containerPortRange; remove it")
			}
		}
		if n := aws.ToString(pm.Name); pm.Name != nil && !portName.MatchString(n) {
			p.add(f+".name", "%q: a port mapping name is 1 to 64 lower-case letters, digits, '_' or '-', not starting with '-'", n)
		}
	}
	if ranges > 100 {
		p.add(field+".portMappings", "%d port ranges; a container takes at most 100", ranges)
	}
	for i, a := range spans {
		for _, b := range spans[:i] {
			if a.first <= b.last && b.first <= a.last {
				p.add(fmt.Sprintf("%s.portMappings[%d]", field, a.at),
					"overlaps portMappings[%d]; a container port is in one port mapping only, whatever the protocol", b.at)
				break
			}
		}
	}
}

// portRange parses a containerPortRange "first-last".
func portRange(s string) (first, last int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	first, err1 := strconv.Atoi(strings.TrimSpace(a))
	last, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || first < 1 || last > 65535 || first >= last {
		return 0, 0, false
	}
	return first, last, true
}

// healthCheck checks HealthCheck's command form and ranges. A zero is
// taken as unset, as the defaults fill it.
func (p *problems) healthCheck(field string, hc *types.HealthCheck) {
	if len(hc.Command) > 0 {
		// NONE (Docker's "no health check") is not in the API reference but
		// passes through to Docker; it is not refused.
		if first := hc.Command[0]; first != "CMD" && first != "CMD-SHELL" && first != "NONE" {
			p.add(field+".command[0]", "%q: start the command with \"CMD\" (run directly) or \"CMD-SHELL\" (run by the shell)", first)
		}
	}
	for _, r := range []struct {
		name   string
		v      *int32
		lo, hi int32
		unit   string
	}{
		{"interval", hc.Interval, 5, 300, " seconds"},
		{"timeout", hc.Timeout, 2, 60, " seconds"},
		{"retries", hc.Retries, 1, 10, ""},
		{"startPeriod", hc.StartPeriod, 0, 300, " seconds"},
	} {
		if aws.ToInt32(r.v) != 0 || r.lo == 0 {
			p.between(field+"."+r.name, r.v, r.lo, r.hi, r.unit)
		}
	}
}

// fargateLogDrivers are the log drivers Fargate runs.
var fargateLogDrivers = []types.LogDriver{types.LogDriverAwslogs, types.LogDriverSplunk, types.LogDriverAwsfirelens}

// logConfiguration checks the options each log driver requires.
func (p *problems) logConfiguration(field string, lc *types.LogConfiguration, t taskFacts) {
	secret := map[string]bool{}
	for _, s := range lc.SecretOptions {
		secret[aws.ToString(s.Name)] = true
	}
	has := func(k string) bool { return lc.Options[k] != "" || secret[k] }
	opt := func(k string) string { return fmt.Sprintf("%s.options[%q]", field, k) }
	if m, ok := lc.Options["mode"]; ok && m != "blocking" && m != "non-blocking" {
		p.add(opt("mode"), "%q: use blocking or non-blocking", m)
	}
	switch lc.LogDriver {
	case types.LogDriverAwslogs:
		if lc.Options["awslogs-group"] == "" {
			p.add(opt("awslogs-group"), "is required by the awslogs driver: the log group to send to")
		}
		if t.fargate && lc.Options["awslogs-stream-prefix"] == "" {
			p.add(opt("awslogs-stream-prefix"), "is required by the awslogs driver on Fargate; set a prefix such as the service name")
		}
	case types.LogDriverSplunk:
		for _, k := range []string{"splunk-url", "splunk-token"} {
			if !has(k) {
				p.add(opt(k), "is required by the splunk driver (in options or secretOptions)")
			}
		}
	case types.LogDriverAwsfirelens:
		if !t.firelens {
			p.add(field+".logDriver", "awsfirelens sends logs to the task's FireLens log router, and no container has a firelensConfiguration; add the log router container")
		}
	}
	if t.fargate && lc.LogDriver != "" && !slices.Contains(fargateLogDrivers, lc.LogDriver) {
		p.add(field+".logDriver", "%q does not run on Fargate; use awslogs, splunk or awsfirelens", lc.LogDriver)
	}
}

// containerSizes compares the containers' cpu and memory with the
// task's: together they cannot reserve more than it has.
func (p *problems) containerSizes(td *awsecs.RegisterTaskDefinitionInput, t taskFacts) {
	if t.windows {
		return
	}
	var cpu, mem int
	for _, c := range td.ContainerDefinitions {
		cpu += int(max(c.Cpu, 0))
		if r := aws.ToInt32(c.MemoryReservation); r > 0 {
			mem += int(r)
		} else {
			mem += int(max(aws.ToInt32(c.Memory), 0))
		}
	}
	if t.cpu != 0 && cpu > t.cpu {
		p.add("containerDefinitions", "the containers' cpu adds up to %d, more than the task's cpu (%d); lower them or raise the task's", cpu, t.cpu)
	}
	if t.memory != 0 && mem > t.memory {
		p.add("containerDefinitions", "the containers reserve %d MiB (memoryReservation, else memory), more than the task's memory (%d MiB); lower them or raise the task's", mem, t.memory)
	}
}

// references checks what a container names elsewhere in the task:
// dependencies, the containers it takes volumes from, the volumes it
// mounts.
func (p *problems) references(field string, c types.ContainerDefinition, td *awsecs.RegisterTaskDefinitionInput, names map[string]int) {
	for j, dep := range c.DependsOn {
		f := fmt.Sprintf("%s.dependsOn[%d]", field, j)
		name := aws.ToString(dep.ContainerName)
		i, ok := names[name]
		if !ok {
			p.add(f+".containerName", "no container named %q in this task definition", name)
			continue
		}
		other := td.ContainerDefinitions[i]
		switch dep.Condition {
		case types.ContainerConditionComplete, types.ContainerConditionSuccess:
			if other.Essential == nil || *other.Essential {
				p.add(f+".condition", "%s waits for %q to exit, but it is essential (its exit stops the task); mark it \"essential\": false or use START", dep.Condition, name)
			}
		case types.ContainerConditionHealthy:
			if other.HealthCheck == nil {
				p.add(f+".condition", "HEALTHY needs a healthCheck on container %q; add one or use START", name)
			}
		}
	}
	for j, vf := range c.VolumesFrom {
		if name := aws.ToString(vf.SourceContainer); name != "" {
			if _, ok := names[name]; !ok {
				p.add(fmt.Sprintf("%s.volumesFrom[%d].sourceContainer", field, j), "no container named %q in this task definition", name)
			}
		}
	}
	for j, mp := range c.MountPoints {
		name := aws.ToString(mp.SourceVolume)
		if name == "" {
			continue
		}
		if !slices.ContainsFunc(td.Volumes, func(v types.Volume) bool { return aws.ToString(v.Name) == name }) {
			p.add(fmt.Sprintf("%s.mountPoints[%d].sourceVolume", field, j), "no volume named %q in this task definition's volumes", name)
		}
	}
}
