package scheduled

import (
	"strconv"
	"strings"
	"time"
)

// NextRun is when the task next runs after now: its expression's next
// time, no earlier than its start date and not past its end date.
func (t *Task) NextRun(now time.Time) (time.Time, bool) {
	from := now
	if start, err := time.Parse(time.RFC3339, t.StartDate); err == nil && start.After(from) {
		from = start.Add(-time.Nanosecond) // a run at the start date itself counts
	}
	next, ok := NextRun(t.Schedule, t.Timezone, from)
	if end, err := time.Parse(time.RFC3339, t.EndDate); ok && err == nil && next.After(end) {
		return time.Time{}, false
	}
	return next, ok
}

// NextRun is the next time after from that a cron() or at() expression
// fires in the time zone tz ("" for UTC). It answers false for rate()
// (which counts from when the schedule was made), for a nearest-weekday
// day-of-month (W), and when nothing fires within a year.
func NextRun(expr, tz string, from time.Time) (time.Time, bool) {
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return time.Time{}, false
		}
		loc = l
	}
	kind, err := ParseExpression(expr)
	if err != nil {
		return time.Time{}, false
	}
	body := strings.TrimSuffix(strings.SplitN(strings.TrimSpace(expr), "(", 2)[1], ")")
	switch kind {
	case At:
		at, err := time.ParseInLocation("2006-01-02T15:04:05", body, loc)
		return at, err == nil && at.After(from)
	case Cron:
		m, ok := compileCron(strings.Fields(body))
		if !ok {
			return time.Time{}, false
		}
		t := from.In(loc).Truncate(time.Minute).Add(time.Minute)
		for end := t.AddDate(1, 0, 1); t.Before(end); t = t.Add(time.Minute) {
			if m.matches(t) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// cronMatcher is a compiled 6-field AWS cron expression.
type cronMatcher struct {
	minute, hour, month, year map[int]bool
	dom                       func(time.Time) bool
	dow                       func(time.Time) bool
}

func (m cronMatcher) matches(t time.Time) bool {
	return m.minute[t.Minute()] && m.hour[t.Hour()] && m.month[int(t.Month())] && m.year[t.Year()] && m.dom(t) && m.dow(t)
}

func compileCron(f []string) (cronMatcher, bool) {
	var m cronMatcher
	var ok bool
	sets := []*map[int]bool{&m.minute, &m.hour, nil, &m.month, nil, &m.year}
	for i, set := range sets {
		if set == nil {
			continue
		}
		if *set, ok = cronFields[i].set(f[i]); !ok {
			return m, false
		}
	}
	all := func(time.Time) bool { return true }
	switch dom := f[2]; {
	case dom == "?" || dom == "*":
		m.dom = all
	case dom == "L":
		m.dom = func(t time.Time) bool { return t.AddDate(0, 0, 1).Day() == 1 }
	case strings.Contains(dom, "W"):
		return m, false
	default:
		days, ok := cronFields[2].set(dom)
		if !ok {
			return m, false
		}
		m.dom = func(t time.Time) bool { return days[t.Day()] }
	}
	switch dow := f[4]; {
	case dow == "?" || dow == "*":
		m.dow = all
	case strings.Contains(dow, "#"):
		day, nth, _ := strings.Cut(dow, "#")
		d, err := cronFields[4].value(day)
		n, nerr := strconv.Atoi(nth)
		if err != nil || nerr != nil {
			return m, false
		}
		m.dow = func(t time.Time) bool { return int(t.Weekday())+1 == d && (t.Day()-1)/7+1 == n }
	case strings.HasSuffix(dow, "L"):
		d, err := cronFields[4].value(strings.TrimSuffix(dow, "L"))
		if err != nil {
			return m, false
		}
		m.dow = func(t time.Time) bool { return int(t.Weekday())+1 == d && t.AddDate(0, 0, 7).Month() != t.Month() }
	default:
		days, ok := cronFields[4].set(dow)
		if !ok {
			return m, false
		}
		m.dow = func(t time.Time) bool { return days[int(t.Weekday())+1] }
	}
	return m, true
}

// set expands a field without L, W or # into the values it allows.
func (c cronField) set(expr string) (map[int]bool, bool) {
	out := map[int]bool{}
	for _, item := range strings.Split(expr, ",") {
		base, step, hasStep := strings.Cut(item, "/")
		inc := 1
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 {
				return nil, false
			}
			inc = n
		}
		lo, hi := c.min, c.max
		if base != "*" {
			a, b, isRange := strings.Cut(base, "-")
			v, err := c.value(a)
			if err != nil {
				return nil, false
			}
			lo, hi = v, v
			if isRange {
				if hi, err = c.value(b); err != nil {
					return nil, false
				}
			} else if hasStep {
				hi = c.max
			}
		}
		if hi < lo { // a wrapping range of names (FRI-MON)
			for v := lo; v <= c.max; v += inc {
				out[v] = true
			}
			lo = c.min
		}
		for v := lo; v <= hi; v += inc {
			out[v] = true
		}
	}
	return out, true
}
