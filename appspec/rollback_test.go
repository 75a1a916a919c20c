package appspec_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func api(rev int32) string { return fakeaws.TaskDefinitionARN("api", rev) }

// taskSet is a steady task set of one task running rev.
func taskSet(status string, rev int32) types.TaskSet {
	return types.TaskSet{Status: aws.String(status), TaskDefinition: aws.String(api(rev)),
		StabilityStatus: types.StabilityStatusSteadyState, ComputedDesiredCount: 1, RunningCount: 1}
}

// codeDeployWorld is cluster c with api:1 to api:3 registered and api, a
// CODE_DEPLOY service running rev whose task sets are sets, with a
// deployer over both fakes. onLine is called with each CodeDeploy progress
// line, and may move the task sets as CodeDeploy would.
func codeDeployWorld(rev int32, sets []types.TaskSet, onLine func(ecsAPI *fakeaws.ECS, line string)) (*ecs.Deployer, *fakeaws.ECS, *fakeaws.CodeDeploy) {
	ecsAPI, cd := fakeaws.NewECS(), fakeaws.NewCodeDeploy()
	for range 3 {
		ecsAPI.AddTaskDefinition(types.TaskDefinition{Family: aws.String("api"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1")}}})
	}
	ecsAPI.AddService("c", types.Service{ServiceName: aws.String("api"), DesiredCount: 1, TaskDefinition: aws.String(api(rev)), TaskSets: sets,
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/1"),
			ContainerName: aws.String("app"), ContainerPort: aws.Int32(80)}}})
	cd.AddGroup("api-app", cdtypes.ComputePlatformEcs, "api-group", "c", "api")
	d := &ecs.Deployer{API: ecsAPI, Clock: instant{}, Waiter: &ecs.Waiter{API: ecsAPI, Clock: instant{}},
		CodeDeploy: &appspec.Deployer{API: cd, Clock: instant{}, Progress: func(_, line string) {
			if onLine != nil {
				onLine(ecsAPI, line)
			}
		}}}
	return d, ecsAPI, cd
}

// moveTaskSets sets the service's task sets (PRIMARY first) and its task
// definition, the PRIMARY one's, as CodeDeploy's changes show in ECS.
func moveTaskSets(ecsAPI *fakeaws.ECS, sets ...types.TaskSet) {
	ecsAPI.EditService("api", func(s *types.Service) {
		s.TaskSets, s.TaskDefinition = sets, sets[0].TaskDefinition
	})
}

// rollback --deregister-task-definition of a CODE_DEPLOY service never
// deregisters a revision that a task set, PRIMARY or ACTIVE, still runs.
func TestRollbackCodeDeployKeepsRevisionsTaskSetsRun(t *testing.T) {
	inProgress := []types.TaskSet{taskSet("PRIMARY", 3), taskSet("ACTIVE", 2)} // api:3 replacing api:2
	startDeployment := func(t *testing.T, cd *fakeaws.CodeDeploy) {
		t.Helper()
		if _, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{
			Group: appspec.Group{Application: "api-app", DeploymentGroup: "api-group"}, NoWait: true}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		rev    int32
		sets   []types.TaskSet
		until  appspec.Stage
		noWait bool
		// onLine moves the task sets as CodeDeploy does on that line.
		onLine func(*fakeaws.ECS, string)
		// inProgress: a CodeDeploy deployment of api:3 is going on.
		inProgress   bool
		to           int32
		deregistered []string
		stopped      bool
	}{
		{
			name: "stopped mid-deployment, not waited for: the replacement's PRIMARY task set still runs api:3",
			rev:  2, sets: inProgress, inProgress: true, noWait: true,
			to: 2, stopped: true,
		},
		{
			name: "stopped mid-deployment: traffic is back on api:2, the replacement's ACTIVE task set still runs api:3",
			rev:  2, sets: inProgress, inProgress: true,
			onLine: func(e *fakeaws.ECS, line string) {
				if strings.HasPrefix(line, "stopped CodeDeploy deployment") {
					moveTaskSets(e, taskSet("PRIMARY", 2), taskSet("ACTIVE", 3))
				}
			},
			to: 2, stopped: true,
		},
		{
			name: "stopped mid-deployment, the replacement gone: api:3 is deregistered",
			rev:  2, sets: inProgress, inProgress: true,
			onLine: func(e *fakeaws.ECS, line string) {
				if strings.HasPrefix(line, "stopped CodeDeploy deployment") {
					moveTaskSets(e, taskSet("PRIMARY", 2))
				}
			},
			to: 2, stopped: true, deregistered: []string{api(3)},
		},
		{
			name: "a new CodeDeploy deployment of api:2, not waited for: the PRIMARY task set still runs api:3",
			rev:  3, sets: []types.TaskSet{taskSet("PRIMARY", 3)}, noWait: true,
			to: 2,
		},
		{
			name: "a new CodeDeploy deployment of api:2 until traffic-shifted: the original ACTIVE task set still runs api:3",
			rev:  3, sets: []types.TaskSet{taskSet("PRIMARY", 3)}, until: appspec.Stage{TrafficShifted: true},
			onLine: func(e *fakeaws.ECS, line string) {
				if line == "lifecycle event AllowTraffic: Succeeded" {
					moveTaskSets(e, taskSet("PRIMARY", 2), taskSet("ACTIVE", 3))
				}
			},
			to: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ecsAPI, cd := codeDeployWorld(tt.rev, tt.sets, tt.onLine)
			d.CodeDeploy.(*appspec.Deployer).Until = tt.until
			if tt.inProgress {
				startDeployment(t, cd)
			}
			res, err := d.Rollback(context.Background(), []string{"api"}, ecs.RollbackOptions{Cluster: "c", Deregister: true, NoWait: tt.noWait})
			if err != nil {
				t.Fatalf("rollback: %v (%+v)", err, res)
			}
			r := res[0]
			if r.From != api(3) || r.To != api(tt.to) || r.Stopped != tt.stopped || !r.CodeDeploy {
				t.Errorf("rollback %+v; want api:3 -> api:%d, stopped %v", r, tt.to, tt.stopped)
			}
			if got := ecsAPI.Deregistered(); !slices.Equal(got, tt.deregistered) || r.Deregistered != (len(tt.deregistered) > 0) {
				t.Errorf("deregistered %v (result says %v), want %v", got, r.Deregistered, tt.deregistered)
			}
			if n := ecsAPI.Calls("UpdateService"); n != 0 {
				t.Errorf("%d UpdateService calls; a CODE_DEPLOY service rolls back through CodeDeploy", n)
			}
		})
	}
}
