// Package awscall makes SigV4-signed calls to the few AWS APIs tamp uses
// without their SDK clients: IAM, EC2 and Elastic Load Balancing (query
// protocol, XML answers) and ECR (JSON protocol). Each SDK client would
// add megabytes to the binary for one or two read-only calls.
//
// Answers are decoded into the caller's structs; error answers become
// smithy.APIError values with the service's code, so callers test codes
// the same way for every client. Throttling, 5xx and dropped connections
// are retried with backoff.
package awscall

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// Service describes one AWS API: how it is signed and where it answers.
type Service struct {
	ID          string // for traces and errors: "IAM", "EC2"
	SigningName string // "iam", "ec2", "elasticloadbalancing", "ecr"
	EndpointEnv string // suffix of AWS_ENDPOINT_URL_<...>: "IAM", "EC2"
	Host        string // host prefix: "iam", "ec2", "elasticloadbalancing", "api.ecr"
	Global      bool   // one endpoint per partition (IAM)
	Version     string // query protocol API version; "" for JSON
	TargetPref  string // JSON protocol X-Amz-Target prefix
}

// The services tamp calls this way.
var (
	IAM   = Service{ID: "IAM", SigningName: "iam", EndpointEnv: "IAM", Host: "iam", Global: true, Version: "2010-05-08"}
	EC2   = Service{ID: "EC2", SigningName: "ec2", EndpointEnv: "EC2", Host: "ec2", Version: "2016-11-15"}
	ELBv2 = Service{ID: "ElasticLoadBalancingV2", SigningName: "elasticloadbalancing", EndpointEnv: "ELASTIC_LOAD_BALANCING_V2",
		Host: "elasticloadbalancing", Version: "2015-12-01"}
	ECR = Service{ID: "ECR", SigningName: "ecr", EndpointEnv: "ECR", Host: "api.ecr", TargetPref: "AmazonEC2ContainerRegistry_V20150921"}
)

// Client calls one service in one region.
type Client struct {
	Service     Service
	Region      string
	Credentials aws.CredentialsProvider
	// Endpoint overrides AWS's endpoint ("" → AWS_ENDPOINT_URL_<ID>,
	// AWS_ENDPOINT_URL, then AWS's own).
	Endpoint string
	HTTP     aws.HTTPClient // cfg.HTTPClient (CA bundle, timeouts); nil → http.DefaultClient
	Trace    io.Writer      // non-nil → one line per call, as --debug prints
	// Sleep waits between attempts; nil → a timer (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for svc in cfg's region (or region when not ""),
// with cfg's credentials and custom endpoint (AWS_ENDPOINT_URL).
func New(cfg aws.Config, svc Service, region string, trace io.Writer) *Client {
	if region == "" {
		region = cfg.Region
	}
	return &Client{Service: svc, Region: region, Credentials: cfg.Credentials, Endpoint: endpointFor(svc, aws.ToString(cfg.BaseEndpoint)),
		HTTP: cfg.HTTPClient, Trace: trace}
}

// endpointFor is the custom endpoint the environment sets for svc, if any.
func endpointFor(svc Service, base string) string {
	if v := os.Getenv("AWS_ENDPOINT_URL_" + svc.EndpointEnv); v != "" {
		return v
	}
	return base
}

// MaxAttempts bounds retries of throttled, 5xx and dropped calls.
const MaxAttempts = 6

// url and signing region of a call.
func (c *Client) target() (string, string) {
	if c.Endpoint != "" {
		region := c.Region
		if c.Service.Global {
			region = globalRegion(c.Region)
		}
		return strings.TrimSuffix(c.Endpoint, "/") + "/", region
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(c.Region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	if c.Service.Global {
		region := globalRegion(c.Region)
		switch {
		case strings.HasPrefix(region, "cn-"):
			return fmt.Sprintf("https://%s.%s.%s/", c.Service.Host, region, suffix), region
		case strings.HasPrefix(region, "us-gov-"):
			return fmt.Sprintf("https://%s.us-gov.%s/", c.Service.Host, suffix), region
		}
		return fmt.Sprintf("https://%s.%s/", c.Service.Host, suffix), region
	}
	return fmt.Sprintf("https://%s.%s.%s/", c.Service.Host, c.Region, suffix), c.Region
}

// globalRegion is where a global service of region's partition signs.
func globalRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "cn-north-1"
	case strings.HasPrefix(region, "us-gov-"):
		return "us-gov-west-1"
	}
	return "us-east-1"
}

// Query calls a query-protocol action and decodes the XML answer into out
// (the ...Response element; out's fields name the ...Result children).
func (c *Client) Query(ctx context.Context, action string, params url.Values, out any) error {
	form := url.Values{"Action": {action}, "Version": {c.Service.Version}}
	for k, v := range params {
		form[k] = v
	}
	body := []byte(form.Encode())
	return c.call(ctx, action, body, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}, func(answer []byte) error {
		if out == nil {
			return nil
		}
		return xml.Unmarshal(answer, out)
	}, queryError)
}

