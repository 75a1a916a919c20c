package main

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/tamp-ecs/tamp/internal/mask"
)

// secretProject reads SecureString /app/secret into every kind of place a
// value can go: a service's task definition through Jsonnet's native
// function (environment, command, a docker label) and a standalone one
// through a template (json_escape), and a scheduled task's environment
// and command (the target's input, JSON held in a string on the events
// backend). The backend is filled in by the test.
var secretProject = map[string]string{
	"tamp.yaml": `region: ap-northeast-1
cluster: app
services:
  - name: web
    service_definition: web-service.json
    task_definition: web-task.jsonnet
task_definitions:
  - name: batch
    path: batch-task.json
scheduled:
  backend: BACKEND
  group: app
  role_arn: arn:aws:iam::123456789012:role/scheduler
  defaults:
    task_definition: batch
    launch_type: FARGATE
    network_configuration: {awsvpcConfiguration: {subnets: [subnet-a], securityGroups: [sg-a]}}
  tasks_file: scheduled.jsonnet
`,
	"web-task.jsonnet": `local secret = std.native('ssm')('/app/secret');
{
  family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
  containerDefinitions: [{
    name: 'app', image: 'busybox:v1',
    command: ['run', '--password=' + secret],
    environment: [{ name: 'DB_PASSWORD', value: secret }, { name: 'DSN', value: 'db://u:' + secret + '@db' }],
    dockerLabels: { token: secret },
  }],
}
`,
	"web-service.json": webProject["web-service.json"],
	"batch-task.json": `{"family": "batch", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
 "containerDefinitions": [{"name": "app", "image": "busybox:v1",
   "environment": [{"name": "API_KEY", "value": "{{ json_escape (ssm ` + "`/app/secret`" + `) }}"}]}]}
`,
	"scheduled.jsonnet": `local secret = std.native('ssm')('/app/secret');
[{ name: 'nightly', schedule: 'cron(0 16 * * ? *)', command: ['bin/batch', secret], environment: { TOKEN: secret } }]
`,
}

// secretPaths are the command lines whose output a secret must never
// reach, in text and in JSON: render, the three diff formats, the dry
// runs, --debug traces; each says whether it prints values at all (the
// JSON diff and the JSON summaries name resources and fields only).
var secretPaths = []struct {
	args   []string
	values bool
}{
	{[]string{"render", "config"}, false},
	{[]string{"render", "taskdefs"}, true},
	{[]string{"render", "services"}, false},
	{[]string{"render", "scheduled"}, true},
	{[]string{"diff"}, true},
	{[]string{"diff", "--format", "markdown"}, true},
	{[]string{"diff", "--format", "json"}, false},
	{[]string{"diff", "--debug"}, true},
	{[]string{"register", "--dry-run"}, true},
	{[]string{"register", "--dry-run", "--output", "json"}, false},
	{[]string{"deploy", "--dry-run"}, true},
	{[]string{"deploy", "--dry-run", "--output", "json", "--debug"}, false},
	{[]string{"scheduled", "diff"}, true},
	{[]string{"scheduled", "diff", "--format", "markdown"}, true},
	{[]string{"scheduled", "diff", "--format", "json"}, false},
	{[]string{"scheduled", "sync", "--dry-run"}, true},
	{[]string{"scheduled", "list", "--output", "json"}, false},
	{[]string{"verify", "--offline"}, false},
}

func allSecretPaths() [][]string {
	var all [][]string
	for _, p := range secretPaths {
		all = append(all, p.args)
	}
	return all
}

// secretErrorProjects put the secret where a command fails over it, so
// that it reaches an error message: a name with characters ECS refuses,
// a Jsonnet error that quotes it, a must_env default that is a JSON
// syntax error when written into JSON unescaped.
var secretErrorProjects = map[string]map[string]string{
	"invalid container name": {
		"web-task.jsonnet": strings.Replace(secretProject["web-task.jsonnet"], "name: 'app'", "name: 'app' + secret", 1),
	},
	"a Jsonnet error": {
		"web-task.jsonnet": "local secret = std.native('ssm')('/app/secret');\nerror 'cannot use ' + secret\n",
	},
	"template output that breaks the JSON": {
		"batch-task.json": strings.Replace(secretProject["batch-task.json"], "{{ json_escape (ssm `/app/secret`) }}", "{{ ssm `/app/secret` }}\" oops", 1),
	},
	"invalid schedule": {
		"scheduled.jsonnet": strings.Replace(secretProject["scheduled.jsonnet"], "schedule: 'cron(0 16 * * ? *)'", "schedule: 'cron(' + secret + ')'", 1),
	},
}

