// Package verify checks a project before it reaches a service: first what
// offline validation found in each definition, then what AWS says about
// everything the definitions point at (cluster, roles and their trust,
// images, log groups, secrets, environment files, target groups, subnets,
// security groups, capacity providers).
//
// Every check is one line of a tree per resource: OK, NG or SKIP with the
// reason. Checks run concurrently; AWS calls are bounded and each answer
// is asked once per run, batched where the API takes several names.
package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/scheduled"
)

// Status is a check's outcome.
type Status string

const (
	OK   Status = "OK"
	NG   Status = "NG"
	Skip Status = "SKIP"
)

// Check is one line of the tree.
type Check struct {
	Check   string `json:"check"`
	Subject string `json:"subject,omitempty"`
	Status  Status `json:"status"`
	Reason  string `json:"reason,omitempty"`

	run func(context.Context) (Status, string)
}

// Resource is a service, task definition or scheduled task with its checks.
type Resource struct {
	Kind   string   `json:"kind"` // service | task definition | scheduled task
	Name   string   `json:"name"`
	File   string   `json:"file,omitempty"`
	Checks []*Check `json:"checks"`
}

// Report is verify's result.
type Report struct {
	Resources []*Resource    `json:"resources"`
	Summary   map[Status]int `json:"summary"`
}

// Failed tells whether any check is NG.
func (r *Report) Failed() bool { return r.Summary[NG] > 0 }

// Input is what to verify.
type Input struct {
	Region      string
	Cluster     string
	Definitions *ecs.Definitions
	// Scheduled are the scheduled tasks in scope, their role_arn set
	// (the config's default applied); Backend is scheduler or events.
	Scheduled []*scheduled.Task
	Backend   string
	// ConfigTaskDefinitions are the names of every task definition in the
	// config (a scheduled task's task_definition may name one).
	ConfigTaskDefinitions []string
	Offline               bool
	// Concurrency bounds AWS calls in flight (default awsclient.Concurrency).
	Concurrency int
}

// Run verifies in, asking lookup (nil with Offline).
func Run(ctx context.Context, in Input, lookup Lookup) *Report {
	n := in.Concurrency
	if n <= 0 {
		n = awsclient.Concurrency
	}
	c := &checker{in: in, lookup: lookup, limit: n, memo: map[string]*entry{}, wants: map[batchKey][]string{}}
	c.calls.SetLimit(n)
	var rep Report
	for _, svc := range in.Definitions.Services {
		rep.Resources = append(rep.Resources, c.service(svc))
	}
	for _, td := range in.Definitions.TaskDefinitions {
		rep.Resources = append(rep.Resources, c.taskDefinition(td))
	}
	for _, t := range in.Scheduled {
		rep.Resources = append(rep.Resources, c.scheduledTask(t))
	}
	if !in.Offline {
		c.prefetch(ctx)
		var wg sync.WaitGroup
		for _, r := range rep.Resources {
			for _, ch := range r.Checks {
				if ch.run == nil {
					continue
				}
				wg.Go(func() { ch.Status, ch.Reason = ch.run(ctx) })
			}
		}
		wg.Wait()
	}
	rep.Summary = map[Status]int{OK: 0, NG: 0, Skip: 0}
	for _, r := range rep.Resources {
		for _, ch := range r.Checks {
			rep.Summary[ch.Status]++
		}
	}
	return &rep
}

// checker builds the checks of each resource and answers them.
type checker struct {
	in     Input
	lookup Lookup
	// calls runs the AWS calls of the checks, at most limit at once.
	calls errgroup.Group
	limit int

	mu   sync.Mutex
	memo map[string]*entry
	// wants are the names of each batched kind, collected while the
	// checks are built and fetched before they run.
	wants map[batchKey][]string
}

type entry struct {
	done chan struct{}
	val  any
	err  error
}

type batchKey struct{ kind, region string }

// Batched kinds and how many names one call takes.
const (
	kindCluster  = "cluster"
	kindParam    = "ssm parameter"
	kindTarget   = "target group"
	kindSubnet   = "subnet"
	kindSecGroup = "security group"
)

var batchSize = map[string]int{kindCluster: 100, kindParam: 10, kindTarget: 20, kindSubnet: 200, kindSecGroup: 200}

