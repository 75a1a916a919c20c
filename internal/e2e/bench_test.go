package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkDeployAndRollback times the tamp process for `deploy` (new
// image, wait) and `rollback` (wait) of one service, against the emulator
// completing each rollout on the first poll. Whatever the process takes is
// tamp's own overhead: API calls and start-up, no fixed sleeps.
// (kayac/ecspresso spends 6 s and 9 s in fixed sleeps on the same work.)
func BenchmarkDeployAndRollback(b *testing.B) {
	if buildErr != nil || motoErr != nil {
		b.Fatalf("harness: %v %v", buildErr, motoErr)
	}
	account := fmt.Sprintf("%012d", 900000000000+accountID.Add(1))
	px, err := NewProxy(moto.URL, account)
	if err != nil {
		b.Fatal(err)
	}
	defer px.Close()
	ctx := context.Background()
	if err := seedCluster(ctx, proxyConfig(px), "app"); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("tamp.yaml", "region: ap-northeast-1\ncluster: app\nservices:\n  - name: web\n    service_definition: svc.json\n    task_definition: td.json\n")
	write("td.json", "{\"family\": \"web\", \"containerDefinitions\": [{\"name\": \"app\", \"image\": \"busybox:{{ must_env `IMAGE_TAG` }}\", \"memory\": 128}]}")
	write("svc.json", `{"desiredCount": 1}`)
	env := append(os.Environ(), "AWS_ENDPOINT_URL="+px.URL, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=ap-northeast-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	run := func(tag string, args ...string) time.Duration {
		cmd := exec.Command(filepath.Join(tampDir, "tamp"), append(args, "--config", filepath.Join(dir, "tamp.yaml"))...)
		cmd.Env = append(env, "IMAGE_TAG="+tag)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tamp %v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	run("v0", "deploy")
	var deploy, rollback time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		deploy += run(fmt.Sprintf("v%d", i+1), "deploy")
		rollback += run("", "rollback")
	}
	b.ReportMetric(deploy.Seconds()/float64(b.N), "deploy-s/op")
	b.ReportMetric(rollback.Seconds()/float64(b.N), "rollback-s/op")
}

// BenchmarkScheduledSync times `tamp scheduled sync` with 100 scheduled
// tasks and nothing changed, behind a proxy adding 50 ms to every call (a
// typical AWS round trip; bare moto answers one call at a time, so
// concurrency shows nothing without it): at the default concurrency, and
// with the same calls made one after another (--concurrency 1). It fails
// if the sync makes more than N + 3 calls or writes anything.
func BenchmarkScheduledSync(b *testing.B) {
	const n = 100
	if buildErr != nil || motoErr != nil {
		b.Fatalf("harness: %v %v", buildErr, motoErr)
	}
	account := fmt.Sprintf("%012d", 900000000000+accountID.Add(1))
	px, err := NewProxy(moto.URL, account)
	if err != nil {
		b.Fatal(err)
	}
	defer px.Close()
	dir := b.TempDir()
	var tasks strings.Builder
	for i := range n {
		fmt.Fprintf(&tasks, "- { name: job-%03d, schedule: \"rate(%d hours)\", command: [bin/batch, job-%03d] }\n", i, i+2, i)
	}
	for name, body := range map[string]string{
		"tamp.yaml": "region: ap-northeast-1\ncluster: app\ntask_definitions: [{name: batch, path: batch.json}]\n" +
			"scheduled:\n  group: bench\n  role_arn: arn:aws:iam::123456789012:role/scheduler\n  defaults: { task_definition: batch }\n  tasks_file: tasks.yaml\n",
		"batch.json": `{"family": "batch", "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128}]}`,
		"tasks.yaml": tasks.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	env := append(os.Environ(), "AWS_ENDPOINT_URL="+px.URL, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=ap-northeast-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	sync := func(args ...string) time.Duration {
		cmd := exec.Command(filepath.Join(tampDir, "tamp"), append([]string{"scheduled", "sync", "--config", filepath.Join(dir, "tamp.yaml")}, args...)...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tamp scheduled sync: %v\n%s", err, out)
		}
		return time.Since(start)
	}
	sync() // create them all
	px.SetLatency(50 * time.Millisecond)
	var concurrent, sequential time.Duration
	b.ResetTimer()
	for b.Loop() {
		px.ResetCounts()
		concurrent += sync()
		total, writes := 0, 0
		for op, c := range px.Counts() {
			total += c
			if Mutating(op) {
				writes += c
			}
		}
		if total > n+3 || writes > 0 {
			b.Fatalf("%d calls (%d writes) for %d unchanged tasks; want at most %d and none:\n%s", total, writes, n, n+3, Summary(px.Counts()))
		}
		sequential += sync("--concurrency", "1")
	}
	b.ReportMetric(concurrent.Seconds()/float64(b.N), "sync-s/op")
	b.ReportMetric(sequential.Seconds()/float64(b.N), "one-by-one-s/op")
	b.ReportMetric(float64(sequential)/float64(concurrent), "speedup")
}
