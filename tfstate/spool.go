package tfstate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// spoolMemory is how much of a state read from a stream (S3, HTTP) is
// kept in memory; a larger one goes to a temporary file as it is read.
const spoolMemory = 512 << 10

// spool keeps the text of a state read from a stream, for lookups to read
// values from later: in memory up to limit bytes, then in a temporary file.
// The file is removed from its directory as soon as it is created where
// the system allows an open file to be removed (Unix), so it is gone when
// the process ends however it ends; elsewhere Close removes it.
type spool struct {
	limit  int
	mem    []byte
	file   *os.File
	remove string // the file's name when it could not be removed at once
}

func (sp *spool) Write(p []byte) (int, error) {
	if need := len(sp.mem) + len(p); sp.file == nil && need <= sp.limit {
		if need > cap(sp.mem) {
			// Doubling, not append's gentler growth: what a state that
			// ends up in a file allocated on the way stays under 2 × limit.
			grown := make([]byte, len(sp.mem), min(sp.limit, max(need, 2*cap(sp.mem))))
			copy(grown, sp.mem)
			sp.mem = grown
		}
		sp.mem = append(sp.mem, p...)
		return len(p), nil
	}
	if sp.file == nil {
		if err := sp.toFile(); err != nil {
			return 0, err
		}
	}
	n, err := sp.file.Write(p)
	if err != nil {
		return n, fmt.Errorf("keep the state in a temporary file: %w", err)
	}
	return n, nil
}

func (sp *spool) toFile() error {
	f, err := os.CreateTemp("", "tamp-tfstate-*")
	if err != nil {
		return fmt.Errorf("keep the state in a temporary file: %w", err)
	}
	if os.Remove(f.Name()) != nil {
		sp.remove = f.Name()
	}
	sp.file = f
	if _, err := f.Write(sp.mem); err != nil {
		return fmt.Errorf("keep the state in a temporary file: %w", err)
	}
	sp.mem = nil
	return nil
}

// document is what was written, to read values from.
func (sp *spool) document() io.ReaderAt {
	if sp.file != nil {
		return sp.file
	}
	return bytes.NewReader(sp.mem)
}

func (sp *spool) Close() error {
	sp.mem = nil
	if sp.file == nil {
		return nil
	}
	err := sp.file.Close()
	if sp.remove != "" {
		err = errors.Join(err, os.Remove(sp.remove))
	}
	return err
}

// stateFile reads values from a local state file. A state rewritten in
// place after it was indexed would hand out the wrong bytes at the old
// offsets, so each read first checks that the file's size and modification
// time are still those it had when it was read. (A state replaced by
// renaming a new file over it is no trouble: the open file is the old one.)
type stateFile struct {
	f    *os.File
	size int64
	mod  time.Time
}

func (sf *stateFile) ReadAt(p []byte, off int64) (int, error) {
	info, err := sf.f.Stat()
	if err != nil {
		return 0, err
	}
	if info.Size() != sf.size || !info.ModTime().Equal(sf.mod) {
		return 0, fmt.Errorf("%s changed after tamp read it; run tamp again", sf.f.Name())
	}
	return sf.f.ReadAt(p, off)
}
