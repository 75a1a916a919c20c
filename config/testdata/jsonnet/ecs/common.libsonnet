{ family: 'web-from-libsonnet' }
