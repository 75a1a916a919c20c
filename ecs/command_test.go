package ecs

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
		if got, err := CommandWords(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("CommandWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		`echo 'open`: "unterminated single quote", `echo "open`: "unterminated double quote",
		`   `: "empty", `["a", 1]`: "not a JSON array of strings",
	} {
		if _, err := CommandWords(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CommandWords(%q) = %v; want %q", in, err, want)
		}
	}
}
