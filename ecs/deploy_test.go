package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func serviceDef(t *testing.T, name, svcJSON, tdJSON string) *Service {
	t.Helper()
	td := mustTD(t, tdJSON)
	td.Name = name
	in, declared, err := DecodeService("svc.json", []byte(svcJSON))
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Name: name, File: name + ".json", Input: NormalizeService(in), TaskDefinition: td, Declared: declared}
}

func defsOf(svcs ...*Service) *Definitions {
	d := &Definitions{Services: svcs}
	for _, s := range svcs {
		d.TaskDefinitions = append(d.TaskDefinitions, s.TaskDefinition)
	}
	return d
}

func tdJSON(family, image string) string {
	return `{"family":"` + family + `","containerDefinitions":[{"name":"app","image":"` + image + `","memory":128}]}`
}

type progressLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *progressLog) add(p Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.Event != "" {
		l.lines = append(l.lines, p.Service+" event: "+p.Event)
		return
	}
	l.lines = append(l.lines, p.Service+" "+p.Revision+" "+p.Rollout)
}

func newDeployer(api *fakeaws.ECS) (*Deployer, *fakeaws.Clock, *progressLog) {
	clock, log := fakeaws.NewClock(), &progressLog{}
	return &Deployer{API: api, Clock: clock, Waiter: &Waiter{API: api, Clock: clock, Progress: log.add}}, clock, log
}

func TestDeployCreatesThenUpdates(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, clock, log := newDeployer(api)
	opts := DeployOptions{Cluster: "c", Until: UntilDeployed}
	web := serviceDef(t, "web", `{"desiredCount":2,"tags":[{"key":"team","value":"a"}]}`, tdJSON("web", "app:1"))

	res, err := d.Deploy(ctx, defsOf(web), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != ServiceCreated || !strings.HasSuffix(res[0].TaskDefinition, "web:1") || !res[0].Waited {
		t.Errorf("create: %+v", res[0])
	}
	// A second deploy of the same config changes nothing and does not wait.
	api.ResetCalls()
	res, err = d.Deploy(ctx, defsOf(web), opts)
	if err != nil || res[0].Action != ServiceUnchanged || res[0].Waited {
		t.Fatalf("redeploy: %+v, %v", res[0], err)
	}
	if api.Calls("UpdateService")+api.Calls("RegisterTaskDefinition")+api.Calls("TagResource") != 0 {
		t.Errorf("an unchanged deploy mutated: %v", api.CallCounts())
	}

	// A new image: a new revision, an update, success only once COMPLETED.
	api.SetRollout("web", fakeaws.Rollout{Polls: 4})
	web2 := serviceDef(t, "web", `{"desiredCount":2,"tags":[{"key":"team","value":"a"}]}`, tdJSON("web", "app:2"))
	res, err = d.Deploy(ctx, defsOf(web2), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != ServiceUpdated || !strings.HasSuffix(res[0].TaskDefinition, "web:2") {
		t.Errorf("update: %+v", res[0])
	}
	last := api.LastUpdate()
	if !strings.HasSuffix(aws.ToString(last.TaskDefinition), "web:2") || last.DesiredCount != nil || last.NetworkConfiguration != nil {
		t.Errorf("UpdateService sent more than the change: %+v", last)
	}
	if got := clock.Sleeps(); got != 3 {
		t.Errorf("the waiter slept %d times, want 3 (four polls, the first immediate)", got)
	}
	if !strings.Contains(strings.Join(log.lines, "\n"), "web web:2 COMPLETED") {
		t.Errorf("progress: %v", log.lines)
	}
}

func TestDeployFailureAndRollback(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, log := newDeployer(api)
	opts := DeployOptions{Cluster: "c", Until: UntilDeployed}
	if _, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), opts); err != nil {
		t.Fatal(err)
	}
	api.SetRollout("web", fakeaws.Rollout{Polls: 2, Fail: true})
	_, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:broken"))), opts)
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want a DeploymentFailedError", err)
	}
	if !strings.Contains(failed.Reason, "circuit breaker") || !strings.Contains(failed.Reason, "tasks failed to start") ||
		!strings.Contains(failed.Reason, "(ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)") {
		t.Errorf("reason = %q", failed.Reason)
	}
	if !strings.Contains(strings.Join(log.lines, "\n"), "event: (service web) deployment") {
		t.Errorf("the failure event was not reported: %v", log.lines)
	}
}

func TestWaitTimeoutAndInterrupt(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	opts := DeployOptions{Cluster: "c", Until: UntilDeployed}
	api.SetRollout("web", fakeaws.Rollout{Hang: true})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), opts)
	var timeout *WaitTimeoutError
	if !errors.As(err, &timeout) || !strings.Contains(timeout.State, "web:1 IN_PROGRESS") {
		t.Fatalf("err = %v, want a timeout saying where it stands", err)
	}

	// Interrupted: the error says the deployment goes on and wraps Canceled.
	api = fakeaws.NewECS()
	d, _, _ = newDeployer(api)
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	_, err = d.Deploy(ctx2, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), opts)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "the deployment goes on in AWS") {
		t.Fatalf("err = %v", err)
	}
}

