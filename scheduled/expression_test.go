package scheduled

import (
	"strings"
	"testing"
)

func TestParseExpression(t *testing.T) {
	valid := map[string]ExpressionKind{
		"rate(1 minute)": Rate, "rate(5 minutes)": Rate, "rate(1 hour)": Rate, "rate(12 hours)": Rate, "rate(7 days)": Rate,
		"cron(0 16 * * ? *)": Cron, "cron(0/15 9-17 ? * MON-FRI *)": Cron, "cron(0 0 L * ? *)": Cron,
		"cron(30 2 1,15 JAN,JUL ? 2026-2030)": Cron, "cron(0 9 ? * 2#1 *)": Cron, "cron(0 9 ? * 6L *)": Cron,
		"cron(0 8 15W * ? *)": Cron, "cron(*/5 * * * ? *)": Cron, "cron(0 12 ? * sun *)": Cron,
		"at(2026-12-24T18:00:00)": At,
	}
	for expr, want := range valid {
		if got, err := ParseExpression(expr); err != nil || got != want {
			t.Errorf("ParseExpression(%q) = %q, %v; want %q", expr, got, err, want)
		}
	}
	invalid := map[string]string{
		"cron(0 16 * * *)":      "AWS cron expressions have 6 fields",
		"cron(0 16 * * * *)":    "exactly one of day-of-month and day-of-week must be ?",
		"cron(0 16 ? * ? *)":    "exactly one of day-of-month and day-of-week must be ?",
		"cron(60 16 * * ? *)":   `minutes: "60" is not a value here; use 0-59`,
		"cron(0 24 * * ? *)":    `hours: "24" is not a value here`,
		"cron(0 0 * FOO ? *)":   `month: "FOO" is not a value here; use 1-12 or JAN-DEC`,
		"cron(0 0 ? * MON#6 *)": "the week after # must be 1 to 5",
		"cron(0 0 * * ? 1969)":  `year: "1969" is not a value here`,
		"cron(0/0 0 * * ? *)":   "the increment after / must be a whole number from 1 to 60",
		"cron(? 0 * * ? *)":     "? is only for day-of-month and day-of-week",
		"cron(30-10 0 * * ? *)": "the range runs backwards",
		"rate(1 minutes)":       `with 1 write "minute"`,
		"rate(5 minute)":        `with 5 write "minutes"`,
		"rate(0 hours)":         "the value must be a whole number of 1 or more",
		"rate(5 weeks)":         "the unit must be minute(s), hour(s) or day(s)",
		"at(2026-12-24 18:00)":  "write the time as yyyy-mm-ddThh:mm:ss",
		"every 5 minutes":       "is not a schedule expression",
		"daily(1)":              `unknown expression "daily"`,
	}
	for expr, want := range invalid {
		if _, err := ParseExpression(expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseExpression(%q) = %v; want an error containing %q", expr, err, want)
		}
	}
}
