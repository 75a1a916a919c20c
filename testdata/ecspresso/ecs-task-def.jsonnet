local env = std.native('env');
local must_env = std.native('must_env');
{
  containerDefinitions: [
    {
      cpu: 0,
      environment: [
        { name: 'TZ', value: env('TZ', 'Asia/Tokyo') },
        { name: 'APP_ENV', value: must_env('APP_ENV') },
      ],
      essential: true,
      image: 'nginx:' + must_env('IMAGE_TAG'),
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/myservice',
          'awslogs-region': 'ap-northeast-1',
          'awslogs-stream-prefix': 'nginx',
        },
      },
      mountPoints: [],
      name: 'nginx',
      portMappings: [
        { containerPort: 80, hostPort: 80, protocol: 'tcp' },
      ],
      volumesFrom: [],
    },
  ],
  cpu: '256',
  executionRoleArn: '{{ tfstate `aws_iam_role.ecs_task_execution.arn` }}',
  family: 'myservice',
  ipcMode: '',
  memory: '512',
  networkMode: 'awsvpc',
  pidMode: '',
  placementConstraints: [],
  requiresCompatibilities: ['FARGATE'],
  volumes: [],
  // left over from describe-task-definition; ecspresso users often keep them
  compatibilities: ['EC2', 'FARGATE'],
  registeredAt: '2024-01-01T00:00:00+09:00',
  registeredBy: 'arn:aws:iam::123456789012:user/someone',
  revision: 12,
  status: 'ACTIVE',
  taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/myservice:12',
}
