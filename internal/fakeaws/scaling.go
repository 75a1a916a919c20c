package fakeaws

import (
	"context"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
)

// Scaling is an in-memory Application Auto Scaling for ECS services:
// scalable targets by resource ID (service/CLUSTER/SERVICE) and their
// scaling policies. RegisterScalableTarget of a registered target changes
// only what the request sets, as AWS does. Make one with NewScaling.
type Scaling struct {
	callLedger

	mu       sync.Mutex
	targets  map[string]*aastypes.ScalableTarget
	policies map[string][]string
	states   []aastypes.SuspendedState // every suspended state registered, in order
}

// NewScaling has no scalable targets.
func NewScaling() *Scaling {
	return &Scaling{targets: map[string]*aastypes.ScalableTarget{}, policies: map[string][]string{}}
}

// AddTarget registers service's desired count in cluster as a target,
// with scaling policies of those names.
func (s *Scaling) AddTarget(cluster, service string, min, max int32, policies ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := "service/" + cluster + "/" + service
	s.targets[id] = &aastypes.ScalableTarget{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id),
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(min), MaxCapacity: aws.Int32(max),
		SuspendedState: &aastypes.SuspendedState{DynamicScalingInSuspended: aws.Bool(false), DynamicScalingOutSuspended: aws.Bool(false),
			ScheduledScalingSuspended: aws.Bool(false)}}
	s.policies[id] = policies
}

// Target is the target of service in cluster as it stands.
func (s *Scaling) Target(cluster, service string) (aastypes.ScalableTarget, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.targets["service/"+cluster+"/"+service]
	if !ok {
		return aastypes.ScalableTarget{}, false
	}
	return *t, true
}

// States are the suspended states registered so far, oldest first.
func (s *Scaling) States() []aastypes.SuspendedState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.states)
}

func (s *Scaling) DescribeScalableTargets(ctx context.Context, in *aas.DescribeScalableTargetsInput, _ ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error) {
	if err := s.enter(ctx, "DescribeScalableTargets"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &aas.DescribeScalableTargetsOutput{}
	for _, id := range in.ResourceIds {
		if t, ok := s.targets[id]; ok {
			c := *t
			state := *t.SuspendedState
			c.SuspendedState = &state
			out.ScalableTargets = append(out.ScalableTargets, c)
		}
	}
	return out, nil
}

func (s *Scaling) RegisterScalableTarget(ctx context.Context, in *aas.RegisterScalableTargetInput, _ ...func(*aas.Options)) (*aas.RegisterScalableTargetOutput, error) {
	if err := s.enter(ctx, "RegisterScalableTarget"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := aws.ToString(in.ResourceId)
	t, ok := s.targets[id]
	if !ok {
		t = &aastypes.ScalableTarget{ServiceNamespace: in.ServiceNamespace, ResourceId: in.ResourceId, ScalableDimension: in.ScalableDimension,
			SuspendedState: &aastypes.SuspendedState{}}
		s.targets[id] = t
	}
	if in.MinCapacity != nil {
		t.MinCapacity = in.MinCapacity
	}
	if in.MaxCapacity != nil {
		t.MaxCapacity = in.MaxCapacity
	}
	if st := in.SuspendedState; st != nil {
		cur := t.SuspendedState
		for _, f := range []struct {
			dst **bool
			src *bool
		}{{&cur.DynamicScalingInSuspended, st.DynamicScalingInSuspended},
			{&cur.DynamicScalingOutSuspended, st.DynamicScalingOutSuspended}, {&cur.ScheduledScalingSuspended, st.ScheduledScalingSuspended}} {
			if f.src != nil {
				*f.dst = aws.Bool(*f.src)
			}
		}
		s.states = append(s.states, *cur)
	}
	return &aas.RegisterScalableTargetOutput{}, nil
}

func (s *Scaling) DescribeScalingPolicies(ctx context.Context, in *aas.DescribeScalingPoliciesInput, _ ...func(*aas.Options)) (*aas.DescribeScalingPoliciesOutput, error) {
	if err := s.enter(ctx, "DescribeScalingPolicies"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &aas.DescribeScalingPoliciesOutput{}
	for _, name := range s.policies[aws.ToString(in.ResourceId)] {
		out.ScalingPolicies = append(out.ScalingPolicies, aastypes.ScalingPolicy{PolicyName: aws.String(name), ResourceId: in.ResourceId})
	}
	return out, nil
}
