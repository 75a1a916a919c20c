package tfstate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awscall"
)

// emptySHA256 is the SHA-256 of an empty payload, which signed GET and HEAD
// requests declare.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// testS3 is an HTTPS3 as NewHTTPS3 builds it, for eu-west-1, whose waits
// between attempts are instant and counted.
func testS3(endpoint string, httpClient aws.HTTPClient, trace io.Writer) (*HTTPS3, *[]time.Duration) {
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: httpClient}
	c := NewHTTPS3(cfg, endpoint, trace)
	var sleeps []time.Duration
	c.Caller.Sleep = func(_ context.Context, d time.Duration) error {
		sleeps = append(sleeps, d)
		return nil
	}
	return c, &sleeps
}

func TestHTTPS3(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/s3/aws4_request") ||
			!strings.Contains(auth, "x-amz-content-sha256") || r.Header.Get("X-Amz-Content-Sha256") != emptySHA256 {
			http.Error(w, "unsigned", http.StatusForbidden)
			return
		}
		switch r.URL.EscapedPath() {
		case "/states/env%3A/stg/app%20one/terraform.tfstate":
			io.WriteString(w, `{"version": 4}`)
		case "/flaky/k":
			if calls < 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "ok")
		case "/elsewhere/k":
			w.Header().Set("X-Amz-Bucket-Region", "us-west-2")
			w.WriteHeader(http.StatusMovedPermanently)
			io.WriteString(w, `<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message></Error>`)
		case "/elsewhere":
			w.Header().Set("X-Amz-Bucket-Region", "us-west-2")
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
		}
	}))
	defer srv.Close()
	c, _ := testS3(srv.URL, nil, nil)
	ctx := context.Background()

	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("env:/stg/app one/terraform.tfstate")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	if string(body) != `{"version": 4}` {
		t.Errorf("body %q", body)
	}

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("nope")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchKey" || s3Problem(err) != "no such object; check the key (and the workspace: TF_WORKSPACE)" {
		t.Errorf("missing key: %v", err)
	}

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("elsewhere"), Key: aws.String("k")})
	if !WrongRegion(err) {
		t.Errorf("a 301 is not seen as the wrong region: %v", err)
	}
	if region, err := BucketRegion(ctx, c, "elsewhere"); err != nil || region != "us-west-2" {
		t.Errorf("bucket region %q, %v", region, err)
	}

	calls = 0
	if out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("flaky"), Key: aws.String("k")}); err != nil || calls != 3 {
		t.Errorf("503s are retried: %v after %d calls", err, calls)
	} else {
		out.Body.Close()
	}
}

func TestHTTPS3URLs(t *testing.T) {
	for _, tt := range []struct{ region, bucket, key, want string }{
		{"ap-northeast-1", "states", "a/b.tfstate", "https://states.s3.ap-northeast-1.amazonaws.com/a/b.tfstate"},
		{"ap-northeast-1", "my.states", "k", "https://s3.ap-northeast-1.amazonaws.com/my.states/k"},
		{"ap-northeast-1", "states", "", "https://states.s3.ap-northeast-1.amazonaws.com"},
		{"cn-north-1", "states", "k", "https://states.s3.cn-north-1.amazonaws.com.cn/k"},
		{"cn-northwest-1", "my.states", "k", "https://s3.cn-northwest-1.amazonaws.com.cn/my.states/k"},
		{"us-gov-west-1", "states", "k", "https://states.s3.us-gov-west-1.amazonaws.com/k"},
	} {
		c := NewHTTPS3(aws.Config{Region: tt.region}, "", nil)
		if got := c.url(tt.bucket, tt.key); got != tt.want {
			t.Errorf("%s: url(%q, %q) = %q, want %q", tt.region, tt.bucket, tt.key, got, tt.want)
		}
	}
	c := NewHTTPS3(aws.Config{Region: "cn-north-1", BaseEndpoint: aws.String("http://127.0.0.1:4566/")}, "", nil)
	if got := c.url("states", "k"); got != "http://127.0.0.1:4566/states/k" {
		t.Errorf("a custom endpoint is addressed path-style: %s", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Without a custom endpoint a request goes to the region's partition, and
// is signed there; the transport answers, so nothing leaves the machine.
func TestHTTPS3PartitionEndpoint(t *testing.T) {
	for _, tt := range []struct{ region, want string }{
		{"cn-north-1", "states.s3.cn-north-1.amazonaws.com.cn/env%3A/a.tfstate"},
		{"us-gov-west-1", "states.s3.us-gov-west-1.amazonaws.com/env%3A/a.tfstate"},
		{"eu-central-1", "states.s3.eu-central-1.amazonaws.com/env%3A/a.tfstate"},
	} {
		var sent, auth string
		transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent, auth = r.URL.Host+r.URL.EscapedPath(), r.Header.Get("Authorization")
			return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
		})
		cfg := aws.Config{Region: tt.region, Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
			HTTPClient: &http.Client{Transport: transport}}
		out, err := NewHTTPS3(cfg, "", nil).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("env:/a.tfstate")})
		if err != nil {
			t.Fatalf("%s: %v", tt.region, err)
		}
		out.Body.Close()
		if sent != tt.want || !strings.Contains(auth, "/"+tt.region+"/s3/aws4_request") {
			t.Errorf("%s: sent to %q signed %q, want %q", tt.region, sent, auth, tt.want)
		}
	}
}