var secretErrorPaths = [][]string{{"render", "taskdefs"}, {"diff"}, {"deploy", "--dry-run"}, {"scheduled", "diff"}, {"verify", "--offline"}}

// runWithSecret runs each command line in a new project of files with
// /app/secret holding secret, and returns each output (stdout and stderr
// of each run).
func runWithSecret(t *testing.T, files map[string]string, secret string, paths [][]string, extra ...string) []string {
	t.Helper()
	var outs []string
	dir := project(t, files)
	for _, args := range paths {
		f := newFakeClients()
		f.dir = dir
		f.ssm.Put("/app/secret", ssmtypes.ParameterTypeSecureString, secret)
		r := f.run(t, false, append(append([]string{}, args...), extra...)...)
		if strings.Contains(r.stderr, "goroutine ") {
			t.Fatalf("tamp %s: a stack trace:\n%s", strings.Join(args, " "), r.stderr)
		}
		// run wrote the project's directory as $DIR: put it back, the
		// output is to be checked as tamp printed it.
		outs = append(outs, strings.ReplaceAll(r.stdout, "$DIR", dir), strings.ReplaceAll(r.stderr, "$DIR", dir))
	}
	return outs
}

func backend(files map[string]string, name string) map[string]string {
	return withFiles(files, map[string]string{"tamp.yaml": strings.Replace(files["tamp.yaml"], "BACKEND", name, 1)})
}

// quotedRE finds quoted strings in output, as JSON or Go writes them.
var quotedRE = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)

// reveals tells whether out holds secret: as it is, or once a quoted
// string in it is unquoted as JSON or Go would (again and again: JSON in
// a JSON string), or as a JSON document's string values. Masked spans
// split the text: the placeholder's own letters never count.
func reveals(out, secret string, depth int) bool {
	for _, piece := range strings.Split(out, mask.Placeholder) {
		if strings.Contains(piece, secret) {
			return true
		}
	}
	if depth == 0 {
		return false
	}
	for _, q := range quotedRE.FindAllString(out, -1) {
		var s string
		if json.Unmarshal([]byte(q), &s) != nil {
			var err error
			if s, err = strconv.Unquote(q); err != nil {
				continue
			}
		}
		if s != q[1:len(q)-1] && reveals(s, secret, depth-1) {
			return true
		}
		// a JSON document held in a string: its string values.
		var doc any
		if json.Unmarshal([]byte(s), &doc) == nil && revealsIn(doc, secret, depth-1) {
			return true
		}
	}
	return false
}

func revealsIn(doc any, secret string, depth int) bool {
	switch v := doc.(type) {
	case string:
		return reveals(v, secret, depth)
	case []any:
		for _, x := range v {
			if revealsIn(x, secret, depth) {
				return true
			}
		}
	case map[string]any:
		for k, x := range v {
			if reveals(k, secret, depth) || revealsIn(x, secret, depth) {
				return true
			}
		}
	}
	return false
}

// checkNoSecret fails the test for each output that reveals secret.
func checkNoSecret(t *testing.T, what, secret string, outs []string) {
	t.Helper()
	for _, out := range outs {
		if reveals(out, secret, 3) {
			t.Errorf("%s: secret %q is in the output:\n%s", what, secret, out)
			return
		}
	}
}

