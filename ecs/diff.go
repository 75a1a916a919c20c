package ecs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/internal/diffreport"
)

// describeServicesBatch is DescribeServices' limit on names per call.
const describeServicesBatch = 10

// Remote is what AWS has for the definitions in scope.
type Remote struct {
	Services map[string]*types.Service // by service name; absent when it does not exist
	// TaskDefinitions are the revisions to compare with, by config name:
	// the service's current one, else the family's latest ACTIVE one.
	TaskDefinitions map[string]*awsecs.DescribeTaskDefinitionOutput
	// Scaled are the services with an Application Auto Scaling target
	// (DescribeScaling): their desired count is the scaler's.
	Scaled map[string]*ScalableTarget
}

// DescribeScaling adds the services' scalable targets to r. Without
// permission to read them (AccessDeniedException) r is left as it was:
// desired counts are then compared and applied as the files write them.
func DescribeScaling(ctx context.Context, api ScalingAPI, cluster string, r *Remote) error {
	var names []string
	for name := range r.Services {
		names = append(names, name)
	}
	scaled, err := AutoScaled(ctx, api, cluster, names)
	r.Scaled = scaled
	return err
}

// AutoScaled are the scalable targets of services (names), as
// ScalableTargets; nil without an api, without services, or without
// permission to read them (AccessDeniedException).
func AutoScaled(ctx context.Context, api ScalingAPI, cluster string, names []string) (map[string]*ScalableTarget, error) {
	if api == nil || len(names) == 0 {
		return nil, nil
	}
	scaled, err := ScalableTargets(ctx, api, cluster, names)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException" {
		return nil, nil
	}
	return scaled, err
}

// Describe reads what AWS has: the services in batches of ten, then each
// task definition to compare with, once.
func Describe(ctx context.Context, api API, cluster string, defs *Definitions) (*Remote, error) {
	r := &Remote{Services: map[string]*types.Service{}, TaskDefinitions: map[string]*awsecs.DescribeTaskDefinitionOutput{}}
	var names []string
	for _, s := range defs.Services {
		names = append(names, s.Name)
	}
	for batch := range slices.Chunk(names, describeServicesBatch) {
		out, err := api.DescribeServices(ctx, &awsecs.DescribeServicesInput{
			Cluster: aws.String(cluster), Services: batch, Include: []types.ServiceField{types.ServiceFieldTags},
		})
		if err != nil {
			return nil, fmt.Errorf("describe services in cluster %s: %w", cluster, err)
		}
		for i := range out.Services {
			svc := &out.Services[i]
			if aws.ToString(svc.Status) != "INACTIVE" {
				r.Services[aws.ToString(svc.ServiceName)] = svc
			}
		}
	}
	cache := map[string]*awsecs.DescribeTaskDefinitionOutput{}
	for _, td := range defs.TaskDefinitions {
		ref := td.Family()
		if svc := r.Services[td.Name]; svc != nil && defs.owner(td) != nil && svc.TaskDefinition != nil {
			ref = *svc.TaskDefinition
		}
		if out, ok := cache[ref]; ok {
			r.TaskDefinitions[td.Name] = out
			continue
		}
		out, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{
			TaskDefinition: aws.String(ref), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
		})
		switch {
		case isTaskDefinitionNotFound(err):
			out = nil
		case err != nil:
			return nil, fmt.Errorf("describe task definition %s: %w", ref, err)
		}
		cache[ref] = out
		r.TaskDefinitions[td.Name] = out
	}
	return r, nil
}

// owner is the service a task definition belongs to, if any.
func (d *Definitions) owner(td *TaskDefinition) *Service {
	for _, s := range d.Services {
		if s.TaskDefinition == td {
			return s
		}
	}
	return nil
}

