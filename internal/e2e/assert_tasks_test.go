package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/rogpeppe/go-internal/testscript"
)

// Commands that check what tamp left behind in ECS and ELBv2, and in which
// order it called. They ask moto directly, as the script's account, not
// through the proxy, so their own calls are not among those `calls`,
// `callorder` and `nomutations` count.

// directConfig is an SDK configuration for the script's account in moto
// that bypasses the proxy.
func directConfig(ts *testscript.TestScript) aws.Config {
	px := proxyOf(ts)
	cfg := proxyConfig(px)
	cfg.BaseEndpoint = aws.String(moto.URL)
	cfg.HTTPClient = accountClient(px.Account)
	return cfg
}

// accountClient sends each request as one moto account, as the proxy does.
type accountClient string

func (a accountClient) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set("x-moto-account-id", string(a))
	return http.DefaultClient.Do(r)
}

// tasksrunning N: exactly N tasks of the script's account and region are
// not STOPPED, in all its clusters. It lists tasks whose desiredStatus is
// RUNNING (the launcher stops a task at once, so its tasks that are not
// STOPPED are exactly those) and does not describe them, which would move
// their health checks along.
func cmdTasksRunning(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tasksrunning N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	running, err := runningTasks(context.Background(), directConfig(ts))
	ts.Check(err)
	if (len(running) == want) == neg {
		ts.Fatalf("%d tasks running, want %s%d: %s", len(running), map[bool]string{true: "not ", false: ""}[neg], want, strings.Join(running, " "))
	}
}

// runningTasks lists the ARNs of the tasks of every cluster whose
// desiredStatus is RUNNING.
func runningTasks(ctx context.Context, cfg aws.Config) ([]string, error) {
	client := ecs.NewFromConfig(cfg)
	var running []string
	clusters := ecs.NewListClustersPaginator(client, &ecs.ListClustersInput{})
	for clusters.HasMorePages() {
		page, err := clusters.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, cluster := range page.ClusterArns {
			tasks := ecs.NewListTasksPaginator(client, &ecs.ListTasksInput{Cluster: aws.String(cluster), DesiredStatus: ecstypes.DesiredStatusRunning})
			for tasks.HasMorePages() {
				page, err := tasks.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				running = append(running, page.TaskArns...)
			}
		}
	}
	return running, nil
}

// callorder OP1 OP2 ...: each operation was called since the last
// resetcalls, and the first call of each came before the first call of the
// next. `! callorder` passes when they were not all called in that order.
func cmdCallOrder(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: callorder OP1 OP2 ...")
	}
	if err := callOrder(proxyOf(ts).Calls(), args); (err == nil) == neg {
		if err == nil {
			err = fmt.Errorf("they were")
		}
		ts.Fatalf("callorder %s: %v; the calls in order:\n%s", strings.Join(args, " "), err, runs(proxyOf(ts).Calls()))
	}
}

// callOrder checks that each op's first call in calls comes before the
// next op's.
func callOrder(calls, ops []string) error {
	prev := -1
	for i, op := range ops {
		at := slices.Index(calls, op)
		if at < 0 {
			return fmt.Errorf("%s was not called", op)
		}
		if at < prev {
			return fmt.Errorf("the first %s (call %d) came before the first %s (call %d)", op, at+1, ops[i-1], prev+1)
		}
		prev = at
	}
	return nil
}

// runs lists calls one per line, a run of the same operation as one line
// with its count.
func runs(calls []string) string {
	if len(calls) == 0 {
		return "(no calls)"
	}
	var lines []string
	for i := 0; i < len(calls); {
		j := i
		for j < len(calls) && calls[j] == calls[i] {
			j++
		}
		line := fmt.Sprintf("%d %s", i+1, calls[i])
		if j-i > 1 {
			line += fmt.Sprintf(" x%d", j-i)
		}
		lines = append(lines, line)
		i = j
	}
	return strings.Join(lines, "\n")
}

// targethealth TG_ARN [STATE...]: the target group's registered targets
// (DescribeTargetHealth without Targets) are in exactly these states, in
// any order; without states, it has no targets. Asking counts as one
// describe of each target for the launcher (whose first describe after
// registration answers "initial").
func cmdTargetHealth(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: targethealth TG_ARN [STATE...]")
	}
	out, err := elb.NewFromConfig(directConfig(ts)).DescribeTargetHealth(context.Background(),
		&elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(args[0])})
	ts.Check(err)
	var got, seen []string
	for _, d := range out.TargetHealthDescriptions {
		state := string(d.TargetHealth.State)
		got = append(got, state)
		seen = append(seen, fmt.Sprintf("%s:%d %s %s", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port), state, d.TargetHealth.Reason))
	}
	want := append([]string(nil), args[1:]...)
	sort.Strings(got)
	sort.Strings(want)
	if slices.Equal(got, want) == neg {
		ts.Fatalf("targets of %s: %v, want %s%v", args[0], seen, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// startedtasks CLUSTER STARTEDBY: writes to stdout, one a line and oldest
// first, the revision (family:N) of each task of CLUSTER started by
// STARTEDBY, running or stopped: what RunTask was asked to run. It
// describes the tasks, which moves a running task's health checks along.
func cmdStartedTasks(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: startedtasks CLUSTER STARTEDBY")
	}
	ctx := context.Background()
	client := ecs.NewFromConfig(directConfig(ts))
	var arns []string
	for _, status := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		out, err := client.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(args[0]), StartedBy: aws.String(args[1]), DesiredStatus: status})
		ts.Check(err)
		arns = append(arns, out.TaskArns...)
	}
	var tasks []ecstypes.Task
	for chunk := range slices.Chunk(arns, 100) {
		out, err := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(args[0]), Tasks: chunk})
		ts.Check(err)
		tasks = append(tasks, out.Tasks...)
	}
	slices.SortStableFunc(tasks, func(a, b ecstypes.Task) int { return aws.ToTime(a.CreatedAt).Compare(aws.ToTime(b.CreatedAt)) })
	for _, t := range tasks {
		arn := aws.ToString(t.TaskDefinitionArn)
		fmt.Fprintln(ts.Stdout(), arn[strings.LastIndexByte(arn, '/')+1:])
	}
}
