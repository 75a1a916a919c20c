package scheduled

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// SchedulerAPI is the part of EventBridge Scheduler the backend uses.
type SchedulerAPI interface {
	ListSchedules(ctx context.Context, in *scheduler.ListSchedulesInput, optFns ...func(*scheduler.Options)) (*scheduler.ListSchedulesOutput, error)
	GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
	CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	UpdateSchedule(ctx context.Context, in *scheduler.UpdateScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error)
	DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
	GetScheduleGroup(ctx context.Context, in *scheduler.GetScheduleGroupInput, optFns ...func(*scheduler.Options)) (*scheduler.GetScheduleGroupOutput, error)
	CreateScheduleGroup(ctx context.Context, in *scheduler.CreateScheduleGroupInput, optFns ...func(*scheduler.Options)) (*scheduler.CreateScheduleGroupOutput, error)
}

var _ SchedulerAPI = (*scheduler.Client)(nil)

// SchedulerBackend keeps tasks as EventBridge Scheduler schedules in one
// schedule group, which is what the config owns.
type SchedulerBackend struct {
	API         SchedulerAPI
	Group       string
	RoleArn     string
	ClusterArn  string
	Concurrency int // requests at once; awsclient.Concurrency when 0
}

// Remote reads every schedule of the group, resolved into the model. A
// group that does not exist holds nothing; groupExists says which.
func (b *SchedulerBackend) Remote(ctx context.Context) (tasks map[string]*Task, groupExists bool, err error) {
	var names []string
	in := &scheduler.ListSchedulesInput{GroupName: aws.String(b.Group)}
	for {
		out, err := b.API.ListSchedules(ctx, in)
		if isNotFound(err) {
			return map[string]*Task{}, false, nil
		}
		if err != nil {
			return nil, false, interrupted(ctx, fmt.Errorf("list schedules of group %s: %w", b.Group, err))
		}
		for _, s := range out.Schedules {
			names = append(names, aws.ToString(s.Name))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(names) == 0 {
		_, err := b.API.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(b.Group)})
		if isNotFound(err) {
			return map[string]*Task{}, false, nil
		}
		if err != nil {
			return nil, false, interrupted(ctx, fmt.Errorf("schedule group %s: %w", b.Group, err))
		}
	}
	tasks = make(map[string]*Task, len(names))
	var mu sync.Mutex
	err = forEach(ctx, names, limitOr(b.Concurrency), func(name string) error {
		out, err := b.API.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String(b.Group)})
		if err != nil {
			return fmt.Errorf("get schedule %s: %w", name, err)
		}
		t, err := fromSchedule(out)
		if errors.Is(err, errNotECS) {
			return nil // another kind of schedule: not a task of ours
		}
		if err != nil {
			return fmt.Errorf("read schedule %s: %w", name, err)
		}
		mu.Lock()
		tasks[name] = t
		mu.Unlock()
		return nil
	})
	return tasks, true, interrupted(ctx, err)
}

// Put creates or updates (with the full desired state, as UpdateSchedule
// replaces the whole schedule) a resolved task. A create that finds the
// schedule there already (the SDK retrying a create whose first answer was
// lost, or a sync that stopped after it) updates it instead: the group is
// the config's, so the schedule is the task's.
func (b *SchedulerBackend) Put(ctx context.Context, t *Task, exists bool) error {
	in, err := b.toSchedule(t)
	if err != nil {
		return err
	}
	var conflict *stypes.ConflictException
	if !exists {
		_, err = b.API.CreateSchedule(ctx, in)
		if !errors.As(err, &conflict) {
			return wrapSchedule(t.Name, err)
		}
	}
	var up scheduler.UpdateScheduleInput
	if err := convert(in, &up); err != nil {
		return err
	}
	up.StartDate, up.EndDate = in.StartDate, in.EndDate
	_, err = b.API.UpdateSchedule(ctx, &up)
	return wrapSchedule(t.Name, err)
}

func wrapSchedule(name string, err error) error {
	if err != nil {
		return fmt.Errorf("schedule %s: %w", name, err)
	}
	return nil
}

// Delete removes a schedule of the group.
func (b *SchedulerBackend) Delete(ctx context.Context, name string) error {
	_, err := b.API.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name), GroupName: aws.String(b.Group)})
	if err != nil {
		return fmt.Errorf("delete schedule %s: %w", name, err)
	}
	return nil
}

// EnsureGroup creates the schedule group.
func (b *SchedulerBackend) EnsureGroup(ctx context.Context) error {
	_, err := b.API.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(b.Group)})
	var conflict *stypes.ConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("create schedule group %s: %w", b.Group, err)
	}
	return nil
}

