package ecs

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// fakeECS keeps task definition revisions in memory and answers as ECS
// does: the latest ACTIVE revision for a bare family, sizes converted to
// units, defaults filled in, ClientException for an unknown family.
type fakeECS struct {
	mu        sync.Mutex
	revisions map[string][]*types.TaskDefinition
	tags      map[string][]types.Tag // by ARN
	calls     map[string]int
	fail      map[string]error // operation → error to return
}

func newFakeECS() *fakeECS {
	return &fakeECS{revisions: map[string][]*types.TaskDefinition{}, tags: map[string][]types.Tag{}, calls: map[string]int{}, fail: map[string]error{}}
}

var _ API = (*fakeECS)(nil)

func (f *fakeECS) enter(op string) error {
	f.mu.Lock()
	f.calls[op]++
	return f.fail[op]
}

func (f *fakeECS) DescribeTaskDefinition(_ context.Context, in *awsecs.DescribeTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("DescribeTaskDefinition"); err != nil {
		return nil, err
	}
	revs := f.revisions[aws.ToString(in.TaskDefinition)]
	if len(revs) == 0 {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "Unable to describe task definition."}
	}
	latest := revs[len(revs)-1]
	return &awsecs.DescribeTaskDefinitionOutput{TaskDefinition: latest, Tags: f.tags[aws.ToString(latest.TaskDefinitionArn)]}, nil
}

func (f *fakeECS) RegisterTaskDefinition(_ context.Context, in *awsecs.RegisterTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("RegisterTaskDefinition"); err != nil {
		return nil, err
	}
	g, err := awsjson.ToGeneric(in)
	if err != nil {
		return nil, err
	}
	obj := g.(map[string]any)
	delete(obj, "tags")
	var td types.TaskDefinition
	if err := awsjson.Decode(obj, &td); err != nil {
		return nil, err
	}
	family := aws.ToString(in.Family)
	td.Revision = int32(len(f.revisions[family]) + 1)
	td.TaskDefinitionArn = aws.String(fmt.Sprintf("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/%s:%d", family, td.Revision))
	td.Status = types.TaskDefinitionStatusActive
	if td.Cpu != nil {
		n, _ := parseCPU(*td.Cpu)
		td.Cpu = aws.String(strconv.Itoa(n))
	}
	if td.Memory != nil {
		n, _ := parseMemory(*td.Memory)
		td.Memory = aws.String(strconv.Itoa(n))
	}
	for i := range td.ContainerDefinitions {
		c := &td.ContainerDefinitions[i]
		if c.Essential == nil {
			c.Essential = aws.Bool(true)
		}
		c.Environment = append([]types.KeyValuePair{}, c.Environment...)
		c.MountPoints = append([]types.MountPoint{}, c.MountPoints...)
	}
	f.revisions[family] = append(f.revisions[family], &td)
	f.tags[aws.ToString(td.TaskDefinitionArn)] = in.Tags
	return &awsecs.RegisterTaskDefinitionOutput{TaskDefinition: &td, Tags: in.Tags}, nil
}

func (f *fakeECS) TagResource(_ context.Context, in *awsecs.TagResourceInput, _ ...func(*awsecs.Options)) (*awsecs.TagResourceOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("TagResource"); err != nil {
		return nil, err
	}
	arn := aws.ToString(in.ResourceArn)
	merged := map[string]string{}
	var order []string
	for _, t := range append(append([]types.Tag{}, f.tags[arn]...), in.Tags...) {
		if _, ok := merged[*t.Key]; !ok {
			order = append(order, *t.Key)
		}
		merged[*t.Key] = *t.Value
	}
	var tags []types.Tag
	for _, k := range order {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(merged[k])})
	}
	f.tags[arn] = tags
	return &awsecs.TagResourceOutput{}, nil
}
