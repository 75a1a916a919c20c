package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tamp-ecs/tamp/verify"
)

// VerifyCmd checks the project offline, then against AWS.
type VerifyCmd struct {
	Offline bool `help:"Check the config and definitions only; ask AWS nothing."`
}

// errVerifyNG is verify's answer when a check is NG (exit 1).
var errVerifyNG = errors.New("verify found problems (NG above)")

func (c *VerifyCmd) Run(ctx context.Context, a *app) error {
	rep, err := a.verify(ctx, verifyOptions{offline: c.Offline, scheduled: true, standalone: true})
	if err != nil {
		return err
	}
	if a.Output == "json" {
		err = writeJSON(a, rep)
	} else {
		err = rep.WriteText(a.stdout, a.colorOut)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		return fmt.Errorf("%w: %d NG", errVerifyNG, rep.Summary[verify.NG])
	}
	return nil
}

// verifyOptions say what a verify covers: scheduled tasks and standalone
// task definitions are left out where the command does not touch them
// (deploy --no-scheduled).
type verifyOptions struct {
	offline, scheduled, standalone bool
}

// verify renders and checks everything --only leaves in scope (see
// verify.Load). An interrupted verify is an interrupt, not NG.
func (a *app) verify(ctx context.Context, o verifyOptions) (*verify.Report, error) {
	p, scope, err := a.inScope(ctx)
	if err != nil {
		return nil, err
	}
	in, err := verify.Load(ctx, p, scope, o.scheduled, o.standalone)
	if err != nil {
		return nil, err
	}
	in.Offline = o.offline
	var lookup verify.Lookup
	if !o.offline {
		if in.Region, err = a.clients.Region(ctx, p.Region); err != nil {
			return nil, err
		}
		if lookup, err = a.clients.Verify(ctx, in.Region); err != nil {
			return nil, err
		}
	}
	rep := verify.Run(ctx, in, lookup)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rep, nil
}
