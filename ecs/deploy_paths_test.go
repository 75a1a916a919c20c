package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

var errDenied = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}

// CheckDeployable is what deploy --dry-run reports: the same refusals as a
// deploy, from the same description, without a change.
func TestCheckDeployable(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "busy", "app:1")
	api.SetRollout("busy", fakeaws.Rollout{Hang: true})
	if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "busy", `{"desiredCount":1}`, tdJSON("busy", "app:2"))), DeployOptions{Cluster: "c", NoWait: true}); err != nil {
		t.Fatal(err)
	}
	noFile := serviceDef(t, "nofile", `{}`, tdJSON("nofile", "app:1"))
	noFile.Input = nil
	daemon := serviceDef(t, "daemon", `{"schedulingStrategy":"DAEMON"}`, tdJSON("daemon", "app:1"))
	defs := defsOf(serviceDef(t, "busy", `{"desiredCount":1}`, tdJSON("busy", "app:3")), noFile, daemon)
	remote, err := Describe(context.Background(), api, "c", defs)
	if err != nil {
		t.Fatal(err)
	}
	api.ResetCalls()
	err = CheckDeployable(defs, remote, DeployOptions{Cluster: "c"})
	for _, want := range []string{
		"service busy has a deployment in progress (PRIMARY busy:2 IN_PROGRESS, ACTIVE busy:1 COMPLETED); wait for it with `tamp wait --only busy`, then deploy again",
		"service nofile does not exist and the config names no service_definition to create it from",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "daemon") { // a DAEMON service needs no count
		t.Errorf("err = %v", err)
	}
	if n := len(api.CallCounts()); n != 0 {
		t.Errorf("CheckDeployable called AWS: %v", api.CallCounts())
	}
}

func TestDeployChangeFailures(t *testing.T) {
	tests := []struct {
		name     string
		existing bool // web runs app:1 with tag team=a before the deploy
		svc, img string
		op       string
		want     string
		action   ServiceAction
		waited   bool
	}{
		{name: "create refused", svc: `{"desiredCount":1}`, img: "app:1", op: "CreateService",
			want: "create service web: api error AccessDeniedException: not allowed", action: ServiceUnchanged},
		{name: "update refused", existing: true, svc: `{"desiredCount":1}`, img: "app:2", op: "UpdateService",
			want: "update service web: api error AccessDeniedException", action: ServiceUnchanged},
		{name: "tags refused after the update", existing: true, svc: `{"desiredCount":1,"tags":[{"key":"team","value":"b"}]}`, img: "app:2", op: "TagResource",
			want: "service web: tag: api error AccessDeniedException: not allowed (the service itself was updated)", action: ServiceUpdated, waited: true},
		{name: "only an untag, refused", existing: true, svc: `{"desiredCount":1,"tags":[]}`, img: "app:1", op: "UntagResource",
			want: "service web: untag: api error AccessDeniedException", action: ServiceUnchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := fakeaws.NewECS()
			d, _, _ := newDeployer(api)
			if tt.existing {
				if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1,"tags":[{"key":"team","value":"a"}]}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c"}); err != nil {
					t.Fatal(err)
				}
			}
			api.Fail(tt.op, errDenied)
			res, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", tt.svc, tdJSON("web", tt.img))), DeployOptions{Cluster: "c", Until: UntilDeployed})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(res[0].Error, tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if res[0].Action != tt.action || res[0].Waited != tt.waited {
				t.Errorf("result %+v", res[0])
			}
			if tt.waited {
				if svc, _ := api.Service("web"); svc.Deployments[0].RolloutState != types.DeploymentRolloutStateCompleted {
					t.Errorf("the deployment was not followed to its end: %+v", svc.Deployments)
				}
			}
		})
	}
}

// "tags": [] in the file declares that the service has no tags: diff
// shows the removal and deploy makes it (AWS's own and ignored keys stay).
func TestDeployEmptyTagsRemovesThem(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	api.EditService("web", func(s *types.Service) {
		s.Tags = []types.Tag{fakeaws.Tag("team", "a"), fakeaws.Tag("aws:cloudformation:stack-name", "s"), fakeaws.Tag("managed", "1")}
	})
	web := serviceDef(t, "web", `{"desiredCount":1,"tags":[]}`, tdJSON("web", "app:1"))
	opts := DeployOptions{Cluster: "c", IgnoreTags: []string{"managed"}}
	remote, err := Describe(context.Background(), api, "c", defsOf(web))
	if err != nil {
		t.Fatal(err)
	}
	report, err := Diff(defsOf(web), remote, opts.IgnoreTags)
	if err != nil || len(report.Changes) != 2 || fmt.Sprint(report.Changes[1].Fields) != "[tags[0]]" {
		t.Fatalf("diff %+v %v", report.Changes, err)
	}
	res, err := d.Deploy(context.Background(), defsOf(web), opts)
	if err != nil || res[0].Action != ServiceUnchanged || api.Calls("UntagResource") != 1 {
		t.Fatalf("%+v %v %v", res, err, api.CallCounts())
	}
	if tags := api.Tags(fakeaws.ServiceARN("c", "web")); fmt.Sprint(tagKeys(tags)) != "[aws:cloudformation:stack-name managed]" {
		t.Errorf("tags left %v", tagKeys(tags))
	}
}

