package ecs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// RevisionSource says which task definition revision a deploy uses.
type RevisionSource int

const (
	RegisterLocal RevisionSource = iota // register the local definition (reusing an equal revision)
	KeepCurrent                         // --skip-task-definition: what the service runs now
	LatestActive                        // --latest-task-definition: the family's latest ACTIVE revision
	FixedRevision                       // --revision N
)

// DeployOptions are deploy's choices.
type DeployOptions struct {
	Cluster   string
	Revisions RevisionSource
	Revision  int32  // with FixedRevision
	ForceNew  bool   // --force-new-deployment
	Tasks     *int32 // --tasks: desired count
	NoWait    bool
	Until     Until
	Timeout   time.Duration // bound on each service's wait; 0 for none
	// RollbackOnFailure returns a service whose deployment failed to the
	// revision it ran before, and waits for that.
	RollbackOnFailure bool
	IgnoreTags        []string
	// Concurrency bounds the services being changed at once (default
	// awsclient.Concurrency); their rollouts are all followed at once.
	Concurrency int
	// Prove is called once the revisions are registered and every input
	// checked, before the first service changes, with the services about
	// to change; an error stops the deploy there (pre-deploy tasks and
	// canaries, package rollout).
	Prove func(ctx context.Context, next []NextRevision) error
}

// ServiceAction says what deploy did to a service.
type ServiceAction string

const (
	ServiceCreated   ServiceAction = "created"
	ServiceUpdated   ServiceAction = "updated"
	ServiceUnchanged ServiceAction = "unchanged"
	// ServiceCodeDeploy: a CODE_DEPLOY service's new revision went to a
	// CodeDeploy deployment (its other fields, if any, through
	// UpdateService).
	ServiceCodeDeploy ServiceAction = "codedeploy"
)

// ServiceResult is the outcome for one service.
type ServiceResult struct {
	Name           string        `json:"name"`
	Action         ServiceAction `json:"action"`
	TaskDefinition string        `json:"task_definition"` // ARN deployed
	Waited         bool          `json:"waited"`
	RolledBackTo   string        `json:"rolled_back_to,omitempty"` // with RollbackOnFailure
	NotStarted     bool          `json:"not_started,omitempty"`    // Ctrl-C came before its change
	// Stage: the --wait-until lifecycle stage an ECS-native blue/green,
	// linear or canary deployment had reached when the wait returned; the
	// deployment goes on.
	Stage string `json:"stage,omitempty"`
	// CodeDeployment: the CodeDeploy deployment of a CODE_DEPLOY service.
	CodeDeployment *CodeDeployment `json:"codedeploy,omitempty"`
	Err            error           `json:"-"`
	Error          string          `json:"error,omitempty"`
}

// Deployer deploys services: resolves revisions, creates or updates each
// service, then waits, several services at once.
type Deployer struct {
	API    API
	Waiter *Waiter
	Clock  Clock
	// Started is called when a service's change was made (before waiting).
	Started func(ServiceResult)
	// CodeDeploy deploys revisions to CODE_DEPLOY services; without it
	// deploy refuses to change their task definition.
	CodeDeploy CodeDeployer
	// Scaling reads the services' scalable targets: a service that has one
	// keeps the desired count its scaler set. nil: none is read.
	Scaling ScalingAPI
}

// CodeDeployer deploys a revision to a service whose deployment controller
// is CODE_DEPLOY, through a CodeDeploy deployment, and follows it as far
// as opts say (package appspec has one). Deploy never sends such a
// service's task definition, load balancers, network configuration,
// platform version or capacity providers through UpdateService: those
// belong to CodeDeploy.
type CodeDeployer interface {
	Deploy(ctx context.Context, svc *types.Service, taskDefinition string, opts DeployOptions) (CodeDeployment, error)
	// Stop stops the service's CodeDeploy deployments in progress, with
	// CodeDeploy rolling them back; stopped is false when none was.
	Stop(ctx context.Context, svc *types.Service, cluster string) (stopped bool, err error)
	// Follow follows the service's CodeDeploy deployment in progress to its
	// end; found is false when none is in progress.
	Follow(ctx context.Context, cluster, service string) (found bool, err error)
}

// CodeDeployWaitStopped is a wait for a CodeDeploy deployment that ended
// (Ctrl-C, the timeout) while the deployment goes on.
type CodeDeployWaitStopped struct {
	ID  string
	Err error // the context's
}

