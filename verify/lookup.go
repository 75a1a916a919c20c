package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awscall"
	"github.com/tamp-ecs/tamp/tfstate"
)

// Lookup answers the questions verify asks AWS. Each method is one kind
// of question; "does not exist" is an answer (false, nil), not an error.
// The checker asks each question once per run.
type Lookup interface {
	// Clusters describes up to 100 clusters; missing ones are absent.
	Clusters(ctx context.Context, region string, names []string) (map[string]*Cluster, error)
	// Role reads an IAM role by name; nil when it does not exist.
	Role(ctx context.Context, name string) (*Role, error)
	// Image finds an image in an ECR repository: ok false with the reason
	// when the repository or the tag/digest is missing.
	Image(ctx context.Context, img ECRImage) (ok bool, reason string, err error)
	LogGroup(ctx context.Context, region, name string) (bool, error)
	// Parameters tells which of up to 10 SSM parameter names (or ARNs) exist.
	Parameters(ctx context.Context, region string, names []string) (map[string]bool, error)
	Secret(ctx context.Context, region, id string) (bool, error)
	// SecretKeys are the top-level keys of a JSON secret's value (never
	// the values); nil when the value is not a JSON object.
	SecretKeys(ctx context.Context, region, id, stage, version string) ([]string, error)
	Object(ctx context.Context, region, bucket, key string) (bool, error)
	// TargetGroups describes target groups by ARN; missing ones are absent.
	TargetGroups(ctx context.Context, region string, arns []string) (map[string]*TargetGroup, error)
	// Subnets and SecurityGroups map the IDs that exist to their VPC.
	Subnets(ctx context.Context, region string, ids []string) (map[string]string, error)
	SecurityGroups(ctx context.Context, region string, ids []string) (map[string]string, error)
	TaskDefinition(ctx context.Context, region, ref string) (bool, error)
	// ListenerRule is an ELB listener rule by ARN; nil when it does not
	// exist.
	ListenerRule(ctx context.Context, region, arn string) (*ListenerRule, error)
	// Function is a Lambda function (or version or alias) by ARN; nil
	// when it does not exist.
	Function(ctx context.Context, region, arn string) (*Function, error)
}

// Function is what verify needs of a Lambda function: its state (Active,
// Pending, Inactive, Failed) and why.
type Function struct {
	State, StateReason string
}

// ListenerRule is what verify needs of a listener rule: the target groups
// its forward actions name.
type ListenerRule struct {
	TargetGroups []string
}

// Cluster is what verify needs of an ECS cluster.
type Cluster struct {
	Status            string
	CapacityProviders []string
}

// Role is an IAM role with its trust policy (JSON).
type Role struct {
	Arn         string
	TrustPolicy string
}

// TargetGroup is what verify needs of an ELB target group.
type TargetGroup struct {
	Name          string
	TargetType    string // instance | ip | lambda | alb
	LoadBalancers int
}

// Clients make the clients verify asks, for a region: the SDK's where
// tamp links them, its own signed caller (Call) for IAM, ECR, ELBv2 and
// EC2.
type Clients interface {
	ECS(ctx context.Context, region string) (ECSAPI, error)
	Logs(ctx context.Context, region string) (LogsAPI, error)
	SSM(ctx context.Context, region string) (SSMAPI, error)
	SecretsManager(ctx context.Context, region string) (SecretsManagerAPI, error)
	S3(ctx context.Context, region string) (S3API, error)
	Call(ctx context.Context, svc awscall.Service, region string) (Caller, error)
}

