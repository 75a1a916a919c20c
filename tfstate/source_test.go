package tfstate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
	"github.com/tamp-ecs/tamp/tfstate"
)

// stateDoc is a minimal v4 state whose output "which" is marker, so a test
// can tell which state Open read.
func stateDoc(marker string) string {
	return fmt.Sprintf(`{"version":4,"terraform_version":"1.9.0","outputs":{"which":{"value":%q,"type":"string"}},"resources":[]}`, marker)
}

// writeFile writes content to dir/rel, creating parent directories.
func writeFile(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// envOf returns a LookupEnv backed by m, so tests never see the real
// environment.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// wantWhich asserts that s is the state marked marker.
func wantWhich(t *testing.T, s *tfstate.State, err error, marker string) {
	t.Helper()
	if err != nil {
		t.Fatalf("Open: unexpected error: %v", err)
	}
	got, lerr := s.Lookup("output.which")
	if lerr != nil {
		t.Fatalf("Lookup(output.which): %v", lerr)
	}
	if got != marker {
		t.Fatalf("read the wrong state: output.which = %v, want %q", got, marker)
	}
}

// wantErr asserts that err is non-nil and its message contains every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Open: got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// --- fake S3 ---------------------------------------------------------------

// fakeS3 is an in-memory S3: buckets live in regions, objects are keyed by
// "bucket/key". A client built for another region than the bucket's gets
// a redirect error, as real S3 answers.
type fakeS3 struct {
	mu       sync.Mutex
	buckets  map[string]string // bucket -> region
	objects  map[string]string // "bucket/key" -> body
	errs     map[string]error  // "bucket/key" -> error GetObject returns
	redirect func() error      // the wrong-region error; PermanentRedirect when nil
	headErr  error             // when set, HeadBucket fails with it
	cutReads int               // this many GetObject bodies break off mid-read

	factoryRegions []string // regions the factory was asked for, in order
	gets           []string // "region:bucket/key" per GetObject call
	heads          []string // "region:bucket" per HeadBucket call
}

const fakeDefaultRegion = "us-east-1"

func newFakeS3() *fakeS3 {
	return &fakeS3{buckets: map[string]string{}, objects: map[string]string{}, errs: map[string]error{}}
}

func (f *fakeS3) put(bucket, region, key, body string) {
	f.buckets[bucket] = region
	f.objects[bucket+"/"+key] = body
}

func (f *fakeS3) factory(_ context.Context, region string) (tfstate.S3API, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.factoryRegions = append(f.factoryRegions, region)
	if region == "" {
		region = fakeDefaultRegion
	}
	return &fakeS3Client{f: f, region: region}, nil
}

type fakeS3Client struct {
	f      *fakeS3
	region string
}

func (c *fakeS3Client) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	bucket, key := aws.ToString(in.Bucket), aws.ToString(in.Key)
	f.gets = append(f.gets, c.region+":"+bucket+"/"+key)
	if err, ok := f.errs[bucket+"/"+key]; ok {
		return nil, err
	}
	region, ok := f.buckets[bucket]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	}
	if region != c.region {
		if f.redirect != nil {
			return nil, f.redirect()
		}
		return nil, &smithy.GenericAPIError{Code: "PermanentRedirect", Message: "use the right endpoint"}
	}
	body, ok := f.objects[bucket+"/"+key]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchKey", Message: "The specified key does not exist."}
	}
	if f.cutReads > 0 {
		f.cutReads--
		cut := io.MultiReader(strings.NewReader(body[:len(body)/2]), iotest.ErrReader(io.ErrUnexpectedEOF))
		return &s3.GetObjectOutput{Body: io.NopCloser(cut), ContentLength: aws.Int64(int64(len(body)))}, nil
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body)), ContentLength: aws.Int64(int64(len(body)))}, nil
}

func (c *fakeS3Client) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	bucket := aws.ToString(in.Bucket)
	f.heads = append(f.heads, c.region+":"+bucket)
	if f.headErr != nil {
		return nil, f.headErr
	}
	region, ok := f.buckets[bucket]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NotFound"}
	}
	return &s3.HeadBucketOutput{BucketRegion: aws.String(region)}, nil
}

// --- local files -----------------------------------------------------------

func TestOpenLocalFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "some.tfstate", stateDoc("local-file"))
	src := tfstate.Sources{LookupEnv: envOf(nil)}

	s, err := tfstate.Open(context.Background(), p, src)
	wantWhich(t, s, err, "local-file")

	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	s, err = tfstate.Open(context.Background(), u, src)
	wantWhich(t, s, err, "local-file")
}

