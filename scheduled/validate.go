package scheduled

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	_ "time/tzdata" // time zones checked against the IANA database in the binary, whatever the machine has

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tamp-ecs/tamp/config"
)

var namePattern = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)

// Containers tells the container names of a task definition named in the
// config (by its config name), and false for one tamp does not render
// (a family or ARN from elsewhere), which cannot be checked offline.
type Containers func(taskDefinition string) ([]string, bool)

// Validate checks tasks without calling AWS: names, schedule expressions,
// time zones, fields the backend does not have, container names used by
// overrides, ranges, and the size of the target's input. Every problem is
// returned, naming the task and the field.
func Validate(tasks []*Task, backend string, containers Containers) []error {
	var errs []error
	seen := map[string]bool{}
	for i, t := range tasks {
		where := fmt.Sprintf("scheduled task [%d]", i)
		if t.Name != "" {
			where = "scheduled task " + t.Name
		}
		fail := func(field, format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s: %s", where, field, fmt.Sprintf(format, args...)))
		}
		switch {
		case t.Name == "":
			fail("name", "is required")
		case !namePattern.MatchString(t.Name):
			fail("name", "%q: use 1 to 64 letters, digits, '.', '-' or '_'", t.Name)
		case seen[t.Name]:
			fail("name", "%q is used by another task; names must be unique", t.Name)
		}
		seen[t.Name] = true

		kind, err := ParseExpression(t.Schedule)
		switch {
		case t.Schedule == "":
			fail("schedule", "is required, e.g. cron(0 16 * * ? *)")
		case err != nil:
			fail("schedule", "%v", err)
		case kind == At && backend == config.BackendEvents:
			fail("schedule", "at() runs once and needs EventBridge Scheduler; the events backend takes rate() and cron()")
		}
		if backend == config.BackendEvents {
			for _, f := range []struct {
				field string
				set   bool
			}{
				{"timezone", t.Timezone != ""}, {"flexible_time_window", t.FlexibleTimeWindow != nil},
				{"start_date", t.StartDate != ""}, {"end_date", t.EndDate != ""},
			} {
				if f.set {
					fail(f.field, "is for EventBridge Scheduler (backend: scheduler); EventBridge rules run in UTC with no window or dates")
				}
			}
		}
		if t.Timezone != "" {
			if _, err := time.LoadLocation(t.Timezone); err != nil || t.Timezone == "Local" {
				fail("timezone", "%q is not an IANA time zone, such as Asia/Tokyo or UTC", t.Timezone)
			}
		}
		for _, d := range [][2]string{{"start_date", t.StartDate}, {"end_date", t.EndDate}} {
			if d[1] != "" {
				if _, err := time.Parse(time.RFC3339, d[1]); err != nil {
					fail(d[0], "%q: write an RFC 3339 time, such as 2026-04-01T00:00:00+09:00", d[1])
				}
			}
		}
		if w := t.FlexibleTimeWindow; w != nil {
			switch w.Mode {
			case "OFF":
			case "FLEXIBLE":
				if m := aws.ToInt32(w.MaximumWindowInMinutes); m < 1 || m > 1440 {
					fail("flexible_time_window.maximum_window_in_minutes", "FLEXIBLE needs 1 to 1440")
				}
			default:
				fail("flexible_time_window.mode", "%q: use OFF or FLEXIBLE", w.Mode)
			}
		}
		if t.ClusterArn != "" {
			fail("cluster_arn", "is set by tamp from the config's cluster; remove it")
		}
		if t.OtherTargets != 0 {
			fail("other_targets", "is read from AWS, not set; remove it")
		}
		if t.TaskDefinition == "" {
			fail("task_definition", "is required: a config task definition name, a family, family:revision or an ARN")
		}
		if t.TaskCount != nil && (*t.TaskCount < 1 || *t.TaskCount > 10) {
			fail("task_count", "%d: use 1 to 10", *t.TaskCount)
		}
		if es := t.EphemeralStorage; es != nil && (es.SizeInGiB < 21 || es.SizeInGiB > 200) {
			fail("ephemeral_storage.sizeInGiB", "%d: use 21 to 200 (GiB)", es.SizeInGiB)
		}
		if t.LaunchType != "" && len(t.CapacityProviderStrategy) > 0 {
			fail("launch_type", "set launch_type or capacity_provider_strategy, not both")
		}
		if rp := t.RetryPolicy; rp != nil {
			if v := rp.MaximumEventAgeSeconds; v != nil && (*v < 60 || *v > 86400) {
				fail("retry_policy.maximum_event_age_seconds", "%d: use 60 to 86400", *v)
			}
			if v := rp.MaximumRetryAttempts; v != nil && (*v < 0 || *v > 185) {
				fail("retry_policy.maximum_retry_attempts", "%d: use 0 to 185", *v)
			}
		}
		names, known := containers(t.TaskDefinition)
		// The input is measured as it will be written: shorthands folded
		// into the first container's override. For a task definition from
		// elsewhere that container's name is unknown and counted as empty,
		// so the size is a lower bound and nothing AWS takes is refused.
		first := ""
		if known && len(names) > 0 {
			first = names[0]
		}
		if input, err := overrideInput(Resolve(t, t.TaskDefinition, first)); err == nil {
			if why := inputTooLong(input); why != "" {
				fail("overrides", "%s", why)
			}
		}
		if known {
			check := func(field, name string) {
				if name != "" && !slices.Contains(names, name) {
					fail(field, "no container named %q in task definition %s (it has %v)", name, t.TaskDefinition, names)
				}
			}
			check("container", t.Container)
			for j, o := range t.ContainerOverrides {
				check(fmt.Sprintf("container_overrides[%d].name", j), aws.ToString(o.Name))
			}
		}
	}
	return errs
}
