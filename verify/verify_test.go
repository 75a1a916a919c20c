package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/scheduled"
)

// fakeWorld is a Lookup over maps, counting every question.
type fakeWorld struct {
	mu       sync.Mutex
	calls    map[string]int
	clusters map[string]*Cluster
	roles    map[string]string // name -> trust policy
	images   map[string]bool   // repo:tag
	groups   map[string]bool
	params   map[string]bool
	secrets  map[string][]string // ARN -> JSON keys
	objects  map[string]bool     // bucket/key
	targets  map[string]*TargetGroup
	subnets  map[string]string
	sgs      map[string]string
	tds      map[string]bool
	rules    map[string][]string // listener rule ARN -> target groups
	funcs    map[string]*Function
	roleErr  error
}

func (f *fakeWorld) count(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeWorld) Clusters(_ context.Context, _ string, names []string) (map[string]*Cluster, error) {
	f.count("Clusters")
	out := map[string]*Cluster{}
	for _, n := range names {
		if c, ok := f.clusters[n]; ok {
			out[n] = c
		}
	}
	return out, nil
}

func (f *fakeWorld) Role(_ context.Context, name string) (*Role, error) {
	f.count("Role")
	if f.roleErr != nil {
		return nil, f.roleErr
	}
	p, ok := f.roles[name]
	if !ok {
		return nil, nil
	}
	return &Role{Arn: "arn:aws:iam::123456789012:role/" + name, TrustPolicy: p}, nil
}

func (f *fakeWorld) Image(_ context.Context, img ECRImage) (bool, string, error) {
	f.count("Image")
	if f.images[img.Repository+":"+img.Tag] {
		return true, "", nil
	}
	return false, img.Version() + " not found", nil
}

func (f *fakeWorld) LogGroup(_ context.Context, _, name string) (bool, error) {
	f.count("LogGroup")
	return f.groups[name], nil
}

func (f *fakeWorld) Parameters(_ context.Context, _ string, names []string) (map[string]bool, error) {
	f.count("Parameters")
	if len(names) > 10 {
		return nil, fmt.Errorf("asked %d names at once", len(names))
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = f.params[n]
	}
	return out, nil
}

func (f *fakeWorld) Secret(_ context.Context, _, id string) (bool, error) {
	f.count("Secret")
	_, ok := f.secrets[id]
	return ok, nil
}

func (f *fakeWorld) SecretKeys(_ context.Context, _, id, _, _ string) ([]string, error) {
	f.count("SecretKeys")
	return f.secrets[id], nil
}

func (f *fakeWorld) Object(_ context.Context, _, bucket, key string) (bool, error) {
	f.count("Object")
	return f.objects[bucket+"/"+key], nil
}

func (f *fakeWorld) TargetGroups(_ context.Context, _ string, arns []string) (map[string]*TargetGroup, error) {
	f.count("TargetGroups")
	out := map[string]*TargetGroup{}
	for _, a := range arns {
		if tg, ok := f.targets[a]; ok {
			out[a] = tg
		}
	}
	return out, nil
}

func pick(m map[string]string, ids []string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		if v, ok := m[id]; ok {
			out[id] = v
		}
	}
	return out
}

func (f *fakeWorld) Subnets(_ context.Context, _ string, ids []string) (map[string]string, error) {
	f.count("Subnets")
	return pick(f.subnets, ids), nil
}

func (f *fakeWorld) SecurityGroups(_ context.Context, _ string, ids []string) (map[string]string, error) {
	f.count("SecurityGroups")
	return pick(f.sgs, ids), nil
}

func (f *fakeWorld) TaskDefinition(_ context.Context, _, ref string) (bool, error) {
	f.count("TaskDefinition")
	return f.tds[ref], nil
}

func (f *fakeWorld) ListenerRule(_ context.Context, _, arn string) (*ListenerRule, error) {
	f.count("ListenerRule")
	tgs, ok := f.rules[arn]
	if !ok {
		return nil, nil
	}
	return &ListenerRule{TargetGroups: tgs}, nil
}

func (f *fakeWorld) Function(_ context.Context, _, arn string) (*Function, error) {
	f.count("Function")
	return f.funcs[arn], nil
}

func trust(service string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":[%q]},"Action":["sts:AssumeRole"]}]}`, service)
}

const tgArn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/abc"

