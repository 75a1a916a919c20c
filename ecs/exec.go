package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/config"
)

// ExecAPI is the part of ECS that ECS Exec uses.
type ExecAPI interface {
	TasksAPI
	TaskDefinitionAPI
	ExecuteCommand(ctx context.Context, in *awsecs.ExecuteCommandInput, optFns ...func(*awsecs.Options)) (*awsecs.ExecuteCommandOutput, error)
}

var _ ExecAPI = (*awsecs.Client)(nil)

// SessionPlugin carries an ECS Exec session (session-manager-plugin).
type SessionPlugin interface {
	// Check says why the plugin cannot run, before a session is opened.
	Check() error
	Run(ctx context.Context, args []string) error
}

// Exec opens an ECS Exec session in a container of a service's running
// task and hands it to session-manager-plugin with the arguments the AWS
// CLI gives it.
type Exec struct {
	API     ExecAPI
	Cluster string
	Plugin  SessionPlugin
	// Region, Profile and Endpoint are what the plugin is told: the
	// region, the AWS profile ("" for none) and the ECS endpoint.
	Region, Profile, Endpoint string
	// Opened is told the task and container the session is in.
	Opened func(task, container string)
}

// ExecOptions are exec's choices.
type ExecOptions struct {
	Service string
	// Task is a task ID or ARN of the service; "" for its newest running
	// task on the revision the service runs.
	Task      string
	Container string // "" for the task definition's first essential container
	Command   string // default /bin/sh
}

// Run opens the session and runs the plugin until it ends.
func (e *Exec) Run(ctx context.Context, o ExecOptions) error {
	if err := e.Plugin.Check(); err != nil {
		return err
	}
	task, err := e.task(ctx, o)
	if err != nil {
		return err
	}
	if !task.EnableExecuteCommand {
		return config.Invalid(fmt.Errorf("task %s of service %s was started without ECS Exec: set \"enableExecuteCommand\": true in the service definition, then `tamp deploy --force-new-deployment` so that new tasks start with it",
			TaskID(aws.ToString(task.TaskArn)), o.Service))
	}
	container, err := e.container(ctx, task, o.Container)
	if err != nil {
		return err
	}
	command := o.Command
	if command == "" {
		command = "/bin/sh"
	}
	out, err := e.API.ExecuteCommand(ctx, &awsecs.ExecuteCommandInput{Cluster: aws.String(e.Cluster), Task: task.TaskArn,
		Container: aws.String(container.name), Command: aws.String(command), Interactive: true})
	if err != nil {
		return execError(err, TaskID(aws.ToString(task.TaskArn)))
	}
	if out.Session == nil {
		return fmt.Errorf("ExecuteCommand answered no session")
	}
	args, err := e.PluginArgs(out, container.runtimeID)
	if err != nil {
		return err
	}
	if e.Opened != nil {
		e.Opened(TaskID(aws.ToString(out.TaskArn)), aws.ToString(out.ContainerName))
	}
	return e.Plugin.Run(ctx, args)
}

// PluginArgs are session-manager-plugin's arguments for a session, as the
// AWS CLI passes them: the session (sessionId, streamUrl, tokenValue) as
// JSON, the region, "StartSession", the profile, the target
// {"Target": "ecs:CLUSTER_TASK_RUNTIMEID"} as JSON, the ECS endpoint.
func (e *Exec) PluginArgs(out *awsecs.ExecuteCommandOutput, runtimeID string) ([]string, error) {
	session := pyJSON([][2]string{{"sessionId", aws.ToString(out.Session.SessionId)}, {"streamUrl", aws.ToString(out.Session.StreamUrl)},
		{"tokenValue", aws.ToString(out.Session.TokenValue)}})
	cluster := ShortRevision(aws.ToString(out.ClusterArn))
	target := pyJSON([][2]string{{"Target", fmt.Sprintf("ecs:%s_%s_%s", cluster, TaskID(aws.ToString(out.TaskArn)), runtimeID)}})
	return []string{session, e.Region, "StartSession", e.Profile, target, e.Endpoint}, nil
}

