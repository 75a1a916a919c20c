// Package awscall makes SigV4-signed calls to the few AWS APIs tamp uses
// without their SDK clients: IAM, EC2 and Elastic Load Balancing (query
// protocol, XML answers), ECR (JSON protocol), Lambda's function reads
// (REST GETs with JSON answers), and S3's reads of state objects (package
// tfstate builds those requests). Each SDK client would
// add megabytes to the binary for one or two read-only calls.
//
// Every call goes through Client.Do: the configuration's credentials and
// HTTP client (AWS_CA_BUNDLE, proxies), the partition's endpoints, one
// retry policy (throttling, 5xx and dropped connections, with jittered
// backoff) and the --debug trace line. Query and JSON decode answers into
// the caller's structs; error answers become smithy.APIError values with
// the service's code, so callers test codes the same way for every client.
//
// It does not know S3's addressing or its answers' shapes: tfstate does.
package awscall

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
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
	// S3Signing is S3's variant of SigV4: the path signed as sent (the
	// caller encodes keys once) and the payload hash sent in
	// X-Amz-Content-Sha256.
	S3Signing bool
}

// The services tamp calls this way.
var (
	IAM   = Service{ID: "IAM", SigningName: "iam", EndpointEnv: "IAM", Host: "iam", Global: true, Version: "2010-05-08"}
	EC2   = Service{ID: "EC2", SigningName: "ec2", EndpointEnv: "EC2", Host: "ec2", Version: "2016-11-15"}
	ELBv2 = Service{ID: "ElasticLoadBalancingV2", SigningName: "elasticloadbalancing", EndpointEnv: "ELASTIC_LOAD_BALANCING_V2",
		Host: "elasticloadbalancing", Version: "2015-12-01"}
	ECR = Service{ID: "ECR", SigningName: "ecr", EndpointEnv: "ECR", Host: "api.ecr", TargetPref: "AmazonEC2ContainerRegistry_V20150921"}
	// Lambda is asked with REST GETs (Get): the path names the resource.
	Lambda = Service{ID: "Lambda", SigningName: "lambda", EndpointEnv: "LAMBDA", Host: "lambda"}
	// S3 requests name their URL: S3 addresses buckets by host or path.
	S3 = Service{ID: "S3", SigningName: "s3", EndpointEnv: "S3", Host: "s3", S3Signing: true}
)

// Client calls one service in one region.
type Client struct {
	Service     Service
	Region      string
	Credentials aws.CredentialsProvider
	// Endpoint overrides AWS's endpoint ("" → AWS_ENDPOINT_URL_<ID>,
	// AWS_ENDPOINT_URL, then AWS's own).
	Endpoint string
	HTTP     aws.HTTPClient // cfg.HTTPClient (CA bundle, proxies, timeouts); nil → http.DefaultTransport
	Trace    io.Writer      // non-nil → one line per call, as --debug prints
	// Sleep waits between attempts; nil → a timer (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for svc in cfg's region (or region when not ""),
// with cfg's credentials, HTTP client and custom endpoint
// (AWS_ENDPOINT_URL_<svc>, AWS_ENDPOINT_URL).
func New(cfg aws.Config, svc Service, region string, trace io.Writer) *Client {
	if region == "" {
		region = cfg.Region
	}
	return &Client{Service: svc, Region: region, Credentials: cfg.Credentials, Endpoint: endpointFor(svc, aws.ToString(cfg.BaseEndpoint)),
		HTTP: frozen(cfg.HTTPClient), Trace: trace}
}

// endpointFor is the custom endpoint the environment sets for svc, if any.
func endpointFor(svc Service, base string) string {
	if v := os.Getenv("AWS_ENDPOINT_URL_" + svc.EndpointEnv); v != "" {
		return v
	}
	return base
}

// url and signing region of a call.
func (c *Client) target() (string, string) {
	if c.Endpoint != "" {
		region := c.Region
		if c.Service.Global {
			region = globalRegion(c.Region)
		}
		return strings.TrimSuffix(c.Endpoint, "/") + "/", region
	}
	suffix := DNSSuffix(c.Region)
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

// DNSSuffix is the domain of region's partition: amazonaws.com.cn for
// China, the isolated partitions' own, amazonaws.com for the rest
// (GovCloud included).
func DNSSuffix(region string) string {
	for _, p := range []struct{ prefix, suffix string }{
		{"cn-", "amazonaws.com.cn"},
		{"us-iso-", "c2s.ic.gov"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"us-isof-", "csp.hci.ic.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
		{"eusc-", "amazonaws.eu"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.suffix
		}
	}
	return "amazonaws.com"
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
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	return c.call(ctx, action, body, header, func(answer []byte) error {
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
	header := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {c.Service.TargetPref + "." + operation}}
	return c.call(ctx, operation, body, header, func(answer []byte) error {
		if out == nil {
			return nil
		}
		return json.Unmarshal(answer, out)
	}, jsonError)
}

// Get reads a REST resource: a GET of path (escaped, with its query) under
// the service's endpoint, its JSON answer decoded into out.
func (c *Client) Get(ctx context.Context, operation, path string, out any) error {
	endpoint, _ := c.target()
	u := strings.TrimSuffix(endpoint, "/") + path
	resp, err := c.Do(ctx, Request{Op: operation, Method: http.MethodGet, URL: u, Buffer: true, Error: jsonError})
	return c.decode(operation, resp, err, func(answer []byte) error { return json.Unmarshal(answer, out) })
}

// call runs a POST through Do and decodes its answer. Errors are the
// service's API errors themselves, as the SDK's would unwrap to.
func (c *Client) call(ctx context.Context, op string, body []byte, header http.Header, decode func([]byte) error, apiError func(int, []byte) *smithy.GenericAPIError) error {
	resp, err := c.Do(ctx, Request{Op: op, Header: header, Body: body, Buffer: true, Error: apiError})
	return c.decode(op, resp, err, decode)
}

// decode reads a buffered answer of Do, or returns the service's API
// error itself, as the SDK's would unwrap to.
func (c *Client) decode(op string, resp *http.Response, err error, decode func([]byte) error) error {
	if err != nil {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			return re.Err
		}
		return err
	}
	answer, err := io.ReadAll(resp.Body) // buffered by Do
	resp.Body.Close()
	if err == nil {
		err = decode(answer)
	}
	if err != nil {
		return fmt.Errorf("%s %s: decode the answer: %w", c.Service.ID, op, err)
	}
	return nil
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
