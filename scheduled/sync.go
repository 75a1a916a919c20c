package scheduled

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/internal/diffreport"
)

// STSAPI is the part of STS a Syncer uses: the account, for the cluster's
// ARN when no task definition ARN tells it.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// LoadTasks reads the config's scheduled tasks and checks them offline,
// their override container names against the config's task definitions in
// defs. Every problem is an input error.
func LoadTasks(p *config.Project, defs *ecs.Definitions) ([]*Task, error) {
	if p.Scheduled == nil {
		return nil, config.Invalid(fmt.Errorf("%s: no scheduled block in the config", p.Path))
	}
	tasks, err := Load(p, p.Path, p.Scheduled)
	if err != nil {
		return nil, config.Invalid(err)
	}
	return tasks, Check(tasks, p.Scheduled.Backend, defs)
}

// Check validates tasks offline for backend, their override container
// names against the task definitions in defs; the problems are an input
// error.
func Check(tasks []*Task, backend string, defs *ecs.Definitions) error {
	containers := func(name string) ([]string, bool) {
		if td := defs.FindTaskDefinition(name); td != nil {
			// A definition that did not decode (verify keeps it) has no
			// container names to check against.
			return td.Containers, td.Input != nil
		}
		return nil, false
	}
	return config.Invalid(errors.Join(Validate(tasks, backend, containers)...))
}

// Names are the tasks' names, in order.
func Names(tasks []*Task) []string {
	names := make([]string, len(tasks))
	for i, t := range tasks {
		names[i] = t.Name
	}
	return names
}

// Syncer plans and applies a config's scheduled tasks on its backend:
// EventBridge Scheduler's group or EventBridge rules. It resolves each
// task's task_definition to the revision it runs (a config task
// definition through register, so a schedule runs exactly the revision a
// deploy registered or reused) and the cluster to its ARN.
type Syncer struct {
	Config     *config.Scheduled
	ConfigPath string
	Cluster    string // name; ECS's default when ""
	Region     string // the resolved region, for a cluster ARN built from STS
	Defs       *ecs.Definitions
	Tasks      []*Task // every scheduled task of the config, validated

	ECS       ecs.API
	Scheduler SchedulerAPI
	Events    EventsAPI
	STS       STSAPI
	// Concurrency bounds the AWS requests at once (awsclient.Concurrency
	// when 0).
	Concurrency int
}

// PlanOptions say which scheduled tasks a plan covers and how their
// revisions are found.
type PlanOptions struct {
	// Register registers the config task definitions the tasks run first
	// (idempotently); without it a plan assumes what register would do.
	Register              bool
	DisableAll, EnableAll bool
	// Only and Referencing say which tasks are in scope: those Only names
	// and those whose task_definition Referencing names (deploy and
	// rollback repoint only those). With both nil every task is.
	Only        []string
	Referencing []string
	// Pinned maps a task_definition to the revision ARN to use (rollback).
	Pinned map[string]string
}

// SyncPlan is what a sync would do, with the backend it applies to.
type SyncPlan struct {
	Report  diffreport.Report
	plan    *Plan
	backend Backend
	limit   int
}

// Applied is what a sync did.
type Applied struct {
	Created, Updated, Unchanged, Deleted int
	// Left are owned schedules the config no longer lists, kept because
	// the sync did not prune.
	Left   int
	Pruned bool
	// NotStarted are the changes an interrupt kept from starting (every
	// change that started was seen through); a sync run again makes them.
	NotStarted int
}

// ScopeOptions are the plan options for an --only scope: the scheduled
// tasks it names and those that run a service or task definition it
// names; every task without --only.
func ScopeOptions(s *config.Scope) PlanOptions {
	if !s.Narrowed() {
		return PlanOptions{}
	}
	return PlanOptions{Only: append([]string{}, s.Tasks...), Referencing: s.DefinitionNames()}
}

// String is the line a sync reports.
func (a Applied) String() string {
	msg := fmt.Sprintf("scheduled: %d created, %d updated, %d unchanged", a.Created, a.Updated, a.Unchanged)
	if a.Pruned {
		msg += fmt.Sprintf(", %d deleted", a.Deleted)
	} else if a.Left > 0 {
		noun, verb := "schedules", "were"
		if a.Left == 1 {
			noun, verb = "schedule", "was"
		}
		msg += fmt.Sprintf("; %d owned %s not in the config %s left (--prune deletes them)", a.Left, noun, verb)
	}
	if a.NotStarted > 0 {
		msg += fmt.Sprintf("; interrupted: %d not started (run the sync again to finish)", a.NotStarted)
	}
	return msg
}

// Select keeps the tasks in scope, in config order.
func (s *Syncer) Select(o PlanOptions) []*Task { return Select(s.Tasks, o) }

