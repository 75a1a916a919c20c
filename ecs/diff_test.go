package ecs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// A described service reads back as the request that would create it:
// read-only fields and the task definition dropped, defaults and order as
// NormalizeService makes them.
func TestServiceFromDescribed(t *testing.T) {
	svc := &types.Service{
		ServiceName: aws.String("web"), ServiceArn: aws.String(fakeaws.ServiceARN("c", "web")), Status: aws.String("ACTIVE"),
		TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 3)), DesiredCount: 2, RunningCount: 1, PendingCount: 1,
		LaunchType: types.LaunchTypeFargate, PlatformVersion: aws.String("LATEST"),
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{"subnet-b", "subnet-a"}, SecurityGroups: []string{"sg-1"}, AssignPublicIp: types.AssignPublicIpDisabled}},
		DeploymentConfiguration: &types.DeploymentConfiguration{MaximumPercent: aws.Int32(200), MinimumHealthyPercent: aws.Int32(100),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{}, Strategy: types.DeploymentStrategyRolling},
		Deployments:        []types.Deployment{{Id: aws.String("ecs-svc/1"), Status: aws.String("PRIMARY")}},
		Events:             []types.ServiceEvent{{Id: aws.String("1"), Message: aws.String("steady")}},
		Tags:               []types.Tag{fakeaws.Tag("z", "1"), fakeaws.Tag("a", "2")},
		SchedulingStrategy: types.SchedulingStrategyReplica,
	}
	got, err := ServiceFromDescribed(svc)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := DecodeService("web.json", []byte(`{"serviceName":"web","desiredCount":2,"launchType":"FARGATE",
		"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a","subnet-b"],"securityGroups":["sg-1"]}},
		"tags":[{"key":"a","value":"2"},{"key":"z","value":"1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := Canonical(NormalizeService(in)); string(Canonical(got)) != string(want) {
		t.Errorf("got  %s\nwant %s", Canonical(got), want)
	}
}

// Tags other tools manage are left out on both sides; a revision's tags
// count only for the keys the file declares.
func TestDiffTags(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	td := `{"family":"web","containerDefinitions":[{"name":"app","image":"app:1","memory":128}],"tags":[{"key":"team","value":"a"}]}`
	svc := `{"desiredCount":1,"tags":[{"key":"team","value":"a"}]}`
	if _, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", svc, td)), DeployOptions{Cluster: "c"}); err != nil {
		t.Fatal(err)
	}
	api.EditService("web", func(s *types.Service) { s.Tags = append(s.Tags, fakeaws.Tag("managed", "1")) })
	if _, err := api.TagResource(ctx, tagInput(fakeaws.TaskDefinitionARN("web", 1), fakeaws.Tag("created-by", "ci"))); err != nil {
		t.Fatal(err)
	}
	changes := func(svcJSON, tdText string, ignore ...string) string {
		t.Helper()
		defs := defsOf(serviceDef(t, "web", svcJSON, tdText))
		remote, err := Describe(ctx, api, "c", defs)
		if err != nil {
			t.Fatal(err)
		}
		report, err := Diff(defs, remote, ignore)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range report.Changes {
			out = append(out, fmt.Sprintf("%s %s %s %v", c.Resource, c.Remote, c.Action, c.Fields))
		}
		return strings.Join(out, "; ")
	}
	if got := changes(svc, td, "managed"); got != "task definition web web:1 unchanged []; service web  unchanged []" {
		t.Errorf("ignored and undeclared tags: %s", got)
	}
	if got := changes(svc, td); !strings.HasPrefix(got, "task definition web web:1 unchanged []; service web  update [tags[") {
		t.Errorf("a tag not ignored: %s", got)
	}
	retagged := strings.Replace(td, `"value":"a"`, `"value":"b"`, 1)
	if got := changes(svc, retagged, "managed"); got != "task definition web web:1 update [tags[0].value]; service web  unchanged []" {
		t.Errorf("a declared revision tag: %s", got)
	}
}

// A CODE_DEPLOY service's diff says which changes deploy sends through a
// CodeDeploy deployment and which through UpdateService.
func TestDiffCodeDeployNotes(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	const lb = `"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/1","containerName":"app","containerPort":80}]`
	api.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1")}}})
	api.AddService("c", types.Service{ServiceName: aws.String("web"), DesiredCount: 1, TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 1)),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/1"), ContainerName: aws.String("app"), ContainerPort: aws.Int32(80)}}})
	notes := func(svcJSON string) []string {
		t.Helper()
		defs := defsOf(serviceDef(t, "web", svcJSON, `{"family":"web","containerDefinitions":[{"name":"app","image":"app:1","memory":128}]}`))
		remote, err := Describe(ctx, api, "c", defs)
		if err != nil {
			t.Fatal(err)
		}
		report, err := Diff(defs, remote, nil)
		if err != nil {
			t.Fatal(err)
		}
		return report.Changes[1].Notes
	}
	got := notes(`{"desiredCount":3,"deploymentController":{"type":"CODE_DEPLOY"},` + strings.Replace(lb, `"containerPort":80`, `"containerPort":8080`, 1) + `}`)
	want := []string{"through a CodeDeploy deployment (CODE_DEPLOY service): loadBalancers", "through UpdateService: desiredCount"}
	if !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	if got := notes(`{"desiredCount":1,"deploymentController":{"type":"CODE_DEPLOY"},` + lb + `}`); len(got) != 0 {
		t.Errorf("notes on an unchanged service: %q", got)
	}
}

func TestDiffStandaloneTaskDefinitions(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	if _, err := Register(ctx, api, []*TaskDefinition{mustTD(t, tdJSON("batch", "job:1"))}, false); err != nil {
		t.Fatal(err)
	}
	batch, fresh := mustTD(t, tdJSON("batch", "job:2")), mustTD(t, tdJSON("fresh", "job:1"))
	batch.Name, fresh.Name = "batch", "fresh"
	defs := &Definitions{TaskDefinitions: []*TaskDefinition{batch, fresh}}
	remote, err := Describe(ctx, api, "c", defs)
	if err != nil {
		t.Fatal(err)
	}
	if remote.TaskDefinitions["fresh"] != nil || api.Calls("DescribeServices") != 0 {
		t.Errorf("remote %+v, calls %v", remote.TaskDefinitions, api.CallCounts())
	}
	report, err := Diff(defs, remote, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Changes) != 2 {
		t.Fatalf("changes %+v", report.Changes)
	}
	if c := report.Changes[0]; c.Resource != "task definition batch" || c.Remote != "batch:1" || fmt.Sprint(c.Fields) != "[containerDefinitions[0].image]" {
		t.Errorf("batch: %+v", c)
	}
	if c := report.Changes[1]; c.Resource != "task definition fresh" || c.Before != nil || c.Action != "create" {
		t.Errorf("fresh: %+v", c)
	}
}

func TestDescribe(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	var svcs []*Service
	for i := range 11 {
		name := fmt.Sprintf("s%02d", i)
		steadyService(api, name, 1)
		s := serviceDef(t, name, `{"desiredCount":1}`, tdJSON("shared", "app:1"))
		svcs = append(svcs, s)
	}
	api.ResetCalls()
	remote, err := Describe(ctx, api, "c", defsOf(svcs...))
	if err != nil {
		t.Fatal(err)
	}
	// Eleven services: two DescribeServices; each runs its own revision.
	if api.Calls("DescribeServices") != 2 || api.Calls("DescribeTaskDefinition") != 11 || len(remote.Services) != 11 {
		t.Errorf("calls %v, %d services", api.CallCounts(), len(remote.Services))
	}
	if got := aws.ToString(remote.TaskDefinitions["s10"].TaskDefinition.Family); got != "s10" {
		t.Errorf("s10 is compared with %s, the revision it runs", got)
	}
	// Services that do not exist yet share a family: described once.
	api = fakeaws.NewECS()
	if _, err := Describe(ctx, api, "c", defsOf(svcs[:3]...)); err != nil || api.Calls("DescribeTaskDefinition") != 1 {
		t.Errorf("err %v, calls %v", err, api.CallCounts())
	}
	api.Fail("DescribeTaskDefinition", &smithy.GenericAPIError{Code: "ClientException", Message: "Family name is invalid"})
	if _, err := Describe(ctx, api, "c", defsOf(svcs[0])); err == nil || !strings.HasPrefix(err.Error(), "describe task definition shared: ") {
		t.Errorf("err = %v", err)
	}
	api.Fail("DescribeServices", errDenied)
	if _, err := Describe(ctx, api, "c", defsOf(svcs[0])); err == nil || !strings.HasPrefix(err.Error(), "describe services in cluster c: ") {
		t.Errorf("err = %v", err)
	}
}

func tagInput(arn string, tags ...types.Tag) *awsecs.TagResourceInput {
	return &awsecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags}
}
