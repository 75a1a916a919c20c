{
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: false, rollback: false },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
  },
  desiredCount: 1,
  enableECSManagedTags: false,
  enableExecuteCommand: false,
  healthCheckGracePeriodSeconds: 0,
  launchType: 'FARGATE',
  loadBalancers: [],
  networkConfiguration: {
    awsvpcConfiguration: {
      assignPublicIp: 'DISABLED',
      securityGroups: ['{{ tfstate `aws_security_group.web.id` }}'],
      subnets: [
        '{{ must_env `SUBNET_B` }}',
        '{{ must_env `SUBNET_A` }}',
      ],
    },
  },
  placementConstraints: [],
  placementStrategy: [],
  platformVersion: 'LATEST',
  propagateTags: 'SERVICE',
  schedulingStrategy: 'REPLICA',
  serviceRegistries: [],
  tags: [
    { key: 'env', value: '{{ must_env `APP_ENV` }}' },
  ],
}
