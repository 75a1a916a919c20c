package main

import (
	"context"
	"io"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/completion"
	"github.com/tamp-ecs/tamp/scheduled"
)

// CompletionCmd prints a shell's completion script.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

func (c *CompletionCmd) Run(a *app) error {
	script, err := completion.Script(c.Shell, "tamp")
	if err != nil {
		return err
	}
	_, err = io.WriteString(a.stdout, script)
	return err
}

// CompleteCmd answers the completion scripts: the candidates for the
// last of the words typed after `tamp`. The config's names are read as
// config.Peek reads them: offline, no AWS call, nothing but the files.
type CompleteCmd struct {
	Words []string `arg:"" optional:"" passthrough:""`
}

func (c *CompleteCmd) Run(ctx context.Context, kctx *kong.Context, a *app) error {
	comp := &completion.Completer{App: kctx.Model, Predictors: map[string]completion.Predictor{
		"config":   completion.Files(".yaml", ".yml", ".json", ".jsonnet"),
		"file":     completion.Files(),
		"names":    completion.CommaList(configNames(ctx, a, true, true, true)),
		"services": configNames(ctx, a, true, false, false),
		"taskdefs": configNames(ctx, a, true, true, false),
		"tasks":    configNames(ctx, a, false, false, true),
	}}
	words := c.Words
	if len(words) > 0 && words[0] == "--" { // the scripts' separator, kept by passthrough
		words = words[1:]
	}
	var b strings.Builder
	for _, cand := range comp.Complete(words) {
		b.WriteString(cand.Value)
		if d := firstSentence(cand.Description); d != "" {
			b.WriteString("\t" + d)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(a.stdout, b.String())
	return err
}

// configNames predicts the names of the config the line names (--config,
// else TAMP_CONFIG, else tamp.yaml): its services, task definitions
// and scheduled tasks as asked. A config that cannot be read offline
// offers nothing.
func configNames(ctx context.Context, a *app, services, taskDefs, tasks bool) completion.Predictor {
	return func(line completion.Line, _ string) []completion.Candidate {
		path := line.Flag("config")
		if path == "" {
			path = a.Config
		}
		p, err := config.Peek(ctx, path, config.Options{ExtStr: keyValues(line.Flags("ext-str")), ExtCode: keyValues(line.Flags("ext-code"))})
		if err != nil {
			return nil
		}
		var out []completion.Candidate
		if services {
			for _, s := range p.Services {
				out = append(out, completion.Candidate{Value: s.Name, Description: "service"})
			}
		}
		if taskDefs {
			for _, td := range p.TaskDefinitions {
				out = append(out, completion.Candidate{Value: td.Name, Description: "task definition"})
			}
		}
		if tasks && p.Scheduled != nil {
			names, _ := scheduled.TaskNames(p, p.Scheduled)
			for _, n := range names {
				out = append(out, completion.Candidate{Value: n, Description: "scheduled task"})
			}
		}
		return out
	}
}

// keyValues reads KEY=VALUE flag values.
func keyValues(kvs []string) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// firstSentence is a help text's first sentence, on one line.
func firstSentence(help string) string {
	help = strings.Join(strings.Fields(help), " ")
	if i := strings.Index(help, ". "); i >= 0 {
		help = help[:i]
	}
	return strings.TrimSuffix(help, ".")
}
