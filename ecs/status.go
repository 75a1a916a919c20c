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
	"golang.org/x/sync/errgroup"
)

// ServiceStatus is what `status` shows of a service.
type ServiceStatus struct {
	Name           string             `json:"name"`
	Exists         bool               `json:"exists"`
	Status         string             `json:"status,omitempty"`
	TaskDefinition string             `json:"task_definition,omitempty"`
	Desired        int32              `json:"desired"`
	Running        int32              `json:"running"`
	Pending        int32              `json:"pending"`
	Deployments    []DeploymentStatus `json:"deployments"`
	Events         []EventStatus      `json:"events"`
	// Controller is the deployment controller (ECS, CODE_DEPLOY,
	// EXTERNAL); Strategy the ECS controller's strategy (ROLLING,
	// BLUE_GREEN, LINEAR, CANARY).
	Controller string `json:"deployment_controller,omitempty"`
	Strategy   string `json:"strategy,omitempty"`
	// TaskSets: a CODE_DEPLOY or EXTERNAL service's task sets.
	TaskSets []TaskSetStatus `json:"task_sets,omitempty"`
	// ServiceDeployment: the newest deployment of an ECS-native
	// blue/green, linear or canary service, as the service deployments API
	// describes it.
	ServiceDeployment *ServiceDeploymentStatus `json:"service_deployment,omitempty"`
	// CodeDeployment: the newest CodeDeploy deployment of a CODE_DEPLOY
	// service (filled in by the caller that can ask CodeDeploy).
	CodeDeployment *CodeDeploymentStatus `json:"codedeploy,omitempty"`
	// AutoScaling: the service's Application Auto Scaling target (filled
	// in by the caller that can ask it).
	AutoScaling *ScalableTarget `json:"auto_scaling,omitempty"`
}

// TaskSetStatus is one of a service's task sets.
type TaskSetStatus struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"` // PRIMARY, ACTIVE, DRAINING
	TaskDefinition string  `json:"task_definition"`
	Stability      string  `json:"stability"`
	Desired        int32   `json:"desired"`
	Running        int32   `json:"running"`
	Pending        int32   `json:"pending"`
	Scale          float64 `json:"scale_percent"`
}

// ServiceDeploymentStatus is where an ECS-native deployment stands.
type ServiceDeploymentStatus struct {
	Status  string `json:"status"`
	Stage   string `json:"lifecycle_stage,omitempty"`
	Traffic string `json:"traffic,omitempty"` // the new revision's production share
	Reason  string `json:"reason,omitempty"`
	// Unavailable: why the service deployments API did not answer.
	Unavailable string `json:"unavailable,omitempty"`
}

// CodeDeploymentStatus is where a CodeDeploy deployment stands.
type CodeDeploymentStatus struct {
	ID      string                 `json:"id,omitempty"`
	Status  string                 `json:"status,omitempty"`
	Events  []LifecycleEventStatus `json:"lifecycle_events,omitempty"`
	Traffic string                 `json:"traffic,omitempty"` // "blue 0%, green 100%"
	Reason  string                 `json:"reason,omitempty"`
	// Error: why CodeDeploy could not be asked (no deployment group ...).
	Error string `json:"error,omitempty"`
}

// LifecycleEventStatus is a CodeDeploy lifecycle event's status.
type LifecycleEventStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// DeploymentStatus is one of a service's deployments.
type DeploymentStatus struct {
	ID             string    `json:"id"`
	Status         string    `json:"status"`
	TaskDefinition string    `json:"task_definition"`
	Rollout        string    `json:"rollout_state"`
	Desired        int32     `json:"desired"`
	Running        int32     `json:"running"`
	Pending        int32     `json:"pending"`
	Failed         int32     `json:"failed"`
	CreatedAt      time.Time `json:"created_at"`
}

