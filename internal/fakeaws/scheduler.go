package fakeaws

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	stypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

// Scheduler is an in-memory EventBridge Scheduler: schedule groups (the
// account's "default" group exists from the start) holding schedules. It
// answers the calls package scheduled makes, with the errors AWS gives as
// the SDK hands them back (*types.ResourceNotFoundException,
// *types.ConflictException, *types.ValidationException), and is safe for
// concurrent use.
type Scheduler struct {
	callLedger

	mu       sync.Mutex
	groups   map[string]map[string]*scheduler.GetScheduleOutput // group → name → schedule
	created  map[string]time.Time                               // group → creation time
	pageSize int
}

// schedulerARN is the ARN prefix of the fakes' account and region.
const schedulerARN = "arn:aws:scheduler:" + Region + ":" + Account + ":"

// NewScheduler returns a Scheduler holding only the empty default group.
// Lists come back in pages of 100, as AWS's largest MaxResults.
func NewScheduler() *Scheduler {
	f := &Scheduler{groups: map[string]map[string]*scheduler.GetScheduleOutput{}, created: map[string]time.Time{}, pageSize: 100}
	f.addGroup("default")
	return f
}

// SetPageSize makes ListSchedules return at most n schedules a page, so a
// test with a handful of schedules exercises NextToken.
func (f *Scheduler) SetPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pageSize = max(n, 1)
}

// AddGroup seeds an empty schedule group (nothing when it exists). Seeding
// is not counted as a call.
func (f *Scheduler) AddGroup(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addGroup(name)
}

func (f *Scheduler) addGroup(name string) {
	if _, ok := f.groups[name]; !ok {
		f.groups[name] = map[string]*scheduler.GetScheduleOutput{}
		f.created[name] = time.Now()
	}
}

// AddSchedule seeds a schedule as GetSchedule would return it, in its
// GroupName (default "default"), which is created when missing; Arn, State
// and the dates are filled in when empty. Any target may be seeded: one
// without EcsParameters is a schedule of another kind (a Lambda, say).
func (f *Scheduler) AddSchedule(s scheduler.GetScheduleOutput) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := jsonCopy(&s)
	group := orDefaultGroup(c.GroupName)
	f.addGroup(group)
	c.GroupName = aws.String(group)
	if c.Arn == nil {
		c.Arn = aws.String(schedulerARN + "schedule/" + group + "/" + aws.ToString(c.Name))
	}
	if c.State == "" {
		c.State = stypes.ScheduleStateEnabled
	}
	now := time.Now()
	if c.CreationDate == nil {
		c.CreationDate = &now
	}
	if c.LastModificationDate == nil {
		c.LastModificationDate = &now
	}
	f.groups[group][aws.ToString(c.Name)] = c
}

// Schedule is a copy of a stored schedule.
func (f *Scheduler) Schedule(group, name string) (*scheduler.GetScheduleOutput, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.groups[group][name]
	if !ok {
		return nil, false
	}
	return jsonCopy(s), true
}

// ScheduleNames are the names of a group's schedules, sorted.
func (f *Scheduler) ScheduleNames(group string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.groups[group]))
}

// HasGroup tells whether the schedule group exists.
func (f *Scheduler) HasGroup(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.groups[name]
	return ok
}

