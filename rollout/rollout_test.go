package rollout

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/diffreport"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
	"github.com/tamp-ecs/tamp/scheduled"
)

// world is a project with a web service, a standalone batch task
// definition and two schedules (one on each), and fakes of ECS and
// EventBridge Scheduler holding what ran before: web:1 on the service and
// batch:1 registered.
type world struct {
	ecs   *fakeaws.ECS
	sched *fakeaws.Scheduler
	clock *fakeaws.Clock
	defs  *ecs.Definitions // the services' (what deploy acts on)
	r     *Rollout
}

const projectFiles = `
-- tamp.yaml --
region: ap-northeast-1
cluster: c1
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.json
task_definitions:
  - name: batch
    path: batch-task.json
scheduled:
  backend: scheduler
  group: app
  role_arn: arn:aws:iam::123456789012:role/scheduler
  defaults: { launch_type: FARGATE, network_configuration: { awsvpcConfiguration: { subnets: [subnet-1] } } }
  tasks:
    - { name: nightly, schedule: "cron(0 3 * * ? *)", task_definition: batch }
    - { name: warm-cache, schedule: "rate(1 hour)", task_definition: web, command: [warm] }
-- web-service.json --
{"desiredCount": 2, "launchType": "FARGATE",
 "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}
-- web-task.json --
{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "app", "image": "web:v2", "essential": true}]}
-- batch-task.json --
{"family": "batch", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "job", "image": "batch:v2", "essential": true}]}
`

func writeFiles(t *testing.T, archive string) string {
	t.Helper()
	dir := t.TempDir()
	parts := strings.Split(archive, "-- ")
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, " --\n")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "tamp.yaml")
}

func container(name, image string) []types.ContainerDefinition {
	return []types.ContainerDefinition{{Name: aws.String(name), Image: aws.String(image), Essential: aws.Bool(true)}}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	p, err := config.Load(ctx, writeFiles(t, projectFiles), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := ecs.Load(ctx, p, config.Selection{Services: p.Services, TaskDefinitions: p.TaskDefinitions})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := scheduled.LoadTasks(p, all)
	if err != nil {
		t.Fatal(err)
	}
	defs, err := ecs.Load(ctx, p, config.Selection{Services: p.Services})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{ecs: fakeaws.NewECS(), sched: fakeaws.NewScheduler(), clock: fakeaws.NewClock(), defs: defs}
	w.ecs.SetNow(w.clock.Now)
	web1 := w.ecs.AddTaskDefinition(types.TaskDefinition{Family: aws.String("web"), ContainerDefinitions: container("app", "web:v1")})
	w.ecs.AddTaskDefinition(types.TaskDefinition{Family: aws.String("batch"), ContainerDefinitions: container("job", "batch:v1")})
	w.ecs.AddService("c1", types.Service{ServiceName: aws.String("web"), ClusterArn: aws.String("c1"), TaskDefinition: aws.String(web1), DesiredCount: 2,
		LaunchType: types.LaunchTypeFargate})
	w.r = &Rollout{
		Deployer: &ecs.Deployer{API: w.ecs, Clock: w.clock, Waiter: &ecs.Waiter{API: w.ecs, Clock: w.clock}},
		Scheduled: &scheduled.Syncer{Config: p.Scheduled, ConfigPath: p.Path, Cluster: p.Cluster, Region: fakeaws.Region,
			Defs: all, Tasks: tasks, ECS: w.ecs, Scheduler: w.sched, STS: nil},
	}
	return w
}

// runs is what each schedule of the group runs: name → family:revision.
func (w *world) runs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range w.sched.ScheduleNames("app") {
		s, _ := w.sched.Schedule("app", name)
		out[name] = ecs.ShortRevision(aws.ToString(s.Target.EcsParameters.TaskDefinitionArn))
	}
	return out
}

func deployOptions() DeployOptions {
	return DeployOptions{DeployOptions: ecs.DeployOptions{Cluster: "c1", Until: ecs.UntilDeployed}, Repoint: true}
}

func TestDeployRepointsSchedulesAfterTheServices(t *testing.T) {
	w := newWorld(t)
	done, err := w.r.Deploy(context.Background(), w.defs, deployOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Services) != 1 || done.Services[0].Action != ecs.ServiceUpdated || ecs.ShortRevision(done.Services[0].TaskDefinition) != "web:2" {
		t.Fatalf("services: %+v", done.Services)
	}
	// The standalone batch definition is registered on the way (it differs
	// from batch:1); each schedule runs the revision this deploy chose.
	want := map[string]string{"nightly": "batch:2", "warm-cache": "web:2"}
	if got := w.runs(t); !maps.Equal(got, want) {
		t.Errorf("schedules run %v, want %v", got, want)
	}
	if done.Scheduled == nil || *done.Scheduled != (scheduled.Applied{Created: 2}) {
		t.Errorf("scheduled: %+v", done.Scheduled)
	}
	if got := done.Scheduled.String(); got != "scheduled: 2 created, 0 updated, 0 unchanged" {
		t.Errorf("summary %q", got)
	}
}