func TestOpenLocalFileRelativePath(t *testing.T) {
	// testdata/terraform.tfstate is the shared fixture.
	s, err := tfstate.Open(context.Background(), "testdata/terraform.tfstate", tfstate.Sources{LookupEnv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup("output.vpc_id")
	if err != nil || got != "vpc-0abc123" {
		t.Fatalf("Lookup(output.vpc_id) = %v, %v; want vpc-0abc123", got, err)
	}
}

func TestOpenMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.tfstate")
	src := tfstate.Sources{LookupEnv: envOf(nil)}

	_, err := tfstate.Open(context.Background(), missing, src)
	wantErr(t, err, missing+": no such state file or Terraform directory")

	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(missing)}).String()
	_, err = tfstate.Open(context.Background(), u, src)
	wantErr(t, err, "no such state file or Terraform directory")
}

func TestOpenLocalFileNotAState(t *testing.T) {
	p := writeFile(t, t.TempDir(), "v3.tfstate", `{"version":3,"modules":[]}`)
	_, err := tfstate.Open(context.Background(), p, tfstate.Sources{LookupEnv: envOf(nil)})
	wantErr(t, err, "format version 3 is not supported")
}

func TestOpenUnsupportedScheme(t *testing.T) {
	_, err := tfstate.Open(context.Background(), "gs://bucket/key", tfstate.Sources{LookupEnv: envOf(nil)})
	wantErr(t, err, "gs://bucket/key: unsupported state location")
}

// --- working directory, no backend -----------------------------------------

// localWorkDir makes a working directory with a default state and states
// for workspaces "env-ws", "tfws" and "explicit".
func localWorkDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "terraform.tfstate", stateDoc("default"))
	for _, ws := range []string{"env-ws", "tfws", "explicit"} {
		writeFile(t, dir, "terraform.tfstate.d/"+ws+"/terraform.tfstate", stateDoc("ws-"+ws))
	}
	return dir
}

func TestOpenWorkingDirLocalWorkspaces(t *testing.T) {
	tests := []struct {
		name      string
		envFile   string // .terraform/environment; "" for none
		tfWS      string // TF_WORKSPACE; "" for unset
		workspace string // Sources.Workspace
		want      string
	}{
		{name: "default", want: "default"},
		{name: "environment file", envFile: "env-ws\n", want: "ws-env-ws"},
		{name: "environment file naming default", envFile: "default", want: "default"},
		{name: "blank environment file", envFile: "  \n", want: "default"},
		{name: "TF_WORKSPACE", tfWS: "tfws", want: "ws-tfws"},
		{name: "TF_WORKSPACE beats environment file", envFile: "env-ws", tfWS: "tfws", want: "ws-tfws"},
		{name: "Workspace", workspace: "explicit", want: "ws-explicit"},
		{name: "Workspace beats TF_WORKSPACE and environment file", envFile: "env-ws", tfWS: "tfws", workspace: "explicit", want: "ws-explicit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := localWorkDir(t)
			if tt.envFile != "" {
				writeFile(t, dir, ".terraform/environment", tt.envFile)
			}
			env := map[string]string{}
			if tt.tfWS != "" {
				env["TF_WORKSPACE"] = tt.tfWS
			}
			s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(env), Workspace: tt.workspace})
			wantWhich(t, s, err, tt.want)
		})
	}
}

func TestOpenWorkingDirViaFileURL(t *testing.T) {
	dir := localWorkDir(t)
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
	s, err := tfstate.Open(context.Background(), u, tfstate.Sources{LookupEnv: envOf(map[string]string{"TF_WORKSPACE": "tfws"})})
	wantWhich(t, s, err, "ws-tfws")
}

func TestOpenWorkingDirMissingWorkspaceState(t *testing.T) {
	dir := localWorkDir(t)
	_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil), Workspace: "nothere"})
	want := filepath.Join(dir, "terraform.tfstate.d", "nothere", "terraform.tfstate")
	wantErr(t, err, `no state for workspace "nothere"`, want)

	empty := t.TempDir()
	_, err = tfstate.Open(context.Background(), empty, tfstate.Sources{LookupEnv: envOf(nil)})
	wantErr(t, err, `no state for workspace "default"`, filepath.Join(empty, "terraform.tfstate"))
}

func TestOpenWorkingDirNoBackendInTerraformState(t *testing.T) {
	// .terraform/terraform.tfstate without a backend means the local one.
	dir := localWorkDir(t)
	writeFile(t, dir, ".terraform/terraform.tfstate", `{"version":3,"serial":1}`)
	s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "default")
}

func TestOpenWorkingDirBadBackendState(t *testing.T) {
	dir := localWorkDir(t)
	writeFile(t, dir, ".terraform/terraform.tfstate", `{not json`)
	_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
	wantErr(t, err, ".terraform/terraform.tfstate")
}

// --- working directory, local backend --------------------------------------