func (e *CodeDeployWaitStopped) Error() string {
	return fmt.Sprintf("stopped waiting; CodeDeploy deployment %s goes on (follow it with `aws deploy get-deployment --deployment-id %s`): %v", e.ID, e.ID, e.Err)
}

func (e *CodeDeployWaitStopped) Unwrap() error { return e.Err }

// CodeDeployment is where a CodeDeploy deployment stood when tamp stopped
// following it.
type CodeDeployment struct {
	ID string `json:"id"`
	// Status is CodeDeploy's: Succeeded, or InProgress when the wait
	// stopped at a stage (Reached) short of the end.
	Status  string `json:"status"`
	Reached string `json:"reached,omitempty"`
}

// codeDeployed tells a service whose deployments CodeDeploy makes.
func codeDeployed(svc *types.Service) bool {
	return svc != nil && svc.DeploymentController != nil && svc.DeploymentController.Type == types.DeploymentControllerTypeCodeDeploy
}

// plan is what will be done to one service, worked out before any change.
type plan struct {
	svc    *Service
	remote *types.Service
	create *awsecs.CreateServiceInput
	update *awsecs.UpdateServiceInput // nil: nothing to update
	tagAdd []types.Tag
	tagDel []string
	// shift is the revision a CODE_DEPLOY service goes to through
	// CodeDeploy ("" when it stays), and target the service as that
	// deployment leaves it (its AppSpec is built from it).
	shift  string
	target *types.Service
}

// Deploy makes every service in defs match the config. Task definitions
// are registered first (with RegisterLocal), then services change and are
// followed concurrently. Every input is checked before the first change.
// The results are in defs order; the error joins the services' failures.
func (d *Deployer) Deploy(ctx context.Context, defs *Definitions, opts DeployOptions) ([]ServiceResult, error) {
	remote, err := Describe(ctx, d.API, opts.Cluster, defs)
	if err != nil {
		return nil, err
	}
	if err := DescribeScaling(ctx, d.Scaling, opts.Cluster, remote); err != nil {
		return nil, err
	}
	if err := checkDeployable(defs, remote, opts); err != nil {
		return nil, err
	}
	arns, err := d.revisions(ctx, defs, remote, opts)
	if err != nil {
		return nil, err
	}
	plans := make([]*plan, 0, len(defs.Services))
	for _, s := range defs.Services {
		p, err := planService(s, remote.Services[s.Name], arns[s.Name], opts, remote.Scaled[s.Name] != nil)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}

	for _, p := range plans {
		if p.shift != "" && d.CodeDeploy == nil {
			return nil, fmt.Errorf("service %s uses the CODE_DEPLOY deployment controller: its revision changes through CodeDeploy, which this deploy cannot drive", p.svc.Name)
		}
	}
	if opts.Prove != nil {
		next := make([]NextRevision, 0, len(plans))
		for _, p := range plans {
			arn := arns[p.svc.Name]
			next = append(next, NextRevision{Service: p.svc, Remote: p.remote, TaskDefinition: arn,
				Changes: p.remote == nil || aws.ToString(p.remote.TaskDefinition) != arn})
		}
		if err := opts.Prove(ctx, next); err != nil {
			return nil, err
		}
	}
	results := make([]ServiceResult, len(plans))
	changes, follows := boundedChanges(opts.Concurrency), new(errgroup.Group)
	for i, p := range plans {
		changes.Go(func() error {
			res, dep, known, err := d.change(ctx, p, arns[p.svc.Name])
			if err != nil {
				res.Err = err
				results[i] = res
				return nil
			}
			follows.Go(func() error {
				results[i] = d.follow(ctx, p, res, dep, known, opts)
				return nil
			})
			return nil
		})
	}
	changes.Wait()
	follows.Wait()
	var errs []error
	var notStarted []string
	for i := range results {
		if results[i].Err != nil {
			results[i].Error = results[i].Err.Error()
			if results[i].NotStarted {
				notStarted = append(notStarted, results[i].Name)
				continue
			}
			errs = append(errs, results[i].Err)
		}
	}
	if len(notStarted) > 0 {
		// One line for all of them; the changes made stay, and a rerun
		// makes the rest (and sees the others through).
		errs = append(errs, fmt.Errorf("interrupted before changing %s; deploy again to finish: %w", strings.Join(notStarted, ", "), context.Canceled))
	}
	return results, errors.Join(errs...)
}

