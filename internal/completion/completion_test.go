package completion

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// cli is a small application in tamp's shape.
type cli struct {
	Config string   `short:"c" default:"app.yaml" predictor:"config" help:"Config file."`
	Only   []string `predictor:"names" help:"Only these. Comma-separated."`
	Output string   `enum:"text,json" default:"text" help:"Output format."`
	Debug  bool     `help:"Trace."`

	Deploy struct {
		DryRun bool  `help:"Change nothing."`
		Tasks  int32 `help:"Desired count."`
	} `cmd:"" help:"Deploy. And wait."`
	Render struct {
		Target string `arg:"" enum:"config,services" help:"What."`
	} `cmd:"" help:"Render."`
	Run struct {
		Service       string `predictor:"services" help:"A service."`
		OverridesFile string `type:"path" help:"Overrides."`
	} `cmd:"" help:"Run."`
	Scheduled struct {
		Run struct {
			Name string `arg:"" predictor:"tasks"`
		} `cmd:"" help:"Run one."`
		List struct{} `cmd:"" help:"List."`
	} `cmd:"" help:"Scheduled."`
	Secret struct{} `cmd:"" hidden:""`
}

func completer(t *testing.T, seen *[]Line) *Completer {
	t.Helper()
	var c cli
	parser, err := kong.New(&c, kong.Name("app"))
	if err != nil {
		t.Fatal(err)
	}
	names := func(values ...string) Predictor {
		return func(line Line, prefix string) []Candidate {
			if seen != nil {
				*seen = append(*seen, line)
			}
			var out []Candidate
			for _, v := range values {
				out = append(out, Candidate{Value: v, Description: "from " + line.Flag("config")})
			}
			return out
		}
	}
	return &Completer{App: parser.Model, Predictors: map[string]Predictor{
		"names":    CommaList(names("web", "worker", "batch")),
		"services": names("web", "worker"),
		"tasks":    names("nightly", "hourly"),
		"config":   Files(".yaml"),
	}}
}

func values(cands []Candidate) []string {
	var out []string
	for _, c := range cands {
		out = append(out, c.Value)
	}
	return out
}

func TestComplete(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"app.yaml", "other.yaml", "notes.txt", ".hidden.yaml", "sub/x.yaml"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	tests := []struct {
		words []string
		want  []string
	}{
		{[]string{""}, []string{"deploy", "render", "run", "scheduled"}},
		{[]string{"de"}, []string{"deploy"}},
		{[]string{"--de"}, []string{"--debug"}},
		{[]string{"deploy", "--"}, []string{"--help", "--config", "--only", "--output", "--debug", "--dry-run", "--tasks"}},
		{[]string{"--output", ""}, []string{"text", "json"}},
		{[]string{"--output=j"}, []string{"--output=json"}},
		{[]string{"--debug", ""}, []string{"deploy", "render", "run", "scheduled"}}, // a bool flag takes no value
		{[]string{"render", ""}, []string{"config", "services"}},
		{[]string{"render", "config", ""}, nil},
		{[]string{"--only", ""}, []string{"web", "worker", "batch"}},
		{[]string{"--only", "w"}, []string{"web", "worker"}},
		{[]string{"--only", "web,"}, []string{"web,worker", "web,batch"}},
		{[]string{"--only=web,b"}, []string{"--only=web,batch"}},
		{[]string{"run", "--service", ""}, []string{"web", "worker"}},
		{[]string{"scheduled", "run", ""}, []string{"nightly", "hourly"}},
		{[]string{"scheduled", ""}, []string{"run", "list"}},
		{[]string{"--config", ""}, []string{"app.yaml", "other.yaml", "sub/"}},
		{[]string{"-c", "o"}, []string{"other.yaml"}},
		{[]string{"-c", "."}, []string{".hidden.yaml"}},
		{[]string{"--config=sub/"}, []string{"--config=sub/x.yaml"}},
		{[]string{"run", "--overrides-file", "n"}, []string{"notes.txt"}},
		{[]string{"deploy", "--tasks", ""}, nil},
		{[]string{"--", ""}, nil},
	}
	c := completer(t, nil)
	for _, tt := range tests {
		got := values(c.Complete(tt.words))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Complete(%q) = %q, want %q", tt.words, got, tt.want)
		}
	}
}

// TestCompleteReadsTheLine: predictors see the flags typed before,
// whichever way they were written.
func TestCompleteReadsTheLine(t *testing.T) {
	for _, words := range [][]string{
		{"-c", "x.yaml", "--only", ""},
		{"--config", "x.yaml", "--only", ""},
		{"--config=x.yaml", "--only", ""},
		{"-cx.yaml", "--only", ""},
		{"deploy", "-c", "x.yaml", "--only", ""}, // a parent's flag after the command
	} {
		var seen []Line
		c := completer(t, &seen)
		got := c.Complete(words)
		if len(seen) != 1 || seen[0].Flag("config") != "x.yaml" {
			t.Errorf("Complete(%q): the predictor saw config %q", words, seen)
		}
		if len(got) != 3 || got[0].Description != "from x.yaml" {
			t.Errorf("Complete(%q) = %+v", words, got)
		}
	}
}

func TestScripts(t *testing.T) {
	for _, shell := range Shells() {
		s, err := Script(shell, "app")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(s, "__complete --") || strings.Contains(s, "PROG") || !strings.Contains(s, "app") {
			t.Errorf("%s script:\n%s", shell, s)
		}
	}
	if _, err := Script("tcsh", "app"); err == nil {
		t.Error("a script for tcsh")
	}
}
