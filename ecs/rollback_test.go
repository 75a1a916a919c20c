package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// deployRevisions deploys each image in turn to service name.
func deployRevisions(t *testing.T, d *Deployer, name string, images ...string) {
	t.Helper()
	for _, img := range images {
		if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, name, `{"desiredCount":1}`, tdJSON(name, img))), DeployOptions{Cluster: "c"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRollbackToPreviousRevision(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1", "app:2", "app:3")

	// dry run: says what it would do, changes nothing
	api.ResetCalls()
	res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", DryRun: true})
	if err != nil || !strings.HasSuffix(res[0].From, "web:3") || !strings.HasSuffix(res[0].To, "web:2") {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if api.Calls("UpdateService")+api.Calls("DeregisterTaskDefinition") != 0 {
		t.Errorf("dry run mutated: %v", api.CallCounts())
	}

	res, err = d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Deregister: true, Until: UntilDeployed})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(res[0].To, "web:2") || res[0].Stopped || !res[0].Deregistered {
		t.Errorf("rollback: %+v", res[0])
	}
	if st, _ := api.Service("web"); !strings.HasSuffix(*st.TaskDefinition, "web:2") {
		t.Errorf("service runs %s", *st.TaskDefinition)
	}
	if got := api.Deregistered(); len(got) != 1 || !strings.HasSuffix(got[0], "web:3") {
		t.Errorf("deregistered %v, want web:3", got)
	}
	// Again: web:3 is INACTIVE now, so the previous ACTIVE one is web:1.
	res, err = d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c"})
	if err != nil || !strings.HasSuffix(res[0].To, "web:1") {
		t.Errorf("second rollback: %+v %v", res, err)
	}
	_, err = d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c"})
	if err == nil || !strings.Contains(err.Error(), "no ACTIVE revision of web older than 1") {
		t.Errorf("nothing older: %v", err)
	}
}

func TestRollbackToRevisionN(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1", "app:2", "app:3")
	res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Revision: 1})
	if err != nil || !strings.HasSuffix(res[0].To, "web:1") {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Revision: 1}); err == nil || !strings.Contains(err.Error(), "already runs web:1") {
		t.Errorf("same revision: %v", err)
	}
}

func TestRollbackStopsADeploymentInProgress(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1", "app:2")
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:3"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Until: UntilDeployed})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Stopped || api.Calls("StopServiceDeployment") != 1 || !strings.HasSuffix(res[0].To, "web:2") {
		t.Errorf("fast path: %+v, calls %v", res[0], api.CallCounts())
	}
}

