package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/internal/clients"
	"github.com/tamp-ecs/tamp/internal/fakeaws"
	"github.com/tamp-ecs/tamp/scheduled"
	"github.com/tamp-ecs/tamp/verify"
)

// fakeClients is the Clients seam over the stateful fakes of
// internal/fakeaws, for command tests that run whole command lines. It
// records which regions each kind of client was asked for.
type fakeClients struct {
	ecs    *fakeaws.ECS
	sched  *fakeaws.Scheduler
	events *fakeaws.Events
	logs   *fakeaws.Logs
	ssm    *fakeaws.SSM
	sm     *fakeaws.SecretsManager
	cd     *fakeaws.CodeDeploy
	scale  *fakeaws.Scaling
	sts    *fakeSTS
	lookup *fakeLookup

	mu    sync.Mutex
	asked []string // "kind region", in order
	// globals are the options runWith handed to newClients; trace is the
	// --debug writer it handed in (nil without --debug).
	globals *Globals
	trace   io.Writer
	// dir is the project's directory: commands get -c dir/tamp.yaml.
	dir string
}

var (
	_ Clients            = (*fakeClients)(nil)
	_ clients.PluginAPIs = (*fakeClients)(nil)
)

func newFakeClients() *fakeClients {
	return &fakeClients{
		ecs: fakeaws.NewECS(), sched: fakeaws.NewScheduler(), events: fakeaws.NewEvents(), logs: fakeaws.NewLogs(),
		ssm: fakeaws.NewSSM(), sm: fakeaws.NewSecretsManager(), cd: fakeaws.NewCodeDeploy(), scale: fakeaws.NewScaling(), sts: &fakeSTS{}, lookup: newFakeLookup(),
	}
}

func (f *fakeClients) ask(kind, region string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, kind+" "+region)
}

// regionOf is the region a client for region talks to: the fakes' own
// when the config and the command line name none.
func regionOf(region string) string {
	if region == "" {
		return fakeaws.Region
	}
	return region
}

func (f *fakeClients) Region(_ context.Context, region string) (string, error) {
	return regionOf(region), nil
}

func (f *fakeClients) ECS(_ context.Context, region string) (ECSAPI, error) {
	f.ask("ecs", region)
	return f.ecs, nil
}

func (f *fakeClients) Scheduler(_ context.Context, region string) (scheduled.SchedulerAPI, error) {
	f.ask("scheduler", region)
	return f.sched, nil
}

func (f *fakeClients) Events(_ context.Context, region string) (scheduled.EventsAPI, error) {
	f.ask("events", region)
	return f.events, nil
}

func (f *fakeClients) STS(_ context.Context, region string) (scheduled.STSAPI, error) {
	f.ask("sts", region)
	return f.sts, nil
}

func (f *fakeClients) Logs(_ context.Context, region string) (ecs.LogsAPI, error) {
	f.ask("logs", region)
	return f.logs, nil
}

func (f *fakeClients) Verify(_ context.Context, region string) (verify.Lookup, error) {
	f.ask("verify", region)
	return f.lookup, nil
}

func (f *fakeClients) AWSConfig(_ context.Context, region string) (aws.Config, error) {
	f.ask("config", region)
	return aws.Config{Region: regionOf(region)}, nil
}

func (f *fakeClients) CodeDeploy(_ context.Context, region string) (appspec.CodeDeployAPI, error) {
	f.ask("codedeploy", region)
	return f.cd, nil
}

func (f *fakeClients) Scaling(_ context.Context, region string) (ecs.ScalingAPI, error) {
	f.ask("scaling", region)
	return f.scale, nil
}

// Targets: the command tests' services are behind no load balancer (the
// canary's target groups are tested in package ecs and end to end).
func (f *fakeClients) Targets(_ context.Context, region string) (ecs.TargetsAPI, error) {
	f.ask("targets", region)
	return nil, nil
}

// SSM and SecretsManager answer the config's ssm and secretsmanager
// functions (clients.PluginAPIs).
func (f *fakeClients) SSM() config.SSMAPI { return f.ssm }

