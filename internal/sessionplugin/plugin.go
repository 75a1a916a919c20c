// Package sessionplugin runs AWS's session-manager-plugin, which carries
// an ECS Exec (or Session Manager) session between the terminal and the
// container, the way the AWS CLI runs it: found on PATH, given the
// terminal, and left to handle the keys that would otherwise stop tamp
// (Ctrl-C goes to the remote shell). It also works out the ECS endpoint
// the plugin is told about.
package sessionplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Name is the plugin's executable.
const Name = "session-manager-plugin"

// InstallURL is where AWS says how to install it.
const InstallURL = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"

// ErrMissing is a plugin that is not on PATH.
var ErrMissing = fmt.Errorf("%s is not installed (not found on PATH); ECS Exec needs it: install it as %s says", Name, InstallURL)

// Plugin is the session-manager-plugin on PATH, run with the process's
// terminal (or the streams given).
type Plugin struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Check finds the plugin.
func (p *Plugin) Check() error {
	if _, err := exec.LookPath(Name); err != nil {
		return ErrMissing
	}
	return nil
}

// Run runs the plugin with args until it ends. Ctrl-C, Ctrl-\ and Ctrl-Z
// belong to the session while it runs: tamp neither stops on them nor
// stops the plugin. An exit code other than 0 is an error.
func (p *Plugin) Run(ctx context.Context, args []string) error {
	path, err := exec.LookPath(Name)
	if err != nil {
		return ErrMissing
	}
	cmd := exec.Command(path, args...) // not cut short by ctx: the session's keys are its own
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Stdin, p.Stdout, p.Stderr
	if len(sessionSignals) > 0 { // with none, Ignore and Reset would take every signal
		signal.Ignore(sessionSignals...)
		defer signal.Reset(sessionSignals...)
	}
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s exited with code %d", Name, exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("run %s: %w", Name, err)
	}
	return nil
}

// ECSEndpoint is the ECS endpoint for cfg, as the SDK's ECS client
// resolves it: AWS_ENDPOINT_URL_ECS, else the configuration's base
// endpoint (AWS_ENDPOINT_URL), else the region's own.
func ECSEndpoint(ctx context.Context, cfg aws.Config) (string, error) {
	if url := os.Getenv("AWS_ENDPOINT_URL_ECS"); url != "" {
		return url, nil
	}
	if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
		return *cfg.BaseEndpoint, nil
	}
	ep, err := awsecs.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, awsecs.EndpointParameters{Region: aws.String(cfg.Region)})
	if err != nil {
		return "", fmt.Errorf("the ECS endpoint of region %s: %w", cfg.Region, err)
	}
	return ep.URI.String(), nil
}
