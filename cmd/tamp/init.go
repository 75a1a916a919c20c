package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/goccy/go-yaml"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/scheduled"
)

// InitCmd writes a project from what runs in AWS.
type InitCmd struct {
	Service         []string `placeholder:"NAME" help:"Services to write definitions for (comma-separated)."`
	Cluster         string   `placeholder:"NAME" help:"The services' cluster (default: the scheduled tasks' cluster, else default)."`
	ScheduledGroup  string   `placeholder:"GROUP" help:"Adopt the EventBridge Scheduler schedules of this group."`
	ScheduledPrefix string   `placeholder:"PREFIX" help:"Adopt the EventBridge rules with ECS targets whose names start with this (events backend)."`
	Force           bool     `help:"Overwrite files that exist."`
}

// initFile is one file init writes, relative to the config's directory.
type initFile struct {
	path string
	text []byte
}

func (c *InitCmd) Run(ctx context.Context, a *app) error {
	switch {
	case len(c.Service) == 0 && c.ScheduledGroup == "" && c.ScheduledPrefix == "":
		return invalidInput{errors.New("init: give --service, --scheduled-group or --scheduled-prefix")}
	case c.ScheduledGroup != "" && c.ScheduledPrefix != "":
		return invalidInput{errors.New("init: give --scheduled-group (EventBridge Scheduler) or --scheduled-prefix (EventBridge rules), not both")}
	}
	cfg, err := a.awsConfigFor(ctx, a.Region)
	if err != nil {
		return err
	}
	project := &config.Config{Region: cfg.Region, Cluster: c.Cluster}
	var files []initFile
	var tasks []*scheduled.Task
	if c.ScheduledGroup != "" || c.ScheduledPrefix != "" {
		if tasks, project.Scheduled, err = c.adoptScheduled(ctx, cfg); err != nil {
			return err
		}
		if project.Cluster == "" {
			project.Cluster = commonCluster(tasks)
		}
	}
	if project.Cluster == "" {
		project.Cluster = "default"
	}
	families := map[string]string{} // task definition family -> service name
	if len(c.Service) > 0 {
		svcFiles, err := c.describeServices(ctx, awsecs.NewFromConfig(cfg), project, families)
		if err != nil {
			return err
		}
		files = append(files, svcFiles...)
	}
	if project.Scheduled != nil {
		for _, t := range tasks {
			// A schedule on a service's task definition follows its deploys.
			family, _, _ := strings.Cut(shortRevision(t.TaskDefinition), ":")
			if name, ok := families[family]; ok {
				t.TaskDefinition = name
			} else {
				t.TaskDefinition = shortRevision(t.TaskDefinition)
			}
		}
		text, err := scheduled.Dump(tasks)
		if err != nil {
			return err
		}
		files = append(files, initFile{path: project.Scheduled.TasksFile, text: text})
	}
	text, err := yaml.Marshal(project)
	if err != nil {
		return err
	}
	header := "# Written by tamp init from what runs in AWS. Check it with `tamp diff` (no differences\n# expected), then keep it in git.\n"
	files = append([]initFile{{path: filepath.Base(a.Config), text: append([]byte(header), text...)}}, files...)
	return c.write(a, filepath.Dir(a.Config), files)
}