// Select keeps the tasks o leaves in scope, in their order.
func Select(tasks []*Task, o PlanOptions) []*Task {
	if o.Only == nil && o.Referencing == nil {
		return tasks
	}
	var out []*Task
	for _, t := range tasks {
		if slices.Contains(o.Only, t.Name) || slices.Contains(o.Referencing, t.TaskDefinition) {
			out = append(out, t)
		}
	}
	return out
}

// Plan resolves the tasks in scope and compares them with the backend.
func (s *Syncer) Plan(ctx context.Context, o PlanOptions) (*SyncPlan, error) {
	if s.Config.RoleArn == "" {
		return nil, config.Invalid(fmt.Errorf("%s: scheduled.role_arn is required: the role EventBridge runs the tasks with", s.ConfigPath))
	}
	tasks := s.Select(o)
	arns, firsts, err := s.revisions(ctx, tasks, o.Register, o.Pinned)
	if err != nil {
		return nil, err
	}
	clusterArn, err := s.clusterARN(ctx, arns)
	if err != nil {
		return nil, err
	}
	backend := s.backend(clusterArn)
	remote, exists, err := backend.Remote(ctx)
	if err != nil {
		return nil, err
	}
	if o.Only != nil || o.Referencing != nil {
		// Only the tasks in scope are compared; nothing else is to delete.
		for name := range remote {
			if !slices.ContainsFunc(tasks, func(t *Task) bool { return t.Name == name }) {
				delete(remote, name)
			}
		}
	}
	var resolved []*Task
	for _, t := range tasks {
		r := Resolve(t, arns[t.TaskDefinition], firsts[t.TaskDefinition])
		r.ClusterArn = clusterArn
		if r.RoleArn == "" {
			r.RoleArn = s.Config.RoleArn
		}
		switch {
		case o.DisableAll:
			r.Disabled = true
		case o.EnableAll:
			r.Disabled = false
		}
		resolved = append(resolved, r)
	}
	plan, err := MakePlan(resolved, remote, exists)
	if err != nil {
		return nil, err
	}
	return &SyncPlan{Report: plan.Report, plan: plan, backend: backend, limit: s.limit()}, nil
}

// Apply makes the plan's changes; owned schedules the config no longer
// lists are deleted only with prune. After an interrupt the changes
// started are seen through, the rest are counted as not started, and the
// error is ctx's, once.
func (p *SyncPlan) Apply(ctx context.Context, prune bool) (Applied, error) {
	return p.plan.Apply(ctx, p.backend, prune, p.limit)
}

// Sync plans and applies in one step, never pruning: deploy and rollback
// repoint schedules this way.
func (s *Syncer) Sync(ctx context.Context, o PlanOptions) (Applied, error) {
	plan, err := s.Plan(ctx, o)
	if err != nil {
		return Applied{}, err
	}
	return plan.Apply(ctx, false)
}

// RevisionsInUse are the task definition revisions (ARNs) the config's
// scheduled tasks in AWS run now.
func (s *Syncer) RevisionsInUse(ctx context.Context) (map[string]bool, error) {
	remote, _, err := s.backend("").Remote(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the scheduled tasks' revisions: %w", err)
	}
	used := map[string]bool{}
	for _, t := range remote {
		used[t.TaskDefinition] = true
	}
	return used, nil
}

// RunNow is the RunTask request that runs the named task now, as its
// schedule would after a sync (its config task definition registered
// idempotently), the containers of the revision, and the container whose
// exit counts.
func (s *Syncer) RunNow(ctx context.Context, name string) (*awsecs.RunTaskInput, []ecstypes.ContainerDefinition, string, error) {
	i := slices.IndexFunc(s.Tasks, func(t *Task) bool { return t.Name == name })
	if i < 0 {
		return nil, nil, "", config.Invalid(fmt.Errorf("scheduled run: no scheduled task named %s; the config has %s", name, strings.Join(Names(s.Tasks), ", ")))
	}
	t := s.Tasks[i]
	arn, containers, err := ecs.Runnable(ctx, s.ECS, s.Defs, t.TaskDefinition)
	if err != nil {
		return nil, nil, "", err
	}
	first := ""
	if len(containers) > 0 {
		first = aws.ToString(containers[0].Name)
	}
	watch := WatchedContainer(t)
	if watch == "" {
		watch = ecs.FirstEssential(containers)
	}
	return RunTaskInput(Resolve(t, arn, first), ecs.ClusterName(s.Cluster)), containers, watch, nil
}

// Prove runs the named task once, now, on the revision a sync points the
// schedules at (scheduled sync --canary), and follows it to its end; a
// task that does not exit 0 is an *ecs.ProofError, and the sync must then
// change nothing.
func (s *Syncer) Prove(ctx context.Context, name string, run *ecs.TaskRun) error {
	in, containers, watch, err := s.RunNow(ctx, name)
	if err != nil {
		return err
	}
	if err := run.Run(ctx, in, containers, watch, false); err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return &ecs.ProofError{What: "canary " + name, Err: fmt.Errorf("%w; no schedule was changed", err)}
	}
	return nil
}

