package ecs

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Offline validation refuses what the ECS API documentation says it
// refuses (RegisterTaskDefinition, CreateService and the shapes they take),
// and nothing it accepts: a check whose rule AWS does not document, or
// documents two ways, is left out. Enums are already checked by the strict
// decode. The task definition's checks are in validate_task.go, the
// service's in validate_service.go.

// problems collects what validation finds in one file, each naming the
// file and the JSON path of the field.
type problems struct {
	file string
	errs []error
}

func (p *problems) add(field, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s: %s", p.file, field, fmt.Sprintf(format, args...)))
}

// apiName is the ECS API's format for family, container, volume and
// service names: "Up to 255 letters (uppercase and lowercase), numbers,
// underscores, and hyphens are allowed."
var apiName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

func (p *problems) name(field, what, name string) {
	if name != "" && !apiName.MatchString(name) {
		p.add(field, "%q: a %s is 1 to 255 letters, digits, '_' or '-'", name, what)
	}
}

// between reports v outside [lo, hi]; nil is unset and fine.
func (p *problems) between(field string, v *int32, lo, hi int32, unit string) {
	if v != nil && (*v < lo || *v > hi) {
		p.add(field, "%d is out of range; use %d to %d%s", *v, lo, hi, unit)
	}
}

// notNegative reports a count or size below zero.
func (p *problems) notNegative(field string, v *int32) {
	if v != nil && *v < 0 {
		p.add(field, "%d is negative; use 0 or more", *v)
	}
}

// tagKey and tagValue are the Tag shape's patterns (letters, spaces and
// digits in UTF-8, and + - = . _ : / @).
var tagText = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// tags checks a resource's tags against the Tag shape: at most 50, keys 1
// to 128 characters, values up to 256, the allowed characters, and no
// aws: prefix (reserved for AWS).
func (p *problems) tags(tags []types.Tag) {
	if len(tags) > 50 {
		p.add("tags", "%d tags; a resource takes at most 50", len(tags))
	}
	for i, t := range tags {
		field := fmt.Sprintf("tags[%d]", i)
		k, v := aws.ToString(t.Key), aws.ToString(t.Value)
		switch n := utf8.RuneCountInString(k); {
		case n == 0:
			p.add(field+".key", "is required")
		case n > 128:
			p.add(field+".key", "is %d characters; a tag key takes at most 128", n)
		case !tagText.MatchString(k):
			p.add(field+".key", "%q: a tag key takes letters, digits, spaces and + - = . _ : / @", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			p.add(field+".key", "%q: the aws: prefix is reserved for AWS; rename the tag", k)
		}
		switch n := utf8.RuneCountInString(v); {
		case n > 256:
			p.add(field+".value", "is %d characters; a tag value takes at most 256", n)
		case !tagText.MatchString(v):
			p.add(field+".value", "%q: a tag value takes letters, digits, spaces and + - = . _ : / @", v)
		}
	}
}

// requiredMembers are, per API shape, the members the ECS API requires
// (and the SDK refuses to send without) that a definition can leave out:
// pointers, strings, enums and lists. Members that are plain numbers or
// booleans in the SDK cannot be told apart from zero and are not listed;
// the top-level ones (family, containerDefinitions, serviceName) are
// checked, or filled in, elsewhere. DeploymentAlarms.alarmNames is left
// out: normalization drops an alarms block that is all off, as describe
// output writes it.
var requiredMembers = map[reflect.Type][]string{
	reflect.TypeFor[types.RepositoryCredentials]():                   {"CredentialsParameter"},
	reflect.TypeFor[types.ContainerRestartPolicy]():                  {"Enabled"},
	reflect.TypeFor[types.EnvironmentFile]():                         {"Value", "Type"},
	reflect.TypeFor[types.Device]():                                  {"HostPath"},
	reflect.TypeFor[types.Tmpfs]():                                   {"ContainerPath"},
	reflect.TypeFor[types.Secret]():                                  {"Name", "ValueFrom"},
	reflect.TypeFor[types.ContainerDependency]():                     {"ContainerName", "Condition"},
	reflect.TypeFor[types.HostEntry]():                               {"Hostname", "IpAddress"},
	reflect.TypeFor[types.Ulimit]():                                  {"Name"},
	reflect.TypeFor[types.LogConfiguration]():                        {"LogDriver"},
	reflect.TypeFor[types.HealthCheck]():                             {"Command"},
	reflect.TypeFor[types.ResourceRequirement]():                     {"Value", "Type"},
	reflect.TypeFor[types.FirelensConfiguration]():                   {"Type"},
	reflect.TypeFor[types.EFSVolumeConfiguration]():                  {"FileSystemId"},
	reflect.TypeFor[types.S3FilesVolumeConfiguration]():              {"FileSystemArn"},
	reflect.TypeFor[types.FSxWindowsFileServerVolumeConfiguration](): {"FileSystemId", "RootDirectory", "AuthorizationConfig"},
	reflect.TypeFor[types.FSxWindowsFileServerAuthorizationConfig](): {"CredentialsParameter", "Domain"},
	reflect.TypeFor[types.ProxyConfiguration]():                      {"ContainerName"},
	reflect.TypeFor[types.InferenceAccelerator]():                    {"DeviceName", "DeviceType"},

	reflect.TypeFor[types.CapacityProviderStrategyItem]():              {"CapacityProvider"},
	reflect.TypeFor[types.AwsVpcConfiguration]():                       {"Subnets"},
	reflect.TypeFor[types.DeploymentController]():                      {"Type"},
	reflect.TypeFor[types.ServiceConnectService]():                     {"PortName"},
	reflect.TypeFor[types.ServiceConnectClientAlias]():                 {"Port"},
	reflect.TypeFor[types.ServiceConnectTestTrafficRules]():            {"Header"},
	reflect.TypeFor[types.ServiceConnectTestTrafficHeaderRules]():      {"Name"},
	reflect.TypeFor[types.ServiceConnectTestTrafficHeaderMatchRules](): {"Exact"},
	reflect.TypeFor[types.ServiceConnectTlsConfiguration]():            {"IssuerCertificateAuthority"},
	reflect.TypeFor[types.ServiceConnectAccessLogConfiguration]():      {"Format"},
	reflect.TypeFor[types.ServiceVolumeConfiguration]():                {"Name"},
	reflect.TypeFor[types.ServiceManagedEBSVolumeConfiguration]():      {"RoleArn"},
	reflect.TypeFor[types.EBSTagSpecification]():                       {"ResourceType"},
	reflect.TypeFor[types.VpcLatticeConfiguration]():                   {"RoleArn", "TargetGroupArn", "PortName"},
}

// required reports every required member left out anywhere in v (a
// request as decoded), under its JSON path.
func (p *problems) required(v any) {
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Struct:
			for _, name := range requiredMembers[v.Type()] {
				if unset(v.FieldByName(name)) {
					p.add(awsjson.JoinPath(path, awsjson.JSONName(name)), "is required")
				}
			}
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				if t.Field(i).IsExported() {
					walk(awsjson.JoinPath(path, awsjson.JSONName(t.Field(i).Name)), v.Field(i))
				}
			}
		}
	}
	walk("", reflect.ValueOf(v))
}

func unset(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return v.IsNil() || v.Elem().Kind() == reflect.String && v.Elem().String() == ""
	case reflect.String:
		return v.String() == ""
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return false
}
