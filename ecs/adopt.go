package ecs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Adopted is a running service written back as definitions: what a deploy
// of them would create, so a diff right after shows nothing.
type Adopted struct {
	Name           string
	Service        *awsecs.CreateServiceInput // without name and cluster: the config's
	TaskDefinition *awsecs.RegisterTaskDefinitionInput
}

// Family is the adopted task definition's family.
func (a Adopted) Family() string { return aws.ToString(a.TaskDefinition.Family) }

// Adopt reads the named services of a cluster and the task definitions
// they run, in the order named. A service that does not exist (or is
// INACTIVE) is an error naming every such one.
func Adopt(ctx context.Context, api API, cluster, region string, names []string) ([]Adopted, error) {
	found := map[string]types.Service{}
	for batch := range slices.Chunk(names, 10) {
		out, err := api.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: batch,
			Include: []types.ServiceField{types.ServiceFieldTags}})
		if err != nil {
			return nil, err
		}
		for _, s := range out.Services {
			if aws.ToString(s.Status) != "INACTIVE" {
				found[aws.ToString(s.ServiceName)] = s
			}
		}
	}
	var missing []string
	for _, name := range names {
		if _, ok := found[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("init: no service %s in cluster %s (%s)", strings.Join(missing, ", "), cluster, region)
	}
	var adopted []Adopted
	for _, name := range names {
		svc := found[name]
		in, err := ServiceFromDescribed(&svc)
		if err != nil {
			return nil, err
		}
		in.ServiceName, in.Cluster = nil, nil
		in.Tags = ownTags(svc.Tags)
		out, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition,
			Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
		if err != nil {
			return nil, fmt.Errorf("init: service %s: %w", name, err)
		}
		td, err := FromDescribed(out.TaskDefinition, ownTags(out.Tags))
		if err != nil {
			return nil, err
		}
		adopted = append(adopted, Adopted{Name: name, Service: in, TaskDefinition: td})
	}
	return adopted, nil
}

// ownTags drops AWS's own tags (aws:...), which no one may set.
func ownTags(tags []types.Tag) []types.Tag {
	return slices.DeleteFunc(slices.Clone(tags), func(t types.Tag) bool { return strings.HasPrefix(aws.ToString(t.Key), "aws:") })
}
