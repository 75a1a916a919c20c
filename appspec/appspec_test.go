package appspec

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestBuild(t *testing.T) {
	svc := &types.Service{
		ServiceName:          aws.String("web"),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String("tg"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}},
		PlatformVersion:      aws.String("LATEST"),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{"subnet-a"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: types.AssignPublicIpDisabled}},
	}
	hooks, err := Hooks(map[string]any{"Hooks": []any{map[string]any{"BeforeInstall": "check"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Build(svc, "arn:aws:ecs:r:1:task-definition/web:3", hooks)
	if err != nil {
		t.Fatal(err)
	}
	want := `version: "0.0"
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: arn:aws:ecs:r:1:task-definition/web:3
        LoadBalancerInfo:
          ContainerName: app
          ContainerPort: 8080
        PlatformVersion: LATEST
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets:
              - subnet-a
            SecurityGroups:
              - sg-1
            AssignPublicIp: DISABLED
Hooks:
  - BeforeInstall: check
`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestBuildRefusesECSServices(t *testing.T) {
	_, err := Build(&types.Service{ServiceName: aws.String("web")}, "arn", nil)
	if err == nil || !strings.Contains(err.Error(), "uses the ECS deployment controller") {
		t.Errorf("err = %v", err)
	}
	_, err = Build(&types.Service{ServiceName: aws.String("web"), DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy}}, "arn", nil)
	if err == nil || !strings.Contains(err.Error(), "has no load balancer") {
		t.Errorf("err = %v", err)
	}
	if _, err := Hooks(map[string]any{"hooks": "x"}); err == nil {
		t.Error("a hooks value that is not a list was accepted")
	}
}
