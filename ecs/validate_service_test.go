package ecs

import (
	"context"
	"strings"
	"testing"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/config"
)

// normalizedTD decodes and normalizes a task definition, as Load hands it
// to ValidateService.
func normalizedTD(t *testing.T, js string) *awsecs.RegisterTaskDefinitionInput {
	t.Helper()
	in, err := DecodeTaskDefinition("td.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if errs := ValidateTaskDefinition("td.json", in); len(errs) > 0 {
		t.Fatalf("the task definition itself: %v", errs)
	}
	return NormalizeTaskDefinition(in)
}

const (
	vpc       = `"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"],"securityGroups":["sg-a"]}}`
	webTarget = `"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/1","containerName":"app","containerPort":8080}]`
)

// Each documented constraint of CreateService that can be checked
// offline: a row that AWS takes and a row that it refuses.
func TestValidateServiceConstraints(t *testing.T) {
	awsvpcTD := `{"family":"web","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512",
		"containerDefinitions":[{"name":"app","image":"app:1","portMappings":[{"containerPort":8080},{"containerPortRange":"9000-9010"}]}]}`
	bridgeTD := `{"family":"web","containerDefinitions":[{"name":"app","image":"app:1","memory":128,"portMappings":[{"containerPort":8080}]}]}`
	tests := []struct {
		name string
		td   string // default awsvpcTD
		js   string
		want []string
	}{
		{"valid", "", `{"launchType":"FARGATE","desiredCount":2,` + vpc + `,` + webTarget + `}`, nil},
		{"config name with a space", "", `{` + vpc + `}`, []string{`serviceName: "web app" (the config's name for this service): a service name is 1 to 255`}},

		// Counts and percentages.
		{"desiredCount 0", "", `{"desiredCount":0,` + vpc + `}`, nil},
		{"negative desiredCount", "", `{"desiredCount":-1,` + vpc + `}`, []string{`desiredCount: -1 is negative; use 0 or more`}},
		{"deployment percentages", "", `{"deploymentConfiguration":{"maximumPercent":150,"minimumHealthyPercent":50},` + vpc + `}`, nil},
		{"negative deployment percentages", "", `{"deploymentConfiguration":{"maximumPercent":-1,"minimumHealthyPercent":-5},` + vpc + `}`,
			[]string{`deploymentConfiguration.maximumPercent: -1 is negative`, `deploymentConfiguration.minimumHealthyPercent: -5 is negative`}},
		{"negative grace period", "", `{"healthCheckGracePeriodSeconds":-1,` + vpc + `}`, []string{`healthCheckGracePeriodSeconds: -1 is negative`}},
		{"client token of 37 characters", "", `{"clientToken":"` + strings.Repeat("t", 37) + `",` + vpc + `}`, []string{`clientToken: is up to 36 ASCII characters`}},

		// Launch type and capacity providers.
		{"capacity providers", "", `{"capacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1,"base":1},{"capacityProvider":"FARGATE_SPOT","weight":4}],` + vpc + `}`, nil},
		{"launch type and capacity providers", "", `{"launchType":"FARGATE","capacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1}],` + vpc + `}`,
			[]string{`launchType: set launchType or capacityProviderStrategy, not both`}},
		{"weight 1001", "", `{"capacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1001}],` + vpc + `}`,
			[]string{`capacityProviderStrategy[0].weight: 1001 is out of range; use 0 to 1000`}},
		{"two bases", "", `{"capacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1,"base":1},{"capacityProvider":"FARGATE_SPOT","weight":1,"base":2}],` + vpc + `}`,
			[]string{`capacityProviderStrategy: 2 capacity providers have a base; only one may`}},
		{"every weight 0", "", `{"capacityProviderStrategy":[{"capacityProvider":"FARGATE"},{"capacityProvider":"FARGATE_SPOT"}],` + vpc + `}`,
			[]string{`capacityProviderStrategy: every weight is 0`}},
		{"a capacity provider without a name", "", `{"capacityProviderStrategy":[{"weight":1}],` + vpc + `}`,
			[]string{`capacityProviderStrategy[0].capacityProvider: is required`}},

		// Network configuration per network mode.
		{"awsvpc without a network configuration", "", `{"launchType":"FARGATE"}`,
			[]string{`networkConfiguration: task definition web uses networkMode awsvpc, which needs the service's awsvpcConfiguration`}},
		{"bridge with a network configuration", bridgeTD, `{"launchType":"EC2",` + vpc + `}`,
			[]string{`networkConfiguration: is for networkMode awsvpc, and task definition web uses bridge`}},
		{"bridge on EC2", bridgeTD, `{"launchType":"EC2","role":"ecsServiceRole","loadBalancers":[{"loadBalancerName":"clb","containerName":"app","containerPort":8080}]}`, nil},
		{"no subnets", "", `{"networkConfiguration":{"awsvpcConfiguration":{"securityGroups":["sg-a"]}}}`,
			[]string{`networkConfiguration.awsvpcConfiguration.subnets: is required`}},
		{"17 subnets", "", `{"networkConfiguration":{"awsvpcConfiguration":{"subnets":[` + strings.TrimSuffix(strings.Repeat(`"subnet-a",`, 17), ",") + `]}}}`,
			[]string{`networkConfiguration.awsvpcConfiguration.subnets: 17 subnets; a service takes at most 16`}},
		{"6 security groups", "", `{"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"],"securityGroups":["a","b","c","d","e","f"]}}}`,
			[]string{`networkConfiguration.awsvpcConfiguration.securityGroups: 6 security groups; a service takes at most 5`}},

		// Load balancers.
		{"a port in a port range", "", `{"loadBalancers":[{"targetGroupArn":"tg","containerName":"app","containerPort":9005}],` + vpc + `}`, nil},
		{"target group and Classic Load Balancer", bridgeTD, `{"loadBalancers":[{"targetGroupArn":"tg","loadBalancerName":"clb","containerName":"app","containerPort":8080}]}`,
			[]string{`loadBalancers[0]: set targetGroupArn (Application or Network Load Balancer) or loadBalancerName (Classic), not both`}},
		{"Classic Load Balancer under awsvpc", "", `{"loadBalancers":[{"loadBalancerName":"clb","containerName":"app","containerPort":8080}],` + vpc + `}`,
			[]string{`loadBalancers[0].loadBalancerName: a Classic Load Balancer cannot reach awsvpc tasks`}},
		{"a target group without a port", "", `{"loadBalancers":[{"targetGroupArn":"tg","containerName":"app"}],` + vpc + `}`,
			[]string{`loadBalancers[0].containerPort: is required`}},
		{"a role without a load balancer", bridgeTD, `{"role":"ecsServiceRole"}`, []string{`role: is for calling a load balancer, and the service has none`}},
		{"a role under awsvpc", "", `{"role":"ecsServiceRole",` + webTarget + `,` + vpc + `}`,
			[]string{`role: is not taken when the task definition uses networkMode awsvpc`}},

		// Service registries.
		{"a service registry", "", `{"serviceRegistries":[{"registryArn":"arn:r","containerName":"app","containerPort":8080}],` + vpc + `}`, nil},
		{"two service registries", "", `{"serviceRegistries":[{"registryArn":"arn:r"},{"registryArn":"arn:s"}],` + vpc + `}`,
			[]string{`serviceRegistries: 2 registries; a service takes one`}},
		{"port and containerPort", "", `{"serviceRegistries":[{"registryArn":"arn:r","port":80,"containerName":"app","containerPort":8080}],` + vpc + `}`,
			[]string{`serviceRegistries[0].port: set port or containerName and containerPort, not both`}},
		{"a registry for a missing container", "", `{"serviceRegistries":[{"registryArn":"arn:r","containerName":"web","containerPort":8080}],` + vpc + `}`,
			[]string{`serviceRegistries[0].containerName: no container named "web"`}},

		// Scheduling and deployment controllers.
		{"DAEMON on EC2", bridgeTD, `{"launchType":"EC2","schedulingStrategy":"DAEMON"}`, nil},
		{"DAEMON on Fargate", "", `{"launchType":"FARGATE","schedulingStrategy":"DAEMON",` + vpc + `}`, []string{`schedulingStrategy: DAEMON does not run on Fargate`}},
		{"DAEMON with CodeDeploy", bridgeTD, `{"schedulingStrategy":"DAEMON","deploymentController":{"type":"CODE_DEPLOY"},"loadBalancers":[{"targetGroupArn":"tg","containerName":"app","containerPort":8080}]}`,
			[]string{`schedulingStrategy: DAEMON needs the ECS deployment controller, not CODE_DEPLOY`}},
		{"CodeDeploy without a load balancer", "", `{"deploymentController":{"type":"CODE_DEPLOY"},` + vpc + `}`,
			[]string{`loadBalancers: a CODE_DEPLOY service needs an Application or Network Load Balancer's target group`}},
		{"a controller without a type", "", `{"deploymentController":{},` + vpc + `}`, []string{`deploymentController.type: is required`}},
		{"circuit breaker with CodeDeploy", "", `{"deploymentController":{"type":"CODE_DEPLOY"},"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}},` + webTarget + `,` + vpc + `}`,
			[]string{`deploymentConfiguration.deploymentCircuitBreaker: is for the ECS deployment controller, not CODE_DEPLOY`}},
		{"alarms with an external controller", "", `{"deploymentController":{"type":"EXTERNAL"},"deploymentConfiguration":{"alarms":{"alarmNames":["a"],"enable":true,"rollback":false}},` + vpc + `}`,
			[]string{`deploymentConfiguration.alarms: are for the ECS deployment controller, not EXTERNAL`}},
		{"linear", "", `{"deploymentConfiguration":{"strategy":"LINEAR","bakeTimeInMinutes":5,"linearConfiguration":{"stepPercent":12.5,"stepBakeTimeInMinutes":1440}},` + vpc + `}`, nil},
		{"linear step of 2.5%", "", `{"deploymentConfiguration":{"strategy":"LINEAR","linearConfiguration":{"stepPercent":2.5}},` + vpc + `}`,
			[]string{`deploymentConfiguration.linearConfiguration.stepPercent: 2.5: use a multiple of 0.1 from 3 to 100`}},
		{"linear step of 10.05%", "", `{"deploymentConfiguration":{"strategy":"LINEAR","linearConfiguration":{"stepPercent":10.05}},` + vpc + `}`,
			[]string{`stepPercent: 10.05: use a multiple of 0.1`}},
		{"linear configuration for a canary", "", `{"deploymentConfiguration":{"strategy":"CANARY","linearConfiguration":{"stepPercent":10}},` + vpc + `}`,
			[]string{`deploymentConfiguration.linearConfiguration: is for strategy LINEAR`}},
		{"canary of 0.1%", "", `{"deploymentConfiguration":{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":0.1,"canaryBakeTimeInMinutes":0}},` + vpc + `}`, nil},
		{"canary bake of 1441 minutes", "", `{"deploymentConfiguration":{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":5,"canaryBakeTimeInMinutes":1441}},` + vpc + `}`,
			[]string{`canaryConfiguration.canaryBakeTimeInMinutes: 1441 is out of range; use 0 to 1440 minutes`}},

		// Placement.
		{"placement on EC2", bridgeTD, `{"launchType":"EC2","placementConstraints":[{"type":"distinctInstance"}],"placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"}]}`, nil},
		{"distinctInstance with an expression", bridgeTD, `{"placementConstraints":[{"type":"distinctInstance","expression":"attribute:a == b"}]}`,
			[]string{`placementConstraints[0].expression: distinctInstance takes no expression`}},
		{"placement constraints on Fargate", "", `{"launchType":"FARGATE","placementConstraints":[{"type":"memberOf","expression":"attribute:a == b"}],` + vpc + `}`,
			[]string{`placementConstraints: Fargate takes no placement constraints`}},
		{"six placement strategies", bridgeTD, `{"placementStrategy":[` + strings.TrimSuffix(strings.Repeat(`{"type":"random"},`, 6), ",") + `]}`,
			[]string{`placementStrategy: 6 strategies; a service takes at most 5`}},

		// Tags.
		{"a tag under aws:", "", `{"tags":[{"key":"AWS:team","value":"x"}],` + vpc + `}`, []string{`tags[0].key: "AWS:team": the aws: prefix is reserved`}},

		// A Fargate service whose task definition does not say FARGATE.
		{"Fargate with a task definition that fits", `{"family":"web","networkMode":"awsvpc","cpu":"512","memory":"1024","containerDefinitions":[{"name":"app","image":"app:1"}]}`,
			`{"launchType":"FARGATE",` + vpc + `}`, nil},
		{"Fargate with a task size Fargate lacks", `{"family":"web","networkMode":"awsvpc","cpu":"256","memory":"4096","containerDefinitions":[{"name":"app","image":"app:1"}]}`,
			`{"launchType":"FARGATE",` + vpc + `}`, []string{`launchType: runs on Fargate and task definition web does not fit: Fargate has no task with cpu 256 and memory 4096`}},
		{"Fargate Spot with a bridge task definition", bridgeTD, `{"capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT","weight":1}]}`,
			[]string{`launchType: runs on Fargate, which needs networkMode awsvpc in task definition web`, `launchType: runs on Fargate, which needs task-level cpu and memory in task definition web`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tdJS := tt.td
			if tdJS == "" {
				tdJS = awsvpcTD
			}
			td := normalizedTD(t, tdJS)
			svc, _, err := DecodeService("svc.json", []byte(tt.js))
			if err != nil {
				t.Fatal(err)
			}
			name := "web"
			if tt.name == "config name with a space" {
				name = "web app"
			}
			wantProblems(t, "svc.json", ValidateService("svc.json", name, svc, td), tt.want)
		})
	}
}

