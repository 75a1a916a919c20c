package clients

import (
	"context"
	"path/filepath"
	"testing"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/tamp-ecs/tamp/internal/awscall"
	"github.com/tamp-ecs/tamp/verify"
)

// offlineAWS is an SDK environment that resolves everything from
// variables: static credentials, a default region, no shared config or
// instance metadata. Making clients then asks nothing of the network.
func offlineAWS(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-northeast-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTAMPTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

// The production seam makes each kind of client once per region, from one
// SDK configuration per region.
func TestSDKClients(t *testing.T) {
	offlineAWS(t)
	ctx := context.Background()
	var c Set = NewSDK("", nil)

	for _, tt := range []struct{ asked, want string }{{"", "ap-northeast-1"}, {"us-east-1", "us-east-1"}} {
		got, err := c.Region(ctx, tt.asked)
		if err != nil || got != tt.want {
			t.Errorf("Region(%q) = %q, %v; want %q", tt.asked, got, err, tt.want)
		}
	}

	// kinds make a client of each kind for a region.
	kinds := map[string]func(region string) (any, error){
		"ECS":       func(r string) (any, error) { return c.ECS(ctx, r) },
		"Scheduler": func(r string) (any, error) { return c.Scheduler(ctx, r) },
		"Events":    func(r string) (any, error) { return c.Events(ctx, r) },
		"STS":       func(r string) (any, error) { return c.STS(ctx, r) },
		"Logs":      func(r string) (any, error) { return c.Logs(ctx, r) },
	}
	for kind, mk := range kinds {
		first, err1 := mk("ap-northeast-1")
		again, err2 := mk("ap-northeast-1")
		byDefault, err3 := mk("") // AWS_REGION: the same region, so the same client
		other, err4 := mk("us-east-1")
		if err := firstError(err1, err2, err3, err4); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if first != again || first != byDefault {
			t.Errorf("%s: a second client for ap-northeast-1", kind)
		}
		if first == other {
			t.Errorf("%s: the same client for us-east-1 as for ap-northeast-1", kind)
		}
	}
	east, err := c.ECS(ctx, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := east.(*awsecs.Client).Options().Region; got != "us-east-1" {
		t.Errorf("the us-east-1 ECS client talks to %s", got)
	}

	// One SDK configuration per region: the same credentials cache each
	// time, another for another region; the credentials come from the
	// environment.
	cfg1, err1 := c.AWSConfig(ctx, "us-east-1")
	cfg2, err2 := c.AWSConfig(ctx, "us-east-1")
	cfg3, err3 := c.AWSConfig(ctx, "eu-west-1")
	if err := firstError(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if cfg1.Region != "us-east-1" || cfg3.Region != "eu-west-1" {
		t.Errorf("regions %s, %s", cfg1.Region, cfg3.Region)
	}
	if cfg1.Credentials != cfg2.Credentials {
		t.Error("AWSConfig loaded us-east-1 twice")
	}
	if cfg1.Credentials == cfg3.Credentials {
		t.Error("eu-west-1 shares us-east-1's configuration")
	}
	creds, err := cfg1.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "AKIDTAMPTEST" {
		t.Errorf("credentials %q, %v", creds.AccessKeyID, err)
	}

	// verify's clients are the same ones: the project's region unless a
	// check names another.
	lookup, err := c.Verify(ctx, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	vc := lookup.(verify.AWS).Clients
	vEast, err1 := vc.ECS(ctx, "")
	vTokyo, err2 := vc.ECS(ctx, "ap-northeast-1")
	tokyo, err3 := c.ECS(ctx, "ap-northeast-1")
	if err := firstError(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if any(vEast) != any(east) || any(vTokyo) != any(tokyo) {
		t.Error("verify made ECS clients of its own")
	}
	ssm1, err1 := vc.SSM(ctx, "")
	ssm2, err2 := vc.SSM(ctx, "us-east-1")
	sm1, err3 := vc.SecretsManager(ctx, "")
	sm2, err4 := vc.SecretsManager(ctx, "us-east-1")
	if err := firstError(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	if ssm1 != ssm2 || sm1 != sm2 {
		t.Error("verify's SSM or Secrets Manager client made twice for one region")
	}
	iam1, err1 := vc.Call(ctx, awscall.IAM, "")
	iam2, err2 := vc.Call(ctx, awscall.IAM, "us-east-1")
	ecr, err3 := vc.Call(ctx, awscall.ECR, "us-east-1")
	if err := firstError(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if iam1 != iam2 || iam1 == ecr {
		t.Error("signed callers: one per service and region")
	}
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
