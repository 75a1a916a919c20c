package fakeaws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
)

// DeregisterScalableTarget removes a target and its scaling policies, as
// AWS does; an unknown one is an ObjectNotFoundException.
func (s *Scaling) DeregisterScalableTarget(ctx context.Context, in *aas.DeregisterScalableTargetInput, _ ...func(*aas.Options)) (*aas.DeregisterScalableTargetOutput, error) {
	if err := s.enter(ctx, "DeregisterScalableTarget"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := aws.ToString(in.ResourceId)
	if _, ok := s.targets[id]; !ok {
		return nil, &aastypes.ObjectNotFoundException{Message: aws.String("No scalable target registered for service namespace: ecs, resource ID: " + id + ", scalable dimension: ecs:service:DesiredCount")}
	}
	delete(s.targets, id)
	delete(s.policies, id)
	return &aas.DeregisterScalableTargetOutput{}, nil
}
