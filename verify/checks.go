package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/scheduled"
)

// The services that must be trusted to assume each kind of role.
const (
	ecsTasksPrincipal  = "ecs-tasks.amazonaws.com"
	schedulerPrincipal = "scheduler.amazonaws.com"
	eventsPrincipal    = "events.amazonaws.com"
)

func (c *checker) taskDefinition(td *ecs.TaskDefinition) *Resource {
	r := &Resource{Kind: "task definition", Name: td.Name, File: display(td.File)}
	offline(r, td.File, td.Problems)
	if td.Input == nil {
		return r
	}
	in := td.Input
	if exec := aws.ToString(in.ExecutionRoleArn); exec != "" {
		c.role(r, "execution role", exec, ecsTasksPrincipal)
	} else if why := needsExecutionRole(td); why != "" && !c.in.Offline {
		r.Checks = append(r.Checks, &Check{Check: "execution role", Status: NG,
			Reason: why + " needs an execution role; set executionRoleArn"})
	}
	if task := aws.ToString(in.TaskRoleArn); task != "" {
		c.role(r, "task role", task, ecsTasksPrincipal)
	}
	for _, name := range td.Containers {
		ctr := containerNamed(td, name)
		if ctr == nil {
			continue
		}
		c.image(r, aws.ToString(ctr.Image))
		if lc := ctr.LogConfiguration; lc != nil && lc.LogDriver == types.LogDriverAwslogs {
			c.logGroup(r, name, lc.Options)
		}
		for _, s := range ctr.Secrets {
			c.secret(r, fmt.Sprintf("%s (container %s)", aws.ToString(s.Name), name), aws.ToString(s.ValueFrom))
		}
		if rc := ctr.RepositoryCredentials; rc != nil {
			c.secret(r, "repository credentials (container "+name+")", aws.ToString(rc.CredentialsParameter))
		}
		for _, f := range ctr.EnvironmentFiles {
			c.environmentFile(r, name, aws.ToString(f.Value))
		}
	}
	return r
}

// needsExecutionRole says what in a task definition without an execution
// role would stop its tasks from starting ("" when nothing does).
func needsExecutionRole(td *ecs.TaskDefinition) string {
	fargate := slices.Contains(td.Input.RequiresCompatibilities, types.CompatibilityFargate)
	for _, ctr := range td.Input.ContainerDefinitions {
		name := aws.ToString(ctr.Name)
		switch {
		case len(ctr.Secrets) > 0:
			return "container " + name + ": secrets"
		case ctr.RepositoryCredentials != nil:
			return "container " + name + ": repositoryCredentials"
		case len(ctr.EnvironmentFiles) > 0:
			return "container " + name + ": environmentFiles"
		case fargate && ctr.LogConfiguration != nil && ctr.LogConfiguration.LogDriver == types.LogDriverAwslogs:
			return "container " + name + ": the awslogs driver on Fargate"
		}
		if _, _, ecr := ParseImage(aws.ToString(ctr.Image)); fargate && ecr {
			return "container " + name + ": an ECR image on Fargate"
		}
	}
	return ""
}

// role checks that a role exists and trusts principal.
func (c *checker) role(r *Resource, check, ref, principal string) {
	name := RoleName(ref)
	c.add(r, check, name, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "role\x00"+name, func(ctx context.Context) (any, error) { return c.lookup.Role(ctx, name) })
		if err != nil {
			return failure(err)
		}
		role, _ := v.(*Role)
		if role == nil {
			return NG, fmt.Sprintf("does not exist; create it or fix %s", ref)
		}
		ok, named, denied := trusts(role.TrustPolicy, principal)
		switch {
		case ok:
			return OK, "exists, trusts " + principal
		case denied:
			return NG, fmt.Sprintf("a Deny statement in its trust policy refuses %s; remove it", principal)
		case len(named) == 0:
			return NG, fmt.Sprintf("its trust policy lets no AWS service assume it; allow %s (sts:AssumeRole)", principal)
		}
		return NG, fmt.Sprintf("trusts %s, not %s; add %s to its trust policy", strings.Join(named, ", "), principal, principal)
	})
}

