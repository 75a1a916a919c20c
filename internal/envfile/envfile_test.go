package envfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tamp-ecs/tamp/internal/envfile"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][2]string
	}{
		{
			name: "comments and blank lines",
			in:   "# header\n\nA=1\n   # indented comment\n\t\nB=2\n",
			want: [][2]string{{"A", "1"}, {"B", "2"}},
		},
		{
			name: "export prefix",
			in:   "export A=1\nexport  B=2\n",
			want: [][2]string{{"A", "1"}, {"B", "2"}},
		},
		{
			name: "spaces around key and value",
			in:   "  A =  hello world  \n",
			want: [][2]string{{"A", "hello world"}},
		},
		{
			name: "double quotes take escapes",
			in:   `A="line1\nline2 \"q\"\tend"`,
			want: [][2]string{{"A", "line1\nline2 \"q\"\tend"}},
		},
		{
			name: "double quotes keep inner spaces and #",
			in:   `A="  spaced # not a comment  "`,
			want: [][2]string{{"A", "  spaced # not a comment  "}},
		},
		{
			name: "single quotes are literal",
			in:   `A='a\nb $HOME "q"'`,
			want: [][2]string{{"A", `a\nb $HOME "q"`}},
		},
		{
			name: "equals sign inside the value",
			in:   "URL=postgres://u:p@h/db?a=b&c=d\nB==x=",
			want: [][2]string{{"URL", "postgres://u:p@h/db?a=b&c=d"}, {"B", "=x="}},
		},
		{
			name: "empty values",
			in:   "A=\nB=\"\"\nC=''\n",
			want: [][2]string{{"A", ""}, {"B", ""}, {"C", ""}},
		},
		{
			name: "lone or mismatched quotes are kept",
			in:   "A=\"\nB='x\"\nC=\"x'\n",
			want: [][2]string{{"A", `"`}, {"B", `'x"`}, {"C", `"x'`}},
		},
		{
			name: "CRLF line endings",
			in:   "A=1\r\nB='two'\r\n",
			want: [][2]string{{"A", "1"}, {"B", "two"}},
		},
		{
			name: "order and duplicates kept",
			in:   "Z=1\nA=2\nZ=3\n",
			want: [][2]string{{"Z", "1"}, {"A", "2"}, {"Z", "3"}},
		},
		{
			name: "no trailing newline",
			in:   "A=1",
			want: [][2]string{{"A", "1"}},
		},
		{
			name: "empty input",
			in:   "",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := envfile.Parse(strings.NewReader(tt.in), "test.env")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"line without equals", "A=1\nnot a pair\n", "x.env:2: expected KEY=VALUE"},
		{"line numbers count comments and blanks", "# c\n\nA=1\nB\n", "x.env:4: expected KEY=VALUE"},
		{"empty key", "=value\n", "x.env:1: expected KEY=VALUE"},
		{"key with space", "MY KEY=v\n", "x.env:1: expected KEY=VALUE"},
		{"key with tab", "MY\tKEY=v\n", "x.env:1: expected KEY=VALUE"},
		{"export alone", "export\n", "x.env:1: expected KEY=VALUE"},
		{"bad double-quoted value", "A=1\nB=\"bad \\q escape\"\n", "x.env:2: B: bad double-quoted value"},
		{"inner unescaped quote", `A="a"b"`, "x.env:1: A: bad double-quoted value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := envfile.Parse(strings.NewReader(tt.in), "x.env")
			if err == nil {
				t.Fatalf("Parse = %q, want error %q", got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Parse error = %q, want %q", err.Error(), tt.wantErr)
			}
			if got != nil {
				t.Errorf("Parse returned pairs %q with an error", got)
			}
		})
	}
}