// ListSchedules lists summaries sorted by group and name, filtered by
// GroupName, NamePrefix and State, a page at a time. A group that does not
// exist lists nothing, as a filter that matches nothing.
func (f *Scheduler) ListSchedules(ctx context.Context, in *scheduler.ListSchedulesInput, _ ...func(*scheduler.Options)) (*scheduler.ListSchedulesOutput, error) {
	if err := f.enter(ctx, "ListSchedules"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []*scheduler.GetScheduleOutput
	for _, group := range slices.Sorted(maps.Keys(f.groups)) {
		if in.GroupName != nil && aws.ToString(in.GroupName) != group {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(f.groups[group])) {
			s := f.groups[group][name]
			if strings.HasPrefix(name, aws.ToString(in.NamePrefix)) && (in.State == "" || in.State == s.State) {
				all = append(all, s)
			}
		}
	}
	page, next, err := pageOf(all, in.NextToken, aws.ToInt32(in.MaxResults), f.pageSize)
	if err != nil {
		return nil, &stypes.ValidationException{Message: aws.String(err.Error())}
	}
	out := &scheduler.ListSchedulesOutput{NextToken: next, Schedules: []stypes.ScheduleSummary{}}
	for _, s := range page {
		sum := stypes.ScheduleSummary{Arn: s.Arn, Name: s.Name, GroupName: s.GroupName, State: s.State,
			CreationDate: s.CreationDate, LastModificationDate: s.LastModificationDate}
		if s.Target != nil {
			sum.Target = &stypes.TargetSummary{Arn: s.Target.Arn}
		}
		out.Schedules = append(out.Schedules, jsonCopy(sum))
	}
	return out, nil
}

// GetSchedule returns a copy of the schedule.
func (f *Scheduler) GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error) {
	if err := f.enter(ctx, "GetSchedule"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(in.GroupName, in.Name)
	if err != nil {
		return nil, err
	}
	return jsonCopy(s), nil
}

// CreateSchedule stores a new schedule in an existing group.
func (f *Scheduler) CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error) {
	if err := f.enter(ctx, "CreateSchedule"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	group, name := orDefaultGroup(in.GroupName), aws.ToString(in.Name)
	schedules, ok := f.groups[group]
	if !ok {
		return nil, groupNotFound(group)
	}
	if _, ok := schedules[name]; ok {
		return nil, &stypes.ConflictException{Message: aws.String(fmt.Sprintf("Schedule %s already exists.", name))}
	}
	s, err := scheduleOf((*scheduler.UpdateScheduleInput)(in))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	s.Arn = aws.String(schedulerARN + "schedule/" + group + "/" + name)
	s.CreationDate, s.LastModificationDate = &now, &now
	schedules[name] = s
	return &scheduler.CreateScheduleOutput{ScheduleArn: s.Arn}, nil
}

// UpdateSchedule replaces the whole schedule with what the request holds,
// as AWS does: a field left out is gone, not kept.
func (f *Scheduler) UpdateSchedule(ctx context.Context, in *scheduler.UpdateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error) {
	if err := f.enter(ctx, "UpdateSchedule"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := f.find(in.GroupName, in.Name)
	if err != nil {
		return nil, err
	}
	s, err := scheduleOf(in)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	s.Arn, s.CreationDate, s.LastModificationDate = old.Arn, old.CreationDate, &now
	f.groups[aws.ToString(s.GroupName)][aws.ToString(s.Name)] = s
	return &scheduler.UpdateScheduleOutput{ScheduleArn: s.Arn}, nil
}

// DeleteSchedule removes a schedule; one that does not exist is an error.
func (f *Scheduler) DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error) {
	if err := f.enter(ctx, "DeleteSchedule"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.find(in.GroupName, in.Name)
	if err != nil {
		return nil, err
	}
	delete(f.groups[aws.ToString(s.GroupName)], aws.ToString(s.Name))
	return &scheduler.DeleteScheduleOutput{}, nil
}

// GetScheduleGroup describes an existing group.
func (f *Scheduler) GetScheduleGroup(ctx context.Context, in *scheduler.GetScheduleGroupInput, _ ...func(*scheduler.Options)) (*scheduler.GetScheduleGroupOutput, error) {
	if err := f.enter(ctx, "GetScheduleGroup"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.Name)
	created, ok := f.created[name]
	if !ok {
		return nil, groupNotFound(name)
	}
	return &scheduler.GetScheduleGroupOutput{Arn: aws.String(schedulerARN + "schedule-group/" + name), Name: aws.String(name),
		State: stypes.ScheduleGroupStateActive, CreationDate: &created, LastModificationDate: &created}, nil
}

// CreateScheduleGroup creates a group; one that exists is a conflict.
func (f *Scheduler) CreateScheduleGroup(ctx context.Context, in *scheduler.CreateScheduleGroupInput, _ ...func(*scheduler.Options)) (*scheduler.CreateScheduleGroupOutput, error) {
	if err := f.enter(ctx, "CreateScheduleGroup"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.Name)
	if name == "" {
		return nil, &stypes.ValidationException{Message: aws.String("Name is required.")}
	}
	if _, ok := f.groups[name]; ok {
		return nil, &stypes.ConflictException{Message: aws.String(fmt.Sprintf("Schedule group %s already exists.", name))}
	}
	f.addGroup(name)
	return &scheduler.CreateScheduleGroupOutput{ScheduleGroupArn: aws.String(schedulerARN + "schedule-group/" + name)}, nil
}

// find is the stored schedule (not a copy), or the error AWS gives.
func (f *Scheduler) find(groupName, scheduleName *string) (*scheduler.GetScheduleOutput, error) {
	group, name := orDefaultGroup(groupName), aws.ToString(scheduleName)
	schedules, ok := f.groups[group]
	if !ok {
		return nil, groupNotFound(group)
	}
	s, ok := schedules[name]
	if !ok {
		return nil, &stypes.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("Schedule %s does not exist.", name))}
	}
	return s, nil
}

