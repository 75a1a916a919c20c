package appspec

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func TestForService(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	td := types.TaskDefinition{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("x")}}}
	web1 := api.AddTaskDefinition(td)
	web2 := api.AddTaskDefinition(td)
	api.AddService("c1", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String(web1), DesiredCount: 1,
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String("tg"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(80)}}})
	for revision, want := range map[string]string{"current": web1, "latest": web2, "arn:aws:ecs:r:1:task-definition/web:9": "arn:aws:ecs:r:1:task-definition/web:9"} {
		doc, err := ForService(ctx, api, "c1", "web", revision, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "TaskDefinition: "+want+"\n") {
			t.Errorf("%s: AppSpec names another revision:\n%s", revision, doc)
		}
	}
	if _, err := ForService(ctx, api, "c1", "api", "current", nil); err == nil || err.Error() != "service api does not exist in cluster c1" {
		t.Errorf("missing service: %v", err)
	}
	api.Fail("DescribeTaskDefinition", &smithy.GenericAPIError{Code: "ClientException", Message: "boom"})
	if _, err := ForService(ctx, api, "c1", "web", "latest", nil); err == nil || !strings.HasPrefix(err.Error(), "latest revision of web: ") {
		t.Errorf("latest failing: %v", err)
	}
}
