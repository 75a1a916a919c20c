// Package e2e runs the built tamp binary against moto, the open-source AWS
// emulator, through a proxy that counts API calls per operation and gives
// every test its own AWS account. The test scripts live in testdata/script
// at the repository root; the harness is a package so benchmarks can use it.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Moto is a moto server process on 127.0.0.1.
type Moto struct {
	URL string
	cmd *exec.Cmd
	out *lockedBuffer
}

// StartMoto starts moto's server on a free loopback port and waits until
// it answers: `python3 launcher` when launcher names our launcher script
// (motoserver.py), else `python3 -m moto.server`. The error says why it
// could not start, with the server's own output.
func StartMoto(ctx context.Context, launcher string) (*Moto, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	out := &lockedBuffer{}
	args := []string{"-m", "moto.server"}
	if launcher != "" {
		args = []string{launcher}
	}
	cmd := exec.Command("python3", append(args, "-H", "127.0.0.1", "-p", strconv.Itoa(port))...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto (python3 -m moto.server): %w; the e2e tests need python3 with moto installed", err)
	}
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, out: out}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for {
		if resp, err := http.Get(m.URL + "/moto-api/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("moto exited before answering (%v); its output:\n%s", err, out.String())
		case <-deadline.C:
			m.Stop()
			return nil, fmt.Errorf("moto did not answer on %s within 60s; its output:\n%s", m.URL, out.String())
		case <-ctx.Done():
			m.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Reset drops every resource in every account.
func (m *Moto) Reset() error {
	resp, err := http.Post(m.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto reset: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop ends the server and its children.
func (m *Moto) Stop() {
	if m.cmd.Process != nil {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
