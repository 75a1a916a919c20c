package ecs

import (
	"context"
	"slices"
	"strings"
	"testing"

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
