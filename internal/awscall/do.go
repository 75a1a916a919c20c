package awscall

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// Request is one call, built anew for every attempt.
type Request struct {
	Op     string      // the operation, for traces and errors: "GetRole", "GetObject"
	Method string      // "" → POST
	URL    string      // "" → the service's endpoint
	Header http.Header // sent and signed as given
	Body   []byte
	// Buffer reads the whole answer inside the retry loop, so an answer
	// cut off mid-read is asked again; without it the caller streams the
	// body (and handles a cut-off itself).
	Buffer bool
	// Error reads an error answer's code and message (HEAD answers have
	// no body: the status says it).
	Error func(status int, body []byte) *smithy.GenericAPIError
}

// MaxAttempts bounds retries of throttled, 5xx and dropped calls.
const MaxAttempts = 6

// Do sends r signed with the client's credentials, retrying throttling,
// 5xx answers and dropped connections with backoff, and traces it once,
// after its retries. A 2xx answer is returned for the caller to read and
// close. Any other answer is a *smithyhttp.ResponseError: its status and
// headers, and the service's error (a smithy.APIError) from r.Error.
//
// Redirects are not followed: a signed request sent elsewhere loses its
// signature, and S3 tells a bucket's region by one.
func (c *Client) Do(ctx context.Context, r Request) (resp *http.Response, err error) {
	if c.Trace != nil {
		start := time.Now()
		defer func() { c.trace(r.Op, err, time.Since(start)) }()
	}
	sum := sha256.Sum256(r.Body)
	payloadHash := hex.EncodeToString(sum[:])
	endpoint, signingRegion := c.target()
	if r.URL != "" {
		endpoint = r.URL
	}
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	client := c.httpClient()
	var lastErr error
	for attempt := range MaxAttempts {
		if attempt > 0 {
			if err := c.wait(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(r.Body))
		if err != nil {
			return nil, err
		}
		for k, v := range r.Header {
			req.Header[http.CanonicalHeaderKey(k)] = v
		}
		if c.Service.S3Signing {
			req.Header.Set("X-Amz-Content-Sha256", payloadHash)
		}
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		if err := c.signer().SignHTTP(ctx, creds, req, payloadHash, c.Service.SigningName, signingRegion, time.Now()); err != nil {
			return nil, err
		}
		// Unsigned, as the SDK sends it: which attempt this is.
		req.Header.Set("Amz-Sdk-Request", fmt.Sprintf("attempt=%d; max=%d", attempt+1, MaxAttempts))
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = fmt.Errorf("%s %s: %w", c.Service.ID, r.Op, err)
			continue
		}
		if resp.StatusCode < 300 {
			if !r.Buffer {
				return resp, nil
			}
			answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
			resp.Body.Close()
			if err != nil {
				lastErr = fmt.Errorf("%s %s: %w", c.Service.ID, r.Op, err)
				continue
			}
			resp.Body = io.NopCloser(bytes.NewReader(answer))
			return resp, nil
		}
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		apiErr := r.Error(resp.StatusCode, answer)
		if t := resp.Header.Get("X-Amzn-Errortype"); t != "" && strings.HasPrefix(apiErr.Code, "HTTP") {
			// REST-JSON services (Lambda) name the error in a header:
			// "ResourceNotFoundException:http://internal.amazon.com/...".
			apiErr.Code, _, _ = strings.Cut(t, ":")
		}
		respErr := &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: apiErr}
		if resp.StatusCode >= 500 || throttling[apiErr.Code] {
			lastErr = respErr
			continue
		}
		return nil, respErr
	}
	return nil, lastErr
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

// Signers: most services sign the path escaped once more; S3 signs it as
// sent (its keys are encoded once by the caller).
var (
	signer   = v4.NewSigner()
	s3Signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
)

func (c *Client) signer() *v4.Signer {
	if c.Service.S3Signing {
		return s3Signer
	}
	return signer
}

// httpClient is c.HTTP answering redirects as they are. An *http.Client
// is copied for that (the copy shares its transport and connections); an
// HTTP client of another kind is used as it is.
func (c *Client) httpClient() aws.HTTPClient {
	switch h := c.HTTP.(type) {
	case nil:
		return &http.Client{CheckRedirect: useLastResponse}
	case *http.Client:
		cp := *h
		cp.CheckRedirect = useLastResponse
		return &cp
	}
	return c.HTTP
}

func useLastResponse(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// frozen turns the SDK's buildable HTTP client (cfg.HTTPClient unless a
// program sets its own; it carries AWS_CA_BUNDLE, proxies and timeouts)
// into the *http.Client it builds once, so Do can stop it following
// redirects and still keep one connection pool. Other clients are
// returned as they are.
func frozen(h aws.HTTPClient) aws.HTTPClient {
	if b, ok := h.(*awshttp.BuildableClient); ok {
		return b.Freeze()
	}
	return h
}

var traceMu sync.Mutex

func (c *Client) trace(op string, err error, took time.Duration) {
	line := awsclient.TraceLine(c.Service.ID, op, err, took)
	traceMu.Lock()
	defer traceMu.Unlock()
	io.WriteString(c.Trace, line)
}