func (c *checker) image(r *Resource, ref string) {
	img, host, ecr := ParseImage(ref)
	if !ecr {
		c.add(r, "image", ref, func(context.Context) (Status, string) {
			return Skip, fmt.Sprintf("registry %s is not ECR; not checked", host)
		})
		return
	}
	c.add(r, "image", ref, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "image\x00"+ref, func(ctx context.Context) (any, error) {
			ok, reason, err := c.lookup.Image(ctx, img)
			if ok {
				reason = ""
			} else if reason == "" {
				reason = "not found"
			}
			return reason, err
		})
		if err != nil {
			return failure(err)
		}
		if reason := v.(string); reason != "" {
			return NG, reason
		}
		return OK, "exists"
	})
}

func (c *checker) logGroup(r *Resource, container string, opts map[string]string) {
	group := opts["awslogs-group"]
	if group == "" {
		return // offline validation reports the missing option
	}
	region := opts["awslogs-region"]
	if region == "" {
		region = c.in.Region
	}
	create := strings.EqualFold(opts["awslogs-create-group"], "true")
	c.add(r, "log group", group, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "log group\x00"+region+"\x00"+group, func(ctx context.Context) (any, error) {
			return c.lookup.LogGroup(ctx, region, group)
		})
		if err != nil {
			return failure(err)
		}
		switch {
		case v.(bool):
			return OK, "exists"
		case create:
			return OK, "ECS creates it on the first start (awslogs-create-group); the execution role needs logs:CreateLogGroup"
		}
		return NG, fmt.Sprintf("does not exist in %s; create it or set awslogs-create-group to \"true\" (container %s)", region, container)
	})
}

// secret checks a secrets[].valueFrom (or repository credentials) without
// reading its value, except for the keys of a JSON secret.
func (c *checker) secret(r *Resource, subject, valueFrom string) {
	ref := ParseValueFrom(valueFrom)
	region := ref.Region
	if region == "" {
		region = c.in.Region
	}
	if ref.Kind == "invalid" {
		if !c.in.Offline {
			r.Checks = append(r.Checks, &Check{Check: "secret", Subject: subject, Status: NG,
				Reason: valueFrom + " is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key:stage:version])"})
		}
		return
	}
	if ref.Kind == "ssm" {
		c.want(kindParam, region, ref.Name)
		c.add(r, "secret", subject, func(ctx context.Context) (Status, string) {
			v, err := c.got(kindParam, region, ref.Name)
			if err != nil {
				return failure(err)
			}
			if v == nil {
				return NG, fmt.Sprintf("SSM parameter %s does not exist in %s; create it or fix valueFrom", ref.Name, region)
			}
			return OK, "SSM parameter " + ref.Name + " exists"
		})
		return
	}
	c.add(r, "secret", subject, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "secret\x00"+region+"\x00"+ref.Name, func(ctx context.Context) (any, error) {
			return c.lookup.Secret(ctx, region, ref.Name)
		})
		if err != nil {
			return failure(err)
		}
		if !v.(bool) {
			return NG, fmt.Sprintf("Secrets Manager secret %s does not exist; create it or fix valueFrom", ref.Name)
		}
		if ref.JSONKey == "" {
			return OK, "Secrets Manager secret exists"
		}
		keys, err := c.ask(ctx, "secret keys\x00"+region+"\x00"+ref.Name+"\x00"+ref.Stage+"\x00"+ref.Version, func(ctx context.Context) (any, error) {
			return c.lookup.SecretKeys(ctx, region, ref.Name, ref.Stage, ref.Version)
		})
		if err != nil {
			st, why := failure(err)
			return st, "the secret exists; its JSON key " + ref.JSONKey + " was not checked: " + why
		}
		if keys.([]string) == nil {
			return NG, fmt.Sprintf("Secrets Manager secret exists but its value is not a JSON object; JSON key %q cannot be read from it", ref.JSONKey)
		}
		if !slices.Contains(keys.([]string), ref.JSONKey) {
			return NG, fmt.Sprintf("Secrets Manager secret exists but has no JSON key %q; fix the key in valueFrom", ref.JSONKey)
		}
		return OK, "Secrets Manager secret exists with JSON key " + ref.JSONKey
	})
}

