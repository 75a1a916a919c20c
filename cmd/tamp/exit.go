package main

import (
	"context"
	"errors"

	"github.com/tamp-ecs/tamp/appspec"
	"github.com/tamp-ecs/tamp/ecs"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitError       = 1
	exitDiffers     = 2
	exitFailed      = 3
	exitTimeout     = 4
	exitInterrupted = 130
)

// usageError is a command line tamp could not parse.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// exitCode maps an error to the process exit code. This is the only place
// that decides exit codes. A one-off task's watched container that exited
// non-zero passes its own code on (scheduled run, run); a deploy's
// pre-deploy task does not (3: the deploy failed).
func exitCode(err error) int {
	var containerExit *ecs.ContainerExitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errDiffers):
		return exitDiffers
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, new(*ecs.ProofError)):
		// A canary or pre-deploy task failed: the deploy failed, whatever
		// the task's own exit code.
		return exitFailed
	case errors.As(err, &containerExit):
		return int(containerExit.Code)
	case errors.As(err, new(*ecs.DeploymentFailedError)), errors.As(err, new(*appspec.DeploymentFailedError)):
		return exitFailed
	case errors.As(err, new(*ecs.WaitTimeoutError)):
		return exitTimeout
	default:
		return exitError
	}
}