// pyJSON is an object of strings written as the AWS CLI's Python writes
// it (json.dumps): keys in order, ", " and ": " between them, no HTML
// escapes, anything beyond ASCII as \uXXXX.
func pyJSON(fields [][2]string) string {
	quote := func(s string) string {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			switch {
			case r == '"' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r == '\t':
				b.WriteString(`\t`)
			case r == '\b':
				b.WriteString(`\b`)
			case r == '\f':
				b.WriteString(`\f`)
			case r < 0x20 || r > 0x7e:
				for _, u := range utf16.Encode([]rune{r}) {
					fmt.Fprintf(&b, `\u%04x`, u)
				}
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = quote(f[0]) + ": " + quote(f[1])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// task is the task to open the session in: the one named (a running task
// of the service), else the newest running one on the service's revision
// (any running one when none is).
func (e *Exec) task(ctx context.Context, o ExecOptions) (types.Task, error) {
	out, err := e.API.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(e.Cluster), Services: []string{o.Service}})
	if err != nil {
		return types.Task{}, fmt.Errorf("describe service %s: %w", o.Service, err)
	}
	if len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE" {
		return types.Task{}, config.Invalid(fmt.Errorf("service %s does not exist in cluster %s", o.Service, e.Cluster))
	}
	svc := out.Services[0]
	if o.Task == "" && !svc.EnableExecuteCommand {
		return types.Task{}, config.Invalid(fmt.Errorf("ECS Exec is not enabled on service %s: set \"enableExecuteCommand\": true in its service definition and deploy with --force-new-deployment (tasks keep the setting they started with); the task role also needs the ssmmessages permissions ECS Exec uses", o.Service))
	}
	var arns []string
	if o.Task != "" {
		arns = []string{o.Task}
	} else {
		list, err := e.API.ListTasks(ctx, &awsecs.ListTasksInput{Cluster: aws.String(e.Cluster), ServiceName: aws.String(o.Service), DesiredStatus: types.DesiredStatusRunning})
		if err != nil {
			return types.Task{}, fmt.Errorf("tasks of service %s: %w", o.Service, err)
		}
		arns = list.TaskArns
	}
	tasks, err := DescribeTaskList(ctx, e.API, e.Cluster, arns)
	if err != nil {
		return types.Task{}, err
	}
	var running []types.Task
	for _, t := range tasks {
		if aws.ToString(t.LastStatus) == "RUNNING" && aws.ToString(t.Group) == "service:"+o.Service {
			running = append(running, t)
		}
	}
	if o.Task != "" {
		if len(running) == 0 {
			return types.Task{}, config.Invalid(fmt.Errorf("--task %s: no running task of service %s has that ID (see `tamp tasks --only %s`)", o.Task, o.Service, o.Service))
		}
		return running[0], nil
	}
	if len(running) == 0 {
		return types.Task{}, config.Invalid(fmt.Errorf("service %s runs no task to exec into", o.Service))
	}
	slices.SortStableFunc(running, func(a, b types.Task) int { return aws.ToTime(b.StartedAt).Compare(aws.ToTime(a.StartedAt)) })
	for _, t := range running {
		if aws.ToString(t.TaskDefinitionArn) == aws.ToString(svc.TaskDefinition) {
			return t, nil
		}
	}
	return running[0], nil
}

type execContainer struct{ name, runtimeID string }

// container is the container named, or the task definition's first
// essential one.
func (e *Exec) container(ctx context.Context, task types.Task, name string) (execContainer, error) {
	var names []string
	for _, c := range task.Containers {
		names = append(names, aws.ToString(c.Name))
	}
	if name == "" {
		td, err := e.API.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: task.TaskDefinitionArn})
		if err != nil {
			return execContainer{}, fmt.Errorf("task definition %s: %w", ShortRevision(aws.ToString(task.TaskDefinitionArn)), err)
		}
		name = FirstEssential(td.TaskDefinition.ContainerDefinitions)
	}
	for _, c := range task.Containers {
		if aws.ToString(c.Name) == name {
			return execContainer{name: name, runtimeID: aws.ToString(c.RuntimeId)}, nil
		}
	}
	return execContainer{}, config.Invalid(fmt.Errorf("--container %s: task %s has no container of that name; it has %s", name, TaskID(aws.ToString(task.TaskArn)), strings.Join(names, ", ")))
}

// execError says how to fix what ECS refused.
func execError(err error, task string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "execute command was not enabled") {
		return fmt.Errorf("ECS Exec into task %s: %w; set \"enableExecuteCommand\": true in the service definition and `tamp deploy --force-new-deployment`, and check that the task role allows ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel", task, err)
	}
	return fmt.Errorf("ECS Exec into task %s: %w", task, err)
}
