package appspec_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// orderLog keeps every progress line, per service and in arrival order.
type orderLog struct {
	mu    sync.Mutex
	lines []string // "service: text"
}

func (l *orderLog) add(service, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, service+": "+text)
}

// span is the positions of a service's first and last progress lines.
func (l *orderLog) span(service string) (first, last int) {
	first, last = -1, -1
	for i, line := range l.lines {
		if strings.HasPrefix(line, service+": ") {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

func definition(t testing.TB, name, svcJSON string) *ecs.Service {
	t.Helper()
	tdIn, err := ecs.DecodeTaskDefinition(name+"-task.json", []byte(`{"family":"`+name+`","containerDefinitions":[{"name":"app","image":"app:2","memory":128,"portMappings":[{"containerPort":80}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	in, declared, err := ecs.DecodeService(name+".json", []byte(svcJSON))
	if err != nil {
		t.Fatal(err)
	}
	return &ecs.Service{Name: name, File: name + ".json", Input: ecs.NormalizeService(in), Declared: declared,
		TaskDefinition: &ecs.TaskDefinition{Name: name, File: name + "-task.json", Input: ecs.NormalizeTaskDefinition(tdIn), Containers: []string{"app"}}}
}

// mixedWorld is a cluster with a rolling service (web, 8 polls), an
// ECS-native blue/green one (bg) and a CODE_DEPLOY one (api), and a
// deployer that polls every poll and reports progress lines to log (nil:
// none). Its definitions are the three services at revision 2.
func mixedWorld(tb testing.TB, poll time.Duration, log func(service, text string)) (*ecs.Deployer, *ecs.Definitions, *fakeaws.ECS) {
	api, cd := fakeaws.NewECS(), fakeaws.NewCodeDeploy()
	const tg = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/1"
	for _, name := range []string{"web", "bg", "api"} {
		api.AddTaskDefinition(types.TaskDefinition{Family: aws.String(name), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1")}}})
	}
	api.AddService("c", types.Service{ServiceName: aws.String("web"), DesiredCount: 1, TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 1))})
	api.AddService("c", types.Service{ServiceName: aws.String("bg"), DesiredCount: 1, TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("bg", 1)),
		DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen}})
	api.AddService("c", types.Service{ServiceName: aws.String("api"), DesiredCount: 1, TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("api", 1)),
		DeploymentController: &types.DeploymentController{Type: types.DeploymentControllerTypeCodeDeploy},
		LoadBalancers:        []types.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String("app"), ContainerPort: aws.Int32(80)}}})
	api.SetRollout("web", fakeaws.Rollout{Polls: 8})
	cd.AddGroup("api-app", cdtypes.ComputePlatformEcs, "api-group", "c", "api")
	if log == nil {
		log = func(string, string) {}
	}
	d := &ecs.Deployer{API: api,
		Waiter: &ecs.Waiter{API: api, First: poll, Max: poll, Progress: func(p ecs.Progress) {
			if p.Event == "" {
				log(p.Service, p.Revision+" "+p.Rollout+" "+p.Stage)
			}
		}},
		CodeDeploy: &appspec.Deployer{API: cd, Poll: poll, Progress: log},
	}
	defs := &ecs.Definitions{Services: []*ecs.Service{
		definition(tb, "web", `{"desiredCount":1}`),
		definition(tb, "bg", `{"desiredCount":1,"deploymentConfiguration":{"strategy":"BLUE_GREEN"}}`),
		definition(tb, "api", `{"desiredCount":1,"deploymentController":{"type":"CODE_DEPLOY"},"loadBalancers":[{"targetGroupArn":"`+tg+`","containerName":"app","containerPort":80}]}`),
	}}
	for _, s := range defs.Services {
		defs.TaskDefinitions = append(defs.TaskDefinitions, s.TaskDefinition)
	}
	return d, defs, api
}

// One deploy of a rolling, an ECS-native blue/green and a CODE_DEPLOY
// service follows the three at once, each with its own progress lines:
// every one has started reporting before any has finished.
func TestDeployMixedStrategiesConcurrently(t *testing.T) {
	log := &orderLog{}
	d, defs, api := mixedWorld(t, 5*time.Millisecond, log.add)
	res, err := d.Deploy(context.Background(), defs, ecs.DeployOptions{Cluster: "c", Until: ecs.UntilDeployed})
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, strings.Join(log.lines, "\n"))
	}
	for _, r := range res {
		if !r.Waited || r.Err != nil {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if res[2].Action != ecs.ServiceCodeDeploy || api.Calls("UpdateService") != 2 {
		t.Errorf("api went %s; UpdateService calls %d, want 2 (web and bg)", res[2].Action, api.Calls("UpdateService"))
	}
	spans := map[string][2]int{}
	for _, name := range []string{"web", "bg", "api"} {
		first, last := log.span(name)
		if first < 0 {
			t.Fatalf("no progress for %s:\n%s", name, strings.Join(log.lines, "\n"))
		}
		spans[name] = [2]int{first, last}
	}
	for a, sa := range spans {
		for b, sb := range spans {
			if sa[0] > sb[1] {
				t.Errorf("%s started reporting (line %d) only after %s had finished (line %d): not concurrent\n%s", a, sa[0], b, sb[1], strings.Join(log.lines, "\n"))
			}
		}
	}
	for _, want := range []string{"bg: bg:2 IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT", "api: lifecycle event AllowTraffic: Succeeded", "web: web:2 IN_PROGRESS "} {
		if !strings.Contains(strings.Join(log.lines, "\n"), want) {
			t.Errorf("progress lacks %q:\n%s", want, strings.Join(log.lines, "\n"))
		}
	}
}

// deployOnly deploys the named services of mixedWorld together, every
// poll apart, and says how long it took.
func deployOnly(tb testing.TB, poll time.Duration, names ...string) time.Duration {
	tb.Helper()
	d, defs, _ := mixedWorld(tb, poll, nil)
	defs.Services = slices.DeleteFunc(defs.Services, func(s *ecs.Service) bool { return !slices.Contains(names, s.Name) })
	start := time.Now()
	res, err := d.Deploy(context.Background(), defs, ecs.DeployOptions{Cluster: "c", Until: ecs.UntilDeployed})
	took := time.Since(start)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res {
		if !r.Waited || r.Err != nil {
			tb.Fatalf("%s: %+v", r.Name, r)
		}
	}
	return took
}

// The three deployed together take about as long as the slowest alone:
// the waits (polls 30 ms apart, 8 to 11 of them for each service) overlap.
// One after the other would take the sum. The margins are wide so that a
// busy machine does not fail it.
func TestDeployMixedStrategiesTotalCloseToSlowest(t *testing.T) {
	const poll = 30 * time.Millisecond
	var slowest, sum time.Duration
	for _, name := range []string{"web", "bg", "api"} {
		took := deployOnly(t, poll, name)
		slowest, sum = max(slowest, took), sum+took
	}
	together := deployOnly(t, poll, "web", "bg", "api")
	if together > slowest*3/2 || together > sum*7/10 {
		t.Errorf("together %v; alone: slowest %v, sum %v; want under 1.5x the slowest and 0.7x the sum", together, slowest, sum)
	}
}

// BenchmarkDeployMixedStrategies measures a deploy of the three services
// together against each one deployed alone, with every poll 20 ms apart
// (the waits dominate, as they do against AWS): together/slowest is the
// total as a multiple of the slowest single deploy (1.0 is the ideal;
// 3 would be one after the other).
func BenchmarkDeployMixedStrategies(b *testing.B) {
	const poll = 20 * time.Millisecond
	var slowest, sum, together time.Duration
	for b.Loop() {
		alone := time.Duration(0)
		for _, name := range []string{"web", "bg", "api"} {
			took := deployOnly(b, poll, name)
			alone = max(alone, took)
			sum += took
		}
		slowest += alone
		together += deployOnly(b, poll, "web", "bg", "api")
	}
	n := float64(b.N)
	b.ReportMetric(float64(sum.Milliseconds())/n, "sum-alone-ms")
	b.ReportMetric(float64(slowest.Milliseconds())/n, "slowest-alone-ms")
	b.ReportMetric(float64(together.Milliseconds())/n, "together-ms")
	b.ReportMetric(float64(together)/float64(slowest), "together/slowest")
}
