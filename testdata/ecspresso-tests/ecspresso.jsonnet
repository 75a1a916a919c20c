{
  region: '{{ must_env `AWS_REGION` }}',
  cluster: '{{ tfstate `aws_ecs_cluster.main.name` }}',
  service: 'test',
  service_definition: 'ecs-service-def.json',
  task_definition: 'ecs-task-def.json',
  timeout: '10m0s',
  plugins: [
    { name: 'tfstate', config: { path: 'terraform.tfstate' } },
  ],
  ignore: { tags: ['ecspresso:ignore'] },
}
