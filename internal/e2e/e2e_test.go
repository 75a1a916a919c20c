package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The harness state shared by every script: one tamp binary, one moto.
var (
	repoRoot  string
	tampDir   string
	buildErr  error
	moto      *Moto
	motoErr   error
	accountID atomic.Int64
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	dir, err := os.MkdirTemp("", "tamp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tampDir = dir
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "tamp"), "./cmd/tamp")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("go build ./cmd/tamp: %v\n%s", err, out)
	}
	moto, motoErr = StartMoto(context.Background(), filepath.Join(repoRoot, "internal", "e2e", "motoserver.py"))
	if motoErr == nil {
		motoErr = moto.Reset()
	}
	code := m.Run()
	if moto != nil {
		moto.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestScripts runs testdata/script/*.txtar against the built binary. Each
// script gets a fresh AWS account in moto, so scripts never see each
// other's resources.
func TestScripts(t *testing.T) {
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if motoErr != nil {
		t.Fatalf("the e2e tests need moto (python3 -m moto.server) and it did not start: %v", motoErr)
	}
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join(repoRoot, "testdata", "script"),
		Setup: setupScript,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"calls":          cmdCalls,
			"nomutations":    cmdNoMutations,
			"resetcalls":     cmdResetCalls,
			"exitcode":       cmdExitCode,
			"golden":         cmdGolden,
			"s3put":          cmdS3Put,
			"ssmput":         cmdSSMPut,
			"secretput":      cmdSecretPut,
			"ec2net":         cmdEC2Net,
			"ecscluster":     cmdECSCluster,
			"faults":         cmdFaults,
			"schedput":       cmdSchedPut,
			"schedexists":    cmdSchedExists,
			"schedtd":        cmdSchedTD,
			"ruleput":        cmdRulePut,
			"ruleexists":     cmdRuleExists,
			"iamrole":        cmdIAMRole,
			"ecrimage":       cmdECRImage,
			"loggroup":       cmdLogGroup,
			"targetgroup":    cmdTargetGroup,
			"cdgroup":        cmdCDGroup,
			"lambdafn":       cmdLambdaFn,
			"scalabletarget": cmdScalableTarget,
			"scaling":        cmdScaling,
			"cdappspec":      cmdCDAppSpec,

			// What is left running or registered, and the order of calls.
			"tasksrunning": cmdTasksRunning,
			"callorder":    cmdCallOrder,
			"targethealth": cmdTargetHealth,
			"startedtasks": cmdStartedTasks,
			"scrub":        cmdScrub,
			"ecsrun":       cmdECSRun,
		},
	})
}

func setupScript(env *testscript.Env) error {
	account := fmt.Sprintf("%012d", 100000000000+accountID.Add(1))
	px, err := NewProxy(moto.URL, account)
	if err != nil {
		return err
	}
	env.Defer(px.Close)
	env.Values["proxy"] = px
	for k, v := range map[string]string{
		"PATH":                             tampDir + string(os.PathListSeparator) + env.Getenv("PATH"),
		"AWS_ENDPOINT_URL":                 px.URL,
		"AWS_ACCESS_KEY_ID":                "testing",
		"AWS_SECRET_ACCESS_KEY":            "testing",
		"AWS_REGION":                       "ap-northeast-1",
		"AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
		"AWS_EC2_METADATA_DISABLED":        "true",
		"AWS_CONFIG_FILE":                  filepath.Join(env.WorkDir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE":      filepath.Join(env.WorkDir, "no-aws-credentials"),
		"ACCOUNT_ID":                       account,
		"EXAMPLES":                         filepath.Join(repoRoot, "examples"),
		"TESTDATA":                         filepath.Join(repoRoot, "testdata"),
		"NO_COLOR":                         "1",
	} {
		env.Setenv(k, v)
	}
	return nil
}

func proxyOf(ts *testscript.TestScript) *Proxy { return ts.Value("proxy").(*Proxy) }

// calls OP N: exactly N calls of OP (service.Operation) since the last
// resetcalls; `calls total N` counts every call.
func cmdCalls(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: calls OP N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	counts := proxyOf(ts).Counts()
	got := counts[args[0]]
	if args[0] == "total" {
		got = 0
		for _, n := range counts {
			got += n
		}
	}
	if (got == want) == neg {
		ts.Fatalf("calls %s: got %d, want %s%d; all calls:\n%s\nretried attempts (not counted):\n%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want, Summary(counts), Summary(proxyOf(ts).Retries()))
	}
}

// nomutations: no call since the last resetcalls changed anything.
func cmdNoMutations(ts *testscript.TestScript, neg bool, args []string) {
	counts := proxyOf(ts).Counts()
	var mutating []string
	for op := range counts {
		if Mutating(op) {
			mutating = append(mutating, op)
		}
	}
	if (len(mutating) == 0) == neg {
		ts.Fatalf("mutating calls: %v; all calls:\n%s", mutating, Summary(counts))
	}
}

func cmdResetCalls(ts *testscript.TestScript, neg bool, args []string) {
	proxyOf(ts).ResetCounts()
}

// exitcode N PROG ARGS...: run PROG and require exit code N; stdout and
// stderr are kept for the next commands as exec keeps them.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// golden stdout|stderr NAME [VAR...]: the output equals
// testdata/golden/NAME, after each VAR's value is replaced by $VAR (for IDs
// the emulator makes up); with TAMP_UPDATE_GOLDEN=1 the file is rewritten
// instead.
func cmdGolden(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: golden stdout|stderr NAME [VAR...]")
	}
	text := ts.ReadFile(args[0])
	for _, v := range args[2:] {
		if val := ts.Getenv(v); val != "" {
			text = strings.ReplaceAll(text, val, "$"+v)
		}
	}
	got := []byte(text)
	path := filepath.Join(repoRoot, "testdata", "golden", args[1])
	if os.Getenv("TAMP_UPDATE_GOLDEN") != "" {
		ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
		ts.Check(os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	ts.Check(err)
	if !bytes.Equal(got, want) {
		ts.Fatalf("%s differs from %s (TAMP_UPDATE_GOLDEN=1 rewrites it):\n--- got\n%s\n--- want\n%s", args[0], path, got, want)
	}
}

// faults THROTTLE 5XX SLOW: from now on answer those shares of JSON-protocol
// calls with a throttling error, a 503, or after 300 ms; `faults off` stops.
// `! faults` after a run fails unless some of each kind were injected.
func cmdFaults(ts *testscript.TestScript, neg bool, args []string) {
	px := proxyOf(ts)
	if neg {
		got := px.Injected()
		for _, kind := range []string{"throttle", "5xx", "slow"} {
			if got[kind] == 0 {
				ts.Fatalf("no %s faults were injected: %v", kind, got)
			}
		}
		ts.Logf("faults injected: %v", got)
		return
	}
	if len(args) == 1 && args[0] == "off" {
		px.SetFaults(Faults{})
		return
	}
	if len(args) != 3 {
		ts.Fatalf("usage: faults THROTTLE 5XX SLOW | faults off")
	}
	var f [3]float64
	for i, a := range args {
		v, err := strconv.ParseFloat(a, 64)
		ts.Check(err)
		f[i] = v
	}
	px.SetFaults(Faults{Throttle: f[0], Error5xx: f[1], Slow: f[2], Delay: 300 * time.Millisecond})
}
