package ecs

import (
	"strings"
	"testing"
)

// orderCase is one list of the RegisterTaskDefinition or CreateService /
// UpdateService request and tamp's decision on its order, with the reason
// AWS's documentation gives. README's "Lists and their order" table says
// the same.
type orderCase struct {
	field string // JSON path of the list
	// unordered: AWS gives the order no meaning, so the two orders are one
	// definition; otherwise the order is part of what the definition says.
	unordered bool
	why       string
	// in and reordered hold the list's JSON member ("key": [...]) in two
	// orders; where unordered, in is out of order and reordered sorted.
	in, reordered string
}

// taskDefOrder: members go into the task definition's top level, or, for
// a field under containerDefinitions[], into its one container.
var taskDefOrder = []orderCase{
	// The task level.
	{
		field:     "containerDefinitions",
		unordered: true,
		why:       "containers are named; the API refers to them by name (dependsOn, links, load balancers), never by position",
		in:        `"containerDefinitions":[{"name":"b","image":"i"},{"name":"a","image":"i"}]`,
		reordered: `"containerDefinitions":[{"name":"a","image":"i"},{"name":"b","image":"i"}]`,
	},
	{
		field:     "volumes",
		unordered: true,
		why:       "volumes are named and mount points refer to them by sourceVolume",
		in:        `"volumes":[{"name":"v2"},{"name":"v1"}]`,
		reordered: `"volumes":[{"name":"v1"},{"name":"v2"}]`,
	},
	{
		field:     "placementConstraints",
		unordered: true,
		why:       "every constraint must hold; they are not tried in turn",
		in:        `"placementConstraints":[{"type":"memberOf","expression":"b"},{"type":"memberOf","expression":"a"}]`,
		reordered: `"placementConstraints":[{"type":"memberOf","expression":"a"},{"type":"memberOf","expression":"b"}]`,
	},
	{
		field:     "requiresCompatibilities",
		unordered: true,
		why:       "a set of launch types the definition is validated against",
		in:        `"requiresCompatibilities":["FARGATE","EC2"]`,
		reordered: `"requiresCompatibilities":["EC2","FARGATE"]`,
	},
	{
		field:     "inferenceAccelerators",
		unordered: true,
		why:       "accelerators are named by deviceName and containers refer to them by that name",
		in:        `"inferenceAccelerators":[{"deviceName":"d2","deviceType":"t"},{"deviceName":"d1","deviceType":"t"}]`,
		reordered: `"inferenceAccelerators":[{"deviceName":"d1","deviceType":"t"},{"deviceName":"d2","deviceType":"t"}]`,
	},
	{
		field:     "tags",
		unordered: true,
		why:       "tags are a key-value map; keys are unique",
		in:        `"tags":[{"key":"b","value":"2"},{"key":"a","value":"1"}]`,
		reordered: `"tags":[{"key":"a","value":"1"},{"key":"b","value":"2"}]`,
	},
	{
		field:     "proxyConfiguration.properties",
		unordered: true,
		why:       "the CNI plugin's parameters, documented as key-value pairs (IgnoredUID, AppPorts, ...); each name once",
		in:        `"proxyConfiguration":{"type":"APPMESH","containerName":"envoy","properties":[{"name":"ProxyIngressPort","value":"15000"},{"name":"AppPorts","value":"8080"},{"name":"IgnoredUID","value":"1337"}]}`,
		reordered: `"proxyConfiguration":{"type":"APPMESH","containerName":"envoy","properties":[{"name":"AppPorts","value":"8080"},{"name":"IgnoredUID","value":"1337"},{"name":"ProxyIngressPort","value":"15000"}]}`,
	},

	// A container.
	{
		field:     "containerDefinitions[].portMappings",
		unordered: true,
		why:       "each mapping stands alone; load balancers and Service Connect find one by port or name",
		in:        `"portMappings":[{"containerPort":443},{"containerPort":80}]`,
		reordered: `"portMappings":[{"containerPort":80},{"containerPort":443}]`,
	},
	{
		field:     "containerDefinitions[].environment",
		unordered: true,
		why:       "variables are a name-value map in the container's environment",
		in:        `"environment":[{"name":"B","value":"2"},{"name":"A","value":"1"}]`,
		reordered: `"environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}]`,
	},
	{
		field:     "containerDefinitions[].environment, one name twice",
		why:       "only entries with different names change places: where a name repeats, which value the container sees may depend on the order, so that order is kept",
		in:        `"environment":[{"name":"A","value":"1"},{"name":"A","value":"2"}]`,
		reordered: `"environment":[{"name":"A","value":"2"},{"name":"A","value":"1"}]`,
	},
	{
		field:     "containerDefinitions[].environmentFiles",
		why:       "the documentation: files that set the same variable are processed from the top down",
		in:        `"environmentFiles":[{"type":"s3","value":"arn:aws:s3:::b/z.env"},{"type":"s3","value":"arn:aws:s3:::b/a.env"}]`,
		reordered: `"environmentFiles":[{"type":"s3","value":"arn:aws:s3:::b/a.env"},{"type":"s3","value":"arn:aws:s3:::b/z.env"}]`,
	},
	{
		field:     "containerDefinitions[].secrets",
		unordered: true,
		why:       "secrets become environment variables, a name-value map",
		in:        `"secrets":[{"name":"S2","valueFrom":"p2"},{"name":"S1","valueFrom":"p1"}]`,
		reordered: `"secrets":[{"name":"S1","valueFrom":"p1"},{"name":"S2","valueFrom":"p2"}]`,
	},
	{
		field:     "containerDefinitions[].mountPoints",
		unordered: true,
		why:       "each mount is its own path in the container; Docker mounts parents before children whatever the order",
		in:        `"mountPoints":[{"sourceVolume":"v2","containerPath":"/b"},{"sourceVolume":"v1","containerPath":"/a"}]`,
		reordered: `"mountPoints":[{"sourceVolume":"v1","containerPath":"/a"},{"sourceVolume":"v2","containerPath":"/b"}]`,
	},
	{
		field:     "containerDefinitions[].volumesFrom",
		unordered: true,
		why:       "each entry names a container whose volumes are mounted",
		in:        `"volumesFrom":[{"sourceContainer":"z"},{"sourceContainer":"a"}]`,
		reordered: `"volumesFrom":[{"sourceContainer":"a"},{"sourceContainer":"z"}]`,
	},
	{
		field:     "containerDefinitions[].ulimits",
		unordered: true,
		why:       "one limit per resource name",
		in:        `"ulimits":[{"name":"nproc","softLimit":1,"hardLimit":1},{"name":"core","softLimit":0,"hardLimit":0}]`,
		reordered: `"ulimits":[{"name":"core","softLimit":0,"hardLimit":0},{"name":"nproc","softLimit":1,"hardLimit":1}]`,
	},
	{
		field:     "containerDefinitions[].systemControls",
		unordered: true,
		why:       "one value per kernel parameter (namespace)",
		in:        `"systemControls":[{"namespace":"net.b","value":"1"},{"namespace":"net.a","value":"1"}]`,
		reordered: `"systemControls":[{"namespace":"net.a","value":"1"},{"namespace":"net.b","value":"1"}]`,
	},
	{
		field:     "containerDefinitions[].extraHosts",
		unordered: true,
		why:       "lines of /etc/hosts for different host names do not interact",
		in:        `"extraHosts":[{"hostname":"h2","ipAddress":"10.0.0.2"},{"hostname":"h1","ipAddress":"10.0.0.1"}]`,
		reordered: `"extraHosts":[{"hostname":"h1","ipAddress":"10.0.0.1"},{"hostname":"h2","ipAddress":"10.0.0.2"}]`,
	},
	{
		field:     "containerDefinitions[].extraHosts, one host name twice",
		why:       "/etc/hosts is read top down and the first line for a name answers, so lines for the same name keep their order",
		in:        `"extraHosts":[{"hostname":"h","ipAddress":"10.0.0.2"},{"hostname":"h","ipAddress":"10.0.0.1"}]`,
		reordered: `"extraHosts":[{"hostname":"h","ipAddress":"10.0.0.1"},{"hostname":"h","ipAddress":"10.0.0.2"}]`,
	},
	{
		field:     "containerDefinitions[].dependsOn",
		unordered: true,
		why:       "conditions on other containers, all of which must hold; ECS orders start-up by the graph, not the list",
		in:        `"dependsOn":[{"containerName":"z","condition":"START"},{"containerName":"a","condition":"HEALTHY"}]`,
		reordered: `"dependsOn":[{"containerName":"a","condition":"HEALTHY"},{"containerName":"z","condition":"START"}]`,
	},
	{
		field:     "containerDefinitions[].resourceRequirements",
		unordered: true,
		why:       "one GPU count and the accelerators by device name; each entry stands alone",
		in:        `"resourceRequirements":[{"type":"InferenceAccelerator","value":"d1"},{"type":"GPU","value":"1"}]`,
		reordered: `"resourceRequirements":[{"type":"GPU","value":"1"},{"type":"InferenceAccelerator","value":"d1"}]`,
	},
	{
		field:     "containerDefinitions[].resourceRequirements, two accelerators",
		unordered: true,
		why:       "accelerators are told apart by device name (value), not position",
		in:        `"resourceRequirements":[{"type":"InferenceAccelerator","value":"d2"},{"type":"InferenceAccelerator","value":"d1"}]`,
		reordered: `"resourceRequirements":[{"type":"InferenceAccelerator","value":"d1"},{"type":"InferenceAccelerator","value":"d2"}]`,
	},
	{
		field:     "containerDefinitions[].links",
		unordered: true,
		why:       "each link (name:alias) makes one container reachable by a name; links do not interact",
		in:        `"links":["db:database","cache"]`,
		reordered: `"links":["cache","db:database"]`,
	},
	{
		field:     "containerDefinitions[].linuxParameters.capabilities.add",
		unordered: true,
		why:       "a set of capabilities (--cap-add); the documentation orders drop before add, not the members of either",
		in:        `"linuxParameters":{"capabilities":{"add":["SYS_PTRACE","NET_ADMIN"]}}`,
		reordered: `"linuxParameters":{"capabilities":{"add":["NET_ADMIN","SYS_PTRACE"]}}`,
	},
	{
		field:     "containerDefinitions[].linuxParameters.capabilities.drop",
		unordered: true,
		why:       "a set of capabilities (--cap-drop)",
		in:        `"linuxParameters":{"capabilities":{"drop":["NET_RAW","MKNOD"]}}`,
		reordered: `"linuxParameters":{"capabilities":{"drop":["MKNOD","NET_RAW"]}}`,
	},
	{
		field:     "containerDefinitions[].linuxParameters.devices",
		unordered: true,
		why:       "each host device is exposed on its own (--device)",
		in:        `"linuxParameters":{"devices":[{"hostPath":"/dev/b"},{"hostPath":"/dev/a"}]}`,
		reordered: `"linuxParameters":{"devices":[{"hostPath":"/dev/a"},{"hostPath":"/dev/b"}]}`,
	},
	{
		field:     "containerDefinitions[].linuxParameters.devices[].permissions",
		unordered: true,
		why:       "a set of cgroup permissions (read, write, mknod)",
		in:        `"linuxParameters":{"devices":[{"hostPath":"/dev/a","permissions":["write","read"]}]}`,
		reordered: `"linuxParameters":{"devices":[{"hostPath":"/dev/a","permissions":["read","write"]}]}`,
	},
	{
		field:     "containerDefinitions[].linuxParameters.tmpfs",
		unordered: true,
		why:       "each tmpfs mount is its own container path",
		in:        `"linuxParameters":{"tmpfs":[{"containerPath":"/tmp","size":64},{"containerPath":"/run","size":16}]}`,
		reordered: `"linuxParameters":{"tmpfs":[{"containerPath":"/run","size":16},{"containerPath":"/tmp","size":64}]}`,
	},
	{
		field:     "containerDefinitions[].linuxParameters.tmpfs[].mountOptions",
		why:       "mount options are applied left to right and opposites (ro/rw, exec/noexec) leave the last one in force",
		in:        `"linuxParameters":{"tmpfs":[{"containerPath":"/tmp","size":64,"mountOptions":["rw","noexec"]}]}`,
		reordered: `"linuxParameters":{"tmpfs":[{"containerPath":"/tmp","size":64,"mountOptions":["noexec","rw"]}]}`,
	},
	{
		field:     "containerDefinitions[].logConfiguration.secretOptions",
		unordered: true,
		why:       "secrets passed to the log driver by option name, like secrets",
		in:        `"logConfiguration":{"logDriver":"awsfirelens","secretOptions":[{"name":"b","valueFrom":"p2"},{"name":"a","valueFrom":"p1"}]}`,
		reordered: `"logConfiguration":{"logDriver":"awsfirelens","secretOptions":[{"name":"a","valueFrom":"p1"},{"name":"b","valueFrom":"p2"}]}`,
	},
	{
		field:     "containerDefinitions[].restartPolicy.ignoredExitCodes",
		unordered: true,
		why:       "exit codes ECS does not restart on: a set",
		in:        `"restartPolicy":{"enabled":true,"ignoredExitCodes":[2,0,1]}`,
		reordered: `"restartPolicy":{"enabled":true,"ignoredExitCodes":[0,1,2]}`,
	},
	{
		field:     "containerDefinitions[].command",
		why:       "the arguments of a process",
		in:        `"command":["x","y"]`,
		reordered: `"command":["y","x"]`,
	},
	{
		field:     "containerDefinitions[].entryPoint",
		why:       "the arguments of a process",
		in:        `"entryPoint":["sh","-c"]`,
		reordered: `"entryPoint":["-c","sh"]`,
	},
	{
		field:     "containerDefinitions[].healthCheck.command",
		why:       "CMD or CMD-SHELL followed by the arguments of a process",
		in:        `"healthCheck":{"command":["CMD-SHELL","true"]}`,
		reordered: `"healthCheck":{"command":["true","CMD-SHELL"]}`,
	},
	{
		field:     "containerDefinitions[].dnsServers",
		why:       "nameservers go to resolv.conf, which the resolver asks in order",
		in:        `"dnsServers":["10.0.0.2","10.0.0.1"]`,
		reordered: `"dnsServers":["10.0.0.1","10.0.0.2"]`,
	},
	{
		field:     "containerDefinitions[].dnsSearchDomains",
		why:       "the resolver tries search domains in order",
		in:        `"dnsSearchDomains":["b.example","a.example"]`,
		reordered: `"dnsSearchDomains":["a.example","b.example"]`,
	},
	{
		field:     "containerDefinitions[].dockerSecurityOptions",
		why:       "passed to Docker as --security-opt in turn; the documentation does not make them a set, and a later option of a kind (apparmor:) can replace an earlier one",
		in:        `"dockerSecurityOptions":["no-new-privileges","apparmor:p"]`,
		reordered: `"dockerSecurityOptions":["apparmor:p","no-new-privileges"]`,
	},
}

