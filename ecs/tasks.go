package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
)

// TasksAPI is the part of ECS that listing and stopping a service's tasks
// uses.
type TasksAPI interface {
	DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	ListTasks(ctx context.Context, in *awsecs.ListTasksInput, optFns ...func(*awsecs.Options)) (*awsecs.ListTasksOutput, error)
	DescribeTasks(ctx context.Context, in *awsecs.DescribeTasksInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeTasksOutput, error)
	StopTask(ctx context.Context, in *awsecs.StopTaskInput, optFns ...func(*awsecs.Options)) (*awsecs.StopTaskOutput, error)
}

var _ TasksAPI = (*awsecs.Client)(nil)

// describeTasksBatch is how many tasks one DescribeTasks call takes.
const describeTasksBatch = 100

// Task is what `tasks` shows of one task.
type Task struct {
	ID             string `json:"id"`
	ARN            string `json:"arn"`
	TaskDefinition string `json:"task_definition"`
	// Old: a revision other than the one its service runs now.
	Old           bool            `json:"old"`
	LastStatus    string          `json:"last_status"`
	DesiredStatus string          `json:"desired_status"`
	Health        string          `json:"health"`
	StartedAt     *time.Time      `json:"started_at,omitempty"`
	StoppedAt     *time.Time      `json:"stopped_at,omitempty"`
	StopCode      string          `json:"stop_code,omitempty"`
	StoppedReason string          `json:"stopped_reason,omitempty"`
	Containers    []TaskContainer `json:"containers"`
	Zone          string          `json:"availability_zone,omitempty"`
	IP            string          `json:"ip,omitempty"`
	StartedBy     string          `json:"started_by,omitempty"`
	Group         string          `json:"group,omitempty"`
	// ExecuteCommand: ECS Exec was enabled when the task started.
	ExecuteCommand bool      `json:"execute_command"`
	CreatedAt      time.Time `json:"-"`
}

