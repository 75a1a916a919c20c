package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