// serviceOrder: members go into the service definition's top level.
var serviceOrder = []orderCase{
	{
		field:     "capacityProviderStrategy",
		unordered: true,
		why:       "each provider's base and weight decide where tasks go; only one provider may have a base, so no order is needed to resolve it",
		in:        `"capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":1},{"capacityProvider":"FARGATE","base":1,"weight":1}]`,
		reordered: `"capacityProviderStrategy":[{"capacityProvider":"FARGATE","base":1,"weight":1},{"capacityProvider":"FARGATE_SPOT","weight":1}]`,
	},
	{
		field:     "placementConstraints",
		unordered: true,
		why:       "every constraint must hold",
		in:        `"placementConstraints":[{"type":"memberOf","expression":"b"},{"type":"distinctInstance"}]`,
		reordered: `"placementConstraints":[{"type":"distinctInstance"},{"type":"memberOf","expression":"b"}]`,
	},
	{
		field:     "placementStrategy",
		why:       "strategies apply in order: spread over zones, then binpack within each, is another placement than the reverse",
		in:        `"placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}]`,
		reordered: `"placementStrategy":[{"type":"binpack","field":"memory"},{"type":"spread","field":"attribute:ecs.availability-zone"}]`,
	},
	{
		field:     "loadBalancers",
		unordered: true,
		why:       "each entry registers one container port with one target group",
		in:        `"loadBalancers":[{"targetGroupArn":"tg-b","containerName":"a","containerPort":80},{"targetGroupArn":"tg-a","containerName":"a","containerPort":81}]`,
		reordered: `"loadBalancers":[{"targetGroupArn":"tg-a","containerName":"a","containerPort":81},{"targetGroupArn":"tg-b","containerName":"a","containerPort":80}]`,
	},
	{
		field:     "serviceRegistries",
		unordered: true,
		why:       "registries are told apart by ARN (and the documentation allows one per service)",
		in:        `"serviceRegistries":[{"registryArn":"r2"},{"registryArn":"r1"}]`,
		reordered: `"serviceRegistries":[{"registryArn":"r1"},{"registryArn":"r2"}]`,
	},
	{
		field:     "networkConfiguration.awsvpcConfiguration.subnets",
		unordered: true,
		why:       "the subnets tasks may be placed in: a set",
		in:        `"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s-2","s-1"]}}`,
		reordered: `"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s-1","s-2"]}}`,
	},
	{
		field:     "networkConfiguration.awsvpcConfiguration.securityGroups",
		unordered: true,
		why:       "security groups all apply to the interface: a set",
		in:        `"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"securityGroups":["g-2","g-1"]}}`,
		reordered: `"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"securityGroups":["g-1","g-2"]}}`,
	},
	{
		field:     "tags",
		unordered: true,
		why:       "tags are a key-value map",
		in:        `"tags":[{"key":"z","value":"1"},{"key":"a","value":"2"}]`,
		reordered: `"tags":[{"key":"a","value":"2"},{"key":"z","value":"1"}]`,
	},
	{
		field:     "deploymentConfiguration.alarms.alarmNames",
		unordered: true,
		why:       "the deployment fails when any of the alarms goes to ALARM: a set",
		in:        `"deploymentConfiguration":{"alarms":{"enable":true,"rollback":true,"alarmNames":["b-alarm","a-alarm"]}}`,
		reordered: `"deploymentConfiguration":{"alarms":{"enable":true,"rollback":true,"alarmNames":["a-alarm","b-alarm"]}}`,
	},
	{
		field:     "deploymentConfiguration.lifecycleHooks",
		why:       "the documentation does not say how hooks at the same stage are run after one another, so the order given is kept",
		in:        `"deploymentConfiguration":{"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:r:1:function:b","roleArn":"role","lifecycleStages":["POST_SCALE_UP"]},{"hookTargetArn":"arn:aws:lambda:r:1:function:a","roleArn":"role","lifecycleStages":["POST_SCALE_UP"]}]}`,
		reordered: `"deploymentConfiguration":{"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:r:1:function:a","roleArn":"role","lifecycleStages":["POST_SCALE_UP"]},{"hookTargetArn":"arn:aws:lambda:r:1:function:b","roleArn":"role","lifecycleStages":["POST_SCALE_UP"]}]}`,
	},
	{
		field:     "deploymentConfiguration.lifecycleHooks[].lifecycleStages",
		unordered: true,
		why:       "the stages a hook runs at; the deployment goes through stages in its own order",
		in:        `"deploymentConfiguration":{"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:r:1:function:a","roleArn":"role","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT","PRE_SCALE_UP"]}]}`,
		reordered: `"deploymentConfiguration":{"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:r:1:function:a","roleArn":"role","lifecycleStages":["PRE_SCALE_UP","POST_TEST_TRAFFIC_SHIFT"]}]}`,
	},
	{
		field:     "serviceConnectConfiguration.services",
		unordered: true,
		why:       "each entry publishes one named port mapping (portName)",
		in:        `"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"web"},{"portName":"admin"}]}`,
		reordered: `"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"admin"},{"portName":"web"}]}`,
	},
	{
		field:     "serviceConnectConfiguration.logConfiguration.secretOptions",
		unordered: true,
		why:       "secrets passed to the log driver by option name",
		in:        `"serviceConnectConfiguration":{"enabled":true,"logConfiguration":{"logDriver":"awsfirelens","secretOptions":[{"name":"b","valueFrom":"p2"},{"name":"a","valueFrom":"p1"}]}}`,
		reordered: `"serviceConnectConfiguration":{"enabled":true,"logConfiguration":{"logDriver":"awsfirelens","secretOptions":[{"name":"a","valueFrom":"p1"},{"name":"b","valueFrom":"p2"}]}}`,
	},
	{
		field:     "volumeConfigurations[].managedEBSVolume.tagSpecifications[].tags",
		unordered: true,
		why:       "tags are a key-value map",
		in:        `"volumeConfigurations":[{"name":"ebs","managedEBSVolume":{"roleArn":"role","tagSpecifications":[{"resourceType":"volume","tags":[{"key":"b","value":"2"},{"key":"a","value":"1"}]}]}}]`,
		reordered: `"volumeConfigurations":[{"name":"ebs","managedEBSVolume":{"roleArn":"role","tagSpecifications":[{"resourceType":"volume","tags":[{"key":"a","value":"1"},{"key":"b","value":"2"}]}]}}]`,
	},
	{
		field:     "volumeConfigurations",
		unordered: true,
		why:       "each is matched to the task definition's configuredAtLaunch volume by name",
		in:        `"volumeConfigurations":[{"name":"v2","managedEBSVolume":{"roleArn":"role"}},{"name":"v1","managedEBSVolume":{"roleArn":"role"}}]`,
		reordered: `"volumeConfigurations":[{"name":"v1","managedEBSVolume":{"roleArn":"role"}},{"name":"v2","managedEBSVolume":{"roleArn":"role"}}]`,
	},
	{
		field:     "vpcLatticeConfigurations",
		unordered: true,
		why:       "each entry registers one named port with one target group",
		in:        `"vpcLatticeConfigurations":[{"roleArn":"role","targetGroupArn":"tg-b","portName":"web"},{"roleArn":"role","targetGroupArn":"tg-a","portName":"web"}]`,
		reordered: `"vpcLatticeConfigurations":[{"roleArn":"role","targetGroupArn":"tg-a","portName":"web"},{"roleArn":"role","targetGroupArn":"tg-b","portName":"web"}]`,
	},
}

