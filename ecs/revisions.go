package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// RevisionsAPI is the part of ECS that listing and removing task
// definition revisions uses.
type RevisionsAPI interface {
	ListTaskDefinitions(ctx context.Context, in *awsecs.ListTaskDefinitionsInput, optFns ...func(*awsecs.Options)) (*awsecs.ListTaskDefinitionsOutput, error)
	ListServices(ctx context.Context, in *awsecs.ListServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.ListServicesOutput, error)
	DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	DeregisterTaskDefinition(ctx context.Context, in *awsecs.DeregisterTaskDefinitionInput, optFns ...func(*awsecs.Options)) (*awsecs.DeregisterTaskDefinitionOutput, error)
	DeleteTaskDefinitions(ctx context.Context, in *awsecs.DeleteTaskDefinitionsInput, optFns ...func(*awsecs.Options)) (*awsecs.DeleteTaskDefinitionsOutput, error)
}

var _ RevisionsAPI = (*awsecs.Client)(nil)

// deleteTaskDefinitionsBatch is how many revisions one
// DeleteTaskDefinitions call takes.
const deleteTaskDefinitionsBatch = 10

// RevisionUsers says who runs which task definition revision: by ARN (or
// family:revision, for a scheduled task that names one), the users
// ("service web", "scheduled task nightly").
type RevisionUsers map[string][]string

// Add records that user runs revision ref.
func (u RevisionUsers) Add(ref, user string) {
	if ref != "" && !slices.Contains(u[ref], user) {
		u[ref] = append(u[ref], user)
	}
}

// Of are the users of the revision arn, by its ARN or family:revision.
func (u RevisionUsers) Of(arn string) []string {
	users := slices.Clone(u[arn])
	for _, x := range u[ShortRevision(arn)] {
		if !slices.Contains(users, x) {
			users = append(users, x)
		}
	}
	return users
}

// clusterServices is the part of ECS that finds every service of a
// cluster.
type clusterServices interface {
	ListServices(ctx context.Context, in *awsecs.ListServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.ListServicesOutput, error)
	DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, optFns ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
}

// ServiceUsers are the revisions every service of the cluster runs or
// deploys (its deployments' and task sets' too), as "service NAME".
func ServiceUsers(ctx context.Context, api clusterServices, cluster string) (RevisionUsers, error) {
	var arns []string
	in := &awsecs.ListServicesInput{Cluster: aws.String(cluster)}
	for {
		out, err := api.ListServices(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list the services of cluster %s: %w", cluster, err)
		}
		arns = append(arns, out.ServiceArns...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	users := RevisionUsers{}
	for batch := range slices.Chunk(arns, describeServicesBatch) {
		out, err := api.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: batch})
		if err != nil {
			return nil, fmt.Errorf("describe the services of cluster %s: %w", cluster, err)
		}
		for _, s := range out.Services {
			user := "service " + aws.ToString(s.ServiceName)
			users.Add(aws.ToString(s.TaskDefinition), user)
			for _, d := range s.Deployments {
				users.Add(aws.ToString(d.TaskDefinition), user)
			}
			for _, ts := range s.TaskSets {
				users.Add(aws.ToString(ts.TaskDefinition), user)
			}
		}
	}
	return users, nil
}

// Family is a task definition family in scope, with the config names
// that register it (a service's, task_definitions entries').
type Family struct {
	Names  []string
	Family string
}

// Families are the families of the task definitions, each once, in the
// config's order.
func Families(tds []*TaskDefinition) []Family {
	var out []Family
	for _, td := range tds {
		i := slices.IndexFunc(out, func(f Family) bool { return f.Family == td.Family() })
		if i < 0 {
			out = append(out, Family{Family: td.Family()})
			i = len(out) - 1
		}
		out[i].Names = append(out[i].Names, td.Name)
	}
	return out
}

// Revision is one ACTIVE revision of a family.
type Revision struct {
	ARN      string `json:"arn"`
	Revision int32  `json:"revision"`
	// InUse are who runs it now: services of the cluster, scheduled tasks
	// of the config.
	InUse []string `json:"in_use"`
}

// FamilyRevisions are a family's ACTIVE revisions, newest first.
type FamilyRevisions struct {
	Names     []string   `json:"names"`
	Family    string     `json:"family"`
	Revisions []Revision `json:"revisions"`
}

// Revisions lists and removes the revisions of families, never one that
// a service of the cluster or a scheduled task of the config runs.
type Revisions struct {
	API     RevisionsAPI
	Cluster string
	// Scheduled reads the revisions the config's scheduled tasks run; nil
	// when the config has none.
	Scheduled func(ctx context.Context) (RevisionUsers, error)
}

