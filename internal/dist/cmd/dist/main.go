// Command dist writes tamp's release archives and SHA256SUMS (make dist):
//
//	go run ./internal/dist/cmd/dist -version 0.2.0 -commit abc123 -out dist
//
// Without -version it stamps the version in internal/version. Archive
// entries carry the time in SOURCE_DATE_EPOCH when it is set, else
// 2000-01-01T00:00:00Z.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/tamp-ecs/tamp/internal/dist"
	"github.com/tamp-ecs/tamp/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dist", flag.ContinueOnError)
	ver := fs.String("version", "", "version to stamp and name the archives after (default: internal/version's)")
	commit := fs.String("commit", "", "commit to stamp")
	out := fs.String("out", "dist", "directory for the archives and "+dist.SumsFile)
	targets := fs.String("targets", "", "comma-separated OS/ARCH list (default: every release platform)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := dist.Options{
		Version: strings.TrimPrefix(*ver, "v"),
		Commit:  *commit,
		Root:    ".",
		Out:     *out,
		Extra:   []string{"README.md"},
		Log:     func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) },
	}
	if opts.Version == "" {
		opts.Version = version.Version
	}
	if *targets != "" {
		for _, s := range strings.Split(*targets, ",") {
			t, err := dist.ParseTarget(strings.TrimSpace(s))
			if err != nil {
				return err
			}
			opts.Targets = append(opts.Targets, t)
		}
	}
	modTime, err := sourceDate()
	if err != nil {
		return err
	}
	opts.ModTime = modTime
	names, err := dist.Build(ctx, opts)
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Println(*out + "/" + n)
	}
	fmt.Println(*out + "/" + dist.SumsFile)
	return nil
}

// sourceDate is the time archive entries carry.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Time{}, nil // dist's fixed default
	}
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want whole seconds since 1970", s)
	}
	return time.Unix(secs, 0).UTC(), nil
}
