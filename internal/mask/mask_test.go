package mask_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tamp-ecs/tamp/internal/mask"
)

func TestMask(t *testing.T) {
	const P = mask.Placeholder
	tests := []struct {
		name    string
		show    bool
		secrets []string
		in      string
		want    string
	}{
		{
			name: "no secrets",
			in:   "password=hunter2",
			want: "password=hunter2",
		},
		{
			name:    "one secret, every occurrence",
			secrets: []string{"hunter2"},
			in:      "password=hunter2 again hunter2",
			want:    "password=" + P + " again " + P,
		},
		{
			name:    "several secrets",
			secrets: []string{"alpha-key", "beta-key"},
			in:      "a=alpha-key b=beta-key c=gamma",
			want:    "a=" + P + " b=" + P + " c=gamma",
		},
		{
			name:    "longest first when a secret contains another",
			secrets: []string{"abc", "abcdef"},
			in:      "x abcdef y abc",
			want:    "x " + P + " y " + P,
		},
		{
			name:    "longest first regardless of order added",
			secrets: []string{"token-123456", "123"},
			in:      "token-123456 123",
			want:    P + " " + P,
		},
		{
			name:    "JSON-escaped quote",
			secrets: []string{`pa"ss`},
			in:      `{"password":"pa\"ss"} raw=pa"ss`,
			want:    `{"password":"` + P + `"} raw=` + P,
		},
		{
			name:    "JSON-escaped newline",
			secrets: []string{"line1\nline2"},
			in:      `{"key":"line1\nline2"}` + "\nline1\nline2",
			want:    `{"key":"` + P + `"}` + "\n" + P,
		},
		{
			name:    "JSON-escaped backslash",
			secrets: []string{`C:\secret`},
			in:      `{"p":"C:\\secret"} C:\secret`,
			want:    `{"p":"` + P + `"} ` + P,
		},
		{
			name:    "JSON HTML-escaped form",
			secrets: []string{"a<b&c"},
			in:      `"a\u003cb\u0026c" a<b&c`,
			want:    `"` + P + `" ` + P,
		},
		{
			name:    "empty secret is ignored",
			secrets: []string{""},
			in:      "abc",
			want:    "abc",
		},
		{
			name:    "show disables masking",
			show:    true,
			secrets: []string{"hunter2", `pa"ss`},
			in:      `hunter2 "pa\"ss"`,
			want:    `hunter2 "pa\"ss"`,
		},
		{
			name:    "partial match is not masked",
			secrets: []string{"hunter2"},
			in:      "hunter hunter3",
			want:    "hunter hunter3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mask.New(tt.show)
			for _, s := range tt.secrets {
				m.Add(s)
			}
			if got := m.Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriter(t *testing.T) {
	const P = mask.Placeholder
	tests := []struct {
		name   string
		show   bool
		writes []string
		want   string
	}{
		{
			name:   "each write masked",
			writes: []string{"token=s3cr3t\n", "again s3cr3t\n", "clean\n"},
			want:   "token=" + P + "\nagain " + P + "\nclean\n",
		},
		{
			name:   "show passes through",
			show:   true,
			writes: []string{"token=s3cr3t\n"},
			want:   "token=s3cr3t\n",
		},
		{
			name:   "empty write",
			writes: []string{""},
			want:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mask.New(tt.show)
			m.Add("s3cr3t")
			var buf bytes.Buffer
			w := m.Writer(&buf)
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if err != nil {
					t.Fatalf("Write(%q): %v", s, err)
				}
				if n != len(s) {
					t.Errorf("Write(%q) = %d, want %d (the caller's length)", s, n, len(s))
				}
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("written %q, want %q", got, tt.want)
			}
		})
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriterError(t *testing.T) {
	boom := errors.New("boom")
	m := mask.New(false)
	n, err := m.Writer(failWriter{boom}).Write([]byte("hello"))
	if !errors.Is(err, boom) {
		t.Errorf("Write error = %v, want %v", err, boom)
	}
	if n != 0 {
		t.Errorf("Write = %d on error, want 0", n)
	}
}

func TestAddAfterWriter(t *testing.T) {
	// A Writer made before a secret is added still masks it.
	m := mask.New(false)
	var buf bytes.Buffer
	w := m.Writer(&buf)
	m.Add("late-secret")
	if _, err := w.Write([]byte("v=late-secret")); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "v="+mask.Placeholder; got != want {
		t.Errorf("written %q, want %q", got, want)
	}
}

func TestWriterSplitSecret(t *testing.T) {
	const P = mask.Placeholder
	m := mask.New(false)
	m.Add("s3cr3t")
	var buf bytes.Buffer
	w := m.Writer(&buf)
	for _, s := range []string{"token=s3", "cr", "3t and s", "3cr3t\nnext: s"} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	// "s" could start the secret: it waits for the next write, or Flush.
	if got, want := buf.String(), "token="+P+" and "+P+"\nnext: "; got != want {
		t.Errorf("before Flush: %q, want %q", got, want)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "token="+P+" and "+P+"\nnext: s"; got != want {
		t.Errorf("after Flush: %q, want %q", got, want)
	}
}

func TestWriterHoldsOnlyWhatCouldBeASecret(t *testing.T) {
	m := mask.New(false)
	m.Add("s3cr3t")
	var buf bytes.Buffer
	w := m.Writer(&buf)
	w.Write([]byte("deploying web\n"))
	if got := buf.String(); got != "deploying web\n" {
		t.Errorf("a line that cannot start a secret is held back: written %q", got)
	}
}

func TestForms(t *testing.T) {
	// Every way tamp's outputs write `p&ss"w0rd` is a form.
	forms := mask.Forms(`p&ss"w0rd`)
	for _, want := range []string{
		`p&ss"w0rd`,          // raw
		`p\u0026ss\"w0rd`,    // encoding/json
		`p&ss\"w0rd`,         // JSON without HTML escaping, %q, Jsonnet
		`p\\u0026ss\\\"w0rd`, // JSON inside JSON, HTML-escaped
		`p&ss\\\"w0rd`,       // JSON inside JSON
		`p%26ss%22w0rd`,      // URL query
		"cCZzcyJ3MHJk",       // base64
		`p&ss\"w0rd`,         // shell double quotes
	} {
		found := false
		for _, f := range forms {
			found = found || f == want
		}
		if !found {
			t.Errorf("Forms has no %s; it has %q", want, forms)
		}
	}
	if got := mask.Forms(`it's`); !contains(got, `it''s`) || !contains(got, `it'\''s`) {
		t.Errorf("Forms(it's) = %q, want YAML's it''s and the shell's it'\\''s", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
