local common = import 'common.libsonnet';
// api is deployed blue/green by CodeDeploy: its task definition, load
// balancer and network change only through a CodeDeploy deployment.
{
  launchType: 'FARGATE',
  desiredCount: 1,
  deploymentController: { type: 'CODE_DEPLOY' },
  networkConfiguration: common.networkConfiguration,
  loadBalancers: [
    {
      targetGroupArn: std.native('tfstate')('aws_lb_target_group.web.arn'),
      containerName: 'app',
      containerPort: 8080,
    },
  ],
}
