package config

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// PluginSetup is what a plugin is built from: its config block, the
// func_prefix, and the config file's directory for relative paths.
type PluginSetup struct {
	Config map[string]any
	Prefix string
	Dir    string
}

// PluginFactory builds a plugin's functions. Factories must not do slow work
// (network, large reads) here: values are fetched on first use.
type PluginFactory func(ctx context.Context, setup PluginSetup) (Functions, error)

// Registry maps plugin names (as written in the config's plugins list) to
// their factories.
type Registry map[string]PluginFactory

// DefaultRegistry is every plugin tamp ships.
func DefaultRegistry() Registry {
	return Registry{
		"tfstate": tfstatePlugin,
	}
}

func (reg Registry) names() []string {
	names := make([]string, 0, len(reg))
	for n := range reg {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (reg Registry) build(ctx context.Context, configPath string, plugins []PluginConfig) (Functions, error) {
	var all Functions
	for i, p := range plugins {
		factory, ok := reg[p.Name]
		if !ok {
			return all, fmt.Errorf("%s: plugins[%d].name: unknown plugin %q; known plugins: %s", configPath, i, p.Name, strings.Join(reg.names(), ", "))
		}
		fns, err := factory(ctx, PluginSetup{Config: p.Config, Prefix: p.FuncPrefix, Dir: filepath.Dir(configPath)})
		if err != nil {
			return all, fmt.Errorf("%s: plugins[%d] (%s): %w", configPath, i, p.Name, err)
		}
		if err := all.merge(fns); err != nil {
			return all, fmt.Errorf("%s: plugins[%d] (%s): %w", configPath, i, p.Name, err)
		}
	}
	return all, nil
}