func (c *checker) environmentFile(r *Resource, container, arn string) {
	bucket, key, ok := S3ARN(arn)
	if !ok {
		if !c.in.Offline {
			r.Checks = append(r.Checks, &Check{Check: "environment file", Subject: arn, Status: NG,
				Reason: "not an S3 object ARN (arn:aws:s3:::bucket/key) (container " + container + ")"})
		}
		return
	}
	c.add(r, "environment file", arn, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "object\x00"+bucket+"\x00"+key, func(ctx context.Context) (any, error) {
			return c.lookup.Object(ctx, c.in.Region, bucket, key)
		})
		if err != nil {
			return failure(err)
		}
		if !v.(bool) {
			return NG, fmt.Sprintf("s3://%s/%s does not exist; upload it or fix environmentFiles (container %s)", bucket, key, container)
		}
		return OK, "exists"
	})
}

func (c *checker) service(svc *ecs.Service) *Resource {
	r := &Resource{Kind: "service", Name: svc.Name, File: display(svc.File)}
	offline(r, svc.File, svc.Problems)
	c.cluster(r, c.in.Cluster)
	if svc.Input == nil {
		return r
	}
	in := svc.Input
	c.capacityProviders(r, c.in.Cluster, in.CapacityProviderStrategy)
	if nc := in.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		c.network(r, nc.AwsvpcConfiguration)
	}
	// The network mode decides the target type; "" when the task
	// definition did not load (its own lines say why).
	var mode types.NetworkMode
	if td := svc.TaskDefinition; td != nil && td.Input != nil {
		mode = td.Input.NetworkMode
		if mode == "" {
			mode = types.NetworkModeBridge
		}
	}
	for _, lb := range in.LoadBalancers {
		c.targetGroup(r, "target group", lb, mode)
	}
	if native(in) {
		c.strategy(r, in, mode)
	}
	return r
}

// native tells a service ECS deploys blue/green, linear or canary itself.
func native(in *awsecs.CreateServiceInput) bool {
	if dc := in.DeploymentConfiguration; dc != nil {
		switch dc.Strategy {
		case types.DeploymentStrategyBlueGreen, types.DeploymentStrategyLinear, types.DeploymentStrategyCanary:
			return true
		}
	}
	return false
}

// strategy checks what an ECS-native blue/green, linear or canary
// deployment needs: each load balancer's alternate target group, the
// listener rules that shift traffic between the two (forwarding to both),
// the role ECS assumes to change them, and the lifecycle hooks' roles.
func (c *checker) strategy(r *Resource, in *awsecs.CreateServiceInput, mode types.NetworkMode) {
	for _, lb := range in.LoadBalancers {
		ac := lb.AdvancedConfiguration
		if ac == nil {
			continue
		}
		alternate := types.LoadBalancer{TargetGroupArn: ac.AlternateTargetGroupArn, ContainerName: lb.ContainerName, ContainerPort: lb.ContainerPort}
		c.targetGroup(r, "alternate target group", alternate, mode)
		for _, rule := range []struct{ check, arn string }{{"production listener rule", aws.ToString(ac.ProductionListenerRule)}, {"test listener rule", aws.ToString(ac.TestListenerRule)}} {
			if rule.arn != "" {
				c.listenerRule(r, rule.check, rule.arn, aws.ToString(lb.TargetGroupArn), aws.ToString(ac.AlternateTargetGroupArn))
			}
		}
		if role := aws.ToString(ac.RoleArn); role != "" {
			c.role(r, "load balancer role", role, "ecs.amazonaws.com")
		}
	}
	for i, h := range in.DeploymentConfiguration.LifecycleHooks {
		if role := aws.ToString(h.RoleArn); role != "" {
			c.role(r, fmt.Sprintf("lifecycle hook %d role", i), role, "ecs.amazonaws.com")
		}
		if target := aws.ToString(h.HookTargetArn); target != "" {
			c.function(r, fmt.Sprintf("lifecycle hook %d", i), target, fmt.Sprintf("deploymentConfiguration.lifecycleHooks[%d].hookTargetArn", i))
		}
	}
}

