package ecs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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
	mu           sync.Mutex
	svcs         map[string]*serviceState // by name
	rollouts     map[string]rollout       // by service name; default: done on the first poll
	updates      []*awsecs.UpdateServiceInput
	deregistered []string
	// noAutoRollback: a failed rollout stays FAILED on the PRIMARY (no
	// circuit breaker rollback); failOnly limits the rollout script to one
	// task definition ARN.
	noAutoRollback bool
	failOnly       *string
	noRolloutState bool
	history        map[string][]types.Deployment // failed deployments, by service
	nextID         int
	nextEvent      int

	inFlight, maxInFlight atomic.Int64 // deployments in progress

	revisions map[string][]*types.TaskDefinition
	tags      map[string][]types.Tag // by ARN
	calls     map[string]int
	fail      map[string]error // operation → error to return
}

func newFakeECS() *fakeECS {
	return &fakeECS{history: map[string][]types.Deployment{}, svcs: map[string]*serviceState{}, rollouts: map[string]rollout{}, revisions: map[string][]*types.TaskDefinition{}, tags: map[string][]types.Tag{}, calls: map[string]int{}, fail: map[string]error{}}
}

var _ API = (*fakeECS)(nil)

func (f *fakeECS) enter(op string) error {
	f.mu.Lock()
	f.calls[op]++
	return f.fail[op]
}

func (f *fakeECS) DescribeServices(_ context.Context, in *awsecs.DescribeServicesInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("DescribeServices"); err != nil {
		return nil, err
	}
	if len(in.Services) > 10 {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "too many services"}
	}
	out := &awsecs.DescribeServicesOutput{}
	for _, name := range in.Services {
		if st, ok := f.svcs[name]; ok {
			f.advance(st)
			out.Services = append(out.Services, st.snapshot())
		} else {
			out.Failures = append(out.Failures, types.Failure{Arn: aws.String(name), Reason: aws.String("MISSING")})
		}
	}
	return out, nil
}

func (f *fakeECS) DescribeTaskDefinition(_ context.Context, in *awsecs.DescribeTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error) {
	defer f.mu.Unlock()
	if err := f.enter("DescribeTaskDefinition"); err != nil {
		return nil, err
	}
	td := f.lookupTaskDefinition(aws.ToString(in.TaskDefinition))
	if td == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "Unable to describe task definition."}
	}
	return &awsecs.DescribeTaskDefinitionOutput{TaskDefinition: td, Tags: f.tags[aws.ToString(td.TaskDefinitionArn)]}, nil
}

// lookupTaskDefinition finds "family" (latest ACTIVE), "family:rev" or an ARN.
func (f *fakeECS) lookupTaskDefinition(ref string) *types.TaskDefinition {
	if i := strings.LastIndex(ref, "task-definition/"); i >= 0 {
		ref = ref[i+len("task-definition/"):]
	}
	family, rev, hasRev := strings.Cut(ref, ":")
	var found *types.TaskDefinition
	for _, td := range f.revisions[family] {
		if hasRev && fmt.Sprint(td.Revision) == rev {
			return td
		}
		if !hasRev && td.Status == types.TaskDefinitionStatusActive {
			found = td
		}
	}
	return found
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
	for _, st := range f.svcs {
		if aws.ToString(st.svc.ServiceArn) == arn {
			st.svc.Tags = mergeTags(st.svc.Tags, in.Tags)
			return &awsecs.TagResourceOutput{}, nil
		}
	}
	f.tags[arn] = mergeTags(f.tags[arn], in.Tags)
	return &awsecs.TagResourceOutput{}, nil
}

// mergeTags sets tags over current, keeping current's order.
func mergeTags(current, tags []types.Tag) []types.Tag {
	merged := map[string]string{}
	var order []string
	for _, t := range append(append([]types.Tag{}, current...), tags...) {
		if _, ok := merged[*t.Key]; !ok {
			order = append(order, *t.Key)
		}
		merged[*t.Key] = *t.Value
	}
	var out []types.Tag
	for _, k := range order {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(merged[k])})
	}
	return out
}
