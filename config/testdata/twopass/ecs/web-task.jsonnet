{
  family: 'web',
  subnet: std.native('network_tfstate')('aws_subnet.private["c"].id'),
  region: '{{ tfstate `output.region` }}',
}
