package tfstate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

const smallState = `{"version": 4, "outputs": {"which": {"value": "spooled"}}, "resources": [
  {"mode": "managed", "type": "t", "name": "a", "instances": [{"attributes": {"id": "x"}}]}]}`

// tempFiles lists what is in the temporary directory.
func tempFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A stream larger than the in-memory part goes to a temporary file that
// is gone from the directory at once (on Unix), and that Close releases;
// lookups after Close fail, naming the address.
func TestReadSpoolsToATemporaryFile(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s, err := readSpooled(strings.NewReader(smallState), 10)
	if err != nil {
		t.Fatal(err)
	}
	sp := s.closer.(*spool)
	if sp.file == nil || sp.mem != nil {
		t.Fatalf("the state is not in a temporary file (file %v, %d bytes in memory)", sp.file, len(sp.mem))
	}
	if runtime.GOOS != "windows" {
		if names := tempFiles(t); len(names) != 0 {
			t.Errorf("the temporary directory holds %v; the file should be removed once open", names)
		}
	}
	if v, err := s.Lookup("output.which"); err != nil || v != "spooled" {
		t.Errorf("Lookup = %#v, %v", v, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if names := tempFiles(t); len(names) != 0 {
		t.Errorf("after Close the temporary directory holds %v", names)
	}
	_, err = s.Lookup("t.a.id")
	if err == nil || !strings.HasPrefix(err.Error(), "t.a.id: read the state: ") || !errors.Is(err, os.ErrClosed) {
		t.Errorf("Lookup after Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// A small stream stays in memory: no file at all.
func TestReadKeepsSmallStatesInMemory(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s, err := Read(iotest.OneByteReader(strings.NewReader(smallState)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if sp := s.closer.(*spool); sp.file != nil {
		t.Errorf("a %d-byte state went to a temporary file", len(smallState))
	}
	if v, err := s.Lookup("t.a.id"); err != nil || v != "x" {
		t.Errorf("Lookup = %#v, %v", v, err)
	}
}

// A state that is not one leaves no temporary file behind.
func TestReadRemovesTheFileOfABadState(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	_, err := readSpooled(io.MultiReader(strings.NewReader(smallState[:60]), iotest.ErrReader(io.ErrUnexpectedEOF)), 10)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v", err)
	}
	if _, err := readSpooled(strings.NewReader(`{"version": 3}`+strings.Repeat(" ", 100)), 10); err == nil {
		t.Error("version 3 was read")
	}
	if names := tempFiles(t); len(names) != 0 {
		t.Errorf("the temporary directory holds %v", names)
	}
}

// A state file rewritten in place after it was read is not read at the
// old offsets.
func TestReadFileNoticesARewrite(t *testing.T) {
	path := t.TempDir() + "/terraform.tfstate"
	if err := os.WriteFile(path, []byte(smallState), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Lookup("t.a.id"); err != nil || v != "x" {
		t.Fatalf("Lookup = %#v, %v", v, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(smallState, `"x"`, `"longer"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.Lookup("t.a.id")
	if want := "t.a.id: read the state: " + path + " changed after tamp read it; run tamp again"; err == nil || err.Error() != want {
		t.Errorf("Lookup after a rewrite = %v, want %q", err, want)
	}
}

// A state over HTTP larger than the in-memory part streams to a file and
// reads back the same.
func TestOpenHTTPStreamsALargeState(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	path, size := writeLargeState(t, 10)
	if size <= spoolMemory {
		t.Fatalf("the state has %d bytes, no more than the %d kept in memory", size, spoolMemory)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	}))
	defer srv.Close()
	s, err := Open(context.Background(), srv.URL+"/large.tfstate", Sources{HTTP: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if sp := s.closer.(*spool); sp.file == nil {
		t.Error("the state is not in a temporary file")
	}
	want, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	for _, addr := range []string{"output.vpc_id", "module.svc.aws_security_group.r9[19].tags.Name", "module.svc.aws_security_group.r0[0].ingress[3]"} {
		got, err := s.Lookup(addr)
		w, werr := want.Lookup(addr)
		if err != nil || werr != nil || String(got) != String(w) {
			t.Errorf("Lookup(%s) = %v, %v; from the file %v, %v", addr, got, err, w, werr)
		}
	}
}

// Lookups may run at once (templates render in parallel): each reads its
// own bytes at its own offset.
func TestConcurrentLookups(t *testing.T) {
	path, _ := writeLargeState(t, 5)
	s, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 20 {
				addr := fmt.Sprintf("module.svc.aws_security_group.r%d[%d].name", g%5, i)
				v, err := s.Lookup(addr)
				if err == nil && v != fmt.Sprintf("svc-%d-%d", g%5, i) {
					err = fmt.Errorf("%s = %v", addr, v)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
