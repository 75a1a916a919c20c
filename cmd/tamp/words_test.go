package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestCommandWords(t *testing.T) {
	tests := map[string][]string{
		`bin/rails db:migrate`:               {"bin/rails", "db:migrate"},
		`  sh -c 'echo "a b" && exit 3'  `:   {"sh", "-c", `echo "a b" && exit 3`},
		`echo "say \"hi\"" it\'s`:            {"echo", `say "hi"`, "it's"},
		`a""b '' x`:                          {"ab", "", "x"},
		"bin/migrate \\\n  --all":            {"bin/migrate", "--all"},
		"ab\\\ncd \"x\\\ny\" 'p\\\nq'":       {"abcd", "xy", "p\\\nq"},
		`["python", "manage.py", "migrate"]`: {"python", "manage.py", "migrate"},
		`[ "sh", "-c", "exit 0" ]`:           {"sh", "-c", "exit 0"},
	}
	for in, want := range tests {
		if got, err := commandWords(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("commandWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		`echo 'open`: "unterminated single quote", `echo "open`: "unterminated double quote",
		`   `: "empty", `["a", 1]`: "not a JSON array of strings",
	} {
		if _, err := commandWords(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("commandWords(%q) = %v; want %q", in, err, want)
		}
	}
}

func TestParseRun(t *testing.T) {
	c, kctx, err := parse([]string{"run", "--service", "web", "--command", "bin/migrate --all", "--count", "2", "--tags", "a=1,b=2", "--no-wait"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Run
	if kctx.Command() != "run" || r.Service != "web" || r.Command != "bin/migrate --all" || r.Count != 2 || !r.NoWait ||
		!reflect.DeepEqual(r.Tags, map[string]string{"a": "1", "b": "2"}) {
		t.Errorf("parsed %+v", r)
	}
}
