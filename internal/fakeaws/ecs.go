package fakeaws

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Account and Region are where the fakes' resources live, as their ARNs say.
const (
	Account = "123456789012"
	Region  = "ap-northeast-1"
)

// ECS keeps task definition revisions, services and tasks in memory and
// answers as ECS does: the latest ACTIVE revision for a bare family, sizes
// converted to units, defaults filled in, ClientException for an unknown
// family. Services roll out as scripted with SetRollout, tasks run as
// scripted with SetTaskRun. Calls counts the calls per operation, Fail
// and FailAfter make an operation fail. It has the methods of ecs.API and
// ecs.RunAPI. Make one with NewECS; it is safe for concurrent use.
type ECS struct {
	callLedger

	mu           sync.Mutex
	now          func() time.Time
	svcs         map[string]*serviceState // by name
	rollouts     map[string]Rollout       // by service name; default: done on the first poll
	updates      []*awsecs.UpdateServiceInput
	deregistered []string
	history      map[string][]types.Deployment      // failed deployments, by service
	details      map[string]types.ServiceDeployment // what DescribeServiceDeployments adds for a failed one, by ARN
	stopTypes    []types.StopServiceDeploymentStopType
	nextID       int
	nextEvent    int

	inFlight, maxInFlight int // deployments in progress

	revisions map[string][]*types.TaskDefinition // by family, oldest first
	tags      map[string][]types.Tag             // by task definition ARN

	tasks    map[string]*taskState // by ARN
	taskRuns map[string]TaskRun    // by family; "" for every family
	runs     []*awsecs.RunTaskInput
	nextTask int

	deleted []string                      // task definitions DeleteTaskDefinitions deleted
	execs   []*awsecs.ExecuteCommandInput // ExecuteCommand requests that succeeded
	managed map[string]bool               // service tasks the fake started, by ARN
}

// NewECS is an ECS with no task definition, service or task.
func NewECS() *ECS {
	return &ECS{
		now:  time.Now,
		svcs: map[string]*serviceState{}, rollouts: map[string]Rollout{}, history: map[string][]types.Deployment{}, details: map[string]types.ServiceDeployment{},
		revisions: map[string][]*types.TaskDefinition{}, tags: map[string][]types.Tag{},
		tasks: map[string]*taskState{}, taskRuns: map[string]TaskRun{},
	}
}

// SetNow makes the fake stamp deployments, events and tasks with now's
// time (a Clock's Now, say) instead of the real time.
func (f *ECS) SetNow(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// Updates are the UpdateService requests that succeeded, oldest first.
func (f *ECS) Updates() []*awsecs.UpdateServiceInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*awsecs.UpdateServiceInput(nil), f.updates...)
}

// LastUpdate is the latest UpdateService request that succeeded, or nil.
func (f *ECS) LastUpdate() *awsecs.UpdateServiceInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.updates) == 0 {
		return nil
	}
	return f.updates[len(f.updates)-1]
}

// Deregistered are the ARNs of the revisions deregistered, in order.
func (f *ECS) Deregistered() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deregistered...)
}

// Tags are the tags of a task definition revision or a service, by ARN.
func (f *ECS) Tags(arn string) []types.Tag {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, st := range f.svcs {
		if aws.ToString(st.svc.ServiceArn) == arn {
			return append([]types.Tag(nil), st.svc.Tags...)
		}
	}
	return append([]types.Tag(nil), f.tags[arn]...)
}

// TaskDefinitionARN is the ARN ECS gives revision rev of family.
func TaskDefinitionARN(family string, rev int32) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", Region, Account, family, rev)
}

// AddTaskDefinition stores td as the family's next revision, ACTIVE unless
// td.Status says otherwise, as it is (no defaults filled in), and returns
// its ARN: a revision registered before the test began.
func (f *ECS) AddTaskDefinition(td types.TaskDefinition, tags ...types.Tag) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	family := aws.ToString(td.Family)
	td.Revision = int32(len(f.revisions[family]) + 1)
	td.TaskDefinitionArn = aws.String(TaskDefinitionARN(family, td.Revision))
	if td.Status == "" {
		td.Status = types.TaskDefinitionStatusActive
	}
	f.revisions[family] = append(f.revisions[family], &td)
	f.tags[*td.TaskDefinitionArn] = tags
	return *td.TaskDefinitionArn
}

