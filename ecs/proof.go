package ecs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
)

// BeforeTask is a one-off task a deploy runs on the new revision before it
// changes any service or schedule (a migration, say).
type BeforeTask struct {
	Field string // where the config sets it: "deploy.before[0]", "services[1].before[0]"
	// Service is the config service whose deploy runs it; "" for
	// deploy.before, which every deploy runs.
	Service string
	Spec    RunSpec
}

// Name is the config service or task definition the task runs.
func (b BeforeTask) Name() string { return cmp.Or(b.Spec.Service, b.Spec.TaskDefinition) }

// What names the task in messages: its field, what it runs and its
// command.
func (b BeforeTask) What() string {
	what := b.Field + " (" + b.Name()
	if len(b.Spec.Command) > 0 {
		what += ": " + strings.Join(b.Spec.Command, " ")
	}
	return what + ")"
}

// BeforeTasks are the pre-deploy tasks of a deploy of services (config
// names): deploy.before, then the before of each of those services, in
// config order. A command is a list of words or one string of shell words.
func BeforeTasks(c *config.Config, cluster string, services []string) ([]BeforeTask, error) {
	var tasks []BeforeTask
	var errs []error
	add := func(field, service string, b config.BeforeTask) {
		spec := RunSpec{TaskDefinition: b.TaskDefinition, Service: b.Service, Container: b.Container, Watch: b.WatchContainer,
			Cluster: cluster, Count: 1}
		if spec.TaskDefinition == "" && spec.Service == "" {
			spec.Service = service
		}
		switch cmd := b.Command.(type) {
		case string:
			words, err := CommandWords(cmd)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s.command: %s", c.Path, field, strings.TrimPrefix(err.Error(), "--command: ")))
			}
			spec.Command = words
		case []any:
			for _, w := range cmd {
				s, _ := w.(string) // checked when the config loaded
				spec.Command = append(spec.Command, s)
			}
		}
		tasks = append(tasks, BeforeTask{Field: field, Service: service, Spec: spec})
	}
	if c.Deploy != nil {
		for i, b := range c.Deploy.Before {
			add(fmt.Sprintf("deploy.before[%d]", i), "", b)
		}
	}
	for i, s := range c.Services {
		if !slices.Contains(services, s.Name) {
			continue
		}
		for j, b := range s.Before {
			add(fmt.Sprintf("services[%d].before[%d]", i, j), s.Name, b)
		}
	}
	return tasks, errors.Join(errs...)
}

// BeforeSelection is what the pre-deploy tasks run: the services they
// name (with their service definitions, for the network) and the task
// definitions.
func BeforeSelection(c *config.Config, tasks []BeforeTask) config.Selection {
	var sel config.Selection
	for _, s := range c.Services {
		if slices.ContainsFunc(tasks, func(b BeforeTask) bool { return b.Spec.Service == s.Name || b.Spec.TaskDefinition == s.Name }) {
			sel.Services = append(sel.Services, s)
		}
	}
	for _, td := range c.TaskDefinitions {
		if slices.ContainsFunc(tasks, func(b BeforeTask) bool { return b.Spec.TaskDefinition == td.Name }) {
			sel.TaskDefinitions = append(sel.TaskDefinitions, td)
		}
	}
	return sel
}

// CanarySpecs are the canaries of a deploy of services (config names): a
// service's own canary block always; with all (deploy --canary), every
// other service too, with deploy.canary or the defaults.
func CanarySpecs(c *config.Config, services []string, all bool) map[string]CanarySpec {
	specs := map[string]CanarySpec{}
	for _, s := range c.Services {
		if !slices.Contains(services, s.Name) {
			continue
		}
		block := s.Canary
		if block == nil && all {
			block = &config.Canary{}
			if c.Deploy != nil && c.Deploy.Canary != nil {
				block = c.Deploy.Canary
			}
		}
		if block != nil {
			specs[s.Name] = canarySpec(block)
		}
	}
	return specs
}

