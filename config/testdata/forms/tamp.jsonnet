local stage = 'prod';
{
  required_version: '>= 0.1.0',
  region: 'ap-northeast-1',
  cluster: 'app-' + stage,
  timeout: '15m',
  services: [
    {
      name: 'web',
      service_definition: 'ecs/web-service.json',
      task_definition: 'ecs/web-task.json',
      codedeploy: { application_name: 'app', deployment_group_name: 'web' },
    },
  ],
  task_definitions: [{ name: 'batch', path: 'ecs/batch-task.jsonnet' }],
  appspec: { hooks: [{ BeforeAllowTraffic: 'check' }] },
  ignore: { tags: ['managed-by'] },
}
