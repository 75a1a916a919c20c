package config

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadFormatsGiveSameConfig(t *testing.T) {
	dir := absPath(t, "testdata/forms")
	want := &Config{
		RequiredVersion: ">= 0.1.0",
		Region:          "ap-northeast-1",
		Cluster:         "app-prod",
		Timeout:         &Duration{15 * time.Minute},
		Services: []Service{{
			Name:              "web",
			ServiceDefinition: "ecs/web-service.json",
			TaskDefinition:    "ecs/web-task.json",
			CodeDeploy:        &CodeDeploy{ApplicationName: "app", DeploymentGroupName: "web"},
		}},
		TaskDefinitions: []TaskDefinition{{Name: "batch", Path: "ecs/batch-task.jsonnet"}},
		AppSpec:         map[string]any{"hooks": []any{map[string]any{"BeforeAllowTraffic": "check"}}},
		Ignore:          &Ignore{Tags: []string{"managed-by"}},
		Dir:             dir,
	}
	for _, name := range []string{"tamp.yaml", "tamp.yml", "tamp.json", "tamp.jsonnet"} {
		t.Run(name, func(t *testing.T) {
			// A relative path: Load makes it absolute.
			p := mustLoad(t, filepath.Join("testdata/forms", name), testOpts(nil))
			got := *p.Config
			if got.Path != filepath.Join(dir, name) {
				t.Errorf("Path = %q, want %q", got.Path, filepath.Join(dir, name))
			}
			if got.Dir != dir {
				t.Errorf("Dir = %q, want %q", got.Dir, dir)
			}
			if got.Plugins != nil && len(got.Plugins) != 0 {
				t.Errorf("Plugins = %v, want none", got.Plugins)
			}
			got.Path, got.Plugins = "", nil
			if !reflect.DeepEqual(&got, want) {
				t.Errorf("loaded\n  %+v\nwant\n  %+v", got, *want)
			}
			if got := p.EffectiveTimeout(); got != 15*time.Minute {
				t.Errorf("EffectiveTimeout = %v, want 15m", got)
			}
		})
	}
}

