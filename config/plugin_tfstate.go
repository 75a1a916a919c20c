package config

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"

	"github.com/tamp-ecs/tamp/tfstate"
)

// tfstatePlugin reads one Terraform state, on first use, and offers
// tfstate / tfstatef (templates) and tfstate (Jsonnet native).
//
//	plugins:
//	  - name: tfstate
//	    config: { path: terraform.tfstate }   # or url: file path
func tfstatePlugin(_ context.Context, setup PluginSetup) (Functions, error) {
	location, err := stateLocation(setup.Config)
	if err != nil {
		return Functions{}, err
	}
	if !strings.Contains(location, "://") || strings.HasPrefix(location, "file://") {
		location = strings.TrimPrefix(location, "file://")
	} else {
		return Functions{}, fmt.Errorf("config.url: %q: only local state files are supported by this build; use config.path", location)
	}
	path := location
	if !strings.HasPrefix(path, "/") {
		path = setup.Dir + "/" + path
	}
	var (
		once  sync.Once
		state *tfstate.State
		rerr  error
	)
	load := func() (*tfstate.State, error) {
		once.Do(func() { state, rerr = tfstate.ReadFile(path) })
		return state, rerr
	}
	lookup := func(addr string) (any, error) {
		s, err := load()
		if err != nil {
			return nil, err
		}
		return s.Lookup(addr)
	}
	p := setup.Prefix
	return Functions{
		Template: template.FuncMap{
			p + "tfstate": func(addr string) (string, error) {
				v, err := lookup(addr)
				if err != nil {
					return "", err
				}
				return tfstate.String(v), nil
			},
			p + "tfstatef": func(format string, args ...any) (string, error) {
				v, err := lookup(fmt.Sprintf(format, args...))
				if err != nil {
					return "", err
				}
				return tfstate.String(v), nil
			},
		},
		Native: []*jsonnet.NativeFunction{{
			Name:   p + "tfstate",
			Params: ast.Identifiers{"address"},
			Func: func(args []any) (any, error) {
				addr, ok := args[0].(string)
				if !ok {
					return nil, fmt.Errorf("tfstate: the address must be a string, got %v", args[0])
				}
				return lookup(addr)
			},
		}},
	}, nil
}

func stateLocation(cfg map[string]any) (string, error) {
	for _, key := range []string{"path", "url"} {
		if v, ok := cfg[key]; ok {
			s, isString := v.(string)
			if !isString || s == "" {
				return "", fmt.Errorf("config.%s must be a non-empty string", key)
			}
			return s, nil
		}
	}
	return "", fmt.Errorf("config needs path (a local state file) or url")
}
