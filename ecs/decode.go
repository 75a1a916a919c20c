// Package ecs owns ECS services and task definitions as tamp sees them:
// decoding the definition files, normalizing them so that two definitions
// AWS treats as equal compare equal, validating them offline, and the AWS
// operations on them: register (idempotent), describe and diff, deploy
// (create or update each service, its tags, following the rollout, going
// back on failure), wait, status, scale, rollback and deregistering what was
// rolled back from, one-off tasks with their awslogs lines, and adopting a
// running service as definition files.
//
// It does not read the config file or run templates: package config renders
// the files and this package decodes what it gets. Scheduled tasks are
// package scheduled's; the order of a whole deploy or rollback (services,
// then the schedules that run their revisions) is package rollout's.
package ecs

import (
	"fmt"
	"reflect"
	"strings"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Fields AWS fills in and returns from Describe*, which a definition file
// may carry when it was copied from the API. They are dropped, not errors.
var (
	readOnlyTaskDefinitionFields = []string{
		"taskDefinitionArn", "revision", "status", "registeredAt", "registeredBy",
		"deregisteredAt", "requiresAttributes", "compatibilities",
	}
	readOnlyServiceFields = []string{
		"serviceArn", "clusterArn", "status", "runningCount", "pendingCount",
		"deployments", "events", "createdAt", "createdBy", "taskSets", "roleArn",
		"platformFamily", "currentServiceDeployment", "currentServiceRevisions",
		"resourceManagementType",
	}
)

// DecodeTaskDefinition decodes rendered JSON into a register request. It
// accepts the request shape and the `{"taskDefinition": {...}}` wrapper that
// describe-task-definition prints (with its top-level tags).
func DecodeTaskDefinition(file string, text []byte) (*awsecs.RegisterTaskDefinitionInput, error) {
	obj, err := parseObject(file, text)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if inner, key := lookupFold(obj, "taskDefinition"); inner != nil {
		wrapped, ok := inner.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: %s: expected an object", file, key)
		}
		for k, v := range obj {
			if k != key && !strings.EqualFold(k, "tags") {
				return nil, fmt.Errorf("%s: %s: unexpected next to %s; put every field inside %s", file, k, key, key)
			}
			if strings.EqualFold(k, "tags") {
				wrapped["tags"] = v
			}
		}
		obj, prefix = wrapped, key+"."
	}
	dropFold(obj, readOnlyTaskDefinitionFields)
	var in awsecs.RegisterTaskDefinitionInput
	if err := awsjson.Decode(obj, &in); err != nil {
		return nil, fileErrors(file, prefix, err)
	}
	return &in, nil
}

// DecodeService decodes rendered JSON into a create-service request. It
// also returns the top-level fields the file sets, under the API's names,
// as written: an update changes only those.
func DecodeService(file string, text []byte) (*awsecs.CreateServiceInput, map[string]any, error) {
	obj, err := parseObject(file, text)
	if err != nil {
		return nil, nil, err
	}
	dropFold(obj, readOnlyServiceFields)
	var in awsecs.CreateServiceInput
	if err := awsjson.Decode(obj, &in); err != nil {
		return nil, nil, fileErrors(file, "", err)
	}
	fields := awsjson.FieldsOf(reflect.TypeOf(in))
	declared := map[string]any{}
	for k, v := range obj {
		if name, ok := fields.Canonical(k); ok && v != nil {
			declared[name] = v
		}
	}
	return &in, declared, nil
}

func parseObject(file string, text []byte) (map[string]any, error) {
	v, err := awsjson.Unmarshal(text)
	if err != nil {
		return nil, fmt.Errorf("%s:%v", file, awsjson.SyntaxError(text, fmt.Errorf("invalid JSON after rendering: %w", err)))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected an object at the top level", file)
	}
	return obj, nil
}

// lookupFold finds key in obj ignoring case (camelCase or PascalCase).
func lookupFold(obj map[string]any, key string) (any, string) {
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, k
		}
	}
	return nil, ""
}

func dropFold(obj map[string]any, keys []string) {
	for k := range obj {
		for _, drop := range keys {
			if strings.EqualFold(k, drop) {
				delete(obj, k)
			}
		}
	}
}

// fileErrors prefixes every field error with the file, one per line.
func fileErrors(file, prefix string, err error) error {
	fes, ok := err.(awsjson.Errors)
	if !ok {
		return fmt.Errorf("%s: %w", file, err)
	}
	out := make(awsjson.Errors, len(fes))
	for i, fe := range fes {
		out[i] = &awsjson.FieldError{Path: file + ": " + prefix + fe.Path, Msg: fe.Msg}
	}
	return out
}