// scheduleOf checks a create or update request (the two have the same
// fields) and turns it into the stored schedule, filling what AWS fills
// when it is left out.
func scheduleOf(in *scheduler.UpdateScheduleInput) (*scheduler.GetScheduleOutput, error) {
	var missing []string
	for _, f := range []struct {
		field string
		unset bool
	}{
		{"Name", aws.ToString(in.Name) == ""}, {"ScheduleExpression", aws.ToString(in.ScheduleExpression) == ""},
		{"FlexibleTimeWindow", in.FlexibleTimeWindow == nil}, {"Target", in.Target == nil},
		{"Target.Arn", in.Target != nil && aws.ToString(in.Target.Arn) == ""},
		{"Target.RoleArn", in.Target != nil && aws.ToString(in.Target.RoleArn) == ""},
	} {
		if f.unset {
			missing = append(missing, f.field)
		}
	}
	if len(missing) > 0 {
		return nil, &stypes.ValidationException{Message: aws.String("Missing required parameters: " + strings.Join(missing, ", "))}
	}
	c := jsonCopy(in)
	s := &scheduler.GetScheduleOutput{
		Name: c.Name, GroupName: aws.String(orDefaultGroup(c.GroupName)), Description: c.Description,
		ScheduleExpression: c.ScheduleExpression, ScheduleExpressionTimezone: c.ScheduleExpressionTimezone,
		State: c.State, FlexibleTimeWindow: c.FlexibleTimeWindow, StartDate: c.StartDate, EndDate: c.EndDate,
		Target: c.Target, KmsKeyArn: c.KmsKeyArn, ActionAfterCompletion: c.ActionAfterCompletion,
	}
	if s.State == "" {
		s.State = stypes.ScheduleStateEnabled
	}
	if s.ActionAfterCompletion == "" {
		s.ActionAfterCompletion = stypes.ActionAfterCompletionNone
	}
	if s.Target.RetryPolicy == nil { // a day and 185 attempts, as AWS fills in
		s.Target.RetryPolicy = &stypes.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(86400), MaximumRetryAttempts: aws.Int32(185)}
	}
	return s, nil
}

func groupNotFound(name string) error {
	return &stypes.ResourceNotFoundException{Message: aws.String(fmt.Sprintf("Schedule group %s does not exist.", name))}
}

func orDefaultGroup(name *string) string {
	if aws.ToString(name) == "" {
		return "default"
	}
	return aws.ToString(name)
}

// pageOf is one page of items after token (an index the previous page
// handed out): at most limit items (0: size), and the next page's token.
func pageOf[T any](items []T, token *string, limit int32, size int) ([]T, *string, error) {
	start := 0
	if token != nil {
		n, err := strconv.Atoi(aws.ToString(token))
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, fmt.Errorf("invalid NextToken %q", aws.ToString(token))
		}
		start = n
	}
	if limit > 0 && int(limit) < size {
		size = int(limit)
	}
	end := min(start+size, len(items))
	var next *string
	if end < len(items) {
		next = aws.String(strconv.Itoa(end))
	}
	return items[start:end], next, nil
}

// jsonCopy deep-copies an SDK value through its JSON form, so nothing a
// caller holds aliases the fake's state.
func jsonCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic("fakeaws: " + err.Error())
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic("fakeaws: " + err.Error())
	}
	return out
}