func TestOpenWorkingDirLocalBackendPath(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "terraform.tfstate", stateDoc("not-this-one"))
	writeFile(t, dir, "states/custom.tfstate", stateDoc("custom-path"))
	writeFile(t, dir, "terraform.tfstate.d/stg/terraform.tfstate", stateDoc("local-stg"))
	writeFile(t, dir, ".terraform/terraform.tfstate",
		`{"version":3,"backend":{"type":"local","config":{"path":"states/custom.tfstate","workspace_dir":null}}}`)

	s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "custom-path")

	s, err = tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil), Workspace: "stg"})
	wantWhich(t, s, err, "local-stg")

	// An absolute path is used as it is.
	abs := writeFile(t, t.TempDir(), "elsewhere.tfstate", stateDoc("absolute-path"))
	writeFile(t, dir, ".terraform/terraform.tfstate",
		fmt.Sprintf(`{"version":3,"backend":{"type":"local","config":{"path":%q}}}`, abs))
	s, err = tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "absolute-path")

	// No path: terraform.tfstate.
	writeFile(t, dir, ".terraform/terraform.tfstate", `{"version":3,"backend":{"type":"local","config":{}}}`)
	s, err = tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "not-this-one")
}

// --- working directory, s3 backend -----------------------------------------

const s3Backend = `{"version":3,"backend":{"type":"s3","config":{"bucket":"b","key":"app/terraform.tfstate","region":"eu-west-1","workspace_key_prefix":"envs"}}}`

func TestOpenWorkingDirS3Backend(t *testing.T) {
	newWorld := func() *fakeS3 {
		f := newFakeS3()
		f.put("b", "eu-west-1", "app/terraform.tfstate", stateDoc("s3-default"))
		f.put("b", "eu-west-1", "envs/stg/app/terraform.tfstate", stateDoc("s3-envs-stg"))
		f.put("b", "eu-west-1", "env:/stg/app/terraform.tfstate", stateDoc("s3-env-stg"))
		f.put("b", "eu-west-1", "custom/stg/app/terraform.tfstate", stateDoc("s3-custom-stg"))
		return f
	}

	t.Run("default workspace", func(t *testing.T) {
		f := newWorld()
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", s3Backend)
		s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
		wantWhich(t, s, err, "s3-default")
		if diff := cmp.Diff([]string{"eu-west-1"}, f.factoryRegions); diff != "" {
			t.Errorf("factory regions (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"eu-west-1:b/app/terraform.tfstate"}, f.gets); diff != "" {
			t.Errorf("GetObject calls (-want +got):\n%s", diff)
		}
		if len(f.heads) != 0 {
			t.Errorf("HeadBucket calls = %v, want none", f.heads)
		}
	})

	for _, how := range []struct {
		name string
		src  tfstate.Sources
		file bool // write .terraform/environment
	}{
		{name: "Workspace", src: tfstate.Sources{Workspace: "stg", LookupEnv: envOf(nil)}},
		{name: "TF_WORKSPACE", src: tfstate.Sources{LookupEnv: envOf(map[string]string{"TF_WORKSPACE": "stg"})}},
		{name: "environment file", src: tfstate.Sources{LookupEnv: envOf(nil)}, file: true},
	} {
		t.Run("workspace stg from "+how.name, func(t *testing.T) {
			f := newWorld()
			dir := t.TempDir()
			writeFile(t, dir, ".terraform/terraform.tfstate", s3Backend)
			if how.file {
				writeFile(t, dir, ".terraform/environment", "stg")
			}
			src := how.src
			src.S3 = f.factory
			s, err := tfstate.Open(context.Background(), dir, src)
			wantWhich(t, s, err, "s3-envs-stg")
			if diff := cmp.Diff([]string{"eu-west-1:b/envs/stg/app/terraform.tfstate"}, f.gets); diff != "" {
				t.Errorf("GetObject calls (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("workspace without workspace_key_prefix uses env:", func(t *testing.T) {
		f := newWorld()
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate",
			`{"version":3,"backend":{"type":"s3","config":{"bucket":"b","key":"app/terraform.tfstate","region":"eu-west-1"}}}`)
		s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{S3: f.factory, Workspace: "stg", LookupEnv: envOf(nil)})
		wantWhich(t, s, err, "s3-env-stg")
		if diff := cmp.Diff([]string{"eu-west-1:b/env:/stg/app/terraform.tfstate"}, f.gets); diff != "" {
			t.Errorf("GetObject calls (-want +got):\n%s", diff)
		}
	})

	t.Run("Sources.WorkspaceKeyPrefix beats the backend's", func(t *testing.T) {
		f := newWorld()
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", s3Backend)
		s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{S3: f.factory, Workspace: "stg", WorkspaceKeyPrefix: "custom", LookupEnv: envOf(nil)})
		wantWhich(t, s, err, "s3-custom-stg")
	})

	t.Run("no bucket", func(t *testing.T) {
		f := newWorld()
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", `{"version":3,"backend":{"type":"s3","config":{"key":"k"}}}`)
		_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
		wantErr(t, err, "the s3 backend names no bucket or key")
		if len(f.factoryRegions) != 0 {
			t.Errorf("factory called %v; want no calls", f.factoryRegions)
		}
	})

	t.Run("S3 unavailable", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", s3Backend)
		_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
		wantErr(t, err, "s3://b/app/terraform.tfstate: S3 is not available here")
	})
}

