package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/awsclient"
	"github.com/tamp-ecs/tamp/internal/clients"
	"github.com/tamp-ecs/tamp/internal/envfile"
	"github.com/tamp-ecs/tamp/internal/mask"
	"github.com/tamp-ecs/tamp/internal/term"
)

// Globals are the options every command takes.
type Globals struct {
	Config        string            `short:"c" env:"TAMP_CONFIG" default:"tamp.yaml" placeholder:"FILE" predictor:"config" help:"Config file (YAML, JSON or Jsonnet)."`
	Envfile       []string          `env:"TAMP_ENVFILE" placeholder:"FILE" predictor:"file" help:"KEY=VALUE file read into the environment before the config (repeatable; a file overrides the environment, a later file an earlier one)."`
	ExtStr        map[string]string `mapsep:"none" placeholder:"KEY=VALUE" help:"Jsonnet external string variable (repeatable)."`
	ExtCode       map[string]string `mapsep:"none" placeholder:"KEY=CODE" help:"Jsonnet external code variable (repeatable)."`
	Region        string            `env:"TAMP_REGION" help:"AWS region; overrides the config's region."`
	AssumeRoleArn string            `env:"TAMP_ASSUME_ROLE_ARN" placeholder:"ARN" help:"IAM role to assume for every AWS call."`
	Timeout       time.Duration     `env:"TAMP_TIMEOUT" help:"Bound on any wait; overrides the config's timeout (default 10m)."`
	Output        string            `env:"TAMP_OUTPUT" enum:"text,json" default:"text" help:"Output format: text or json (one JSON document on stdout)."`
	Color         string            `env:"TAMP_COLOR" enum:"auto,always,never" default:"auto" help:"Colour: auto (terminal and NO_COLOR unset), always, never."`
	ShowSecrets   bool              `help:"Print values from SecureString parameters and secrets instead of (sensitive)."`
	Debug         bool              `env:"TAMP_DEBUG" help:"Trace every AWS API call on stderr."`
	Only          []string          `placeholder:"NAME" predictor:"names" help:"Act only on these services, task definitions and scheduled tasks (comma-separated config names)."`
}

// CLI is every command.
type CLI struct {
	Globals

	Version  VersionCmd  `cmd:"" help:"Print version, commit and Go version."`
	Init     InitCmd     `cmd:"" help:"Write a config and definition files from services and schedules that run in AWS."`
	Render   RenderCmd   `cmd:"" help:"Print the fully rendered, normalized config or definitions."`
	Register RegisterCmd `cmd:"" help:"Register task definitions (idempotent)."`
	Diff     DiffCmd     `cmd:"" help:"Show what deploy would change: local definitions against AWS."`
	Deploy   DeployCmd   `cmd:"" help:"Register task definitions, create or update services, and wait for the deployments."`
	Rollback RollbackCmd `cmd:"" help:"Return services to the previous (or a named) revision and wait."`
	Wait     WaitCmd     `cmd:"" help:"Wait for the services' current deployments."`
	Status   StatusCmd   `cmd:"" help:"Show the services' deployments, counts and recent events."`
	Scale    ScaleCmd    `cmd:"" help:"Change the services' desired count and wait."`
	AppSpec  AppSpecCmd  `cmd:"" name:"appspec" help:"Print the CodeDeploy AppSpec for a CODE_DEPLOY service."`
	Verify   VerifyCmd   `cmd:"" help:"Check the config and definitions offline, then against AWS (roles, images, log groups, secrets, target groups, network)."`
	Run      RunCmd      `cmd:"" help:"Run a one-off task (a migration, say), follow its log, and exit with its container's exit code."`

	Revisions  RevisionsCmd  `cmd:"" help:"List the ACTIVE task definition revisions in scope, marking those in use."`
	Deregister DeregisterCmd `cmd:"" help:"Deregister old task definition revisions (all but the newest N and those in use)."`
	Delete     DeleteCmd     `cmd:"" help:"Delete the services in scope: scale to 0, delete, wait until INACTIVE (asks to type each name unless --force)."`
	Tasks      TasksCmd      `cmd:"" help:"Show the services' running and recently stopped tasks (revision, health, exit codes); --stop stops some."`
	Logs       LogsCmd       `cmd:"" help:"Print the CloudWatch Logs lines of the services' (or a task's) containers, in time order; --follow keeps on."`
	Exec       ExecCmd       `cmd:"" help:"Open an ECS Exec session (a shell) in a service's running task through session-manager-plugin."`

	Scheduled ScheduledCmd `cmd:"" help:"Scheduled tasks on EventBridge Scheduler or EventBridge rules: diff, sync, list, run, dump, delete, logs."`

	Schema     SchemaCmd     `cmd:"" help:"Print the JSON Schema (draft 2020-12) of the config file or of the scheduled task list, for editors."`
	Completion CompletionCmd `cmd:"" help:"Print the shell completion script for bash, zsh or fish (commands, flags, values and the config's names)."`
	Complete   CompleteCmd   `cmd:"" name:"__complete" hidden:"" help:"Answer the completion scripts."`
}