// ECSAPI is the part of ECS verify uses.
type ECSAPI interface {
	DescribeClusters(ctx context.Context, in *awsecs.DescribeClustersInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeClustersOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *awsecs.DescribeTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
}

// LogsAPI is the part of CloudWatch Logs verify uses.
type LogsAPI interface {
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// SSMAPI is the part of SSM Parameter Store verify uses.
type SSMAPI interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// SecretsManagerAPI is the part of Secrets Manager verify uses (a value
// is read only to list a JSON secret's keys, and never printed).
type SecretsManagerAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Caller makes tamp's own signed calls (internal/awscall).
type Caller interface {
	Query(ctx context.Context, action string, params url.Values, out any) error
	JSON(ctx context.Context, operation string, in, out any) error
	Get(ctx context.Context, operation, path string, out any) error
}

var (
	_ ECSAPI            = (*awsecs.Client)(nil)
	_ LogsAPI           = (*cloudwatchlogs.Client)(nil)
	_ SSMAPI            = (*ssm.Client)(nil)
	_ SecretsManagerAPI = (*secretsmanager.Client)(nil)
	_ Caller            = (*awscall.Client)(nil)
)

// S3API is the part of S3 verify uses.
type S3API interface {
	tfstate.S3API
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// AWS answers verify's questions from AWS.
type AWS struct{ Clients Clients }

var _ Lookup = AWS{}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func (a AWS) Clusters(ctx context.Context, region string, names []string) (map[string]*Cluster, error) {
	api, err := a.Clients.ECS(ctx, region)
	if err != nil {
		return nil, err
	}
	out, err := api.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: names})
	if err != nil {
		return nil, err
	}
	found := map[string]*Cluster{}
	for _, c := range out.Clusters {
		found[aws.ToString(c.ClusterName)] = &Cluster{Status: aws.ToString(c.Status), CapacityProviders: c.CapacityProviders}
	}
	// Asked by ARN, answered by name: key by what was asked.
	for _, n := range names {
		if i := strings.LastIndex(n, "/"); i >= 0 && strings.HasPrefix(n, "arn:") {
			if c, ok := found[n[i+1:]]; ok {
				found[n] = c
			}
		}
	}
	return found, nil
}

func (a AWS) Role(ctx context.Context, name string) (*Role, error) {
	api, err := a.Clients.Call(ctx, awscall.IAM, "")
	if err != nil {
		return nil, err
	}
	var out struct {
		Arn    string `xml:"GetRoleResult>Role>Arn"`
		Policy string `xml:"GetRoleResult>Role>AssumeRolePolicyDocument"`
	}
	err = api.Query(ctx, "GetRole", url.Values{"RoleName": {name}}, &out)
	if errorCode(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// IAM answers the policy URL-encoded.
	policy := out.Policy
	if decoded, err := url.QueryUnescape(policy); err == nil {
		policy = decoded
	}
	return &Role{Arn: out.Arn, TrustPolicy: policy}, nil
}

func (a AWS) Image(ctx context.Context, img ECRImage) (bool, string, error) {
	api, err := a.Clients.Call(ctx, awscall.ECR, img.Region)
	if err != nil {
		return false, "", err
	}
	id := map[string]string{"imageTag": img.Tag}
	if img.Digest != "" {
		id = map[string]string{"imageDigest": img.Digest}
	}
	in := map[string]any{"registryId": img.Registry, "repositoryName": img.Repository, "imageIds": []any{id}}
	var out struct {
		ImageDetails []json.RawMessage `json:"imageDetails"`
	}
	err = api.JSON(ctx, "DescribeImages", in, &out)
	switch errorCode(err) {
	case "RepositoryNotFoundException":
		return false, fmt.Sprintf("repository %s does not exist in registry %s (%s)", img.Repository, img.Registry, img.Region), nil
	case "ImageNotFoundException":
		return false, fmt.Sprintf("%s not found in repository %s (%s); push it or fix the tag", img.Version(), img.Repository, img.Region), nil
	}
	if err != nil {
		return false, "", err
	}
	if len(out.ImageDetails) == 0 {
		return false, fmt.Sprintf("%s not found in repository %s (%s); push it or fix the tag", img.Version(), img.Repository, img.Region), nil
	}
	return true, "", nil
}

func (a AWS) LogGroup(ctx context.Context, region, name string) (bool, error) {
	api, err := a.Clients.Logs(ctx, region)
	if err != nil {
		return false, err
	}
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)}
	for {
		out, err := api.DescribeLogGroups(ctx, in)
		if err != nil {
			return false, err
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				return true, nil
			}
		}
		if out.NextToken == nil {
			return false, nil
		}
		in.NextToken = out.NextToken
	}
}