// taskDefJSON puts member into a task definition: at the top level, or in
// its container for a containerDefinitions[] field.
func taskDefJSON(field, member string) string {
	switch {
	case member == "":
		return `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}`
	case field == "containerDefinitions":
		return `{"family":"f",` + member + `}`
	case strings.HasPrefix(field, "containerDefinitions[]."):
		return `{"family":"f","containerDefinitions":[{"name":"a","image":"i",` + member + `}]}`
	default:
		return `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}],` + member + `}`
	}
}

func normalizedTaskDef(t *testing.T, js string) string {
	t.Helper()
	in, err := DecodeTaskDefinition("td.json", []byte(js))
	if err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	return string(Canonical(NormalizeTaskDefinition(in)))
}

func normalizedService(t *testing.T, js string) string {
	t.Helper()
	in, _, err := DecodeService("svc.json", []byte(js))
	if err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	return string(Canonical(NormalizeService(in)))
}

func TestNormalizeListOrder(t *testing.T) {
	run := func(t *testing.T, cases []orderCase, doc func(field, member string) string, normalized func(*testing.T, string) string) {
		for _, tc := range cases {
			t.Run(tc.field, func(t *testing.T) {
				if tc.why == "" {
					t.Fatal("every decision gives its reason")
				}
				a, b := normalized(t, doc(tc.field, tc.in)), normalized(t, doc(tc.field, tc.reordered))
				if base := normalized(t, doc(tc.field, "")); a == base || b == base {
					t.Fatalf("the list is lost in normalization:\n%s", a)
				}
				switch {
				case tc.unordered && a != b:
					t.Errorf("order is not meaningful (%s), but the two orders differ after normalization:\n%s\n%s", tc.why, a, b)
				case !tc.unordered && a == b:
					t.Errorf("order is meaningful (%s), but normalization made the two orders equal:\n%s", tc.why, a)
				}
			})
		}
	}
	t.Run("task definition", func(t *testing.T) { run(t, taskDefOrder, taskDefJSON, normalizedTaskDef) })
	t.Run("service", func(t *testing.T) {
		run(t, serviceOrder, func(_, member string) string { return "{" + member + "}" }, normalizedService)
	})
}

// A sorted list keeps each entry whole: sorting by a key must not pair one
// entry's key with another's values.
func TestNormalizeListOrderKeepsEntriesWhole(t *testing.T) {
	got := normalizedTaskDef(t, taskDefJSON("proxyConfiguration.properties",
		`"proxyConfiguration":{"containerName":"envoy","properties":[{"name":"ProxyIngressPort","value":"15000"},{"name":"AppPorts","value":"8080"}]}`))
	want := `{"name":"AppPorts","value":"8080"},{"name":"ProxyIngressPort","value":"15000"}`
	if !strings.Contains(strings.Join(strings.Fields(got), ""), want) {
		t.Errorf("properties not sorted as whole entries:\n%s\nwant them as %s", got, want)
	}
}
