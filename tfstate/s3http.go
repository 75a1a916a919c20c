package tfstate

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// emptySHA256 is the SHA-256 of an empty payload, which signed GET and HEAD
// requests declare.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// HTTPS3 makes the two S3 calls reading a state needs (GetObject,
// HeadBucket; HeadObject for verify) as SigV4-signed HTTP requests. The SDK's S3 client would
// add five megabytes to tamp for them.
type HTTPS3 struct {
	Credentials aws.CredentialsProvider
	Region      string
	// Endpoint is a custom endpoint (AWS_ENDPOINT_URL_S3 or
	// AWS_ENDPOINT_URL), addressed path-style; "" for AWS's.
	Endpoint string
	HTTP     *http.Client
}

var _ S3API = (*HTTPS3)(nil)

// NewHTTPS3 is an S3 client for cfg's region and credentials, at
// endpoint (AWS_ENDPOINT_URL_S3) when set, else cfg's (AWS_ENDPOINT_URL).
func NewHTTPS3(cfg aws.Config, endpoint string) *HTTPS3 {
	if endpoint == "" {
		endpoint = aws.ToString(cfg.BaseEndpoint)
	}
	return &HTTPS3{Credentials: cfg.Credentials, Region: cfg.Region, Endpoint: endpoint}
}

// GetObject GETs an object.
func (c *HTTPS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	resp, err := c.do(ctx, http.MethodGet, aws.ToString(in.Bucket), aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	return &s3.GetObjectOutput{Body: resp.Body, ContentLength: aws.Int64(resp.ContentLength)}, nil
}

// HeadBucket asks a bucket where it lives.
func (c *HTTPS3) HeadBucket(ctx context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	resp, err := c.do(ctx, http.MethodHead, aws.ToString(in.Bucket), "")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &s3.HeadBucketOutput{BucketRegion: aws.String(resp.Header.Get("X-Amz-Bucket-Region"))}, nil
}

// HeadObject asks whether an object exists (verify's environment files).
func (c *HTTPS3) HeadObject(ctx context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	resp, err := c.do(ctx, http.MethodHead, aws.ToString(in.Bucket), aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(resp.ContentLength)}, nil
}

func (c *HTTPS3) url(bucket, key string) string {
	path := "/" + escapeKey(key)
	if key == "" {
		path = ""
	}
	switch {
	case c.Endpoint != "":
		return strings.TrimSuffix(c.Endpoint, "/") + "/" + bucket + path
	case strings.Contains(bucket, "."): // not a valid host label under TLS
		return fmt.Sprintf("https://s3.%s.amazonaws.com/%s%s", c.Region, bucket, path)
	}
	return fmt.Sprintf("https://%s.s3.%s.amazonaws.com%s", bucket, c.Region, path)
}

// escapeKey encodes a key once, as S3 signs it: every byte but the
// unreserved characters of RFC 3986 and "/".
func escapeKey(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// noRedirects answers redirects as they are: a redirect to another region
// must be seen (and would lose the signature if followed).
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signer signs for S3, which takes the path as sent (encoded once).
var signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })

// do sends a signed request, retrying throttling and 5xx answers a few
// times, and turns error answers into API errors with S3's codes.
func (c *HTTPS3) do(ctx context.Context, method, bucket, key string) (*http.Response, error) {
	client := c.HTTP
	if client == nil {
		client = noRedirects
	}
	var lastErr error
	for attempt := range 4 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 200 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, c.url(bucket, key), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		if err := signer.SignHTTP(ctx, creds, req, emptySHA256, "s3", c.Region, time.Now()); err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		if resp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := answerError(resp)
		if resp.StatusCode >= 500 || apiErr.Code == "SlowDown" {
			lastErr = apiErr
			continue
		}
		return nil, &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: apiErr}
	}
	return nil, lastErr
}

// answerError reads S3's XML error (HEAD answers have none: the status says it).
func answerError(resp *http.Response) *smithy.GenericAPIError {
	defer resp.Body.Close()
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = xml.Unmarshal(body, &doc)
	if doc.Code == "" {
		switch resp.StatusCode {
		case http.StatusNotFound:
			doc.Code = "NotFound"
		case http.StatusForbidden:
			doc.Code = "Forbidden"
		case http.StatusMovedPermanently:
			doc.Code = "PermanentRedirect"
		default:
			doc.Code = fmt.Sprintf("HTTP%d", resp.StatusCode)
		}
	}
	return &smithy.GenericAPIError{Code: doc.Code, Message: doc.Message}
}