// JSON calls a JSON-protocol operation.
func (c *Client) JSON(ctx context.Context, operation string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.call(ctx, operation, body, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", c.Service.TargetPref+"."+operation)
	}, func(answer []byte) error {
		if out == nil {
			return nil
		}
		return json.Unmarshal(answer, out)
	}, jsonError)
}

var signer = v4.NewSigner()

func (c *Client) call(ctx context.Context, op string, body []byte, headers func(*http.Request), decode func([]byte) error, apiError func(int, []byte) *smithy.GenericAPIError) (err error) {
	if c.Trace != nil {
		start := time.Now()
		defer func() { c.trace(op, err, time.Since(start)) }()
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	endpoint, signingRegion := c.target()
	var client aws.HTTPClient = http.DefaultClient
	if c.HTTP != nil {
		client = c.HTTP
	}
	var lastErr error
	for attempt := range MaxAttempts {
		if attempt > 0 {
			if err := c.wait(ctx, backoff(attempt)); err != nil {
				return err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		headers(req)
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil {
			return fmt.Errorf("AWS credentials: %w", err)
		}
		if err := signer.SignHTTP(ctx, creds, req, payloadHash, c.Service.SigningName, signingRegion, time.Now()); err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			lastErr = fmt.Errorf("%s %s: %w", c.Service.ID, op, err)
			continue
		}
		answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			lastErr = fmt.Errorf("%s %s: %w", c.Service.ID, op, err)
			continue
		}
		if resp.StatusCode < 300 {
			if err := decode(answer); err != nil {
				return fmt.Errorf("%s %s: decode the answer: %w", c.Service.ID, op, err)
			}
			return nil
		}
		apiErr := apiError(resp.StatusCode, answer)
		if resp.StatusCode >= 500 || throttling[apiErr.Code] {
			lastErr = apiErr
			continue
		}
		return apiErr
	}
	return lastErr
}

// throttling are the codes AWS answers when a caller goes too fast.
var throttling = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestThrottledException": true,
	"TooManyRequestsException": true, "RequestLimitExceeded": true, "SlowDown": true, "RequestThrottled": true,
}

// backoff is the pause before attempt n (1, 2, ...): exponential with full
// jitter, at most 5 s.
func backoff(n int) time.Duration {
	ceiling := min(100*time.Millisecond<<n, 5*time.Second)
	return ceiling/2 + rand.N(ceiling/2)
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return awsclient.Sleep(ctx, d)
}

var traceMu sync.Mutex

func (c *Client) trace(op string, err error, took time.Duration) {
	line := awsclient.TraceLine(c.Service.ID, op, err, took)
	traceMu.Lock()
	defer traceMu.Unlock()
	io.WriteString(c.Trace, line)
}

// queryError reads `<ErrorResponse><Error><Code>` (IAM, ELB) or
// `<Response><Errors><Error><Code>` (EC2).
func queryError(status int, body []byte) *smithy.GenericAPIError {
	var doc struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
		EC2     struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		} `xml:"Errors"`
	}
	_ = xml.Unmarshal(body, &doc)
	if doc.Code == "" {
		doc.Code, doc.Message = doc.EC2.Code, doc.EC2.Message
	}
	return withStatus(status, doc.Code, doc.Message)
}

// jsonError reads `{"__type": "ns#Code", "message": "..."}`.
func jsonError(status int, body []byte) *smithy.GenericAPIError {
	var doc struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	_ = json.Unmarshal(body, &doc)
	code := doc.Type
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if doc.Message == "" {
		doc.Message = doc.Message2
	}
	return withStatus(status, code, doc.Message)
}

func withStatus(status int, code, message string) *smithy.GenericAPIError {
	if code == "" {
		code = fmt.Sprintf("HTTP%d", status)
	}
	return &smithy.GenericAPIError{Code: code, Message: message}
}
