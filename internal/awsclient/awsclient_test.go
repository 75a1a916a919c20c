package awsclient

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
}

func TestLoadRegionAndRetries(t *testing.T) {
	isolate(t)
	if _, err := Load(context.Background(), Options{}); err == nil {
		t.Error("no region: want an error")
	}
	cfg, err := Load(context.Background(), Options{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("region = %q", cfg.Region)
	}
	if got := cfg.Retryer().MaxAttempts(); got != maxAttempts {
		t.Errorf("max attempts = %d, want %d", got, maxAttempts)
	}
}

// The trace names each operation once, after its retries, with the error
// code when it failed; the retryer retries a throttled call.
func TestTraceAndRetry(t *testing.T) {
	isolate(t)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>slow down</Message></Error></ErrorResponse>`))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>`))
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	var trace bytes.Buffer
	cfg, err := Load(context.Background(), Options{Region: "us-east-1", Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Fatal("want AccessDenied")
	}
	if calls != 2 {
		t.Errorf("server saw %d calls, want 2 (one throttled, retried once)", calls)
	}
	if !regexp.MustCompile(`^aws STS\.GetCallerIdentity error AccessDenied [0-9.]+(ms|s)\n$`).MatchString(trace.String()) {
		t.Errorf("trace = %q", trace.String())
	}
}
