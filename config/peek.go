package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-jsonnet"
)

// Peek reads the config at path as Load does, but offline: no plugin
// reads anything and nothing outside the machine is reached. Every plugin
// function (tfstate, ssm, secretsmanager_arn, under their prefixes)
// renders as an empty string, and so does must_env of a variable that is
// not set, so names, paths and keys can be read from any checkout, with
// or without credentials or a stage's environment. The config is decoded
// strictly and the one-service form folded, as Load does; Validate is not
// run. The files it points at render the same way through the project.
//
// Values from elsewhere are empty: use Peek for what does not depend on
// them (shell completion's names, checking the keys an editor shows).
func Peek(ctx context.Context, path string, opts Options) (*Project, error) {
	if path == "" {
		path = DefaultPath
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	env := opts.LookupEnv
	if env == nil {
		env = os.LookupEnv
	}
	r := &Renderer{ExtStr: opts.ExtStr, ExtCode: opts.ExtCode, stubUnknown: true,
		// Every variable is set: an unset one reads as "".
		LookupEnv: func(key string) (string, bool) {
			v, _ := env(key)
			return v, true
		},
	}
	first, err := r.firstPass(abs)
	if err != nil {
		return nil, err
	}
	plugins := opts.Plugins
	if plugins == nil {
		plugins = DefaultRegistry()
	}
	// The plugins are built only to learn the names of their functions
	// (and to check their settings): building reads nothing, and every
	// function is replaced before anything could call it.
	funcs, err := plugins.build(ctx, abs, first.Plugins, PluginSetup{
		LookupEnv: r.LookupEnv,
		AWS: func(context.Context, string) (aws.Config, error) {
			return aws.Config{}, fmt.Errorf("AWS is not reached while peeking at a config")
		},
	})
	if err != nil {
		return nil, err
	}
	r.funcs = funcs.stubbed()

	cfg, source, err := r.readConfig(abs)
	if err != nil {
		return nil, err
	}
	if err := cfg.fold(); err != nil {
		return nil, err
	}
	if err := cfg.nameFromDefinition(r); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Project{Config: cfg, renderer: r, source: source}, nil
}

// stubbed is f with every function returning an empty string, under the
// same names, and nothing to prefetch.
func (f Functions) stubbed() Functions {
	out := Functions{Template: template.FuncMap{}}
	for name := range f.Template {
		out.Template[name] = func(...any) string { return "" }
	}
	for _, n := range f.Native {
		out.Native = append(out.Native, &jsonnet.NativeFunction{
			Name:   n.Name,
			Params: n.Params,
			Func:   func([]any) (any, error) { return "", nil },
		})
	}
	return out
}
