package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"

	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"

	"github.com/tamp-ecs/tamp/tfstate"
)

// tfstatePlugin reads one Terraform state, once, on first use, and offers
// tfstate / tfstatef (templates) and tfstate (Jsonnet native, typed).
//
//	plugins:
//	  - name: tfstate
//	    config:
//	      url: s3://bucket/app/terraform.tfstate  # or path: a file or a Terraform directory
//	      workspace: staging                      # default TF_WORKSPACE
//	      workspace_key_prefix: env:              # the S3 backend's
//	      region: ap-northeast-1                  # where to start looking for the bucket
func tfstatePlugin(ctx context.Context, setup PluginSetup) (Functions, error) {
	settings, err := stringSettings(setup.Config, PluginKeys("tfstate")...)
	if err != nil {
		return Functions{}, err
	}
	location := settings["url"]
	if location == "" {
		location = settings["path"]
	}
	switch {
	case settings["url"] != "" && settings["path"] != "":
		return Functions{}, fmt.Errorf("config: set path or url, not both")
	case location == "":
		return Functions{}, fmt.Errorf("config needs path (a state file or Terraform directory) or url (s3://, http(s)://, remote://)")
	case !strings.Contains(location, "://") && !filepath.IsAbs(location):
		location = filepath.Join(setup.Dir, location)
	}
	sources := tfstate.Sources{
		LookupEnv:          setup.LookupEnv,
		Workspace:          settings["workspace"],
		WorkspaceKeyPrefix: settings["workspace_key_prefix"],
		S3: func(ctx context.Context, region string) (tfstate.S3API, error) {
			if region == "" {
				region = settings["region"]
			}
			cfg, err := setup.AWS(ctx, region)
			if err != nil {
				return nil, err
			}
			return tfstate.NewHTTPS3(cfg, lookup(setup.LookupEnv, "AWS_ENDPOINT_URL_S3"), setup.Trace), nil
		},
	}
	var (
		once  sync.Once
		state *tfstate.State
		rerr  error
	)
	lookup := func(addr string) (any, error) {
		once.Do(func() { state, rerr = tfstate.Open(ctx, location, sources) })
		if rerr != nil {
			return nil, rerr
		}
		return state.Lookup(addr)
	}
	lookupString := func(addr string) (string, error) {
		v, err := lookup(addr)
		if err != nil {
			return "", err
		}
		return tfstate.String(v), nil
	}
	p := setup.Prefix
	return Functions{
		Template: template.FuncMap{
			p + "tfstate": lookupString,
			p + "tfstatef": func(format string, args ...any) (string, error) {
				return lookupString(fmt.Sprintf(format, args...))
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

// stringSettings reads a plugin config whose values are all strings,
// refusing keys not in allowed.
func stringSettings(cfg map[string]any, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range cfg {
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return nil, fmt.Errorf("config.%s: unknown key; this plugin takes %s", k, strings.Join(allowed, ", "))
		}
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("config.%s must be a non-empty string", k)
		}
		out[k] = s
	}
	return out, nil
}

func lookup(env func(string) (string, bool), key string) string {
	if env == nil {
		env = os.LookupEnv
	}
	v, _ := env(key)
	return v
}
