package e2e

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/rogpeppe/go-internal/testscript"
)

// cdgroup APP GROUP CLUSTER SERVICE: a CodeDeploy application for ECS and a
// blue/green deployment group of CLUSTER/SERVICE, as Terraform or the
// console would create them (two target groups, a production listener).
func cmdCDGroup(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: cdgroup APP GROUP CLUSTER SERVICE")
	}
	client := codedeploy.NewFromConfig(seedConfig(ts))
	ctx := context.Background()
	app, group, cluster, service := args[0], args[1], args[2], args[3]
	if _, err := client.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: aws.String(app)}); err != nil {
		_, err := client.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String(app), ComputePlatform: cdtypes.ComputePlatformEcs})
		ts.Check(err)
	}
	_, err := client.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName:      aws.String(app),
		DeploymentGroupName:  aws.String(group),
		ServiceRoleArn:       aws.String("arn:aws:iam::" + ts.Getenv("ACCOUNT_ID") + ":role/codedeploy"),
		DeploymentConfigName: aws.String("CodeDeployDefault.ECSAllAtOnce"),
		DeploymentStyle: &cdtypes.DeploymentStyle{DeploymentType: cdtypes.DeploymentTypeBlueGreen,
			DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl},
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String(cluster), ServiceName: aws.String(service)}},
		LoadBalancerInfo: &cdtypes.LoadBalancerInfo{TargetGroupPairInfoList: []cdtypes.TargetGroupPairInfo{{
			TargetGroups:     []cdtypes.TargetGroupInfo{{Name: aws.String(service + "-blue")}, {Name: aws.String(service + "-green")}},
			ProdTrafficRoute: &cdtypes.TrafficRoute{ListenerArns: []string{"arn:aws:elasticloadbalancing:ap-northeast-1:" + ts.Getenv("ACCOUNT_ID") + ":listener/app/" + service + "/0123456789abcdef/0123456789abcdef"}},
		}}},
	})
	ts.Check(err)
}

// cdappspec FILE: the AppSpec of the newest CodeDeploy deployment, written
// to FILE (to compare with what `tamp appspec` prints).
func cmdCDAppSpec(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: cdappspec FILE")
	}
	client := codedeploy.NewFromConfig(seedConfig(ts))
	ctx := context.Background()
	list, err := client.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{})
	ts.Check(err)
	if len(list.Deployments) == 0 {
		ts.Fatalf("cdappspec: no deployments")
	}
	got, err := client.BatchGetDeployments(ctx, &codedeploy.BatchGetDeploymentsInput{DeploymentIds: list.Deployments})
	ts.Check(err)
	var newest *cdtypes.DeploymentInfo
	for i := range got.DeploymentsInfo {
		d := &got.DeploymentsInfo[i]
		if newest == nil || aws.ToTime(d.CreateTime).After(aws.ToTime(newest.CreateTime)) {
			newest = d
		}
	}
	rev := newest.Revision
	if rev == nil || rev.AppSpecContent == nil {
		ts.Fatalf("cdappspec: deployment %s has no AppSpec content", aws.ToString(newest.DeploymentId))
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(aws.ToString(rev.AppSpecContent.Content)), 0o644))
}