// describeServices writes a service and a task definition file per service,
// as a deploy would create them: a diff right after shows nothing.
func (c *InitCmd) describeServices(ctx context.Context, api *awsecs.Client, project *config.Config, families map[string]string) ([]initFile, error) {
	var files []initFile
	found := map[string]types.Service{}
	for batch := range slices.Chunk(c.Service, 10) {
		out, err := api.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(project.Cluster), Services: batch,
			Include: []types.ServiceField{types.ServiceFieldTags}})
		if err != nil {
			return nil, err
		}
		for _, s := range out.Services {
			if aws.ToString(s.Status) != "INACTIVE" {
				found[aws.ToString(s.ServiceName)] = s
			}
		}
	}
	var missing []string
	for _, name := range c.Service {
		if _, ok := found[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("init: no service %s in cluster %s (%s)", strings.Join(missing, ", "), project.Cluster, project.Region)
	}
	for _, name := range c.Service {
		svc := found[name]
		in, err := ecs.ServiceFromDescribed(&svc)
		if err != nil {
			return nil, err
		}
		in.ServiceName, in.Cluster = nil, nil // the config's
		in.Tags = ownTags(svc.Tags)
		tdOut, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: svc.TaskDefinition,
			Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
		if err != nil {
			return nil, fmt.Errorf("init: service %s: %w", name, err)
		}
		td, err := ecs.FromDescribed(tdOut.TaskDefinition, ownTags(tdOut.Tags))
		if err != nil {
			return nil, err
		}
		families[aws.ToString(td.Family)] = name
		entry := config.Service{Name: name, ServiceDefinition: "ecs/" + name + "-service.json", TaskDefinition: "ecs/" + name + "-task.json"}
		project.Services = append(project.Services, entry)
		files = append(files,
			initFile{path: entry.ServiceDefinition, text: append(ecs.Canonical(in), '\n')},
			initFile{path: entry.TaskDefinition, text: append(ecs.Canonical(td), '\n')})
	}
	return files, nil
}

// ownTags drops AWS's own tags (aws:...), which no one may set.
func ownTags(tags []types.Tag) []types.Tag {
	return slices.DeleteFunc(slices.Clone(tags), func(t types.Tag) bool { return strings.HasPrefix(aws.ToString(t.Key), "aws:") })
}

// adoptScheduled reads the schedules (or rules) to adopt and the config
// block for them: the role most of them use becomes scheduled.role_arn.
func (c *InitCmd) adoptScheduled(ctx context.Context, cfg aws.Config) ([]*scheduled.Task, *config.Scheduled, error) {
	var remote map[string]*scheduled.Task
	block := &config.Scheduled{Backend: config.BackendScheduler, Group: c.ScheduledGroup, TasksFile: "scheduled.yaml"}
	if c.ScheduledPrefix != "" {
		var err error
		if remote, err = (&scheduled.EventsBackend{API: eventbridge.NewFromConfig(cfg)}).Adopt(ctx, c.ScheduledPrefix); err != nil {
			return nil, nil, err
		}
		block.Backend, block.Group = config.BackendEvents, strings.TrimRight(c.ScheduledPrefix, "-_.")
	} else {
		var exists bool
		var err error
		remote, exists, err = (&scheduled.SchedulerBackend{API: scheduler.NewFromConfig(cfg), Group: c.ScheduledGroup}).Remote(ctx)
		if err != nil {
			return nil, nil, err
		}
		if !exists {
			return nil, nil, fmt.Errorf("init: schedule group %s does not exist in %s", c.ScheduledGroup, cfg.Region)
		}
	}
	if len(remote) == 0 {
		return nil, nil, errors.New("init: no schedules with an ECS target to adopt")
	}
	tasks := make([]*scheduled.Task, 0, len(remote))
	roles := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(remote)) {
		tasks = append(tasks, remote[name])
		roles[remote[name].RoleArn]++
	}
	block.RoleArn = slices.MaxFunc(slices.Sorted(maps.Keys(roles)), func(x, y string) int { return roles[x] - roles[y] })
	for _, t := range tasks {
		if t.RoleArn == block.RoleArn {
			t.RoleArn = ""
		}
	}
	return tasks, block, nil
}

// commonCluster is the cluster name all tasks run on, "" when they differ.
func commonCluster(tasks []*scheduled.Task) string {
	name := ""
	for _, t := range tasks {
		n := shortRevision(t.ClusterArn) // cluster/NAME -> NAME
		if name != "" && n != name {
			return ""
		}
		name = n
	}
	return name
}

// write writes every file, or none when one exists (without --force).
func (c *InitCmd) write(a *app, dir string, files []initFile) error {
	if !c.Force {
		var existing []string
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(dir, f.path)); err == nil {
				existing = append(existing, filepath.Join(dir, f.path))
			}
		}
		if len(existing) > 0 {
			return invalidInput{fmt.Errorf("init: %s exists; move it away or pass --force to overwrite", strings.Join(existing, ", "))}
		}
	}
	for _, f := range files {
		path := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.text, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "wrote %s\n", path)
	}
	return nil
}
