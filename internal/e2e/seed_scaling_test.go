package e2e

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/rogpeppe/go-internal/testscript"
)

// Commands for Application Auto Scaling, through moto directly.

func scalingTarget(cluster, service string) *string {
	return aws.String("service/" + cluster + "/" + service)
}

// scalabletarget CLUSTER SERVICE MIN MAX: the service's desired count is
// a scalable target from MIN to MAX, not suspended.
func cmdScalableTarget(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: scalabletarget CLUSTER SERVICE MIN MAX")
	}
	lo, err := strconv.Atoi(args[2])
	ts.Check(err)
	hi, err := strconv.Atoi(args[3])
	ts.Check(err)
	_, err = aas.NewFromConfig(directConfig(ts)).RegisterScalableTarget(context.Background(), &aas.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: scalingTarget(args[0], args[1]),
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(int32(lo)), MaxCapacity: aws.Int32(int32(hi)),
		SuspendedState: &aastypes.SuspendedState{DynamicScalingInSuspended: aws.Bool(false), DynamicScalingOutSuspended: aws.Bool(false),
			ScheduledScalingSuspended: aws.Bool(false)}})
	ts.Check(err)
}

// scaling CLUSTER SERVICE WANT: the scalable target is as WANT says,
// "min=1 max=4 suspended=false,false,false" (dynamic scale-in, scale-out,
// scheduled).
func cmdScaling(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: scaling CLUSTER SERVICE 'min=N max=N suspended=B,B,B'")
	}
	out, err := aas.NewFromConfig(directConfig(ts)).DescribeScalableTargets(context.Background(), &aas.DescribeScalableTargetsInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: []string{*scalingTarget(args[0], args[1])}})
	ts.Check(err)
	if len(out.ScalableTargets) != 1 {
		ts.Fatalf("%d scalable targets for %s", len(out.ScalableTargets), args[1])
	}
	t := out.ScalableTargets[0]
	st := t.SuspendedState
	if st == nil {
		st = &aastypes.SuspendedState{}
	}
	got := fmt.Sprintf("min=%d max=%d suspended=%t,%t,%t", aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity),
		aws.ToBool(st.DynamicScalingInSuspended), aws.ToBool(st.DynamicScalingOutSuspended), aws.ToBool(st.ScheduledScalingSuspended))
	if (got == args[2]) == neg {
		ts.Fatalf("scalable target of %s: %s, want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
	}
}
