local common = import 'common.libsonnet';
local base = import '../lib/base.libsonnet';
base + {
  family: common.family,
  stage: std.extVar('stage'),
  replicas: std.extVar('settings').replicas,
  owner: std.native('env')('OWNER', 'nobody'),
  team: std.native('env')('TEAM', 'platform'),
  port: std.native('env')('PORT', 8080),
  image: std.native('must_env')('IMAGE'),
  tag: '{{ env `TAG` `latest` }}',
}
