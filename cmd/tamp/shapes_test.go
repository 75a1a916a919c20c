package main

import (
	"strings"
	"testing"
)

// The config shapes ecspresso accepts (issue 12 items 4 and 5): each
// command refuses only what it cannot do, naming the key the user wrote.

// ecspressoTaskOnly is ecspresso's td-config.yml shape: a service and a
// cluster, no definition files.
var ecspressoTaskOnly = map[string]string{
	"ecspresso.yml": "region: ap-northeast-1\ntimeout: 10m\nservice: web\ncluster: app\n",
}

// ecspressoUnnamed is ecspresso's run-without-sv.yaml shape: a service
// definition and a task definition, no service key, no serviceName.
var ecspressoUnnamed = map[string]string{
	"ecspresso.yml":    "region: ap-northeast-1\ntimeout: 300\ncluster: app\nservice_definition: web-service.json\ntask_definition: web-task.json\n",
	"web-task.json":    webProject["web-task.json"],
	"web-service.json": webProject["web-service.json"],
}

func ecspressoRun(f *fakeClients, t *testing.T, args ...string) result {
	return f.run(t, false, append(args, "--config", f.dir+"/ecspresso.yml")...)
}

func TestEcspressoShapes(t *testing.T) {
	t.Setenv("IMAGE_TAG", "v1")
	t.Run("service alone: status works, deploy asks for task_definition", func(t *testing.T) {
		f := newFakeClients()
		f.dir = project(t, webProject)
		f.mustRun(t, "deploy")
		f.dir = project(t, ecspressoTaskOnly)
		f.resetCalls()
		if r := ecspressoRun(f, t, "status"); r.code != 0 || !strings.Contains(r.stdout, "web") {
			t.Errorf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, cmd := range [][]string{{"deploy"}, {"diff"}, {"register"}, {"render", "taskdefs"}} {
			r := ecspressoRun(f, t, cmd...)
			want := "error: $DIR/ecspresso.yml: service web has no task_definition, which " + strings.Join(cmd, " ") +
				" needs; add it (status, scale, wait and rollback work without one)\nnothing was changed in AWS\n"
			r.check(t, 1, "", want)
		}
		checkCalls(t, "ECS", f.ecs.CallCounts(), map[string]int{"DescribeServices": 1})
	})
	t.Run("service definition naming no service: the task definition alone", func(t *testing.T) {
		f := newFakeClients()
		f.dir = project(t, ecspressoUnnamed)
		for _, cmd := range [][]string{{"render", "taskdefs"}, {"register"}} {
			if r := ecspressoRun(f, t, cmd...); r.code != 0 {
				t.Errorf("%s: exit %d\n%s%s", strings.Join(cmd, " "), r.code, r.stdout, r.stderr)
			}
		}
		if n := f.ecs.Calls("RegisterTaskDefinition"); n != 1 {
			t.Errorf("register made %d RegisterTaskDefinition calls, want 1", n)
		}
		f.resetCalls()
		for _, cmd := range [][]string{{"deploy"}, {"diff"}, {"render", "services"}, {"status"}} {
			r := ecspressoRun(f, t, cmd...)
			r.check(t, 1, "", "error: $DIR/ecspresso.yml: service_definition web-service.json is set but no service is named; "+
				"add service: NAME to ecspresso.yml (or serviceName to web-service.json). "+
				"Commands on the task definition alone (render taskdefs, register, run) work without it\nnothing was changed in AWS\n")
		}
		if n := f.ecs.TotalCalls(); n != 0 {
			t.Errorf("%d ECS calls after the refusals, want 0", n)
		}
	})
	t.Run("service definition with serviceName: that is the service", func(t *testing.T) {
		f := newFakeClients()
		f.dir = project(t, withFiles(ecspressoUnnamed, map[string]string{
			"web-service.json": strings.Replace(webProject["web-service.json"], "{", `{"serviceName": "web",`, 1),
		}))
		r := ecspressoRun(f, t, "deploy")
		if r.code != 0 {
			t.Fatalf("deploy: exit %d\n%s", r.code, r.stderr)
		}
		runs(web(1), 1)(t, f, r)
	})
}

// A load balancer naming a container the task definition lacks stops
// what works on that service (deploy, diff, verify) and nothing else.
func TestServiceCheckedAgainstTaskOnlyWhenUsed(t *testing.T) {
	files := withFiles(batchProject, map[string]string{
		"web-service.json": strings.Replace(webProject["web-service.json"], `"desiredCount": 1,`,
			`"desiredCount": 1, "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/0123456789abcdef", "containerName": "nosuch", "containerPort": 80}],`, 1),
	})
	t.Setenv("IMAGE_TAG", "v1")
	for _, cmd := range [][]string{{"render", "taskdefs"}, {"render", "scheduled"}, {"register"}, {"scheduled", "sync"}, {"run", "--task-definition", "batch", "--no-wait"}} {
		f := newFakeClients()
		f.dir = project(t, files)
		if r := f.run(t, false, cmd...); r.code != 0 {
			t.Errorf("%s: exit %d, want 0\n%s%s", strings.Join(cmd, " "), r.code, r.stdout, r.stderr)
		}
	}
	for _, cmd := range [][]string{{"deploy"}, {"diff"}, {"render", "services"}, {"verify", "--offline"}} {
		f := newFakeClients()
		f.dir = project(t, files)
		r := f.run(t, false, cmd...)
		if r.code != 1 || !strings.Contains(r.stdout+r.stderr, `loadBalancers[0].containerName: no container named "nosuch" in task definition web`) {
			t.Errorf("%s: exit %d, want 1 naming loadBalancers[0].containerName\n%s%s", strings.Join(cmd, " "), r.code, r.stdout, r.stderr)
		}
		for _, op := range []string{"RegisterTaskDefinition", "CreateService", "UpdateService", "TagResource"} {
			if n := f.ecs.Calls(op); n != 0 {
				t.Errorf("%s: %d %s calls", strings.Join(cmd, " "), n, op)
			}
		}
	}
}
