package tfstate

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awscall"
)

// HTTPS3 makes the S3 calls reading a state needs (GetObject, HeadBucket;
// HeadObject for verify) through tamp's one signed-call path, awscall: the
// SDK's S3 client would add five megabytes to tamp for them. It only
// addresses S3 and reads its answers; signing, the HTTP client, retries
// and traces are awscall's.
type HTTPS3 struct {
	// Caller signs, sends, retries and traces. Its Region picks the
	// endpoint (and the partition's domain); its Endpoint, when set, is a
	// custom endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL),
	// addressed path-style. Its Service is awscall.S3.
	Caller *awscall.Client
}

var _ S3API = (*HTTPS3)(nil)

// NewHTTPS3 is an S3 client for cfg's region, credentials and HTTP client,
// at endpoint (AWS_ENDPOINT_URL_S3) when set, else cfg's
// (AWS_ENDPOINT_URL). A non-nil trace gets one --debug line per call.
func NewHTTPS3(cfg aws.Config, endpoint string, trace io.Writer) *HTTPS3 {
	if endpoint == "" {
		endpoint = aws.ToString(cfg.BaseEndpoint)
	}
	caller := awscall.New(cfg, awscall.S3, "", trace)
	caller.Endpoint = endpoint
	return &HTTPS3{Caller: caller}
}

// GetObject GETs an object; the caller reads and closes its body.
func (c *HTTPS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	resp, err := c.do(ctx, "GetObject", http.MethodGet, aws.ToString(in.Bucket), aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	return &s3.GetObjectOutput{Body: resp.Body, ContentLength: aws.Int64(resp.ContentLength)}, nil
}

// HeadBucket asks a bucket where it lives.
func (c *HTTPS3) HeadBucket(ctx context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	resp, err := c.do(ctx, "HeadBucket", http.MethodHead, aws.ToString(in.Bucket), "")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &s3.HeadBucketOutput{BucketRegion: aws.String(resp.Header.Get("X-Amz-Bucket-Region"))}, nil
}

// HeadObject asks whether an object exists (verify's environment files).
func (c *HTTPS3) HeadObject(ctx context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	resp, err := c.do(ctx, "HeadObject", http.MethodHead, aws.ToString(in.Bucket), aws.ToString(in.Key))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(resp.ContentLength)}, nil
}

// do sends one S3 request. Error answers come back as
// *smithyhttp.ResponseError (status and headers: WrongRegion and
// BucketRegion read them) wrapping S3's error code.
func (c *HTTPS3) do(ctx context.Context, op, method, bucket, key string) (*http.Response, error) {
	return c.Caller.Do(ctx, awscall.Request{Op: op, Method: method, URL: c.url(bucket, key), Error: s3Error})
}

func (c *HTTPS3) url(bucket, key string) string {
	path := "/" + escapeKey(key)
	if key == "" {
		path = ""
	}
	region, suffix := c.Caller.Region, awscall.DNSSuffix(c.Caller.Region)
	switch {
	case c.Caller.Endpoint != "":
		return strings.TrimSuffix(c.Caller.Endpoint, "/") + "/" + bucket + path
	case strings.Contains(bucket, "."): // not a valid host label under TLS
		return fmt.Sprintf("https://s3.%s.%s/%s%s", region, suffix, bucket, path)
	}
	return fmt.Sprintf("https://%s.s3.%s.%s%s", bucket, region, suffix, path)
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

// s3Error reads S3's XML error (HEAD answers have none: the status says it).
func s3Error(status int, body []byte) *smithy.GenericAPIError {
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.Unmarshal(body, &doc)
	if doc.Code == "" {
		switch status {
		case http.StatusNotFound:
			doc.Code = "NotFound"
		case http.StatusForbidden:
			doc.Code = "Forbidden"
		case http.StatusMovedPermanently:
			doc.Code = "PermanentRedirect"
		default:
			doc.Code = fmt.Sprintf("HTTP%d", status)
		}
	}
	return &smithy.GenericAPIError{Code: doc.Code, Message: doc.Message}
}
