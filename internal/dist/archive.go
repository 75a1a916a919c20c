package dist

import (
	"archive/tar"
	"archive/zip"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"time"
)

// File is one entry of an archive.
type File struct {
	Name string // slash-separated, relative
	Data []byte
	Mode fs.FileMode // permission bits
}

// Archive packs files for t: a gzipped tar, or a zip for Windows, as
// Windows users and runners unpack zips without extra tools. Entries come
// in name order, each with modTime (in UTC, to the second), owner 0:0 and
// no owner names, so the bytes depend only on the files.
func Archive(w io.Writer, t Target, files []File, modTime time.Time) error {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Name, b.Name) })
	for i, f := range files {
		if f.Name == "" || path.IsAbs(f.Name) || path.Clean(f.Name) != f.Name || f.Name == ".." || len(f.Name) > 2 && f.Name[:3] == "../" {
			return fmt.Errorf("archive entry %q: want a clean relative path", f.Name)
		}
		if i > 0 && files[i-1].Name == f.Name {
			return fmt.Errorf("archive entry %q given twice", f.Name)
		}
	}
	modTime = modTime.UTC().Truncate(time.Second)
	if t.OS == "windows" {
		return writeZip(w, files, modTime)
	}
	return writeTarGz(w, files, modTime)
}

func writeTarGz(w io.Writer, files []File, modTime time.Time) error {
	// gzip's header carries a name and a time only when set; its OS byte
	// is always "unknown" from Go, whatever builds it.
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.Name,
			Size:     int64(len(f.Data)),
			Mode:     int64(f.Mode.Perm()),
			ModTime:  modTime,
			Format:   tar.FormatUSTAR, // no PAX records with access or change times
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, files []File, modTime time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: modTime}
		hdr.SetMode(f.Mode.Perm()) // also marks the entry as made on Unix, so unzip keeps the mode
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}
