package awscall

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
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
		switch attempts.Add(1) {
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
