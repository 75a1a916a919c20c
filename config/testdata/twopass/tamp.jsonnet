local tfstate = std.native('tfstate');
local network_tfstate = std.native('network_tfstate');
{
  region: tfstate('output.region'),
  cluster: tfstate('aws_ecs_cluster.main.name'),
  plugins: [
    { name: 'tfstate', config: { path: 'app.tfstate' } },
    { name: 'tfstate', config: { path: 'network/terraform.tfstate' }, func_prefix: 'network_' },
  ],
  services: [
    {
      name: 'web-' + network_tfstate('output.vpc_id'),
      service_definition: 'ecs/web-service.yaml',
      task_definition: 'ecs/web-task.jsonnet',
    },
  ],
}