// function checks a lifecycle hook's Lambda function exists and can be
// invoked: ECS calls it at the hook's stages, and a function that is not
// Active fails that call, which rolls the deployment back.
func (c *checker) function(r *Resource, check, arn, field string) {
	region := arnRegion(arn, c.in.Region)
	c.add(r, check, arn, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "function\x00"+arn, func(ctx context.Context) (any, error) { return c.lookup.Function(ctx, region, arn) })
		if err != nil {
			return failure(err)
		}
		fn, _ := v.(*Function)
		switch {
		case fn == nil:
			return NG, "the Lambda function does not exist; create it or fix " + field
		case fn.State != "" && fn.State != "Active":
			why := ""
			if fn.StateReason != "" {
				why = " (" + fn.StateReason + ")"
			}
			return NG, fmt.Sprintf("the Lambda function is %s%s; ECS can only invoke an Active function, so the hook would fail and roll the deployment back", fn.State, why)
		}
		if fn.State == "" {
			return OK, "the Lambda function exists"
		}
		return OK, "the Lambda function exists and is Active"
	})
}

// arnRegion is the region an ARN names, or fallback.
func arnRegion(arn, fallback string) string {
	if parts := strings.Split(arn, ":"); len(parts) > 3 && parts[3] != "" {
		return parts[3]
	}
	return fallback
}

// listenerRule checks a rule exists and forwards to both target groups
// a blue/green deployment shifts traffic between.
func (c *checker) listenerRule(r *Resource, check, arn string, targetGroups ...string) {
	region := arnRegion(arn, c.in.Region)
	c.add(r, check, arn, func(ctx context.Context) (Status, string) {
		v, err := c.ask(ctx, "rule\x00"+arn, func(ctx context.Context) (any, error) { return c.lookup.ListenerRule(ctx, region, arn) })
		if err != nil {
			return failure(err)
		}
		rule, _ := v.(*ListenerRule)
		if rule == nil {
			return NG, "does not exist; create it or fix loadBalancers[].advancedConfiguration"
		}
		for _, tg := range targetGroups {
			if tg != "" && !slices.Contains(rule.TargetGroups, tg) {
				return NG, fmt.Sprintf("does not forward to %s; ECS shifts traffic between the rule's target groups, so it must name both", tg)
			}
		}
		return OK, "exists, forwards to both target groups"
	})
}

func (c *checker) cluster(r *Resource, name string) {
	c.want(kindCluster, c.in.Region, name)
	c.add(r, "cluster", name, func(ctx context.Context) (Status, string) {
		v, err := c.got(kindCluster, c.in.Region, name)
		if err != nil {
			return failure(err)
		}
		cl, _ := v.(*Cluster)
		switch {
		case cl == nil:
			return NG, fmt.Sprintf("does not exist in %s; create it or fix cluster in the config", c.in.Region)
		case cl.Status != "ACTIVE":
			return NG, fmt.Sprintf("is %s; ECS runs tasks only on ACTIVE clusters", cl.Status)
		}
		return OK, "ACTIVE"
	})
}

func (c *checker) capacityProviders(r *Resource, cluster string, strategy []types.CapacityProviderStrategyItem) {
	for _, item := range strategy {
		cp := aws.ToString(item.CapacityProvider)
		c.add(r, "capacity provider", cp, func(ctx context.Context) (Status, string) {
			v, err := c.got(kindCluster, c.in.Region, cluster)
			if err != nil {
				return failure(err)
			}
			cl, _ := v.(*Cluster)
			switch {
			case cl == nil:
				return Skip, "the cluster does not exist"
			case !slices.Contains(cl.CapacityProviders, cp):
				have := "none"
				if len(cl.CapacityProviders) > 0 {
					have = strings.Join(cl.CapacityProviders, ", ")
				}
				return NG, fmt.Sprintf("not associated with cluster %s (it has %s); add it with PutClusterCapacityProviders", cluster, have)
			}
			return OK, "associated with the cluster"
		})
	}
}

// network checks subnets and security groups exist, and in one VPC.
func (c *checker) network(r *Resource, vpc *types.AwsVpcConfiguration) {
	region := c.in.Region
	for _, id := range vpc.Subnets {
		c.want(kindSubnet, region, id)
		c.add(r, "subnet", id, func(ctx context.Context) (Status, string) {
			v, err := c.got(kindSubnet, region, id)
			if err != nil {
				return failure(err)
			}
			if v == nil {
				return NG, "does not exist in " + region
			}
			return OK, "exists in " + v.(string)
		})
	}
	for _, id := range vpc.SecurityGroups {
		c.want(kindSecGroup, region, id)
		c.add(r, "security group", id, func(ctx context.Context) (Status, string) {
			v, err := c.got(kindSecGroup, region, id)
			if err != nil {
				return failure(err)
			}
			if v == nil {
				return NG, "does not exist in " + region
			}
			groupVPC := v.(string)
			for _, subnet := range vpc.Subnets {
				if sv, err := c.got(kindSubnet, region, subnet); err == nil && sv != nil && sv.(string) != groupVPC {
					return NG, fmt.Sprintf("is in %s but subnet %s is in %s; ECS needs them in one VPC", groupVPC, subnet, sv.(string))
				}
			}
			return OK, "exists in " + groupVPC
		})
	}
}

