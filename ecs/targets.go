package ecs

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// Target is a load balancer target: a task's IP address (awsvpc) or the
// EC2 instance it runs on (bridge, host), with the port it listens on.
type Target struct {
	ID   string `json:"id"`
	Port int32  `json:"port"`
}

func (t Target) String() string { return fmt.Sprintf("%s:%d", t.ID, t.Port) }

// TargetHealth is Elastic Load Balancing's view of a target: its state
// (initial, healthy, unhealthy, unused, draining, unavailable) and, when
// not healthy, the reason code and description.
type TargetHealth struct {
	Target
	State, Reason, Description string
}

// TargetsAPI is the part of Elastic Load Balancing a canary uses.
type TargetsAPI interface {
	RegisterTargets(ctx context.Context, targetGroup string, targets []Target) error
	DeregisterTargets(ctx context.Context, targetGroup string, targets []Target) error
	TargetHealth(ctx context.Context, targetGroup string, targets []Target) ([]TargetHealth, error)
}

// QueryCaller makes query-protocol calls (tamp's own signed caller,
// internal/awscall, for Elastic Load Balancing).
type QueryCaller interface {
	Query(ctx context.Context, action string, params url.Values, out any) error
}

// ELBTargets is TargetsAPI on a query-protocol Elastic Load Balancing
// (v2) caller.
type ELBTargets struct{ Caller QueryCaller }

var _ TargetsAPI = ELBTargets{}

func targetParams(targetGroup string, targets []Target) url.Values {
	params := url.Values{"TargetGroupArn": {targetGroup}}
	for i, t := range targets {
		n := strconv.Itoa(i + 1)
		params.Set("Targets.member."+n+".Id", t.ID)
		if t.Port != 0 {
			params.Set("Targets.member."+n+".Port", strconv.Itoa(int(t.Port)))
		}
	}
	return params
}

func (e ELBTargets) RegisterTargets(ctx context.Context, targetGroup string, targets []Target) error {
	return e.Caller.Query(ctx, "RegisterTargets", targetParams(targetGroup, targets), nil)
}

func (e ELBTargets) DeregisterTargets(ctx context.Context, targetGroup string, targets []Target) error {
	return e.Caller.Query(ctx, "DeregisterTargets", targetParams(targetGroup, targets), nil)
}

func (e ELBTargets) TargetHealth(ctx context.Context, targetGroup string, targets []Target) ([]TargetHealth, error) {
	var out struct {
		Descriptions []struct {
			ID          string `xml:"Target>Id"`
			Port        int32  `xml:"Target>Port"`
			State       string `xml:"TargetHealth>State"`
			Reason      string `xml:"TargetHealth>Reason"`
			Description string `xml:"TargetHealth>Description"`
		} `xml:"DescribeTargetHealthResult>TargetHealthDescriptions>member"`
	}
	if err := e.Caller.Query(ctx, "DescribeTargetHealth", targetParams(targetGroup, targets), &out); err != nil {
		return nil, err
	}
	health := make([]TargetHealth, 0, len(out.Descriptions))
	for _, d := range out.Descriptions {
		health = append(health, TargetHealth{Target: Target{ID: d.ID, Port: d.Port}, State: d.State, Reason: d.Reason, Description: d.Description})
	}
	return health, nil
}
