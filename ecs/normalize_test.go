package ecs

import (
	"testing"
)

func mustTD(t *testing.T, js string) *TaskDefinition {
	t.Helper()
	in, err := DecodeTaskDefinition("td.json", []byte(js))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return &TaskDefinition{Name: "t", File: "td.json", Input: NormalizeTaskDefinition(in)}
}

// Pairs that AWS stores identically must compare equal after normalization.
func TestNormalizeTaskDefinitionEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{
			name: "cpu and memory with units",
			a:    `{"family":"f","cpu":"1 vCPU","memory":"2 GB","containerDefinitions":[{"name":"a","image":"i"}]}`,
			b:    `{"family":"f","cpu":"1024","memory":"2048","containerDefinitions":[{"name":"a","image":"i"}]}`,
		},
		{
			name: "fractional vCPU and GB, lower case",
			a:    `{"family":"f","cpu":"0.25 vcpu","memory":"0.5gb","containerDefinitions":[{"name":"a","image":"i"}]}`,
			b:    `{"family":"f","cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`,
		},
		{
			name: "PascalCase and camelCase keys",
			a:    `{"Family":"f","ContainerDefinitions":[{"Name":"a","Image":"i","PortMappings":[{"ContainerPort":80}]}]}`,
			b:    `{"family":"f","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80}]}]}`,
		},
		{
			name: "describe-task-definition wrapper with read-only fields",
			a: `{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:r:1:task-definition/f:3","revision":3,"status":"ACTIVE",
				"registeredAt":"2024-01-01T00:00:00Z","compatibilities":["EC2"],"requiresAttributes":[{"name":"x"}],
				"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}}`,
			b: `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}`,
		},
		{
			name: "API defaults: essential, protocol, bridge network mode, container cpu 0, empty lists",
			a: `{"family":"f","containerDefinitions":[{"name":"a","image":"i","cpu":0,"essential":true,
				"portMappings":[{"containerPort":80,"protocol":"tcp"}],"environment":[],"mountPoints":[],"volumesFrom":[]}],
				"networkMode":"bridge","volumes":[],"placementConstraints":[]}`,
			b: `{"family":"f","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80}]}]}`,
		},
		{
			name: "hostPort defaults to containerPort under awsvpc",
			a:    `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":8080}]}]}`,
			b:    `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":8080,"hostPort":8080,"protocol":"tcp"}]}]}`,
		},
		{
			name: "order of containers, environment, secrets, ports, tags",
			a: `{"family":"f","tags":[{"key":"b","value":"2"},{"key":"a","value":"1"}],"containerDefinitions":[
				{"name":"z","image":"i","environment":[{"name":"B","value":"2"},{"name":"A","value":"1"}],
				 "secrets":[{"name":"S2","valueFrom":"p2"},{"name":"S1","valueFrom":"p1"}],
				 "portMappings":[{"containerPort":443},{"containerPort":80}]},
				{"name":"a","image":"i"}]}`,
			b: `{"family":"f","tags":[{"key":"a","value":"1"},{"key":"b","value":"2"}],"containerDefinitions":[
				{"name":"a","image":"i"},
				{"name":"z","image":"i","environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
				 "secrets":[{"name":"S1","valueFrom":"p1"},{"name":"S2","valueFrom":"p2"}],
				 "portMappings":[{"containerPort":80},{"containerPort":443}]}]}`,
		},
		{
			name: "order of volumes, mounts, limits, hosts, dependencies and the like",
			a: `{"family":"f","volumes":[{"name":"v2"},{"name":"v1"}],
				"placementConstraints":[{"type":"memberOf","expression":"b"},{"type":"memberOf","expression":"a"}],
				"inferenceAccelerators":[{"deviceName":"d2","deviceType":"t"},{"deviceName":"d1","deviceType":"t"}],
				"containerDefinitions":[{"name":"a","image":"i"},{"name":"b","image":"i",
				"mountPoints":[{"sourceVolume":"v2","containerPath":"/b"},{"sourceVolume":"v1","containerPath":"/a"}],
				"volumesFrom":[{"sourceContainer":"z"},{"sourceContainer":"a"}],
				"ulimits":[{"name":"nproc","softLimit":1,"hardLimit":1},{"name":"core","softLimit":0,"hardLimit":0}],
				"systemControls":[{"namespace":"net.b","value":"1"},{"namespace":"net.a","value":"1"}],
				"extraHosts":[{"hostname":"h2","ipAddress":"10.0.0.2"},{"hostname":"h1","ipAddress":"10.0.0.1"}],
				"dependsOn":[{"containerName":"z","condition":"START"},{"containerName":"a","condition":"HEALTHY"}],
				"resourceRequirements":[{"type":"InferenceAccelerator","value":"d1"},{"type":"GPU","value":"1"}]}]}`,
			b: `{"family":"f","volumes":[{"name":"v1"},{"name":"v2"}],
				"placementConstraints":[{"type":"memberOf","expression":"a"},{"type":"memberOf","expression":"b"}],
				"inferenceAccelerators":[{"deviceName":"d1","deviceType":"t"},{"deviceName":"d2","deviceType":"t"}],
				"containerDefinitions":[{"name":"b","image":"i",
				"mountPoints":[{"sourceVolume":"v1","containerPath":"/a"},{"sourceVolume":"v2","containerPath":"/b"}],
				"volumesFrom":[{"sourceContainer":"a"},{"sourceContainer":"z"}],
				"ulimits":[{"name":"core","softLimit":0,"hardLimit":0},{"name":"nproc","softLimit":1,"hardLimit":1}],
				"systemControls":[{"namespace":"net.a","value":"1"},{"namespace":"net.b","value":"1"}],
				"extraHosts":[{"hostname":"h1","ipAddress":"10.0.0.1"},{"hostname":"h2","ipAddress":"10.0.0.2"}],
				"dependsOn":[{"containerName":"a","condition":"HEALTHY"},{"containerName":"z","condition":"START"}],
				"resourceRequirements":[{"type":"GPU","value":"1"},{"type":"InferenceAccelerator","value":"d1"}]},{"name":"a","image":"i"}]}`,
		},
		{
			name: "health check defaults",
			a:    `{"family":"f","containerDefinitions":[{"name":"a","image":"i","healthCheck":{"command":["CMD","true"]}}]}`,
			b:    `{"family":"f","containerDefinitions":[{"name":"a","image":"i","healthCheck":{"command":["CMD","true"],"interval":30,"timeout":5,"retries":3}}]}`,
		},
		{
			name: "empty enum means unset",
			a:    `{"family":"f","ipcMode":"","pidMode":"","containerDefinitions":[{"name":"a","image":"i"}]}`,
			b:    `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustTD(t, tt.a), mustTD(t, tt.b)
			if !SameTaskDefinition(a.Input, b.Input) {
				t.Errorf("not equal after normalization:\n%s\n%s", Canonical(a.Input), Canonical(b.Input))
			}
		})
	}
}

// Real changes must survive normalization.
func TestNormalizeTaskDefinitionDifferent(t *testing.T) {
	base := `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:1","command":["x","y"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80}]}]}`
	tests := []struct {
		name  string
		other string
	}{
		{"image tag", `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:2","command":["x","y"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80}]}]}`},
		{"command order matters", `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:1","command":["y","x"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80}]}]}`},
		{"environment value", `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:1","command":["x","y"],"environment":[{"name":"A","value":"2"}],"portMappings":[{"containerPort":80}]}]}`},
		{"cpu", `{"family":"f","networkMode":"awsvpc","cpu":"512","containerDefinitions":[{"name":"a","image":"i:1","command":["x","y"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80}]}]}`},
		{"essential false", `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:1","essential":false,"command":["x","y"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80}]}]}`},
		{"port", `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:1","command":["x","y"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":81}]}]}`},
		{"udp protocol", `{"family":"f","networkMode":"awsvpc","cpu":"256","containerDefinitions":[{"name":"a","image":"i:1","command":["x","y"],"environment":[{"name":"A","value":"1"}],"portMappings":[{"containerPort":80,"protocol":"udp"}]}]}`},
	}
	a := mustTD(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b := mustTD(t, tt.other); SameTaskDefinition(a.Input, b.Input) {
				t.Errorf("a real change compared equal:\n%s", Canonical(b.Input))
			}
		})
	}
}

