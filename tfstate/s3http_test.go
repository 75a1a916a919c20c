package tfstate

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestHTTPS3(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/") ||
			!strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/s3/aws4_request") {
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
	c := &HTTPS3{Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), Region: "eu-west-1", Endpoint: srv.URL}
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
	c := &HTTPS3{Region: "ap-northeast-1"}
	for _, tt := range []struct{ bucket, key, want string }{
		{"states", "a/b.tfstate", "https://states.s3.ap-northeast-1.amazonaws.com/a/b.tfstate"},
		{"my.states", "k", "https://s3.ap-northeast-1.amazonaws.com/my.states/k"},
		{"states", "", "https://states.s3.ap-northeast-1.amazonaws.com"},
	} {
		if got := c.url(tt.bucket, tt.key); got != tt.want {
			t.Errorf("url(%q, %q) = %q, want %q", tt.bucket, tt.key, got, tt.want)
		}
	}
}

func TestEscapeKey(t *testing.T) {
	if got := escapeKey("env:/stg/app one/ü+x.tfstate"); got != "env%3A/stg/app%20one/%C3%BC%2Bx.tfstate" {
		t.Errorf("escapeKey = %s", got)
	}
}
