// Package mask keeps secret values (from SecureString parameters and
// secrets) out of everything tamp prints. Every output path writes through
// one Masker.
package mask

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"
)

// Placeholder replaces a secret in output.
const Placeholder = "(sensitive)"

// Masker replaces registered secret values with Placeholder.
type Masker struct {
	mu      sync.RWMutex
	show    bool
	secrets []string // longest first, so a secret containing another is masked whole
}

// New returns a Masker; show disables masking (--show-secrets).
func New(show bool) *Masker { return &Masker{show: show} }

// Add registers a secret value, and its JSON-escaped form, which is how it
// appears inside rendered JSON.
func (m *Masker) Add(secret string) {
	if secret == "" {
		return
	}
	forms := []string{secret}
	if b, err := json.Marshal(secret); err == nil {
		if esc := string(b[1 : len(b)-1]); esc != secret {
			forms = append(forms, esc)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.secrets = append(m.secrets, forms...)
	sort.SliceStable(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
}

// Mask returns s with every registered secret replaced.
func (m *Masker) Mask(s string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.show {
		return s
	}
	for _, secret := range m.secrets {
		s = strings.ReplaceAll(s, secret, Placeholder)
	}
	return s
}

// Writer masks what is written to w. Each Write is masked on its own, so
// callers write whole lines or documents, never a value split in pieces.
func (m *Masker) Writer(w io.Writer) io.Writer { return &writer{m: m, w: w} }

type writer struct {
	m *Masker
	w io.Writer
}

func (mw *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(mw.w, mw.m.Mask(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