func TestAbs(t *testing.T) {
	c := &Config{Dir: "/srv/app"}
	tests := []struct{ in, want string }{
		{"ecs/web-task.json", "/srv/app/ecs/web-task.json"},
		{"../shared/task.jsonnet", "/srv/shared/task.jsonnet"},
		{"./a.yaml", "/srv/app/a.yaml"},
		{"/etc/tamp/task.json", "/etc/tamp/task.json"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := c.Abs(tt.in); got != tt.want {
				t.Errorf("Abs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestProjectRenderJSONResolvesAgainstConfigDir(t *testing.T) {
	// The test's working directory is the package directory, so only
	// resolution against the config's directory finds ecs/web-task.json.
	p := mustLoad(t, "testdata/forms/tamp.yaml", testOpts(nil))
	out, abs, err := p.RenderJSON("ecs/web-task.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(p.Dir, "ecs/web-task.json"); abs != want {
		t.Errorf("abs = %q, want %q", abs, want)
	}
	if got := decodeJSON(t, out)["family"]; got != "web" {
		t.Errorf("family = %v, want web", got)
	}
}

func TestLoadDefaultPath(t *testing.T) {
	// The package directory has no tamp.yaml.
	_, err := Load(context.Background(), "", testOpts(nil))
	wantErr(t, err, filepath.Join(absPath(t, "."), DefaultPath)+": file not found")
}

func TestLoadEnvInConfig(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml":    "cluster: app-{{ must_env `STAGE` }}\nregion: '{{ env \"REGION\" \"us-east-1\" }}'\ntask_definition: td-{{ must_env `STAGE` }}.json\n",
		"td-prod.json": `{}`,
	})
	p := mustLoad(t, filepath.Join(dir, "tamp.yaml"), testOpts(map[string]string{"STAGE": "prod"}))
	if p.Cluster != "app-prod" || p.Region != "us-east-1" {
		t.Errorf("cluster, region = %q, %q; want app-prod, us-east-1", p.Cluster, p.Region)
	}
	want := []TaskDefinition{{Name: "td-prod", Path: "td-prod.json"}}
	if !reflect.DeepEqual(p.TaskDefinitions, want) {
		t.Errorf("TaskDefinitions = %+v, want %+v", p.TaskDefinitions, want)
	}

	_, err := Load(context.Background(), filepath.Join(dir, "tamp.yaml"), testOpts(nil))
	want2 := filepath.Join(dir, "tamp.yaml") + ":1: {{ must_env `STAGE` }}: STAGE is not set; export it or put it in an --envfile"
	if err == nil || err.Error() != want2 {
		t.Errorf("got %v\nwant %s", err, want2)
	}
}

func TestLoadJsonnetExtVarsAndNatives(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.jsonnet": `local c = import 'lib/common.libsonnet';
{
  region: std.native('env')('AWS_REGION', 'us-east-1'),
  cluster: c.prefix + std.extVar('stage'),
  timeout: std.extVar('settings').timeout,
  services: [{ name: 'web', task_definition: std.native('must_env')('TD') }],
}
`,
		"lib/common.libsonnet": "{ prefix: 'app-' }",
		"ecs/web.json":         `{}`,
	})
	opts := testOpts(map[string]string{"TD": "ecs/web.json"})
	opts.ExtStr = map[string]string{"stage": "prod"}
	opts.ExtCode = map[string]string{"settings": "{ timeout: '2m' }"}
	p := mustLoad(t, filepath.Join(dir, "tamp.jsonnet"), opts)
	if p.Region != "us-east-1" || p.Cluster != "app-prod" || p.EffectiveTimeout() != 2*time.Minute {
		t.Errorf("region, cluster, timeout = %q, %q, %v; want us-east-1, app-prod, 2m", p.Region, p.Cluster, p.EffectiveTimeout())
	}
	if want := []Service{{Name: "web", TaskDefinition: "ecs/web.json"}}; !reflect.DeepEqual(p.Services, want) {
		t.Errorf("Services = %+v, want %+v", p.Services, want)
	}
}

func TestLoadTwoPassTfstate(t *testing.T) {
	dir := absPath(t, "testdata/twopass")
	for _, name := range []string{"tamp.yaml", "tamp.jsonnet"} {
		t.Run(name, func(t *testing.T) {
			p := mustLoad(t, filepath.Join(dir, name), testOpts(nil))
			if p.Region != "eu-west-1" {
				t.Errorf("region = %q, want eu-west-1 (from the state)", p.Region)
			}
			if p.Cluster != "app-prod" {
				t.Errorf("cluster = %q, want app-prod (from the state)", p.Cluster)
			}
			wantSvc := []Service{{
				Name:              "web-vpc-0123",
				ServiceDefinition: "ecs/web-service.yaml",
				TaskDefinition:    "ecs/web-task.jsonnet",
			}}
			if !reflect.DeepEqual(p.Services, wantSvc) {
				t.Errorf("Services = %+v, want %+v", p.Services, wantSvc)
			}
			wantPlugins := []PluginConfig{
				{Name: "tfstate", Config: map[string]any{"path": "app.tfstate"}},
				{Name: "tfstate", Config: map[string]any{"path": "network/terraform.tfstate"}, FuncPrefix: "network_"},
			}
			if !reflect.DeepEqual(p.Plugins, wantPlugins) {
				t.Errorf("Plugins = %+v, want %+v", p.Plugins, wantPlugins)
			}

			// The files the config points at see both plugins, as
			// template functions and as Jsonnet natives.
			out, _, err := p.RenderJSON("ecs/web-service.yaml")
			if err != nil {
				t.Fatal(err)
			}
			wantDef := map[string]any{
				"serviceName":    "web",
				"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-0/abc",
				"subnet":         "subnet-aaa",
			}
			if got := decodeJSON(t, out); !reflect.DeepEqual(got, wantDef) {
				t.Errorf("web-service.yaml rendered %v, want %v", got, wantDef)
			}
			out, _, err = p.RenderJSON("ecs/web-task.jsonnet")
			if err != nil {
				t.Fatal(err)
			}
			wantDef = map[string]any{"family": "web", "subnet": "subnet-ccc", "region": "eu-west-1"}
			if got := decodeJSON(t, out); !reflect.DeepEqual(got, wantDef) {
				t.Errorf("web-task.jsonnet rendered %v, want %v", got, wantDef)
			}
		})
	}
}

func TestLoadTfstateRegionOverriddenByOption(t *testing.T) {
	opts := testOpts(nil)
	opts.Region = "us-west-2"
	p := mustLoad(t, "testdata/twopass/tamp.yaml", opts)
	if p.Region != "us-west-2" {
		t.Errorf("region = %q, want the --region value us-west-2", p.Region)
	}
	if p.Cluster != "app-prod" {
		t.Errorf("cluster = %q, want app-prod", p.Cluster)
	}
}

func TestLoadTfstateErrors(t *testing.T) {
	state := absPath(t, "testdata/twopass/app.tfstate")
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			// Which of tfstate/tfstatef is named depends on map order.
			name: "same func_prefix twice",
			files: map[string]string{"tamp.yaml": `plugins:
  - {name: tfstate, config: {path: ` + state + `}, func_prefix: net_}
  - {name: tfstate, config: {path: ` + state + `}, func_prefix: net_}
`},
			want: []string{"plugins[1] (tfstate)", `template function "net_tfstate`, `" is defined twice`, "func_prefix"},
		},
		{
			name: "two plugins without prefix",
			files: map[string]string{"tamp.yaml": `plugins:
  - {name: tfstate, config: {path: ` + state + `}}
  - {name: tfstate, config: {path: ` + state + `}}
`},
			want: []string{"plugins[1] (tfstate)", `template function "tfstate`, `" is defined twice`, "func_prefix"},
		},
		{
			name: "missing address in YAML",
			files: map[string]string{"tamp.yaml": `region: r
cluster: '{{ tfstate "output.nope" }}'
plugins: [{name: tfstate, config: {path: ` + state + `}}]
`},
			want: []string{"tamp.yaml:2: {{ tfstate \"output.nope\" }}: output.nope: no such output in the state"},
		},
		{
			name: "missing address in Jsonnet",
			files: map[string]string{"tamp.jsonnet": `{
  cluster: std.native('tfstate')('output.nope'),
  plugins: [{ name: 'tfstate', config: { path: '` + state + `' } }],
}`},
			want: []string{"tamp.jsonnet:2:12: std.native('tfstate')('output.nope'): output.nope: no such output in the state"},
		},
		{
			name:  "plugin function used but no plugin",
			files: map[string]string{"tamp.yaml": "cluster: '{{ tfstate `output.region` }}'\n"},
			want:  []string{`tamp.yaml:1: function "tfstate" not defined`},
		},
		{
			name:  "state file missing",
			files: map[string]string{"tamp.yaml": "cluster: '{{ tfstate `output.region` }}'\nplugins: [{name: tfstate, config: {path: nope.tfstate}}]\n"},
			want:  []string{"tamp.yaml:1: {{ tfstate `output.region` }}: ", "nope.tfstate: no such state file or Terraform directory"},
		},
		{
			name:  "plugin without path",
			files: map[string]string{"tamp.yaml": "plugins: [{name: tfstate, config: {}}]\n"},
			want:  []string{"tamp.yaml: plugins[0] (tfstate): config needs path (a state file or Terraform directory) or url"},
		},
		{
			name:  "unknown plugin setting",
			files: map[string]string{"tamp.yaml": "plugins: [{name: tfstate, config: {url: 's3://b/k.tfstate', bucket: b}}]\n"},
			want:  []string{"plugins[0] (tfstate): config.bucket: unknown key; this plugin takes path, url, workspace, workspace_key_prefix, region"},
		},
		{
			name:  "unknown plugin",
			files: map[string]string{"tamp.yaml": "plugins: [{name: tfstate, config: {path: x}}, {name: ssmm}]\n"},
			want:  []string{"tamp.yaml: plugins[1].name: unknown plugin \"ssmm\"", "tfstate"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), tt.files)
			var name string
			for n := range tt.files {
				name = n
			}
			_, err := Load(context.Background(), filepath.Join(dir, name), testOpts(nil))
			wantErr(t, err, tt.want...)
		})
	}
}

func TestLoadTfstateFileURL(t *testing.T) {
	state := absPath(t, "testdata/twopass/app.tfstate")
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": "cluster: '{{ tfstate `aws_ecs_cluster.main.name` }}'\nplugins: [{name: tfstate, config: {url: 'file://" + state + "'}}]\n",
	})
	p := mustLoad(t, filepath.Join(dir, "tamp.yaml"), testOpts(nil))
	if p.Cluster != "app-prod" {
		t.Errorf("cluster = %q, want app-prod", p.Cluster)
	}
}

// In a Jsonnet file the Go templates run over Jsonnet's JSON output, so a
// double quote inside a template argument arrives as \". The error must
// point at the native function.
func TestJsonnetEscapedQuoteHint(t *testing.T) {
	p := mustLoad(t, "testdata/twopass/tamp.yaml", testOpts(nil))
	const hint = "call the native function instead (std.native('tfstate')"
	dir := writeFiles(t, t.TempDir(), map[string]string{
		// Jsonnet turns \" in a single-quoted string into ", and then
		// escapes it again in its JSON output.
		"escaped.jsonnet": "{\n  subnet: '{{ network_tfstate `aws_subnet.private[\\\"a\\\"].id` }}',\n}\n",
		"escaped.yaml":    "subnet: '{{ network_tfstate `aws_subnet.private[\\\"a\\\"].id` }}'\n",
		"plain.jsonnet":   "{\n  subnet: '{{ network_tfstate `aws_subnet.private[0].id` }}',\n}\n",
		"native.jsonnet":  "{\n  subnet: std.native('network_tfstate')('aws_subnet.private[\"a\"].id'),\n}\n",
	})

	_, _, err := p.RenderJSON(filepath.Join(dir, "escaped.jsonnet"))
	wantErr(t, err,
		filepath.Join(dir, "escaped.jsonnet")+" (line 2 of the Jsonnet output): {{ network_tfstate `aws_subnet.private[\\\"a\\\"].id` }}: ",
		"escaped quotes",
		"a double quote inside a template argument arrives escaped",
		hint)

	// The same mistake outside Jsonnet gets no Jsonnet hint.
	_, _, err = p.RenderJSON(filepath.Join(dir, "escaped.yaml"))
	wantErr(t, err, filepath.Join(dir, "escaped.yaml")+":1: {{ network_tfstate")
	if strings.Contains(err.Error(), hint) {
		t.Errorf("YAML file error carries the Jsonnet hint: %v", err)
	}

	// A Jsonnet template error without escaped quotes gets no hint either.
	_, _, err = p.RenderJSON(filepath.Join(dir, "plain.jsonnet"))
	wantErr(t, err, "aws_subnet.private[0].id")
	if strings.Contains(err.Error(), hint) {
		t.Errorf("error without escaped quotes carries the hint: %v", err)
	}

	// The native function is the way there.
	out, _, err := p.RenderJSON(filepath.Join(dir, "native.jsonnet"))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeJSON(t, out)["subnet"]; got != "subnet-aaa" {
		t.Errorf("subnet = %v, want subnet-aaa", got)
	}
}

func TestLoadEcspressoForm(t *testing.T) {
	files := map[string]string{
		"ecs-service-def.jsonnet": "{}",
		"ecs-task-def.jsonnet":    "{}",
		"batch-task.json":         "{}",
		"named-service.json":      `{"serviceName": "from-file", "desiredCount": 1}`,
	}
	tests := []struct {
		name     string
		config   string
		services []Service
		tds      []TaskDefinition
		filter   string
		timeout  time.Duration
		unnamed  string // what ServicesNamed says
		wantErr  string
	}{
		{
			name: "one service",
			config: `region: ap-northeast-1
cluster: default
service: web
service_definition: ecs-service-def.jsonnet
task_definition: ecs-task-def.jsonnet
codedeploy:
  application_name: AppECS-default-web
  deployment_group_name: DgpECS-default-web
filter_command: peco
timeout: 20m
appspec:
  Hooks:
    - BeforeInstall: "LambdaFunctionToValidateBeforeInstall"
`,
			services: []Service{{
				Name:              "web",
				ServiceDefinition: "ecs-service-def.jsonnet",
				TaskDefinition:    "ecs-task-def.jsonnet",
				CodeDeploy:        &CodeDeploy{ApplicationName: "AppECS-default-web", DeploymentGroupName: "DgpECS-default-web"},
			}},
			filter: "peco",
		},
		{
			name:     "service without service_definition",
			config:   "service: web\ntask_definition: ecs-task-def.jsonnet\n",
			services: []Service{{Name: "web", TaskDefinition: "ecs-task-def.jsonnet"}},
		},
		{
			name:   "task definition alone",
			config: "cluster: default\ntask_definition: batch-task.json\n",
			tds:    []TaskDefinition{{Name: "batch-task", Path: "batch-task.json"}},
		},
		{
			name:    "mixed with services",
			config:  "service: web\ntask_definition: ecs-task-def.jsonnet\nservices: [{name: api, task_definition: ecs-task-def.jsonnet}]\n",
			wantErr: "use either services/task_definitions or the one-service keys service/service_definition/task_definition, not both",
		},
		{
			name:    "mixed with task_definitions",
			config:  "task_definition: ecs-task-def.jsonnet\ntask_definitions: [{name: b, path: batch-task.json}]\n",
			wantErr: "use either services/task_definitions or the one-service keys service/service_definition/task_definition, not both",
		},
		{
			name:     "service_definition without service: the name is the file's serviceName",
			config:   "service_definition: named-service.json\ntask_definition: ecs-task-def.jsonnet\n",
			services: []Service{{Name: "from-file", ServiceDefinition: "named-service.json", TaskDefinition: "ecs-task-def.jsonnet"}},
		},
		{
			name:   "service_definition without service or serviceName: the task definition alone",
			config: "service_definition: ecs-service-def.jsonnet\ntask_definition: ecs-task-def.jsonnet\n",
			tds:    []TaskDefinition{{Name: "ecs-task-def", Path: "ecs-task-def.jsonnet"}},
			unnamed: "service_definition ecs-service-def.jsonnet is set but no service is named; add service: NAME to ecspresso.yml " +
				"(or serviceName to ecs-service-def.jsonnet)",
		},
		{
			name:    "service_definition alone, naming no service",
			config:  "service_definition: ecs-service-def.jsonnet\n",
			wantErr: "service_definition is set but no service is named, and there is no task_definition to work on: add service: NAME (or serviceName to ecs-service-def.jsonnet)",
		},
		{
			name:    "service_definition that is not there",
			config:  "service_definition: nosuch.json\ntask_definition: ecs-task-def.jsonnet\n",
			wantErr: "service_definition: nosuch.json: file not found",
		},
		{
			name:    "codedeploy without service",
			config:  "codedeploy: {application_name: a, deployment_group_name: b}\n",
			wantErr: "codedeploy is set but service is not; add service: NAME",
		},
		{
			name:     "service without task_definition: status, scale, wait and rollback need none",
			config:   "service: web\ncluster: default\ntimeout: 10m\n",
			services: []Service{{Name: "web"}},
		},
		{
			name:     "timeout in seconds, as ecspresso's test configs write it",
			config:   "service: web\ntimeout: 300\n",
			services: []Service{{Name: "web"}},
			timeout:  5 * time.Minute,
		},
		{
			name:    "timeout of zero seconds",
			config:  "service: web\ntimeout: 0\n",
			wantErr: "timeout: 0 is not a positive number of seconds",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := map[string]string{"ecspresso.yml": tt.config}
			for k, v := range files {
				fs[k] = v
			}
			dir := writeFiles(t, t.TempDir(), fs)
			path := filepath.Join(dir, "ecspresso.yml")
			p, err := Load(context.Background(), path, testOpts(nil))
			if tt.wantErr != "" {
				wantErr(t, err, path+": "+tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Services, tt.services) {
				t.Errorf("Services = %+v, want %+v", p.Services, tt.services)
			}
			if !reflect.DeepEqual(p.TaskDefinitions, tt.tds) {
				t.Errorf("TaskDefinitions = %+v, want %+v", p.TaskDefinitions, tt.tds)
			}
			if p.Service != "" || p.ServiceDefinition != "" || p.TaskDefinition != "" || p.CodeDeploy != nil {
				t.Errorf("one-service keys left after folding: %q %q %q %v", p.Service, p.ServiceDefinition, p.TaskDefinition, p.CodeDeploy)
			}
			if p.FilterCommand != tt.filter {
				t.Errorf("FilterCommand = %q, want %q", p.FilterCommand, tt.filter)
			}
			if tt.timeout != 0 && p.EffectiveTimeout() != tt.timeout {
				t.Errorf("timeout = %v, want %v", p.EffectiveTimeout(), tt.timeout)
			}
			if tt.unnamed == "" && p.ServicesNamed() != nil {
				t.Errorf("ServicesNamed: %v", p.ServicesNamed())
			}
			if tt.unnamed != "" {
				wantErr(t, p.ServicesNamed(), path+": "+tt.unnamed)
			}
		})
	}
}

func TestLoadValidateCollectsErrors(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": `services:
  - name: web
    task_definition: missing-task.json
  - name: web
    task_definition: task.json
    service_definition: service.txt
  - name: api
    task_definition: ""
task_definitions:
  - name: api
    path: task.json
  - path: task.json
  - name: batch
    path: ../elsewhere/batch.jsonnet
`,
		"task.json": "{}",
	})
	path := filepath.Join(dir, "tamp.yaml")
	_, err := Load(context.Background(), path, testOpts(nil))
	want := []string{
		path + ": services[0].task_definition: missing-task.json: file not found (relative paths start at " + dir + ")",
		path + `: services[1]: name "web" is already used by services[0]; names must be unique`,
		path + `: services[1].service_definition: "service.txt" has an unsupported extension; use .json, .jsonnet, .yaml or .yml`,
		path + `: task_definitions[0]: name "api" is already used by services[2]; names must be unique`,
		path + ": task_definitions[1]: name is required",
		path + ": task_definitions[2].path: ../elsewhere/batch.jsonnet: file not found",
	}
	wantErr(t, err, want...)
	if err != nil {
		if n := strings.Count(err.Error(), path+": "); n != len(want) {
			t.Errorf("error has %d messages, want %d:\n%v", n, len(want), err)
		}
	}
}

// Regression tests for the first pass and Jsonnet error reporting.
func TestLoadFirstPassAndJsonnetErrors(t *testing.T) {
	state := `{"version": 4, "outputs": {"timeout": {"value": "7m"}}, "resources": []}`
	t.Run("templates in a Jsonnet config's plugin block", func(t *testing.T) {
		dir := writeFiles(t, t.TempDir(), map[string]string{
			"state.tfstate": state,
			"tamp.jsonnet":  "{ plugins: [{ name: 'tfstate', config: { path: '{{ must_env `P` }}' } }], cluster: std.native('tfstate')('output.timeout') }\n",
		})
		p := mustLoad(t, filepath.Join(dir, "tamp.jsonnet"), testOpts(map[string]string{"P": "state.tfstate"}))
		if p.Cluster != "7m" {
			t.Errorf("cluster = %q", p.Cluster)
		}
	})
	t.Run("typed keys may use plugin functions", func(t *testing.T) {
		dir := writeFiles(t, t.TempDir(), map[string]string{
			"state.tfstate": state,
			"tamp.yaml":     "plugins: [{name: tfstate, config: {path: state.tfstate}}]\ntimeout: '{{ tfstate `output.timeout` }}'\n",
		})
		if got := mustLoad(t, filepath.Join(dir, "tamp.yaml"), testOpts(nil)).EffectiveTimeout(); got != 7*time.Minute {
			t.Errorf("timeout = %v", got)
		}
	})
	t.Run("a syntax error in a Jsonnet config", func(t *testing.T) {
		dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.jsonnet": "{\n  region: 'x'\n  cluster: 'y',\n}\n"})
		path := filepath.Join(dir, "tamp.jsonnet")
		_, err := Load(context.Background(), path, testOpts(nil))
		wantErr(t, err, path+":3:3-10: Jsonnet: Expected a comma before next field")
		if strings.Contains(err.Error(), "RUNTIME ERROR") {
			t.Errorf("reported as a runtime error: %v", err)
		}
	})
	t.Run("double-quoted template argument in a Jsonnet file", func(t *testing.T) {
		dir := writeFiles(t, t.TempDir(), map[string]string{
			"tamp.yaml":    "task_definitions: [{name: t, path: task.jsonnet}]\n",
			"task.jsonnet": "{ family: '{{ must_env \"F\" }}' }\n",
		})
		p := mustLoad(t, filepath.Join(dir, "tamp.yaml"), testOpts(map[string]string{"F": "f"}))
		_, _, err := p.RenderJSON("task.jsonnet")
		wantErr(t, err, "task.jsonnet (line 2 of the Jsonnet output)", "quote template arguments with backquotes")
	})
	t.Run("a variable name that go-config would panic on", func(t *testing.T) {
		dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.yaml": "cluster: '{{ must_env \"environment variable X\" }}'\n"})
		_, err := Load(context.Background(), filepath.Join(dir, "tamp.yaml"), testOpts(nil))
		wantErr(t, err, "environment variable X")
	})
}

func TestLoadRequiredVersion(t *testing.T) {
	tests := []struct {
		name       string
		constraint string
		version    string
		wantErr    string
	}{
		{name: "none", constraint: "", version: "0.1.0"},
		{name: "satisfied", constraint: ">= 0.1.0", version: "0.1.0"},
		{name: "satisfied range", constraint: ">= 0.1, < 1.0", version: "0.9.3"},
		{name: "pessimistic", constraint: "~> 0.1", version: "0.4.0"},
		{name: "prerelease compares by core", constraint: ">= 0.2.0", version: "0.2.0-rc.1"},
		{name: "unmet", constraint: ">= 1.2.0", version: "0.1.0",
			wantErr: `required_version ">= 1.2.0" is not met by tamp 0.1.0; install a matching tamp`},
		{name: "invalid constraint", constraint: "newest please", version: "0.1.0",
			wantErr: `required_version: "newest please" is not a version constraint; write it like ">= 0.1.0"`},
		{name: "unparsable build version", constraint: ">= 0.1.0", version: "dev",
			wantErr: `required_version: cannot compare with this build's version "dev"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := "task_definition: task.json\n"
			if tt.constraint != "" {
				cfg = "required_version: '" + tt.constraint + "'\n" + cfg
			}
			dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.yaml": cfg, "task.json": "{}"})
			path := filepath.Join(dir, "tamp.yaml")
			opts := testOpts(nil)
			opts.Version = tt.version
			p, err := Load(context.Background(), path, opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != path+": "+tt.wantErr {
					t.Errorf("got %v\nwant %s: %s", err, path, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.RequiredVersion != tt.constraint {
				t.Errorf("RequiredVersion = %q, want %q", p.RequiredVersion, tt.constraint)
			}
		})
	}
}

// required_version is checked in the first pass, before plugins are built
// or their functions called, so an old tamp says "upgrade" rather than
// failing on something newer.
func TestLoadRequiredVersionCheckedFirst(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": `required_version: ">= 9.0.0"
cluster: '{{ ssm_parameter "/x" }}'
plugins: [{name: ssm_v2}]
`,
	})
	_, err := Load(context.Background(), filepath.Join(dir, "tamp.yaml"), testOpts(nil))
	wantErr(t, err, `required_version ">= 9.0.0" is not met by tamp 0.1.0`)
	if strings.Contains(err.Error(), "ssm") {
		t.Errorf("error is about the plugin, not the version: %v", err)
	}
}

func TestLoadTimeout(t *testing.T) {
	tests := []struct {
		name    string
		timeout string // config value, "" for none
		option  time.Duration
		want    time.Duration
		wantErr string
	}{
		{name: "default", want: DefaultTimeout},
		{name: "config", timeout: "15m", want: 15 * time.Minute},
		{name: "config compound", timeout: "1h30m", want: 90 * time.Minute},
		{name: "option overrides config", timeout: "15m", option: 90 * time.Second, want: 90 * time.Second},
		{name: "option without config", option: 5 * time.Minute, want: 5 * time.Minute},
		{name: "bad", timeout: `"bad"`, wantErr: `timeout: "bad" is not a positive duration; write it like "10m" or "1h30m"`},
		{name: "zero", timeout: "0s", wantErr: `timeout: "0s" is not a positive duration`},
		{name: "negative", timeout: "-5m", wantErr: `timeout: "-5m" is not a positive duration`},
		{name: "not a string", timeout: "[1]", wantErr: `timeout: expected a duration such as "10m"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := "task_definition: task.json\n"
			if tt.timeout != "" {
				cfg += "timeout: " + tt.timeout + "\n"
			}
			dir := writeFiles(t, t.TempDir(), map[string]string{"tamp.yaml": cfg, "task.json": "{}"})
			opts := testOpts(nil)
			opts.Timeout = tt.option
			p, err := Load(context.Background(), filepath.Join(dir, "tamp.yaml"), opts)
			if tt.wantErr != "" {
				wantErr(t, err, filepath.Join(dir, "tamp.yaml")+": ", tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.EffectiveTimeout(); got != tt.want {
				t.Errorf("EffectiveTimeout = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEffectiveTimeoutDefault(t *testing.T) {
	if DefaultTimeout != 10*time.Minute {
		t.Errorf("DefaultTimeout = %v, want 10m", DefaultTimeout)
	}
	if got := (&Config{}).EffectiveTimeout(); got != 10*time.Minute {
		t.Errorf("EffectiveTimeout of an empty config = %v, want 10m", got)
	}
}

func TestDurationMarshal(t *testing.T) {
	d := Duration{90 * time.Minute}
	js, err := d.MarshalJSON()
	if err != nil || string(js) != `"1h30m0s"` {
		t.Errorf("MarshalJSON = %s, %v; want \"1h30m0s\"", js, err)
	}
	y, err := d.MarshalYAML()
	if err != nil || y != "1h30m0s" {
		t.Errorf("MarshalYAML = %v, %v; want 1h30m0s", y, err)
	}
}

func TestLoadRegionOption(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"tamp.yaml": "region: ap-northeast-1\ntask_definition: task.json\n",
		"task.json": "{}",
	})
	for _, tt := range []struct{ option, want string }{
		{"", "ap-northeast-1"},
		{"eu-central-1", "eu-central-1"},
	} {
		t.Run("option="+tt.option, func(t *testing.T) {
			opts := testOpts(nil)
			opts.Region = tt.option
			p := mustLoad(t, filepath.Join(dir, "tamp.yaml"), opts)
			if p.Region != tt.want {
				t.Errorf("Region = %q, want %q", p.Region, tt.want)
			}
		})
	}
}

func TestLoadStrictSchema(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		config string
		want   string
	}{
		{"top-level yaml", "tamp.yaml", "task_definition: task.json\nclustr: app\n", `unknown field "clustr"; did you mean "cluster"?`},
		{"in a service", "tamp.yaml", "services:\n  - name: web\n    task_definition: task.json\n    taskdefinition: x\n", `unknown field "taskdefinition"; did you mean "task_definition"?`},
		{"in a plugin", "tamp.yaml", "plugins: [{name: tfstate, config: {path: x}, prefix: n_}]\n", `unknown field "prefix"`},
		{"json", "tamp.json", `{"task_definition": "task.json", "regoin": "x"}`, `unknown field "regoin"; did you mean "region"?`},
		{"jsonnet", "tamp.jsonnet", `{ task_definition: 'task.json', scheduledd: {} }`, `unknown field "scheduledd"; did you mean "scheduled"?`},
		{"scalar for a list", "tamp.yaml", "services: web\n", `[1:11] services: expected a list, got a string "web"`},
		{"list for a string", "tamp.yaml", "services:\n  - name: web\n    task_definition:\n      - a.json\n", `[4:7] services[0].task_definition: expected a string, got a list`},
		{"mapping for a list", "tamp.yaml", "plugins: {name: ssm}\n", `plugins: expected a list, got a mapping of keys to values`},
		{"number for a mapping", "tamp.yaml", "task_definition: task.json\nscheduled: 5\n", `[2:12] scheduled: expected a mapping of keys to values, got a number`},
		{"list for a string in json", "tamp.json", `{"cluster": ["a"], "task_definition": "task.json"}`, `cluster: expected a string, got a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{tt.file: tt.config, "task.json": "{}"})
			path := filepath.Join(dir, tt.file)
			_, err := Load(context.Background(), path, testOpts(nil))
			wantErr(t, err, path+": ", tt.want)
		})
	}
}

func TestScope(t *testing.T) {
	c := &Config{
		Path: "/srv/tamp.yaml",
		Services: []Service{
			{Name: "web", TaskDefinition: "web.json"},
			{Name: "worker", TaskDefinition: "worker.json"},
			{Name: "api", TaskDefinition: "api.json"},
		},
		TaskDefinitions: []TaskDefinition{
			{Name: "batch", Path: "batch.json"},
			{Name: "migrate", Path: "migrate.json"},
		},
	}
	scheduled := []string{"nightly", "hourly"}
	tests := []struct {
		name      string
		only      []string
		scheduled []string
		services  []string
		tds       []string
		tasks     []string
		wantErr   string
	}{
		{name: "empty is all", only: nil, scheduled: scheduled, services: []string{"web", "worker", "api"}, tds: []string{"batch", "migrate"}, tasks: scheduled},
		{name: "empty slice is all", only: []string{}, services: []string{"web", "worker", "api"}, tds: []string{"batch", "migrate"}},
		{name: "config order kept", only: []string{"migrate", "api", "web"}, services: []string{"web", "api"}, tds: []string{"migrate"}},
		{name: "only task definitions", only: []string{"batch"}, tds: []string{"batch"}},
		{name: "duplicate name once", only: []string{"worker", "worker"}, services: []string{"worker"}},
		{name: "scheduled task", only: []string{"hourly", "web"}, scheduled: scheduled, services: []string{"web"}, tasks: []string{"hourly"}},
		{
			name:    "unknown",
			only:    []string{"web", "wbe", "cron"},
			wantErr: "--only: nothing named wbe, cron in /srv/tamp.yaml; names in the config: web, worker, api, batch, migrate",
		},
		{
			name: "unknown with scheduled names", only: []string{"nightlyy"}, scheduled: scheduled,
			wantErr: "--only: nothing named nightlyy in /srv/tamp.yaml; names in the config: web, worker, api, batch, migrate, nightly, hourly",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := c.Scope(tt.only, tt.scheduled)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("got %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var tds []string
			for _, td := range s.TaskDefinitions {
				tds = append(tds, td.Name)
			}
			if svc := s.ServiceNames(); !reflect.DeepEqual(svc, tt.services) || !reflect.DeepEqual(tds, tt.tds) || !reflect.DeepEqual(s.Tasks, tt.tasks) {
				t.Errorf("Scope(%q) = %q, %q, %q; want %q, %q, %q", tt.only, svc, tds, s.Tasks, tt.services, tt.tds, tt.tasks)
			}
			if s.Narrowed() != (len(tt.only) > 0) {
				t.Errorf("Narrowed() = %v with only %q", s.Narrowed(), tt.only)
			}
			if want := append(s.ServiceNames(), tds...); !reflect.DeepEqual(s.DefinitionNames(), want) {
				t.Errorf("DefinitionNames() = %q, want %q", s.DefinitionNames(), want)
			}
		})
	}
	// Entries in scope carry their whole definition.
	s, err := c.Scope([]string{"api"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Selection().Services, []Service{{Name: "api", TaskDefinition: "api.json"}}) {
		t.Errorf("Scope(api).Services = %+v", s.Services)
	}
	if !c.Knows([]string{"api", "batch"}) || c.Knows([]string{"api", "nightly"}) {
		t.Error("Knows tells services and task definitions from other names wrongly")
	}
	s, err = c.Scope([]string{"hourly"}, []string{"nightly", "hourly"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasTask("hourly") || s.HasTask("nightly") {
		t.Errorf("HasTask: scope %q should hold hourly only", s.Tasks)
	}
}
