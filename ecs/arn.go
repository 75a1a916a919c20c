package ecs

// ShortRevision is family:revision of a task definition ARN (and NAME of
// any ARN ending in /NAME); anything else is returned as it is.
func ShortRevision(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// ClusterName is the cluster to use: ECS's own default when the config
// names none.
func ClusterName(cluster string) string {
	if cluster == "" {
		return "default"
	}
	return cluster
}