func TestDeployLeavesSchedulesAloneWhenAServiceFails(t *testing.T) {
	w := newWorld(t)
	w.ecs.SetRollout("web", fakeaws.Rollout{Fail: true})
	done, err := w.r.Deploy(context.Background(), w.defs, deployOptions())
	if !errors.As(err, new(*ecs.DeploymentFailedError)) {
		t.Fatalf("err = %v, want a failed deployment", err)
	}
	if done.Scheduled != nil || len(w.runs(t)) != 0 || w.sched.TotalCalls() != 0 {
		t.Errorf("the schedules were touched after a failed deploy: %+v, %d calls", w.runs(t), w.sched.TotalCalls())
	}
}

func TestDeployNarrowedRepointsOnlyTheScopesSchedules(t *testing.T) {
	w := newWorld(t)
	o := deployOptions()
	o.Narrowed = true
	done, err := w.r.Deploy(context.Background(), w.defs, o)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.runs(t), map[string]string{"warm-cache": "web:2"}; !maps.Equal(got, want) {
		t.Errorf("schedules run %v, want %v (nightly is not on a definition in scope)", got, want)
	}
	if *done.Scheduled != (scheduled.Applied{Created: 1}) {
		t.Errorf("scheduled: %+v", done.Scheduled)
	}
}

func TestDeployWithoutRepointOrWaitSyncsNothing(t *testing.T) {
	for name, o := range map[string]DeployOptions{
		"no repoint": {DeployOptions: ecs.DeployOptions{Cluster: "c1"}},
		"no wait":    {DeployOptions: ecs.DeployOptions{Cluster: "c1", NoWait: true}, Repoint: true},
	} {
		w := newWorld(t)
		done, err := w.r.Deploy(context.Background(), w.defs, o)
		if err != nil || done.Scheduled != nil || w.sched.TotalCalls() != 0 {
			t.Errorf("%s: err %v, scheduled %+v, %d scheduler calls", name, err, done.Scheduled, w.sched.TotalCalls())
		}
	}
}

