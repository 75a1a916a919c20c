local common = import 'common.libsonnet';
{
  family: 'demo-batch',
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: common.executionRoleArn,
  taskRoleArn: common.taskRoleArn,
  containerDefinitions: [
    {
      name: 'app',
      image: common.image,
      command: ['bin/batch', 'aggregate'],
      environment: common.environment({ ROLE: 'batch' }),
      logConfiguration: common.logConfiguration('batch'),
    },
  ],
}
