package config

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/mask"
)

// fakeSSM answers GetParameters from a map, as SSM does: found names in
// Parameters, unknown ones in InvalidParameters, at most ten per call.
type fakeSSM struct {
	params map[string]ssmtypes.Parameter
	calls  [][]string
	err    error
}

func (f *fakeSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	f.calls = append(f.calls, in.Names)
	if len(in.Names) > 10 {
		return nil, fmt.Errorf("more than 10 names")
	}
	if !aws.ToBool(in.WithDecryption) {
		return nil, fmt.Errorf("WithDecryption not set")
	}
	if f.err != nil {
		return nil, f.err
	}
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		if arn, ok := strings.CutPrefix(n, "arn:aws:ssm:ap-northeast-1:123456789012:parameter"); ok {
			n = arn
		}
		base, selector, _ := strings.Cut(n, ":")
		p, ok := f.params[base]
		if !ok {
			out.InvalidParameters = append(out.InvalidParameters, n)
			continue
		}
		if selector != "" {
			p.Selector = aws.String(":" + selector)
			p.Value = aws.String(aws.ToString(p.Value) + "@" + selector)
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}

func param(name string, typ ssmtypes.ParameterType, value string) ssmtypes.Parameter {
	return ssmtypes.Parameter{Name: aws.String(name), Type: typ, Value: aws.String(value),
		ARN: aws.String("arn:aws:ssm:ap-northeast-1:123456789012:parameter" + name)}
}

func ssmProject(t *testing.T, api *fakeSSM, files map[string]string, masker *mask.Masker) *Project {
	t.Helper()
	dir := writeFiles(t, t.TempDir(), files)
	opts := testOpts(nil)
	opts.SSM = api
	opts.Masker = masker
	return mustLoad(t, filepath.Join(dir, "tamp.yaml"), opts)
}

func TestSSMValues(t *testing.T) {
	api := &fakeSSM{params: map[string]ssmtypes.Parameter{
		"/app/host":   param("/app/host", ssmtypes.ParameterTypeString, "db.internal"),
		"/app/secret": param("/app/secret", ssmtypes.ParameterTypeSecureString, `pa"ss`),
		"/app/azs":    param("/app/azs", ssmtypes.ParameterTypeStringList, "a,b,c"),
	}}
	masker := mask.New(false)
	p := ssmProject(t, api, map[string]string{
		"tamp.yaml": "cluster: '{{ ssm `/app/host` }}'\ntask_definitions: [{name: t, path: t.jsonnet}]\n",
		"t.jsonnet": `{
  host: std.native('ssm')('/app/host'),
  secret: std.native('ssm')('/app/secret'),
  az: std.native('ssm_list')('/app/azs', 2),
  az0: '{{ ssm ` + "`/app/azs`" + ` 0 }}',
  versioned: std.native('ssm')('/app/host:3'),
  arn: std.native('ssm')('arn:aws:ssm:ap-northeast-1:123456789012:parameter/app/host'),
}`,
	}, masker)
	if p.Cluster != "db.internal" {
		t.Errorf("cluster = %q", p.Cluster)
	}
	text, _, err := p.RenderJSON("t.jsonnet")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"host": "db.internal"`, `"secret": "pa\"ss"`, `"az": "c"`, `"az0": "a"`,
		`"versioned": "db.internal@3"`, `"arn": "db.internal"`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("rendered text lacks %s:\n%s", want, text)
		}
	}
	// The config and the definition were collected together: one call.
	if len(api.calls) != 1 {
		t.Errorf("GetParameters calls = %v, want one", api.calls)
	}
	if got := masker.Mask(string(text)); strings.Contains(got, "pa") || !strings.Contains(got, `"secret": "(sensitive)"`) {
		t.Errorf("the SecureString is not masked in its JSON form:\n%s", got)
	}
}

func TestSSMBatchesOfTen(t *testing.T) {
	api := &fakeSSM{params: map[string]ssmtypes.Parameter{}}
	var fields []string
	for i := range 23 {
		name := fmt.Sprintf("/p/%02d", i)
		api.params[name] = param(name, ssmtypes.ParameterTypeString, fmt.Sprint(i))
		// each name twice: still fetched once
		fields = append(fields, fmt.Sprintf("a%d: std.native('ssm')('%s'), b%d: std.native('ssm')('%s')", i, name, i, name))
	}
	p := ssmProject(t, api, map[string]string{
		"tamp.yaml": "task_definitions: [{name: t, path: t.jsonnet}]\n",
		"t.jsonnet": "{" + strings.Join(fields, ",\n") + "}",
	}, nil)
	if _, _, err := p.RenderJSON("t.jsonnet"); err != nil {
		t.Fatal(err)
	}
	sizes := []int{}
	seen := map[string]int{}
	for _, c := range api.calls {
		sizes = append(sizes, len(c))
		for _, n := range c {
			seen[n]++
		}
	}
	if fmt.Sprint(sizes) != "[10 10 3]" {
		t.Errorf("batch sizes = %v, want [10 10 3]", sizes)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s fetched %d times", n, c)
		}
	}
}

func TestSSMErrors(t *testing.T) {
	params := map[string]ssmtypes.Parameter{
		"/app/host": param("/app/host", ssmtypes.ParameterTypeString, "h"),
		"/app/azs":  param("/app/azs", ssmtypes.ParameterTypeStringList, "a,b"),
	}
	tests := []struct {
		name string
		expr string
		err  error
		want string
	}{
		{"missing", "{{ ssm `/app/nope` }}", nil, "t.json:1: {{ ssm `/app/nope` }}: parameter /app/nope not found; check its name and region"},
		{"index on a String", "{{ ssm `/app/host` 0 }}", nil, "parameter /app/host is a String, not a StringList; drop the index"},
		{"a StringList without an index", "{{ ssm `/app/azs` }}", nil,
			"t.json:1: {{ ssm `/app/azs` }}: parameter /app/azs is a StringList of 2 items; give the index of one, counting from 0 ({{ ssm `/app/azs` 0 }}, or std.native('ssm_list')('/app/azs', 0) in Jsonnet)"},
		{"index out of range", "{{ ssm `/app/azs` 2 }}", nil, "parameter /app/azs has 2 items; index 2 is out of range"},
		{"access denied", "{{ ssm `/app/host` }}", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform ssm:GetParameters"},
			"t.json:1: {{ ssm `/app/host` }}: ssm:GetParameters: AccessDeniedException: not authorized to perform ssm:GetParameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeSSM{params: params, err: tt.err}
			p := ssmProject(t, api, map[string]string{
				"tamp.yaml": "task_definitions: [{name: t, path: t.json}]\n",
				"t.json":    `{"v": "` + tt.expr + `"}`,
			}, nil)
			_, _, err := p.RenderJSON("t.json")
			wantErr(t, err, tt.want)
			if strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("not one line: %q", err)
			}
		})
	}
}

type fakeSecrets struct {
	arns  map[string]string
	calls int
}

func (f *fakeSecrets) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.calls++
	arn, ok := f.arns[aws.ToString(in.SecretId)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
	}
	return &secretsmanager.DescribeSecretOutput{ARN: aws.String(arn)}, nil
}

func TestSecretsManagerARN(t *testing.T) {
	api := &fakeSecrets{arns: map[string]string{"app/key": "arn:aws:secretsmanager:r:1:secret:app/key-AbCdEf"}}
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": "task_definitions: [{name: t, path: t.json}, {name: u, path: u.json}]\n",
		"t.json":    "{\"a\": \"{{ secretsmanager_arn `app/key` }}\", \"b\": \"{{ secretsmanager_arn `app/key` }}\"}",
		"u.json":    "{\"a\": \"{{ secretsmanager_arn `app/gone` }}\"}",
	})
	opts := testOpts(nil)
	opts.SecretsManager = api
	p := mustLoad(t, filepath.Join(dir, "tamp.yaml"), opts)
	text, _, err := p.RenderJSON("t.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a": "arn:aws:secretsmanager:r:1:secret:app/key-AbCdEf", "b": "arn:aws:secretsmanager:r:1:secret:app/key-AbCdEf"}`; string(text) != want {
		t.Errorf("got %s", text)
	}
	if api.calls != 1 {
		t.Errorf("DescribeSecret calls = %d, want 1 (cached, and none while collecting)", api.calls)
	}
	_, _, err = p.RenderJSON("u.json")
	wantErr(t, err, "u.json:1: {{ secretsmanager_arn `app/gone` }}: secret app/gone not found; check its name and region")
}

func TestDeclaredSSMPluginWithPrefix(t *testing.T) {
	api := &fakeSSM{params: map[string]ssmtypes.Parameter{"/x": param("/x", ssmtypes.ParameterTypeString, "v")}}
	p := ssmProject(t, api, map[string]string{
		"tamp.yaml": "plugins: [{name: ssm, func_prefix: use1_, config: {region: us-east-1}}]\ncluster: '{{ use1_ssm `/x` }}-{{ ssm `/x` }}'\n",
	}, nil)
	if p.Cluster != "v-v" {
		t.Errorf("cluster = %q", p.Cluster)
	}
	dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.yaml": "plugins: [{name: ssm, config: {regoin: x}}]\n"})
	_, err := Load(context.Background(), filepath.Join(dir, "tamp.yaml"), testOpts(nil))
	wantErr(t, err, "plugins[0] (ssm): config.regoin: unknown key; this plugin takes region")
}
