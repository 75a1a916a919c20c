package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/tamp-ecs/tamp/internal/version"
)

// VersionCmd prints the version.
type VersionCmd struct{}

func (c *VersionCmd) Run(a *app) error {
	if a.Output == "json" {
		return writeJSON(a, map[string]string{"version": version.Version, "commit": version.Commit, "go": runtime.Version()})
	}
	_, err := fmt.Fprintln(a.stdout, version.String())
	return err
}

// writeJSON prints one indented JSON document on stdout.
func writeJSON(a *app, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := a.stdout.Write(buf.Bytes())
	return err
}