// CheckDeployable finds what deploy would refuse (a service to create with
// no desired count, one with a deployment in progress, ...), without
// changing anything: deploy --dry-run reports the same refusals.
func CheckDeployable(defs *Definitions, remote *Remote, opts DeployOptions) error {
	return checkDeployable(defs, remote, opts)
}

// checkDeployable finds what cannot be deployed, before anything changes.
func checkDeployable(defs *Definitions, remote *Remote, opts DeployOptions) error {
	var errs []error
	for _, s := range defs.Services {
		current := remote.Services[s.Name]
		switch {
		case s.Input == nil && current == nil:
			errs = append(errs, fmt.Errorf("service %s does not exist and the config names no service_definition to create it from", s.Name))
		case current == nil && opts.Revisions == KeepCurrent:
			errs = append(errs, fmt.Errorf("service %s does not exist, so --skip-task-definition has no current revision to keep", s.Name))
		case current == nil && s.Input != nil && s.Input.DesiredCount == nil && opts.Tasks == nil &&
			s.Input.SchedulingStrategy != types.SchedulingStrategyDaemon:
			errs = append(errs, fmt.Errorf("%s: service %s does not exist; set desiredCount in its definition or pass --tasks N to create it", s.File, s.Name))
		case current != nil && deploymentInProgress(current):
			errs = append(errs, fmt.Errorf("service %s has a deployment in progress (%s); wait for it with `tamp wait --only %s`, then deploy again",
				s.Name, describeDeployments(current), s.Name))
		}
	}
	return errors.Join(errs...)
}

func deploymentInProgress(svc *types.Service) bool {
	if len(svc.Deployments) > 1 {
		return true
	}
	for _, d := range svc.Deployments {
		if d.RolloutState == types.DeploymentRolloutStateInProgress {
			return true
		}
	}
	return false
}

func describeDeployments(svc *types.Service) string {
	var parts []string
	for _, d := range svc.Deployments {
		parts = append(parts, fmt.Sprintf("%s %s %s", aws.ToString(d.Status), revisionOf(aws.ToString(d.TaskDefinition)), d.RolloutState))
	}
	return strings.Join(parts, ", ")
}

// revisions resolves the task definition ARN each service will run.
func (d *Deployer) revisions(ctx context.Context, defs *Definitions, remote *Remote, opts DeployOptions) (map[string]string, error) {
	arns := map[string]string{}
	switch opts.Revisions {
	case RegisterLocal:
		var tds []*TaskDefinition
		for _, s := range defs.Services {
			// The revision the service runs, when it equals the local
			// definition: what diff compared with, so nothing to deploy.
			if arn, err := d.reuseCurrent(ctx, s, remote); err != nil {
				return nil, err
			} else if arn != "" {
				arns[s.Name] = arn
				continue
			}
			tds = append(tds, s.TaskDefinition)
		}
		results, err := Register(ctx, d.API, tds, false)
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			arns[r.Name] = r.ARN
		}
	case KeepCurrent:
		for _, s := range defs.Services {
			arns[s.Name] = aws.ToString(remote.Services[s.Name].TaskDefinition)
		}
	case LatestActive, FixedRevision:
		for _, s := range defs.Services {
			ref := s.TaskDefinition.Family()
			if opts.Revisions == FixedRevision {
				ref = fmt.Sprintf("%s:%d", ref, opts.Revision)
			}
			out, err := d.API.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
			if err != nil {
				return nil, fmt.Errorf("service %s: task definition %s: %w", s.Name, ref, err)
			}
			arns[s.Name] = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		}
	}
	return arns, nil
}

// reuseCurrent returns the ARN of the revision the service runs when it
// equals the local definition (adding declared tags it lacks), else "".
func (d *Deployer) reuseCurrent(ctx context.Context, s *Service, remote *Remote) (string, error) {
	out := remote.TaskDefinitions[s.Name]
	if remote.Services[s.Name] == nil || out == nil || out.TaskDefinition == nil {
		return "", nil
	}
	current, err := FromDescribed(out.TaskDefinition, nil)
	if err != nil || !SameTaskDefinition(s.TaskDefinition.Input, current) {
		return "", err
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	if missing := missingTags(s.TaskDefinition.Input.Tags, out.Tags); len(missing) > 0 {
		if _, err := d.API.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: missing}); err != nil {
			return "", fmt.Errorf("tag %s: %w", revisionOf(arn), err)
		}
	}
	return arn, nil
}

