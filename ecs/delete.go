package ecs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
)

// ServiceDeleteAPI is the part of ECS deleting services uses.
type ServiceDeleteAPI interface {
	DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	UpdateService(ctx context.Context, in *awsecs.UpdateServiceInput, optFns ...func(*awsecs.Options)) (*awsecs.UpdateServiceOutput, error)
	DeleteService(ctx context.Context, in *awsecs.DeleteServiceInput, optFns ...func(*awsecs.Options)) (*awsecs.DeleteServiceOutput, error)
}

var _ ServiceDeleteAPI = (*awsecs.Client)(nil)

// DeleteAction says what delete did to a service.
type DeleteAction string

const (
	Deleted        DeleteAction = "deleted"
	WouldDelete    DeleteAction = "would delete"
	AlreadyDeleted DeleteAction = "absent" // not in the cluster, or INACTIVE already
	NotConfirmed   DeleteAction = "not confirmed"
	// DeleteNotStarted: Ctrl-C came before its first change.
	DeleteNotStarted DeleteAction = "not started"
	// DeleteFailed: a change was refused or the wait did not end.
	DeleteFailed DeleteAction = "failed"
)

// ServiceToDelete is a service as delete found it, for the confirmation.
type ServiceToDelete struct {
	Name           string `json:"name"`
	Cluster        string `json:"cluster"`
	Status         string `json:"status"`
	TaskDefinition string `json:"task_definition"`
	Desired        int32  `json:"desired"`
	Running        int32  `json:"running"`
}

// DeleteResult is the outcome for one service.
type DeleteResult struct {
	ServiceToDelete
	Action DeleteAction `json:"action"`
	// ScalableTarget is its Application Auto Scaling target, if it has
	// one; TargetDeregistered says it was deregistered (with its scaling
	// policies and scheduled actions, as Application Auto Scaling does).
	ScalableTarget     *ScalableTarget `json:"scalable_target,omitempty"`
	TargetDeregistered bool            `json:"scalable_target_deregistered"`
	// ScaledDown: it was scaled to 0 (before the deletion, or before it
	// stopped).
	ScaledDown bool   `json:"scaled_down"`
	Err        error  `json:"-"`
	Error      string `json:"error,omitempty"`
}

// ServiceDeleter deletes services: scale to 0, DeleteService, then wait
// until ECS says INACTIVE.
type ServiceDeleter struct {
	API ServiceDeleteAPI
	// Scaling, when set, deregisters a service's scalable target first, so
	// that no scaling policy sets the desired count back while the
	// service is scaled to 0 and deleted.
	Scaling ScalingAPI
	Clock   Clock
	// First and Max bound the pause between polls, as for Waiter.
	First, Max time.Duration
	// Confirm is asked for every service before anything changes (all of
	// them first); nil deletes without asking (--force).
	Confirm func(ServiceToDelete) error
	// Progress is told each step done.
	Progress func(service, line string)
}

// DeleteOptions are delete's choices.
type DeleteOptions struct {
	Cluster string
	DryRun  bool
	Timeout time.Duration // bound on each service's wait until INACTIVE; 0 for none
}