// errHelp reports that --help was printed; not an error for the user.
var errHelp = errors.New("help printed")

// parse reads the command line without running anything.
func parse(args []string, stdout, stderr io.Writer) (*CLI, *kong.Context, error) {
	var cli CLI
	helped := false
	parser, err := kong.New(&cli,
		kong.Name("tamp"),
		kong.Description("Deploy Amazon ECS services and scheduled ECS tasks from one config."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(int) { helped = true }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"concurrency": strconv.Itoa(awsclient.Concurrency)},
	)
	if err != nil {
		return nil, nil, err
	}
	kctx, err := parser.Parse(args)
	if helped {
		return nil, nil, errHelp
	}
	if err != nil {
		return nil, nil, usageError{err}
	}
	return &cli, kctx, nil
}

// app is what commands share: the global options, the masked output
// streams, the AWS clients, and what is loaded once per run.
type app struct {
	*Globals
	stdout, stderr io.Writer
	masker         *mask.Masker
	color          bool // stderr
	colorOut       bool // stdout
	stderrTTY      bool // progress may redraw a live line
	clients        Clients
	trace          io.Writer // --debug: stderr; nil without

	// project and scope are loaded once per run: deploy --verify, deploy's
	// repoint and rollback's steps share renders and fetched values.
	project *config.Project
	scope   *config.Scope
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, stdout, stderr, func(g *Globals, trace io.Writer) Clients {
		return clients.NewSDK(g.AssumeRoleArn, trace)
	})
}

// runWith runs a command line with the AWS clients newClients makes (given
// the --debug trace writer, nil without --debug) and returns the exit code.
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, newClients func(*Globals, io.Writer) Clients) int {
	cli, kctx, err := parse(args, stdout, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		return report(stderr, err, nil)
	}
	masker := mask.New(cli.ShowSecrets)
	maskedOut, maskedErr := masker.Writer(stdout), masker.Writer(stderr)
	defer maskedOut.Flush()
	defer maskedErr.Flush()
	a := &app{
		Globals:   &cli.Globals,
		stdout:    maskedOut,
		stderr:    maskedErr,
		masker:    masker,
		color:     term.UseColor(cli.Color, stderr),
		colorOut:  term.UseColor(cli.Color, stdout),
		stderrTTY: term.IsTerminal(stderr),
	}
	var trace io.Writer
	if cli.Debug {
		trace = a.stderr
	}
	a.clients, a.trace = newClients(&cli.Globals, trace), trace
	if err := envfile.Load(cli.Envfile...); err != nil {
		return report(a.stderr, err, masker)
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	err = kctx.Run(a)
	return report(a.stderr, err, masker)
}

// report prints err, if any, and returns the exit code for it. Each
// problem gets its own "error:" line; lines that belong to it (a source
// excerpt) are indented below it. Secrets are masked before the lines are
// split and indented, which would cut a secret holding a newline apart.
func report(stderr io.Writer, err error, masker *mask.Masker) int {
	if err == nil {
		return 0
	}
	code := exitCode(err)
	if code == exitDiffers {
		return code // the diff itself said it
	}
	var b strings.Builder
	if code == exitInterrupted && errors.Is(err, context.Canceled) && err.Error() == context.Canceled.Error() {
		b.WriteString("error: interrupted\n")
	} else {
		for _, problem := range problems(err) {
			text := problem.Error()
			if masker != nil {
				text = masker.Mask(text)
			}
			first, rest, _ := strings.Cut(strings.TrimRight(text, "\n"), "\n")
			fmt.Fprintf(&b, "error: %s\n", first)
			for _, l := range strings.Split(rest, "\n") {
				if strings.TrimSpace(l) != "" {
					fmt.Fprintf(&b, "  %s\n", l)
				}
			}
		}
	}
	if errors.As(err, new(*config.InputError)) {
		b.WriteString("nothing was changed in AWS\n")
	}
	io.WriteString(stderr, b.String())
	return code
}

// problems splits joined errors into the separate problems they hold,
// looking through wrappers that add no words of their own.
func problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, problems(e)...)
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil && inner.Error() == err.Error() {
		return problems(inner)
	}
	return []error{err}
}
