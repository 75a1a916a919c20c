package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newAccount gives a Go test what a script gets: its own moto account
// behind a proxy, and the environment to run tamp with.
func newAccount(t *testing.T) (*Proxy, []string) {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	if motoErr != nil {
		t.Fatalf("the e2e tests need moto (python3 -m moto.server) and it did not start: %v", motoErr)
	}
	account := fmt.Sprintf("%012d", 100000000000+accountID.Add(1))
	px, err := NewProxy(moto.URL, account)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.Close)
	dir := t.TempDir()
	env := append(os.Environ(),
		"AWS_ENDPOINT_URL="+px.URL, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=ap-northeast-1", "AWS_EC2_METADATA_DISABLED=true", "NO_COLOR=1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	return px, env
}

// withCluster is an account with a network and an ECS cluster named app:
// its proxy, tamp's environment, and the network's IDs.
func withCluster(t *testing.T) (*Proxy, []string, map[string]string) {
	t.Helper()
	px, env := newAccount(t)
	ctx := context.Background()
	ids, err := seedNetwork(ctx, proxyConfig(px))
	if err != nil {
		t.Fatal(err)
	}
	if err := seedCluster(ctx, proxyConfig(px), "app"); err != nil {
		t.Fatal(err)
	}
	return px, env, ids
}

// Ctrl-C while deploy waits: exit 130, and the message says the deployment
// goes on in AWS and how to follow it.
func TestDeployInterrupted(t *testing.T) {
	_, env, ids := withCluster(t)
	dir := t.TempDir()
	files := map[string]string{
		"tamp.yaml": "region: ap-northeast-1\ncluster: app\nservices:\n  - name: web\n    service_definition: svc.json\n    task_definition: td.json\n",
		"td.json": `{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
			"containerDefinitions": [{"name": "app", "image": "busybox:hang", "memory": 128}]}`,
		"svc.json": fmt.Sprintf(`{"launchType": "FARGATE", "desiredCount": 1, "networkConfiguration": {"awsvpcConfiguration":
			{"subnets": [%q], "securityGroups": [%q]}}}`, ids["SUBNET_A"], ids["SECURITY_GROUP"]),
	}
	cmd, stderr := startTamp(t, env, dir, files, "deploy")
	interruptAfter(t, cmd, stderr, "web: created")
	err := cmd.Wait()
	out := stderr.String()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d (%v), want 130; stderr:\n%s", code, err, out)
	}
	for _, want := range []string{"web: created, deploying web:1", "stopped waiting", "the deployment goes on in AWS", "tamp wait"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
}

// startTamp writes files into dir and starts tamp with args on its config
// there, stderr kept.
func startTamp(t *testing.T, env []string, dir string, files map[string]string, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(tampDir, "tamp"), append(args, "--config", filepath.Join(dir, "tamp.yaml"))...)
	cmd.Env = env
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stderr
}

// interruptAfter sends SIGINT once stderr says text (and a moment more,
// for tamp to be waiting).
func interruptAfter(t *testing.T, cmd *exec.Cmd, stderr *lockedBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), text) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
}

// Ctrl-C while a canary is watched: exit 130, the canary task stopped
// (none left running), the service never updated.
func TestCanaryInterrupted(t *testing.T) {
	px, env, ids := withCluster(t)
	dir := t.TempDir()
	files := map[string]string{
		"tamp.yaml": "region: ap-northeast-1\ncluster: app\nservices:\n  - name: web\n    service_definition: svc.json\n    task_definition: td.json\n" +
			"    canary: {healthy_for: 10m, timeout: 20m}\n",
		"td.json": `{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
			"containerDefinitions": [{"name": "app", "image": "busybox:v1", "memory": 128, "command": ["sleep", "infinity"],
			"healthCheck": {"command": ["CMD-SHELL", "exit 0"]}}]}`,
		"svc.json": fmt.Sprintf(`{"launchType": "FARGATE", "desiredCount": 1, "networkConfiguration": {"awsvpcConfiguration":
			{"subnets": [%q], "securityGroups": [%q]}}}`, ids["SUBNET_A"], ids["SECURITY_GROUP"]),
	}
	cmd, stderr := startTamp(t, env, dir, files, "deploy")
	interruptAfter(t, cmd, stderr, "watching it for 10m0s")
	err := cmd.Wait()
	out := stderr.String()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d (%v), want 130; stderr:\n%s", code, err, out)
	}
	if !strings.Contains(out, "web: canary stopped: ") || strings.Contains(out, "web: created") {
		t.Errorf("stderr:\n%s", out)
	}
	running, err := runningTasks(context.Background(), proxyConfig(px))
	if err != nil || len(running) != 0 {
		t.Errorf("tasks left running: %v (%v)", running, err)
	}
	if n := px.Counts()["ecs.CreateService"]; n != 0 {
		t.Errorf("CreateService called %d times", n)
	}
}