// planService works out the create or the update (only what differs: an
// update with nothing to change is no update) and the tag changes.
func planService(s *Service, current *types.Service, arn string, opts DeployOptions, scaled bool) (*plan, error) {
	p := &plan{svc: s, remote: current}
	if current == nil {
		in := *s.Input
		in.ServiceName = aws.String(s.Name)
		in.Cluster = aws.String(opts.Cluster)
		in.TaskDefinition = aws.String(arn)
		if opts.Tasks != nil {
			in.DesiredCount = opts.Tasks
		}
		p.create = &in
		return p, nil
	}
	update := &awsecs.UpdateServiceInput{Cluster: aws.String(opts.Cluster), Service: aws.String(s.Name)}
	changed := false
	if s.Input != nil {
		before, after, err := serviceDocs(s, current, opts.IgnoreTags, scaled)
		if err != nil {
			return nil, err
		}
		fields, err := changedFields(before, after)
		if err != nil {
			return nil, err
		}
		if len(fields) > 0 {
			if err := awsjson.Decode(fields, update); err != nil {
				return nil, fmt.Errorf("service %s: %w", s.Name, err)
			}
			update.Cluster, update.Service = aws.String(opts.Cluster), aws.String(s.Name)
			changed = true
		}
		declared := s.Input.Tags
		if _, ok := s.Declared["tags"]; ok && declared == nil {
			declared = []types.Tag{} // "tags": [] declares that there are none
		}
		p.tagAdd, p.tagDel = tagChanges(declared, current.Tags, opts.IgnoreTags)
	}
	if arn != aws.ToString(current.TaskDefinition) {
		update.TaskDefinition = aws.String(arn)
		changed = true
	}
	if opts.Tasks != nil && *opts.Tasks != current.DesiredCount {
		update.DesiredCount = opts.Tasks
		changed = true
	}
	if opts.ForceNew {
		update.ForceNewDeployment = true
		changed = true
	}
	if codeDeployed(current) {
		// CodeDeploy's fields go through the deployment; the others (desired
		// count, tags, health check grace period ...) through UpdateService.
		target, owned := codeDeployTarget(current, update)
		if update.TaskDefinition != nil || opts.ForceNew || owned {
			p.shift, p.target = arn, target
		}
		update.TaskDefinition, update.LoadBalancers, update.NetworkConfiguration = nil, nil, nil
		update.PlatformVersion, update.CapacityProviderStrategy, update.ForceNewDeployment = nil, nil, false
		changed = !reflect.DeepEqual(update, &awsecs.UpdateServiceInput{Cluster: update.Cluster, Service: update.Service})
	}
	if changed {
		p.update = update
	}
	return p, nil
}

// codeDeployTarget is current as a CodeDeploy deployment should leave it:
// with the load balancer's container, network configuration, platform
// version and capacity provider strategy that update changes (what an
// AppSpec carries), and whether it changes any of them.
func codeDeployTarget(current *types.Service, update *awsecs.UpdateServiceInput) (*types.Service, bool) {
	target := *current
	owned := false
	// An AppSpec names the container and port; the target groups are the
	// deployment group's, so a change of those alone starts no deployment.
	if lbs := update.LoadBalancers; lbs != nil && (len(current.LoadBalancers) == 0 || len(lbs) == 0 ||
		aws.ToString(lbs[0].ContainerName) != aws.ToString(current.LoadBalancers[0].ContainerName) ||
		aws.ToInt32(lbs[0].ContainerPort) != aws.ToInt32(current.LoadBalancers[0].ContainerPort)) {
		target.LoadBalancers, owned = lbs, true
	}
	if update.NetworkConfiguration != nil {
		target.NetworkConfiguration, owned = update.NetworkConfiguration, true
	}
	if update.PlatformVersion != nil {
		target.PlatformVersion, owned = update.PlatformVersion, true
	}
	if update.CapacityProviderStrategy != nil {
		target.CapacityProviderStrategy, owned = update.CapacityProviderStrategy, true
	}
	return &target, owned
}

