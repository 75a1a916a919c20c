package ecs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Stages are the lifecycle stages of an ECS-native blue/green, linear or
// canary deployment, in the order ECS goes through them (a linear or
// canary deployment repeats PRODUCTION_TRAFFIC_SHIFT for each step).
var Stages = []types.ServiceDeploymentLifecycleStage{
	types.ServiceDeploymentLifecycleStageReconcileService,
	types.ServiceDeploymentLifecycleStagePreScaleUp,
	types.ServiceDeploymentLifecycleStageScaleUp,
	types.ServiceDeploymentLifecycleStagePostScaleUp,
	types.ServiceDeploymentLifecycleStageTestTrafficShift,
	types.ServiceDeploymentLifecycleStagePostTestTrafficShift,
	types.ServiceDeploymentLifecycleStageProductionTrafficShift,
	types.ServiceDeploymentLifecycleStagePostProductionTrafficShift,
	types.ServiceDeploymentLifecycleStageBakeTime,
	types.ServiceDeploymentLifecycleStageCleanUp,
}

// UntilTrafficShifted: production traffic has moved to the new revision
// (an ECS-native deployment past PRODUCTION_TRAFFIC_SHIFT; for a
// CODE_DEPLOY service, CodeDeploy's AllowTraffic succeeded).
const UntilTrafficShifted Until = "traffic-shifted"

// StageUntil reads a --wait-until value naming a lifecycle stage
// (BAKE_TIME, or bake-time) or traffic-shifted; ok is false for anything
// else.
func StageUntil(s string) (Until, bool) {
	if Until(s) == UntilTrafficShifted {
		return UntilTrafficShifted, true
	}
	name := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	if slices.Contains(Stages, types.ServiceDeploymentLifecycleStage(name)) {
		return Until(name), true
	}
	return "", false
}

// stageIndex is the position of the stage until waits for, or -1.
func stageIndex(until Until) int {
	if until == UntilTrafficShifted {
		return slices.Index(Stages, types.ServiceDeploymentLifecycleStageProductionTrafficShift)
	}
	return slices.Index(Stages, types.ServiceDeploymentLifecycleStage(until))
}

// nativeStrategy tells a service ECS deploys blue/green, linear or canary
// itself.
func nativeStrategy(svc *types.Service) bool {
	if c := svc.DeploymentConfiguration; c != nil {
		switch c.Strategy {
		case types.DeploymentStrategyBlueGreen, types.DeploymentStrategyLinear, types.DeploymentStrategyCanary:
			return true
		}
	}
	return false
}

// stageReached tells whether a deployment in progress is at or past the
// stage until names.
func stageReached(until Until, sd *types.ServiceDeployment) bool {
	want := stageIndex(until)
	if want < 0 || sd.Status != types.ServiceDeploymentStatusInProgress {
		return false
	}
	at := slices.Index(Stages, sd.LifecycleStage)
	if at > want {
		return true
	}
	// Within PRODUCTION_TRAFFIC_SHIFT, traffic-shifted means all of it.
	return at == want && (until != UntilTrafficShifted || trafficWeight(sd) == 100)
}

// trafficWeight is the share of production traffic the deployment's
// target revision gets, or -1 when ECS does not say.
func trafficWeight(sd *types.ServiceDeployment) float64 {
	if t := sd.TargetServiceRevision; t != nil && t.RequestedProductionTrafficWeight != nil {
		return *t.RequestedProductionTrafficWeight
	}
	return -1
}

// stageProgress fills in the stage and traffic of a progress line.
func stageProgress(p *Progress, sd *types.ServiceDeployment) {
	p.Stage = string(sd.LifecycleStage)
	if w := trafficWeight(sd); w >= 0 {
		p.Traffic = strconv.FormatFloat(w, 'f', -1, 64) + "%"
	}
}

// serviceDeployment is the newest service deployment of the service
// created since (less a minute for clock skew), as the service deployments
// API describes it; nil when there is none.
func (w *Waiter) serviceDeployment(ctx context.Context, cluster, service string, since time.Time) (*types.ServiceDeployment, error) {
	return latestServiceDeployment(ctx, w.API, cluster, service, since)
}

// latestServiceDeployment is serviceDeployment for any API; a zero since
// takes every deployment ECS keeps.
func latestServiceDeployment(ctx context.Context, api API, cluster, service string, since time.Time) (*types.ServiceDeployment, error) {
	in := &awsecs.ListServiceDeploymentsInput{Cluster: aws.String(cluster), Service: aws.String(service)}
	if !since.IsZero() {
		in.CreatedAt = &types.CreatedAt{After: aws.Time(since.Add(-time.Minute))}
	}
	list, err := api.ListServiceDeployments(ctx, in)
	if err != nil || len(list.ServiceDeployments) == 0 {
		return nil, err
	}
	newest := list.ServiceDeployments[0]
	for _, b := range list.ServiceDeployments[1:] {
		if aws.ToTime(b.CreatedAt).After(aws.ToTime(newest.CreatedAt)) {
			newest = b
		}
	}
	out, err := api.DescribeServiceDeployments(ctx, &awsecs.DescribeServiceDeploymentsInput{
		ServiceDeploymentArns: []string{aws.ToString(newest.ServiceDeploymentArn)},
	})
	if err != nil || len(out.ServiceDeployments) == 0 {
		return nil, err
	}
	return &out.ServiceDeployments[0], nil
}

// failedHooks names the lifecycle hooks that failed or timed out, and the
// alarms that went off, in a deployment ECS ended.
func failedHooks(sd *types.ServiceDeployment) string {
	var parts []string
	for _, h := range sd.LifecycleHookDetails {
		if h.Status == types.DeploymentLifecycleHookStatusFailed || h.Status == types.DeploymentLifecycleHookStatusTimedOut {
			target := aws.ToString(h.TargetArn)
			if target == "" {
				target = string(h.TargetType)
			}
			parts = append(parts, fmt.Sprintf("lifecycle hook %s %s", target, h.Status))
		}
	}
	if a := sd.Alarms; a != nil && len(a.TriggeredAlarmNames) > 0 {
		parts = append(parts, "alarm "+strings.Join(a.TriggeredAlarmNames, ", ")+" went off")
	}
	return strings.Join(parts, "; ")
}