func TestOpenWorkingDirUnsupportedBackend(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "terraform.tfstate", stateDoc("must-not-read"))
	writeFile(t, dir, ".terraform/terraform.tfstate", `{"version":3,"backend":{"type":"gcs","config":{"bucket":"x","prefix":"y"}}}`)
	_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{LookupEnv: envOf(nil)})
	wantErr(t, err, "the gcs backend is not supported")
}

// --- s3:// -----------------------------------------------------------------

func TestOpenS3URL(t *testing.T) {
	f := newFakeS3()
	f.put("bkt", fakeDefaultRegion, "path/to/terraform.tfstate", stateDoc("s3-url"))
	s, err := tfstate.Open(context.Background(), "s3://bkt/path/to/terraform.tfstate", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "s3-url")
	if diff := cmp.Diff([]string{""}, f.factoryRegions); diff != "" {
		t.Errorf("factory regions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{fakeDefaultRegion + ":bkt/path/to/terraform.tfstate"}, f.gets); diff != "" {
		t.Errorf("GetObject calls (-want +got):\n%s", diff)
	}
}

// A body that breaks off is read again; three breaks in a row are an error.
func TestOpenS3BodyCutOff(t *testing.T) {
	f := newFakeS3()
	f.put("bkt", fakeDefaultRegion, "s.tfstate", stateDoc("after-retry"))
	f.cutReads = 2
	s, err := tfstate.Open(context.Background(), "s3://bkt/s.tfstate", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "after-retry")
	if len(f.gets) != 3 {
		t.Errorf("GetObject calls %v, want 3", f.gets)
	}
	f.cutReads = 3
	_, err = tfstate.Open(context.Background(), "s3://bkt/s.tfstate", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantErr(t, err, "s3://bkt/s.tfstate: unexpected EOF")
}

func TestOpenS3URLWorkspace(t *testing.T) {
	f := newFakeS3()
	f.put("bkt", fakeDefaultRegion, "key", stateDoc("s3-default"))
	f.put("bkt", fakeDefaultRegion, "env:/ws/key", stateDoc("s3-ws"))
	f.put("bkt", fakeDefaultRegion, "pfx/ws/key", stateDoc("s3-pfx-ws"))

	s, err := tfstate.Open(context.Background(), "s3://bkt/key", tfstate.Sources{S3: f.factory, LookupEnv: envOf(map[string]string{"TF_WORKSPACE": "ws"})})
	wantWhich(t, s, err, "s3-ws")

	s, err = tfstate.Open(context.Background(), "s3://bkt/key", tfstate.Sources{S3: f.factory, LookupEnv: envOf(map[string]string{"TF_WORKSPACE": "other"}), Workspace: "ws", WorkspaceKeyPrefix: "pfx"})
	wantWhich(t, s, err, "s3-pfx-ws")

	s, err = tfstate.Open(context.Background(), "s3://bkt/key", tfstate.Sources{S3: f.factory, LookupEnv: envOf(map[string]string{"TF_WORKSPACE": "default"})})
	wantWhich(t, s, err, "s3-default")

	if diff := cmp.Diff([]string{
		fakeDefaultRegion + ":bkt/env:/ws/key",
		fakeDefaultRegion + ":bkt/pfx/ws/key",
		fakeDefaultRegion + ":bkt/key",
	}, f.gets); diff != "" {
		t.Errorf("GetObject calls (-want +got):\n%s", diff)
	}
}

func TestOpenS3URLUsage(t *testing.T) {
	for _, loc := range []string{"s3://bucket", "s3://bucket/", "s3:///key"} {
		t.Run(loc, func(t *testing.T) {
			f := newFakeS3()
			_, err := tfstate.Open(context.Background(), loc, tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
			wantErr(t, err, loc+": write an S3 state as s3://bucket/key")
			if len(f.factoryRegions) != 0 {
				t.Errorf("factory called %v; want no calls", f.factoryRegions)
			}
		})
	}
}

func TestOpenS3Problems(t *testing.T) {
	tests := []struct {
		name string
		err  error // GetObject's error for bkt/key; nil to let the fake decide
		loc  string
		want string
	}{
		{name: "NoSuchKey", loc: "s3://bkt/missing", want: "s3://bkt/missing: no such object; check the key (and the workspace: TF_WORKSPACE)"},
		{name: "NotFound", loc: "s3://bkt/key", err: &smithy.GenericAPIError{Code: "NotFound"}, want: "s3://bkt/key: no such object; check the key"},
		{name: "NoSuchBucket", loc: "s3://nobucket/key", want: "s3://nobucket/key: no such bucket"},
		{name: "AccessDenied", loc: "s3://bkt/key", err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}, want: "s3://bkt/key: access denied; the credentials need s3:GetObject on it"},
		{name: "Forbidden", loc: "s3://bkt/key", err: &smithy.GenericAPIError{Code: "Forbidden"}, want: "s3://bkt/key: access denied"},
		{name: "other API error", loc: "s3://bkt/key", err: &smithy.GenericAPIError{Code: "SlowDown", Message: "Please reduce your request rate."}, want: "s3://bkt/key: SlowDown: Please reduce your request rate."},
		{name: "wrapped API error", loc: "s3://bkt/key", err: fmt.Errorf("operation error S3: GetObject: %w", &smithy.GenericAPIError{Code: "NoSuchKey"}), want: "s3://bkt/key: no such object"},
		{name: "plain error", loc: "s3://bkt/key", err: errors.New("dial tcp: no route"), want: "s3://bkt/key: dial tcp: no route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeS3()
			f.put("bkt", fakeDefaultRegion, "key", stateDoc("unused"))
			if tt.err != nil {
				f.errs["bkt/key"] = tt.err
			}
			_, err := tfstate.Open(context.Background(), tt.loc, tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
			wantErr(t, err, tt.want)
			if len(f.heads) != 0 {
				t.Errorf("HeadBucket calls = %v, want none", f.heads)
			}
		})
	}
}

func TestOpenS3NotAState(t *testing.T) {
	f := newFakeS3()
	f.put("bkt", fakeDefaultRegion, "key", `{"version":3}`)
	_, err := tfstate.Open(context.Background(), "s3://bkt/key", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantErr(t, err, "s3://bkt/key: Terraform state format version 3 is not supported")
}

func TestOpenS3FactoryError(t *testing.T) {
	src := tfstate.Sources{
		S3:        func(context.Context, string) (tfstate.S3API, error) { return nil, errors.New("no credentials") },
		LookupEnv: envOf(nil),
	}
	_, err := tfstate.Open(context.Background(), "s3://bkt/key", src)
	wantErr(t, err, "s3://bkt/key: no credentials")
}

func TestOpenS3RegionRedirect(t *testing.T) {
	moved := func() error {
		return &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusMovedPermanently, Header: http.Header{}}},
			Err:      errors.New("301 Moved Permanently"),
		}
	}
	tests := []struct {
		name     string
		redirect func() error
	}{
		{name: "PermanentRedirect", redirect: nil},
		{name: "AuthorizationHeaderMalformed", redirect: func() error {
			return &smithy.GenericAPIError{Code: "AuthorizationHeaderMalformed", Message: "the region 'us-east-1' is wrong"}
		}},
		{name: "HTTP 301", redirect: moved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeS3()
			f.redirect = tt.redirect
			f.put("far", "ap-northeast-1", "state", stateDoc("far-away"))
			s, err := tfstate.Open(context.Background(), "s3://far/state", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
			wantWhich(t, s, err, "far-away")
			if diff := cmp.Diff([]string{"", "ap-northeast-1"}, f.factoryRegions); diff != "" {
				t.Errorf("factory regions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{fakeDefaultRegion + ":far"}, f.heads); diff != "" {
				t.Errorf("HeadBucket calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{fakeDefaultRegion + ":far/state", "ap-northeast-1:far/state"}, f.gets); diff != "" {
				t.Errorf("GetObject calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenS3RegionRedirectFromBackendRegion(t *testing.T) {
	// The backend says eu-west-1 but the bucket moved to us-west-2.
	f := newFakeS3()
	f.put("b", "us-west-2", "app/terraform.tfstate", stateDoc("moved-bucket"))
	dir := t.TempDir()
	writeFile(t, dir, ".terraform/terraform.tfstate", s3Backend)
	s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "moved-bucket")
	if diff := cmp.Diff([]string{"eu-west-1", "us-west-2"}, f.factoryRegions); diff != "" {
		t.Errorf("factory regions (-want +got):\n%s", diff)
	}
	if len(f.heads) != 1 {
		t.Errorf("HeadBucket calls = %v, want exactly one", f.heads)
	}
}

func TestOpenS3RegionFromHeadBucketHeader(t *testing.T) {
	// HeadBucket answering 301 still names the region in a header.
	f := newFakeS3()
	f.put("far", "sa-east-1", "state", stateDoc("header-region"))
	f.headErr = &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{
			StatusCode: http.StatusMovedPermanently,
			Header:     http.Header{"X-Amz-Bucket-Region": []string{"sa-east-1"}},
		}},
		Err: errors.New("301"),
	}
	s, err := tfstate.Open(context.Background(), "s3://far/state", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "header-region")
	if diff := cmp.Diff([]string{"", "sa-east-1"}, f.factoryRegions); diff != "" {
		t.Errorf("factory regions (-want +got):\n%s", diff)
	}
	if len(f.heads) != 1 {
		t.Errorf("HeadBucket calls = %v, want exactly one", f.heads)
	}
}

func TestOpenS3RegionUnknown(t *testing.T) {
	f := newFakeS3()
	f.put("far", "sa-east-1", "state", stateDoc("unused"))
	f.headErr = &smithy.GenericAPIError{Code: "AccessDenied", Message: "no s3:ListBucket"}
	_, err := tfstate.Open(context.Background(), "s3://far/state", tfstate.Sources{S3: f.factory, LookupEnv: envOf(nil)})
	wantErr(t, err, "s3://far/state: find the bucket's region", "AccessDenied")
	if diff := cmp.Diff([]string{""}, f.factoryRegions); diff != "" {
		t.Errorf("factory regions (-want +got):\n%s", diff)
	}
}

// --- http(s):// -------------------------------------------------------------

func TestOpenHTTP(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		if r.Method != http.MethodGet {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		if got := r.Header.Get("Authorization"); got != "" {
			http.Error(w, "unexpected Authorization "+got, http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/state":
			io.WriteString(w, stateDoc("over-http"))
		case "/v3":
			io.WriteString(w, `{"version":3,"modules":[]}`)
		case "/garbage":
			io.WriteString(w, `<html>not json</html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	src := tfstate.Sources{HTTP: srv.Client(), LookupEnv: envOf(nil)}
	ctx := context.Background()

	t.Run("success", func(t *testing.T) {
		s, err := tfstate.Open(ctx, srv.URL+"/state", src)
		wantWhich(t, s, err, "over-http")
	})
	t.Run("404", func(t *testing.T) {
		_, err := tfstate.Open(ctx, srv.URL+"/missing", src)
		wantErr(t, err, srv.URL+"/missing: HTTP 404")
	})
	t.Run("version 3", func(t *testing.T) {
		_, err := tfstate.Open(ctx, srv.URL+"/v3", src)
		wantErr(t, err, srv.URL+"/v3: Terraform state format version 3 is not supported")
	})
	t.Run("not JSON", func(t *testing.T) {
		_, err := tfstate.Open(ctx, srv.URL+"/garbage", src)
		wantErr(t, err, "not a Terraform state")
	})
	t.Run("query redacted from HTTP errors", func(t *testing.T) {
		_, err := tfstate.Open(ctx, srv.URL+"/missing?token=secret", src)
		wantErr(t, err, srv.URL+"/missing: HTTP 404")
		if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "token=") {
			t.Errorf("error %q shows the query", err)
		}
	})
	t.Run("query reaches the server", func(t *testing.T) {
		s, err := tfstate.Open(ctx, srv.URL+"/state?x=1", src)
		wantWhich(t, s, err, "over-http")
		mu.Lock()
		defer mu.Unlock()
		if last := paths[len(paths)-1]; last != "/state?x=1" {
			t.Errorf("server saw %q, want /state?x=1", last)
		}
	})
}

// --- remote:// (Terraform Cloud) --------------------------------------------

// fakeTFC is a Terraform Cloud API on a TLS httptest server that accepts
// one token and serves org/ws (and org/pfx-stg).
type fakeTFC struct {
	srv   *httptest.Server
	host  string // 127.0.0.1:PORT
	token string

	mu       sync.Mutex
	requests []string // method + request URI
}

func newFakeTFC(t *testing.T, token string) *fakeTFC {
	t.Helper()
	f := &fakeTFC{token: token}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	u, err := url.Parse(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	f.host = u.Host
	return f
}

func (f *fakeTFC) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.mu.Unlock()
	if r.Method != http.MethodGet {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		http.Error(w, `{"errors":[{"status":"401","title":"unauthorized"}]}`, http.StatusUnauthorized)
		return
	}
	workspaces := map[string]string{"ws": "ws-abc", "pfx-stg": "ws-stg", "nostate": "ws-nostate"}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/v2/organizations/org/workspaces/"):
		id, ok := workspaces[strings.TrimPrefix(r.URL.Path, "/api/v2/organizations/org/workspaces/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"data":{"id":%q,"type":"workspaces"}}`, id)
	case r.URL.Path == "/api/v2/workspaces/ws-abc/current-state-version":
		fmt.Fprintf(w, `{"data":{"attributes":{"hosted-state-download-url":"https://%s/download/state?sig=secret"}}}`, f.host)
	case r.URL.Path == "/api/v2/workspaces/ws-stg/current-state-version":
		fmt.Fprintf(w, `{"data":{"attributes":{"hosted-state-download-url":"https://%s/download/stg?sig=secret"}}}`, f.host)
	case r.URL.Path == "/api/v2/workspaces/ws-nostate/current-state-version":
		io.WriteString(w, `{"data":{"attributes":{}}}`)
	case r.URL.Path == "/download/state" && r.URL.Query().Get("sig") == "secret":
		io.WriteString(w, stateDoc("tfc-ws"))
	case r.URL.Path == "/download/stg" && r.URL.Query().Get("sig") == "secret":
		io.WriteString(w, stateDoc("tfc-pfx-stg"))
	default:
		http.NotFound(w, r)
	}
}

// tokenVar is the host-specific token variable for 127.0.0.1:PORT: dots
// and the colon become underscores.
func tokenVar(t *testing.T, host string) string {
	t.Helper()
	port, ok := strings.CutPrefix(host, "127.0.0.1:")
	if !ok {
		t.Fatalf("host %q is not 127.0.0.1:PORT", host)
	}
	return "TF_TOKEN_127_0_0_1_" + port
}

// offline is an HTTP client that refuses every request.
func offline() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("test made a request to %s", r.URL.Host)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOpenRemote(t *testing.T) {
	f := newFakeTFC(t, "good-token")
	ctx := context.Background()
	loc := "remote://" + f.host + "/org/ws"

	t.Run("TFE_TOKEN", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "good-token"})}
		s, err := tfstate.Open(ctx, loc, src)
		wantWhich(t, s, err, "tfc-ws")
	})
	t.Run("host token", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{tokenVar(t, f.host): "good-token"})}
		s, err := tfstate.Open(ctx, loc, src)
		wantWhich(t, s, err, "tfc-ws")
	})
	t.Run("host token beats TFE_TOKEN", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{
			"TFE_TOKEN":         "wrong-token",
			tokenVar(t, f.host): "good-token",
		})}
		s, err := tfstate.Open(ctx, loc, src)
		wantWhich(t, s, err, "tfc-ws")
	})
	t.Run("wrong token", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "wrong-token"})}
		_, err := tfstate.Open(ctx, loc, src)
		wantErr(t, err, "remote://"+f.host+"/org/ws: find the workspace", "HTTP 401")
	})
	t.Run("no token", func(t *testing.T) {
		f.mu.Lock()
		before := len(f.requests)
		f.mu.Unlock()
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(nil)}
		_, err := tfstate.Open(ctx, loc, src)
		wantErr(t, err, "remote://"+f.host+"/org/ws: no API token; set TFE_TOKEN")
		f.mu.Lock()
		after := len(f.requests)
		f.mu.Unlock()
		if after != before {
			t.Errorf("made %d requests without a token; want none", after-before)
		}
	})
	t.Run("unknown workspace", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "good-token"})}
		_, err := tfstate.Open(ctx, "remote://"+f.host+"/org/nope", src)
		wantErr(t, err, "remote://"+f.host+"/org/nope: find the workspace", "HTTP 404")
	})
	t.Run("unknown organization", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "good-token"})}
		_, err := tfstate.Open(ctx, "remote://"+f.host+"/other/ws", src)
		wantErr(t, err, "find the workspace", "HTTP 404")
	})
	t.Run("no state version", func(t *testing.T) {
		src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "good-token"})}
		_, err := tfstate.Open(ctx, "remote://"+f.host+"/org/nostate", src)
		wantErr(t, err, "find the current state version: no download URL")
	})
}