// unset removes key from the environment for this test and restores it
// afterwards.
func unset(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "")
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoad holds the precedence ecspresso's --envfile has, which configs
// moved from it rely on: each file is applied in order over the process
// environment, so a later file overrides an earlier one and a file
// overrides a variable the environment already set.
func TestLoad(t *testing.T) {
	const (
		fromEnv     = "TAMP_ENVFILE_TEST_FROM_ENV"
		envAndFirst = "TAMP_ENVFILE_TEST_ENV_AND_FIRST"
		emptyEnv    = "TAMP_ENVFILE_TEST_EMPTY_ENV"
		envOnly     = "TAMP_ENVFILE_TEST_ENV_ONLY"
		both        = "TAMP_ENVFILE_TEST_BOTH_FILES"
		onlyFirst   = "TAMP_ENVFILE_TEST_ONLY_FIRST"
		onlyLater   = "TAMP_ENVFILE_TEST_ONLY_LATER"
		twice       = "TAMP_ENVFILE_TEST_TWICE"
		quoted      = "TAMP_ENVFILE_TEST_QUOTED"
	)
	for _, k := range []string{both, onlyFirst, onlyLater, twice, quoted} {
		unset(t, k)
	}
	t.Setenv(fromEnv, "env")
	t.Setenv(envAndFirst, "env")
	t.Setenv(emptyEnv, "")
	t.Setenv(envOnly, "env")

	dir := t.TempDir()
	first := writeFile(t, dir, "first.env", strings.Join([]string{
		fromEnv + "=first",
		envAndFirst + "=first",
		emptyEnv + "=first",
		both + "=first",
		onlyFirst + "=first",
		twice + "=one",
		twice + "=two",
		"export " + quoted + `="a b\tc"`,
	}, "\n"))
	later := writeFile(t, dir, "later.env", strings.Join([]string{
		fromEnv + "=later",
		both + "=later",
		onlyLater + "=later",
	}, "\n"))

	if err := envfile.Load(first, later); err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		key  string
		want string
	}{
		{fromEnv, "later"},     // set everywhere: the last file wins
		{envAndFirst, "first"}, // a file overrides the environment
		{emptyEnv, "first"},    // an empty variable is overridden too
		{envOnly, "env"},       // no file sets it: the environment's value stays
		{both, "later"},        // a later file overrides an earlier one
		{onlyFirst, "first"},   // a later file that lacks the key leaves it alone
		{onlyLater, "later"},   // taken from the later file
		{twice, "two"},         // within a file, the last line wins
		{quoted, "a b\tc"},     // parsed the same way as Parse
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := os.LookupEnv(tt.key)
			if !ok {
				t.Fatalf("%s is not set", tt.key)
			}
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.env", "TAMP_ENVFILE_TEST_OK=1\noops\n")
	missing := filepath.Join(dir, "missing.env")
	unset(t, "TAMP_ENVFILE_TEST_OK")

	t.Run("missing file", func(t *testing.T) {
		err := envfile.Load(missing)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Load error = %v, want fs.ErrNotExist", err)
		}
		if want := "--envfile: open " + missing + ": "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Load error = %q, want prefix %q", err.Error(), want)
		}
	})
	t.Run("parse error names file and line", func(t *testing.T) {
		err := envfile.Load(bad)
		want := "--envfile: " + bad + ":2: expected KEY=VALUE"
		if err == nil || err.Error() != want {
			t.Fatalf("Load error = %v, want %q", err, want)
		}
		if _, set := os.LookupEnv("TAMP_ENVFILE_TEST_OK"); set {
			t.Errorf("a file with an error set TAMP_ENVFILE_TEST_OK")
		}
	})
	t.Run("no files", func(t *testing.T) {
		if err := envfile.Load(); err != nil {
			t.Errorf("Load() = %v, want nil", err)
		}
	})
}

func TestParseByteOrderMark(t *testing.T) {
	pairs, err := envfile.Parse(strings.NewReader("\ufeffSTAGE=dev\n"), "bom.env")
	if err != nil || len(pairs) != 1 || pairs[0] != [2]string{"STAGE", "dev"} {
		t.Errorf("Parse = %v, %v; want STAGE=dev", pairs, err)
	}
}
