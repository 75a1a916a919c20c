package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"
)

// RollbackOptions are rollback's choices.
type RollbackOptions struct {
	Cluster    string
	Revision   int32 // 0: the previous ACTIVE revision of the family
	Deregister bool  // deregister the revision rolled back from, unless still in use
	DryRun     bool
	NoWait     bool
	Until      Until
	Timeout    time.Duration // bound on each service's wait; 0 for none
}

// RollbackResult is the outcome for one service.
type RollbackResult struct {
	Name    string `json:"name"`
	From    string `json:"from"` // task definition ARN rolled back from
	To      string `json:"to"`
	Stopped bool   `json:"stopped_deployment"` // the fast path: StopServiceDeployment ROLLBACK (CodeDeploy: StopDeployment with rollback)
	// CodeDeploy: a CODE_DEPLOY service, rolled back through CodeDeploy.
	CodeDeploy   bool `json:"codedeploy,omitempty"`
	Deregistered bool `json:"deregistered"`
	// FastPathUnavailable says why ECS's own rollback of a deployment in
	// progress could not be used (the service was rolled back with
	// UpdateService instead).
	FastPathUnavailable string `json:"fast_path_unavailable,omitempty"`
	// Changed: the service was sent back (its wait may still have failed).
	Changed bool   `json:"-"`
	Err     error  `json:"-"`
	Error   string `json:"error,omitempty"`
}

// Rollback returns each service to the revision before the one it runs (or
// to revision N), then follows that deployment.
func (d *Deployer) Rollback(ctx context.Context, services []string, opts RollbackOptions) ([]RollbackResult, error) {
	current := map[string]*types.Service{}
	for batch := range slices.Chunk(services, describeServicesBatch) {
		out, err := d.API.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(opts.Cluster), Services: batch})
		if err != nil {
			return nil, fmt.Errorf("describe services: %w", err)
		}
		for i := range out.Services {
			current[aws.ToString(out.Services[i].ServiceName)] = &out.Services[i]
		}
	}
	results := make([]RollbackResult, len(services))
	var errs []error
	for i, name := range services {
		results[i].Name = name
		svc := current[name]
		if svc == nil || aws.ToString(svc.Status) == "INACTIVE" {
			errs = append(errs, fmt.Errorf("service %s does not exist in cluster %s", name, opts.Cluster))
			continue
		}
		from := aws.ToString(svc.TaskDefinition)
		if codeDeployed(svc) {
			if d.CodeDeploy == nil {
				errs = append(errs, fmt.Errorf("service %s uses the CODE_DEPLOY deployment controller: it rolls back through CodeDeploy, which this rollback cannot drive", name))
				continue
			}
			results[i].CodeDeploy = true
			if primary := primaryTaskSet(svc); primary != nil {
				from = aws.ToString(primary.TaskDefinition)
			}
		}
		if rollingBack(svc) && opts.Revision == 0 {
			errs = append(errs, fmt.Errorf("service %s: ECS is already rolling back to %s (its circuit breaker); follow it with `tamp wait --only %s`",
				name, revisionOf(from), name))
			continue
		}
		to, err := d.target(ctx, from, opts.Revision)
		if running := runningBefore(svc); running != "" && opts.Revision == 0 {
			// A deployment in progress goes back to what ran before it.
			to, err = running, nil
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", name, err))
			continue
		}
		results[i].From, results[i].To = from, to
	}
	if err := errors.Join(errs...); err != nil || opts.DryRun {
		return results, err
	}

	since := clockOf(d).Now() // events from before the rollbacks are not news
	changes, follows := boundedChanges(0), new(errgroup.Group)
	for i := range results {
		r := &results[i]
		changes.Go(func() error {
			dep, err := d.rollbackChange(ctx, current[r.Name], r, opts)
			if err != nil {
				r.Err = err
				return nil
			}
			r.Changed = true
			follows.Go(func() error {
				r.Err = d.followRollback(ctx, current[r.Name], r, dep, since, opts)
				return nil
			})
			return nil
		})
	}
	changes.Wait()
	follows.Wait()
	if opts.Deregister {
		d.DeregisterRolledBack(ctx, opts.Cluster, results, nil)
	}
	return results, resultErrors(results)
}

// resultErrors sets each result's Error and joins them.
func resultErrors(results []RollbackResult) error {
	var errs []error
	for i := range results {
		if results[i].Err != nil {
			results[i].Error = results[i].Err.Error()
			errs = append(errs, results[i].Err)
		}
	}
	return errors.Join(errs...)
}

