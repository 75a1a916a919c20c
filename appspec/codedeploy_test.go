package appspec_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// instant is a clock whose sleeps return at once (unless ctx is done).
type instant struct{}

func (instant) Now() time.Time { return time.Now() }
func (instant) Sleep(ctx context.Context, _ time.Duration) error {
	return ctx.Err()
}

func codeDeploy() *fakeaws.CodeDeploy {
	cd := fakeaws.NewCodeDeploy()
	cd.AddGroup("web-app", cdtypes.ComputePlatformEcs, "web-group", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/app", "web")
	cd.AddGroup("web-app", cdtypes.ComputePlatformEcs, "api-group", "app", "api")
	cd.AddGroup("lambda-app", cdtypes.ComputePlatformLambda, "fn", "app", "web")
	return cd
}

func TestFindGroup(t *testing.T) {
	cd := codeDeploy()
	g, err := appspec.FindGroup(context.Background(), cd, "app", "web")
	if err != nil || g != (appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}) {
		t.Errorf("FindGroup(app, web) = %+v, %v; want web-app/web-group (cluster named by ARN in the group, Lambda applications skipped)", g, err)
	}
	if _, err := appspec.FindGroup(context.Background(), cd, "app", "batch"); err == nil || !strings.Contains(err.Error(), "no CodeDeploy deployment group deploys service batch of cluster app; name it in the config") {
		t.Errorf("FindGroup(app, batch) error = %v", err)
	}
	cd.AddGroup("other-app", cdtypes.ComputePlatformEcs, "web-again", "app", "web")
	if _, err := appspec.FindGroup(context.Background(), cd, "app", "web"); err == nil || !strings.Contains(err.Error(), "2 CodeDeploy deployment groups deploy service web (other-app/web-again, web-app/web-group)") {
		t.Errorf("FindGroup with two matches: error = %v", err)
	}
}

func TestDeployFollowsLifecycleEvents(t *testing.T) {
	cd := codeDeploy()
	var lines []string
	opts := appspec.DeployOptions{
		Group: appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}, Clock: instant{},
		RollbackEvents: []string{"DEPLOYMENT_FAILURE"},
		Progress:       func(l string) { lines = append(lines, l) },
	}
	res, err := appspec.Deploy(context.Background(), cd, []byte("version: 0.0\n"), opts)
	if err != nil || res.Status != "Succeeded" {
		t.Fatalf("Deploy = %+v, %v", res, err)
	}
	in := cd.Deployments()[0]
	if got := aws.ToString(in.Revision.AppSpecContent.Content); got != "version: 0.0\n" {
		t.Errorf("AppSpec sent = %q", got)
	}
	if rb := in.AutoRollbackConfiguration; rb == nil || !rb.Enabled || len(rb.Events) != 1 || rb.Events[0] != cdtypes.AutoRollbackEventDeploymentFailure {
		t.Errorf("auto rollback = %+v", rb)
	}
	text := strings.Join(lines, "\n")
	var last int
	for _, want := range []string{
		"CodeDeploy deployment d-FAKE00001 created (web-app/web-group)",
		"lifecycle event BeforeInstall: InProgress",
		"traffic: blue 100%, green 0%",
		"lifecycle event BeforeInstall: Succeeded",
		"lifecycle event AllowTraffic: Succeeded",
		"traffic: blue 0%, green 100%",
		"lifecycle event AfterAllowTraffic: Succeeded",
		"CodeDeploy deployment d-FAKE00001: Succeeded",
	} {
		i := strings.Index(text[last:], want)
		if i < 0 {
			t.Fatalf("progress lacks %q after position %d:\n%s", want, last, text)
		}
		last += i
	}
}

func TestDeployStopsAtStage(t *testing.T) {
	cd := codeDeploy()
	stage, err := appspec.ParseStage("traffic-shifted")
	if err != nil {
		t.Fatal(err)
	}
	res, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{
		Group: appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}, Clock: instant{}, Until: stage,
	})
	if err != nil || res.Status != "InProgress" {
		t.Errorf("Deploy until traffic-shifted = %+v, %v; want it to return while the deployment is in progress", res, err)
	}
	if _, err := appspec.ParseStage("AfterAllowTestTraffic"); err != nil {
		t.Errorf("a lifecycle event is a stage: %v", err)
	}
	if _, err := appspec.ParseStage("halfway"); err == nil || !strings.Contains(err.Error(), "use deployed, stable, traffic-shifted, a CodeDeploy lifecycle event") {
		t.Errorf("ParseStage(halfway) error = %v", err)
	}
	// An ECS-native stage means the end for a CODE_DEPLOY service.
	if st, err := appspec.ParseStage("BAKE_TIME"); err != nil || st != (appspec.Stage{}) {
		t.Errorf("ParseStage(BAKE_TIME) = %+v, %v; want the end", st, err)
	}
}

// budget is a clock whose sleeps return at once until n of them have
// passed, then fail as a timeout would: a wait that never ends, bounded.
type budget struct{ n int }

