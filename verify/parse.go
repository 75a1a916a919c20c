package verify

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// ECRImage is a container image in a private ECR registry.
type ECRImage struct {
	Registry   string // the account ID
	Region     string
	Repository string
	Tag        string // "" when Digest is set
	Digest     string
}

// Version is the tag or digest as a user wrote it.
func (i ECRImage) Version() string {
	if i.Digest != "" {
		return "digest " + i.Digest
	}
	return "tag " + i.Tag
}

var ecrHost = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)

// ParseImage splits an image reference. ok is false for images outside
// a private ECR registry; host then names their registry.
func ParseImage(ref string) (img ECRImage, host string, ok bool) {
	host, rest := "docker.io", ref
	if i := strings.IndexByte(ref, '/'); i >= 0 {
		first := ref[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			host, rest = first, ref[i+1:]
		}
	}
	repo, tag, digest := rest, "", ""
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		repo, digest = rest[:i], rest[i+1:]
	}
	if i := strings.LastIndexByte(repo, ':'); i >= 0 && !strings.Contains(repo[i:], "/") {
		repo, tag = repo[:i], repo[i+1:]
	}
	if tag == "" && digest == "" {
		tag = "latest"
	}
	m := ecrHost.FindStringSubmatch(host)
	if m == nil {
		return ECRImage{}, host, false
	}
	img = ECRImage{Registry: m[1], Region: m[2], Repository: repo, Tag: tag, Digest: digest}
	if digest != "" {
		img.Tag = ""
	}
	return img, host, true
}

// SecretRef is where a container secret's value comes from.
type SecretRef struct {
	Kind   string // "ssm", "secretsmanager", or "invalid" (a malformed ARN)
	Region string // "" for the task's region
	// Name is the SSM parameter name or ARN as written, or the Secrets
	// Manager secret's ARN without the JSON key and version parts.
	Name    string
	JSONKey string
	Stage   string
	Version string
}

// ParseValueFrom reads a secrets[].valueFrom: a Secrets Manager ARN
// (arn:aws:secretsmanager:region:account:secret:name[:json-key[:stage[:version]]]),
// an SSM parameter ARN, or an SSM parameter name in the task's region.
func ParseValueFrom(v string) SecretRef {
	parts := strings.Split(v, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return SecretRef{Kind: "ssm", Name: v}
	}
	switch parts[2] {
	case "secretsmanager":
		if len(parts) < 7 || parts[5] != "secret" {
			return SecretRef{Kind: "invalid", Name: v}
		}
		ref := SecretRef{Kind: "secretsmanager", Region: parts[3], Name: strings.Join(parts[:7], ":")}
		extra := append(parts[7:], "", "", "")
		ref.JSONKey, ref.Stage, ref.Version = extra[0], extra[1], extra[2]
		return ref
	case "ssm":
		return SecretRef{Kind: "ssm", Region: parts[3], Name: v}
	}
	return SecretRef{Kind: "ssm", Name: v}
}

// S3ARN splits arn:aws:s3:::bucket/key.
func S3ARN(arn string) (bucket, key string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:")
	if !found {
		return "", "", false
	}
	parts := strings.SplitN(rest, ":", 5)
	if len(parts) != 5 || parts[1] != "s3" {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(parts[4], "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// RoleName is the name GetRole takes: the last part of an ARN's path, or
// the name as written.
func RoleName(ref string) string {
	if !strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return ref[strings.LastIndexByte(ref, '/')+1:]
}

// Trusts tells whether a trust policy lets service assume the role, and
// which services it allows (for the reason when it does not). A Deny with
// a Condition (aws:SourceAccount, say) is not evaluated: it refuses only
// some callers, and AWS's own service calls usually pass it.
func Trusts(policy, service string) (trusted bool, allowed []string) {
	ok, allowed, _ := trusts(policy, service)
	return ok, allowed
}

// trusts is Trusts, also telling whether an unconditional Deny refuses
// service.
func trusts(policy, service string) (bool, []string, bool) {
	var doc struct {
		Statement oneOrMany[statement] `json:"Statement"`
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false, nil, false
	}
	allowed, denied := false, false
	var named []string
	for _, st := range doc.Statement {
		if !st.assumes() {
			continue
		}
		services := st.Principal.services()
		for _, s := range services {
			if !slices.Contains(named, s) && st.Effect == "Allow" {
				named = append(named, s)
			}
		}
		if !slices.Contains(services, service) && !st.Principal.any {
			continue
		}
		switch {
		case st.Effect == "Allow":
			allowed = true
		case st.Effect == "Deny" && len(st.Condition) == 0:
			denied = true
		}
	}
	return allowed && !denied, named, denied
}

type statement struct {
	Effect    string            `json:"Effect"`
	Action    oneOrMany[string] `json:"Action"`
	Principal principal         `json:"Principal"`
	Condition json.RawMessage   `json:"Condition"`
}

func (s statement) assumes() bool {
	for _, a := range s.Action {
		switch strings.ToLower(a) {
		case "sts:assumerole", "sts:*", "*":
			return true
		}
	}
	return false
}

// principal is "*" or {"Service": ..., "AWS": ...}.
type principal struct {
	any     bool
	Service oneOrMany[string]
}

func (p *principal) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		p.any = s == "*"
		return nil
	}
	var obj struct {
		Service oneOrMany[string] `json:"Service"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	p.Service = obj.Service
	return nil
}

func (p principal) services() []string { return p.Service }

// oneOrMany reads a JSON value that is one T or a list of them, as IAM
// policies write them.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	var many []T
	if json.Unmarshal(b, &many) == nil {
		*o = many
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = oneOrMany[T]{one}
	return nil
}
