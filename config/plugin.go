package config

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tamp-ecs/tamp/internal/mask"
)

// PluginSetup is what a plugin is built from: its config block, the
// func_prefix, the config file's directory for relative paths, and the
// ways to reach AWS.
type PluginSetup struct {
	Config    map[string]any
	Prefix    string
	Dir       string
	LookupEnv func(string) (string, bool)
	Masker    *mask.Masker
	// AWS returns the SDK configuration for a region ("" for the project's).
	AWS AWSConfigFunc
	// Trace, when set, gets a --debug line for each of tamp's own signed
	// calls (S3 state reads); SDK clients trace through their configuration.
	Trace io.Writer
	// Clients that replace the real ones (tests); nil in the tool.
	SSM            SSMAPI
	SecretsManager SecretsManagerAPI
}

// AWSConfigFunc returns the SDK configuration for a region; "" means the
// project's region (--region, the config's region, or the SDK's default).
type AWSConfigFunc func(ctx context.Context, region string) (aws.Config, error)

// Prefetcher is a plugin's value store that can learn what a render needs
// before fetching it: while collecting, its functions record names and
// return placeholders; Fetch then gets them all in as few calls as it can.
type Prefetcher interface {
	Collect(on bool)
	Fetch(ctx context.Context)
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
		"tfstate":        tfstatePlugin,
		"ssm":            ssmPlugin,
		"secretsmanager": secretsManagerPlugin,
	}
}

// builtin plugins are there without being declared, as in ecspresso v2:
// `ssm` and `secretsmanager_arn` in the project's region. Declaring one
// without func_prefix replaces it.
var builtin = []string{"ssm", "secretsmanager"}

// PluginKeys are the keys the config block of the plugin named takes;
// the plugin refuses any other. Nil for a name that is no plugin of tamp's.
func PluginKeys(name string) []string {
	switch name {
	case "tfstate":
		return []string{"path", "url", "workspace", "workspace_key_prefix", "region"}
	case "ssm", "secretsmanager":
		return []string{"region"}
	}
	return nil
}

// Names are the plugin names, sorted.
func (reg Registry) Names() []string {
	names := make([]string, 0, len(reg))
	for n := range reg {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (reg Registry) build(ctx context.Context, configPath string, plugins []PluginConfig, base PluginSetup) (Functions, error) {
	var all Functions
	base.Dir = filepath.Dir(configPath)
	declared := map[string]bool{}
	for i, p := range plugins {
		factory, ok := reg[p.Name]
		if !ok {
			return all, fmt.Errorf("%s: plugins[%d].name: unknown plugin %q; known plugins: %s", configPath, i, p.Name, strings.Join(reg.Names(), ", "))
		}
		setup := base
		setup.Config, setup.Prefix = p.Config, p.FuncPrefix
		fns, err := factory(ctx, setup)
		if err != nil {
			return all, fmt.Errorf("%s: plugins[%d] (%s): %w", configPath, i, p.Name, err)
		}
		if err := all.merge(fns); err != nil {
			return all, fmt.Errorf("%s: plugins[%d] (%s): %w", configPath, i, p.Name, err)
		}
		if p.FuncPrefix == "" {
			declared[p.Name] = true
		}
	}
	for _, name := range builtin {
		factory, ok := reg[name]
		if !ok || declared[name] {
			continue
		}
		fns, err := factory(ctx, base)
		if err != nil {
			return all, fmt.Errorf("built-in %s functions: %w", name, err)
		}
		if err := all.merge(fns); err != nil {
			return all, err
		}
	}
	return all, nil
}
