package ecs

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// RegisterAction says what register did, or would do, for a definition.
type RegisterAction string

const (
	Registered      RegisterAction = "registered"
	Reused          RegisterAction = "reused"
	WouldRegister   RegisterAction = "would register"
	WouldReuse      RegisterAction = "would reuse"
	registerWorkers                = 4
)

// RegisterResult is the outcome for one task definition.
type RegisterResult struct {
	Name        string         `json:"name"`
	Family      string         `json:"family"`
	Action      RegisterAction `json:"action"`
	Revision    int32          `json:"revision,omitempty"` // the revision registered or reused; for WouldRegister, the latest existing (0 if none)
	ARN         string         `json:"arn,omitempty"`
	TagsUpdated bool           `json:"tags_updated,omitempty"`
}

// Register makes the family's latest ACTIVE revision equal each definition:
// a definition equal to it after normalization reuses it (adding declared
// tags it lacks), anything else registers a new revision. With dryRun it
// only reads. Results are in the order of tds; definitions sharing a family
// (and so, after Load, contents) are registered once.
func Register(ctx context.Context, api API, tds []*TaskDefinition, dryRun bool) ([]RegisterResult, error) {
	byFamily := map[string]int{}
	var unique []*TaskDefinition
	for _, td := range tds {
		if _, ok := byFamily[td.Family()]; !ok {
			byFamily[td.Family()] = len(unique)
			unique = append(unique, td)
		}
	}
	done := make([]RegisterResult, len(unique))
	started := make([]bool, len(unique))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(registerWorkers)
	for i, td := range unique {
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil // not started: said below
			}
			started[i] = true
			res, err := registerOne(gctx, api, td, dryRun)
			if err != nil {
				return fmt.Errorf("register task definition %q (%s): %w", td.Name, td.File, err)
			}
			done[i] = res
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var left []string
	for i, td := range unique {
		if !started[i] {
			left = append(left, td.Name)
		}
	}
	if err := ctx.Err(); err != nil && len(left) > 0 {
		return nil, fmt.Errorf("interrupted before registering %s; what was registered stays, and running the command again finishes the job: %w", strings.Join(left, ", "), err)
	}
	results := make([]RegisterResult, len(tds))
	for i, td := range tds {
		results[i] = done[byFamily[td.Family()]]
		results[i].Name = td.Name
	}
	return results, nil
}

func registerOne(ctx context.Context, api API, td *TaskDefinition, dryRun bool) (RegisterResult, error) {
	res := RegisterResult{Name: td.Name, Family: td.Family()}
	latest, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(td.Family()),
		Include:        []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	switch {
	case isTaskDefinitionNotFound(err):
		latest = nil
	case err != nil:
		return res, fmt.Errorf("describe latest revision: %w", err)
	}
	if latest != nil && latest.TaskDefinition != nil {
		current, err := FromDescribed(latest.TaskDefinition, latest.Tags)
		if err != nil {
			return res, err
		}
		res.Revision = latest.TaskDefinition.Revision
		res.ARN = aws.ToString(latest.TaskDefinition.TaskDefinitionArn)
		if SameTaskDefinition(td.Input, current) {
			missing := missingTags(td.Input.Tags, latest.Tags)
			res.TagsUpdated = len(missing) > 0
			if dryRun {
				res.Action = WouldReuse
				return res, nil
			}
			res.Action = Reused
			if len(missing) > 0 {
				ctx, cancel := sent(ctx)
				defer cancel()
				if _, err := api.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(res.ARN), Tags: missing}); err != nil {
					return res, fmt.Errorf("tag revision %d: %w", res.Revision, err)
				}
			}
			return res, nil
		}
	}
	if dryRun {
		res.Action, res.ARN = WouldRegister, ""
		return res, nil
	}
	// Once sent, a registration is seen through to its answer: Ctrl-C
	// must not leave it unknown whether the revision exists.
	ctx, cancel := sent(ctx)
	defer cancel()
	out, err := api.RegisterTaskDefinition(ctx, td.Input)
	if err != nil {
		return res, err
	}
	res.Action = Registered
	res.Revision = out.TaskDefinition.Revision
	res.ARN = aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	return res, nil
}

// FromDescribed turns a described task definition back into the normalized
// request that would register it.
func FromDescribed(td *types.TaskDefinition, tags []types.Tag) (*awsecs.RegisterTaskDefinitionInput, error) {
	g, err := awsjson.ToGeneric(td)
	if err != nil {
		return nil, err
	}
	obj := g.(map[string]any)
	dropFold(obj, readOnlyTaskDefinitionFields)
	var in awsecs.RegisterTaskDefinitionInput
	if err := awsjson.Decode(obj, &in); err != nil {
		return nil, fmt.Errorf("read revision %d: %w", td.Revision, err)
	}
	in.Tags = tags
	return NormalizeTaskDefinition(&in), nil
}

// SameTaskDefinition tells whether two normalized definitions register the
// same revision contents. Tags are not part of a revision's contents: they
// can change without a new revision.
func SameTaskDefinition(a, b *awsecs.RegisterTaskDefinitionInput) bool {
	ac, bc := *a, *b
	ac.Tags, bc.Tags = nil, nil
	return bytes.Equal(Canonical(&ac), Canonical(&bc))
}

// missingTags are the declared tags that the revision lacks or holds with
// another value. Tags on the revision that the config does not declare are
// left alone.
func missingTags(declared, current []types.Tag) []types.Tag {
	have := map[string]string{}
	for _, t := range current {
		have[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	var out []types.Tag
	for _, t := range declared {
		if v, ok := have[aws.ToString(t.Key)]; !ok || v != aws.ToString(t.Value) {
			out = append(out, t)
		}
	}
	return out
}