func tagKeys(tags []types.Tag) []string {
	var keys []string
	for _, t := range tags {
		keys = append(keys, aws.ToString(t.Key))
	}
	return keys
}

func TestDeployRevisionSources(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	if _, err := Register(ctx, api, []*TaskDefinition{mustTD(t, tdJSON("web", "app:2"))}, false); err != nil {
		t.Fatal(err)
	}
	local := defsOf(serviceDef(t, "web", `{"desiredCount":2}`, tdJSON("web", "app:3")))

	// --skip-task-definition: web keeps web:1, only the count changes.
	api.ResetCalls()
	res, err := d.Deploy(ctx, local, DeployOptions{Cluster: "c", Revisions: KeepCurrent})
	if err != nil || res[0].TaskDefinition != fakeaws.TaskDefinitionARN("web", 1) || api.Calls("RegisterTaskDefinition") != 0 {
		t.Fatalf("%+v %v %v", res, err, api.CallCounts())
	}
	if last := api.LastUpdate(); last.TaskDefinition != nil || aws.ToInt32(last.DesiredCount) != 2 {
		t.Errorf("update %+v", last)
	}
	// --latest-task-definition: the family's latest ACTIVE one, web:2.
	res, err = d.Deploy(ctx, local, DeployOptions{Cluster: "c", Revisions: LatestActive})
	if err != nil || res[0].TaskDefinition != fakeaws.TaskDefinitionARN("web", 2) || api.Calls("RegisterTaskDefinition") != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	// --revision 9 does not exist: nothing changes.
	api.ResetCalls()
	_, err = d.Deploy(ctx, local, DeployOptions{Cluster: "c", Revisions: FixedRevision, Revision: 9})
	if err == nil || !strings.HasPrefix(err.Error(), "service web: task definition web:9: ") || api.Calls("UpdateService") != 0 {
		t.Errorf("err = %v, calls %v", err, api.CallCounts())
	}
	// --force-new-deployment of what runs: a new deployment of web:2.
	res, err = d.Deploy(ctx, local, DeployOptions{Cluster: "c", Revisions: KeepCurrent, ForceNew: true})
	if err != nil || res[0].Action != ServiceUpdated || !api.LastUpdate().ForceNewDeployment || api.LastUpdate().TaskDefinition != nil {
		t.Errorf("%+v %v %+v", res, err, api.LastUpdate())
	}
}

func TestDeployDescribeOrRegisterFails(t *testing.T) {
	for _, op := range []string{"DescribeServices", "DescribeTaskDefinition", "RegisterTaskDefinition"} {
		t.Run(op, func(t *testing.T) {
			api := fakeaws.NewECS()
			d, _, _ := newDeployer(api)
			api.Fail(op, errDenied)
			res, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c"})
			if !errors.Is(err, errDenied) || res != nil || api.Calls("CreateService") != 0 {
				t.Errorf("%+v %v", res, err)
			}
		})
	}
}

// The revision running equals the file but lacks a declared tag: it is
// tagged, not registered again; a refused tag stops the deploy.
func TestDeployTagsTheReusedRevision(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	tagged := `{"family":"web","containerDefinitions":[{"name":"app","image":"app:1","memory":128}],"tags":[{"key":"cost","value":"x"}]}`
	res, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tagged)), DeployOptions{Cluster: "c"})
	if err != nil || res[0].Action != ServiceUnchanged || api.Calls("RegisterTaskDefinition") != 1 {
		t.Fatalf("%+v %v %v", res, err, api.CallCounts())
	}
	if tags := api.Tags(fakeaws.TaskDefinitionARN("web", 1)); len(tags) != 1 || aws.ToString(tags[0].Key) != "cost" {
		t.Errorf("tags %v", tags)
	}
	retagged := strings.Replace(tagged, `"x"`, `"y"`, 1)
	api.Fail("TagResource", errDenied)
	if _, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, retagged)), DeployOptions{Cluster: "c"}); err == nil || !strings.HasPrefix(err.Error(), "tag web:1: ") {
		t.Errorf("err = %v", err)
	}
}