func canarySpec(k *config.Canary) CanarySpec {
	spec := CanarySpec{Tasks: max(1, k.Tasks), HealthyFor: DefaultCanaryHealthyFor, Timeout: DefaultCanaryTimeout, TargetGroup: aws.ToBool(k.TargetGroup) || k.TargetGroup == nil}
	healthyFor, timeout, healthySet, timeoutSet := k.CanaryDurations()
	if healthySet {
		spec.HealthyFor = healthyFor
	}
	if timeoutSet {
		spec.Timeout = timeout
	}
	return spec
}

// Describe is the canary in words, for deploy --dry-run.
func (s CanarySpec) Describe(svc *Service) string {
	tasks := "1 task"
	if s.Tasks > 1 {
		tasks = fmt.Sprintf("%d tasks", s.Tasks)
	}
	text := fmt.Sprintf("%s, healthy for %s within %s", tasks, s.HealthyFor, s.Timeout)
	if svc != nil && svc.Input != nil && s.TargetGroup {
		var names []string
		for _, lb := range svc.Input.LoadBalancers {
			if tg := aws.ToString(lb.TargetGroupArn); tg != "" {
				names = append(names, targetGroupName(tg))
			}
		}
		if len(names) > 0 {
			text += ", then healthy in target group " + strings.Join(names, ", ")
		}
	}
	return text
}

// NextRevision is a service a deploy is about to change, with the
// revision it will run: what a deploy proves before the change.
type NextRevision struct {
	Service        *Service
	Remote         *types.Service // nil: the service is created
	TaskDefinition string
	// Changes says the service will run another revision than it does
	// (or is created).
	Changes bool
}

// BeforeResult is how a pre-deploy task went.
type BeforeResult struct {
	Field          string   `json:"field"`
	Name           string   `json:"name"`
	TaskDefinition string   `json:"task_definition"`
	Command        []string `json:"command,omitempty"`
	Tasks          []string `json:"tasks"`
	ExitCode       *int32   `json:"exit_code,omitempty"`
	Error          string   `json:"error,omitempty"`
	Err            error    `json:"-"`
}

// RunBefore runs a pre-deploy task and follows it to its end, as tamp run
// does. Where it names a service of next (or that service's task
// definition), it runs the revision the deploy is about to deploy, as the
// service runs, and registers nothing; otherwise the config task
// definition is registered (idempotently). A task that does not exit 0 is
// a *ProofError.
func RunBefore(ctx context.Context, api API, run *TaskRun, defs *Definitions, b BeforeTask, next []NextRevision) BeforeResult {
	res := BeforeResult{Field: b.Field, Name: b.Name(), Command: b.Spec.Command}
	fail := func(err error) BeforeResult {
		res.Err = &ProofError{What: b.What(), Err: err}
		res.Error = res.Err.Error()
		return res
	}
	spec := b.Spec
	for _, n := range next {
		if n.Service.Name == b.Name() && n.TaskDefinition != "" {
			spec.Revision = n.TaskDefinition
			// A task definition named after a service it deploys runs as
			// that service runs (launch type, network, placement): an
			// awsvpc task cannot start without the network.
			spec.Service = n.Service.Name
		}
	}
	in, containers, watch, err := spec.Prepare(ctx, api, defs)
	if err != nil {
		return fail(err)
	}
	res.TaskDefinition = aws.ToString(in.TaskDefinition)
	r := *run
	r.Started = func(arns []string) {
		res.Tasks = append(res.Tasks, arns...)
		if run.Note != nil {
			run.Note(fmt.Sprintf("%s: started %s on %s", b.What(), strings.Join(taskIDs(arns), ", "), revisionOf(res.TaskDefinition)))
		}
	}
	if run.Line != nil {
		r.Line = func(line string) { run.Line(b.Name() + " | " + line) }
	}
	err = r.Run(ctx, in, containers, watch, false)
	var exit *ContainerExitError
	switch {
	case errors.As(err, &exit):
		res.ExitCode = aws.Int32(exit.Code)
		return fail(fmt.Errorf("%w; nothing was deployed", err))
	case err != nil:
		return fail(err)
	}
	res.ExitCode = aws.Int32(0)
	if run.Note != nil {
		run.Note(fmt.Sprintf("%s: exited 0", b.Field))
	}
	return res
}
