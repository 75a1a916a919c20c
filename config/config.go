// Package config loads a tamp config file and everything it points at.
//
// It owns the templating pipeline (Jsonnet, Go templates, plugin functions),
// the config schema in both its multi-service and ecspresso v2 one-service
// forms, and the checks that need no AWS access. It does not know ECS shapes:
// package ecs decodes the definition files this package renders.
package config

import (
	"encoding/json"
	"fmt"
	"time"
)

// Config is a loaded config file.
type Config struct {
	RequiredVersion string           `yaml:"required_version,omitempty" json:"required_version,omitempty"`
	Region          string           `yaml:"region,omitempty" json:"region,omitempty"`
	Cluster         string           `yaml:"cluster,omitempty" json:"cluster,omitempty"`
	Timeout         *Duration        `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	Plugins         []PluginConfig   `yaml:"plugins,omitempty" json:"plugins,omitempty"`
	Services        []Service        `yaml:"services,omitempty" json:"services,omitempty"`
	TaskDefinitions []TaskDefinition `yaml:"task_definitions,omitempty" json:"task_definitions,omitempty"`
	Scheduled       *Scheduled       `yaml:"scheduled,omitempty" json:"scheduled,omitempty"`
	AppSpec         map[string]any   `yaml:"appspec,omitempty" json:"appspec,omitempty"`
	Ignore          *Ignore          `yaml:"ignore,omitempty" json:"ignore,omitempty"`
	Deploy          *Deploy          `yaml:"deploy,omitempty" json:"deploy,omitempty"`

	// The ecspresso v2 one-service form. Load folds it into Services.
	Service           string      `yaml:"service,omitempty" json:"service,omitempty"`
	ServiceDefinition string      `yaml:"service_definition,omitempty" json:"service_definition,omitempty"`
	TaskDefinition    string      `yaml:"task_definition,omitempty" json:"task_definition,omitempty"`
	CodeDeploy        *CodeDeploy `yaml:"codedeploy,omitempty" json:"codedeploy,omitempty"`
	// FilterCommand is accepted so ecspresso configs load; tamp never prompts.
	FilterCommand string `yaml:"filter_command,omitempty" json:"filter_command,omitempty"`

	// oneService: the config was written in the ecspresso one-service form.
	oneService bool
	// unnamed is the service definition of a one-service config that names
	// no service (no service key, no serviceName in the file): commands on
	// its task definition work, commands on the service refuse.
	unnamed string

	// Path is the config file; Dir is its directory, against which relative
	// paths resolve.
	Path string `yaml:"-" json:"-"`
	Dir  string `yaml:"-" json:"-"`
}

// PluginConfig enables one plugin.
type PluginConfig struct {
	Name       string         `yaml:"name" json:"name"`
	Config     map[string]any `yaml:"config,omitempty" json:"config,omitempty"`
	FuncPrefix string         `yaml:"func_prefix,omitempty" json:"func_prefix,omitempty"`
}

// Service is one ECS service and the task definition it runs. Either file
// may be left out: without a service definition tamp changes only the
// service's task definition; without a task definition only commands that
// act on what runs (status, scale, wait, rollback) work.
type Service struct {
	Name              string      `yaml:"name" json:"name"`
	ServiceDefinition string      `yaml:"service_definition,omitempty" json:"service_definition,omitempty"`
	TaskDefinition    string      `yaml:"task_definition,omitempty" json:"task_definition,omitempty"`
	CodeDeploy        *CodeDeploy `yaml:"codedeploy,omitempty" json:"codedeploy,omitempty"`
	// Canary proves the service's new revision on every deploy before
	// the service runs it.
	Canary *Canary `yaml:"canary,omitempty" json:"canary,omitempty"`
	// Before are one-off tasks run on the new revision when this service
	// deploys, before any service or schedule changes.
	Before []BeforeTask `yaml:"before,omitempty" json:"before,omitempty"`
}

// Deploy is what every deploy does besides changing services.
type Deploy struct {
	// Before are one-off tasks (migrations) run on every deploy, one after
	// the other, before any service or schedule changes.
	Before []BeforeTask `yaml:"before,omitempty" json:"before,omitempty"`
	// Canary is the canary deploy --canary runs for services without a
	// canary block of their own.
	Canary *Canary `yaml:"canary,omitempty" json:"canary,omitempty"`
}

// Canary is how a canary runs: Tasks tasks of the new revision (default
// 1, at most 10), healthy for HealthyFor (default 10s) within Timeout
// (default 5m), and, behind a load balancer, healthy in the service's
// target groups unless TargetGroup is false.
type Canary struct {
	Tasks       int32  `yaml:"tasks,omitempty" json:"tasks,omitempty"`
	HealthyFor  string `yaml:"healthy_for,omitempty" json:"healthy_for,omitempty"`
	Timeout     string `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	TargetGroup *bool  `yaml:"target_group,omitempty" json:"target_group,omitempty"`
}

