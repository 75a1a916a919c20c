local common = import 'common.libsonnet';
{
  launchType: 'FARGATE',
  desiredCount: 2,
  networkConfiguration: common.networkConfiguration,
  loadBalancers: [
    {
      targetGroupArn: std.native('tfstate')('aws_lb_target_group.web.arn'),
      containerName: 'app',
      containerPort: 8080,
    },
  ],
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: true, rollback: true },
  },
  enableExecuteCommand: true,
}