func (f *fakeClients) SecretsManager() config.SecretsManagerAPI { return f.sm }

// resetCalls forgets every fake's call counts, after seeding a scenario
// through the API.
func (f *fakeClients) resetCalls() {
	f.ecs.ResetCalls()
	f.sched.ResetCalls()
	f.events.ResetCalls()
	f.logs.ResetCalls()
	f.ssm.ResetCalls()
	f.sm.ResetCalls()
	f.cd.ResetCalls()
	f.scale.ResetCalls()
	f.sts.calls.Store(0)
	f.lookup.reset()
	f.mu.Lock()
	f.asked = nil
	f.mu.Unlock()
}

// askedFor are the "kind region" client requests so far, in order.
func (f *fakeClients) askedFor() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

// fakeSTS answers GetCallerIdentity with the fakes' account.
type fakeSTS struct {
	calls atomic.Int64
}

func (s *fakeSTS) GetCallerIdentity(ctx context.Context, _ *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.calls.Add(1)
	return &sts.GetCallerIdentityOutput{
		Account: aws.String(fakeaws.Account),
		Arn:     aws.String("arn:aws:iam::" + fakeaws.Account + ":user/test"),
		UserId:  aws.String("AIDTEST"),
	}, nil
}

// fakeLookup answers verify's questions from maps a test fills; what is
// not in them does not exist. It counts the questions by method.
type fakeLookup struct {
	mu         sync.Mutex
	calls      map[string]int
	clusters   map[string]*verify.Cluster
	roles      map[string]*verify.Role
	images     map[string]bool // repository:tag or repository@digest
	logGroups  map[string]bool // region/name
	parameters map[string]bool
	secrets    map[string]bool
	taskDefs   map[string]bool
	subnets    map[string]string // id -> VPC
	groups     map[string]string // id -> VPC
}

var _ verify.Lookup = (*fakeLookup)(nil)

func newFakeLookup() *fakeLookup {
	return &fakeLookup{
		calls: map[string]int{}, clusters: map[string]*verify.Cluster{}, roles: map[string]*verify.Role{},
		images: map[string]bool{}, logGroups: map[string]bool{}, parameters: map[string]bool{}, secrets: map[string]bool{},
		taskDefs: map[string]bool{}, subnets: map[string]string{}, groups: map[string]string{},
	}
}

func (l *fakeLookup) count(method string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[method]++
}

func (l *fakeLookup) counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.calls)
}

func (l *fakeLookup) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = map[string]int{}
}