func taskDef(name string, containers ...types.ContainerDefinition) *ecs.TaskDefinition {
	td := &ecs.TaskDefinition{Name: name, File: "/p/" + name + ".json", Input: &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String(name), NetworkMode: types.NetworkModeAwsvpc, ContainerDefinitions: containers,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		ExecutionRoleArn:        aws.String("arn:aws:iam::123456789012:role/exec"),
	}}
	for _, c := range containers {
		td.Containers = append(td.Containers, aws.ToString(c.Name))
	}
	return td
}

func awslogs(group string, extra ...string) *types.LogConfiguration {
	opts := map[string]string{"awslogs-group": group}
	for i := 0; i+1 < len(extra); i += 2 {
		opts[extra[i]] = extra[i+1]
	}
	return &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: opts}
}

// lines renders the report as "STATUS check subject: reason" lines.
func lines(r *Report) string {
	var b strings.Builder
	for _, res := range r.Resources {
		for _, c := range res.Checks {
			fmt.Fprintf(&b, "%s/%s %s %s: %s\n", res.Kind, res.Name, c.Status, strings.TrimSpace(c.Check+" "+c.Subject), c.Reason)
		}
	}
	return b.String()
}

func mustContain(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

func TestRunChecksEverythingOnceAndReportsProblems(t *testing.T) {
	secretArn := "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app/api-AbCdEf"
	world := &fakeWorld{
		clusters: map[string]*Cluster{"app": {Status: "ACTIVE", CapacityProviders: []string{"FARGATE"}}},
		roles:    map[string]string{"exec": trust("ecs-tasks.amazonaws.com"), "sched": trust("events.amazonaws.com")},
		images:   map[string]bool{"app:v1": true},
		groups:   map[string]bool{"/ecs/web": true},
		params:   map[string]bool{"/p/0": true},
		secrets:  map[string][]string{secretArn: {"user"}},
		objects:  map[string]bool{"cfg/web.env": true},
		targets:  map[string]*TargetGroup{tgArn: {Name: "web", TargetType: "instance", LoadBalancers: 1}},
		subnets:  map[string]string{"subnet-a": "vpc-1", "subnet-b": "vpc-2"},
		sgs:      map[string]string{"sg-1": "vpc-1"},
	}
	var secrets []types.Secret
	for i := range 12 { // two GetParameters batches
		secrets = append(secrets, types.Secret{Name: aws.String(fmt.Sprintf("P%d", i)), ValueFrom: aws.String(fmt.Sprintf("/p/%d", i))})
	}
	secrets = append(secrets,
		types.Secret{Name: aws.String("USER"), ValueFrom: aws.String(secretArn + ":user::")},
		types.Secret{Name: aws.String("PASS"), ValueFrom: aws.String(secretArn + ":password::")})
	web := taskDef("web",
		types.ContainerDefinition{Name: aws.String("web"), Image: aws.String("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v1"),
			LogConfiguration: awslogs("/ecs/web"), Secrets: secrets,
			EnvironmentFiles: []types.EnvironmentFile{{Value: aws.String("arn:aws:s3:::cfg/web.env")}, {Value: aws.String("arn:aws:s3:::cfg/gone.env")}}},
		types.ContainerDefinition{Name: aws.String("log"), Image: aws.String("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v2"),
			LogConfiguration: awslogs("/ecs/new", "awslogs-create-group", "true")},
		types.ContainerDefinition{Name: aws.String("side"), Image: aws.String("public.ecr.aws/nginx/nginx:1"), LogConfiguration: awslogs("/ecs/web")})
	web.Input.TaskRoleArn = aws.String("missing")
	svc := &ecs.Service{Name: "web", File: "/p/svc.json", TaskDefinition: web, Input: &awsecs.CreateServiceInput{
		CapacityProviderStrategy: []types.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE")}, {CapacityProvider: aws.String("FARGATE_SPOT")}},
		NetworkConfiguration: &types.NetworkConfiguration{AwsvpcConfiguration: &types.AwsVpcConfiguration{
			Subnets: []string{"subnet-a", "subnet-b", "subnet-x"}, SecurityGroups: []string{"sg-1"}}},
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(tgArn), ContainerName: aws.String("web"), ContainerPort: aws.Int32(80)}},
	}}
	in := Input{
		Region: "ap-northeast-1", Cluster: "app", Definitions: &ecs.Definitions{Services: []*ecs.Service{svc}, TaskDefinitions: []*ecs.TaskDefinition{web}},
		Scheduled: []*scheduled.Task{
			{Name: "nightly", TaskDefinition: "web", RoleArn: "arn:aws:iam::123456789012:role/sched"},
			{Name: "other", TaskDefinition: "legacy:3", RoleArn: "arn:aws:iam::123456789012:role/exec"},
			{Name: "roleless", TaskDefinition: "web", TaskRoleArn: "arn:aws:iam::123456789012:role/sched"},
		},
		Backend: "scheduler", ConfigTaskDefinitions: []string{"web"}, Concurrency: 3,
	}
	rep := Run(context.Background(), in, world)
	got := lines(rep)
	mustContain(t, got,
		"service/web OK cluster app: ACTIVE",
		"service/web OK capacity provider FARGATE:",
		"service/web NG capacity provider FARGATE_SPOT: not associated with cluster app (it has FARGATE)",
		"service/web NG subnet subnet-x: does not exist",
		"service/web NG security group sg-1: is in vpc-1 but subnet subnet-b is in vpc-2",
		"service/web NG target group "+tgArn+": target type instance; network mode awsvpc registers ip targets",
		"task definition/web OK execution role exec: exists, trusts ecs-tasks.amazonaws.com",
		"task definition/web NG task role missing: does not exist",
		"task definition/web OK image 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v1: exists",
		"task definition/web NG image 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v2: tag v2 not found",
		"task definition/web SKIP image public.ecr.aws/nginx/nginx:1: registry public.ecr.aws is not ECR",
		"task definition/web OK log group /ecs/new: ECS creates it",
		"task definition/web OK secret P0 (container web): SSM parameter /p/0 exists",
		"task definition/web NG secret P11 (container web): SSM parameter /p/11 does not exist",
		"task definition/web NG secret P1 (container web): SSM parameter /p/1 does not exist",
		"task definition/web OK secret USER (container web): Secrets Manager secret exists with JSON key user",
		`task definition/web NG secret PASS (container web): Secrets Manager secret exists but has no JSON key "password"`,
		"task definition/web OK environment file arn:aws:s3:::cfg/web.env: exists",
		"task definition/web NG environment file arn:aws:s3:::cfg/gone.env: s3://cfg/gone.env does not exist",
		"scheduled task/nightly NG role sched: trusts events.amazonaws.com, not scheduler.amazonaws.com",
		"scheduled task/other NG task definition legacy:3: legacy:3 is not in the config and not registered",
		"scheduled task/roleless NG role: none set: EventBridge needs a role",
		"scheduled task/roleless NG task role sched: trusts events.amazonaws.com, not ecs-tasks.amazonaws.com",
	)
	if strings.Count(got, "log group /ecs/web") != 1 {
		t.Errorf("a log group shared by two containers should show once:\n%s", got)
	}
	// Each answer asked once; batched kinds in as few calls as the API allows.
	want := map[string]int{"Clusters": 1, "Role": 3, "Image": 2, "LogGroup": 2, "Parameters": 2, "Secret": 1, "SecretKeys": 1,
		"Object": 2, "TargetGroups": 1, "Subnets": 1, "SecurityGroups": 1, "TaskDefinition": 1}
	for op, n := range want {
		if world.calls[op] != n {
			t.Errorf("%s called %d times, want %d (all: %v)", op, world.calls[op], n, world.calls)
		}
	}
	if !rep.Failed() || rep.Summary[NG] != strings.Count(got, " NG ") {
		t.Errorf("summary %v does not match the lines", rep.Summary)
	}
}

