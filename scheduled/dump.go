package scheduled

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/goccy/go-yaml"

	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Dump writes resolved tasks (as Remote reads them) as a list file, the
// defaults EventBridge would apply left out, so a team can adopt existing
// schedules: fed back as tasks_file, it gives an empty diff. Task
// definitions stay as the revision ARNs the schedules run; point them at
// config task definitions by name to let deploy repoint them.
func Dump(tasks []*Task) ([]byte, error) {
	docs := make([]string, 0, len(tasks))
	for _, t := range tasks {
		c := *t
		c.ClusterArn = "" // the config's cluster decides
		if aws.ToInt32(c.TaskCount) == 1 {
			c.TaskCount = nil
		}
		if c.Timezone == "UTC" {
			c.Timezone = ""
		}
		if w := c.FlexibleTimeWindow; w != nil && w.Mode == "OFF" {
			c.FlexibleTimeWindow = nil
		}
		if rp := c.RetryPolicy; rp != nil {
			p := *rp
			if aws.ToInt32(p.MaximumEventAgeSeconds) == 86400 {
				p.MaximumEventAgeSeconds = nil
			}
			if aws.ToInt32(p.MaximumRetryAttempts) == 185 {
				p.MaximumRetryAttempts = nil
			}
			c.RetryPolicy = &p
			if p.MaximumEventAgeSeconds == nil && p.MaximumRetryAttempts == nil {
				c.RetryPolicy = nil
			}
		}
		doc, err := awsjson.Marshal(&c) // the schema's order: name first
		if err != nil {
			return nil, err
		}
		docs = append(docs, string(doc))
	}
	return yaml.JSONToYAML([]byte("[" + strings.Join(docs, ",") + "]"))
}
