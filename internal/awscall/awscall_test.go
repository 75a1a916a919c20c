package awscall

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func testClient(svc Service, endpoint string) *Client {
	return &Client{Service: svc, Region: "eu-west-1", Endpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Sleep:       func(context.Context, time.Duration) error { return nil }}
}

func TestQuerySignsRetriesAndDecodes(t *testing.T) {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		auth := r.Header.Get("Authorization")
		// IAM is global: signed for us-east-1 whatever the client's region.
		if !strings.Contains(auth, "/us-east-1/iam/aws4_request") || form.Get("Action") != "GetRole" ||
			form.Get("Version") != "2010-05-08" || form.Get("RoleName") != "app" {
			t.Errorf("request: auth %q form %v", auth, form)
		}
		n := attempts.Add(1)
		if got, want := r.Header.Get("Amz-Sdk-Request"), fmt.Sprintf("attempt=%d; max=%d", n, MaxAttempts); got != want {
			t.Errorf("attempt %d: amz-sdk-request %q, want %q", n, got, want)
		}
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>slow down</Message></Error></ErrorResponse>`)
		default:
			io.WriteString(w, `<GetRoleResponse><GetRoleResult><Role><Arn>arn:aws:iam::1:role/app</Arn></Role></GetRoleResult></GetRoleResponse>`)
		}
	}))
	defer srv.Close()
	var trace bytes.Buffer
	c := testClient(IAM, srv.URL)
	c.Trace = &trace
	var out struct {
		Arn string `xml:"GetRoleResult>Role>Arn"`
	}
	if err := c.Query(context.Background(), "GetRole", url.Values{"RoleName": {"app"}}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Arn != "arn:aws:iam::1:role/app" || attempts.Load() != 3 {
		t.Errorf("arn %q after %d attempts", out.Arn, attempts.Load())
	}
	if !strings.HasPrefix(trace.String(), "aws IAM.GetRole ok ") {
		t.Errorf("trace %q", trace.String())
	}
}

func TestErrorsCarryTheServiceCode(t *testing.T) {
	for _, tc := range []struct {
		svc  Service
		body string
		code string
	}{
		{IAM, `<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>no role</Message></Error></ErrorResponse>`, "NoSuchEntity"},
		{EC2, `<Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code><Message>x</Message></Error></Errors></Response>`, "InvalidSubnetID.NotFound"},
		{ECR, `{"__type":"com.amazonaws.ecr#ImageNotFoundException","message":"gone"}`, "ImageNotFoundException"},
		{ECR, ``, "HTTP400"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.svc.TargetPref != "" && r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.DescribeImages" {
				t.Errorf("target %q", r.Header.Get("X-Amz-Target"))
			}
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, tc.body)
		}))
		c := testClient(tc.svc, srv.URL)
		var err error
		if tc.svc.TargetPref != "" {
			err = c.JSON(context.Background(), "DescribeImages", map[string]any{}, nil)
		} else {
			err = c.Query(context.Background(), "Op", nil, nil)
		}
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%s: error %v, want code %s", tc.svc.ID, err, tc.code)
		}
		srv.Close()
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	err := testClient(EC2, srv.URL).Query(context.Background(), "DescribeSubnets", nil, nil)
	if err == nil || attempts.Load() != MaxAttempts {
		t.Errorf("err %v after %d attempts", err, attempts.Load())
	}
}

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		svc           Service
		region        string
		url, signedIn string
	}{
		{IAM, "ap-northeast-1", "https://iam.amazonaws.com/", "us-east-1"},
		{IAM, "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1"},
		{IAM, "us-gov-east-1", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1"},
		{EC2, "eu-west-1", "https://ec2.eu-west-1.amazonaws.com/", "eu-west-1"},
		{ECR, "cn-north-1", "https://api.ecr.cn-north-1.amazonaws.com.cn/", "cn-north-1"},
		{ELBv2, "us-east-2", "https://elasticloadbalancing.us-east-2.amazonaws.com/", "us-east-2"},
		{EC2, "us-gov-west-1", "https://ec2.us-gov-west-1.amazonaws.com/", "us-gov-west-1"},
		{EC2, "us-iso-east-1", "https://ec2.us-iso-east-1.c2s.ic.gov/", "us-iso-east-1"},
		{ECR, "eu-isoe-west-1", "https://api.ecr.eu-isoe-west-1.cloud.adc-e.uk/", "eu-isoe-west-1"},
	} {
		c := &Client{Service: tc.svc, Region: tc.region}
		if u, r := c.target(); u != tc.url || r != tc.signedIn {
			t.Errorf("%s in %s: %s signed in %s", tc.svc.ID, tc.region, u, r)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:9")
	if e := endpointFor(ECR, "http://base"); e != "http://127.0.0.1:9" {
		t.Errorf("service endpoint %q", e)
	}
	if e := endpointFor(EC2, "http://base"); e != "http://base" {
		t.Errorf("base endpoint %q", e)
	}
}

// Do is the core under Query, JSON and S3: a GET to the caller's URL,
// signed S3's way, streams a 2xx body; an error answer keeps its status
// and headers and carries the caller's reading of it.
func TestDoS3Style(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if r.Method != http.MethodGet || !strings.Contains(auth, "/eu-west-1/s3/aws4_request") ||
			r.Header.Get("X-Amz-Content-Sha256") != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
			t.Errorf("request %s %s: auth %q", r.Method, r.URL, auth)
		}
		if r.URL.EscapedPath() == "/b/a%20b" {
			io.WriteString(w, "state")
			return
		}
		w.Header().Set("X-Amz-Bucket-Region", "us-west-2")
		w.WriteHeader(http.StatusMovedPermanently)
	}))
	defer srv.Close()
	c := testClient(S3, "")
	readError := func(status int, body []byte) *smithy.GenericAPIError {
		return &smithy.GenericAPIError{Code: "PermanentRedirect"}
	}
	resp, err := c.Do(context.Background(), Request{Op: "GetObject", Method: http.MethodGet, URL: srv.URL + "/b/a%20b", Error: readError})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "state" {
		t.Errorf("body %q", body)
	}
	_, err = c.Do(context.Background(), Request{Op: "GetObject", Method: http.MethodGet, URL: srv.URL + "/elsewhere/k", Error: readError})
	var re *smithyhttp.ResponseError
	var ae smithy.APIError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusMovedPermanently || re.Response.Header.Get("X-Amz-Bucket-Region") != "us-west-2" ||
		!errors.As(err, &ae) || ae.ErrorCode() != "PermanentRedirect" {
		t.Errorf("error answer: %v", err)
	}
}

// New takes cfg's HTTP client (AWS_CA_BUNDLE, proxies): its transport
// sees the call.
func TestNewUsesTheConfigsHTTPClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<DescribeSubnetsResponse></DescribeSubnetsResponse>`)
	}))
	defer srv.Close()
	var seen atomic.Int32
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), BaseEndpoint: aws.String(srv.URL),
		HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		})}}
	t.Setenv("AWS_ENDPOINT_URL_EC2", "")
	if err := New(cfg, EC2, "", nil).Query(context.Background(), "DescribeSubnets", nil, nil); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != 1 {
		t.Errorf("the configuration's client saw %d calls, want 1", seen.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Get reads a REST resource: signed for the service, the path as given,
// the JSON answer decoded; a REST error names its code in a header.
func TestGetRESTJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/lambda/aws4_request") {
			t.Errorf("request %s %s: auth %q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		if r.URL.EscapedPath() == "/2015-03-31/functions/smoke/configuration" && r.URL.Query().Get("Qualifier") == "live" {
			io.WriteString(w, `{"FunctionArn": "arn:aws:lambda:eu-west-1:1:function:smoke:live", "State": "Active"}`)
			return
		}
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"Type": "User", "Message": "Function not found"}`)
	}))
	defer srv.Close()
	c := testClient(Lambda, srv.URL)
	var out struct{ FunctionArn, State string }
	if err := c.Get(context.Background(), "GetFunctionConfiguration", "/2015-03-31/functions/smoke/configuration?Qualifier=live", &out); err != nil {
		t.Fatal(err)
	}
	if out.FunctionArn != "arn:aws:lambda:eu-west-1:1:function:smoke:live" || out.State != "Active" {
		t.Errorf("answer %+v", out)
	}
	err := c.Get(context.Background(), "GetFunctionConfiguration", "/2015-03-31/functions/gone/configuration", &out)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" || ae.ErrorMessage() != "Function not found" {
		t.Errorf("error answer: %v", err)
	}
}
