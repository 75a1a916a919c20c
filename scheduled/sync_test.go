package scheduled

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

// callerSTS answers GetCallerIdentity as STS does for a caller in arn's
// partition.
type callerSTS struct {
	arn   string
	calls int
}

func (f *callerSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	f.calls++
	return &sts.GetCallerIdentityOutput{Account: aws.String("210987654321"), Arn: aws.String(f.arn)}, nil
}

// A schedule on a family registered elsewhere (so no config ARN tells the
// account) gets its cluster ARN from STS, in the caller's partition: a
// China-region schedule must not point at an arn:aws: cluster.
func TestClusterARNFromSTSKeepsThePartition(t *testing.T) {
	for partition, region := range map[string]string{"aws": "us-east-1", "aws-cn": "cn-north-1"} {
		s := &Syncer{Cluster: "app", Region: region,
			STS: &callerSTS{arn: "arn:" + partition + ":sts::210987654321:assumed-role/deployer/ci"}}
		got, err := s.clusterARN(context.Background(), map[string]string{"batch": ""})
		if want := "arn:" + partition + ":ecs:" + region + ":210987654321:cluster/app"; err != nil || got != want {
			t.Errorf("%s: cluster ARN %q, %v; want %q", partition, got, err, want)
		}
	}
	// A task definition ARN says it all: STS is not asked.
	st := &callerSTS{arn: "arn:aws:sts::1:assumed-role/x/y"}
	s := &Syncer{STS: st}
	got, err := s.clusterARN(context.Background(), map[string]string{"batch": "arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/batch:4"})
	if err != nil || got != "arn:aws-cn:ecs:cn-north-1:111122223333:cluster/default" || st.calls != 0 {
		t.Errorf("cluster ARN %q, %v (STS asked %d times)", got, err, st.calls)
	}
}

func TestScopeOptionsAndSelect(t *testing.T) {
	c := &config.Config{Path: "tamp.yaml", Services: []config.Service{{Name: "web"}}, TaskDefinitions: []config.TaskDefinition{{Name: "batch"}}}
	s := &Syncer{Tasks: []*Task{{Name: "nightly", TaskDefinition: "batch"}, {Name: "warm", TaskDefinition: "web"}, {Name: "other", TaskDefinition: "x:3"}}}
	for _, tc := range []struct {
		only []string
		want string
	}{
		{nil, "nightly warm other"},
		{[]string{"web"}, "warm"},
		{[]string{"other", "batch"}, "nightly other"},
	} {
		scope, err := c.Scope(tc.only, Names(s.Tasks))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(Names(s.Select(ScopeOptions(scope))), " "); got != tc.want {
			t.Errorf("only %v: %s, want %s", tc.only, got, tc.want)
		}
	}
}

func TestPlanNeedsARole(t *testing.T) {
	s := &Syncer{Config: &config.Scheduled{Backend: config.BackendScheduler, Group: "g"}, ConfigPath: "/p/tamp.yaml"}
	_, err := s.Plan(context.Background(), PlanOptions{})
	if _, ok := err.(*config.InputError); !ok || !strings.Contains(err.Error(), "/p/tamp.yaml: scheduled.role_arn is required") {
		t.Errorf("err = %v", err)
	}
}

func TestListAndRunNow(t *testing.T) {
	ctx := context.Background()
	ecsAPI := fakeaws.NewECS()
	ecsAPI.AddTaskDefinition(ecsTaskDefinition("ext", "worker"))
	s := &Syncer{Config: &config.Scheduled{Backend: config.BackendScheduler, Group: "g", RoleArn: testRole}, Cluster: "c1",
		Defs: &ecs.Definitions{}, ECS: ecsAPI,
		Tasks: []*Task{
			{Name: "hourly", Schedule: "rate(1 hour)", TaskDefinition: "ext", Command: []string{"go"}},
			{Name: "nightly", Schedule: "cron(0 3 * * ? *)", Timezone: "Asia/Tokyo", TaskDefinition: "ext", Disabled: true},
		}}
	now := time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)
	rows, err := s.List(ctx, PlanOptions{}, now)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteList(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := "NAME     SCHEDULE           TIME ZONE   STATE     TASK DEFINITION  NEXT RUN\n" +
		"hourly   rate(1 hour)       UTC         ENABLED   ext:1            -\n" +
		"nightly  cron(0 3 * * ? *)  Asia/Tokyo  DISABLED  ext:1            2026-12-03T03:00:00+09:00\n"
	if b.String() != want {
		t.Errorf("list:\n%s\nwant:\n%s", b.String(), want)
	}
	in, _, watch, err := s.RunNow(ctx, "hourly")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(in.Cluster) != "c1" || ecs.ShortRevision(aws.ToString(in.TaskDefinition)) != "ext:1" || watch != "worker" ||
		in.Overrides == nil || in.Overrides.ContainerOverrides[0].Command[0] != "go" {
		t.Errorf("run now: %+v watching %q", in, watch)
	}
	if _, _, _, err := s.RunNow(ctx, "hourlyy"); err == nil || err.Error() != "scheduled run: no scheduled task named hourlyy; the config has hourly, nightly" {
		t.Errorf("unknown task: %v", err)
	}
}

func ecsTaskDefinition(family, container string) ecstypes.TaskDefinition {
	return ecstypes.TaskDefinition{Family: aws.String(family),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String(container), Image: aws.String("img"), Essential: aws.Bool(true)}}}
}