// Diff compares the definitions with what AWS has. ignoreTags are tag keys
// other tools manage: they are left out on both sides.
func Diff(defs *Definitions, remote *Remote, ignoreTags []string) (diffreport.Report, error) {
	var report diffreport.Report
	add := func(c diffreport.Change, err error) error {
		if err == nil {
			report.Changes = append(report.Changes, c)
		}
		return err
	}
	seen := map[*TaskDefinition]bool{}
	tdChange := func(td *TaskDefinition) error {
		seen[td] = true
		before, after, label, err := taskDefinitionDocs(td, remote.TaskDefinitions[td.Name], ignoreTags)
		if err != nil {
			return err
		}
		return add(diffreport.NewChange("task definition "+td.Name, label, before, after))
	}
	for _, s := range defs.Services {
		if s.TaskDefinition != nil {
			if err := tdChange(s.TaskDefinition); err != nil {
				return report, err
			}
		}
		if s.Input == nil {
			continue
		}
		scaled := remote.Scaled[s.Name]
		before, after, err := serviceDocs(s, remote.Services[s.Name], ignoreTags, scaled != nil)
		if err != nil {
			return report, err
		}
		c, err := diffreport.NewChange("service "+s.Name, "", before, after)
		if err == nil && codeDeployed(remote.Services[s.Name]) {
			c.Notes = codeDeployNotes(c.Fields)
		}
		if n := s.Input.DesiredCount; err == nil && scaled != nil && n != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("desiredCount %d is left to Application Auto Scaling (min %d, max %d): deploy does not change it",
				*n, scaled.Min, scaled.Max))
		}
		if err := add(c, err); err != nil {
			return report, err
		}
	}
	for _, td := range defs.TaskDefinitions {
		if !seen[td] {
			if err := tdChange(td); err != nil {
				return report, err
			}
		}
	}
	return report, nil
}

// taskDefinitionDocs are the two sides of a task definition's diff. Tags
// count only for keys the config declares: register adds or corrects
// those and leaves other tags on a revision alone.
func taskDefinitionDocs(td *TaskDefinition, remote *awsecs.DescribeTaskDefinitionOutput, ignoreTags []string) (before, after []byte, label string, err error) {
	local := *td.Input
	local.Tags = withoutTags(local.Tags, ignoreTags)
	after = Canonical(&local)
	if remote == nil || remote.TaskDefinition == nil {
		return nil, after, "", nil
	}
	declared := map[string]bool{}
	for _, t := range local.Tags {
		declared[aws.ToString(t.Key)] = true
	}
	var kept []types.Tag
	for _, t := range remote.Tags {
		if declared[aws.ToString(t.Key)] {
			kept = append(kept, t)
		}
	}
	current, err := FromDescribed(remote.TaskDefinition, kept)
	if err != nil {
		return nil, nil, "", err
	}
	label = fmt.Sprintf("%s:%d", aws.ToString(remote.TaskDefinition.Family), remote.TaskDefinition.Revision)
	return Canonical(current), after, label, nil
}

// updatableFields are the service fields UpdateService can change, by
// their JSON names, read from the SDK so they follow it; the task
// definition is compared as its own resource.
var updatableFields = func() map[string]bool {
	f := awsjson.FieldsOf(reflect.TypeOf(awsecs.UpdateServiceInput{}))
	out := map[string]bool{}
	for _, name := range f.Names() {
		switch name {
		case "service", "cluster", "forceNewDeployment", "taskDefinition":
		default:
			out[name] = true
		}
	}
	out["tags"] = true // through TagResource / UntagResource
	return out
}()

