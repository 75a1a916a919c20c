// Package term decides whether output is coloured and paints status words.
package term

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// UseColor applies --color: "always", "never", or "auto" (a terminal, and
// NO_COLOR unset or empty).
func UseColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	return IsTerminal(w)
}

// Terminal is a writer that says itself whether it is a terminal (a
// command test's stand-in for one).
type Terminal interface {
	io.Writer
	IsTerminal() bool
}

// IsTerminal tells whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	if t, ok := w.(Terminal); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Color is an ANSI colour code.
type Color string

const (
	Green  Color = "32"
	Yellow Color = "33"
	Red    Color = "31"
	Bold   Color = "1"
)

// Paint wraps s in c when on is true.
func Paint(on bool, c Color, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + string(c) + "m" + s + "\x1b[0m"
}
