package main

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/scheduled"
)

// RenderCmd prints rendered documents.
type RenderCmd struct {
	Target string `arg:"" enum:"config,services,taskdefs,scheduled" help:"What to render: config, services, taskdefs or scheduled."`
}

func (c *RenderCmd) Run(ctx context.Context, a *app) error {
	if c.Target == "config" {
		p, err := a.loadProject(ctx)
		if err != nil {
			return err
		}
		return writeJSON(a, renderedConfig(p.Config))
	}
	p, _, defs, err := a.definitions(ctx, c.Target == "services")
	if err != nil {
		return err
	}
	var docs namedDocs
	switch c.Target {
	case "scheduled":
		tasks, err := scheduled.LoadTasks(p, defs)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			docs.add(t.Name, ecs.Canonical(t))
		}
	case "services":
		for _, s := range defs.Services {
			if s.Input != nil {
				docs.add(s.Name, ecs.Canonical(s.Input))
			}
		}
	case "taskdefs":
		for _, td := range defs.TaskDefinitions {
			docs.add(td.Name, ecs.Canonical(td.Input))
		}
	}
	return docs.write(a)
}

// renderedConfig is the config as tamp will use it: the one-service form
// folded into services, the effective timeout filled in.
func renderedConfig(cfg *config.Config) *config.Config {
	out := *cfg
	out.Timeout = &config.Duration{Duration: cfg.EffectiveTimeout()}
	return &out
}

// namedDocs is a JSON object of documents keyed by config name, in config
// order.
type namedDocs struct {
	names []string
	docs  [][]byte
}

func (n *namedDocs) add(name string, doc []byte) {
	n.names = append(n.names, name)
	n.docs = append(n.docs, doc)
}

func (n *namedDocs) write(a *app) error {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, name := range n.names {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(awsjson.Quote(name))
		buf.WriteByte(':')
		if err := json.Compact(&buf, n.docs[i]); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := a.stdout.Write(out.Bytes())
	return err
}