// Delete deletes the named services. Every one is described and, unless a
// dry run, confirmed before the first change; a service not confirmed
// means nothing at all changes.
func (d *ServiceDeleter) Delete(ctx context.Context, names []string, o DeleteOptions) ([]DeleteResult, error) {
	found := map[string]*types.Service{}
	for batch := range slices.Chunk(names, describeServicesBatch) {
		out, err := d.API.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(o.Cluster), Services: batch})
		if err != nil {
			return nil, fmt.Errorf("describe services in cluster %s: %w", o.Cluster, err)
		}
		for i := range out.Services {
			found[aws.ToString(out.Services[i].ServiceName)] = &out.Services[i]
		}
	}
	results := make([]DeleteResult, len(names))
	for i, name := range names {
		r := &results[i]
		r.Name, r.Cluster, r.Action = name, o.Cluster, WouldDelete
		svc := found[name]
		if svc == nil || aws.ToString(svc.Status) == "INACTIVE" {
			r.Action, r.Status = AlreadyDeleted, "MISSING"
			if svc != nil {
				r.Status = "INACTIVE"
			}
			continue
		}
		r.Status, r.TaskDefinition, r.Desired, r.Running = aws.ToString(svc.Status), aws.ToString(svc.TaskDefinition), svc.DesiredCount, svc.RunningCount
	}
	if d.Scaling != nil {
		var present []string
		for _, r := range results {
			if r.Action == WouldDelete {
				present = append(present, r.Name)
			}
		}
		targets, err := ScalableTargets(ctx, d.Scaling, o.Cluster, present)
		if err == nil {
			err = ScalingPolicies(ctx, d.Scaling, targets)
		}
		if err != nil {
			return nil, err
		}
		for i := range results {
			results[i].ScalableTarget = targets[results[i].Name]
		}
	}
	if o.DryRun {
		return results, nil
	}
	if d.Confirm != nil {
		var errs []error
		for i := range results {
			r := &results[i]
			if r.Action != WouldDelete {
				continue
			}
			if err := d.Confirm(r.ServiceToDelete); err != nil {
				r.Action, r.Err = NotConfirmed, fmt.Errorf("service %s: not deleted: %w", r.Name, err)
				errs = append(errs, r.Err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			for i := range results {
				if results[i].Action == WouldDelete {
					results[i].Action = DeleteNotStarted
				}
			}
			return finishResults(results), config.Invalid(err)
		}
	}
	g := boundedChanges(0)
	for i := range results {
		r := &results[i]
		if r.Action != WouldDelete {
			continue
		}
		g.Go(func() error {
			d.deleteOne(ctx, r, o)
			return nil
		})
	}
	g.Wait()
	results = finishResults(results)
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return results, errors.Join(errs...)
}

func finishResults(results []DeleteResult) []DeleteResult {
	for i := range results {
		if results[i].Err != nil {
			results[i].Error = results[i].Err.Error()
		}
	}
	return results
}

// deleteOne scales the service to 0, deletes it and waits until it is
// INACTIVE. Each change once sent is seen through; after Ctrl-C no
// further one starts, and the result says how far it got.
func (d *ServiceDeleter) deleteOne(ctx context.Context, r *DeleteResult, o DeleteOptions) {
	if ctx.Err() != nil {
		r.Action, r.Err = DeleteNotStarted, fmt.Errorf("service %s: not deleted: %w", r.Name, ctx.Err())
		return
	}
	r.Action = DeleteFailed
	if t := r.ScalableTarget; t != nil {
		sctx, cancel := sent(ctx)
		_, err := d.Scaling.DeregisterScalableTarget(sctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceId: aws.String(t.ResourceID), ScalableDimension: desiredCountDimension})
		cancel()
		if err != nil {
			r.Err = fmt.Errorf("service %s: deregister its scalable target: %w", r.Name, err)
			return
		}
		r.TargetDeregistered = true
		d.progress(r.Name, fmt.Sprintf("scalable target deregistered (min %d, max %d), its scaling policies with it", t.Min, t.Max))
		if ctx.Err() != nil {
			r.Err = fmt.Errorf("service %s: scalable target deregistered, not deleted (run delete again to finish): %w", r.Name, ctx.Err())
			return
		}
	}
	if r.Desired > 0 {
		sctx, cancel := sent(ctx)
		_, err := d.API.UpdateService(sctx, &awsecs.UpdateServiceInput{Cluster: aws.String(o.Cluster), Service: aws.String(r.Name), DesiredCount: aws.Int32(0)})
		cancel()
		if err != nil {
			r.Err = fmt.Errorf("service %s: scale to 0: %w", r.Name, err)
			return
		}
		r.ScaledDown = true
		d.progress(r.Name, fmt.Sprintf("scaled to 0 (was %d)", r.Desired))
		if ctx.Err() != nil {
			r.Err = fmt.Errorf("service %s: scaled to 0, not deleted (run delete again to finish): %w", r.Name, ctx.Err())
			return
		}
	}
	sctx, cancel := sent(ctx)
	_, err := d.API.DeleteService(sctx, &awsecs.DeleteServiceInput{Cluster: aws.String(o.Cluster), Service: aws.String(r.Name)})
	cancel()
	if err != nil {
		r.Err = fmt.Errorf("service %s: delete: %w", r.Name, err)
		return
	}
	d.progress(r.Name, "deleted; waiting until it is INACTIVE")
	if err := d.waitInactive(ctx, r, o); err != nil {
		r.Err = err
		return
	}
	r.Action, r.Status = Deleted, "INACTIVE"
}

