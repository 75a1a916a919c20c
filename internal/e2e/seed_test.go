package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/rogpeppe/go-internal/testscript"
)

// Commands that put things into the script's moto account, through its
// proxy (so they are counted: call resetcalls after seeding).

func seedConfig(ts *testscript.TestScript) aws.Config { return proxyConfig(proxyOf(ts)) }

func proxyConfig(px *Proxy) aws.Config {
	return aws.Config{
		Region:       "ap-northeast-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(px.URL),
	}
}

// s3put BUCKET KEY FILE: create the bucket if needed and upload FILE.
func cmdS3Put(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: s3put BUCKET KEY FILE")
	}
	ctx := context.Background()
	client := s3.NewFromConfig(seedConfig(ts), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String(args[0]),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraintApNortheast1,
		},
	})
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		ts.Fatalf("s3put: create bucket: %v", err)
	}
	f, err := os.Open(ts.MkAbs(args[2]))
	ts.Check(err)
	defer f.Close()
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(args[0]), Key: aws.String(args[1]), Body: f})
	ts.Check(err)
}

// ssmput NAME TYPE VALUE: a String, SecureString or StringList parameter.
func cmdSSMPut(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: ssmput NAME TYPE VALUE")
	}
	_, err := ssm.NewFromConfig(seedConfig(ts)).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(args[0]), Type: ssmtypes.ParameterType(args[1]), Value: aws.String(args[2]), Overwrite: aws.Bool(true),
	})
	ts.Check(err)
}

// secretput NAME VALUE: a Secrets Manager secret; its ARN goes to $SECRET_ARN.
func cmdSecretPut(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: secretput NAME VALUE")
	}
	out, err := secretsmanager.NewFromConfig(seedConfig(ts)).CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(args[0]), SecretString: aws.String(args[1]),
	})
	ts.Check(err)
	ts.Setenv("SECRET_ARN", aws.ToString(out.ARN))
}

// ec2net: a VPC with two subnets and a security group; their IDs go to
// $VPC_ID, $SUBNET_A, $SUBNET_B and $SECURITY_GROUP.
func cmdEC2Net(ts *testscript.TestScript, neg bool, args []string) {
	ids, err := seedNetwork(context.Background(), seedConfig(ts))
	ts.Check(err)
	for k, v := range ids {
		ts.Setenv(k, v)
	}
}

// seedNetwork makes a VPC, two subnets and a security group, and returns
// their IDs as SUBNET_A, SUBNET_B and SECURITY_GROUP.
func seedNetwork(ctx context.Context, cfg aws.Config) (map[string]string, error) {
	client := ec2.NewFromConfig(cfg)
	ids := map[string]string{}
	vpc, err := client.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		return nil, err
	}
	ids["VPC_ID"] = aws.ToString(vpc.Vpc.VpcId)
	for i, az := range []string{"a", "c"} {
		sn, err := client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId,
			CidrBlock: aws.String(fmt.Sprintf("10.0.%d.0/24", i+1)), AvailabilityZone: aws.String("ap-northeast-1" + az)})
		if err != nil {
			return nil, err
		}
		ids[[]string{"SUBNET_A", "SUBNET_B"}[i]] = aws.ToString(sn.Subnet.SubnetId)
	}
	// Definitions sort subnet IDs; the emulator's are random: keep A < B
	// so output that lists both is stable.
	if ids["SUBNET_A"] > ids["SUBNET_B"] {
		ids["SUBNET_A"], ids["SUBNET_B"] = ids["SUBNET_B"], ids["SUBNET_A"]
	}
	sg, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc.Vpc.VpcId,
		GroupName: aws.String("app"), Description: aws.String("app")})
	if err != nil {
		return nil, err
	}
	ids["SECURITY_GROUP"] = aws.ToString(sg.GroupId)
	return ids, nil
}

// ecscluster NAME: an ECS cluster.
func cmdECSCluster(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: ecscluster NAME")
	}
	ts.Check(seedCluster(context.Background(), seedConfig(ts), args[0]))
}

func seedCluster(ctx context.Context, cfg aws.Config, name string) error {
	_, err := ecs.NewFromConfig(cfg).CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)})
	return err
}

// schedput GROUP NAME: a schedule tamp does not own, in another group.
// `[!] schedexists GROUP NAME` checks it is (not) there.
func cmdSchedPut(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: schedput GROUP NAME")
	}
	client := scheduler.NewFromConfig(seedConfig(ts))
	ctx := context.Background()
	if args[0] != "default" {
		_, err := client.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(args[0])})
		var conflict *stypes.ConflictException
		if err != nil && !errors.As(err, &conflict) {
			ts.Fatalf("schedput: %v", err)
		}
	}
	_, err := client.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name: aws.String(args[1]), GroupName: aws.String(args[0]), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: &stypes.FlexibleTimeWindow{Mode: stypes.FlexibleTimeWindowModeOff},
		Target: &stypes.Target{Arn: aws.String("arn:aws:ecs:ap-northeast-1:123456789012:cluster/other"), RoleArn: aws.String("arn:aws:iam::123456789012:role/x"),
			EcsParameters: &stypes.EcsParameters{TaskDefinitionArn: aws.String("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/other:1")}},
	})
	ts.Check(err)
}

func cmdSchedExists(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: schedexists GROUP NAME")
	}
	_, err := scheduler.NewFromConfig(seedConfig(ts)).GetSchedule(context.Background(),
		&scheduler.GetScheduleInput{GroupName: aws.String(args[0]), Name: aws.String(args[1])})
	if (err == nil) == neg {
		ts.Fatalf("schedule %s/%s: exists %v, want %v (%v)", args[0], args[1], err == nil, !neg, err)
	}
}

// schedtd GROUP NAME REGEXP: the schedule's task definition ARN matches.
func cmdSchedTD(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: schedtd GROUP NAME REGEXP")
	}
	out, err := scheduler.NewFromConfig(seedConfig(ts)).GetSchedule(context.Background(),
		&scheduler.GetScheduleInput{GroupName: aws.String(args[0]), Name: aws.String(args[1])})
	ts.Check(err)
	arn := aws.ToString(out.Target.EcsParameters.TaskDefinitionArn)
	if regexp.MustCompile(args[2]).MatchString(arn) == neg {
		ts.Fatalf("schedule %s runs %s; want it to match %q", args[1], arn, args[2])
	}
}

// ruleput NAME: an EventBridge rule tamp does not own (no tamp:group tag).
// `[!] ruleexists NAME` checks it is (not) there.
func cmdRulePut(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: ruleput NAME")
	}
	_, err := eventbridge.NewFromConfig(seedConfig(ts)).PutRule(context.Background(), &eventbridge.PutRuleInput{
		Name: aws.String(args[0]), ScheduleExpression: aws.String("rate(1 hour)")})
	ts.Check(err)
}

func cmdRuleExists(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: ruleexists NAME")
	}
	_, err := eventbridge.NewFromConfig(seedConfig(ts)).DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(args[0])})
	if (err == nil) == neg {
		ts.Fatalf("rule %s: exists %v, want %v (%v)", args[0], err == nil, !neg, err)
	}
}