func (b *SchedulerBackend) toSchedule(t *Task) (*scheduler.CreateScheduleInput, error) {
	state := stypes.ScheduleStateEnabled
	if t.Disabled {
		state = stypes.ScheduleStateDisabled
	}
	in := &scheduler.CreateScheduleInput{
		Name: aws.String(t.Name), GroupName: aws.String(b.Group), ScheduleExpression: aws.String(t.Schedule),
		ScheduleExpressionTimezone: aws.String(t.Timezone), State: state, Description: nonEmpty(t.Description),
		FlexibleTimeWindow: &stypes.FlexibleTimeWindow{Mode: stypes.FlexibleTimeWindowMode(t.FlexibleTimeWindow.Mode), MaximumWindowInMinutes: t.FlexibleTimeWindow.MaximumWindowInMinutes},
	}
	for _, d := range []struct {
		s   string
		dst **time.Time
	}{{t.StartDate, &in.StartDate}, {t.EndDate, &in.EndDate}} {
		if d.s != "" {
			v, err := time.Parse(time.RFC3339, d.s)
			if err != nil {
				return nil, err
			}
			*d.dst = &v
		}
	}
	tg, err := targetOf(t)
	if err != nil {
		return nil, err
	}
	ecsp := &stypes.EcsParameters{}
	if err := convert(&tg.ecs, ecsp); err != nil {
		return nil, err
	}
	// The Scheduler's ECS tags are maps of "key" and "value".
	for _, k := range sortedKeys(t.Tags) {
		ecsp.Tags = append(ecsp.Tags, map[string]string{"key": k, "value": t.Tags[k]})
	}
	target := &stypes.Target{Arn: aws.String(orDefault(t.ClusterArn, b.ClusterArn)), RoleArn: aws.String(orDefault(t.RoleArn, b.RoleArn)), EcsParameters: ecsp, Input: tg.input}
	if tg.maxAge != nil || tg.maxRetries != nil {
		target.RetryPolicy = &stypes.RetryPolicy{MaximumEventAgeInSeconds: tg.maxAge, MaximumRetryAttempts: tg.maxRetries}
	}
	if tg.deadLetter != nil {
		target.DeadLetterConfig = &stypes.DeadLetterConfig{Arn: tg.deadLetter}
	}
	in.Target = target
	return in, nil
}

// fromSchedule reads a schedule back into the resolved model.
func fromSchedule(s *scheduler.GetScheduleOutput) (*Task, error) {
	t := &Task{
		Name: aws.ToString(s.Name), Description: aws.ToString(s.Description), Schedule: aws.ToString(s.ScheduleExpression),
		Timezone: aws.ToString(s.ScheduleExpressionTimezone), Disabled: s.State == stypes.ScheduleStateDisabled,
	}
	if w := s.FlexibleTimeWindow; w != nil {
		t.FlexibleTimeWindow = &FlexibleTimeWindow{Mode: string(w.Mode), MaximumWindowInMinutes: w.MaximumWindowInMinutes}
	}
	if s.StartDate != nil {
		t.StartDate = s.StartDate.Format(time.RFC3339)
	}
	if s.EndDate != nil {
		t.EndDate = s.EndDate.Format(time.RFC3339)
	}
	if s.Target == nil || s.Target.EcsParameters == nil {
		return nil, errNotECS
	}
	t.ClusterArn, t.RoleArn = aws.ToString(s.Target.Arn), aws.ToString(s.Target.RoleArn)
	tg := target{input: s.Target.Input}
	if err := convert(s.Target.EcsParameters, &tg.ecs); err != nil {
		return nil, err
	}
	if rp := s.Target.RetryPolicy; rp != nil {
		tg.maxAge, tg.maxRetries = rp.MaximumEventAgeInSeconds, rp.MaximumRetryAttempts
	}
	if dl := s.Target.DeadLetterConfig; dl != nil {
		tg.deadLetter = dl.Arn
	}
	if err := tg.apply(t); err != nil {
		return nil, err
	}
	for _, m := range s.Target.EcsParameters.Tags {
		if t.Tags == nil {
			t.Tags = map[string]string{}
		}
		if k, ok := m["key"]; ok {
			t.Tags[k] = m["value"]
			continue
		}
		for k, v := range m { // a {name: value} map another tool wrote
			t.Tags[k] = v
		}
	}
	return Resolve(t, t.TaskDefinition, ""), nil
}

// convert copies between the same shape in two SDK packages (ECS's and
// Scheduler's network configuration, say) through their JSON form.
func convert(from, to any) error {
	g, err := awsjson.ToGeneric(from)
	if err != nil {
		return err
	}
	if g == nil {
		return nil
	}
	return awsjson.Decode(g, to)
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func isNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException"
}

// errNotECS is a schedule or rule whose target is not an ECS task.
var errNotECS = errors.New("its target is not an ECS task")

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