// targetGroup checks a load balancer's target group exists, is attached
// to a load balancer, and takes the targets the network mode registers.
// Its container name and port are checked offline.
func (c *checker) targetGroup(r *Resource, check string, lb types.LoadBalancer, mode types.NetworkMode) {
	arn := aws.ToString(lb.TargetGroupArn)
	if arn == "" {
		if name := aws.ToString(lb.LoadBalancerName); name != "" {
			c.add(r, "load balancer", name, func(context.Context) (Status, string) {
				return Skip, "Classic Load Balancers are not checked"
			})
		}
		return
	}
	region := arnRegion(arn, c.in.Region)
	want := "instance"
	if mode == types.NetworkModeAwsvpc {
		want = "ip"
	}
	if mode == "" {
		want = ""
	}
	c.want(kindTarget, region, arn)
	c.add(r, check, arn, func(ctx context.Context) (Status, string) {
		v, err := c.got(kindTarget, region, arn)
		if err != nil {
			return failure(err)
		}
		tg, _ := v.(*TargetGroup)
		switch {
		case tg == nil:
			return NG, "does not exist; create it or fix loadBalancers[].targetGroupArn"
		case want != "" && tg.TargetType != "" && tg.TargetType != want:
			return NG, fmt.Sprintf("target type %s; network mode %s registers %s targets", tg.TargetType, mode, want)
		case tg.LoadBalancers == 0:
			return NG, "no load balancer forwards to it; add a listener or rule before ECS can register targets"
		}
		return OK, fmt.Sprintf("exists, target type %s, container %s:%d", tg.TargetType, aws.ToString(lb.ContainerName), aws.ToInt32(lb.ContainerPort))
	})
}

func (c *checker) scheduledTask(t *scheduled.Task) *Resource {
	r := &Resource{Kind: "scheduled task", Name: t.Name}
	r.Checks = append(r.Checks, &Check{Check: "definition", Status: OK, Reason: "valid"})
	c.cluster(r, c.in.Cluster)
	principal := schedulerPrincipal
	if c.in.Backend == config.BackendEvents {
		principal = eventsPrincipal
	}
	if t.RoleArn != "" {
		c.role(r, "role", t.RoleArn, principal)
	} else {
		r.Checks = append(r.Checks, &Check{Check: "role", Status: NG,
			Reason: "none set: EventBridge needs a role to run the task; set scheduled.role_arn or the task's role_arn"})
	}
	// Task-level role overrides are the task's roles for these runs.
	if t.ExecutionRoleArn != "" {
		c.role(r, "execution role", t.ExecutionRoleArn, ecsTasksPrincipal)
	}
	if t.TaskRoleArn != "" {
		c.role(r, "task role", t.TaskRoleArn, ecsTasksPrincipal)
	}
	if !slices.Contains(c.in.ConfigTaskDefinitions, t.TaskDefinition) {
		ref := t.TaskDefinition
		c.add(r, "task definition", ref, func(ctx context.Context) (Status, string) {
			v, err := c.ask(ctx, "task definition\x00"+ref, func(ctx context.Context) (any, error) {
				return c.lookup.TaskDefinition(ctx, c.in.Region, ref)
			})
			if err != nil {
				return failure(err)
			}
			if !v.(bool) {
				return NG, fmt.Sprintf("%s is not in the config and not registered in %s; register it or fix task_definition", ref, c.in.Region)
			}
			return OK, "registered"
		})
	}
	c.capacityProviders(r, c.in.Cluster, t.CapacityProviderStrategy)
	if nc := t.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		c.network(r, nc.AwsvpcConfiguration)
	}
	return r
}
