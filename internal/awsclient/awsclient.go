// Package awsclient builds the AWS SDK configuration every command shares:
// region, optional assumed role, adaptive retries for throttling and 5xx,
// and the --debug trace of API calls.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Options select how to reach AWS.
type Options struct {
	Region        string    // "" → SDK resolution (AWS_REGION, profile)
	AssumeRoleArn string    // "" → the ambient credentials
	Trace         io.Writer // non-nil → one line per API call
}

// maxAttempts bounds retries of throttled and 5xx calls; the adaptive mode
// also slows the client down while AWS is throttling.
const maxAttempts = 10

// Load returns the SDK configuration.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = maxAttempts
				})
			})
		}),
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set region in the config, pass --region, or export AWS_REGION")
	}
	if opts.Trace != nil {
		cfg.APIOptions = append(cfg.APIOptions, traceCalls(opts.Trace))
	}
	if opts.AssumeRoleArn != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), opts.AssumeRoleArn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = fmt.Sprintf("tamp-%d", time.Now().Unix())
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg, nil
}

// traceCalls writes `aws ECS.RegisterTaskDefinition ok 12ms` for every
// operation, after its retries, with the error code when it failed.
func traceCalls(w io.Writer) func(*middleware.Stack) error {
	var mu sync.Mutex
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("tamp/trace",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleInitialize(ctx, in)
				line := TraceLine(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), err, time.Since(start))
				mu.Lock()
				io.WriteString(w, line)
				mu.Unlock()
				return out, md, err
			}), middleware.After) // after the SDK records which service and operation this is
	}
}

// TraceLine is one --debug line: `aws ECS.RegisterTaskDefinition ok 12ms`,
// with the error code when the call failed. tamp's own signed calls
// (internal/awscall) trace the same way.
func TraceLine(service, operation string, err error, took time.Duration) string {
	status := "ok"
	if err != nil {
		status = "error"
		var ae smithy.APIError
		if errors.As(err, &ae) {
			status = "error " + ae.ErrorCode()
		}
	}
	return fmt.Sprintf("aws %s.%s %s %s\n", service, operation, status, took.Round(time.Millisecond))
}

// Sleep waits for d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
