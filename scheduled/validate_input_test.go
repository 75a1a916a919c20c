package scheduled

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tamp-ecs/tamp/config"
)

// The target's input is compact JSON on both backends, and reads back as
// the same task: a schedule written indented by an older tamp compares
// equal, so the change shows no diff.
func TestTargetInputIsCompact(t *testing.T) {
	local := &Task{Name: "nightly", Schedule: "rate(1 day)", TaskDefinition: "batch", Command: []string{"bin/batch", "a && b"},
		Environment: map[string]string{"MODE": "full"}, Cpu: "512"}
	r := Resolve(local, "arn:aws:ecs:r:1:task-definition/batch:4", "app")
	want := `{"containerOverrides":[{"command":["bin/batch","a && b"],"environment":[{"name":"MODE","value":"full"}],"name":"app"}],"cpu":"512"}`

	sched := &SchedulerBackend{Group: "g", RoleArn: "arn:aws:iam::1:role/sched", ClusterArn: "arn:aws:ecs:r:1:cluster/app"}
	in, err := sched.toSchedule(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(in.Target.Input); got != want {
		t.Errorf("scheduler input\n%s\nwant\n%s", got, want)
	}
	events := &EventsBackend{Group: "g", RoleArn: "arn:aws:iam::1:role/events", ClusterArn: "arn:aws:ecs:r:1:cluster/app"}
	target, err := events.target(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(target.Input); got != want {
		t.Errorf("events input\n%s\nwant\n%s", got, want)
	}

	compact, indented := r.clone(), r.clone()
	if err := (target2(want)).apply(compact); err != nil {
		t.Fatal(err)
	}
	if err := (target2("{\n  \"containerOverrides\": [\n    {\n      \"command\": [\"bin/batch\", \"a && b\"],\n" +
		"      \"environment\": [{\"name\": \"MODE\", \"value\": \"full\"}],\n      \"name\": \"app\"\n    }\n  ],\n  \"cpu\": \"512\"\n}\n")).apply(indented); err != nil {
		t.Fatal(err)
	}
	if a, b := string(doc(compact)), string(doc(indented)); a != b {
		t.Errorf("compact and indented inputs read back differently:\n%s\n%s", a, b)
	}
}

func target2(input string) target { return target{input: aws.String(input)} }

func (t *Task) clone() *Task { c := *t; return &c }

// EventBridge's Target.Input and ECS's RunTask overrides both stop at
// 8,192 characters (not bytes), counted as tamp writes the input.
func TestValidateTargetInputSize(t *testing.T) {
	containers := func(name string) ([]string, bool) {
		if name == "batch" {
			return []string{"app", "sidecar"}, true
		}
		return nil, false
	}
	// The input of a task whose only override is environment BIG=value,
	// on container name.
	overhead := func(name string) int {
		return len(`{"containerOverrides":[{"environment":[{"name":"BIG","value":""}],"name":"` + name + `"}]}`)
	}
	task := func(td, value string) *Task {
		return &Task{Name: "t", Schedule: "rate(1 day)", TaskDefinition: td, Environment: map[string]string{"BIG": value}}
	}
	tests := []struct {
		name string
		task *Task
		want string // "" for valid
	}{
		{"8192 characters", task("batch", strings.Repeat("x", 8192-overhead("app"))), ""},
		{"8193 characters", task("batch", strings.Repeat("x", 8193-overhead("app"))),
			"scheduled task t: overrides: the RunTask overrides tamp puts in the target's input come to 8193 characters as compact JSON, over the 8192"},
		{"characters, not bytes", task("batch", strings.Repeat("é", 8192-overhead("app"))), ""},
		{"the full form counts too", &Task{Name: "t", Schedule: "rate(1 day)", TaskDefinition: "batch",
			ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("sidecar"), Command: []string{strings.Repeat("c", 8200)}}}},
			"come to 8258 characters"},
		// Another family's first container is unknown: counted as an empty
		// name, so the size is a lower bound.
		{"a task definition from elsewhere, at the bound", task("other:3", strings.Repeat("x", 8192-overhead(""))), ""},
		{"a task definition from elsewhere, over it", task("other:3", strings.Repeat("x", 8193-overhead(""))), "come to 8193 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate([]*Task{tt.task}, config.BackendEvents, containers)
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("got %v, want no problem", errs)
			case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want)):
				t.Errorf("got %v, want %q", errs, tt.want)
			}
		})
	}
}

// A target is never built with an input AWS refuses, whatever skipped
// validation.
func TestTargetRefusesAnInputTooLong(t *testing.T) {
	r := Resolve(&Task{Name: "t", TaskDefinition: "batch", Command: []string{strings.Repeat("c", 9000)}}, "arn:td", "app")
	_, err := targetOf(r)
	if err == nil || !strings.Contains(err.Error(), "scheduled task t: the RunTask overrides") {
		t.Errorf("targetOf: %v", err)
	}
	in, err := overrideInput(Resolve(&Task{Name: "t", Command: []string{"run"}}, "arn:td", "app"))
	if err != nil || utf8.RuneCountInString(in) != len(`{"containerOverrides":[{"command":["run"],"name":"app"}]}`) {
		t.Errorf("input %q, %v", in, err)
	}
}
