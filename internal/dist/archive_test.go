package dist

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"testing"
	"time"
)

// entry is what a test reads back from an archive.
type entry struct {
	name     string
	mode     fs.FileMode
	modTime  time.Time
	uid, gid int
	owner    string
	data     string
}

func readTarGz(t *testing.T, b []byte) []entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q, time %v; want neither", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	var out []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{h.Name, fs.FileMode(h.Mode), h.ModTime.UTC(), h.Uid, h.Gid, h.Uname + ":" + h.Gname, string(data)})
	}
}

func readZip(t *testing.T, b []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{f.Name, f.Mode().Perm(), f.Modified.UTC(), 0, 0, ":", string(data)})
	}
	return out
}

func TestArchive(t *testing.T) {
	when := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("JST", 9*3600))
	files := []File{
		{Name: "tamp", Data: []byte("binary"), Mode: 0o755},
		{Name: "README.md", Data: []byte("# tamp\n"), Mode: 0o644},
	}
	reversed := []File{files[1], files[0]}
	for _, target := range Targets() {
		t.Run(target.String(), func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Archive(&a, target, files, when); err != nil {
				t.Fatal(err)
			}
			if err := Archive(&b, target, reversed, when.In(time.UTC)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("the same files in another order (and the same time in another zone) packed differently")
			}
			var got []entry
			if target.OS == "windows" {
				got = readZip(t, a.Bytes())
			} else {
				got = readTarGz(t, a.Bytes())
			}
			wantTime := time.Date(2026, 3, 3, 20, 6, 7, 0, time.UTC)
			owner := ":"
			want := []entry{
				{"README.md", 0o644, wantTime, 0, 0, owner, "# tamp\n"},
				{"tamp", 0o755, wantTime, 0, 0, owner, "binary"},
			}
			if len(got) != len(want) {
				t.Fatalf("entries = %+v, want %+v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
				}
			}

			var later bytes.Buffer
			if err := Archive(&later, target, files, when.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(a.Bytes(), later.Bytes()) {
				t.Error("another modification time packed the same bytes: the time is not recorded")
			}
		})
	}
}

func TestArchiveRefusesBadNames(t *testing.T) {
	for _, name := range []string{"", "/etc/tamp", "../tamp", "a/../b", "./tamp"} {
		err := Archive(io.Discard, Target{"linux", "amd64"}, []File{{Name: name, Mode: 0o644}}, time.Unix(0, 0))
		if err == nil {
			t.Errorf("Archive accepted the entry name %q", name)
		}
	}
	twice := []File{{Name: "tamp", Mode: 0o755}, {Name: "tamp", Mode: 0o755}}
	if err := Archive(io.Discard, Target{"linux", "amd64"}, twice, time.Unix(0, 0)); err == nil {
		t.Error("Archive accepted one name twice")
	}
}

func TestArchiveName(t *testing.T) {
	var got []string
	for _, target := range Targets() {
		got = append(got, ArchiveName("1.2.3", target))
	}
	want := []string{
		"tamp_1.2.3_linux_amd64.tar.gz", "tamp_1.2.3_linux_arm64.tar.gz",
		"tamp_1.2.3_darwin_amd64.tar.gz", "tamp_1.2.3_darwin_arm64.tar.gz",
		"tamp_1.2.3_windows_amd64.zip",
	}
	if len(got) != len(want) {
		t.Fatalf("names = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, got[i], want[i])
		}
	}
}