// ask answers key once per run: the first caller has it fetched as one of
// the bounded calls (waiting for a turn), later ones wait for its answer.
// A fetch whose turn comes after ctx ended is not made.
func (c *checker) ask(ctx context.Context, key string, fetch func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.memo[key]
	if !ok {
		e = &entry{done: make(chan struct{})}
		c.memo[key] = e
	}
	c.mu.Unlock()
	if !ok {
		c.calls.Go(func() error {
			defer close(e.done)
			if e.err = ctx.Err(); e.err == nil {
				e.val, e.err = fetch(ctx)
			}
			return nil
		})
	}
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// want notes a name of a batched kind; the check reads its answer with got.
func (c *checker) want(kind, region, name string) {
	k := batchKey{kind, region}
	if !slices.Contains(c.wants[k], name) {
		c.wants[k] = append(c.wants[k], name)
	}
}

func batchMemoKey(kind, region, name string) string { return kind + "\x00" + region + "\x00" + name }

// got is the prefetched answer for a batched name: nil when it does not
// exist.
func (c *checker) got(kind, region, name string) (any, error) {
	c.mu.Lock()
	e := c.memo[batchMemoKey(kind, region, name)]
	c.mu.Unlock()
	if e == nil {
		return nil, fmt.Errorf("internal: %s %s was not fetched", kind, name)
	}
	<-e.done
	return e.val, e.err
}

// prefetch asks for every wanted name of the batched kinds, as many per
// call as the API takes, all batches concurrently within the bound.
func (c *checker) prefetch(ctx context.Context) {
	var batches errgroup.Group
	batches.SetLimit(c.limit)
	for k, names := range c.wants {
		for chunk := range slices.Chunk(names, batchSize[k.kind]) {
			entries := map[string]*entry{}
			c.mu.Lock()
			for _, n := range chunk {
				e := &entry{done: make(chan struct{})}
				entries[n] = e
				c.memo[batchMemoKey(k.kind, k.region, n)] = e
			}
			c.mu.Unlock()
			batches.Go(func() error {
				found, err := c.fetchBatch(ctx, k, chunk)
				if invalidName(err) && len(chunk) > 1 {
					// One malformed name fails the whole call: ask one
					// by one, so only that name's check says so.
					for n, e := range entries {
						one, err := c.fetchBatch(ctx, k, []string{n})
						e.val, e.err = one[n], err
						close(e.done)
					}
					return nil
				}
				for n, e := range entries {
					e.val, e.err = found[n], err
					close(e.done)
				}
				return nil
			})
		}
	}
	batches.Wait()
}

// invalidName tells the answer AWS gives a batch holding a malformed name.
func invalidName(err error) bool {
	switch errorCode(err) {
	case "ValidationError", "ValidationException", "InvalidParameterValue", "InvalidParameterValueException":
		return true
	}
	return strings.Contains(errorCode(err), ".Malformed") // EC2: InvalidSubnetID.Malformed
}

// fetchBatch returns a map from name to answer (absent: does not exist);
// it asks nothing once ctx is done. It runs in one of prefetch's bounded
// turns.
func (c *checker) fetchBatch(ctx context.Context, k batchKey, names []string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	found := map[string]any{}
	switch k.kind {
	case kindCluster:
		m, err := c.lookup.Clusters(ctx, k.region, names)
		for n, v := range m {
			found[n] = v
		}
		return found, err
	case kindParam:
		m, err := c.lookup.Parameters(ctx, k.region, names)
		for n, ok := range m {
			if ok {
				found[n] = true
			}
		}
		return found, err
	case kindTarget:
		m, err := c.lookup.TargetGroups(ctx, k.region, names)
		for n, v := range m {
			found[n] = v
		}
		return found, err
	case kindSubnet, kindSecGroup:
		ask := c.lookup.Subnets
		if k.kind == kindSecGroup {
			ask = c.lookup.SecurityGroups
		}
		m, err := ask(ctx, k.region, names)
		for n, v := range m {
			found[n] = v
		}
		return found, err
	}
	return nil, fmt.Errorf("internal: unknown kind %s", k.kind)
}

// add appends an online check unless the resource has it already (two
// containers sharing a log group show it once); --offline adds none.
func (c *checker) add(r *Resource, check, subject string, run func(context.Context) (Status, string)) {
	if c.in.Offline {
		return
	}
	for _, ch := range r.Checks {
		if ch.Check == check && ch.Subject == subject {
			return
		}
	}
	r.Checks = append(r.Checks, &Check{Check: check, Subject: subject, run: run})
}

// offline adds the definition's validation result: one NG line per
// problem, or one OK line.
func offline(r *Resource, file string, problems []error) {
	if len(problems) == 0 {
		r.Checks = append(r.Checks, &Check{Check: "definition", Status: OK, Reason: "valid"})
		return
	}
	for _, p := range problems {
		// The file is the resource's; the line keeps the field and the fix.
		reason := strings.TrimPrefix(p.Error(), file+": ")
		r.Checks = append(r.Checks, &Check{Check: "definition", Status: NG, Reason: reason})
	}
}

// failure turns a lookup error into a line: no permission to look is a
// SKIP (the deploy may still work), anything else NG.
func failure(err error) (Status, string) {
	code := errorCode(err)
	// Bad credentials (UnrecognizedClientException, InvalidClientTokenId,
	// AuthFailure, ExpiredToken) are NG: nothing could be checked.
	if strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation" || code == "Forbidden" {
		return Skip, "not allowed to check: " + code
	}
	return NG, "could not check: " + err.Error()
}

// display shows a path relative to the working directory when under it.
func display(path string) string {
	cwd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(cwd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func containerNamed(td *ecs.TaskDefinition, name string) *types.ContainerDefinition {
	for i := range td.Input.ContainerDefinitions {
		if aws.ToString(td.Input.ContainerDefinitions[i].Name) == name {
			return &td.Input.ContainerDefinitions[i]
		}
	}
	return nil
}