func (d *ServiceDeleter) progress(service, line string) {
	if d.Progress != nil {
		d.Progress(service, line)
	}
}

// waitInactive polls the service until ECS says INACTIVE (or no longer
// knows it), within the timeout.
func (d *ServiceDeleter) waitInactive(ctx context.Context, r *DeleteResult, o DeleteOptions) error {
	clock := d.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	wctx := ctx
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	interval, maxInterval := (&Waiter{First: d.First, Max: d.Max}).intervals()
	start := clock.Now()
	status := "DRAINING"
	stopped := func() error {
		if ctx.Err() != nil {
			return fmt.Errorf("service %s: deleted, stopped waiting while it is %s; ECS goes on removing it (see `tamp status`): %w", r.Name, status, ctx.Err())
		}
		return &deleteTimeout{&WaitTimeoutError{Service: r.Name, State: status, After: clock.Now().Sub(start)}}
	}
	for first := true; ; first = false {
		if !first {
			if err := clock.Sleep(wctx, interval); err != nil {
				return stopped()
			}
			interval = min(interval*3/2, maxInterval)
		}
		out, err := d.API.DescribeServices(wctx, &awsecs.DescribeServicesInput{Cluster: aws.String(o.Cluster), Services: []string{r.Name}})
		if err != nil {
			if wctx.Err() != nil {
				return stopped()
			}
			return fmt.Errorf("service %s: deleted; follow it: %w", r.Name, err)
		}
		if len(out.Services) == 0 {
			return nil // gone altogether
		}
		status = aws.ToString(out.Services[0].Status)
		if status == "INACTIVE" {
			return nil
		}
	}
}

// deleteTimeout is a wait until INACTIVE that ran out of time (exit 4).
type deleteTimeout struct{ *WaitTimeoutError }

func (e *deleteTimeout) Error() string {
	return fmt.Sprintf("service %s: deleted, but still %s after %s; ECS goes on removing it (see `tamp status`)",
		e.Service, e.State, e.After.Round(time.Second))
}

func (e *deleteTimeout) Unwrap() error { return e.WaitTimeoutError }

// WriteDeleteText prints what delete did (or would do) to each service.
func WriteDeleteText(w io.Writer, results []DeleteResult, dryRun bool) error {
	var b strings.Builder
	for _, r := range results {
		rev := ShortRevision(r.TaskDefinition)
		switch r.Action {
		case AlreadyDeleted:
			if r.Status == "INACTIVE" {
				fmt.Fprintf(&b, "%s: already INACTIVE in cluster %s; nothing to delete\n", r.Name, r.Cluster)
			} else {
				fmt.Fprintf(&b, "%s: no such service in cluster %s; nothing to delete\n", r.Name, r.Cluster)
			}
		case WouldDelete:
			if t := r.ScalableTarget; t != nil {
				fmt.Fprintf(&b, "%s: would deregister its scalable target (min %d, max %d) and its scaling policies\n", r.Name, t.Min, t.Max)
			}
			if r.Desired > 0 {
				fmt.Fprintf(&b, "%s: would scale to 0 (desired %d, running %d, %s), delete it and wait until it is INACTIVE\n", r.Name, r.Desired, r.Running, rev)
			} else {
				fmt.Fprintf(&b, "%s: would delete it (desired 0, %s) and wait until it is INACTIVE\n", r.Name, rev)
			}
		case Deleted:
			fmt.Fprintf(&b, "%s: deleted (INACTIVE)\n", r.Name)
		}
	}
	if dryRun {
		b.WriteString("dry run: nothing was changed\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
