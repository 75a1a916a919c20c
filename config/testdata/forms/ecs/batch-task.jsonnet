{ family: 'batch' }
