// Package dist builds tamp's release: one stripped binary per platform,
// each packed into an archive (tar.gz, zip for Windows), and a SHA256SUMS
// file over the archives, as `make dist` writes them under dist/.
//
// The output is reproducible: the same source, version, commit and Go
// toolchain give byte-identical archives on any machine. Binaries are
// built with -trimpath, without cgo and VCS stamping, at fixed
// instruction-set levels; archives list their entries in name order with
// one fixed modification time, owner 0:0 and fixed modes.
//
// It does not publish anything: uploading the files is the release
// workflow's job.
package dist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Target is one platform a release is built for.
type Target struct {
	OS, Arch string
}

func (t Target) String() string { return t.OS + "/" + t.Arch }

// Targets are the platforms of a release.
func Targets() []Target {
	return []Target{
		{"linux", "amd64"}, {"linux", "arm64"},
		{"darwin", "amd64"}, {"darwin", "arm64"},
		{"windows", "amd64"},
	}
}

// ParseTarget reads "os/arch".
func ParseTarget(s string) (Target, error) {
	goos, arch, ok := strings.Cut(s, "/")
	if !ok || goos == "" || arch == "" || strings.Contains(arch, "/") {
		return Target{}, fmt.Errorf("target %q: write it as OS/ARCH, like linux/amd64", s)
	}
	return Target{goos, arch}, nil
}

// ArchiveName is the release file of version v for t:
// tamp_<version>_<os>_<arch>.tar.gz, or .zip for Windows.
func ArchiveName(v string, t Target) string {
	ext := ".tar.gz"
	if t.OS == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("tamp_%s_%s_%s%s", v, t.OS, t.Arch, ext)
}

// binaryName is the command's file name on t.
func binaryName(t Target) string {
	if t.OS == "windows" {
		return "tamp.exe"
	}
	return "tamp"
}

// SumsFile is the name of the checksums file, in sha256sum's format.
const SumsFile = "SHA256SUMS"

// Options say what to build and where.
type Options struct {
	Version string // stamped into internal/version.Version and the archive names
	Commit  string // stamped into internal/version.Commit
	Targets []Target
	// Root is the module's directory (where go.mod is); Out the directory
	// the archives and SHA256SUMS are written to.
	Root, Out string
	// ModTime is the modification time of every archive entry (default
	// 2000-01-01T00:00:00Z).
	ModTime time.Time
	// Extra files (paths relative to Root) packed next to the binary.
	Extra []string
	// Go is the go command (default "go"); Env the environment it runs in
	// (default os.Environ()), to which the target's settings are added.
	Go  string
	Env []string
	// Log, when set, is told of each step.
	Log func(format string, args ...any)
}

// versionPkg is where the version and commit variables live.
const versionPkg = "github.com/tamp-ecs/tamp/internal/version"

// versionSyntax is what may be stamped: it ends up in file names and in
// a -ldflags word.
var versionSyntax = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_-]*$`)

// Build compiles tamp for every target, packs each binary into its
// archive under Out and writes SHA256SUMS over them. Archives and a
// checksums file an earlier run left in Out are removed first, so the
// directory holds exactly one release. It returns the archives' names.
func Build(ctx context.Context, opts Options) ([]string, error) {
	if !versionSyntax.MatchString(opts.Version) {
		return nil, fmt.Errorf("dist: version %q: want something like 1.2.3 or 1.2.3-rc.1", opts.Version)
	}
	if !versionSyntax.MatchString(opts.Commit) && opts.Commit != "" {
		return nil, fmt.Errorf("dist: commit %q: want a commit hash", opts.Commit)
	}
	if opts.ModTime.IsZero() {
		opts.ModTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if len(opts.Targets) == 0 {
		opts.Targets = Targets()
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	if err := removeOld(opts.Out); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "tamp-dist-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	extra := map[string][]byte{}
	for _, name := range opts.Extra {
		data, err := os.ReadFile(filepath.Join(opts.Root, name))
		if err != nil {
			return nil, fmt.Errorf("dist: %w", err)
		}
		extra[filepath.ToSlash(name)] = data
	}
	var names []string
	for _, t := range opts.Targets {
		bin := filepath.Join(tmp, t.OS+"_"+t.Arch, binaryName(t))
		if opts.Log != nil {
			opts.Log("building %s", t)
		}
		if err := compile(ctx, opts, t, bin); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		files := []File{{Name: binaryName(t), Data: data, Mode: 0o755}}
		for name, body := range extra {
			files = append(files, File{Name: name, Data: body, Mode: 0o644})
		}
		var buf bytes.Buffer
		if err := Archive(&buf, t, files, opts.ModTime); err != nil {
			return nil, fmt.Errorf("dist: pack %s: %w", t, err)
		}
		name := ArchiveName(opts.Version, t)
		if err := os.WriteFile(filepath.Join(opts.Out, name), buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	if err := WriteSums(opts.Out, names); err != nil {
		return nil, err
	}
	return names, nil
}

// compile runs go build for t. Everything that could make two builds of
// the same source differ is pinned: no cgo (the C toolchain and libc of
// the building machine), no VCS stamp (it records whether the work tree
// is clean), no local paths, and the baseline instruction sets, so a
// GOAMD64=v3 in the builder's environment cannot ship a binary older
// machines cannot run.
func compile(ctx context.Context, opts Options, t Target, out string) error {
	goCmd := opts.Go
	if goCmd == "" {
		goCmd = "go"
	}
	ldflags := fmt.Sprintf("-s -w -X %s.Version=%s -X %s.Commit=%s", versionPkg, opts.Version, versionPkg, opts.Commit)
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, "./cmd/tamp")
	cmd.Dir = opts.Root
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(slices.Clip(env), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch,
		"GOAMD64=v1", "GOARM64=v8.0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("dist: go build for %s: %v\n%s", t, err, b)
	}
	return nil
}

// removeOld deletes what an earlier run wrote into dir.
func removeOld(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if n == SumsFile || strings.HasPrefix(n, "tamp_") && (strings.HasSuffix(n, ".tar.gz") || strings.HasSuffix(n, ".zip")) {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteSums writes dir/SHA256SUMS for the files named, one
// "<sha256>  <name>" line each in name order, as sha256sum -c reads it.
func WriteSums(dir string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), n)
	}
	return os.WriteFile(filepath.Join(dir, SumsFile), []byte(b.String()), 0o644)
}