// ECS's circuit breaker is taking the service back (its failed deployment
// still listed): restore points it at the previous revision, which it
// runs already, so no new deployment starts, and follows that.
func TestDeployRestoreWhileECSRollsBack(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	api.SetRollout("web", fakeaws.Rollout{Fail: true, Polls: 2})
	res, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))),
		DeployOptions{Cluster: "c", Until: UntilDeployed, RollbackOnFailure: true})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) || res[0].RolledBackTo != fakeaws.TaskDefinitionARN("web", 1) {
		t.Fatalf("%+v %v", res[0], err)
	}
	updates := api.Updates()
	last := updates[len(updates)-1]
	if len(updates) != 2 || aws.ToString(last.TaskDefinition) != fakeaws.TaskDefinitionARN("web", 1) || last.ForceNewDeployment {
		t.Errorf("updates %d, last %+v", len(updates), last)
	}
	if svc, _ := api.Service("web"); aws.ToString(svc.TaskDefinition) != fakeaws.TaskDefinitionARN("web", 1) {
		t.Errorf("service runs %s", aws.ToString(svc.TaskDefinition))
	}
}

func TestDeployRestoreFails(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	deployRevisions(t, d, "web", "app:1")
	api.SetRollout("web", fakeaws.Rollout{Fail: true, NoRollback: true})
	api.FailAfter("UpdateService", 1, errDenied)
	res, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:2"))),
		DeployOptions{Cluster: "c", Until: UntilDeployed, RollbackOnFailure: true})
	var failed *DeploymentFailedError
	if !errors.As(err, &failed) || !strings.Contains(err.Error(), "; rolling back to web:1 failed too: api error AccessDeniedException") || res[0].RolledBackTo != "" {
		t.Errorf("%+v %v", res[0], err)
	}
}

func TestDeployStartedNoWaitAndTimeout(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	var started []ServiceResult
	d.Started = func(r ServiceResult) { started = append(started, r) }
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	res, err := d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c", NoWait: true})
	if err != nil || res[0].Waited || res[0].Action != ServiceCreated || len(started) != 1 || started[0].Action != ServiceCreated {
		t.Fatalf("%+v %v, started %+v", res, err, started)
	}
	if svc, _ := api.Service("web"); svc.Deployments[0].RolloutState != types.DeploymentRolloutStateInProgress {
		t.Errorf("deployments %+v", svc.Deployments)
	}
	api = fakeaws.NewECS()
	d, _, _ = newDeployer(api)
	api.SetRollout("web", fakeaws.Rollout{Hang: true})
	res, err = d.Deploy(context.Background(), defsOf(serviceDef(t, "web", `{"desiredCount":1}`, tdJSON("web", "app:1"))), DeployOptions{Cluster: "c", Timeout: 20 * time.Millisecond})
	var timeout *WaitTimeoutError
	if !errors.As(err, &timeout) || !res[0].Waited || res[0].Action != ServiceCreated {
		t.Errorf("%+v %v", res, err)
	}
}

// Ctrl-C after the revisions were registered, before any service changed:
// nothing changes, and each service says it was not started.
func TestDeployInterruptedBeforeChanges(t *testing.T) {
	api := fakeaws.NewECS()
	d, _, _ := newDeployer(api)
	ctx, cancel := context.WithCancel(context.Background())
	d.API = cancelAfterRegister{ECS: api, cancel: cancel}
	res, err := d.Deploy(ctx, defsOf(
		serviceDef(t, "a", `{"desiredCount":1}`, tdJSON("a", "app:1")),
		serviceDef(t, "b", `{"desiredCount":1}`, tdJSON("b", "app:1")),
	), DeployOptions{Cluster: "c"})
	if !errors.Is(err, context.Canceled) || api.Calls("CreateService") != 0 {
		t.Fatalf("err %v, calls %v", err, api.CallCounts())
	}
	for _, r := range res {
		if r.Action != ServiceUnchanged || !strings.Contains(r.Error, "service "+r.Name+": not started: context canceled") {
			t.Errorf("%+v", r)
		}
	}
}

type cancelAfterRegister struct {
	*fakeaws.ECS
	cancel context.CancelFunc
}

func (c cancelAfterRegister) RegisterTaskDefinition(ctx context.Context, in *awsecs.RegisterTaskDefinitionInput, opts ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error) {
	defer c.cancel()
	return c.ECS.RegisterTaskDefinition(ctx, in, opts...)
}