// followRollback reports a service sent back and follows its deployment.
// A CODE_DEPLOY service not stopped mid-deployment goes back through a new
// CodeDeploy deployment of the target revision, followed as deploy does.
func (d *Deployer) followRollback(ctx context.Context, svc *types.Service, r *RollbackResult, dep Deployment, since time.Time, opts RollbackOptions) error {
	viaDeployment := r.CodeDeploy && !r.Stopped
	if d.Started != nil && !(r.CodeDeploy && r.Stopped) { // a CodeDeploy stop said so already
		action := ServiceUpdated
		if viaDeployment {
			action = ServiceCodeDeploy
		}
		d.Started(ServiceResult{Name: r.Name, Action: action, TaskDefinition: r.To})
	}
	wctx := ctx
	if opts.Timeout > 0 && !opts.NoWait {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if viaDeployment {
		_, err := d.CodeDeploy.Deploy(wctx, svc, r.To, DeployOptions{Cluster: opts.Cluster, NoWait: opts.NoWait, Until: opts.Until})
		return codeDeployTimeout(ctx, wctx, err, r.Name, opts.Timeout)
	}
	if opts.NoWait {
		return nil
	}
	return d.Waiter.Wait(wctx, opts.Cluster, r.Name, dep, opts.Until, since)
}

// runningBefore is the revision of the deployment a deployment in
// progress replaces, or "".
func runningBefore(svc *types.Service) string {
	if usesTaskSets(svc) {
		// While CodeDeploy shifts traffic, the original task set is the
		// one that is not PRIMARY.
		for _, ts := range svc.TaskSets {
			if aws.ToString(ts.Status) != "PRIMARY" && len(svc.TaskSets) > 1 {
				return aws.ToString(ts.TaskDefinition)
			}
		}
		return ""
	}
	if !deploymentInProgress(svc) {
		return ""
	}
	for _, d := range svc.Deployments {
		if aws.ToString(d.Status) == "ACTIVE" && d.RolloutState != types.DeploymentRolloutStateFailed &&
			aws.ToString(d.TaskDefinition) != aws.ToString(svc.TaskDefinition) {
			return aws.ToString(d.TaskDefinition)
		}
	}
	return ""
}

// rollingBack tells a service whose circuit breaker is already taking it
// back: a FAILED deployment beside the PRIMARY one.
func rollingBack(svc *types.Service) bool {
	for _, d := range svc.Deployments {
		if d.RolloutState == types.DeploymentRolloutStateFailed && aws.ToString(d.Status) != "PRIMARY" {
			return true
		}
	}
	return false
}

// rollbackChange stops the deployment in progress (ECS's own rollback) or
// points the service at the target revision. Once started it is not cut
// short by ctx.
func (d *Deployer) rollbackChange(ctx context.Context, svc *types.Service, r *RollbackResult, opts RollbackOptions) (Deployment, error) {
	dep := Deployment{TaskDefinition: r.To}
	if err := ctx.Err(); err != nil {
		return dep, fmt.Errorf("service %s: not started: %w", r.Name, err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mutationTimeout)
	defer cancel()
	if r.CodeDeploy {
		// CodeDeploy owns the revision: a deployment in progress is
		// stopped with CodeDeploy's rollback; otherwise followRollback
		// creates a deployment of the target revision.
		if len(svc.TaskSets) > 1 && opts.Revision == 0 {
			stopped, err := d.CodeDeploy.Stop(ctx, svc, opts.Cluster)
			if err != nil {
				return dep, fmt.Errorf("roll back service %s: %w", r.Name, err)
			}
			r.Stopped = stopped
		}
		return dep, nil
	}
	// A deployment still in progress is stopped with ECS's own rollback,
	// which returns to the revision that ran before it.
	if deploymentInProgress(svc) && opts.Revision == 0 {
		r.Stopped, r.FastPathUnavailable = d.stopInProgress(ctx, opts.Cluster, svc)
	}
	if !r.Stopped {
		up, err := d.API.UpdateService(ctx, &awsecs.UpdateServiceInput{
			Cluster: aws.String(opts.Cluster), Service: aws.String(r.Name), TaskDefinition: aws.String(r.To),
		})
		if err != nil {
			return dep, fmt.Errorf("roll back service %s: %w", r.Name, err)
		}
		dep = DeploymentOf(up.Service, r.To)
	}
	return dep, nil
}

// stopInProgress asks ECS to roll back the service's running deployment
// (the fast path). It is optional: when the service deployments API does
// not answer (an account or region without it, a deploy role written
// before it existed and so without ecs:ListServiceDeployments or
// ecs:StopServiceDeployment, repeated 5xx), it answers false with the
// reason, and the caller rolls back with UpdateService as before the API
// existed. An API without the operation at all is no news: reason "".
func (d *Deployer) stopInProgress(ctx context.Context, cluster string, svc *types.Service) (stopped bool, reason string) {
	out, err := d.API.ListServiceDeployments(ctx, &awsecs.ListServiceDeploymentsInput{
		Cluster: aws.String(cluster), Service: svc.ServiceName,
		Status: []types.ServiceDeploymentStatus{types.ServiceDeploymentStatusInProgress, types.ServiceDeploymentStatusPending},
	})
	if err != nil {
		return false, unavailable("ListServiceDeployments", err)
	}
	if len(out.ServiceDeployments) == 0 {
		return false, ""
	}
	_, err = d.API.StopServiceDeployment(ctx, &awsecs.StopServiceDeploymentInput{
		ServiceDeploymentArn: out.ServiceDeployments[0].ServiceDeploymentArn, StopType: types.StopServiceDeploymentStopTypeRollback,
	})
	if err != nil {
		return false, unavailable("StopServiceDeployment", err)
	}
	return true, ""
}

// unavailable is why an optional call failed, "" for an API that simply
// lacks the operation.
func unavailable(op string, err error) string {
	if unsupported(err) {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return op + ": " + ae.ErrorCode()
	}
	return op + ": " + err.Error()
}

// unsupported tells an API that does not answer this operation.
func unsupported(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "UnknownOperationException", "UnsupportedOperation", "InvalidAction", "NotImplemented":
			return true
		}
	}
	return strings.Contains(err.Error(), "not yet implemented") || strings.Contains(err.Error(), "StatusCode: 501")
}

