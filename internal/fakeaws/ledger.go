package fakeaws

import (
	"context"
	"maps"
	"sync"
)

// callLedger counts the calls each operation of a fake received and holds
// the failures a test injected. The package's fakes embed it; it has its
// own lock, never held while the fake's state is.
type callLedger struct {
	mu    sync.Mutex
	calls map[string]int
	fails map[string]*injectedFailure
}

type injectedFailure struct {
	after int // successful calls left before err
	err   error
}

// Calls is how many calls of op (an API operation name, "PutTargets") the
// fake received, failed ones included. A call made with a context already
// done is not counted: the SDK would not have sent it.
func (l *callLedger) Calls(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[op]
}

// CallCounts is every operation called so far and how many times.
func (l *callLedger) CallCounts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.calls)
}

// TotalCalls is the number of calls of every operation together.
func (l *callLedger) TotalCalls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls {
		n += c
	}
	return n
}

// ResetCalls forgets the counts, as after seeding through the API.
func (l *callLedger) ResetCalls() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = nil
}

// Fail makes every later call of op return err without touching the
// fake's state; a nil err clears the failure.
func (l *callLedger) Fail(op string, err error) {
	l.FailAfter(op, 0, err)
}

// FailAfter lets the next n calls of op succeed and makes every one after
// them return err, so a test can break a sync at its n+1-th write.
func (l *callLedger) FailAfter(op string, n int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		delete(l.fails, op)
		return
	}
	if l.fails == nil {
		l.fails = map[string]*injectedFailure{}
	}
	l.fails[op] = &injectedFailure{after: n, err: err}
}

// enter counts a call of op and returns the error it is to fail with:
// the context's, or an injected one.
func (l *callLedger) enter(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls == nil {
		l.calls = map[string]int{}
	}
	l.calls[op]++
	f, ok := l.fails[op]
	if !ok {
		return nil
	}
	if f.after > 0 {
		f.after--
		return nil
	}
	return f.err
}
