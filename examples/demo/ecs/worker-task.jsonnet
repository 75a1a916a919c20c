local common = import 'common.libsonnet';
{
  family: 'demo-worker',
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
      command: ['bin/worker', '--queue', 'jobs'],
      environment: common.environment({ ROLE: 'worker', QUEUE_URL: std.native('tfstate')('output.queue_url') }),
      logConfiguration: common.logConfiguration('worker'),
    },
  ],
}
