package scheduled

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tamp-ecs/tamp/internal/awsclient"
)

// Every item's error is reported, not only the first, and one failing
// item does not stop the others.
func TestForEachJoinsEveryError(t *testing.T) {
	var ran atomic.Int32
	err := forEach(context.Background(), []string{"a", "b", "c", "d"}, 2, func(item string) error {
		ran.Add(1)
		if item == "b" || item == "d" {
			return fmt.Errorf("put %s: denied", item)
		}
		return nil
	})
	if ran.Load() != 4 {
		t.Errorf("%d of 4 items ran", ran.Load())
	}
	if err == nil || !strings.Contains(err.Error(), "put b: denied") || !strings.Contains(err.Error(), "put d: denied") {
		t.Errorf("error %v, want both failures", err)
	}
	if err := forEach(context.Background(), nil, 2, func(string) error { return errors.New("never") }); err != nil {
		t.Errorf("no items: %v", err)
	}
}

// At most limit items run at once, and a limit of 0 is the shared default.
func TestForEachBoundsConcurrency(t *testing.T) {
	for _, tt := range []struct{ limit, want int }{{3, 3}, {0, awsclient.Concurrency}} {
		items := make([]string, 40)
		for i := range items {
			items[i] = fmt.Sprint(i)
		}
		var mu sync.Mutex
		inFlight, peak := 0, 0
		full := make(chan struct{}) // closed once want items run together
		err := forEach(context.Background(), items, tt.limit, func(string) error {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			if inFlight == tt.want {
				select {
				case <-full:
				default:
					close(full)
				}
			}
			mu.Unlock()
			<-full // hold every slot until the limit was reached once
			mu.Lock()
			inFlight--
			mu.Unlock()
			return nil
		})
		if err != nil || peak != tt.want {
			t.Errorf("limit %d: peak %d in flight, want %d (err %v)", tt.limit, peak, tt.want, err)
		}
	}
}

// Once the context is done no further item starts, and every item that
// did not start says why.
func TestForEachStopsStartingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran []string
	err := forEach(ctx, []string{"a", "b", "c"}, 1, func(item string) error {
		ran = append(ran, item) // limit 1: never two at once
		cancel()
		return nil
	})
	if !slices.Equal(ran, []string{"a"}) {
		t.Errorf("ran %v after the context was cancelled", ran)
	}
	if !errors.Is(err, context.Canceled) || strings.Count(err.Error(), context.Canceled.Error()) != 2 {
		t.Errorf("error %v, want context canceled for b and c", err)
	}
}
