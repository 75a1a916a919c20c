// What every container of the demo shares: one image, one log group, the
// stage's environment.
local must_env = std.native('must_env');
local tfstate = std.native('tfstate');
local stage = std.native('env')('STAGE', 'staging');

{
  stage: stage,
  image: tfstate('aws_ecr_repository.app.repository_url') + ':' + must_env('IMAGE_TAG'),
  executionRoleArn: tfstate('aws_iam_role.task_execution.arn'),
  taskRoleArn: tfstate('aws_iam_role.task.arn'),

  logConfiguration(prefix):: {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': tfstate('aws_cloudwatch_log_group.app.name'),
      'awslogs-region': 'ap-northeast-1',
      'awslogs-stream-prefix': prefix,
    },
  },

  environment(extra={}):: [
    { name: k, value: ({ STAGE: stage } + extra)[k] }
    for k in std.objectFields({ STAGE: stage } + extra)
  ],

  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: [
        tfstate('aws_subnet.private[0].id'),
        tfstate('aws_subnet.private[1].id'),
      ],
      securityGroups: [tfstate('aws_security_group.app.id')],
    },
  },
}