func TestPreviewChangesNothing(t *testing.T) {
	w := newWorld(t)
	report, err := w.r.Preview(context.Background(), w.defs, ecs.DeployOptions{Cluster: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := report.Counts(); n[diffreport.Update] == 0 {
		t.Errorf("preview shows no update of web's task definition: %v", n)
	}
	for _, op := range []string{"RegisterTaskDefinition", "UpdateService", "CreateService", "TagResource"} {
		if w.ecs.Calls(op) != 0 {
			t.Errorf("preview called %s", op)
		}
	}
}

// deployed is the world after a deploy: web on web:2, the schedules on
// web:2 and batch:2.
func deployed(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	if _, err := w.r.Deploy(context.Background(), w.defs, deployOptions()); err != nil {
		t.Fatal(err)
	}
	return w
}

func rollbackOptions() RollbackOptions {
	return RollbackOptions{RollbackOptions: ecs.RollbackOptions{Cluster: "c1", Until: ecs.UntilDeployed, Deregister: true},
		Services: []string{"web"}, Repoint: true, Standalone: true}
}

func TestRollbackMovesSchedulesBackThenDeregisters(t *testing.T) {
	w := deployed(t)
	done, err := w.r.Rollback(context.Background(), rollbackOptions())
	if err != nil {
		t.Fatal(err)
	}
	if svc, _ := w.ecs.Service("web"); ecs.ShortRevision(aws.ToString(svc.TaskDefinition)) != "web:1" {
		t.Errorf("web runs %s, want web:1", aws.ToString(svc.TaskDefinition))
	}
	if got, want := w.runs(t), map[string]string{"nightly": "batch:1", "warm-cache": "web:1"}; !maps.Equal(got, want) {
		t.Errorf("schedules run %v, want %v", got, want)
	}
	if len(done.Standalone) != 1 || done.Standalone[0] != (Move{Name: "batch", From: fakeaws.TaskDefinitionARN("batch", 2), To: fakeaws.TaskDefinitionARN("batch", 1)}) {
		t.Errorf("standalone moves %+v", done.Standalone)
	}
	// Deregistered last, once no schedule runs it any more.
	if got := w.ecs.Deregistered(); !slices.Equal(got, []string{fakeaws.TaskDefinitionARN("web", 2)}) || !done.Deregistering || !done.Services[0].Deregistered {
		t.Errorf("deregistered %v (result %+v)", got, done.Services[0])
	}
	var b strings.Builder
	done.WriteText(&b, false, true)
	want := "web: rolled back web:2 -> web:1\n" +
		"batch: scheduled tasks go back batch:2 -> batch:1\n" +
		"scheduled: 0 created, 2 updated, 0 unchanged\n" +
		"web: deregistered web:2\n"
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRollbackKeepsARevisionAScheduleStillRuns(t *testing.T) {
	w := deployed(t)
	o := rollbackOptions()
	o.Repoint = false // --no-scheduled: warm-cache stays on web:2
	done, err := w.r.Rollback(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.ecs.Deregistered(); len(got) != 0 {
		t.Errorf("deregistered %v under a live schedule", got)
	}
	if got := w.runs(t)["warm-cache"]; got != "web:2" {
		t.Errorf("warm-cache runs %s; --no-scheduled must leave it", got)
	}
	var b strings.Builder
	done.WriteText(&b, false, true)
	if want := "web: rolled back web:2 -> web:1\nweb: kept web:2: still in use\n"; b.String() != want {
		t.Errorf("text %q, want %q", b.String(), want)
	}
}

func TestRollbackKeepsRevisionsWhenScheduleUseIsUnknown(t *testing.T) {
	w := deployed(t)
	w.sched.Fail("ListSchedules", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	o := rollbackOptions()
	o.Repoint = false
	done, err := w.r.Rollback(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("err = %v", err)
	}
	if got := w.ecs.Deregistered(); len(got) != 0 {
		t.Errorf("deregistered %v without knowing the schedules' revisions", got)
	}
	if e := done.Services[0].Error; !strings.Contains(e, "rolled back, but not deregistering web:2: cannot tell whether a scheduled task uses it") {
		t.Errorf("result error %q", e)
	}
}

func TestRollbackDryRunChangesNothing(t *testing.T) {
	w := deployed(t)
	w.ecs.ResetCalls()
	w.sched.ResetCalls()
	o := rollbackOptions()
	o.DryRun = true
	done, err := w.r.Rollback(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if w.ecs.Calls("UpdateService")+w.ecs.Calls("DeregisterTaskDefinition") != 0 || w.sched.Calls("UpdateSchedule") != 0 || done.Deregistering {
		t.Errorf("dry run changed something: %v %v", w.ecs.CallCounts(), w.sched.CallCounts())
	}
	var b strings.Builder
	done.WriteText(&b, true, true)
	if want := "web: would roll back web:2 -> web:1\ndry run: nothing was changed\n"; b.String() != want {
		t.Errorf("text %q, want %q", b.String(), want)
	}
}

func TestStartedAndDeployedText(t *testing.T) {
	arn := fakeaws.TaskDefinitionARN("web", 3)
	if got := Started(ecs.ServiceResult{Name: "web", Action: ecs.ServiceUpdated, TaskDefinition: arn}); got != "web: updated, deploying web:3" {
		t.Errorf("Started = %q", got)
	}
	if got := Started(ecs.ServiceResult{Name: "web", Action: ecs.ServiceUnchanged, TaskDefinition: arn}); got != "web: unchanged, runs web:3" {
		t.Errorf("Started = %q", got)
	}
	var b strings.Builder
	Deployed{Services: []ecs.ServiceResult{
		{Name: "web", TaskDefinition: arn, Waited: true},
		{Name: "api", Err: errors.New("failed"), RolledBackTo: fakeaws.TaskDefinitionARN("api", 1)},
	}, Scheduled: &scheduled.Applied{Updated: 2, Unchanged: 1, Left: 1}}.WriteText(&b)
	if want := "web: deployed web:3\napi: rolled back to api:1 after the failure\n" +
		"scheduled: 0 created, 2 updated, 1 unchanged; 1 owned schedule not in the config was left (--prune deletes them)\n"; b.String() != want {
		t.Errorf("text %q, want %q", b.String(), want)
	}
}

func TestRollbackTextSaysOnceTheFastPathWasUnavailable(t *testing.T) {
	r := RolledBack{Services: []ecs.RollbackResult{
		{Name: "web", From: fakeaws.TaskDefinitionARN("web", 2), To: fakeaws.TaskDefinitionARN("web", 1), Changed: true, FastPathUnavailable: "ListServiceDeployments: AccessDeniedException"},
		{Name: "api", From: fakeaws.TaskDefinitionARN("api", 5), To: fakeaws.TaskDefinitionARN("api", 4), Changed: true, FastPathUnavailable: "ListServiceDeployments: AccessDeniedException"},
		{Name: "worker", From: fakeaws.TaskDefinitionARN("worker", 3), To: fakeaws.TaskDefinitionARN("worker", 2), Changed: true, Stopped: true},
	}}
	var b strings.Builder
	r.WriteText(&b, false, true)
	want := "web: rolled back web:2 -> web:1\n" +
		"api: rolled back api:5 -> api:4\n" +
		"worker: rolled back worker:3 -> worker:2 (stopped the deployment in progress)\n" +
		"note: ECS's own rollback of the deployment in progress was unavailable (ListServiceDeployments: AccessDeniedException), so web, api went back through UpdateService; grant ecs:ListServiceDeployments and ecs:StopServiceDeployment for the faster path\n"
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}
