package scheduled

import (
	"context"
	"encoding/json"
	"errors"

	"golang.org/x/sync/errgroup"

	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// mustJSON encodes a value decoded from YAML or JSON, which always encodes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("scheduled: " + err.Error())
	}
	return b
}

// limitOr is the requests at once a caller asked for, or the shared
// default.
func limitOr(n int) int {
	if n > 0 {
		return n
	}
	return awsclient.Concurrency
}

// forEach runs fn for every item, at most limit at once (the default when
// limit is 0), and joins every error: one item failing neither cancels
// the others nor hides their errors, so a sync reports all it could not
// do. Once ctx is done no further item starts; each that did not start
// reports ctx's error.
func forEach(ctx context.Context, items []string, limit int, fn func(string) error) error {
	errs := make([]error, len(items))
	var g errgroup.Group
	g.SetLimit(limitOr(limit))
	for i, item := range items {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		g.Go(func() error {
			// Go waits for a free slot; ctx may have ended meanwhile.
			if err := ctx.Err(); err != nil {
				errs[i] = err
			} else {
				errs[i] = fn(item)
			}
			return nil // errs holds every error; the group's first would hide the rest
		})
	}
	_ = g.Wait() // every function returns nil
	return errors.Join(errs...)
}