func TestOpenRemoteRequests(t *testing.T) {
	f := newFakeTFC(t, "tok")
	src := tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "tok"})}
	s, err := tfstate.Open(context.Background(), "remote://"+f.host+"/org/ws", src)
	wantWhich(t, s, err, "tfc-ws")
	want := []string{
		"GET /api/v2/organizations/org/workspaces/ws",
		"GET /api/v2/workspaces/ws-abc/current-state-version",
		"GET /download/state?sig=secret",
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if diff := cmp.Diff(want, f.requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestOpenRemoteDownloadErrorRedacted(t *testing.T) {
	// The current state version points at a download that fails: the error
	// names the download URL without its signature.
	var host string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/organizations/org/workspaces/ws":
			io.WriteString(w, `{"data":{"id":"ws-abc"}}`)
		case "/api/v2/workspaces/ws-abc/current-state-version":
			fmt.Fprintf(w, `{"data":{"attributes":{"hosted-state-download-url":"https://%s/gone?sig=secret"}}}`, host)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host = strings.TrimPrefix(srv.URL, "https://")
	src := tfstate.Sources{HTTP: srv.Client(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "t"})}
	_, err := tfstate.Open(context.Background(), "remote://"+host+"/org/ws", src)
	wantErr(t, err, "remote://"+host+"/org/ws: https://"+host+"/gone: HTTP 404")
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the signature", err)
	}
}

