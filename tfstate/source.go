package tfstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3API is the part of S3 that reading a state uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

// Sources says how to reach states that are not local files.
type Sources struct {
	// S3 returns a client for a region ("" for the default one). It is
	// called only when a state lives in S3.
	S3 func(ctx context.Context, region string) (S3API, error)
	// HTTP fetches http(s) states and talks to Terraform Cloud.
	HTTP *http.Client
	// LookupEnv reads TF_WORKSPACE, TFE_TOKEN and TF_TOKEN_<host>.
	LookupEnv func(string) (string, bool)
	// Workspace overrides TF_WORKSPACE; WorkspaceKeyPrefix is the S3
	// backend's (default "env:").
	Workspace          string
	WorkspaceKeyPrefix string
}

// Open reads the state at location:
//
//	path/to/terraform.tfstate   a local file (or file:// URL)
//	path/to/terraform-dir       a Terraform working directory: its backend
//	s3://bucket/key             an object in S3
//	https://host/path           an HTTP(S) URL
//	remote://host/org/workspace Terraform Cloud / Enterprise
func Open(ctx context.Context, location string, src Sources) (*State, error) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // "C:" is a path
		return openPath(ctx, location, src)
	}
	switch u.Scheme {
	case "file":
		// file://relative/x reads as host "relative"; keep it part of the path.
		return openPath(ctx, u.Host+u.Path, src)
	case "s3":
		key := strings.TrimPrefix(u.Path, "/")
		if u.Host == "" || key == "" {
			return nil, fmt.Errorf("%s: write an S3 state as s3://bucket/key", location)
		}
		return src.readS3(ctx, u.Host, src.workspaceKey(key, ""), "")
	case "http", "https":
		return src.readHTTP(ctx, location, "")
	case "remote":
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if u.Host == "" || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("%s: write a Terraform Cloud state as remote://HOST/ORGANIZATION/WORKSPACE", location)
		}
		return src.readRemote(ctx, u.Host, parts[0], parts[1])
	}
	return nil, fmt.Errorf("%s: unsupported state location; use a path, s3://, http(s):// or remote://", location)
}

func (src Sources) env(key string) string {
	lookup := src.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	v, _ := lookup(key)
	return v
}

// workspace is the selected Terraform workspace: the explicit one, else
// TF_WORKSPACE, else what `terraform workspace select` recorded in dir.
func (src Sources) workspace(dir string) string {
	if src.Workspace != "" {
		return src.Workspace
	}
	if ws := src.env("TF_WORKSPACE"); ws != "" {
		return ws
	}
	if dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, ".terraform", "environment")); err == nil {
			if ws := strings.TrimSpace(string(b)); ws != "" {
				return ws
			}
		}
	}
	return "default"
}

// workspaceKey is where the S3 backend keeps key for a non-default
// workspace: <prefix>/<workspace>/<key>.
func (src Sources) workspaceKey(key, dir string) string {
	ws := src.workspace(dir)
	if ws == "default" {
		return key
	}
	prefix := src.WorkspaceKeyPrefix
	if prefix == "" {
		prefix = "env:"
	}
	return prefix + "/" + ws + "/" + key
}

func openPath(ctx context.Context, p string, src Sources) (*State, error) {
	info, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such state file or Terraform directory", p)
		}
		return nil, err
	}
	if info.IsDir() {
		return src.openWorkingDir(ctx, p)
	}
	return ReadFile(p)
}

// backendState is .terraform/terraform.tfstate, where `terraform init`
// records the backend.
type backendState struct {
	Backend *struct {
		Type   string         `json:"type"`
		Config map[string]any `json:"config"`
	} `json:"backend"`
}

