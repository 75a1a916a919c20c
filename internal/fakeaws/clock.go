package fakeaws

import (
	"context"
	"sync/atomic"
	"time"
)

// Clock is virtual time for waits: Sleep moves it on, after a real
// millisecond so that concurrent waiters interleave, and counts the sleeps.
// It has the Now and Sleep methods of ecs.Clock. Make one with NewClock.
type Clock struct {
	now    atomic.Int64 // Unix nanoseconds
	sleeps atomic.Int64
	slept  atomic.Int64 // virtual nanoseconds
}

// NewClock is a clock at 2026-01-01T00:00:00Z.
func NewClock() *Clock {
	c := &Clock{}
	c.now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

// Now is the virtual time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.now.Load()).UTC() }

// Sleep moves the clock on by d, or fails with ctx's error when ctx ends
// first (then the clock does not move and the sleep is not counted).
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Millisecond):
	}
	c.sleeps.Add(1)
	c.slept.Add(int64(d))
	c.now.Add(int64(d))
	return nil
}

// Advance moves the clock on by d without a sleep.
func (c *Clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

// Sleeps is how many sleeps ended.
func (c *Clock) Sleeps() int { return int(c.sleeps.Load()) }

// Slept is the virtual time all sleeps added up to.
func (c *Clock) Slept() time.Duration { return time.Duration(c.slept.Load()) }
