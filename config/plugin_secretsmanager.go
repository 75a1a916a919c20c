package config

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"
)

// SecretsManagerAPI is the part of Secrets Manager the functions use.
type SecretsManagerAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
}

var _ SecretsManagerAPI = (*secretsmanager.Client)(nil)

// secretsManagerPlugin offers `secretsmanager_arn NAME`: the secret's full
// ARN, random suffix included, which task definitions' `secrets` need. The
// ARN is not secret; the secret's value is never read.
func secretsManagerPlugin(ctx context.Context, setup PluginSetup) (Functions, error) {
	region, err := regionOnly("secretsmanager", setup.Config)
	if err != nil {
		return Functions{}, err
	}
	var (
		mu     sync.Mutex
		api    SecretsManagerAPI
		cached = map[string]secretARN{}
		idle   = &collectOnly{}
	)
	lookup := func(name string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if idle.on() {
			return "", nil
		}
		if r, ok := cached[name]; ok {
			return r.arn, r.err
		}
		if api == nil {
			api = setup.SecretsManager
			if api == nil {
				cfg, err := setup.AWS(ctx, region)
				if err != nil {
					return "", err
				}
				api = secretsmanager.NewFromConfig(cfg)
			}
		}
		out, err := api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		r := secretARN{err: secretProblem(name, err)}
		if err == nil {
			r.arn = aws.ToString(out.ARN)
		}
		cached[name] = r
		return r.arn, r.err
	}
	p := setup.Prefix
	return Functions{
		Template: template.FuncMap{p + "secretsmanager_arn": lookup},
		Native: []*jsonnet.NativeFunction{{
			Name:   p + "secretsmanager_arn",
			Params: ast.Identifiers{"name"},
			Func: func(args []any) (any, error) {
				name, ok := args[0].(string)
				if !ok {
					return nil, fmt.Errorf("secretsmanager_arn: the name must be a string, got %v", args[0])
				}
				return lookup(name)
			},
		}},
		Prefetch: []Prefetcher{idle},
	}, nil
}

// collectOnly is the Prefetcher of a store with no batch API: while the
// project is being collected it answers placeholders, so that files outside
// the command's scope cost no calls; values are fetched on first real use.
type collectOnly struct {
	mu         sync.Mutex
	collecting bool
}

func (c *collectOnly) Collect(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.collecting = on
}

func (c *collectOnly) Fetch(context.Context) {}

func (c *collectOnly) on() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.collecting
}

type secretARN struct {
	arn string
	err error
}

func secretProblem(name string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if ae.ErrorCode() == "ResourceNotFoundException" {
			return fmt.Errorf("secret %s not found; check its name and region", name)
		}
		return fmt.Errorf("secretsmanager:DescribeSecret %s: %s: %s", name, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Errorf("secretsmanager:DescribeSecret %s: %w", name, err)
}
