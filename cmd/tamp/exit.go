package main

import (
	"context"
	"errors"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitError       = 1
	exitDiffers     = 2
	exitInterrupted = 130
)

// usageError is a command line tamp could not parse.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// invalidInput is a problem found while rendering and validating inputs,
// before any AWS call that changes anything.
type invalidInput struct{ error }

func (e invalidInput) Unwrap() error { return e.error }

// exitCode maps an error to the process exit code. This is the only place
// that decides exit codes.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errDiffers):
		return exitDiffers
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	default:
		return exitError
	}
}
