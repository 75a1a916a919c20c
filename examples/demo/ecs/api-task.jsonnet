local common = import 'common.libsonnet';
{
  family: 'demo-api',
  cpu: '0.5 vCPU',
  memory: '1 GB',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: common.executionRoleArn,
  taskRoleArn: common.taskRoleArn,
  containerDefinitions: [
    {
      name: 'app',
      image: common.image,
      command: ['bin/server', '--port', '8080'],
      portMappings: [{ containerPort: 8080 }],
      environment: common.environment({ ROLE: 'api' }),
      logConfiguration: common.logConfiguration('api'),
    },
  ],
  tags: [{ key: 'stage', value: common.stage }],
}
