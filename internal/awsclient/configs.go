package awsclient

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Configs hands out SDK configurations, one per region ("" for the SDK's
// default) loaded once, so every client of a run shares credentials (and
// one assumed-role session); and clients made from them, one of each kind
// per region.
type Configs struct {
	Options Options // Region is set per configuration

	mu   sync.Mutex
	cfgs map[string]aws.Config
	made map[string]any
}

// For is the configuration for region.
func (c *Configs) For(ctx context.Context, region string) (aws.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cfg, ok := c.cfgs[region]; ok {
		return cfg, nil
	}
	opts := c.Options
	opts.Region = region
	cfg, err := Load(ctx, opts)
	if err != nil {
		return cfg, err
	}
	if c.cfgs == nil {
		c.cfgs = map[string]aws.Config{}
	}
	c.cfgs[region] = cfg
	return cfg, nil
}

// Client is the kind's client for region, made by mk the first time.
func Client[T any](ctx context.Context, c *Configs, kind, region string, mk func(aws.Config) T) (T, error) {
	cfg, err := c.For(ctx, region)
	if err != nil {
		var zero T
		return zero, err
	}
	key := kind + "/" + cfg.Region
	c.mu.Lock()
	defer c.mu.Unlock()
	if made, ok := c.made[key]; ok {
		return made.(T), nil
	}
	if c.made == nil {
		c.made = map[string]any{}
	}
	made := mk(cfg)
	c.made[key] = made
	return made, nil
}