func (*budget) Now() time.Time { return time.Now() }
func (b *budget) Sleep(ctx context.Context, _ time.Duration) error {
	if b.n--; b.n < 0 {
		return context.DeadlineExceeded
	}
	return ctx.Err()
}

// --wait-until a lifecycle event returns once that event succeeded, with
// the deployment going on; never with success when the event fails or
// never succeeds.
func TestDeployUntilLifecycleEvent(t *testing.T) {
	group := appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}
	until, err := appspec.ParseStage("afterallowtesttraffic")
	if err != nil || until != (appspec.Stage{Event: "AfterAllowTestTraffic"}) {
		t.Fatalf("ParseStage = %+v, %v", until, err)
	}
	t.Run("returns at the event, before the deployment ends", func(t *testing.T) {
		cd := codeDeploy()
		var lines []string
		res, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{
			Group: group, Clock: instant{}, Until: until, Progress: func(l string) { lines = append(lines, l) },
		})
		if err != nil || res.Status != "InProgress" {
			t.Fatalf("Deploy = %+v, %v; want it to return while the deployment is in progress", res, err)
		}
		var events []string
		for _, l := range lines {
			if strings.HasPrefix(l, "lifecycle event ") && strings.HasSuffix(l, ": Succeeded") {
				events = append(events, strings.TrimSuffix(strings.TrimPrefix(l, "lifecycle event "), ": Succeeded"))
			}
		}
		if want := appspec.LifecycleEvents[:5]; !slices.Equal(events, want) {
			t.Errorf("events succeeded %v, want %v (and no later one)", events, want)
		}
		if cd.Stopped(res.DeploymentID) {
			t.Error("returning at a stage stopped the deployment")
		}
	})
	t.Run("the event fails: the deployment's failure", func(t *testing.T) {
		cd := codeDeploy()
		cd.FailAt("AfterAllowTestTraffic")
		res, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{Group: group, Clock: instant{}, Until: until})
		var failed *appspec.DeploymentFailedError
		if !errors.As(err, &failed) || res.Status != "Failed" {
			t.Errorf("Deploy = %+v, %v; want a DeploymentFailedError", res, err)
		}
	})
	t.Run("the event never succeeds: no success", func(t *testing.T) {
		cd := codeDeploy()
		cd.HangAt("AfterAllowTestTraffic")
		res, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{Group: group, Clock: &budget{n: 20}, Until: until})
		if !errors.Is(err, context.DeadlineExceeded) || res.Status != "InProgress" {
			t.Errorf("Deploy = %+v, %v; want the wait cut short by its bound, the deployment in progress", res, err)
		}
	})
}

// A deployment CodeDeploy stops (an alarm went off) and rolls back is a
// failure, with CodeDeploy's reason and its rollback.
func TestDeployStoppedAndRolledBack(t *testing.T) {
	cd := codeDeploy()
	cd.StopOnAlarmAt("AfterAllowTraffic", "web-5xx")
	res, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{
		Group: appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}, Clock: instant{},
		RollbackEvents: []string{"DEPLOYMENT_STOP_ON_ALARM"},
	})
	var failed *appspec.DeploymentFailedError
	if !errors.As(err, &failed) || failed.Status != "Stopped" || res.Status != "Stopped" {
		t.Fatalf("Deploy = %+v, %v; want a DeploymentFailedError for a Stopped deployment", res, err)
	}
	const want = "CodeDeploy deployment d-FAKE00001 stopped: ALARM_ACTIVE The deployment was stopped because alarm web-5xx went off during AfterAllowTraffic; " +
		"CodeDeploy rolled the deployment back to the original task set"
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
}

func TestDeployFailure(t *testing.T) {
	cd := codeDeploy()
	cd.FailAt("AfterAllowTestTraffic")
	_, err := appspec.Deploy(context.Background(), cd, []byte("x"), appspec.DeployOptions{
		Group: appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}, Clock: instant{},
	})
	var failed *appspec.DeploymentFailedError
	if !errors.As(err, &failed) || !strings.Contains(err.Error(), "CodeDeploy deployment d-FAKE00001 failed: HEALTH_CONSTRAINTS The deployment failed because a lifecycle event hook failed: AfterAllowTestTraffic") {
		t.Errorf("error = %v", err)
	}
}

func TestFollowInterrupted(t *testing.T) {
	cd := codeDeploy()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := appspec.Deploy(ctx, cd, []byte("x"), appspec.DeployOptions{
		Group: appspec.Group{Application: "web-app", DeploymentGroup: "web-group"}, Clock: instant{},
		Progress: func(l string) {
			if strings.Contains(l, "BeforeInstall: Succeeded") {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "CodeDeploy deployment d-FAKE00001 goes on (follow it with `aws deploy get-deployment --deployment-id d-FAKE00001`)") {
		t.Errorf("error = %v", err)
	}
	if cd.Stopped("d-FAKE00001") {
		t.Error("Ctrl-C stopped the deployment; it must only stop the wait")
	}
	if err := appspec.Stop(context.Background(), cd, "d-FAKE00001"); err != nil || !cd.Stopped("d-FAKE00001") {
		t.Errorf("Stop: %v", err)
	}
}
