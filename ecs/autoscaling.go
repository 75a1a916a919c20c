package ecs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
)

// ScalingAPI is the part of Application Auto Scaling tamp uses.
type ScalingAPI interface {
	DescribeScalableTargets(ctx context.Context, in *aas.DescribeScalableTargetsInput, optFns ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error)
	RegisterScalableTarget(ctx context.Context, in *aas.RegisterScalableTargetInput, optFns ...func(*aas.Options)) (*aas.RegisterScalableTargetOutput, error)
	DescribeScalingPolicies(ctx context.Context, in *aas.DescribeScalingPoliciesInput, optFns ...func(*aas.Options)) (*aas.DescribeScalingPoliciesOutput, error)
	// DeregisterScalableTarget: delete, before the service goes.
	DeregisterScalableTarget(ctx context.Context, in *aas.DeregisterScalableTargetInput, optFns ...func(*aas.Options)) (*aas.DeregisterScalableTargetOutput, error)
}

var _ ScalingAPI = (*aas.Client)(nil)

// desiredCountDimension is the one dimension of an ECS service Application
// Auto Scaling scales.
const desiredCountDimension = aastypes.ScalableDimensionECSServiceDesiredCount

// ScalableTarget is a service's Application Auto Scaling target.
type ScalableTarget struct {
	Service    string `json:"-"`
	ResourceID string `json:"resource_id"` // service/CLUSTER/SERVICE
	Min        int32  `json:"min"`
	Max        int32  `json:"max"`
	// Suspended: dynamic scale-in, dynamic scale-out and scheduled scaling.
	Suspension Suspension `json:"suspended"`
	Policies   []string   `json:"policies,omitempty"`
}

// Suspension is which kinds of scaling a target has suspended.
type Suspension struct {
	DynamicIn  bool `json:"dynamic_scaling_in"`
	DynamicOut bool `json:"dynamic_scaling_out"`
	Scheduled  bool `json:"scheduled_scaling"`
}

// All tells every kind is suspended; None that none is.
func (s Suspension) All() bool  { return s.DynamicIn && s.DynamicOut && s.Scheduled }
func (s Suspension) None() bool { return !s.DynamicIn && !s.DynamicOut && !s.Scheduled }

func (s Suspension) String() string {
	switch {
	case s.All():
		return "suspended"
	case s.None():
		return "active"
	}
	var parts []string
	for _, k := range []struct {
		on   bool
		name string
	}{{s.DynamicIn, "scale-in"}, {s.DynamicOut, "scale-out"}, {s.Scheduled, "scheduled"}} {
		if k.on {
			parts = append(parts, k.name)
		}
	}
	return "suspended " + strings.Join(parts, ", ")
}

func (s Suspension) state() *aastypes.SuspendedState {
	return &aastypes.SuspendedState{DynamicScalingInSuspended: aws.Bool(s.DynamicIn), DynamicScalingOutSuspended: aws.Bool(s.DynamicOut),
		ScheduledScalingSuspended: aws.Bool(s.Scheduled)}
}

// everything is a Suspension of every kind of scaling.
var everything = Suspension{DynamicIn: true, DynamicOut: true, Scheduled: true}

func scalingResourceID(cluster, service string) string { return "service/" + cluster + "/" + service }

// ScalableTargets describes the scalable targets of services (names) in
// cluster; a service without one is absent from the map. Their policies
// are read only when asked (ScalingPolicies): a deploy needs none.
func ScalableTargets(ctx context.Context, api ScalingAPI, cluster string, services []string) (map[string]*ScalableTarget, error) {
	out := map[string]*ScalableTarget{}
	byID := map[string]string{}
	var ids []string
	for _, s := range services {
		id := scalingResourceID(cluster, s)
		byID[id] = s
		ids = append(ids, id)
	}
	for batch := range slices.Chunk(ids, 50) {
		var token *string
		for {
			page, err := api.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceIds: batch, ScalableDimension: desiredCountDimension, NextToken: token})
			if err != nil {
				return nil, fmt.Errorf("Application Auto Scaling targets: %w", err)
			}
			for _, t := range page.ScalableTargets {
				id := aws.ToString(t.ResourceId)
				st := &ScalableTarget{Service: byID[id], ResourceID: id, Min: aws.ToInt32(t.MinCapacity), Max: aws.ToInt32(t.MaxCapacity)}
				if s := t.SuspendedState; s != nil {
					st.Suspension = Suspension{DynamicIn: aws.ToBool(s.DynamicScalingInSuspended), DynamicOut: aws.ToBool(s.DynamicScalingOutSuspended),
						Scheduled: aws.ToBool(s.ScheduledScalingSuspended)}
				}
				out[st.Service] = st
			}
			if token = page.NextToken; token == nil {
				break
			}
		}
	}
	return out, nil
}

