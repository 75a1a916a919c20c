// Package version is tamp's own version, set at build time.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version and Commit are set by the Makefile through -ldflags -X.
var (
	Version = "0.1.0"
	Commit  = ""
)

// String is the one-line version report.
func String() string {
	commit := Commit
	if commit == "" {
		commit = vcsRevision()
	}
	if commit == "" {
		commit = "unknown"
	}
	return fmt.Sprintf("tamp %s (commit %s, %s %s/%s)", Version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func vcsRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return ""
}
