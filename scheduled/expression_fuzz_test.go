package scheduled

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tamp-ecs/tamp/internal/fixtures"
)

var expressionText = regexp.MustCompile(`(?:rate|cron|at)\([^)\n]*\)`)

// expressionFixtures are the schedule expressions written in the tree's
// fixtures and tests.
func expressionFixtures(f *testing.F) []string {
	seen := map[string]bool{}
	var out []string
	fixtures.Each(f, func(_ string, data []byte) {
		for _, m := range expressionText.FindAllString(string(data), -1) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}, "../testdata", "../examples", ".")
	return out
}

// FuzzParseExpression: the validator never panics, and what it accepts
// has the kind its text says.
func FuzzParseExpression(f *testing.F) {
	for _, expr := range expressionFixtures(f) {
		f.Add(expr)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		kind, err := ParseExpression(expr)
		if err != nil {
			return
		}
		if !strings.HasPrefix(strings.TrimSpace(expr), string(kind)+"(") {
			t.Fatalf("%q accepted as %s", expr, kind)
		}
	})
}

// FuzzNextRun: the next run never panics, and when there is one it is
// after the time asked about, of an expression the validator accepts.
func FuzzNextRun(f *testing.F) {
	from := time.Date(2026, 3, 31, 23, 59, 30, 0, time.UTC).Unix()
	for i, expr := range expressionFixtures(f) {
		f.Add(expr, []string{"", "Asia/Tokyo", "America/New_York", "UTC"}[i%4], from)
	}
	f.Fuzz(func(t *testing.T, expr, tz string, unix int64) {
		// Years tamp will see; Go's calendar is proleptic either way.
		now := time.Unix(unix%(300*365*86400), 0).UTC()
		next, ok := NextRun(expr, tz, now)
		if !ok {
			return
		}
		if _, err := ParseExpression(expr); err != nil {
			t.Fatalf("%q: a next run (%v) of an expression the validator refuses: %v", expr, next, err)
		}
		if !next.After(now) {
			t.Fatalf("%q in %q: next run %v is not after %v", expr, tz, next, now)
		}
	})
}