func TestOfflineReportsDefinitionsOnly(t *testing.T) {
	web := taskDef("web", types.ContainerDefinition{Name: aws.String("web"), Image: aws.String("nginx")})
	bad := &ecs.TaskDefinition{Name: "bad", File: "/p/bad.json", Problems: []error{errors.New("/p/bad.json: cpu: 3 is not a Fargate size")}}
	rep := Run(context.Background(), Input{Offline: true, Definitions: &ecs.Definitions{TaskDefinitions: []*ecs.TaskDefinition{web, bad}}}, nil)
	got := lines(rep)
	want := "task definition/web OK definition: valid\ntask definition/bad NG definition: cpu: 3 is not a Fargate size\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestLookupErrors(t *testing.T) {
	web := taskDef("web", types.ContainerDefinition{Name: aws.String("web"), Image: aws.String("nginx"),
		Secrets: []types.Secret{{Name: aws.String("S"), ValueFrom: aws.String("/s")}}})
	web.Input.ExecutionRoleArn = nil
	web.Input.TaskRoleArn = aws.String("task")
	in := Input{Region: "r", Definitions: &ecs.Definitions{TaskDefinitions: []*ecs.TaskDefinition{web}}}

	denied := &fakeWorld{roleErr: &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}, params: map[string]bool{"/s": true}}
	got := lines(Run(context.Background(), in, denied))
	mustContain(t, got,
		"NG execution role: container web: secrets needs an execution role; set executionRoleArn",
		"SKIP task role task: not allowed to check: AccessDenied")

	broken := &fakeWorld{roleErr: errors.New("connection reset"), params: map[string]bool{"/s": true}}
	mustContain(t, lines(Run(context.Background(), in, broken)), "NG task role task: could not check: connection reset")
}