// BeforeTask is a one-off task a deploy runs first: a config task
// definition, or a config service's (with that service's network), with
// an optional command (a list of words or one shell-words string) for
// Container (default: the watched one, WatchContainer or the first
// essential container).
type BeforeTask struct {
	TaskDefinition string `yaml:"task_definition,omitempty" json:"task_definition,omitempty"`
	Service        string `yaml:"service,omitempty" json:"service,omitempty"`
	Command        any    `yaml:"command,omitempty" json:"command,omitempty"`
	Container      string `yaml:"container,omitempty" json:"container,omitempty"`
	WatchContainer string `yaml:"watch_container,omitempty" json:"watch_container,omitempty"`
}

// ServiceKey is a key of the named service as the config writes it:
// "services[0].task_definition", or "task_definition" in the ecspresso
// one-service form, so messages name what the user wrote.
func (c *Config) ServiceKey(name, key string) string {
	if c.oneService {
		return key
	}
	for i, s := range c.Services {
		if s.Name == name {
			return fmt.Sprintf("services[%d].%s", i, key)
		}
	}
	return key
}

// TaskDefinition is a task definition that no service owns (batches,
// one-off tasks).
type TaskDefinition struct {
	Name string `yaml:"name" json:"name"`
	Path string `yaml:"path" json:"path"`
}

// Scheduled is the config's scheduled tasks block. The tasks themselves
// are read by package scheduled.
type Scheduled struct {
	Backend   string           `yaml:"backend,omitempty" json:"backend,omitempty"` // scheduler (default) | events
	Group     string           `yaml:"group,omitempty" json:"group,omitempty"`     // schedule group / ownership tag value
	RoleArn   string           `yaml:"role_arn,omitempty" json:"role_arn,omitempty"`
	Defaults  map[string]any   `yaml:"defaults,omitempty" json:"defaults,omitempty"`
	TasksFile string           `yaml:"tasks_file,omitempty" json:"tasks_file,omitempty"`
	Tasks     []map[string]any `yaml:"tasks,omitempty" json:"tasks,omitempty"`
}

// The scheduled task backends.
const (
	BackendScheduler = "scheduler"
	BackendEvents    = "events"
)

// CodeDeploy names the CodeDeploy application and deployment group of a
// CODE_DEPLOY service.
type CodeDeploy struct {
	ApplicationName     string `yaml:"application_name,omitempty" json:"application_name,omitempty"`
	DeploymentGroupName string `yaml:"deployment_group_name,omitempty" json:"deployment_group_name,omitempty"`
}

// Ignore lists what other tools manage.
type Ignore struct {
	Tags []string `yaml:"tags,omitempty" json:"tags,omitempty"`
}

// DefaultTimeout bounds any wait when neither the config nor --timeout says.
const DefaultTimeout = 10 * time.Minute

// Duration is a time.Duration written as "15m" or "1h30m".
type Duration struct{ time.Duration }

// UnmarshalYAML accepts a Go duration string, or a whole number of
// seconds (ecspresso configs write `timeout: 300`).
func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var secs int64
	if err := unmarshal(&secs); err == nil {
		if secs <= 0 {
			return fmt.Errorf("timeout: %d is not a positive number of seconds; write it like \"10m\" or 600", secs)
		}
		d.Duration = time.Duration(secs) * time.Second
		return nil
	}
	var s string
	if err := unmarshal(&s); err != nil {
		return fmt.Errorf("timeout: expected a duration such as \"10m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("timeout: %q is not a positive duration; write it like \"10m\" or \"1h30m\"", s)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// EffectiveTimeout is the bound on waits.
func (c *Config) EffectiveTimeout() time.Duration {
	if c.Timeout != nil {
		return c.Timeout.Duration
	}
	return DefaultTimeout
}