// TaskContainer is one container of a task.
type TaskContainer struct {
	Name       string `json:"name"`
	LastStatus string `json:"last_status"`
	Health     string `json:"health,omitempty"`
	ExitCode   *int32 `json:"exit_code,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// ServiceTasks are a service's running tasks and its recently stopped
// ones (ECS shows stopped tasks for about an hour).
type ServiceTasks struct {
	Name    string `json:"name"`
	Exists  bool   `json:"exists"`
	Cluster string `json:"cluster"`
	// TaskDefinition is the revision the service runs.
	TaskDefinition string `json:"task_definition,omitempty"`
	// DeploymentInProgress: old tasks are the rollout's own to replace.
	DeploymentInProgress bool   `json:"deployment_in_progress"`
	Tasks                []Task `json:"tasks"`
}

// ListServiceTasks are the named services' running tasks (newest first)
// and, after them, up to stopped of their recently stopped tasks (most
// recently stopped first).
func ListServiceTasks(ctx context.Context, api TasksAPI, cluster string, names []string, stopped int) ([]ServiceTasks, error) {
	found := map[string]*types.Service{}
	for batch := range slices.Chunk(names, describeServicesBatch) {
		out, err := api.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: batch})
		if err != nil {
			return nil, fmt.Errorf("describe services in cluster %s: %w", cluster, err)
		}
		for i := range out.Services {
			found[aws.ToString(out.Services[i].ServiceName)] = &out.Services[i]
		}
	}
	out := make([]ServiceTasks, len(names))
	for i, name := range names {
		st := ServiceTasks{Name: name, Cluster: cluster, Tasks: []Task{}}
		svc := found[name]
		if svc == nil || aws.ToString(svc.Status) == "INACTIVE" {
			out[i] = st
			continue
		}
		st.Exists, st.TaskDefinition, st.DeploymentInProgress = true, aws.ToString(svc.TaskDefinition), deploymentInProgress(svc) || len(svc.TaskSets) > 1
		current := aws.ToString(svc.TaskDefinition)
		if usesTaskSets(svc) {
			if primary := primaryTaskSet(svc); primary != nil {
				current = aws.ToString(primary.TaskDefinition)
				st.TaskDefinition = current
			}
		}
		for _, status := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
			tasks, err := FindTasks(ctx, api, &awsecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(name), DesiredStatus: status})
			if err != nil {
				return nil, fmt.Errorf("tasks of service %s: %w", name, err)
			}
			if status == types.DesiredStatusStopped {
				slices.SortStableFunc(tasks, func(a, b Task) int { return timeOf(b.StoppedAt, b.CreatedAt).Compare(timeOf(a.StoppedAt, a.CreatedAt)) })
				tasks = tasks[:min(len(tasks), max(stopped, 0))]
			} else {
				slices.SortStableFunc(tasks, func(a, b Task) int { return timeOf(b.StartedAt, b.CreatedAt).Compare(timeOf(a.StartedAt, a.CreatedAt)) })
			}
			for j := range tasks {
				tasks[j].Old = tasks[j].TaskDefinition != current
			}
			st.Tasks = append(st.Tasks, tasks...)
		}
		out[i] = st
	}
	return out, nil
}

func timeOf(t *time.Time, otherwise time.Time) time.Time {
	if t != nil {
		return *t
	}
	return otherwise
}

// FindTasks lists the tasks in (every page) and describes them.
func FindTasks(ctx context.Context, api TasksAPI, in *awsecs.ListTasksInput) ([]Task, error) {
	var arns []string
	for {
		out, err := api.ListTasks(ctx, in)
		if err != nil {
			return nil, err
		}
		arns = append(arns, out.TaskArns...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	raw, err := DescribeTaskList(ctx, api, aws.ToString(in.Cluster), arns)
	if err != nil {
		return nil, err
	}
	tasks := make([]Task, len(raw))
	for i := range raw {
		tasks[i] = TaskOf(raw[i])
	}
	return tasks, nil
}

// DescribeTaskList describes tasks (by ARN or ID), a hundred a call, in the order given;
// tasks ECS no longer knows are left out.
func DescribeTaskList(ctx context.Context, api TasksAPI, cluster string, arns []string) ([]types.Task, error) {
	byARN := map[string]types.Task{}
	for batch := range slices.Chunk(arns, describeTasksBatch) {
		out, err := api.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: batch})
		if err != nil {
			return nil, fmt.Errorf("describe tasks: %w", err)
		}
		for _, t := range out.Tasks {
			byARN[aws.ToString(t.TaskArn)] = t
		}
	}
	var tasks []types.Task
	for _, ref := range arns {
		if t, ok := byARN[ref]; ok {
			tasks = append(tasks, t)
			continue
		}
		for arn, t := range byARN { // named by ID
			if TaskID(arn) == ref {
				tasks = append(tasks, t)
			}
		}
	}
	return tasks, nil
}

// TaskOf is what `tasks` shows of an ECS task.
func TaskOf(t types.Task) Task {
	out := Task{
		ID: TaskID(aws.ToString(t.TaskArn)), ARN: aws.ToString(t.TaskArn), TaskDefinition: aws.ToString(t.TaskDefinitionArn),
		LastStatus: aws.ToString(t.LastStatus), DesiredStatus: aws.ToString(t.DesiredStatus), Health: string(t.HealthStatus),
		StartedAt: t.StartedAt, StoppedAt: t.StoppedAt, StopCode: string(t.StopCode), StoppedReason: aws.ToString(t.StoppedReason),
		Zone: aws.ToString(t.AvailabilityZone), StartedBy: aws.ToString(t.StartedBy), Group: aws.ToString(t.Group), ExecuteCommand: t.EnableExecuteCommand,
		Containers: []TaskContainer{}, CreatedAt: aws.ToTime(t.CreatedAt),
	}
	for _, a := range t.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "privateIPv4Address" && out.IP == "" {
				out.IP = aws.ToString(d.Value)
			}
		}
	}
	for _, c := range t.Containers {
		if out.IP == "" {
			for _, ni := range c.NetworkInterfaces {
				out.IP = aws.ToString(ni.PrivateIpv4Address)
			}
		}
		out.Containers = append(out.Containers, TaskContainer{Name: aws.ToString(c.Name), LastStatus: aws.ToString(c.LastStatus),
			Health: string(c.HealthStatus), ExitCode: c.ExitCode, Reason: aws.ToString(c.Reason)})
	}
	slices.SortFunc(out.Containers, func(a, b TaskContainer) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// TaskID is the ID at the end of a task ARN.
func TaskID(arn string) string { return ShortRevision(arn) }

// StoppedTask is a task `tasks --stop` stopped.
type StoppedTask struct {
	Service        string `json:"service"`
	ID             string `json:"id"`
	TaskDefinition string `json:"task_definition"`
	Err            error  `json:"-"`
	Error          string `json:"error,omitempty"`
}

// StopReason is what ECS records as the reason for tasks tamp stops.
const StopReason = "Stopped by tamp tasks --stop"

// StopTasks stops the running tasks ids name (an ID or an ARN), and with
// allOld every running task of a service on another revision than the
// service's. Every ID must be a running task of one of the services and
// no service may have a deployment in progress with allOld; otherwise
// nothing is stopped.
func StopTasks(ctx context.Context, api TasksAPI, services []ServiceTasks, ids []string, allOld bool) ([]StoppedTask, error) {
	var todo []StoppedTask
	var errs []error
	for _, id := range ids {
		var hit *StoppedTask
		for _, st := range services {
			for _, t := range st.Tasks {
				if t.ID == id || t.ARN == id {
					if t.DesiredStatus != "RUNNING" {
						errs = append(errs, fmt.Errorf("--stop %s: the task of service %s is %s already", id, st.Name, t.LastStatus))
					}
					hit = &StoppedTask{Service: st.Name, ID: t.ID, TaskDefinition: t.TaskDefinition}
				}
			}
		}
		if hit == nil {
			errs = append(errs, fmt.Errorf("--stop %s: no task of that ID runs in service %s", id, serviceList(services)))
			continue
		}
		todo = append(todo, *hit)
	}
	if allOld {
		for _, st := range services {
			if st.DeploymentInProgress {
				errs = append(errs, fmt.Errorf("--stop-all-old: service %s has a deployment in progress, whose rollout replaces its old tasks; follow it with `tamp wait --only %s`", st.Name, st.Name))
				continue
			}
			for _, t := range st.Tasks {
				if t.Old && t.DesiredStatus == "RUNNING" && !slices.ContainsFunc(todo, func(x StoppedTask) bool { return x.ID == t.ID }) {
					todo = append(todo, StoppedTask{Service: st.Name, ID: t.ID, TaskDefinition: t.TaskDefinition})
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, config.Invalid(err) // nothing was stopped
	}
	g := boundedChanges(0)
	for i := range todo {
		s := &todo[i]
		cluster := ""
		for _, st := range services {
			if st.Name == s.Service {
				cluster = st.Cluster
			}
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				s.Err = fmt.Errorf("task %s: not stopped: %w", s.ID, err)
				return nil
			}
			sctx, cancel := sent(ctx)
			defer cancel()
			if _, err := api.StopTask(sctx, &awsecs.StopTaskInput{Cluster: aws.String(cluster), Task: aws.String(s.ID), Reason: aws.String(StopReason)}); err != nil {
				s.Err = fmt.Errorf("stop task %s of service %s: %w", s.ID, s.Service, err)
			}
			return nil
		})
	}
	g.Wait()
	for i := range todo {
		if todo[i].Err != nil {
			todo[i].Error = todo[i].Err.Error()
			errs = append(errs, todo[i].Err)
		}
	}
	return todo, errors.Join(errs...)
}

func serviceList(services []ServiceTasks) string {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// TasksOfServices are the services' running tasks and those ECS still
// shows stopped, for reading their logs.
func TasksOfServices(ctx context.Context, api TasksAPI, cluster string, names []string) ([]Task, error) {
	services, err := ListServiceTasks(ctx, api, cluster, names, 100)
	if err != nil {
		return nil, err
	}
	var tasks []Task
	for _, s := range services {
		tasks = append(tasks, s.Tasks...)
	}
	return tasks, nil
}

// TasksByID is the task of the cluster that id (an ID or ARN) names; none
// is an input error.
func TasksByID(ctx context.Context, api TasksAPI, cluster, id string) ([]Task, error) {
	raw, err := DescribeTaskList(ctx, api, cluster, []string{id})
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, config.Invalid(fmt.Errorf("--task %s: no such task in cluster %s (ECS shows stopped tasks for about an hour)", id, cluster))
	}
	return []Task{TaskOf(raw[0])}, nil
}