// trustingRole is a role whose trust policy lets service assume it.
func trustingRole(name, service string) *verify.Role {
	return &verify.Role{
		Arn:         "arn:aws:iam::" + fakeaws.Account + ":role/" + name,
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`,
	}
}

func (l *fakeLookup) Clusters(_ context.Context, _ string, names []string) (map[string]*verify.Cluster, error) {
	l.count("Clusters")
	out := map[string]*verify.Cluster{}
	for _, n := range names {
		if c, ok := l.clusters[n]; ok {
			out[n] = c
		}
	}
	return out, nil
}

func (l *fakeLookup) Role(_ context.Context, name string) (*verify.Role, error) {
	l.count("Role")
	return l.roles[name], nil
}

func (l *fakeLookup) Image(_ context.Context, img verify.ECRImage) (bool, string, error) {
	l.count("Image")
	if l.images[img.Repository+":"+img.Tag] || l.images[img.Repository+"@"+img.Digest] {
		return true, "", nil
	}
	return false, img.Version() + " not found in repository " + img.Repository + " (" + img.Region + "); push it or fix the tag", nil
}

func (l *fakeLookup) LogGroup(_ context.Context, region, name string) (bool, error) {
	l.count("LogGroup")
	return l.logGroups[region+"/"+name], nil
}

func (l *fakeLookup) Parameters(_ context.Context, _ string, names []string) (map[string]bool, error) {
	l.count("Parameters")
	out := map[string]bool{}
	for _, n := range names {
		out[n] = l.parameters[n]
	}
	return out, nil
}

func (l *fakeLookup) Secret(_ context.Context, _, id string) (bool, error) {
	l.count("Secret")
	return l.secrets[id], nil
}

func (l *fakeLookup) SecretKeys(context.Context, string, string, string, string) ([]string, error) {
	l.count("SecretKeys")
	return nil, nil
}

func (l *fakeLookup) Object(context.Context, string, string, string) (bool, error) {
	l.count("Object")
	return false, nil
}

func (l *fakeLookup) TargetGroups(context.Context, string, []string) (map[string]*verify.TargetGroup, error) {
	l.count("TargetGroups")
	return map[string]*verify.TargetGroup{}, nil
}

func (l *fakeLookup) Subnets(_ context.Context, _ string, ids []string) (map[string]string, error) {
	l.count("Subnets")
	return pick(l.subnets, ids), nil
}

func (l *fakeLookup) SecurityGroups(_ context.Context, _ string, ids []string) (map[string]string, error) {
	l.count("SecurityGroups")
	return pick(l.groups, ids), nil
}

func (l *fakeLookup) ListenerRule(context.Context, string, string) (*verify.ListenerRule, error) {
	l.count("ListenerRule")
	return nil, nil
}

func (l *fakeLookup) Function(context.Context, string, string) (*verify.Function, error) {
	l.count("Function")
	return nil, nil
}

func (l *fakeLookup) TaskDefinition(_ context.Context, _, ref string) (bool, error) {
	l.count("TaskDefinition")
	return l.taskDefs[ref], nil
}

func pick(m map[string]string, keys []string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// ttyBuffer is a buffer that says it is a terminal (term.Terminal), so
// that progress draws its live line into it.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) IsTerminal() bool { return true }

// result is what one command line did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs a whole command line against the fakes, with stderr a
// terminal when tty. Colour is left to --color and NO_COLOR, which tests
// set themselves: it is cleared here so that a developer's NO_COLOR does
// not change what a test sees.
func (f *fakeClients) run(t *testing.T, tty bool, args ...string) result {
	t.Helper()
	return f.runCtx(context.Background(), t, tty, args...)
}

// runCtx is run with ctx (one a test cancels: Ctrl-C).
func (f *fakeClients) runCtx(ctx context.Context, t *testing.T, tty bool, args ...string) result {
	t.Helper()
	var stdout bytes.Buffer
	var stderr interface {
		io.Writer
		String() string
	} = &bytes.Buffer{}
	if tty {
		stderr = &ttyBuffer{}
	}
	if f.dir != "" {
		// $DIR in an argument is the project's directory.
		args = slices.Clone(args)
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "$DIR", f.dir)
		}
		if !slices.Contains(args, "-c") && !slices.Contains(args, "--config") {
			args = append(args, "-c", filepath.Join(f.dir, "tamp.yaml"))
		}
	}
	code := runWith(ctx, args, &stdout, stderr, func(g *Globals, trace io.Writer) Clients {
		f.globals, f.trace = g, trace
		return f
	})
	// Files are named by absolute path (the project is outside the working
	// directory), in a temporary directory of a new name each run: it reads
	// as $DIR.
	unDir := func(s string) string {
		if f.dir == "" {
			return s
		}
		return strings.ReplaceAll(s, f.dir, "$DIR")
	}
	return result{code: code, stdout: unDir(stdout.String()), stderr: unDir(stampRE.ReplaceAllString(stderr.String(), "${1}HH:MM:SS "))}
}

// stampRE finds the clock time progress lines start with. The waiter
// behind deploy, rollback, wait and scale runs on the wall clock
// (runWith has no clock seam, and a deployment's events must be newer
// than the change to be reported, so the fakes stamp them with the real
// time too): these times are the one thing in a command's output that
// differs from run to run, so only they are replaced before comparing.
var stampRE = regexp.MustCompile(`(?m)(^|\r\x1b\[K)\d\d:\d\d:\d\d `)

// check compares a result with the expected one exactly.
func (r result) check(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	if r.stdout != stdout {
		t.Errorf("stdout:\n%s\nwant:\n%s\n(quoted: %q)", r.stdout, stdout, r.stdout)
	}
	if r.stderr != stderr {
		t.Errorf("stderr:\n%s\nwant:\n%s\n(quoted: %q)", r.stderr, stderr, r.stderr)
	}
}

// project writes files (path -> text) into a new directory. Commands run
// with -c DIR/tamp.yaml; the working directory stays the package's (verify
// keeps the first working directory it sees for the whole process, so a
// test that changed it would change what later tests print).
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkCalls compares the calls made on a fake (operation -> count)
// with want exactly: an operation not in want must not have been called.
func checkCalls(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if want == nil {
		want = map[string]int{}
	}
	if got == nil {
		got = map[string]int{}
	}
	if !maps.Equal(got, want) {
		t.Errorf("%s calls:\n got  %v\n want %v", what, got, want)
	}
}

// cmdCase is one command line run against the fakes, in a project of
// files, and everything it is to do: exit code, stdout and stderr
// exactly, and the calls it makes on each fake (after setup; nil: none).
type cmdCase struct {
	name  string
	files map[string]string // written over the base project's files; "" removes one
	env   map[string]string // set after setup
	unset []string          // variables unset after setup
	setup func(t *testing.T, f *fakeClients)
	args  []string
	tty   bool // stderr is a terminal

	code           int
	stdout, stderr string

	ecs, scheduler, events, logs map[string]int
	check                        func(t *testing.T, f *fakeClients, r result)

	// bug names a known bug: the case says what is right, and is skipped
	// with this message (and what happened) while the output differs.
	bug string
}

// runCases runs each case in a fresh project made of base with the
// case's files, with fresh fakes.
func runCases(t *testing.T, base map[string]string, env map[string]string, cases []cmdCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := maps.Clone(base)
			for k, v := range tc.files {
				if v == "" {
					delete(files, k)
				} else {
					files[k] = v
				}
			}
			dir := project(t, files)
			t.Setenv("NO_COLOR", "")
			for k, v := range env {
				t.Setenv(k, v)
			}
			f := newFakeClients()
			f.dir = dir
			if tc.setup != nil {
				tc.setup(t, f)
				f.resetCalls()
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			for _, k := range tc.unset {
				t.Setenv(k, "") // restored after the test
				os.Unsetenv(k)
			}
			r := f.run(t, tc.tty, tc.args...)
			if tc.bug != "" && (r.code != tc.code || r.stdout != tc.stdout || r.stderr != tc.stderr) {
				t.Skipf("BUG: %s\nexit %d\nstdout:\n%s\nstderr:\n%s", tc.bug, r.code, r.stdout, r.stderr)
			}
			r.check(t, tc.code, tc.stdout, tc.stderr)
			checkCalls(t, "ECS", f.ecs.CallCounts(), tc.ecs)
			checkCalls(t, "Scheduler", f.sched.CallCounts(), tc.scheduler)
			checkCalls(t, "EventBridge", f.events.CallCounts(), tc.events)
			checkCalls(t, "CloudWatch Logs", f.logs.CallCounts(), tc.logs)
			if tc.check != nil {
				tc.check(t, f, r)
			}
		})
	}
}

// mustRun runs a command line of a test's setup, which must succeed.
func (f *fakeClients) mustRun(t *testing.T, args ...string) {
	t.Helper()
	if r := f.run(t, false, args...); r.code != 0 {
		t.Fatalf("setup: tamp %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
}

// onlyRun is the one RunTask request the fake received.
func onlyRun(t *testing.T, f *fakeClients) *awsecs.RunTaskInput {
	t.Helper()
	runs := f.ecs.RunTaskInputs()
	if len(runs) != 1 {
		t.Fatalf("%d RunTask requests, want 1", len(runs))
	}
	return runs[0]
}

// jsonOf is v as compact JSON with the API's keys, for comparing SDK
// shapes in messages.
func jsonOf(v any) string {
	b, err := awsjson.Marshal(v)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return compact.String()
}
