package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