func (src Sources) openWorkingDir(ctx context.Context, dir string) (*State, error) {
	ws := src.workspace(dir)
	b, err := os.ReadFile(filepath.Join(dir, ".terraform", "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return readLocal(dir, "", "", ws)
	}
	if err != nil {
		return nil, err
	}
	var bs backendState
	if err := json.Unmarshal(b, &bs); err != nil {
		return nil, fmt.Errorf("%s: .terraform/terraform.tfstate: %w", dir, err)
	}
	if bs.Backend == nil {
		return readLocal(dir, "", "", ws)
	}
	cfg := stringsOf(bs.Backend.Config)
	switch bs.Backend.Type {
	case "local":
		return readLocal(dir, cfg["path"], cfg["workspace_dir"], ws)
	case "s3":
		if cfg["bucket"] == "" || cfg["key"] == "" {
			return nil, fmt.Errorf("%s: the s3 backend names no bucket or key; run terraform init", dir)
		}
		withDir := src
		if cfg["workspace_key_prefix"] != "" && withDir.WorkspaceKeyPrefix == "" {
			withDir.WorkspaceKeyPrefix = cfg["workspace_key_prefix"]
		}
		return withDir.readS3(ctx, cfg["bucket"], withDir.workspaceKey(cfg["key"], dir), cfg["region"])
	case "remote", "cloud":
		host := cfg["hostname"]
		if host == "" {
			host = "app.terraform.io"
		}
		workspaces, _ := bs.Backend.Config["workspaces"].(map[string]any)
		w := stringsOf(workspaces)
		name := w["name"]
		if name == "" && w["prefix"] != "" {
			name = w["prefix"] + ws
		}
		if cfg["organization"] == "" || name == "" {
			return nil, fmt.Errorf("%s: the %s backend names no organization or workspace", dir, bs.Backend.Type)
		}
		return src.readRemote(ctx, host, cfg["organization"], name)
	}
	return nil, fmt.Errorf("%s: the %s backend is not supported; tamp reads local, s3 and remote/cloud backends (or point the plugin at the state itself)", dir, bs.Backend.Type)
}

func stringsOf(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// readLocal reads the local backend's state: terraform.tfstate (or the
// backend's path), or the workspace's under terraform.tfstate.d (or the
// backend's workspace_dir).
func readLocal(dir, statePath, workspaceDir, ws string) (*State, error) {
	p := filepath.Join(dir, "terraform.tfstate")
	if statePath != "" {
		p = statePath
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
	}
	if ws != "default" {
		if workspaceDir == "" {
			workspaceDir = "terraform.tfstate.d"
		}
		if !filepath.IsAbs(workspaceDir) {
			workspaceDir = filepath.Join(dir, workspaceDir)
		}
		p = filepath.Join(workspaceDir, ws, "terraform.tfstate")
	}
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("%s: no state for workspace %q (looked for %s)", dir, ws, p)
	}
	return ReadFile(p)
}

func (src Sources) readS3(ctx context.Context, bucket, key, region string) (*State, error) {
	where := fmt.Sprintf("s3://%s/%s", bucket, key)
	if src.S3 == nil {
		return nil, fmt.Errorf("%s: S3 is not available here", where)
	}
	client, err := src.S3(ctx, region)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if WrongRegion(err) {
		// The bucket lives elsewhere: ask it where, then read it there.
		actual, rerr := BucketRegion(ctx, client, bucket)
		if rerr != nil {
			return nil, fmt.Errorf("%s: find the bucket's region: %w", where, rerr)
		}
		if client, err = src.S3(ctx, actual); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s", where, s3Problem(err))
	}
	// A body cut off mid-read (a dropped connection) is read again, a few
	// times; the SDK's retries end when the answer's headers arrive.
	for attempt := 1; ; attempt++ {
		st, err := readBody(out.Body)
		if err == nil {
			return st, nil
		}
		if _, cut := errors.AsType[*readError](err); !cut || attempt == maxBodyReads || ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if out, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			return nil, fmt.Errorf("%s: %s", where, s3Problem(err))
		}
	}
}

// maxBodyReads bounds how often a state object is read when its body
// breaks off.
const maxBodyReads = 3

// readBody indexes a state as it arrives.
func readBody(body io.ReadCloser) (*State, error) {
	defer body.Close()
	return Read(body)
}