// TestSecretsPathsCarryTheSecret shows that the outputs checked really hold
// the secret when told to show it: every path of secretPaths with
// --show-secrets, on both backends, and every error path.
func TestSecretsPathsCarryTheSecret(t *testing.T) {
	const secret = `p&ss"w0rd<x>\y`
	for _, b := range []string{"scheduler", "events"} {
		files := backend(secretProject, b)
		for _, p := range secretPaths {
			args := p.args
			outs := runWithSecret(t, files, secret, [][]string{args}, "--show-secrets")
			if shown := reveals(outs[0]+outs[1], secret, 3); shown != p.values {
				t.Errorf("%s: tamp %s --show-secrets: printed the secret: %v, want %v:\n%s%s", b, strings.Join(args, " "), shown, p.values, outs[0], outs[1])
			}
			masked := runWithSecret(t, files, secret, [][]string{args})
			checkNoSecret(t, b+": tamp "+strings.Join(args, " "), secret, masked)
		}
	}
	for name, over := range secretErrorProjects {
		files := withFiles(backend(secretProject, "scheduler"), over)
		outs := runWithSecret(t, files, secret, secretErrorPaths, "--show-secrets")
		if !reveals(strings.Join(outs, "\n"), secret, 3) {
			t.Errorf("%s: no command prints the secret with --show-secrets:\n%s", name, strings.Join(outs, "\n"))
		}
		checkNoSecret(t, name, secret, runWithSecret(t, files, secret, secretErrorPaths))
	}
}

// secretAlphabet is what generated secrets are made of: every ASCII byte,
// the characters JSON, Go, YAML and shells escape, and characters beyond
// ASCII (U+2028 is escaped by encoding/json; U+0085 by Jsonnet).
var secretAlphabet = func() []string {
	var a []string
	for b := 0; b < 128; b++ {
		a = append(a, string(rune(b)))
	}
	return append(a, `"`, `\`, `<`, `>`, `&`, `'`, "\n", "\t", "é", "日本", "\u2028", "\u0085", "😀", "\ufffd")
}()

// genSecret is a secret of n characters from the alphabet, more of the
// characters that need escaping than chance would give.
func genSecret(r *rand.Rand, n int) string {
	var b strings.Builder
	specials := secretAlphabet[128:]
	for b.Len() < n {
		if r.IntN(3) == 0 {
			b.WriteString(specials[r.IntN(len(specials))])
		} else {
			b.WriteString(secretAlphabet[r.IntN(len(secretAlphabet))])
		}
	}
	return b.String()
}

// TestSecretsNeverPrinted is the property: whatever a SecureString holds,
// no output of any path prints it. Lengths run from one character (which
// masks every occurrence of that character: safe rather than readable) to
// SSM's 4,096.
func TestSecretsNeverPrinted(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2))
	lengths := []int{1, 2, 3, 4, 6, 8, 12, 20, 40, 100, 600, 4096}
	fixed := []string{`p&ss"w0rd`, `a<b>&"c'd\e`, "multi\nline\nsecret", `\u0026`, `\\"`, "tab\tand\rreturn", "日本語の秘密", "-----BEGIN KEY-----\nMIIB\n-----END KEY-----\n"}
	var secrets []string
	secrets = append(secrets, fixed...)
	for i := 0; i < 24; i++ {
		secrets = append(secrets, genSecret(r, lengths[i%len(lengths)]))
	}
	for i, secret := range secrets {
		b := []string{"scheduler", "events"}[i%2]
		files := backend(secretProject, b)
		checkNoSecret(t, b, secret, runWithSecret(t, files, secret, allSecretPaths()))
		over := secretErrorProjects[sortedKeys(secretErrorProjects)[i%len(secretErrorProjects)]]
		checkNoSecret(t, "error", secret, runWithSecret(t, withFiles(files, over), secret, secretErrorPaths))
	}
}

func FuzzSecretsNeverPrinted(f *testing.F) {
	for _, s := range []string{`p&ss"w0rd`, "a\nb", `<\>&`, "x"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, secret string, which uint8) {
		if secret == "" || !utf8.ValidString(secret) || len(secret) > 4096 {
			t.Skip("SSM holds 1 to 4,096 characters of UTF-8")
		}
		files := backend(secretProject, []string{"scheduler", "events"}[which%2])
		args := secretPaths[int(which)%len(secretPaths)].args
		checkNoSecret(t, "path", secret, runWithSecret(t, files, secret, [][]string{args}))
		over := secretErrorProjects[sortedKeys(secretErrorProjects)[int(which)%len(secretErrorProjects)]]
		checkNoSecret(t, "error", secret, runWithSecret(t, withFiles(files, over), secret, secretErrorPaths[:1]))
	})
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
