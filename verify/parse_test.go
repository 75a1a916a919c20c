package verify

import (
	"slices"
	"testing"
)

func TestParseImage(t *testing.T) {
	for _, tc := range []struct {
		ref  string
		ecr  bool
		host string
		want ECRImage
	}{
		{ref: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1.2", ecr: true,
			want: ECRImage{Registry: "123456789012", Region: "eu-west-1", Repository: "team/app", Tag: "v1.2"}},
		{ref: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app", ecr: true,
			want: ECRImage{Registry: "123456789012", Region: "us-east-1", Repository: "app", Tag: "latest"}},
		{ref: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:abc", ecr: true,
			want: ECRImage{Registry: "123456789012", Region: "cn-north-1", Repository: "app", Digest: "sha256:abc"}},
		{ref: "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app:v1@sha256:abc", ecr: true,
			want: ECRImage{Registry: "123456789012", Region: "us-east-1", Repository: "app", Digest: "sha256:abc"}},
		{ref: "nginx:1.27", host: "docker.io"},
		{ref: "library/nginx", host: "docker.io"},
		{ref: "ghcr.io/org/app:v1", host: "ghcr.io"},
		{ref: "localhost:5000/app:v1", host: "localhost:5000"},
		{ref: "public.ecr.aws/nginx/nginx:1", host: "public.ecr.aws"},
	} {
		img, host, ecr := ParseImage(tc.ref)
		if ecr != tc.ecr || img != tc.want || (!ecr && host != tc.host) {
			t.Errorf("ParseImage(%q) = %+v, %q, %v", tc.ref, img, host, ecr)
		}
	}
}

func TestParseValueFrom(t *testing.T) {
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
	for _, tc := range []struct {
		in   string
		want SecretRef
	}{
		{"/app/db", SecretRef{Kind: "ssm", Name: "/app/db"}},
		{"arn:aws:ssm:us-east-1:123456789012:parameter/app/db", SecretRef{Kind: "ssm", Region: "us-east-1", Name: "arn:aws:ssm:us-east-1:123456789012:parameter/app/db"}},
		{arn, SecretRef{Kind: "secretsmanager", Region: "eu-west-1", Name: arn}},
		{arn + ":password::", SecretRef{Kind: "secretsmanager", Region: "eu-west-1", Name: arn, JSONKey: "password"}},
		{arn + "::AWSPREVIOUS:", SecretRef{Kind: "secretsmanager", Region: "eu-west-1", Name: arn, Stage: "AWSPREVIOUS"}},
		{arn + ":k::v-1", SecretRef{Kind: "secretsmanager", Region: "eu-west-1", Name: arn, JSONKey: "k", Version: "v-1"}},
	} {
		if got := ParseValueFrom(tc.in); got != tc.want {
			t.Errorf("ParseValueFrom(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestS3ARNAndRoleName(t *testing.T) {
	if b, k, ok := S3ARN("arn:aws:s3:::bucket/dir/app.env"); !ok || b != "bucket" || k != "dir/app.env" {
		t.Errorf("S3ARN = %q %q %v", b, k, ok)
	}
	for _, bad := range []string{"s3://bucket/key", "arn:aws:s3:::bucket", "arn:aws:ssm:::bucket/key"} {
		if _, _, ok := S3ARN(bad); ok {
			t.Errorf("S3ARN(%q) accepted", bad)
		}
	}
	if n := RoleName("arn:aws:iam::123456789012:role/service-role/app"); n != "app" {
		t.Errorf("RoleName = %q", n)
	}
	if n := RoleName("app"); n != "app" {
		t.Errorf("RoleName = %q", n)
	}
}

func TestTrusts(t *testing.T) {
	for _, tc := range []struct {
		policy string
		ok     bool
		named  []string
	}{
		{`{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`, true, []string{"ecs-tasks.amazonaws.com"}},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, true, []string{"ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false, []string{"ec2.amazonaws.com"}},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:TagSession"}]}`, false, nil},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`, false, nil},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"}]}`, true, nil},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},
		  {"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false, []string{"ecs-tasks.amazonaws.com"}},
		{`not json`, false, nil},
	} {
		ok, named := Trusts(tc.policy, "ecs-tasks.amazonaws.com")
		if ok != tc.ok || !slices.Equal(named, tc.named) {
			t.Errorf("Trusts(%s) = %v %v, want %v %v", tc.policy, ok, named, tc.ok, tc.named)
		}
	}
}
