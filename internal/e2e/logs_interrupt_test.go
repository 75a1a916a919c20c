package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C while logs --follow prints: the lines so far, then exit 130.
func TestLogsFollowInterrupted(t *testing.T) {
	px, env := newAccount(t)
	if err := seedCluster(context.Background(), proxyConfig(px), "app"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"tamp.yaml": "region: ap-northeast-1\ncluster: app\nservices:\n  - name: web\n    service_definition: svc.json\n    task_definition: td.json\n",
		"td.json": `{"family": "web", "containerDefinitions": [{"name": "app", "image": "busybox:1", "memory": 128,
			"command": ["sh", "-c", "echo serving; sleep infinity"],
			"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web"}}}]}`,
		"svc.json": `{"desiredCount": 1}`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tamp := filepath.Join(tampDir, "tamp")
	deploy := exec.Command(tamp, "deploy", "--config", filepath.Join(dir, "tamp.yaml"))
	deploy.Env = env
	if out, err := deploy.CombinedOutput(); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	cmd := exec.Command(tamp, "logs", "--follow", "--config", filepath.Join(dir, "tamp.yaml"))
	cmd.Env = env
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "app | serving") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d (%v), want 130\nstdout:\n%s\nstderr:\n%s", code, err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "app | serving") || stderr.String() != "error: interrupted\n" {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}