func (f *ECS) DescribeTaskDefinition(ctx context.Context, in *awsecs.DescribeTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error) {
	if err := f.enter(ctx, "DescribeTaskDefinition"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	td := f.lookupTaskDefinition(aws.ToString(in.TaskDefinition))
	if td == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "Unable to describe task definition."}
	}
	return &awsecs.DescribeTaskDefinitionOutput{TaskDefinition: td, Tags: f.tags[aws.ToString(td.TaskDefinitionArn)]}, nil
}

// lookupTaskDefinition finds "family" (latest ACTIVE), "family:rev" or an ARN.
func (f *ECS) lookupTaskDefinition(ref string) *types.TaskDefinition {
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

func (f *ECS) RegisterTaskDefinition(ctx context.Context, in *awsecs.RegisterTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error) {
	if err := f.enter(ctx, "RegisterTaskDefinition"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
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
	td.TaskDefinitionArn = aws.String(TaskDefinitionARN(family, td.Revision))
	td.Status = types.TaskDefinitionStatusActive
	if td.Cpu != nil {
		n, err := units(*td.Cpu, "vcpu")
		if err != nil {
			return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "Invalid 'cpu' setting for task."}
		}
		td.Cpu = aws.String(strconv.Itoa(n))
	}
	if td.Memory != nil {
		n, err := units(*td.Memory, "gb", "gib")
		if err != nil {
			return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "Invalid 'memory' setting for task."}
		}
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

// units reads a task-level size as ECS stores it: "1024" as is, "1 vCPU"
// or "2 GB" (a unit of 1024) converted.
func units(s string, unit ...string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	scale := 1.0
	for _, u := range unit {
		if strings.HasSuffix(v, u) {
			v, scale = strings.TrimSpace(strings.TrimSuffix(v, u)), 1024
			break
		}
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || n*scale != float64(int(n*scale)) {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return int(n * scale), nil
}

// ListTaskDefinitions answers oldest first, ignoring Sort (as moto does):
// callers must not rely on the order.
func (f *ECS) ListTaskDefinitions(ctx context.Context, in *awsecs.ListTaskDefinitionsInput, _ ...func(*awsecs.Options)) (*awsecs.ListTaskDefinitionsOutput, error) {
	if err := f.enter(ctx, "ListTaskDefinitions"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &awsecs.ListTaskDefinitionsOutput{}
	for _, td := range f.revisions[aws.ToString(in.FamilyPrefix)] {
		if in.Status == "" || td.Status == in.Status {
			out.TaskDefinitionArns = append(out.TaskDefinitionArns, aws.ToString(td.TaskDefinitionArn))
		}
	}
	return out, nil
}

func (f *ECS) DeregisterTaskDefinition(ctx context.Context, in *awsecs.DeregisterTaskDefinitionInput, _ ...func(*awsecs.Options)) (*awsecs.DeregisterTaskDefinitionOutput, error) {
	if err := f.enter(ctx, "DeregisterTaskDefinition"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	td := f.lookupTaskDefinition(aws.ToString(in.TaskDefinition))
	if td == nil {
		return nil, &smithy.GenericAPIError{Code: "ClientException", Message: "The specified task definition does not exist."}
	}
	td.Status = types.TaskDefinitionStatusInactive
	f.deregistered = append(f.deregistered, aws.ToString(td.TaskDefinitionArn))
	return &awsecs.DeregisterTaskDefinitionOutput{TaskDefinition: td}, nil
}

func (f *ECS) TagResource(ctx context.Context, in *awsecs.TagResourceInput, _ ...func(*awsecs.Options)) (*awsecs.TagResourceOutput, error) {
	if err := f.enter(ctx, "TagResource"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
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

// Tag is a tag.
func Tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