// changedFields are the top-level fields (other than tags) of after whose
// value differs from before's.
func changedFields(before, after []byte) (map[string]any, error) {
	b, err := awsjson.Unmarshal(before)
	if err != nil {
		return nil, err
	}
	a, err := awsjson.Unmarshal(after)
	if err != nil {
		return nil, err
	}
	bm, am := b.(map[string]any), a.(map[string]any)
	out := map[string]any{}
	for k, v := range am {
		if k == "tags" {
			continue
		}
		if string(Canonical(v)) != string(Canonical(bm[k])) {
			out[k] = v
		}
	}
	return out, nil
}

// tagChanges are the tags to add or correct and the keys to remove so the
// service carries exactly the declared tags (ignored keys left alone).
func tagChanges(declared, current []types.Tag, ignore []string) (add []types.Tag, del []string) {
	if declared == nil {
		return nil, nil
	}
	want := map[string]string{}
	for _, t := range withoutTags(declared, ignore) {
		want[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	have := map[string]string{}
	for _, t := range withoutTags(current, ignore) {
		have[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	for _, t := range withoutTags(declared, ignore) {
		if v, ok := have[aws.ToString(t.Key)]; !ok || v != aws.ToString(t.Value) {
			add = append(add, t)
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			del = append(del, k)
		}
	}
	slices.Sort(del)
	return add, del
}

// boundedChanges runs the changes to services, at most n (default
// awsclient.Concurrency) at once; a change waiting for its turn starts
// nothing once ctx is done (change checks). Following a rollout is not
// bounded by it, so a deploy takes as long as its slowest rollout. Its
// functions report through results and return nil: one service's failure
// never cuts another's change or wait short.
func boundedChanges(n int) *errgroup.Group {
	if n <= 0 {
		n = awsclient.Concurrency
	}
	g := new(errgroup.Group)
	g.SetLimit(n)
	return g
}

// sent is the context for a change about to be sent: not cut short by
// ctx's cancellation (Ctrl-C), bounded by mutationTimeout.
func sent(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), mutationTimeout)
}

// mutationTimeout bounds one change that was started: it runs to its answer
// even after Ctrl-C, so that what was changed is always known.
const mutationTimeout = 2 * time.Minute

// follow reports a service's change made and follows its rollout (then
// goes back on failure, with RollbackOnFailure).
func (d *Deployer) follow(ctx context.Context, p *plan, res ServiceResult, dep Deployment, known []types.ServiceEvent, opts DeployOptions) ServiceResult {
	if p.shift != "" {
		return d.shift(ctx, p, res, opts)
	}
	if d.Started != nil {
		d.Started(res)
	}
	if opts.NoWait || res.Action == ServiceUnchanged {
		if res.Error != "" {
			res.Err = errors.New(res.Error)
		}
		return res
	}
	res.Waited = true
	wctx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	res.Stage, res.Err = d.Waiter.wait(wctx, opts.Cluster, p.svc.Name, dep, opts.Until, clockOf(d).Now().Add(-time.Second), known...)
	if res.Error != "" { // a tag change that failed after the service changed
		res.Err = errors.Join(errors.New(res.Error), res.Err)
	}
	var failed *DeploymentFailedError
	if opts.RollbackOnFailure && p.remote != nil && errors.As(res.Err, &failed) {
		previous := aws.ToString(p.remote.TaskDefinition)
		if err := d.restore(ctx, p.svc.Name, previous, opts); err != nil {
			res.Err = fmt.Errorf("%w; rolling back to %s failed too: %w", res.Err, revisionOf(previous), err)
		} else {
			res.RolledBackTo = previous
		}
	}
	return res
}

// shift deploys a CODE_DEPLOY service's new revision through CodeDeploy,
// after its other fields were updated, and follows the deployment (unless
// NoWait) within the timeout.
func (d *Deployer) shift(ctx context.Context, p *plan, res ServiceResult, opts DeployOptions) ServiceResult {
	res.Action, res.TaskDefinition = ServiceCodeDeploy, p.shift
	if d.Started != nil {
		d.Started(res)
	}
	res.Waited = !opts.NoWait
	wctx := ctx
	if opts.Timeout > 0 && !opts.NoWait {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	cd, err := d.CodeDeploy.Deploy(wctx, p.target, p.shift, opts)
	if cd.ID != "" {
		res.CodeDeployment = &cd
	}
	err = codeDeployTimeout(ctx, wctx, err, p.svc.Name, opts.Timeout)
	if res.Error != "" {
		err = errors.Join(errors.New(res.Error), err)
	}
	res.Err = err
	return res
}

// codeDeployTimeout turns a CodeDeploy wait that wctx's timeout (not
// ctx's end: Ctrl-C) cut short into the WaitTimeoutError of exit 4.
func codeDeployTimeout(ctx, wctx context.Context, err error, service string, timeout time.Duration) error {
	if err != nil && ctx.Err() == nil && errors.Is(wctx.Err(), context.DeadlineExceeded) {
		state := "CodeDeploy deployment in progress: " + err.Error()
		if stopped := (*CodeDeployWaitStopped)(nil); errors.As(err, &stopped) {
			state = "CodeDeploy deployment " + stopped.ID + " in progress"
		}
		return &WaitTimeoutError{Service: service, State: state, After: timeout}
	}
	return err
}

func clockOf(d *Deployer) Clock {
	if d.Clock == nil {
		return SystemClock{}
	}
	return d.Clock
}

// change creates or updates the service, and sets its tags. It is not cut
// short by ctx: a change once sent is seen through to its answer.
func (d *Deployer) change(ctx context.Context, p *plan, arn string) (ServiceResult, Deployment, []types.ServiceEvent, error) {
	res := ServiceResult{Name: p.svc.Name, TaskDefinition: arn, Action: ServiceUnchanged}
	if err := ctx.Err(); err != nil {
		res.NotStarted = true
		return res, Deployment{}, nil, fmt.Errorf("service %s: not started: %w", p.svc.Name, err)
	}
	ctx, cancel := sent(ctx)
	defer cancel()
	var serviceArn string
	var known []types.ServiceEvent // events from before the change
	dep := Deployment{TaskDefinition: arn}
	switch {
	case p.create != nil:
		out, err := d.API.CreateService(ctx, p.create)
		if err != nil {
			return res, dep, nil, fmt.Errorf("create service %s: %w", p.svc.Name, err)
		}
		res.Action, serviceArn = ServiceCreated, aws.ToString(out.Service.ServiceArn)
		dep = DeploymentOf(out.Service, arn)
	case p.update != nil:
		out, err := d.API.UpdateService(ctx, p.update)
		if err != nil {
			return res, dep, nil, fmt.Errorf("update service %s: %w", p.svc.Name, err)
		}
		res.Action, serviceArn = ServiceUpdated, aws.ToString(out.Service.ServiceArn)
		known = p.remote.Events
		dep = DeploymentOf(out.Service, arn)
	default:
		serviceArn = aws.ToString(p.remote.ServiceArn)
	}
	if err := d.retag(ctx, serviceArn, p); err != nil {
		err = fmt.Errorf("service %s: %w", p.svc.Name, err)
		if res.Action == ServiceUnchanged {
			return res, dep, nil, err
		}
		// The service was changed: say so, and still follow the deployment.
		res.Error = err.Error() + " (the service itself was " + string(res.Action) + ")"
	}
	return res, dep, known, nil
}

// restore puts a service back on the revision it ran before a failed
// deployment, unless ECS's circuit breaker already did, and waits.
func (d *Deployer) restore(ctx context.Context, name, previous string, opts DeployOptions) error {
	out, err := d.API.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(opts.Cluster), Services: []string{name}})
	if err != nil {
		return err
	}
	if len(out.Services) == 1 && aws.ToString(out.Services[0].TaskDefinition) == previous && !deploymentInProgress(&out.Services[0]) {
		return nil
	}
	since := SystemClock{}.Now()
	if d.Clock != nil {
		since = d.Clock.Now()
	}
	up, err := d.API.UpdateService(ctx, &awsecs.UpdateServiceInput{
		Cluster: aws.String(opts.Cluster), Service: aws.String(name), TaskDefinition: aws.String(previous),
	})
	if err != nil {
		return err
	}
	return d.waitFor(ctx, opts.Cluster, name, DeploymentOf(up.Service, previous), opts.Until, since, opts.Timeout)
}

func (d *Deployer) retag(ctx context.Context, arn string, p *plan) error {
	if p.create != nil {
		return nil // CreateService tagged it
	}
	if len(p.tagAdd) > 0 {
		if _, err := d.API.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: p.tagAdd}); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	if len(p.tagDel) > 0 {
		if _, err := d.API.UntagResource(ctx, &awsecs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: p.tagDel}); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
	}
	return nil
}
