package dist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/macho"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The release the tests build: the host's platform (whose binary they
// run) and one other (cross-compiled), not all five, which would take
// minutes on a cold build cache.
const (
	testVersion = "9.8.7-test.1"
	testCommit  = "0123456789ab"
)

var (
	hostTarget  = Target{runtime.GOOS, runtime.GOARCH}
	crossTarget = Target{"darwin", "arm64"}
)

func testTargets() []Target {
	if hostTarget == crossTarget {
		return []Target{hostTarget, {"linux", "amd64"}}
	}
	return []Target{hostTarget, crossTarget}
}

func repoRoot() string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return root
}

func build(out string) error {
	_, err := Build(context.Background(), Options{
		Version: testVersion, Commit: testCommit, Targets: testTargets(),
		Root: repoRoot(), Out: out, Extra: []string{"README.md"},
	})
	return err
}

var (
	releaseOnce sync.Once
	releaseDir  string
	releaseErr  error
)

// release is a dist directory built once for the tests of this package.
func release(t *testing.T) string {
	t.Helper()
	releaseOnce.Do(func() {
		releaseDir, releaseErr = os.MkdirTemp("", "tamp-dist-test-")
		if releaseErr == nil {
			releaseErr = build(releaseDir)
		}
	})
	if releaseErr != nil {
		t.Fatal(releaseErr)
	}
	return releaseDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if releaseDir != "" {
		os.RemoveAll(releaseDir)
	}
	os.Exit(code)
}

func TestBuild(t *testing.T) {
	dir := release(t)

	var want []string
	for _, target := range testTargets() {
		want = append(want, ArchiveName(testVersion, target))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if wantAll := slices.Sorted(slices.Values(append(slices.Clone(want), SumsFile))); !slices.Equal(got, wantAll) {
		t.Fatalf("dist holds %q, want %q", got, wantAll)
	}

	// SHA256SUMS lists every archive, in name order, with its real sum.
	sums, err := os.ReadFile(filepath.Join(dir, SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSuffix(string(sums), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("%s line %q: want \"<sha256>  <file>\"", SumsFile, line)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s lists %s: %v", SumsFile, name, err)
		}
		if real := sha256.Sum256(data); hex.EncodeToString(real[:]) != sum {
			t.Errorf("%s: %s says %s, the file's is %x", name, SumsFile, sum, real)
		}
		listed = append(listed, name)
	}
	if sorted := slices.Sorted(slices.Values(want)); !slices.Equal(listed, sorted) {
		t.Errorf("%s lists %q, want %q", SumsFile, listed, sorted)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		check := exec.Command("sha256sum", "--check", "--strict", SumsFile)
		check.Dir = dir
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("sha256sum --check: %v\n%s", err, out)
		}
	}

	// A second build of the same source gives the same bytes.
	again := t.TempDir()
	if err := build(again); err != nil {
		t.Fatal(err)
	}
	sums2, err := os.ReadFile(filepath.Join(again, SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sums, sums2) {
		t.Errorf("two builds differ:\n%s\n%s", sums, sums2)
	}

	// The cross-compiled binary is for its platform, not the host's.
	cross := unpack(t, filepath.Join(dir, ArchiveName(testVersion, testTargets()[1])), testTargets()[1])
	if testTargets()[1] == crossTarget {
		f, err := macho.Open(cross)
		if err != nil {
			t.Fatalf("darwin/arm64 binary is no Mach-O file: %v", err)
		}
		if f.Cpu != macho.CpuArm64 {
			t.Errorf("darwin/arm64 binary is for %v", f.Cpu)
		}
		f.Close()
	}
}

// maxBinary is the release binary's budget, the target the README's
// performance table and make bench give.
const maxBinary = 36 << 20

// TestBinaryBudget: the host's binary in its release archive, built as
// make dist builds it (-trimpath -s -w), is within the budget.
func TestBinaryBudget(t *testing.T) {
	bin := unpack(t, filepath.Join(release(t), ArchiveName(testVersion, hostTarget)), hostTarget)
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	size, mib := info.Size(), float64(info.Size())/(1<<20)
	if size > maxBinary {
		t.Errorf("the %s release binary is %d bytes (%.1f MiB), over the budget of %d bytes (%d MiB)", hostTarget, size, mib, maxBinary, maxBinary>>20)
	} else {
		t.Logf("the %s release binary is %d bytes (%.1f MiB), within %d MiB", hostTarget, size, mib, maxBinary>>20)
	}
}

func TestBuiltBinaryVersion(t *testing.T) {
	dir := release(t)
	bin := unpack(t, filepath.Join(dir, ArchiveName(testVersion, hostTarget)), hostTarget)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("tamp version: %v\n%s", err, out)
	}
	want := fmt.Sprintf("tamp %s (commit %s, %s %s)\n", testVersion, testCommit, runtime.Version(), hostTarget)
	if string(out) != want {
		t.Errorf("tamp version = %q, want %q", out, want)
	}
	out, err = exec.Command(bin, "version", "--output", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	if err := json.Unmarshal(out, &v); err != nil || v["version"] != testVersion || v["commit"] != testCommit {
		t.Errorf("tamp version --output json = %s (%v)", out, err)
	}
	// -trimpath: no path of the building machine is in the binary.
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if root := repoRoot(); bytes.Contains(data, []byte(root)) {
		t.Errorf("the binary holds the local path %s", root)
	}
}

// unpack extracts the binary of target's archive into a temporary
// directory and returns its path.
func unpack(t *testing.T, archive string, target Target) string {
	t.Helper()
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	var entries []entry
	if target.OS == "windows" {
		entries = readZip(t, data)
	} else {
		entries = readTarGz(t, data)
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.name)
		if e.name != binaryName(target) {
			continue
		}
		if e.mode != 0o755 {
			t.Errorf("%s: %s has mode %v", archive, e.name, e.mode)
		}
		path := filepath.Join(t.TempDir(), e.name)
		if err := os.WriteFile(path, []byte(e.data), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Fatalf("%s holds %q, no %s", archive, names, binaryName(target))
	return ""
}

func TestBuildRefusesBadVersion(t *testing.T) {
	for _, v := range []string{"", "1.2 3", "-x", "1.2.3/../x"} {
		if _, err := Build(context.Background(), Options{Version: v, Root: repoRoot(), Out: t.TempDir()}); err == nil {
			t.Errorf("Build accepted version %q", v)
		}
	}
}