// PreviousRevision is the ARN of the newest ACTIVE revision of family older
// than its latest ACTIVE one, and that latest one's ARN.
func (d *Deployer) PreviousRevision(ctx context.Context, family string) (previous, latest string, err error) {
	out, err := d.API.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(family)})
	if err != nil {
		return "", "", fmt.Errorf("latest revision of %s: %w", family, err)
	}
	latest = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	previous, err = d.target(ctx, latest, 0)
	return previous, latest, err
}

// target is the revision to roll back to: family:N, or the newest ACTIVE
// revision older than the one running.
func (d *Deployer) target(ctx context.Context, from string, revision int32) (string, error) {
	family, current, err := splitRevision(from)
	if err != nil {
		return "", err
	}
	if revision > 0 {
		if revision == current {
			return "", fmt.Errorf("already runs %s:%d", family, revision)
		}
		out, err := d.API.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(fmt.Sprintf("%s:%d", family, revision))})
		if err != nil {
			return "", fmt.Errorf("revision %s:%d: %w", family, revision, err)
		}
		return aws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
	}
	best, bestRev := "", int32(0)
	in := &awsecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: types.TaskDefinitionStatusActive, Sort: types.SortOrderDesc}
	for {
		out, err := d.API.ListTaskDefinitions(ctx, in)
		if err != nil {
			return "", fmt.Errorf("list revisions of %s: %w", family, err)
		}
		// Sorted newest first by the API, but checked here anyway.
		for _, arn := range out.TaskDefinitionArns {
			f, rev, err := splitRevision(arn)
			if err == nil && f == family && rev < current && rev > bestRev {
				best, bestRev = arn, rev
			}
		}
		if out.NextToken == nil || aws.ToString(out.NextToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextToken
	}
	if best == "" {
		return "", fmt.Errorf("no ACTIVE revision of %s older than %d to roll back to", family, current)
	}
	return best, nil
}

// splitRevision reads family and revision from a task definition ARN or
// family:revision.
func splitRevision(ref string) (string, int32, error) {
	short := revisionOf(ref)
	i := strings.LastIndexByte(short, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("%q names no revision", ref)
	}
	n, err := strconv.ParseInt(short[i+1:], 10, 32)
	if err != nil {
		return "", 0, fmt.Errorf("%q names no revision", ref)
	}
	return short[:i], int32(n), nil
}

// DeregisterRolledBack removes the revisions rolled back from, except any
// that a service in the cluster still runs or deploys or that alsoInUse
// names (scheduled tasks' revisions, by ARN). It returns the errors it
// added to the results.
func (d *Deployer) DeregisterRolledBack(ctx context.Context, cluster string, results []RollbackResult, alsoInUse map[string]bool) error {
	var errs []error
	inUse, err := d.revisionsInUse(ctx, cluster)
	for arn := range alsoInUse {
		if inUse != nil {
			inUse[arn] = true
		}
	}
	for i := range results {
		r := &results[i]
		if r.Err != nil || !r.Changed {
			continue
		}
		switch {
		case err != nil:
			r.Err = fmt.Errorf("service %s: rolled back, but not deregistering %s: cannot tell whether it is in use: %w", r.Name, revisionOf(r.From), err)
			errs = append(errs, r.Err)
		case inUse[r.From]:
			// Still used by a service or a scheduled task: never deregistered.
		default:
			if _, derr := d.API.DeregisterTaskDefinition(ctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(r.From)}); derr != nil {
				r.Err = fmt.Errorf("service %s: rolled back, but deregister %s: %w", r.Name, revisionOf(r.From), derr)
				errs = append(errs, r.Err)
				continue
			}
			r.Deregistered = true
			inUse[r.From] = true // deregistered once
		}
	}
	resultErrors(results)
	return errors.Join(errs...)
}

// revisionsInUse are the task definitions the cluster's services run or
// deploy, by ARN.
func (d *Deployer) revisionsInUse(ctx context.Context, cluster string) (map[string]bool, error) {
	users, err := ServiceUsers(ctx, d.API, cluster)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for arn := range users {
		used[arn] = true
	}
	return used, nil
}