// serviceDocs are the two sides of a service's diff: the updatable fields
// the local definition sets (UpdateService leaves the others as they are),
// and the same fields of the running service.
// With scaled (the service has a scalable target), the desired count is
// the scaler's and left out.
func serviceDocs(s *Service, remote *types.Service, ignoreTags []string, scaled bool) (before, after []byte, err error) {
	local := *s.Input
	local.Tags = withoutTags(local.Tags, ignoreTags)
	if remote == nil {
		return nil, Canonical(&local), nil
	}
	localDoc, err := project(&local, nil)
	if err != nil {
		return nil, nil, err
	}
	if s.Declared != nil {
		// Only what the file sets: defaults normalization filled in are not
		// the file's to enforce (a circuit breaker enabled elsewhere stays).
		for k := range localDoc {
			if _, ok := s.Declared[k]; !ok && k != "tags" {
				delete(localDoc, k)
			}
		}
		for k, v := range s.Declared {
			if _, ok := localDoc[k]; !ok && updatableFields[k] {
				localDoc[k] = v // set to a zero value (enableExecuteCommand: false)
			}
		}
		if _, ok := s.Declared["tags"]; !ok {
			delete(localDoc, "tags")
		}
	}
	if scaled {
		delete(localDoc, "desiredCount")
	}
	after = Canonical(localDoc)
	current, err := ServiceFromDescribed(remote)
	if err != nil {
		return nil, nil, err
	}
	current.Tags = withoutTags(current.Tags, ignoreTags)
	remoteDoc, err := project(current, localDoc)
	if err != nil {
		return nil, nil, err
	}
	return Canonical(remoteDoc), after, nil
}

// project keeps the updatable fields of a service request: those set in
// like (all set ones when like is nil).
func project(in *awsecs.CreateServiceInput, like map[string]any) (map[string]any, error) {
	g, err := awsjson.ToGeneric(in)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range g.(map[string]any) {
		if !updatableFields[k] {
			continue
		}
		if like != nil {
			if _, ok := like[k]; !ok {
				continue
			}
		}
		out[k] = v
	}
	for k := range like {
		if _, ok := out[k]; !ok {
			out[k] = nil // set locally, unset in AWS
		}
	}
	return out, nil
}

// ServiceFromDescribed turns a described service into the normalized
// create-service request that would make it.
func ServiceFromDescribed(svc *types.Service) (*awsecs.CreateServiceInput, error) {
	g, err := awsjson.ToGeneric(svc)
	if err != nil {
		return nil, err
	}
	fields := awsjson.FieldsOf(reflect.TypeOf(awsecs.CreateServiceInput{}))
	obj := map[string]any{}
	for k, v := range g.(map[string]any) {
		if fields.Has(k) && k != "taskDefinition" {
			obj[k] = v
		}
	}
	var in awsecs.CreateServiceInput
	if err := awsjson.Decode(obj, &in); err != nil {
		return nil, fmt.Errorf("read service %s: %w", aws.ToString(svc.ServiceName), err)
	}
	return NormalizeService(&in), nil
}

// withoutTags drops the ignored keys and AWS's own (aws:...), which no
// one may change.
func withoutTags(tags []types.Tag, ignore []string) []types.Tag {
	var out []types.Tag
	for _, t := range tags {
		if k := aws.ToString(t.Key); !slices.Contains(ignore, k) && !strings.HasPrefix(k, "aws:") {
			out = append(out, t)
		}
	}
	return out
}

// CodeDeployOwned are the service fields a CODE_DEPLOY service changes only
// through a CodeDeploy deployment; the others go through UpdateService.
var CodeDeployOwned = []string{"taskDefinition", "loadBalancers", "networkConfiguration", "platformVersion", "capacityProviderStrategy"}

// codeDeployNotes says which of a CODE_DEPLOY service's changed fields
// deploy sends through CodeDeploy and which through UpdateService.
func codeDeployNotes(fields []string) []string {
	var owned, updated []string
	for _, f := range fields {
		top, _, _ := strings.Cut(f, ".")
		top, _, _ = strings.Cut(top, "[")
		list := &updated
		if slices.Contains(CodeDeployOwned, top) {
			list = &owned
		}
		if !slices.Contains(*list, top) {
			*list = append(*list, top)
		}
	}
	var notes []string
	if len(owned) > 0 {
		notes = append(notes, "through a CodeDeploy deployment (CODE_DEPLOY service): "+strings.Join(owned, ", "))
	}
	if len(updated) > 0 {
		notes = append(notes, "through UpdateService: "+strings.Join(updated, ", "))
	}
	return notes
}