func TestRollbackNeverDeregistersARevisionInUse(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	// Two services on one family: both run shared:2.
	for _, img := range []string{"app:1", "app:2"} {
		a := serviceDef(t, "a", `{"desiredCount":1}`, tdJSON("shared", img))
		b := serviceDef(t, "b", `{"desiredCount":1}`, tdJSON("shared", img))
		if _, err := d.Deploy(context.Background(), defsOf(a, b), DeployOptions{Cluster: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d.Rollback(context.Background(), []string{"a"}, RollbackOptions{Cluster: "c", Deregister: true})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Deregistered || slices.ContainsFunc(api.Deregistered(), func(s string) bool { return strings.HasSuffix(s, "shared:2") }) {
		t.Errorf("deregistered shared:2 while service b runs it: %+v %v", res[0], api.Deregistered())
	}
}

func TestPreviousRevision(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	for _, img := range []string{"app:1", "app:2", "app:3"} {
		if _, err := Register(context.Background(), api, []*TaskDefinition{mustTD(t, tdJSON("web", img))}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.DeregisterTaskDefinition(context.Background(), &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:2")}); err != nil {
		t.Fatal(err)
	}
	previous, latest, err := d.PreviousRevision(context.Background(), "web")
	if err != nil || previous != fakeaws.TaskDefinitionARN("web", 1) || latest != fakeaws.TaskDefinitionARN("web", 3) {
		t.Errorf("previous %s, latest %s, err %v; want web:1 (web:2 is INACTIVE) and web:3", previous, latest, err)
	}
	if _, _, err := d.PreviousRevision(context.Background(), "nope"); err == nil || !strings.HasPrefix(err.Error(), "latest revision of nope: ") {
		t.Errorf("err = %v", err)
	}
	api.Fail("ListTaskDefinitions", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"})
	if _, _, err := d.PreviousRevision(context.Background(), "web"); err == nil || !strings.Contains(err.Error(), "list revisions of web: ") {
		t.Errorf("err = %v", err)
	}
}

func TestRollbackRefusals(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	deployRevisions(t, d, "failing", "app:1")
	// failing's next deployment fails and ECS's circuit breaker takes it back.
	api.SetRollout("failing", fakeaws.Rollout{Fail: true})
	if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "failing", `{"desiredCount":1}`, tdJSON("failing", "app:2"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Status(context.Background(), api, "c", []string{"failing"}, 0); err != nil { // ECS moves on
		t.Fatal(err)
	}
	api.ResetCalls()
	res, err := d.Rollback(context.Background(), []string{"gone", "web", "failing"}, RollbackOptions{Cluster: "c"})
	for _, want := range []string{
		"service gone does not exist in cluster c",
		"service web: no ACTIVE revision of web older than 1 to roll back to",
		"service failing: ECS is already rolling back to failing:1 (its circuit breaker); follow it with `tamp wait --only failing`",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if len(res) != 3 || api.Calls("UpdateService")+api.Calls("StopServiceDeployment") != 0 {
		t.Errorf("refused, yet changed: %+v, calls %v", res, api.CallCounts())
	}
	api.Fail("DescribeServices", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	if _, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c"}); err == nil || !strings.HasPrefix(err.Error(), "describe services: ") {
		t.Errorf("err = %v", err)
	}
}

// Where the account's API has no service deployments (or refuses to stop
// one), a deployment in progress is rolled back with UpdateService.
func TestRollbackInProgressWithoutServiceDeploymentsAPI(t *testing.T) {
	for _, tt := range []struct {
		op  string
		err error
	}{
		{"ListServiceDeployments", &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "unknown"}},
		{"StopServiceDeployment", errors.New("operation error ECS: StopServiceDeployment, https response error StatusCode: 501")},
		{"StopServiceDeployment", errors.New("The StopServiceDeployment action has not yet implemented")},
	} {
		t.Run(tt.op, func(t *testing.T) {
			api := fakeaws.NewECS()
			d, _, _ := newDeployer(api)
			deployRevisions(t, d, "web", "app:1", "app:2")
			api.SetRollout("web", fakeaws.Rollout{Hang: true, OnlyTaskDefinition: fakeaws.TaskDefinitionARN("web", 3)})
			if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:3"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
				t.Fatal(err)
			}
			api.Fail(tt.op, tt.err)
			var started []ServiceResult
			d.Started = func(r ServiceResult) { started = append(started, r) }
			res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Until: UntilDeployed})
			if err != nil {
				t.Fatal(err)
			}
			last := api.LastUpdate()
			if res[0].Stopped || res[0].FastPathUnavailable != "" || aws.ToString(last.TaskDefinition) != fakeaws.TaskDefinitionARN("web", 2) || !strings.HasSuffix(res[0].To, "web:2") {
				t.Errorf("result %+v, last update %+v", res[0], last)
			}
			if len(started) != 1 || started[0].Name != "web" || started[0].TaskDefinition != res[0].To {
				t.Errorf("started %+v", started)
			}
		})
	}
}

// The fast path is optional: when the service deployments API refuses
// (a deploy role without ecs:ListServiceDeployments or
// ecs:StopServiceDeployment) or keeps failing, the rollback still happens,
// through UpdateService, and the result says why the fast path was not
// taken.
func TestRollbackFastPathUnavailable(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	for _, tt := range []struct {
		op, why string
		err     error
	}{
		{"ListServiceDeployments", "ListServiceDeployments: AccessDeniedException", denied},
		{"StopServiceDeployment", "StopServiceDeployment: AccessDeniedException", denied},
		{"ListServiceDeployments", "ListServiceDeployments: ServerException", &smithy.GenericAPIError{Code: "ServerException", Message: "try later", Fault: smithy.FaultServer}},
	} {
		t.Run(tt.why, func(t *testing.T) {
			api := fakeaws.NewECS()
			d, _, _ := newDeployer(api)
			deployRevisions(t, d, "web", "app:1")
			api.SetRollout("web", fakeaws.Rollout{Hang: true, OnlyTaskDefinition: fakeaws.TaskDefinitionARN("web", 2)})
			if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
				t.Fatal(err)
			}
			api.Fail(tt.op, tt.err)
			res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", Until: UntilDeployed})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Stopped || !res[0].Changed || res[0].FastPathUnavailable != tt.why {
				t.Errorf("result %+v", res[0])
			}
			if last := api.LastUpdate(); aws.ToString(last.TaskDefinition) != fakeaws.TaskDefinitionARN("web", 1) || api.Calls("UpdateService") != 2 {
				t.Errorf("rolled back with %+v (%v)", last, api.CallCounts())
			}
		})
	}
}

func TestRollbackNoWaitAndTimeout(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1", "app:2")
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	api.ResetCalls()
	res, err := d.Rollback(context.Background(), []string{"web"}, RollbackOptions{Cluster: "c", NoWait: true})
	if err != nil || !res[0].Changed || api.Calls("DescribeServices") != 1 { // Rollback's own
		t.Errorf("%+v, %v, calls %v", res[0], err, api.CallCounts())
	}
	deployRevisions(t, d, "other", "app:1", "app:2")
	api.SetRollout("other", fakeaws.Rollout{Hang: true})
	res, err = d.Rollback(context.Background(), []string{"other"}, RollbackOptions{Cluster: "c", Timeout: 20 * time.Millisecond})
	var timeout *WaitTimeoutError
	if !errors.As(err, &timeout) || !res[0].Changed || res[0].Error == "" {
		t.Errorf("%+v, %v", res[0], err)
	}
}

// A Ctrl-C before the rollback started changes nothing and says so.
func TestRollbackInterruptedBeforeStart(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1", "app:2")
	ctx, cancel := context.WithCancel(context.Background())
	api.ResetCalls()
	d.API = cancelAfterList{ECS: api, cancel: cancel}
	res, err := d.Rollback(ctx, []string{"web"}, RollbackOptions{Cluster: "c", Deregister: true})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "service web: not started") || res[0].Changed {
		t.Errorf("%+v, %v", res[0], err)
	}
	if api.Calls("UpdateService")+api.Calls("DeregisterTaskDefinition") != 0 {
		t.Errorf("calls %v", api.CallCounts())
	}
}

// cancelAfterList is Ctrl-C pressed once the revision to go back to is
// known.
type cancelAfterList struct {
	*fakeaws.ECS
	cancel context.CancelFunc
}

func (c cancelAfterList) ListTaskDefinitions(ctx context.Context, in *awsecs.ListTaskDefinitionsInput, opts ...func(*awsecs.Options)) (*awsecs.ListTaskDefinitionsOutput, error) {
	defer c.cancel()
	return c.ECS.ListTaskDefinitions(ctx, in, opts...)
}

func TestDeregisterRolledBack(t *testing.T) {
	results := func() []RollbackResult {
		return []RollbackResult{
			{Name: "web", From: fakeaws.TaskDefinitionARN("web", 2), To: fakeaws.TaskDefinitionARN("web", 1), Changed: true},
			{Name: "batch", From: fakeaws.TaskDefinitionARN("batch", 2), To: fakeaws.TaskDefinitionARN("batch", 1), Changed: true},
			{Name: "unchanged", From: fakeaws.TaskDefinitionARN("unchanged", 2), To: fakeaws.TaskDefinitionARN("unchanged", 1)},
		}
	}
	setup := func() (*fakeaws.ECS, *Deployer) {
		api := fakeaws.NewECS()
		d, _, _ := newDeployer(api)
		for _, family := range []string{"web", "batch", "unchanged"} {
			for range 2 {
				api.AddTaskDefinition(types.TaskDefinition{Family: aws.String(family)})
			}
		}
		api.AddService("c", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 1))})
		return api, d
	}

	api, d := setup()
	// batch:2 is what a scheduled task runs: kept.
	rs := results()
	if err := d.DeregisterRolledBack(context.Background(), "c", rs, map[string]bool{fakeaws.TaskDefinitionARN("batch", 2): true}); err != nil {
		t.Fatal(err)
	}
	if got := api.Deregistered(); fmt.Sprint(got) != "["+fakeaws.TaskDefinitionARN("web", 2)+"]" || !rs[0].Deregistered || rs[1].Deregistered || rs[2].Deregistered {
		t.Errorf("deregistered %v, results %+v", got, rs)
	}

	api, d = setup()
	api.Fail("ListServices", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	rs = results()
	err := d.DeregisterRolledBack(context.Background(), "c", rs, nil)
	if err == nil || !strings.Contains(rs[0].Error, "service web: rolled back, but not deregistering web:2: cannot tell whether it is in use: ") ||
		rs[2].Error != "" || len(api.Deregistered()) != 0 {
		t.Errorf("err %v, results %+v", err, rs)
	}

	api, d = setup()
	api.Fail("DeregisterTaskDefinition", &smithy.GenericAPIError{Code: "ClientException", Message: "no"})
	rs = results()
	err = d.DeregisterRolledBack(context.Background(), "c", rs, nil)
	if err == nil || !strings.HasPrefix(rs[1].Error, "service batch: rolled back, but deregister batch:2: ") || rs[1].Deregistered {
		t.Errorf("err %v, results %+v", err, rs)
	}
}