// WrongRegion tells S3's answer for a bucket asked in the wrong region.
func WrongRegion(err error) bool {
	if err == nil {
		return false
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusMovedPermanently {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "PermanentRedirect" || ae.ErrorCode() == "AuthorizationHeaderMalformed")
}

// BucketRegion asks S3 where a bucket lives.
func BucketRegion(ctx context.Context, client S3API, bucket string) (string, error) {
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil && aws.ToString(out.BucketRegion) != "" {
		return *out.BucketRegion, nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if r := re.Response.Header.Get("X-Amz-Bucket-Region"); r != "" {
			return r, nil
		}
	}
	if err == nil {
		err = errors.New("S3 did not say")
	}
	return "", err
}

// s3Problem says in a few words what went wrong.
func s3Problem(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return "no such object; check the key (and the workspace: TF_WORKSPACE)"
		case "NoSuchBucket":
			return "no such bucket"
		case "AccessDenied", "Forbidden":
			return "access denied; the credentials need s3:GetObject on it"
		}
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

func (src Sources) client() *http.Client {
	if src.HTTP != nil {
		return src.HTTP
	}
	return http.DefaultClient
}

// readHTTP GETs a state, with a bearer token when given.
func (src Sources) readHTTP(ctx context.Context, location, token string) (*State, error) {
	body, err := src.open(ctx, location, token)
	if err != nil {
		return nil, err
	}
	s, err := readBody(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", redact(location), err)
	}
	return s, nil
}

// get GETs a small document (a Terraform Cloud API answer).
func (src Sources) get(ctx context.Context, location, token string) ([]byte, error) {
	body, err := src.open(ctx, location, token)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", redact(location), err)
	}
	return b, nil
}

// open GETs location and returns the answer's body, for the caller to
// read and close.
func (src Sources) open(ctx context.Context, location, token string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	resp, err := src.client().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, secrets and all
		}
		return nil, fmt.Errorf("%s: %w", redact(location), err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%s: HTTP %s", redact(location), resp.Status)
	}
	return resp.Body, nil
}

// redact drops what may be secret in a URL: the query (signed download
// URLs carry signatures) and a password.
func redact(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		return "(an unparsable URL)"
	}
	u.RawQuery = ""
	return u.Redacted()
}

// tokenVariable is the variable Terraform reads a host's API token from:
// TF_TOKEN_ and the host with dots and colons as underscores, hyphens as
// double underscores.
func tokenVariable(host string) string {
	return "TF_TOKEN_" + strings.NewReplacer(".", "_", "-", "__", ":", "_").Replace(host)
}

// readRemote reads a Terraform Cloud / Enterprise workspace's current state.
func (src Sources) readRemote(ctx context.Context, host, org, workspace string) (*State, error) {
	where := fmt.Sprintf("remote://%s/%s/%s", host, org, workspace)
	token := src.env(tokenVariable(host))
	if token == "" {
		token = src.env("TFE_TOKEN")
	}
	if token == "" {
		return nil, fmt.Errorf("%s: no API token; set TFE_TOKEN (or %s)", where, tokenVariable(host))
	}
	api := "https://" + host + "/api/v2"
	var ws struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	body, err := src.get(ctx, api+"/organizations/"+url.PathEscape(org)+"/workspaces/"+url.PathEscape(workspace), token)
	if err == nil {
		err = json.Unmarshal(body, &ws)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: find the workspace: %w", where, err)
	}
	var sv struct {
		Data struct {
			Attributes struct {
				URL string `json:"hosted-state-download-url"`
			} `json:"attributes"`
		} `json:"data"`
	}
	body, err = src.get(ctx, api+"/workspaces/"+path.Base(ws.Data.ID)+"/current-state-version", token)
	if err == nil {
		err = json.Unmarshal(body, &sv)
	}
	if err != nil || sv.Data.Attributes.URL == "" {
		if err == nil {
			err = errors.New("no download URL")
		}
		return nil, fmt.Errorf("%s: find the current state version: %w", where, err)
	}
	s, err := src.readHTTP(ctx, sv.Data.Attributes.URL, token)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return s, nil
}
