package ecs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func TestAdopt(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	arn := api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), NetworkMode: types.NetworkModeAwsvpc,
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("web:1"), Memory: aws.Int32(256)}}},
		tagOf("team", "a"), tagOf("aws:cloudformation:stack-name", "s"))
	api.AddService("c1", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String(arn), DesiredCount: 2,
		LaunchType: types.LaunchTypeFargate, Tags: []types.Tag{tagOf("team", "a"), tagOf("aws:ecs:managed", "x")}})

	adopted, err := Adopt(ctx, api, "c1", "ap-northeast-1", []string{"web"})
	if err != nil {
		t.Fatal(err)
	}
	a := adopted[0]
	if a.Name != "web" || a.Family() != "web" || a.Service.ServiceName != nil || a.Service.Cluster != nil || aws.ToInt32(a.Service.DesiredCount) != 2 {
		t.Errorf("service %+v", a.Service)
	}
	// AWS's own tags (aws:...) cannot be set by anyone, so they are not written.
	if len(a.Service.Tags) != 1 || len(a.TaskDefinition.Tags) != 1 || aws.ToString(a.TaskDefinition.Tags[0].Key) != "team" {
		t.Errorf("tags: service %v, task definition %v", a.Service.Tags, a.TaskDefinition.Tags)
	}
	// What init writes registers as the revision that runs: a deploy right
	// after would reuse it.
	res, err := Register(ctx, api, []*TaskDefinition{{Name: "web", File: "web-task.json", Input: NormalizeTaskDefinition(a.TaskDefinition)}}, true)
	if err != nil || res[0].Action != WouldReuse || res[0].Revision != 1 {
		t.Errorf("register of the adopted definition: %+v, %v", res, err)
	}
	if _, err := Adopt(ctx, api, "c1", "ap-northeast-1", []string{"web", "api", "db"}); err == nil ||
		err.Error() != "init: no service api, db in cluster c1 (ap-northeast-1)" {
		t.Errorf("missing services: %v", err)
	}
}

func tagOf(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
