package scheduled

import (
	"testing"
	"time"
)

func TestNextRun(t *testing.T) {
	from := time.Date(2026, 11, 22, 5, 30, 0, 0, time.UTC) // a Sunday
	tests := []struct {
		expr, tz string
		want     string // RFC 3339 in the zone; "" for none
	}{
		{"cron(0 16 * * ? *)", "", "2026-11-22T16:00:00Z"},
		{"cron(0 16 * * ? *)", "Asia/Tokyo", "2026-11-22T16:00:00+09:00"}, // 14:30 in Tokyo
		{"cron(*/15 * * * ? *)", "", "2026-11-22T05:45:00Z"},
		{"cron(0 9 ? * MON-FRI *)", "", "2026-11-23T09:00:00Z"},
		{"cron(0 9 ? * FRI-MON *)", "", "2026-11-22T09:00:00Z"},
		{"cron(0 0 L * ? *)", "", "2026-11-30T00:00:00Z"},
		{"cron(0 10 ? * 2#1 *)", "", "2026-12-07T10:00:00Z"}, // first Monday of December
		{"cron(0 10 ? * 6L *)", "", "2026-11-27T10:00:00Z"},  // last Friday of November
		{"cron(30 2 1 JAN ? 2027)", "", "2027-01-01T02:30:00Z"},
		{"at(2026-12-24T18:00:00)", "Asia/Tokyo", "2026-12-24T18:00:00+09:00"},
		{"at(2026-01-01T00:00:00)", "", ""},
		{"rate(5 minutes)", "", ""},
		{"cron(0 8 15W * ? *)", "", ""},
		{"cron(0 0 1 1 ? 2020)", "", ""},
	}
	for _, tt := range tests {
		got, ok := NextRun(tt.expr, tt.tz, from)
		s := ""
		if ok {
			s = got.Format(time.RFC3339)
		}
		if s != tt.want {
			t.Errorf("NextRun(%s, %q) = %q, want %q", tt.expr, tt.tz, s, tt.want)
		}
	}
}

func TestTaskNextRunHonoursStartAndEnd(t *testing.T) {
	now := time.Date(2026, 11, 22, 5, 30, 0, 0, time.UTC)
	daily := func(start, end string) *Task {
		return &Task{Schedule: "cron(0 16 * * ? *)", StartDate: start, EndDate: end}
	}
	for _, tc := range []struct {
		task *Task
		want string
	}{
		{daily("", ""), "2026-11-22T16:00:00Z"},
		{daily("2026-12-01T00:00:00Z", ""), "2026-12-01T16:00:00Z"}, // not before the start
		{daily("2026-12-01T16:00:00Z", ""), "2026-12-01T16:00:00Z"}, // at the start itself
		{daily("2026-11-01T00:00:00Z", "2026-11-30T00:00:00Z"), "2026-11-22T16:00:00Z"},
		{daily("", "2026-11-22T12:00:00Z"), ""}, // ends before the next run
		{&Task{Schedule: "at(2027-01-05T00:00:00)", EndDate: "2027-01-01T00:00:00Z"}, ""},
	} {
		got, ok := tc.task.NextRun(now)
		s := ""
		if ok {
			s = got.Format(time.RFC3339)
		}
		if s != tc.want {
			t.Errorf("%+v: next run %q, want %q", tc.task, s, tc.want)
		}
	}
}