// badNameWorld fails a GetParameters batch holding a malformed name, as
// SSM does.
type badNameWorld struct{ fakeWorld }

func (f *badNameWorld) Parameters(ctx context.Context, region string, names []string) (map[string]bool, error) {
	for _, n := range names {
		if strings.Contains(n, " ") {
			f.count("Parameters")
			return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "invalid name " + n}
		}
	}
	return f.fakeWorld.Parameters(ctx, region, names)
}

func TestReviewedEdgeCases(t *testing.T) {
	secretArn := "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:plain-AbCdEf"
	world := &badNameWorld{fakeWorld{
		clusters: map[string]*Cluster{"app": {Status: "ACTIVE"}},
		params:   map[string]bool{"/ok": true},
		secrets:  map[string][]string{secretArn: nil}, // a value that is not a JSON object
		targets:  map[string]*TargetGroup{tgArn: {TargetType: "ip", LoadBalancers: 1}},
		roles: map[string]string{
			"conditional": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},
				{"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:SourceAccount":"123456789012"}}}]}`,
			"denied": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},
				{"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		},
	}}
	web := taskDef("web", types.ContainerDefinition{Name: aws.String("web"), Image: aws.String("nginx"), Secrets: []types.Secret{
		{Name: aws.String("OK"), ValueFrom: aws.String("/ok")},
		{Name: aws.String("BAD"), ValueFrom: aws.String("/has space")},
		{Name: aws.String("PLAIN"), ValueFrom: aws.String(secretArn + ":key::")},
		{Name: aws.String("SHORT"), ValueFrom: aws.String("arn:aws:secretsmanager:ap-northeast-1:123456789012:db")},
	}})
	web.Input.ExecutionRoleArn = aws.String("conditional")
	web.Input.TaskRoleArn = aws.String("denied")
	// A service whose task definition did not decode: its target group's
	// type cannot be judged.
	broken := &ecs.TaskDefinition{Name: "api", Problems: []error{errors.New("bad")}}
	api := &ecs.Service{Name: "api", TaskDefinition: broken, Input: &awsecs.CreateServiceInput{
		LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(tgArn), ContainerName: aws.String("api"), ContainerPort: aws.Int32(80)}}}}
	in := Input{Region: "ap-northeast-1", Cluster: "app",
		Definitions: &ecs.Definitions{Services: []*ecs.Service{api}, TaskDefinitions: []*ecs.TaskDefinition{web}}}
	got := lines(Run(context.Background(), in, world))
	mustContain(t, got,
		"service/api OK target group "+tgArn+": exists",
		"OK execution role conditional: exists, trusts ecs-tasks.amazonaws.com",
		"NG task role denied: a Deny statement in its trust policy refuses ecs-tasks.amazonaws.com",
		"OK secret OK (container web): SSM parameter /ok exists",
		"NG secret BAD (container web): could not check: api error ValidationException: invalid name /has space",
		`NG secret PLAIN (container web): Secrets Manager secret exists but its value is not a JSON object`,
		"NG secret SHORT (container web): arn:aws:secretsmanager:ap-northeast-1:123456789012:db is not a Secrets Manager secret ARN")
	// the failed batch of two, then each name on its own
	if world.calls["Parameters"] != 3 {
		t.Errorf("Parameters called %d times, want 3", world.calls["Parameters"])
	}
}

func TestFailureKinds(t *testing.T) {
	for code, want := range map[string]Status{
		"AccessDeniedException": Skip, "AccessDenied": Skip, "UnauthorizedOperation": Skip, "Forbidden": Skip,
		"UnrecognizedClientException": NG, "InvalidClientTokenId": NG, "AuthFailure": NG, "ExpiredToken": NG,
	} {
		if got, _ := failure(&smithy.GenericAPIError{Code: code}); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
}

// An ECS-native blue/green service: the alternate target group, the
// listener rules (forwarding to both groups), the load balancer role and
// the hooks' roles and Lambda functions (which must be Active) are checked.
func TestNativeStrategyChecks(t *testing.T) {
	const (
		green    = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-green/def"
		missing  = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/nope/000"
		prodRule = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule/app/web/1/2/prod"
		testRule = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule/app/web/1/2/test"
		hook     = "arn:aws:lambda:ap-northeast-1:123456789012:function:smoke"
		gone     = "arn:aws:lambda:ap-northeast-1:123456789012:function:gone"
		broken   = "arn:aws:lambda:ap-northeast-1:123456789012:function:broken:live"
	)
	world := &fakeWorld{
		clusters: map[string]*Cluster{"app": {Status: "ACTIVE"}},
		targets:  map[string]*TargetGroup{tgArn: {TargetType: "ip", LoadBalancers: 1}, green: {TargetType: "ip", LoadBalancers: 1}},
		rules:    map[string][]string{prodRule: {tgArn, green}, testRule: {tgArn}},
		roles:    map[string]string{"ecs-lb": trust("ecs.amazonaws.com"), "hooks": trust("lambda.amazonaws.com")},
		funcs:    map[string]*Function{hook: {State: "Active"}, broken: {State: "Failed", StateReason: "the role cannot be assumed"}},
	}
	stage := []types.DeploymentLifecycleHookStage{types.DeploymentLifecycleHookStagePostTestTrafficShift}
	svc := func(alternate string) *ecs.Service {
		return &ecs.Service{Name: "web", TaskDefinition: taskDef("web"), Input: &awsecs.CreateServiceInput{
			DeploymentConfiguration: &types.DeploymentConfiguration{Strategy: types.DeploymentStrategyBlueGreen,
				LifecycleHooks: []types.DeploymentLifecycleHook{
					{HookTargetArn: aws.String(hook), RoleArn: aws.String("arn:aws:iam::123456789012:role/hooks"), LifecycleStages: stage},
					{HookTargetArn: aws.String(gone), LifecycleStages: stage},
					{HookTargetArn: aws.String(broken), LifecycleStages: stage}}},
			LoadBalancers: []types.LoadBalancer{{TargetGroupArn: aws.String(tgArn), ContainerName: aws.String("web"), ContainerPort: aws.Int32(80),
				AdvancedConfiguration: &types.AdvancedConfiguration{AlternateTargetGroupArn: aws.String(alternate),
					ProductionListenerRule: aws.String(prodRule), TestListenerRule: aws.String(testRule),
					RoleArn: aws.String("arn:aws:iam::123456789012:role/ecs-lb")}}},
		}}
	}
	in := Input{Region: "ap-northeast-1", Cluster: "app", Definitions: &ecs.Definitions{Services: []*ecs.Service{svc(green)}}}
	got := lines(Run(context.Background(), in, world))
	mustContain(t, got,
		"service/web OK alternate target group "+green+": exists, target type ip",
		"service/web OK production listener rule "+prodRule+": exists, forwards to both target groups",
		"service/web NG test listener rule "+testRule+": does not forward to "+green+"; ECS shifts traffic between the rule's target groups, so it must name both",
		"service/web OK load balancer role ecs-lb: exists, trusts ecs.amazonaws.com",
		"service/web NG lifecycle hook 0 role hooks: trusts lambda.amazonaws.com, not ecs.amazonaws.com",
		"service/web OK lifecycle hook 0 "+hook+": the Lambda function exists and is Active",
		"service/web NG lifecycle hook 1 "+gone+": the Lambda function does not exist; create it or fix deploymentConfiguration.lifecycleHooks[1].hookTargetArn",
		"service/web NG lifecycle hook 2 "+broken+": the Lambda function is Failed (the role cannot be assumed); ECS can only invoke an Active function, so the hook would fail and roll the deployment back")
	in.Definitions.Services = []*ecs.Service{svc(missing)}
	got = lines(Run(context.Background(), in, world))
	mustContain(t, got, "service/web NG alternate target group "+missing+": does not exist")
}
