package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path    string
		want    Format
		wantErr string
	}{
		{path: "a.json", want: FormatJSON},
		{path: "dir/a.jsonnet", want: FormatJSON},
		{path: "lib.libsonnet", want: FormatJSON},
		{path: "a.yaml", want: FormatYAML},
		{path: "a.yml", want: FormatYAML},
		{path: "A.YAML", want: FormatYAML},
		{path: "A.JSONNET", want: FormatJSON},
		{path: "a.toml", wantErr: `a.toml: unsupported file type ".toml"; use .json, .jsonnet, .yaml or .yml`},
		{path: "Makefile", wantErr: `Makefile: unsupported file type ""`},
		{path: "a.json.tmpl", wantErr: `unsupported file type ".tmpl"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := FormatOf(tt.path)
			if tt.wantErr != "" {
				wantErr(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("FormatOf(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

// renderValue renders `v: <expr>` as YAML and returns v.
func renderValue(t *testing.T, expr string, env map[string]string) (any, error) {
	t.Helper()
	dir := writeFiles(t, t.TempDir(), map[string]string{"d.yaml": "v: " + expr + "\n"})
	r := &Renderer{LookupEnv: envMap(env)}
	out, err := r.JSON(filepath.Join(dir, "d.yaml"))
	if err != nil {
		return nil, err
	}
	return decodeJSON(t, out)["v"], nil
}

func TestTemplateEnv(t *testing.T) {
	env := map[string]string{"STAGE": "prod", "EMPTY": "", "SECOND": "two"}
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"set", `'{{ env "STAGE" }}'`, "prod"},
		{"set ignores default", `'{{ env "STAGE" "dev" }}'`, "prod"},
		{"unset uses default", `'{{ env "NOPE" "dev" }}'`, "dev"},
		{"empty uses default", `'{{ env "EMPTY" "dev" }}'`, "dev"},
		{"first set of several", `'{{ env "NOPE" "SECOND" "fallback" }}'`, "two"},
		// As kayac/go-config: with no default the last argument, the
		// name itself, is the result.
		{"unset without default is the name", `'{{ env "NOPE" }}'`, "NOPE"},
		{"must_env set", `'{{ must_env "STAGE" }}'`, "prod"},
		{"must_env set but empty", `'x{{ must_env "EMPTY" }}x'`, "xx"},
		{"backquoted", "'app-{{ must_env `STAGE` }}'", "app-prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderValue(t, tt.expr, env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s rendered %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestTemplateEnvUsesLookupEnvNotProcess(t *testing.T) {
	t.Setenv("TAMP_TEST_ONLY_IN_PROCESS", "from-process")
	got, err := renderValue(t, `'{{ env "TAMP_TEST_ONLY_IN_PROCESS" "default" }}'`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != "default" {
		t.Errorf("env read %q; want the injected LookupEnv to be used (default)", got)
	}
	_, err = renderValue(t, `'{{ must_env "TAMP_TEST_ONLY_IN_PROCESS" }}'`, nil)
	wantErr(t, err, "TAMP_TEST_ONLY_IN_PROCESS is not set")
}

func TestTemplateMustEnvMissing(t *testing.T) {
	tests := []struct {
		file string
		src  string
		line int
		expr string
	}{
		{"cfg.yaml", "region: eu-west-1\ncluster: {{ must_env \"X\" }}\n", 2, `must_env "X"`},
		{"cfg.yml", "a: 1\nb: 2\nc: '{{ must_env `X` }}'\n", 3, "must_env `X`"},
		{"def2.json", "{\n  \"a\": \"{{ must_env `X` }}\"\n}\n", 2, "must_env `X`"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{tt.file: tt.src})
			path := filepath.Join(dir, tt.file)
			r := &Renderer{LookupEnv: envMap(map[string]string{"Y": "y"})}
			_, err := r.JSON(path)
			want := fmt.Sprintf("%s:%d: {{ %s }}: X is not set; export it or put it in an --envfile", path, tt.line, tt.expr)
			if err == nil || err.Error() != want {
				t.Errorf("got error\n  %v\nwant\n  %s", err, want)
			}
		})
	}
}

// A missing variable must come back as an error wherever must_env is
// called; kayac/go-config panics on its own must_env's message, which ours
// must never trigger.
func TestTemplateMustEnvMissingNeverPanics(t *testing.T) {
	exprs := []string{
		`'{{ must_env "X" }}'`,
		`'{{ must_env "X" | printf "%s" }}'`,
		`'{{ if must_env "X" }}yes{{ end }}'`,
		`'{{ env (must_env "X") "d" }}'`,
		`'{{ must_env "must_env" }}'`,
		`'{{ must_env "environment" }}'`,
		`'{{ json_escape (must_env "X") }}'`,
	}
	for _, expr := range exprs {
		t.Run(expr, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("rendering %s panicked: %v", expr, p)
				}
			}()
			_, err := renderValue(t, expr, nil)
			wantErr(t, err, "d.yaml:1: {{ ", " is not set; export it or put it in an --envfile")
		})
	}
}

func TestTemplateJSONEscape(t *testing.T) {
	msg := "he said \"hi\"\\n\tand left\n"
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"def.json": "{\"msg\": \"{{ json_escape (must_env `MSG`) }}\", \"lit\": \"{{ json_escape `a\"b` }}\"}",
	})
	r := &Renderer{LookupEnv: envMap(map[string]string{"MSG": msg})}
	out, err := r.JSON(filepath.Join(dir, "def.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeJSON(t, out)
	if got["msg"] != msg {
		t.Errorf("json_escape round trip gave %q, want %q", got["msg"], msg)
	}
	if got["lit"] != `a"b` {
		t.Errorf("json_escape of a literal gave %q, want %q", got["lit"], `a"b`)
	}
}

func TestTemplateUndefinedFunction(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"def.yaml": "a: 1\nb: '{{ tfstate `output.x` }}'\n",
	})
	path := filepath.Join(dir, "def.yaml")
	r := &Renderer{LookupEnv: envMap(nil)}
	_, err := r.JSON(path)
	want := path + `:2: function "tfstate" not defined; declare the tfstate plugin under plugins (with its state's path or url) to use it`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestTemplateErrorsSayWhatToDo(t *testing.T) {
	tests := []struct{ text, want string }{
		{"a: '{{ must_evn `X` }}'\n", `:1: function "must_evn" not defined; did you mean must_env?`},
		{"a: '{{ nothing_like_it 1 }}'\n", `:1: function "nothing_like_it" not defined; the template functions are env, json_escape, must_env`},
		{"a: '{{ env `X` '\n", `; check the {{ ... }} on that line: an action must be closed with }} and quote its arguments`},
	}
	for _, tt := range tests {
		dir := writeFiles(t, t.TempDir(), map[string]string{"def.yaml": tt.text})
		_, err := (&Renderer{LookupEnv: envMap(nil)}).JSON(filepath.Join(dir, "def.yaml"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want it to contain %s", tt.text, err, tt.want)
		}
	}
}

func TestRendererJSON(t *testing.T) {
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"ok.yaml":     "name: web\ncount: 2\nlist: [a, b]\n",
		"bad.yaml":    "a: [1, 2\n",
		"ok.json":     `{"name": "web"}`,
		"def.txt":     "x",
		"lib.jsonnet": `{ n: 1 + 1 }`,
	})
	r := &Renderer{LookupEnv: envMap(nil)}

	out, err := r.JSON(filepath.Join(dir, "ok.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "web", "count": float64(2), "list": []any{"a", "b"}}
	if got := decodeJSON(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("YAML converted to %v, want %v", got, want)
	}

	out, err = r.JSON(filepath.Join(dir, "ok.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"name": "web"}` {
		t.Errorf("JSON text changed: %s", out)
	}

	out, err = r.JSON(filepath.Join(dir, "lib.jsonnet"))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeJSON(t, out)["n"]; got != float64(2) {
		t.Errorf("jsonnet n = %v, want 2", got)
	}

	_, err = r.JSON(filepath.Join(dir, "bad.yaml"))
	wantErr(t, err, filepath.Join(dir, "bad.yaml")+": invalid YAML")

	_, err = r.JSON(filepath.Join(dir, "def.txt"))
	wantErr(t, err, `unsupported file type ".txt"`)

	for _, missing := range []string{"missing.yaml", "missing.jsonnet"} {
		_, err = r.JSON(filepath.Join(dir, missing))
		wantErr(t, err, filepath.Join(dir, missing)+": file not found; check the path")
	}
}

func TestJsonnetExtVarsNativesImports(t *testing.T) {
	path := absPath(t, "testdata/jsonnet/ecs/task.jsonnet")
	r := &Renderer{
		ExtStr:    map[string]string{"stage": "prod"},
		ExtCode:   map[string]string{"settings": "{ replicas: 1 + 2 }"},
		LookupEnv: envMap(map[string]string{"OWNER": "alice", "TEAM": "", "IMAGE": "nginx:1.27"}),
	}
	out, err := r.JSON(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"cpu":      "256",                // import '../lib/base.libsonnet'
		"family":   "web-from-libsonnet", // import 'common.libsonnet' beside the file
		"stage":    "prod",               // ExtStr
		"replicas": float64(3),           // ExtCode is code, not a string
		"owner":    "alice",              // env set
		"team":     "platform",           // env set but empty: the default
		"port":     float64(8080),        // env unset: the default keeps its type
		"image":    "nginx:1.27",         // must_env
		"tag":      "latest",             // Go template after Jsonnet
	}
	if got := decodeJSON(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("rendered\n  %v\nwant\n  %v", got, want)
	}
}

func TestJsonnetErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		env  map[string]string
		want *regexp.Regexp // %s is the file path
	}{
		{
			name: "syntax error",
			src:  "{\n  a: 1,\n  b: ,\n}\n",
			want: regexp.MustCompile(`^%s:3:\d+(-\d+)?: Jsonnet: Unexpected: ","`),
		},
		{
			name: "unexpected end",
			src:  "{ a:",
			want: regexp.MustCompile(`^%s:1:\d+: Jsonnet: Unexpected end of file`),
		},
		{
			name: "native must_env missing",
			src:  "{ image: std.native('must_env')('IMAGE') }",
			want: regexp.MustCompile(`^%s:1:10: std.native\('must_env'\)\('IMAGE'\): IMAGE is not set; export it or put it in an --envfile$`),
		},
		{
			name: "missing ext var",
			src:  "{ s: std.extVar('nope') }",
			want: regexp.MustCompile(`^%s:1:6: std.extVar\('nope'\): Undefined external variable: nope$`),
		},
		{
			name: "import not found",
			src:  "import 'nope.libsonnet'",
			want: regexp.MustCompile(`^%s:1:1: import 'nope.libsonnet': couldn't open import "nope.libsonnet"`),
		},
		{
			name: "env name not a string",
			src:  "{ a: std.native('env')(1, 'd') }",
			want: regexp.MustCompile(`^%s:1:6: std.native\('env'\)\(1, 'd'\): env: name must be a string, got 1$`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, t.TempDir(), map[string]string{"def.jsonnet": tt.src})
			path := filepath.Join(dir, "def.jsonnet")
			r := &Renderer{LookupEnv: envMap(tt.env)}
			_, err := r.JSON(path)
			if err == nil {
				t.Fatal("no error")
			}
			re := regexp.MustCompile(strings.Replace(tt.want.String(), "%s", regexp.QuoteMeta(path), 1))
			if !re.MatchString(err.Error()) {
				t.Errorf("error\n  %v\ndoes not match\n  %s", err, re)
			}
		})
	}
}