// S3 reads go through the configuration's HTTP client: a plain one, and
// the SDK's buildable one (how AWS_CA_BUNDLE and proxies reach it), whose
// proxy function sees every request. Neither follows a redirect.
func TestHTTPS3UsesTheConfigsHTTPClient(t *testing.T) {
	var hits, movedHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved/k":
			movedHits.Add(1)
			w.Header().Set("Location", "/states/k")
			w.WriteHeader(http.StatusTemporaryRedirect)
			io.WriteString(w, `<Error><Code>TemporaryRedirect</Code><Message>elsewhere</Message></Error>`)
		default:
			hits.Add(1)
			io.WriteString(w, "{}")
		}
	}))
	defer srv.Close()
	var seen atomic.Int32
	plain := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	buildable := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = func(*http.Request) (*url.URL, error) {
			seen.Add(1)
			return nil, nil
		}
	})
	for name, client := range map[string]aws.HTTPClient{"http.Client": plain, "BuildableClient": buildable} {
		hits.Store(0)
		movedHits.Store(0)
		seen.Store(0)
		c, _ := testS3(srv.URL, client, nil)
		out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("k")})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out.Body.Close()
		if seen.Load() != 1 || hits.Load() != 1 {
			t.Errorf("%s: the client saw %d requests, the server %d; want 1 and 1", name, seen.Load(), hits.Load())
		}
		_, err = c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("moved"), Key: aws.String("k")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "TemporaryRedirect" || movedHits.Load() != 1 || hits.Load() != 1 {
			t.Errorf("%s: a redirect is followed (%d, %d hits): %v", name, movedHits.Load(), hits.Load(), err)
		}
	}
}

// Throttling and 5xx answers are retried by awscall's policy: up to
// awscall.MaxAttempts, with jittered exponential pauses between them.
func TestHTTPS3RetriesSlowDown(t *testing.T) {
	for _, tt := range []struct {
		name      string
		failures  int // answers before the good one
		status    int
		body      string
		wantCalls int
		wantCode  string // "" → success
	}{
		{"slowdown twice", 2, http.StatusServiceUnavailable, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`, 3, ""},
		{"slowdown for ever", 100, http.StatusServiceUnavailable, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`, awscall.MaxAttempts, "SlowDown"},
		{"internal error once", 1, http.StatusInternalServerError, `<Error><Code>InternalError</Code></Error>`, 2, ""},
		{"access denied is final", 100, http.StatusForbidden, `<Error><Code>AccessDenied</Code><Message>no</Message></Error>`, 1, "AccessDenied"},
	} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if int(calls.Add(1)) <= tt.failures {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
				return
			}
			io.WriteString(w, "{}")
		}))
		c, sleeps := testS3(srv.URL, nil, nil)
		out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("k")})
		srv.Close()
		var ae smithy.APIError
		switch {
		case tt.wantCode == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantCode == "":
			out.Body.Close()
		case !errors.As(err, &ae) || ae.ErrorCode() != tt.wantCode:
			t.Errorf("%s: error %v, want code %s", tt.name, err, tt.wantCode)
		}
		if int(calls.Load()) != tt.wantCalls || len(*sleeps) != tt.wantCalls-1 {
			t.Errorf("%s: %d calls and %d pauses, want %d and %d", tt.name, calls.Load(), len(*sleeps), tt.wantCalls, tt.wantCalls-1)
		}
		for i, d := range *sleeps {
			ceiling := 100 * time.Millisecond << (i + 1)
			if d < ceiling/2 || d >= ceiling {
				t.Errorf("%s: pause %d is %v, want [%v, %v)", tt.name, i+1, d, ceiling/2, ceiling)
			}
		}
	}
}

// With a trace writer every call writes --debug's one line, after its
// retries, with S3's error code when it failed.
func TestHTTPS3Trace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/states/k":
			io.WriteString(w, "{}")
		case "/states":
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<Error><Code>NoSuchKey</Code><Message>none</Message></Error>`)
		}
	}))
	defer srv.Close()
	var trace bytes.Buffer
	c, _ := testS3(srv.URL, nil, &trace)
	ctx := context.Background()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("states"), Key: aws.String("nope")})
	c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("states")})
	want := regexp.MustCompile(`^aws S3\.GetObject ok \d+(\.\d+)?m?s\n` +
		`aws S3\.GetObject error NoSuchKey \d+(\.\d+)?m?s\n` +
		`aws S3\.HeadBucket ok \d+(\.\d+)?m?s\n$`)
	if !want.MatchString(trace.String()) {
		t.Errorf("trace %q", trace.String())
	}
}

// A state whose body breaks off mid-read is read again (source.go), also
// through the signed path: its GetObject hands over the body unread.
func TestHTTPS3BodyCutOffIsReadAgain(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := `{"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "x", "outputs": {}, "resources": []}`
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", "500") // and fewer bytes: the client sees the body cut off
			io.WriteString(w, state[:20])
			return
		}
		io.WriteString(w, state)
	}))
	defer srv.Close()
	c, _ := testS3(srv.URL, nil, nil)
	_, err := Open(context.Background(), "s3://states/terraform.tfstate", Sources{
		S3: func(context.Context, string) (S3API, error) { return c, nil },
	})
	if err != nil || calls.Load() != 2 {
		t.Errorf("after %d reads: %v", calls.Load(), err)
	}
}

func TestEscapeKey(t *testing.T) {
	if got := escapeKey("env:/stg/app one/ü+x.tfstate"); got != "env%3A/stg/app%20one/%C3%BC%2Bx.tfstate" {
		t.Errorf("escapeKey = %s", got)
	}
}
