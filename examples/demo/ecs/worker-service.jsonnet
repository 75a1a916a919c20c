local common = import 'common.libsonnet';
{
  launchType: 'FARGATE',
  desiredCount: 1,
  networkConfiguration: common.networkConfiguration,
}
