package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// codeDeployProject is web as a CODE_DEPLOY service behind a load
// balancer, with AppSpec hooks, and api, a second service.
var codeDeployProject = withFiles(webProject, map[string]string{
	"tamp.yaml": `region: ap-northeast-1
cluster: app
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.json
    codedeploy: { application_name: app, deployment_group_name: web }
  - name: api
    task_definition: web-task.json
appspec:
  hooks:
    - BeforeInstall: app-before-install
    - AfterAllowTestTraffic: app-smoke-test
`,
	"web-service.json": `{"launchType": "FARGATE", "desiredCount": 1, "platformVersion": "1.4.0",
 "deploymentController": {"type": "CODE_DEPLOY"},
 "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-blue/0123456789abcdef", "containerName": "app", "containerPort": 80}],
 "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-a"]}}}
`,
})

// codeDeployRunning is web running web:1 under CodeDeploy, with web:2
// registered since.
func codeDeployRunning(t *testing.T, f *fakeClients) {
	td := types.TaskDefinition{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox:v1")}}}
	f.ecs.AddTaskDefinition(td)
	f.ecs.AddTaskDefinition(td)
	f.ecs.AddService("app", types.Service{
		ServiceName: aws.String("web"), TaskDefinition: aws.String(web(1)), DesiredCount: 1, LaunchType: types.LaunchTypeFargate,
		PlatformVersion:      aws.String("1.4.0"),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers: []types.LoadBalancer{{ContainerName: aws.String("app"), ContainerPort: aws.Int32(80),
			TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-blue/0123456789abcdef")}},
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{"subnet-a"}, SecurityGroups: []string{"sg-a"}, AssignPublicIp: types.AssignPublicIpDisabled}},
	})
}

func appSpecOf(taskDefinition string) string {
	return `version: "0.0"
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: ` + taskDefinition + `
        LoadBalancerInfo:
          ContainerName: app
          ContainerPort: 80
        PlatformVersion: 1.4.0
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets:
              - subnet-a
            SecurityGroups:
              - sg-a
            AssignPublicIp: DISABLED
Hooks:
  - BeforeInstall: app-before-install
  - AfterAllowTestTraffic: app-smoke-test
`
}

func TestAppSpec(t *testing.T) {
	runCases(t, codeDeployProject, imageV1, []cmdCase{
		{
			name:   "the service's current revision",
			setup:  codeDeployRunning,
			args:   []string{"appspec", "--only", "web"},
			stdout: appSpecOf(web(1)),
			ecs:    map[string]int{"DescribeServices": 1},
		},
		{
			name:   "--task-definition latest",
			setup:  codeDeployRunning,
			args:   []string{"appspec", "--only", "web", "--task-definition", "latest"},
			stdout: appSpecOf(web(2)),
			ecs:    map[string]int{"DescribeServices": 1, "DescribeTaskDefinition": 1},
		},
		{
			name:   "--task-definition ARN",
			setup:  codeDeployRunning,
			args:   []string{"appspec", "--only", "web", "--task-definition", fakeaws.TaskDefinitionARN("web", 7)},
			stdout: appSpecOf(fakeaws.TaskDefinitionARN("web", 7)),
			ecs:    map[string]int{"DescribeServices": 1},
		},
		{
			name:   "one service at a time",
			setup:  codeDeployRunning,
			args:   []string{"appspec"},
			code:   1,
			stderr: "error: appspec prints one service's AppSpec; choose one with --only (web, api)\nnothing was changed in AWS\n",
		},
		{
			name:   "a service under the ECS controller",
			files:  webProject,
			setup:  deployedV1,
			args:   []string{"appspec"},
			code:   1,
			stderr: "error: service web uses the ECS deployment controller; an AppSpec is for CODE_DEPLOY services\n",
			ecs:    map[string]int{"DescribeServices": 1},
		},
	})
}