func TestDeployServicesConcurrently(t *testing.T) {
	api := fakeaws.NewECS()
	d, clock, _ := newDeployer(api)
	api.SetRollout("a", fakeaws.Rollout{Polls: 2})
	api.SetRollout("b", fakeaws.Rollout{Polls: 3})
	api.SetRollout("c", fakeaws.Rollout{Polls: 5})
	defs := defsOf(
		serviceDef(t, "a", `{"desiredCount":1}`, tdJSON("a", "app:1")),
		serviceDef(t, "b", `{"desiredCount":1}`, tdJSON("b", "app:1")),
		serviceDef(t, "c", `{"desiredCount":1}`, tdJSON("c", "app:1")),
	)
	if _, err := d.Deploy(context.Background(), defs, DeployOptions{Cluster: "c", Until: UntilDeployed}); err != nil {
		t.Fatal(err)
	}
	// All three rollouts were followed at the same time, so the deploy
	// takes as long as the slowest, not the sum.
	if got := api.MaxInFlight(); got != 3 {
		t.Errorf("at most %d rollouts were in flight at once, want all 3", got)
	}
	if got := clock.Sleeps(); got != 1+2+4 {
		t.Errorf("%d pauses in all, want 7 (one per poll after the first)", got)
	}
}

func TestDeployRefusesWhileInProgress(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	if _, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	api.ResetCalls()
	_, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))), DeployOptions{Cluster: "c"})
	if err == nil || !strings.Contains(err.Error(), "service web has a deployment in progress") || !strings.Contains(err.Error(), "tamp wait --only web") {
		t.Fatalf("err = %v", err)
	}
	if api.Calls("RegisterTaskDefinition")+api.Calls("UpdateService") != 0 {
		t.Errorf("refused, yet mutated: %v", api.CallCounts())
	}
}

func TestDeployChecksBeforeChanging(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	noCount := serviceDef(t, "web", `{}`, tdJSON("web", "app:1"))
	_, err := d.Deploy(context.Background(), defsOf(noCount), DeployOptions{Cluster: "c", Revisions: KeepCurrent})
	if err == nil || !strings.Contains(err.Error(), "--skip-task-definition has no current revision") {
		t.Errorf("err = %v", err)
	}
	_, err = d.Deploy(context.Background(), defsOf(noCount), DeployOptions{Cluster: "c"})
	if err == nil || !strings.Contains(err.Error(), "set desiredCount in its definition or pass --tasks N") {
		t.Errorf("err = %v", err)
	}
	if n := api.Calls("RegisterTaskDefinition") + api.Calls("CreateService"); n != 0 {
		t.Errorf("mutating calls before the checks passed: %v", api.CallCounts())
	}
}

func TestDeployTagsTasksAndRevisions(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	opts := DeployOptions{Cluster: "c", Until: UntilStable, IgnoreTags: []string{"managed-elsewhere"}}
	svc := `{"desiredCount":1,"tags":[{"key":"team","value":"a"},{"key":"old","value":"x"}]}`
	if _, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", svc, tdJSON("web", "app:1"))), opts); err != nil {
		t.Fatal(err)
	}
	api.EditService("web", func(s *types.Service) { s.Tags = append(s.Tags, fakeaws.Tag("managed-elsewhere", "1")) })
	svc2 := `{"desiredCount":1,"tags":[{"key":"team","value":"b"}]}`
	tasks := int32(3)
	res, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", svc2, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c", Tasks: &tasks, IgnoreTags: opts.IgnoreTags})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != ServiceUpdated || aws.ToInt32(api.LastUpdate().DesiredCount) != 3 {
		t.Errorf("--tasks: %+v", res[0])
	}
	tags := map[string]string{}
	for _, tg := range api.Tags(fakeaws.ServiceARN("c", "web")) {
		tags[*tg.Key] = *tg.Value
	}
	if tags["team"] != "b" || tags["old"] != "" || tags["managed-elsewhere"] != "1" {
		t.Errorf("tags = %v", tags)
	}
	// --revision 1 after a second revision exists.
	if _, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", svc2, tdJSON("web", "app:2"))), DeployOptions{Cluster: "c"}); err != nil {
		t.Fatal(err)
	}
	res, err = d.Deploy(ctx, defsOf(serviceDef(t, "web", svc2, tdJSON("web", "app:2"))), DeployOptions{Cluster: "c", Revisions: FixedRevision, Revision: 1})
	if err != nil || !strings.HasSuffix(res[0].TaskDefinition, "web:1") || res[0].Action != ServiceUpdated {
		t.Errorf("--revision 1: %+v %v", res[0], err)
	}
}