func (a AWS) Parameters(ctx context.Context, region string, names []string) (map[string]bool, error) {
	api, err := a.Clients.SSM(ctx, region)
	if err != nil {
		return nil, err
	}
	// Without decryption: verify never holds a SecureString's value.
	out, err := api.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(false)})
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, n := range names {
		found[n] = true
	}
	for _, n := range out.InvalidParameters {
		found[n] = false
	}
	return found, nil
}

func (a AWS) Secret(ctx context.Context, region, id string) (bool, error) {
	api, err := a.Clients.SecretsManager(ctx, region)
	if err != nil {
		return false, err
	}
	_, err = api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if errorCode(err) == "ResourceNotFoundException" {
		return false, nil
	}
	return err == nil, err
}

func (a AWS) SecretKeys(ctx context.Context, region, id, stage, version string) ([]string, error) {
	api, err := a.Clients.SecretsManager(ctx, region)
	if err != nil {
		return nil, err
	}
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}
	if stage != "" {
		in.VersionStage = aws.String(stage)
	}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := api.GetSecretValue(ctx, in)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if out.SecretString == nil || json.Unmarshal([]byte(*out.SecretString), &obj) != nil || obj == nil {
		return nil, nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	return keys, nil
}

func (a AWS) Object(ctx context.Context, region, bucket, key string) (bool, error) {
	api, err := a.Clients.S3(ctx, region)
	if err != nil {
		return false, err
	}
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	_, err = api.HeadObject(ctx, in)
	if tfstate.WrongRegion(err) {
		actual, rerr := tfstate.BucketRegion(ctx, api, bucket)
		if rerr != nil {
			return false, rerr
		}
		if api, err = a.Clients.S3(ctx, actual); err != nil {
			return false, err
		}
		_, err = api.HeadObject(ctx, in)
	}
	switch errorCode(err) {
	case "NotFound", "NoSuchKey", "NoSuchBucket":
		return false, nil
	}
	return err == nil, err
}

func (a AWS) TargetGroups(ctx context.Context, region string, arns []string) (map[string]*TargetGroup, error) {
	api, err := a.Clients.Call(ctx, awscall.ELBv2, region)
	if err != nil {
		return nil, err
	}
	found := map[string]*TargetGroup{}
	describe := func(arns []string) error {
		params := url.Values{}
		for i, arn := range arns {
			params.Set("TargetGroupArns.member."+strconv.Itoa(i+1), arn)
		}
		var out struct {
			Groups []struct {
				Arn           string   `xml:"TargetGroupArn"`
				Name          string   `xml:"TargetGroupName"`
				TargetType    string   `xml:"TargetType"`
				LoadBalancers []string `xml:"LoadBalancerArns>member"`
			} `xml:"DescribeTargetGroupsResult>TargetGroups>member"`
		}
		if err := api.Query(ctx, "DescribeTargetGroups", params, &out); err != nil {
			return err
		}
		for _, g := range out.Groups {
			found[g.Arn] = &TargetGroup{Name: g.Name, TargetType: g.TargetType, LoadBalancers: len(g.LoadBalancers)}
		}
		return nil
	}
	err = describe(arns)
	if errorCode(err) == "TargetGroupNotFound" && len(arns) > 1 {
		// One missing group fails the whole call: ask one by one.
		for _, arn := range arns {
			if err := describe([]string{arn}); err != nil && errorCode(err) != "TargetGroupNotFound" {
				return nil, err
			}
		}
		return found, nil
	}
	if errorCode(err) == "TargetGroupNotFound" {
		return found, nil
	}
	return found, err
}

