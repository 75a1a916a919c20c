package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
		return config.Invalid(errors.New("init: give --service, --scheduled-group or --scheduled-prefix"))
	case c.ScheduledGroup != "" && c.ScheduledPrefix != "":
		return config.Invalid(errors.New("init: give --scheduled-group (EventBridge Scheduler) or --scheduled-prefix (EventBridge rules), not both"))
	}
	region, err := a.clients.Region(ctx, a.Region)
	if err != nil {
		return err
	}
	project := &config.Config{Region: region, Cluster: c.Cluster}
	var tasks []*scheduled.Task
	if c.ScheduledGroup != "" || c.ScheduledPrefix != "" {
		sched, events, err := a.eventBridge(ctx, a.Region)
		if err != nil {
			return err
		}
		if tasks, project.Scheduled, err = scheduled.Adopt(ctx, c.ScheduledGroup, c.ScheduledPrefix, sched, events); err != nil {
			return err
		}
		if project.Cluster == "" {
			project.Cluster = scheduled.CommonCluster(tasks)
		}
	}
	if project.Cluster == "" {
		project.Cluster = "default"
	}
	var files []initFile
	families := map[string]string{} // task definition family -> service name
	if len(c.Service) > 0 {
		api, err := a.clients.ECS(ctx, a.Region)
		if err != nil {
			return err
		}
		adopted, err := ecs.Adopt(ctx, api, project.Cluster, region, c.Service)
		if err != nil {
			return err
		}
		for _, s := range adopted {
			families[s.Family()] = s.Name
			entry := config.Service{Name: s.Name, ServiceDefinition: "ecs/" + s.Name + "-service.json", TaskDefinition: "ecs/" + s.Name + "-task.json"}
			project.Services = append(project.Services, entry)
			files = append(files,
				initFile{path: entry.ServiceDefinition, text: ecs.Canonical(s.Service)},
				initFile{path: entry.TaskDefinition, text: ecs.Canonical(s.TaskDefinition)})
		}
	}
	if project.Scheduled != nil {
		scheduled.Link(tasks, families)
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
			return config.Invalid(fmt.Errorf("init: %s exists; move it away or pass --force to overwrite", strings.Join(existing, ", ")))
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