// EventStatus is a service event.
type EventStatus struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// Status describes services, with their last events (newest last).
func Status(ctx context.Context, api API, cluster string, names []string, events int) ([]ServiceStatus, error) {
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
	var out []ServiceStatus
	for _, name := range names {
		st := ServiceStatus{Name: name, Deployments: []DeploymentStatus{}, Events: []EventStatus{}}
		svc := found[name]
		if svc != nil && aws.ToString(svc.Status) != "INACTIVE" {
			st.Exists, st.Status, st.TaskDefinition = true, aws.ToString(svc.Status), aws.ToString(svc.TaskDefinition)
			st.Desired, st.Running, st.Pending = svc.DesiredCount, svc.RunningCount, svc.PendingCount
			for _, d := range svc.Deployments {
				st.Deployments = append(st.Deployments, DeploymentStatus{
					ID: aws.ToString(d.Id), Status: aws.ToString(d.Status), TaskDefinition: aws.ToString(d.TaskDefinition),
					Rollout: string(d.RolloutState), Desired: d.DesiredCount, Running: d.RunningCount, Pending: d.PendingCount,
					Failed: d.FailedTasks, CreatedAt: aws.ToTime(d.CreatedAt),
				})
			}
			if c := svc.DeploymentController; c != nil {
				st.Controller = string(c.Type)
			}
			if c := svc.DeploymentConfiguration; c != nil {
				st.Strategy = string(c.Strategy)
			}
			for _, ts := range svc.TaskSets {
				t := TaskSetStatus{ID: aws.ToString(ts.Id), Status: aws.ToString(ts.Status), TaskDefinition: aws.ToString(ts.TaskDefinition),
					Stability: string(ts.StabilityStatus), Desired: ts.ComputedDesiredCount, Running: ts.RunningCount, Pending: ts.PendingCount}
				if ts.Scale != nil {
					t.Scale = ts.Scale.Value
				}
				st.TaskSets = append(st.TaskSets, t)
			}
			if nativeStrategy(svc) {
				st.ServiceDeployment = nativeStatus(ctx, api, cluster, name)
			}
			for i := min(events, len(svc.Events)) - 1; i >= 0; i-- {
				e := svc.Events[i]
				st.Events = append(st.Events, EventStatus{At: aws.ToTime(e.CreatedAt), Message: aws.ToString(e.Message)})
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// WaitCurrent follows each service's current PRIMARY deployment to its end
// (the services at once); timeout bounds each wait.
func (d *Deployer) WaitCurrent(ctx context.Context, cluster string, names []string, until Until, timeout time.Duration) error {
	statuses, err := Status(ctx, d.API, cluster, names, 0)
	if err != nil {
		return err
	}
	errs := make([]error, len(statuses))
	var waits errgroup.Group // unbounded: waiting is polling, and each wait is its own
	for i, st := range statuses {
		waits.Go(func() error {
			if st.Controller == string(types.DeploymentControllerTypeCodeDeploy) && st.Exists {
				errs[i] = d.waitCodeDeploy(ctx, cluster, st, until, timeout)
				return nil
			}
			primary := primaryOf(st)
			if primary == nil {
				errs[i] = fmt.Errorf("service %s does not exist or has no deployment in cluster %s", st.Name, cluster)
				return nil
			}
			errs[i] = d.waitFor(ctx, cluster, st.Name, Deployment{ID: primary.ID, TaskDefinition: primary.TaskDefinition}, until, primary.CreatedAt, timeout)
			return nil
		})
	}
	waits.Wait()
	return errors.Join(errs...)
}

// waitCodeDeploy follows a CODE_DEPLOY service's CodeDeploy deployment in
// progress, or, with none (or without CodeDeploy), its PRIMARY task set.
func (d *Deployer) waitCodeDeploy(ctx context.Context, cluster string, st ServiceStatus, until Until, timeout time.Duration) error {
	wctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if d.CodeDeploy != nil {
		found, err := d.CodeDeploy.Follow(wctx, cluster, st.Name)
		err = codeDeployTimeout(ctx, wctx, err, st.Name, timeout)
		if found || err != nil {
			return err
		}
	}
	for _, ts := range st.TaskSets {
		if ts.Status == "PRIMARY" {
			return d.waitFor(ctx, cluster, st.Name, Deployment{TaskDefinition: ts.TaskDefinition}, until, time.Time{}, timeout)
		}
	}
	return fmt.Errorf("service %s has no PRIMARY task set in cluster %s", st.Name, cluster)
}

func primaryOf(st ServiceStatus) *DeploymentStatus {
	for i := range st.Deployments {
		if st.Deployments[i].Status == "PRIMARY" {
			return &st.Deployments[i]
		}
	}
	return nil
}

func (d *Deployer) waitFor(ctx context.Context, cluster, name string, dep Deployment, until Until, since time.Time, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return d.Waiter.Wait(ctx, cluster, name, dep, until, since)
}

// Scale sets the services' desired count and waits, for all of them at
// once, until each runs it with no other deployment left. A service that
// could not be scaled is reported and the others are still followed.
func (d *Deployer) Scale(ctx context.Context, cluster string, names []string, tasks int32, noWait bool, timeout time.Duration) error {
	var errs []error
	var scaled []string
	for _, name := range names {
		if _, err := d.API.UpdateService(ctx, &awsecs.UpdateServiceInput{
			Cluster: aws.String(cluster), Service: aws.String(name), DesiredCount: aws.Int32(tasks),
		}); err != nil {
			errs = append(errs, fmt.Errorf("scale service %s: %w", name, err))
			continue
		}
		scaled = append(scaled, name)
	}
	if !noWait && len(scaled) > 0 {
		errs = append(errs, d.WaitCurrent(ctx, cluster, scaled, UntilStable, timeout))
	}
	return errors.Join(errs...)
}

// nativeStatus is the newest service deployment of an ECS-native service;
// the API is optional: when it does not answer, Unavailable says why.
func nativeStatus(ctx context.Context, api API, cluster, service string) *ServiceDeploymentStatus {
	sd, err := latestServiceDeployment(ctx, api, cluster, service, time.Time{})
	if err != nil {
		return &ServiceDeploymentStatus{Unavailable: unavailable("service deployments", err)}
	}
	if sd == nil {
		return nil
	}
	var p Progress
	stageProgress(&p, sd)
	out := &ServiceDeploymentStatus{Status: string(sd.Status), Stage: p.Stage, Traffic: p.Traffic, Reason: aws.ToString(sd.StatusReason)}
	if hooks := failedHooks(sd); hooks != "" {
		out.Reason = strings.TrimPrefix(out.Reason+"; "+hooks, "; ")
	}
	return out
}