func (a AWS) ListenerRule(ctx context.Context, region, arn string) (*ListenerRule, error) {
	api, err := a.Clients.Call(ctx, awscall.ELBv2, region)
	if err != nil {
		return nil, err
	}
	var out struct {
		Rules []struct {
			Actions []struct {
				TargetGroup string   `xml:"TargetGroupArn"`
				Forward     []string `xml:"ForwardConfig>TargetGroups>member>TargetGroupArn"`
			} `xml:"Actions>member"`
		} `xml:"DescribeRulesResult>Rules>member"`
	}
	err = api.Query(ctx, "DescribeRules", url.Values{"RuleArns.member.1": {arn}}, &out)
	if errorCode(err) == "RuleNotFound" {
		return nil, nil
	}
	if err != nil || len(out.Rules) == 0 {
		return nil, err
	}
	rule := &ListenerRule{}
	for _, a := range out.Rules[0].Actions {
		for _, tg := range append([]string{a.TargetGroup}, a.Forward...) {
			if tg != "" && !slices.Contains(rule.TargetGroups, tg) {
				rule.TargetGroups = append(rule.TargetGroups, tg)
			}
		}
	}
	return rule, nil
}

// Function reads the function's configuration; a qualified ARN
// (function:NAME:ALIAS) asks for that version or alias.
func (a AWS) Function(ctx context.Context, region, arn string) (*Function, error) {
	api, err := a.Clients.Call(ctx, awscall.Lambda, region)
	if err != nil {
		return nil, err
	}
	name, qualifier := arn, ""
	if parts := strings.Split(arn, ":"); len(parts) == 8 && parts[5] == "function" {
		name, qualifier = strings.Join(parts[:7], ":"), parts[7]
	}
	path := "/2015-03-31/functions/" + url.PathEscape(name) + "/configuration"
	if qualifier != "" {
		path += "?Qualifier=" + url.QueryEscape(qualifier)
	}
	var out Function
	err = api.Get(ctx, "GetFunctionConfiguration", path, &out)
	if errorCode(err) == "ResourceNotFoundException" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Subnets filters by ID, so missing IDs are simply not in the answer (a
// missing ID asked by SubnetIds fails the whole call).
func (a AWS) Subnets(ctx context.Context, region string, ids []string) (map[string]string, error) {
	return a.vpcs(ctx, region, "DescribeSubnets", "subnet-id", ids)
}

func (a AWS) SecurityGroups(ctx context.Context, region string, ids []string) (map[string]string, error) {
	return a.vpcs(ctx, region, "DescribeSecurityGroups", "group-id", ids)
}

type ec2Item struct {
	SubnetID string `xml:"subnetId"`
	GroupID  string `xml:"groupId"`
	VpcID    string `xml:"vpcId"`
}

func (a AWS) vpcs(ctx context.Context, region, action, filter string, ids []string) (map[string]string, error) {
	api, err := a.Clients.Call(ctx, awscall.EC2, region)
	if err != nil {
		return nil, err
	}
	params := url.Values{"Filter.1.Name": {filter}}
	for i, id := range ids {
		params.Set("Filter.1.Value."+strconv.Itoa(i+1), id)
	}
	found := map[string]string{}
	for {
		var out struct {
			Subnets   []ec2Item `xml:"subnetSet>item"`
			Groups    []ec2Item `xml:"securityGroupInfo>item"`
			NextToken string    `xml:"nextToken"`
		}
		if err := api.Query(ctx, action, params, &out); err != nil {
			return nil, err
		}
		for _, it := range out.Subnets {
			found[it.SubnetID] = it.VpcID
		}
		for _, it := range out.Groups {
			found[it.GroupID] = it.VpcID
		}
		if out.NextToken == "" {
			return found, nil
		}
		params.Set("NextToken", out.NextToken)
	}
}

func (a AWS) TaskDefinition(ctx context.Context, region, ref string) (bool, error) {
	api, err := a.Clients.ECS(ctx, region)
	if err != nil {
		return false, err
	}
	_, err = api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil && errorCode(err) == "ClientException" && strings.Contains(err.Error(), "nable to describe task definition") {
		return false, nil
	}
	return err == nil, err
}
