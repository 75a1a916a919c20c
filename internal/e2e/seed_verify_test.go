package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tamp-ecs/tamp/internal/awscall"
)

// Commands that build the world verify checks.

// iamrole NAME SERVICE: a role that SERVICE (ecs-tasks.amazonaws.com, say)
// may assume; an existing role gets that trust policy instead of its own.
func cmdIAMRole(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: iamrole NAME SERVICE")
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":%q},"Action":"sts:AssumeRole"}]}`, args[1])
	client := iam.NewFromConfig(seedConfig(ts))
	ctx := context.Background()
	_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(args[0]), AssumeRolePolicyDocument: aws.String(policy)})
	var exists *iamtypes.EntityAlreadyExistsException
	if errors.As(err, &exists) {
		_, err = client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(args[0]), PolicyDocument: aws.String(policy)})
	}
	ts.Check(err)
}

// ecrimage REPO TAG: an image with TAG in ECR repository REPO (made if
// missing) of the script's account.
func cmdECRImage(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: ecrimage REPO TAG")
	}
	client := ecr.NewFromConfig(seedConfig(ts))
	ctx := context.Background()
	_, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(args[0])})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		ts.Fatalf("ecrimage: %v", err)
	}
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:%064x"},"layers":[]}`, len(args[1]))
	_, err = client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(args[0]), ImageTag: aws.String(args[1]), ImageManifest: aws.String(manifest)})
	ts.Check(err)
}

// loggroup NAME: a CloudWatch Logs log group.
func cmdLogGroup(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: loggroup NAME")
	}
	_, err := cloudwatchlogs.NewFromConfig(seedConfig(ts)).CreateLogGroup(context.Background(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(args[0])})
	ts.Check(err)
}

// targetgroup NAME PORT: an ip target group in $VPC_ID (from ec2net) that
// an application load balancer's listener forwards to; its ARN goes to
// $TG_ARN.
func cmdTargetGroup(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: targetgroup NAME PORT")
	}
	port, err := strconv.Atoi(args[1])
	ts.Check(err)
	network := map[string]string{}
	for _, k := range []string{"VPC_ID", "SUBNET_A", "SUBNET_B", "SECURITY_GROUP"} {
		network[k] = ts.Getenv(k)
	}
	arn, err := seedTargetGroup(context.Background(), seedConfig(ts), network, args[0], int32(port), true)
	ts.Check(err)
	ts.Setenv("TG_ARN", arn)
}

// seedTargetGroup makes an ip target group in network's VPC_ID and, with
// listener, an application load balancer in SUBNET_A and SUBNET_B whose
// listener forwards to it; it returns the target group's ARN.
func seedTargetGroup(ctx context.Context, cfg aws.Config, network map[string]string, name string, port int32, listener bool) (string, error) {
	client := elb.NewFromConfig(cfg)
	tg, err := client.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(port), VpcId: aws.String(network["VPC_ID"]), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		return "", err
	}
	tgArn := tg.TargetGroups[0].TargetGroupArn
	if !listener {
		return aws.ToString(tgArn), nil
	}
	lb, err := client.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(name + "-alb"),
		Subnets: []string{network["SUBNET_A"], network["SUBNET_B"]}, SecurityGroups: []string{network["SECURITY_GROUP"]}})
	if err != nil {
		return "", err
	}
	_, err = client.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgArn}}})
	return aws.ToString(tgArn), err
}

// lambdafn NAME ROLE: a Python Lambda function NAME running as the
// script's IAM role ROLE (made with iamrole first). The function is only
// described, never invoked, so its code is a one-line handler.
func cmdLambdaFn(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: lambdafn NAME ROLE")
	}
	var code bytes.Buffer
	zw := zip.NewWriter(&code)
	w, err := zw.Create("index.py")
	ts.Check(err)
	_, err = io.WriteString(w, "def handler(event, context):\n    return {'hookStatus': 'SUCCEEDED'}\n")
	ts.Check(err)
	ts.Check(zw.Close())
	body, err := json.Marshal(map[string]any{"FunctionName": args[0], "Runtime": "python3.12", "Handler": "index.handler",
		"Role": "arn:aws:iam::" + ts.Getenv("ACCOUNT_ID") + ":role/" + args[1], "Code": map[string]any{"ZipFile": code.Bytes()}})
	ts.Check(err)
	caller := awscall.New(seedConfig(ts), awscall.Lambda, "", nil)
	endpoint := strings.TrimSuffix(ts.Getenv("AWS_ENDPOINT_URL"), "/")
	resp, err := caller.Do(context.Background(), awscall.Request{Op: "CreateFunction", URL: endpoint + "/2015-03-31/functions",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Buffer: true,
		Error: func(status int, body []byte) *smithy.GenericAPIError {
			return &smithy.GenericAPIError{Code: fmt.Sprint(status), Message: string(body)}
		}})
	ts.Check(err)
	resp.Body.Close()
}