// Users are who runs which revision now: the cluster's services and the
// config's scheduled tasks.
func (r *Revisions) Users(ctx context.Context) (RevisionUsers, error) {
	users, err := ServiceUsers(ctx, r.API, r.Cluster)
	if err != nil {
		return nil, err
	}
	if r.Scheduled != nil {
		scheduled, err := r.Scheduled(ctx)
		if err != nil {
			return nil, err
		}
		for ref, names := range scheduled {
			for _, n := range names {
				users.Add(ref, n)
			}
		}
	}
	return users, nil
}

// List is each family's ACTIVE revisions, newest first, with who runs
// them.
func (r *Revisions) List(ctx context.Context, families []Family) ([]FamilyRevisions, error) {
	users, err := r.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]FamilyRevisions, len(families))
	g := new(errgroup.Group)
	g.SetLimit(awsclient.Concurrency)
	for i, f := range families {
		g.Go(func() error {
			arns, err := activeRevisions(ctx, r.API, f.Family)
			if err != nil {
				return err
			}
			fr := FamilyRevisions{Names: f.Names, Family: f.Family, Revisions: []Revision{}}
			for _, arn := range arns {
				_, rev, _ := splitRevision(arn)
				inUse := users.Of(arn)
				if inUse == nil {
					inUse = []string{}
				}
				fr.Revisions = append(fr.Revisions, Revision{ARN: arn, Revision: rev, InUse: inUse})
			}
			out[i] = fr
			return nil
		})
	}
	return out, g.Wait()
}

// activeRevisions are the family's ACTIVE revision ARNs, newest first.
// ListTaskDefinitions takes a family prefix (web lists web-worker too)
// and its order is not relied on.
func activeRevisions(ctx context.Context, api RevisionsAPI, family string) ([]string, error) {
	type rev struct {
		arn string
		n   int32
	}
	var revs []rev
	in := &awsecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: types.TaskDefinitionStatusActive, Sort: types.SortOrderDesc}
	for {
		out, err := api.ListTaskDefinitions(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list the revisions of %s: %w", family, err)
		}
		for _, arn := range out.TaskDefinitionArns {
			if f, n, err := splitRevision(arn); err == nil && f == family && !slices.ContainsFunc(revs, func(r rev) bool { return r.n == n }) {
				revs = append(revs, rev{arn, n})
			}
		}
		if out.NextToken == nil || aws.ToString(out.NextToken) == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = out.NextToken
	}
	slices.SortFunc(revs, func(a, b rev) int { return int(b.n) - int(a.n) })
	arns := make([]string, len(revs))
	for i, r := range revs {
		arns[i] = r.arn
	}
	return arns, nil
}

// CleanupOptions are deregister's choices.
type CleanupOptions struct {
	Keep   int // the newest Keep ACTIVE revisions of each family stay
	DryRun bool
	Delete bool // delete the revisions deregistered (DeleteTaskDefinitions)
}

// Kept is a revision deregister left, and why.
type Kept struct {
	ARN    string `json:"arn"`
	Reason string `json:"reason"` // "newest 2", "in use by service web"
}

// Cleanup is what deregister did to one family.
type Cleanup struct {
	Names  []string `json:"names"`
	Family string   `json:"family"`
	// Deregistered are the revisions deregistered (in a dry run: that
	// would be), newest first; Deleted those of them deleted.
	Deregistered []string `json:"deregistered"`
	Deleted      []string `json:"deleted"`
	Kept         []Kept   `json:"kept"`
	// NotStarted are the revisions an interrupt kept from being
	// deregistered.
	NotStarted []string `json:"not_started,omitempty"`
	Err        error    `json:"-"`
	Error      string   `json:"error,omitempty"`
}

