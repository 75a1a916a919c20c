//go:build !windows

package sessionplugin

import (
	"os"
	"syscall"
)

// sessionSignals are the terminal's keys (Ctrl-\, Ctrl-Z) besides Ctrl-C
// that belong to the session while the plugin runs.
var sessionSignals = []os.Signal{syscall.SIGQUIT, syscall.SIGTSTP}