func TestOpenRemoteUsage(t *testing.T) {
	for _, loc := range []string{
		"remote://host/org",
		"remote://host/org/ws/extra",
		"remote://host//ws",
		"remote:///org/ws",
		"remote://host",
	} {
		t.Run(loc, func(t *testing.T) {
			_, err := tfstate.Open(context.Background(), loc, tfstate.Sources{HTTP: offline(), LookupEnv: envOf(map[string]string{"TFE_TOKEN": "t"})})
			wantErr(t, err, loc+": write a Terraform Cloud state as remote://HOST/ORGANIZATION/WORKSPACE")
		})
	}
}

func TestOpenWorkingDirRemoteBackend(t *testing.T) {
	f := newFakeTFC(t, "tok")
	env := map[string]string{"TFE_TOKEN": "tok"}

	for _, typ := range []string{"remote", "cloud"} {
		t.Run(typ+" with workspace name", func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, ".terraform/terraform.tfstate", fmt.Sprintf(
				`{"version":3,"backend":{"type":%q,"config":{"hostname":%q,"organization":"org","workspaces":{"name":"ws","prefix":null}}}}`, typ, f.host))
			s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(env)})
			wantWhich(t, s, err, "tfc-ws")
		})
	}

	t.Run("workspace prefix", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", fmt.Sprintf(
			`{"version":3,"backend":{"type":"remote","config":{"hostname":%q,"organization":"org","workspaces":{"name":null,"prefix":"pfx-"}}}}`, f.host))
		s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(env), Workspace: "stg"})
		wantWhich(t, s, err, "tfc-pfx-stg")

		// The workspace can come from .terraform/environment as well.
		writeFile(t, dir, ".terraform/environment", "stg\n")
		s, err = tfstate.Open(context.Background(), dir, tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(env)})
		wantWhich(t, s, err, "tfc-pfx-stg")
	})

	t.Run("no organization", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", fmt.Sprintf(
			`{"version":3,"backend":{"type":"remote","config":{"hostname":%q,"workspaces":{"name":"ws"}}}}`, f.host))
		_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(env)})
		wantErr(t, err, "the remote backend names no organization or workspace")
	})

	t.Run("no workspace", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate", fmt.Sprintf(
			`{"version":3,"backend":{"type":"cloud","config":{"hostname":%q,"organization":"org","workspaces":{"tags":["x"]}}}}`, f.host))
		_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{HTTP: f.srv.Client(), LookupEnv: envOf(env)})
		wantErr(t, err, "the cloud backend names no organization or workspace")
	})

	t.Run("default hostname", func(t *testing.T) {
		// Without a hostname the backend means app.terraform.io. No token
		// is set, so Open fails before any request leaves the machine.
		dir := t.TempDir()
		writeFile(t, dir, ".terraform/terraform.tfstate",
			`{"version":3,"backend":{"type":"remote","config":{"organization":"org","workspaces":{"name":"ws"}}}}`)
		_, err := tfstate.Open(context.Background(), dir, tfstate.Sources{HTTP: offline(), LookupEnv: envOf(nil)})
		wantErr(t, err, "remote://app.terraform.io/org/ws: no API token; set TFE_TOKEN")
	})
}