func TestDeployRollbackOnFailure(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	// A failure without ECS's own rollback: the rollout just FAILS.
	api.SetRollout("web", fakeaws.Rollout{Polls: 1, Fail: true, NoRollback: true, OnlyTaskDefinition: fakeaws.TaskDefinitionARN("web", 2)})
	res, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))),
		DeployOptions{Cluster: "c", Until: UntilDeployed, RollbackOnFailure: true})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want the failure still reported", err)
	}
	if strings.Contains(err.Error(), "failed too") {
		t.Fatalf("the rollback itself failed: %v", err)
	}
	st, _ := api.Service("web")
	if !strings.HasSuffix(res[0].RolledBackTo, "web:1") || !strings.HasSuffix(*st.TaskDefinition, "web:1") ||
		st.Deployments[0].RolloutState != "COMPLETED" {
		t.Errorf("not rolled back: %+v, service runs %s", res[0], *st.TaskDefinition)
	}
}

// A forced redeploy of the same revision that the circuit breaker rolls
// back (to that same revision) is a failure, not a success.
func TestDeployFailedForcedRedeployOfSameRevision(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	api.SetRollout("web", fakeaws.Rollout{Polls: 2, Fail: true})
	_, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))),
		DeployOptions{Cluster: "c", ForceNew: true})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v, want a failure", err)
	}
}

// Without a rollout state (Classic Load Balancer services), a deployment is
// done when it alone runs what it should.
func TestDeployWithoutRolloutState(t *testing.T) {
	api := fakeaws.NewECS()
	api.SetRollout("web", fakeaws.Rollout{NoRolloutState: true})
	d, _, _ := newDeployer(api)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":2}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c", Until: UntilStable}); err != nil {
		t.Fatal(err)
	}
}

// Fields the file does not set are not the file's to enforce: a circuit
// breaker enabled elsewhere stays on; a declared false is enforced.
func TestDeployUpdatesOnlyDeclaredFields(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	api.EditService("web", func(s *types.Service) {
		s.DeploymentConfiguration = &types.DeploymentConfiguration{MaximumPercent: aws.Int32(200), MinimumHealthyPercent: aws.Int32(100),
			DeploymentCircuitBreaker: &types.DeploymentCircuitBreaker{Enable: true, Rollback: true}, Strategy: types.DeploymentStrategyRolling}
		s.EnableExecuteCommand = true
		s.PropagateTags = types.PropagateTagsService
	})

	web := serviceDef(t, "web", `{"desiredCount":1,"enableExecuteCommand":false}`, tdJSON("web", "app:1"))
	remote, err := Describe(ctx, api, "c", defsOf(web))
	if err != nil {
		t.Fatal(err)
	}
	report, err := Diff(defsOf(web), remote, nil)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, c := range report.Changes {
		changed = append(changed, fmt.Sprintf("%s %v", c.Resource, c.Fields))
	}
	if got := strings.Join(changed, "; "); got != "task definition web []; service web [enableExecuteCommand]" {
		t.Errorf("changes: %s", got)
	}
	if _, err := d.Deploy(ctx, defsOf(web), DeployOptions{Cluster: "c"}); err != nil {
		t.Fatal(err)
	}
	last := api.LastUpdate()
	if last.DeploymentConfiguration != nil || last.PropagateTags != "" || last.EnableExecuteCommand == nil || *last.EnableExecuteCommand {
		t.Errorf("update sent %+v", last)
	}
}

// A service running revision 1 that equals the file keeps running it, even
// when a newer revision of the family exists: diff says unchanged, and so
// does deploy.
func TestDeployReusesTheRunningRevision(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	if _, err := Register(ctx, api, []*TaskDefinition{mustTD(t, tdJSON("web", "app:2"))}, false); err != nil {
		t.Fatal(err)
	}
	api.ResetCalls()
	res, err := d.Deploy(ctx, defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c"})
	if err != nil || res[0].Action != ServiceUnchanged || !strings.HasSuffix(res[0].TaskDefinition, "web:1") {
		t.Fatalf("%+v %v", res, err)
	}
	if api.Calls("RegisterTaskDefinition")+api.Calls("UpdateService") != 0 {
		t.Errorf("mutated: %v", api.CallCounts())
	}
}

func TestTagChangesLeaveAWSTagsAlone(t *testing.T) {
	add, del := tagChanges([]types.Tag{fakeaws.Tag("team", "a")},
		[]types.Tag{fakeaws.Tag("aws:cloudformation:stack-name", "s"), fakeaws.Tag("old", "x"), fakeaws.Tag("managed", "1")}, []string{"managed"})
	if len(add) != 1 || fmt.Sprint(del) != "[old]" {
		t.Errorf("add %v, del %v", add, del)
	}
}