// Deregister deregisters every ACTIVE revision of each family but the
// newest Keep and those in use, and with Delete deletes them. Who runs
// what is read once to plan and once more right before the first
// deregistration: a revision that came into use in between is kept. A
// dry run only plans.
func (r *Revisions) Deregister(ctx context.Context, families []Family, o CleanupOptions) ([]Cleanup, error) {
	if o.Keep < 1 {
		return nil, fmt.Errorf("keep at least 1 revision: the newest is the one register compares with and reuses")
	}
	listed, err := r.List(ctx, families)
	if err != nil {
		return nil, err
	}
	out := make([]Cleanup, len(listed))
	var todo int
	for i, fr := range listed {
		c := Cleanup{Names: fr.Names, Family: fr.Family, Deregistered: []string{}, Deleted: []string{}, Kept: []Kept{}}
		for j, rev := range fr.Revisions {
			switch {
			case j < o.Keep:
				c.Kept = append(c.Kept, Kept{ARN: rev.ARN, Reason: fmt.Sprintf("newest %d", o.Keep)})
			case len(rev.InUse) > 0:
				c.Kept = append(c.Kept, Kept{ARN: rev.ARN, Reason: "in use by " + strings.Join(rev.InUse, ", ")})
			default:
				c.Deregistered = append(c.Deregistered, rev.ARN)
			}
		}
		todo += len(c.Deregistered)
		out[i] = c
	}
	if o.DryRun || todo == 0 {
		return out, nil
	}
	// Right before the first call: anything deployed or scheduled since
	// the listing is kept.
	users, err := r.Users(ctx)
	if err != nil {
		return out, fmt.Errorf("nothing was deregistered: %w", err)
	}
	for i := range out {
		c := &out[i]
		var candidates []string
		for _, arn := range c.Deregistered {
			if u := users.Of(arn); len(u) > 0 {
				c.Kept = append(c.Kept, Kept{ARN: arn, Reason: "in use by " + strings.Join(u, ", ")})
				continue
			}
			candidates = append(candidates, arn)
		}
		slices.SortFunc(c.Kept, func(a, b Kept) int {
			_, ra, _ := splitRevision(a.ARN)
			_, rb, _ := splitRevision(b.ARN)
			return int(rb) - int(ra)
		})
		c.Deregistered = []string{}
		r.deregister(ctx, c, candidates)
		if o.Delete {
			r.delete(ctx, c)
		}
	}
	var errs []error
	for i := range out {
		if out[i].Err != nil {
			out[i].Error = out[i].Err.Error()
			errs = append(errs, out[i].Err)
		}
	}
	if ctx.Err() != nil && slices.ContainsFunc(out, func(c Cleanup) bool { return len(c.NotStarted) > 0 }) {
		errs = append(errs, ctx.Err())
	}
	return out, errors.Join(errs...)
}

// deregister deregisters the candidates, at most awsclient.Concurrency at
// once; each call once sent is seen through, and after an interrupt no
// further one starts.
func (r *Revisions) deregister(ctx context.Context, c *Cleanup, candidates []string) {
	const (
		notStarted = iota
		done
		failed
	)
	state := make([]int, len(candidates))
	errs := make([]error, len(candidates))
	g := boundedChanges(0)
	for i, arn := range candidates {
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			sctx, cancel := sent(ctx)
			defer cancel()
			if _, err := r.API.DeregisterTaskDefinition(sctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
				state[i], errs[i] = failed, fmt.Errorf("%s: deregister %s: %w", c.Family, ShortRevision(arn), err)
				return nil
			}
			state[i] = done
			return nil
		})
	}
	g.Wait()
	for i, arn := range candidates {
		switch state[i] {
		case done:
			c.Deregistered = append(c.Deregistered, arn)
		case notStarted:
			c.NotStarted = append(c.NotStarted, arn)
		}
	}
	c.Err = errors.Join(errs...)
}

// delete deletes the family's deregistered revisions, ten a call.
func (r *Revisions) delete(ctx context.Context, c *Cleanup) {
	var errs []error
	if c.Err != nil {
		errs = append(errs, c.Err)
	}
	for batch := range slices.Chunk(c.Deregistered, deleteTaskDefinitionsBatch) {
		if ctx.Err() != nil {
			c.NotStarted = append(c.NotStarted, batch...)
			continue
		}
		sctx, cancel := sent(ctx)
		out, err := r.API.DeleteTaskDefinitions(sctx, &awsecs.DeleteTaskDefinitionsInput{TaskDefinitions: batch})
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: delete %s: %w", c.Family, shortList(batch), err))
			continue
		}
		for _, td := range out.TaskDefinitions {
			c.Deleted = append(c.Deleted, aws.ToString(td.TaskDefinitionArn))
		}
		for _, f := range out.Failures {
			errs = append(errs, fmt.Errorf("%s: delete %s: %s", c.Family, ShortRevision(aws.ToString(f.Arn)), aws.ToString(f.Reason)))
		}
	}
	// In the order they were deregistered: newest first.
	slices.SortFunc(c.Deleted, func(a, b string) int {
		return slices.Index(c.Deregistered, a) - slices.Index(c.Deregistered, b)
	})
	c.Err = errors.Join(errs...)
}

func shortList(arns []string) string {
	short := make([]string, len(arns))
	for i, a := range arns {
		short[i] = ShortRevision(a)
	}
	return strings.Join(short, ", ")
}
