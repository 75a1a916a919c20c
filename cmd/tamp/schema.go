package main

import (
	"github.com/tamp-ecs/tamp/internal/schema"
)

// SchemaCmd prints a JSON Schema.
type SchemaCmd struct {
	Name string `arg:"" enum:"config,scheduled" help:"config (the config file) or scheduled (a tasks_file's list)."`
}

func (c *SchemaCmd) Run(a *app) error {
	doc, err := schema.JSON(c.Name)
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(doc)
	return err
}