func TestSameTaskDefinitionIgnoresTags(t *testing.T) {
	a := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}],"tags":[{"key":"k","value":"1"}]}`)
	b := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}`)
	if !SameTaskDefinition(a.Input, b.Input) {
		t.Error("tags are not part of a revision's contents")
	}
	if a.Input.Tags == nil {
		t.Error("SameTaskDefinition must not clear the caller's tags")
	}
}

func mustService(t *testing.T, js string) string {
	t.Helper()
	in, _, err := DecodeService("svc.json", []byte(js))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return string(Canonical(NormalizeService(in)))
}

func TestNormalizeService(t *testing.T) {
	equal := []struct {
		name string
		a, b string
	}{
		{
			name: "defaults CreateService applies",
			a:    `{"launchType":"FARGATE","desiredCount":1,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s-2","s-1"],"securityGroups":["g"]}}}`,
			b: `{"launchType":"FARGATE","desiredCount":1,"platformVersion":"LATEST","schedulingStrategy":"REPLICA","propagateTags":"NONE",
				"deploymentController":{"type":"ECS"},
				"deploymentConfiguration":{"maximumPercent":200,"minimumHealthyPercent":100,"deploymentCircuitBreaker":{"enable":false,"rollback":false}},
				"enableECSManagedTags":false,"enableExecuteCommand":false,"loadBalancers":[],"serviceRegistries":[],"placementConstraints":[],
				"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s-1","s-2"],"securityGroups":["g"],"assignPublicIp":"DISABLED"}}}`,
		},
		{
			name: "describe-services read-only fields are dropped",
			a:    `{"serviceArn":"arn:x","status":"ACTIVE","runningCount":2,"pendingCount":0,"events":[{"message":"m"}],"deployments":[],"desiredCount":2}`,
			b:    `{"desiredCount":2}`,
		},
		{
			name: "daemon defaults",
			a:    `{"schedulingStrategy":"DAEMON"}`,
			b:    `{"schedulingStrategy":"DAEMON","deploymentConfiguration":{"maximumPercent":100,"minimumHealthyPercent":0}}`,
		},
		{
			name: "order of registries, capacity providers, constraints; alarms off",
			a: `{"serviceRegistries":[{"registryArn":"r2"},{"registryArn":"r1"}],
				"capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":1},{"capacityProvider":"FARGATE","base":1}],
				"placementConstraints":[{"type":"memberOf","expression":"b"},{"type":"distinctInstance"}],
				"deploymentConfiguration":{"alarms":{"enable":false,"rollback":false,"alarmNames":[]},"strategy":"ROLLING"}}`,
			b: `{"serviceRegistries":[{"registryArn":"r1"},{"registryArn":"r2"}],
				"capacityProviderStrategy":[{"capacityProvider":"FARGATE","base":1},{"capacityProvider":"FARGATE_SPOT","weight":1}],
				"placementConstraints":[{"type":"distinctInstance"},{"type":"memberOf","expression":"b"}]}`,
		},
		{
			name: "load balancer and tag order",
			a:    `{"loadBalancers":[{"targetGroupArn":"tg-b","containerName":"a","containerPort":80},{"targetGroupArn":"tg-a","containerName":"a","containerPort":81}],"tags":[{"key":"z","value":"1"},{"key":"a","value":"2"}]}`,
			b:    `{"loadBalancers":[{"targetGroupArn":"tg-a","containerName":"a","containerPort":81},{"targetGroupArn":"tg-b","containerName":"a","containerPort":80}],"tags":[{"key":"a","value":"2"},{"key":"z","value":"1"}]}`,
		},
	}
	for _, tt := range equal {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := mustService(t, tt.a), mustService(t, tt.b); a != b {
				t.Errorf("not equal after normalization:\n%s\n%s", a, b)
			}
		})
	}
	different := []struct {
		name string
		a, b string
	}{
		{"public IP", `{"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"]}}}`, `{"networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"],"assignPublicIp":"ENABLED"}}}`},
		{"placement strategy order matters", `{"placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}]}`,
			`{"placementStrategy":[{"type":"binpack","field":"memory"},{"type":"spread","field":"attribute:ecs.availability-zone"}]}`},
		{"circuit breaker on", `{}`, `{"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}}}`},
		{"platform version pinned", `{"launchType":"FARGATE"}`, `{"launchType":"FARGATE","platformVersion":"1.4.0"}`},
	}
	for _, tt := range different {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := mustService(t, tt.a), mustService(t, tt.b); a == b {
				t.Errorf("a real change compared equal:\n%s", a)
			}
		})
	}
}

func TestNormalizeDoesNotModifyInput(t *testing.T) {
	in, err := DecodeTaskDefinition("td.json", []byte(`{"family":"f","cpu":"1 vCPU","containerDefinitions":[{"name":"b","image":"i"},{"name":"a","image":"i"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	NormalizeTaskDefinition(in)
	if *in.Cpu != "1 vCPU" || *in.ContainerDefinitions[0].Name != "b" {
		t.Errorf("input was modified: cpu %q, first container %q", *in.Cpu, *in.ContainerDefinitions[0].Name)
	}
}