// ScalingPolicies adds the names of each target's scaling policies.
func ScalingPolicies(ctx context.Context, api ScalingAPI, targets map[string]*ScalableTarget) error {
	for _, st := range targets {
		var token *string
		for {
			page, err := api.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String(st.ResourceID), ScalableDimension: desiredCountDimension, NextToken: token})
			if err != nil {
				return fmt.Errorf("scaling policies of %s: %w", st.Service, err)
			}
			for _, p := range page.ScalingPolicies {
				st.Policies = append(st.Policies, aws.ToString(p.PolicyName))
			}
			if token = page.NextToken; token == nil {
				break
			}
		}
	}
	return nil
}

// AutoScaling changes services' scalable targets.
type AutoScaling struct {
	API     ScalingAPI
	Cluster string
	// Said is told each change ("web: auto scaling suspended").
	Said func(line string)
}

func (a *AutoScaling) say(format string, args ...any) {
	if a.Said != nil {
		a.Said(fmt.Sprintf(format, args...))
	}
}

// set registers the target again with only what changes: the suspended
// state, or the capacities (nil: as it is).
func (a *AutoScaling) set(ctx context.Context, t *ScalableTarget, state *Suspension, min, max *int32) error {
	in := &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(t.ResourceID),
		ScalableDimension: desiredCountDimension, MinCapacity: min, MaxCapacity: max}
	if state != nil {
		in.SuspendedState = state.state()
	}
	_, err := a.API.RegisterScalableTarget(ctx, in)
	return err
}

// Suspend suspends every kind of scaling of the targets not suspended
// already, and returns what restores each to the state it had. A change
// that failed leaves the ones made to restore.
func (a *AutoScaling) Suspend(ctx context.Context, targets map[string]*ScalableTarget) (restore func(context.Context) error, err error) {
	var done []*ScalableTarget
	restore = func(ctx context.Context) error {
		var errs []error
		for _, t := range done {
			if err := a.set(ctx, t, &t.Suspension, nil, nil); err != nil {
				errs = append(errs, fmt.Errorf("%s: auto scaling could not be restored to %s: %w", t.Service, t.Suspension, err))
				continue
			}
			a.say("%s: auto scaling %s again", t.Service, t.Suspension)
		}
		return errors.Join(errs...)
	}
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		t := targets[name]
		if t.Suspension.All() {
			continue
		}
		if err := a.set(ctx, t, &everything, nil, nil); err != nil {
			return restore, fmt.Errorf("%s: suspend auto scaling: %w", name, err)
		}
		done = append(done, t)
		a.say("%s: auto scaling suspended (min %d, max %d)", name, t.Min, t.Max)
	}
	return restore, nil
}

// Resume resumes every kind of scaling of the targets.
func (a *AutoScaling) Resume(ctx context.Context, targets map[string]*ScalableTarget) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		t := targets[name]
		if t.Suspension.None() {
			continue
		}
		if err := a.set(ctx, t, &Suspension{}, nil, nil); err != nil {
			errs = append(errs, fmt.Errorf("%s: resume auto scaling: %w", name, err))
			continue
		}
		t.Suspension = Suspension{}
		a.say("%s: auto scaling resumed", name)
	}
	return errors.Join(errs...)
}

// SetCapacity changes a target's minimum and maximum (nil: as it is).
func (a *AutoScaling) SetCapacity(ctx context.Context, t *ScalableTarget, min, max *int32) error {
	newMin, newMax := t.Min, t.Max
	if min != nil {
		newMin = *min
	}
	if max != nil {
		newMax = *max
	}
	if newMin > newMax {
		return fmt.Errorf("%s: the minimum (%d) would be above the maximum (%d)", t.Service, newMin, newMax)
	}
	if err := a.set(ctx, t, nil, min, max); err != nil {
		return fmt.Errorf("%s: auto scaling capacity: %w", t.Service, err)
	}
	a.say("%s: auto scaling min %d, max %d (was min %d, max %d)", t.Service, newMin, newMax, t.Min, t.Max)
	t.Min, t.Max = newMin, newMax
	return nil
}
