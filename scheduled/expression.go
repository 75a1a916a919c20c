package scheduled

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ExpressionKind is the form of a schedule expression.
type ExpressionKind string

const (
	Rate ExpressionKind = "rate"
	Cron ExpressionKind = "cron"
	At   ExpressionKind = "at" // one-time; EventBridge Scheduler only
)

// ParseExpression checks a schedule expression as EventBridge does:
// rate(N unit), cron() with six fields, or at(yyyy-mm-ddThh:mm:ss).
func ParseExpression(expr string) (ExpressionKind, error) {
	kind, body, ok := strings.Cut(strings.TrimSpace(expr), "(")
	if !ok || !strings.HasSuffix(body, ")") {
		return "", fmt.Errorf("%q is not a schedule expression; write rate(5 minutes), cron(0 16 * * ? *) or at(2026-01-01T09:00:00)", expr)
	}
	body = strings.TrimSuffix(body, ")")
	switch ExpressionKind(kind) {
	case Rate:
		return Rate, parseRate(body)
	case Cron:
		return Cron, parseCron(body)
	case At:
		if _, err := time.Parse("2006-01-02T15:04:05", body); err != nil {
			return "", fmt.Errorf("at(%s): write the time as yyyy-mm-ddThh:mm:ss", body)
		}
		return At, nil
	}
	return "", fmt.Errorf("%q: unknown expression %q; use rate(), cron() or at()", expr, kind)
}

func parseRate(body string) error {
	f := strings.Fields(body)
	if len(f) != 2 {
		return fmt.Errorf("rate(%s): write rate(VALUE UNIT), e.g. rate(5 minutes)", body)
	}
	n, err := digits(f[0])
	if err != nil || n < 1 {
		return fmt.Errorf("rate(%s): the value must be a whole number of 1 or more", body)
	}
	unit := strings.TrimSuffix(f[1], "s")
	if unit != "minute" && unit != "hour" && unit != "day" {
		return fmt.Errorf("rate(%s): the unit must be minute(s), hour(s) or day(s)", body)
	}
	if plural := strings.HasSuffix(f[1], "s"); plural != (n > 1) {
		want := unit
		if n > 1 {
			want += "s"
		}
		return fmt.Errorf("rate(%s): with %d write %q", body, n, want)
	}
	return nil
}

// cronField is one of the six fields of an AWS cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // JAN..DEC or SUN..SAT, numbered from min
	special  string   // extra characters allowed: ? L W #
}

var cronFields = []cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

func parseCron(body string) error {
	f := strings.Fields(body)
	if len(f) != 6 {
		return fmt.Errorf("cron(%s): AWS cron expressions have 6 fields (minutes hours day-of-month month day-of-week year), this has %d", body, len(f))
	}
	for i, field := range cronFields {
		if err := field.check(f[i]); err != nil {
			return fmt.Errorf("cron(%s): %s: %w", body, field.name, err)
		}
	}
	if (f[2] == "?") == (f[4] == "?") {
		return fmt.Errorf("cron(%s): exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 16 * * ? *) or cron(0 16 ? * MON-FRI *)", body)
	}
	return nil
}

func (c cronField) check(expr string) error {
	if expr == "?" {
		if !strings.Contains(c.special, "?") {
			return fmt.Errorf("? is only for day-of-month and day-of-week")
		}
		return nil
	}
	for _, item := range strings.Split(expr, ",") {
		if err := c.item(item); err != nil {
			return err
		}
	}
	return nil
}

func (c cronField) item(item string) error {
	switch {
	case item == "":
		return fmt.Errorf("empty list item")
	case item == "L" && strings.Contains(c.special, "L"):
		return nil
	case c.name == "day-of-month" && (item == "LW" || strings.HasSuffix(item, "W")):
		if item == "LW" {
			return nil
		}
		_, err := c.value(strings.TrimSuffix(item, "W"))
		return err
	case c.name == "day-of-week" && strings.Contains(item, "#"):
		day, nth, _ := strings.Cut(item, "#")
		if _, err := c.value(day); err != nil {
			return err
		}
		if n, err := digits(nth); err != nil || n < 1 || n > 5 {
			return fmt.Errorf("%q: the week after # must be 1 to 5", item)
		}
		return nil
	case c.name == "day-of-week" && strings.HasSuffix(item, "L"):
		_, err := c.value(strings.TrimSuffix(item, "L"))
		return err
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		if n, err := digits(step); err != nil || n < 1 || n > c.max-c.min+1 {
			return fmt.Errorf("%q: the increment after / must be a whole number from 1 to %d", item, c.max-c.min+1)
		}
	}
	if base == "*" {
		return nil
	}
	lo, hi, isRange := strings.Cut(base, "-")
	a, err := c.value(lo)
	if err != nil {
		return err
	}
	if isRange {
		b, err := c.value(hi)
		if err != nil {
			return err
		}
		if b < a && c.names == nil {
			return fmt.Errorf("%q: the range runs backwards", item)
		}
	}
	return nil
}

func (c cronField) value(s string) (int, error) {
	for i, n := range c.names {
		if strings.EqualFold(s, n) {
			return c.min + i, nil
		}
	}
	v, err := digits(s)
	if err != nil || v < c.min || v > c.max {
		allowed := fmt.Sprintf("%d-%d", c.min, c.max)
		if c.names != nil {
			allowed += " or " + c.names[0] + "-" + c.names[len(c.names)-1]
		}
		return 0, fmt.Errorf("%q is not a value here; use %s", s, allowed)
	}
	return v, nil
}

// digits reads a number written with digits only (strconv.Atoi also takes
// "+5", which AWS does not).
func digits(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return strconv.Atoi(s)
}
