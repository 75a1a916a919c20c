package sessionplugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"got $#: $3\"\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, Name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	var out strings.Builder
	p := &Plugin{Stdout: &out}
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	err := p.Run(context.Background(), []string{"{}", "r", "StartSession", "", "{}", "e"})
	if err == nil || err.Error() != "session-manager-plugin exited with code 3" || out.String() != "got 6: StartSession\n" {
		t.Errorf("err %v, output %q", err, out.String())
	}
	t.Setenv("PATH", t.TempDir())
	if err := p.Check(); err != ErrMissing {
		t.Errorf("without it: %v", err)
	}
}

func TestECSEndpoint(t *testing.T) {
	ctx := context.Background()
	t.Setenv("AWS_ENDPOINT_URL_ECS", "")
	for _, tc := range []struct {
		cfg  aws.Config
		env  string
		want string
	}{
		{cfg: aws.Config{Region: "ap-northeast-1"}, want: "https://ecs.ap-northeast-1.amazonaws.com"},
		{cfg: aws.Config{Region: "cn-north-1"}, want: "https://ecs.cn-north-1.amazonaws.com.cn"},
		{cfg: aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:4566")}, want: "http://127.0.0.1:4566"},
		{cfg: aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:4566")}, env: "http://ecs.local", want: "http://ecs.local"},
	} {
		t.Setenv("AWS_ENDPOINT_URL_ECS", tc.env)
		got, err := ECSEndpoint(ctx, tc.cfg)
		if err != nil || got != tc.want {
			t.Errorf("%s %v: got %q, %v; want %q", tc.cfg.Region, tc.env, got, err, tc.want)
		}
	}
}