// The two definitions, which AWS refuses: Load refuses them before
// any change, and LoadAll (verify --offline) keeps them with their
// problems so that each is an NG line.
func TestLoadRefusesWhatAWSRefuses(t *testing.T) {
	r := &mapRenderer{files: map[string]string{
		"web-td.json":  `{"family":"web","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"4096","containerDefinitions":[{"name":"app","image":"app:1"}]}`,
		"web-svc.json": `{"launchType":"FARGATE","desiredCount":-1,` + vpc + `}`,
	}}
	sel := config.Selection{Services: []config.Service{{Name: "web", ServiceDefinition: "web-svc.json", TaskDefinition: "web-td.json"}}}
	_, err := Load(context.Background(), r, sel)
	for _, want := range []string{
		"/p/web-td.json: memory: Fargate has no task with cpu 256 and memory 4096",
		"/p/web-svc.json: desiredCount: -1 is negative",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load: %v, want %q", err, want)
		}
	}
	defs, err := LoadAll(context.Background(), r, sel)
	if err != nil {
		t.Fatal(err)
	}
	if td := defs.TaskDefinitions[0]; len(td.Problems) != 1 || !strings.Contains(td.Problems[0].Error(), "memory: Fargate has no task") {
		t.Errorf("task definition problems %v", td.Problems)
	}
	if svc := defs.Services[0]; len(svc.Problems) != 1 || !strings.Contains(svc.Problems[0].Error(), "desiredCount: -1 is negative") {
		t.Errorf("service problems %v", svc.Problems)
	}
}