// Regression tests: URLs in errors never carry secrets, the token hint
// names a usable variable, file:// keeps relative paths, and the local
// backend's workspace_dir is honoured.
func TestOpenErrorsCarryNoSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"version": 3}`)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	for _, loc := range []string{
		srv.URL + "/v3?token=secret",            // not a v4 state
		"http://127.0.0.1:1/state?token=secret", // nothing listens
		"http://user:secret@" + u.Host + "/v3",  // password in the URL
	} {
		_, err := tfstate.Open(context.Background(), loc, tfstate.Sources{})
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%s) = %v; want an error without the secret", loc, err)
		}
	}
}

func TestOpenRemoteTokenHint(t *testing.T) {
	_, err := tfstate.Open(context.Background(), "remote://tfe.example.com:8443/org/ws",
		tfstate.Sources{LookupEnv: envOf(nil), HTTP: offline()})
	wantErr(t, err, "set TFE_TOKEN (or TF_TOKEN_tfe_example_com_8443)")
}

func TestOpenFileURLRelative(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rel/x.tfstate", stateDoc("relative"))
	t.Chdir(dir)
	s, err := tfstate.Open(context.Background(), "file://rel/x.tfstate", tfstate.Sources{})
	wantWhich(t, s, err, "relative")
}

func TestOpenLocalBackendWorkspaceDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, ".terraform/terraform.tfstate", `{"version":3,"backend":{"type":"local","config":{"workspace_dir":"states"}}}`)
	writeFile(t, dir, "states/stg/terraform.tfstate", stateDoc("workspace-dir"))
	s, err := tfstate.Open(context.Background(), dir, tfstate.Sources{Workspace: "stg", LookupEnv: envOf(nil)})
	wantWhich(t, s, err, "workspace-dir")
}
