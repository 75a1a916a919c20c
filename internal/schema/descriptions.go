package schema

import (
	"reflect"
	"strings"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/scheduled"
)

// descriptions are what editors show for each key of tamp's own types,
// the README's config and scheduled task tables in short. A test checks
// that every key has one and that every one names a key.
func descriptions() map[reflect.Type]map[string]string {
	return map[reflect.Type]map[string]string{
		reflect.TypeFor[config.Config](): {
			"":                   "A tamp config: ECS services, task definitions and EventBridge-scheduled ECS tasks deployed from one file (tamp.yaml by default).",
			"required_version":   `Semantic-version constraint on tamp itself, such as ">= 0.1.0" or "~> 0.1"; a tamp that does not meet it exits 1.`,
			"region":             "AWS region; --region overrides it. Default: the AWS SDK's (AWS_REGION, the profile).",
			"cluster":            "ECS cluster name.",
			"timeout":            "Bound on any wait: a duration such as 10m or 1h30m, or whole seconds (300); --timeout overrides it. Default 10m.",
			"plugins":            "Plugins whose functions templates and Jsonnet call: tfstate (Terraform state), ssm and secretsmanager (for another region).",
			"services":           "ECS services, each with its service definition and task definition files. Names are unique across services and task_definitions.",
			"task_definitions":   "Task definitions no service owns (batches, one-off runs).",
			"scheduled":          "Scheduled ECS tasks, on EventBridge Scheduler or EventBridge rules.",
			"appspec":            "Additions to the CodeDeploy AppSpec tamp builds for CODE_DEPLOY services.",
			"ignore":             "What other tools manage, left out of diff and updates.",
			"deploy":             "What every deploy does besides changing services: tasks to run first, the canary --canary runs.",
			"service":            "ecspresso one-service form: the ECS service name. Use either this form or services/task_definitions.",
			"service_definition": "ecspresso one-service form: the service definition file.",
			"task_definition":    "ecspresso one-service form: the task definition file.",
			"codedeploy":         "ecspresso one-service form: the CodeDeploy application and deployment group of a CODE_DEPLOY service.",
			"filter_command":     "Accepted so ecspresso configs load, and ignored: tamp never prompts; choose with --only.",
		},
		reflect.TypeFor[config.PluginConfig](): {
			"":            "A plugin: its functions become available to every file the config renders.",
			"name":        "tfstate (Terraform state lookups), ssm (Parameter Store) or secretsmanager (secret ARNs).",
			"config":      "The plugin's settings: tfstate takes url or path, workspace, workspace_key_prefix and region; ssm and secretsmanager take region.",
			"func_prefix": "Prefix for the plugin's function names (network_ gives network_tfstate), so two plugins of one kind can be declared.",
		},
		reflect.TypeFor[config.Service](): {
			"":                   "An ECS service and the task definition it runs.",
			"name":               "The ECS service name; what --only selects.",
			"service_definition": "Service definition file (create-service keys; JSON, Jsonnet or YAML). Without it deploy changes only the service's task definition.",
			"task_definition":    "Task definition file (register-task-definition keys). Without it only status, scale, wait and rollback work on the service.",
			"codedeploy":         "The CodeDeploy application and deployment group of a CODE_DEPLOY service.",
			"canary":             "Prove the service's new revision on every deploy before the service runs it: canary tasks of the new revision, healthy by their health checks and in the service's target groups.",
			"before":             "One-off tasks (migrations) run on the new revision when this service deploys, before any service or schedule changes; a non-zero exit stops the deploy.",
		},
		reflect.TypeFor[config.Deploy](): {
			"":       "What every deploy does besides changing services.",
			"before": "One-off tasks (migrations) run on the new revision, one after the other, before any service or schedule changes; a non-zero exit stops the deploy.",
			"canary": "The canary deploy --canary runs for services without a canary of their own.",
		},
		reflect.TypeFor[config.Canary](): {
			"":             "How a canary runs.",
			"tasks":        "Canary tasks of the new revision: 1 to 10 (default 1).",
			"healthy_for":  "How long the tasks must stay healthy, a duration such as 10s (the default).",
			"timeout":      "Bound on the whole canary, a duration such as 5m (the default).",
			"target_group": "Behind a load balancer, also wait for the tasks to be healthy in the service's target groups (default true).",
		},
		reflect.TypeFor[config.BeforeTask](): {
			"":                "A one-off task a deploy runs first.",
			"task_definition": "A config task definition or service name whose new revision runs.",
			"service":         "A config service: its task definition runs with the service's network configuration.",
			"command":         "The command, a list of words or one string of shell words, for container.",
			"container":       "The container command is for; default the watched one.",
			"watch_container": "The container whose exit code counts and whose log is printed; default the first essential one.",
		},
		reflect.TypeFor[config.TaskDefinition](): {
			"":     "A task definition no service owns.",
			"name": "Its name in the config: what --only, run --task-definition and scheduled tasks' task_definition refer to.",
			"path": "Task definition file (register-task-definition keys; JSON, Jsonnet or YAML).",
		},
		reflect.TypeFor[config.CodeDeploy](): {
			"":                      "The CodeDeploy deployment group a CODE_DEPLOY service deploys through.",
			"application_name":      "CodeDeploy application name.",
			"deployment_group_name": "CodeDeploy deployment group name.",
		},
		reflect.TypeFor[config.Scheduled](): {
			"":           "Scheduled ECS tasks.",
			"backend":    "scheduler (EventBridge Scheduler, the default) or events (EventBridge rules on the default bus, UTC only).",
			"group":      "What this config owns: the schedule group (scheduler) or the tamp:group tag value on rules (events). Only what carries it is ever pruned.",
			"role_arn":   "IAM role EventBridge runs the tasks with; a task's role_arn overrides it.",
			"defaults":   "Keys merged under every task; a task's own key replaces the default's.",
			"tasks_file": "File holding the task list (YAML, JSON or Jsonnet); give it or tasks, not both.",
			"tasks":      "The task list, inline; give it or tasks_file, not both.",
		},
		reflect.TypeFor[config.Ignore](): {
			"":     "What other tools manage.",
			"tags": "Tag keys other tools manage: left out of diff on both sides and never added or removed by deploy or register.",
		},
		reflect.TypeFor[scheduled.Task](): {
			"":                           "A scheduled ECS task. Our keys are snake_case; embedded AWS shapes use the API's keys.",
			"name":                       "Schedule or rule name: 1 to 64 of A-Z a-z 0-9 . - _, unique in the list.",
			"description":                "Description of the schedule or rule.",
			"schedule":                   "rate(5 minutes), cron(0 16 * * ? *) with six fields, or at(2026-12-24T18:00:00) (scheduler backend only).",
			"timezone":                   "IANA time zone the schedule runs in, such as Asia/Tokyo; scheduler backend only.",
			"disabled":                   "Keep the schedule or rule disabled.",
			"task_definition":            "A config task definition or service name (runs the revision tamp registered), a family, family:revision or an ARN.",
			"container":                  "The container that command and environment are for; default the task definition's first.",
			"command":                    "Command of the container (a shorthand for container_overrides).",
			"environment":                "Environment variables of the container (a shorthand for container_overrides).",
			"container_overrides":        "Container overrides as RunTask takes them (API keys: name, command, environment, cpu, memory, ...).",
			"cpu":                        `Task-level CPU override, in units ("512").`,
			"memory":                     `Task-level memory override, in MiB ("1024").`,
			"task_role_arn":              "Task role override.",
			"execution_role_arn":         "Task execution role override.",
			"ephemeral_storage":          "Ephemeral storage override: {sizeInGiB: 21 to 200}.",
			"task_count":                 "Tasks each run starts: 1 to 10.",
			"launch_type":                "Launch type; or capacity_provider_strategy, not both.",
			"capacity_provider_strategy": "Capacity providers (API keys: capacityProvider, weight, base); or launch_type, not both.",
			"platform_version":           "Fargate platform version, such as LATEST.",
			"network_configuration":      "awsvpcConfiguration: subnets, securityGroups, assignPublicIp (API keys).",
			"group":                      "Task group of the tasks started.",
			"propagate_tags":             "Copy the task definition's tags to the tasks.",
			"tags":                       "Tags of the tasks started.",
			"enable_execute_command":     "Turn on ECS Exec for the tasks.",
			"enable_ecs_managed_tags":    "Add ECS's managed tags to the tasks.",
			"placement_constraints":      "Placement constraints (API keys: type, expression).",
			"placement_strategy":         "Placement strategies (API keys: type, field).",
			"retry_policy":               "How EventBridge retries a run that failed to start.",
			"dead_letter_arn":            "SQS queue for runs EventBridge could not deliver.",
			"role_arn":                   "IAM role EventBridge runs this task with; default scheduled.role_arn.",
			"flexible_time_window":       "Scheduler backend only: mode OFF, or FLEXIBLE with maximum_window_in_minutes.",
			"start_date":                 "Scheduler backend only: when the schedule starts, RFC 3339 (2026-04-01T00:00:00+09:00).",
			"end_date":                   "Scheduler backend only: when the schedule ends, RFC 3339.",
		},
		reflect.TypeFor[scheduled.RetryPolicy](): {
			"":                          "Retries of a run that failed to start.",
			"maximum_event_age_seconds": "Give up on a run this many seconds old: 60 to 86400.",
			"maximum_retry_attempts":    "Retries at most: 0 to 185.",
		},
		reflect.TypeFor[scheduled.FlexibleTimeWindow](): {
			"":                          "A window the run may start in.",
			"mode":                      "OFF (start on time) or FLEXIBLE.",
			"maximum_window_in_minutes": "FLEXIBLE: the window's length, 1 to 1440 minutes.",
		},
	}
}

// describer is the Reflector's LookupComment: the description of type t
// (field "") or of its field (a Go field name); "" for types described
// nowhere (the SDK's).
func describer() func(t reflect.Type, field string) string {
	all := descriptions()
	return func(t reflect.Type, field string) string {
		keys := all[t]
		if field == "" {
			return keys[""]
		}
		f, ok := t.FieldByName(field)
		if !ok {
			return ""
		}
		return keys[fieldKey(f)]
	}
}

// fieldKey is the key a struct field is written with: its yaml tag's
// name for config types, else its json tag's.
func fieldKey(f reflect.StructField) string {
	for _, tag := range []string{"yaml", "json"} {
		if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" {
			return name
		}
	}
	return f.Name
}