func (s *Syncer) limit() int {
	if s.Concurrency > 0 {
		return s.Concurrency
	}
	return awsclient.Concurrency
}

// backend is the config's backend, for tasks on the cluster ARN given.
// The rules backend reads rules named like the config's tasks directly.
func (s *Syncer) backend(clusterArn string) Backend {
	if s.Config.Backend == config.BackendEvents {
		return &EventsBackend{API: s.Events, Group: s.Config.Group, RoleArn: s.Config.RoleArn, ClusterArn: clusterArn,
			Concurrency: s.limit(), Names: Names(s.Tasks)}
	}
	return &SchedulerBackend{API: s.Scheduler, Group: s.Config.Group, RoleArn: s.Config.RoleArn, ClusterArn: clusterArn, Concurrency: s.limit()}
}

// revisions maps each task's task_definition to the revision ARN it runs
// and its first container: config task definitions through register (or
// what register would do), others through describe.
func (s *Syncer) revisions(ctx context.Context, tasks []*Task, register bool, pinned map[string]string) (map[string]string, map[string]string, error) {
	arns, firsts := map[string]string{}, map[string]string{}
	var local []*ecs.TaskDefinition
	for _, t := range tasks {
		if _, done := arns[t.TaskDefinition]; done {
			continue
		}
		arns[t.TaskDefinition] = ""
		td := s.Defs.FindTaskDefinition(t.TaskDefinition)
		if td != nil {
			firsts[t.TaskDefinition] = td.Containers[0]
		}
		if arn, ok := pinned[t.TaskDefinition]; ok {
			arns[t.TaskDefinition] = arn
			continue
		}
		if td != nil {
			local = append(local, td)
			continue
		}
		out, err := s.ECS.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(t.TaskDefinition)})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ClientException" && strings.Contains(ae.ErrorMessage(), "Unable to describe task definition") {
			// A name that is nowhere is bad input, found while planning,
			// before anything is registered or written.
			file := s.ConfigPath
			if tf := s.Config.TasksFile; tf != "" {
				file = tf
				if !filepath.IsAbs(tf) {
					file = filepath.Join(filepath.Dir(s.ConfigPath), tf)
				}
			}
			var names []string
			for _, td := range s.Defs.TaskDefinitions {
				names = append(names, td.Name)
			}
			inConfig := "the config has none"
			if len(names) > 0 {
				inConfig = "it has " + strings.Join(names, ", ")
			}
			inECS := fmt.Sprintf("a family %s with an ACTIVE revision", t.TaskDefinition)
			if family, rev, ok := strings.Cut(t.TaskDefinition, ":"); strings.HasPrefix(t.TaskDefinition, "arn:") {
				inECS = "a task definition with that ARN"
			} else if ok {
				inECS = fmt.Sprintf("a revision %s of family %s", rev, family)
			}
			return nil, nil, config.Invalid(fmt.Errorf("%s: scheduled task %s: task_definition: %q is neither a task definition of the config (%s) "+
				"nor %s in ECS; name one of the config's task definitions, or register that family first", file, t.Name, t.TaskDefinition, inConfig, inECS))
		}
		if err != nil {
			return nil, nil, fmt.Errorf("scheduled task %s: task definition %s: %w", t.Name, t.TaskDefinition, err)
		}
		arns[t.TaskDefinition] = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		if len(out.TaskDefinition.ContainerDefinitions) > 0 {
			firsts[t.TaskDefinition] = aws.ToString(out.TaskDefinition.ContainerDefinitions[0].Name)
		}
	}
	if len(local) > 0 {
		results, err := ecs.Register(ctx, s.ECS, local, !register)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range results {
			arns[r.Name] = r.ARN
			if r.ARN == "" { // a dry run of a definition that would get a new revision
				arns[r.Name] = r.Family + ":(new revision)"
			}
		}
	}
	return arns, firsts, nil
}

// clusterARN is the cluster's ARN, from the partition, region and account
// of a task definition ARN, else from STS.
func (s *Syncer) clusterARN(ctx context.Context, arns map[string]string) (string, error) {
	cluster := ecs.ClusterName(s.Cluster)
	for _, arn := range arns {
		parts := strings.Split(arn, ":")
		if len(parts) >= 6 && parts[0] == "arn" {
			return fmt.Sprintf("arn:%s:ecs:%s:%s:cluster/%s", parts[1], parts[3], parts[4], cluster), nil
		}
	}
	id, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("find the account for the cluster ARN: %w", err)
	}
	partition := "aws"
	if parts := strings.Split(aws.ToString(id.Arn), ":"); len(parts) > 1 && parts[0] == "arn" {
		partition = parts[1]
	}
	return fmt.Sprintf("arn:%s:ecs:%s:%s:cluster/%s", partition, s.Region, aws.ToString(id.Account), cluster), nil
}
