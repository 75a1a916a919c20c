package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		command string
		check   func(t *testing.T, c *CLI)
	}{
		{
			name: "defaults", args: []string{"register"}, command: "register",
			check: func(t *testing.T, c *CLI) {
				if c.Config != "tamp.yaml" || c.Output != "text" || c.Color != "auto" || c.Register.DryRun || c.Debug {
					t.Errorf("defaults: %+v", c.Globals)
				}
			},
		},
		{
			name: "every global flag",
			args: []string{"render", "taskdefs", "-c", "x.yaml", "--envfile", "a.env", "--envfile", "b.env",
				"--ext-str", "k=v;w", "--ext-code", "n=1+1", "--region", "us-east-1", "--assume-role-arn", "arn:aws:iam::1:role/r",
				"--timeout", "90s", "--output", "json", "--color", "never", "--show-secrets", "--debug", "--only", "web,batch"},
			command: "render <target>",
			check: func(t *testing.T, c *CLI) {
				want := Globals{Config: "x.yaml", Envfile: []string{"a.env", "b.env"}, ExtStr: map[string]string{"k": "v;w"},
					ExtCode: map[string]string{"n": "1+1"}, Region: "us-east-1", AssumeRoleArn: "arn:aws:iam::1:role/r",
					Timeout: 90 * time.Second, Output: "json", Color: "never", ShowSecrets: true, Debug: true, Only: []string{"web", "batch"}}
				if !reflect.DeepEqual(c.Globals, want) {
					t.Errorf("got  %+v\nwant %+v", c.Globals, want)
				}
				if c.Render.Target != "taskdefs" {
					t.Errorf("target = %q", c.Render.Target)
				}
			},
		},
		{
			name: "environment variables", args: []string{"register", "--dry-run"}, command: "register",
			env: map[string]string{"TAMP_CONFIG": "env.yaml", "TAMP_REGION": "eu-west-1", "TAMP_OUTPUT": "json", "TAMP_TIMEOUT": "5m", "TAMP_DEBUG": "true"},
			check: func(t *testing.T, c *CLI) {
				if c.Config != "env.yaml" || c.Region != "eu-west-1" || c.Output != "json" || c.Timeout != 5*time.Minute || !c.Debug || !c.Register.DryRun {
					t.Errorf("from env: %+v dry-run %v", c.Globals, c.Register.DryRun)
				}
			},
		},
		{
			name: "a flag beats its environment variable", args: []string{"version", "--config", "flag.yaml"}, command: "version",
			env: map[string]string{"TAMP_CONFIG": "env.yaml"},
			check: func(t *testing.T, c *CLI) {
				if c.Config != "flag.yaml" {
					t.Errorf("config = %q", c.Config)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			c, kctx, err := parse(tt.args, &out, &errOut)
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, errOut.String())
			}
			if kctx.Command() != tt.command {
				t.Errorf("command = %q, want %q", kctx.Command(), tt.command)
			}
			tt.check(t, c)
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{"render"},                      // target required
		{"render", "everything"},        // not a target
		{"register", "--output", "xml"}, // not a format
		{"register", "--color", "sometimes"},
		{"explode"}, // not a command
		{"register", "--timeout", "soon"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, _, err := parse(args, &bytes.Buffer{}, &bytes.Buffer{})
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if code := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &out, &bytes.Buffer{}); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if !strings.Contains(out.String(), "register") {
		t.Errorf("help does not list commands:\n%s", out.String())
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{config.Invalid(errors.New("bad")), 1},
		{usageError{errors.New("bad flag")}, 1},
		{context.Canceled, 130},
		{fmt.Errorf("register: %w", context.Canceled), 130},
		{fmt.Errorf("run: %w", &ecs.ContainerExitError{Code: 3}), 3},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestReport(t *testing.T) {
	var b bytes.Buffer
	err := config.Invalid(errors.Join(
		errors.New("a.json: family: is required"),
		errors.New("cfg.yaml: [3:7] bad token\n> 3 | x: [\n       ^"),
	))
	if code := report(&b, err, nil); code != 1 {
		t.Errorf("code = %d", code)
	}
	want := "error: a.json: family: is required\n" +
		"error: cfg.yaml: [3:7] bad token\n" +
		"  > 3 | x: [\n" +
		"         ^\n" +
		"nothing was changed in AWS\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRunVersionAndRender(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, &errOut); code != 0 {
		t.Fatalf("version: exit %d: %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "tamp 0.1.0 (commit ") {
		t.Errorf("version output %q", out.String())
	}

	t.Setenv("IMAGE_TAG", "test")
	out.Reset()
	demo := filepath.Join("..", "..", "examples", "demo", "tamp.yaml")
	if code := run(context.Background(), []string{"render", "taskdefs", "--only", "batch", "-c", demo}, &out, &errOut); code != 0 {
		t.Fatalf("render: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), `"image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/demo/app:test"`) {
		t.Errorf("render output:\n%s", out.String())
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	t.Setenv("IMAGE_TAG", "test")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // never reached: the context is already done
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	var errOut bytes.Buffer
	demo := filepath.Join("..", "..", "examples", "demo", "tamp.yaml")
	if code := run(ctx, []string{"register", "-c", demo}, &bytes.Buffer{}, &errOut); code != 130 {
		t.Errorf("exit %d, want 130; stderr: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "context canceled") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestVerifyOfflineAndInterrupted(t *testing.T) {
	t.Setenv("IMAGE_TAG", "test")
	demo := filepath.Join("..", "..", "examples", "demo", "tamp.yaml")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"verify", "--offline", "--only", "web,aggregate-daily", "-c", demo}, &out, &errOut); code != 0 {
		t.Fatalf("verify --offline: exit %d: %s", code, errOut.String())
	}
	// Files outside the working directory show as absolute paths.
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "demo", "ecs"))
	if err != nil {
		t.Fatal(err)
	}
	want := "service web (" + dir + "/web-service.jsonnet)\n  OK    definition: valid\n" +
		"task definition web (" + dir + "/web-task.jsonnet)\n  OK    definition: valid\n" +
		"scheduled task aggregate-daily\n  OK    definition: valid\n3 OK, 0 NG, 0 SKIP\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// Ctrl-C during the online checks is an interrupt (130), not NG lines.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // never reached: the context is already done
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	out.Reset()
	errOut.Reset()
	if code := run(ctx, []string{"verify", "-c", demo}, &out, &errOut); code != 130 {
		t.Errorf("exit %d, want 130; stdout: %s stderr: %s", code, out.String(), errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("an interrupted verify printed a report:\n%s", out.String())
	}
}

func TestParseRun(t *testing.T) {
	c, kctx, err := parse([]string{"run", "--service", "web", "--command", "bin/migrate --all", "--count", "2", "--tags", "a=1,b=2", "--no-wait"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run
	if kctx.Command() != "run" || r.Service != "web" || r.Command != "bin/migrate --all" || r.Count != 2 || !r.NoWait ||
		!reflect.DeepEqual(r.Tags, map[string]string{"a": "1", "b": "2"}) {
		t.Errorf("parsed %+v", r)
	}
}
