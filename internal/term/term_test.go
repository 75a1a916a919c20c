package term

import (
	"bytes"
	"os"
	"testing"
)

func TestUseColor(t *testing.T) {
	var buf bytes.Buffer
	t.Setenv("NO_COLOR", "")
	if !UseColor("always", &buf) || UseColor("never", os.Stderr) {
		t.Error("always/never are not obeyed")
	}
	if UseColor("auto", &buf) {
		t.Error("auto coloured a buffer, which is not a terminal")
	}
	t.Setenv("NO_COLOR", "1")
	if UseColor("auto", os.Stderr) {
		t.Error("auto ignored NO_COLOR")
	}
	if !UseColor("always", &buf) {
		t.Error("--color always must win over NO_COLOR")
	}
}

func TestPaint(t *testing.T) {
	if got := Paint(true, Green, "ok"); got != "\x1b[32mok\x1b[0m" {
		t.Errorf("Paint on = %q", got)
	}
	if got := Paint(false, Green, "ok"); got != "ok" {
		t.Errorf("Paint off = %q", got)
	}
}

type fakeTerminal struct {
	bytes.Buffer
	tty bool
}

func (f *fakeTerminal) IsTerminal() bool { return f.tty }

func TestTerminalWriter(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	if !IsTerminal(&fakeTerminal{tty: true}) || IsTerminal(&fakeTerminal{}) {
		t.Error("a Terminal's own answer is not taken")
	}
	if !UseColor("auto", &fakeTerminal{tty: true}) {
		t.Error("auto did not colour a terminal")
	}
}
