// Package mask keeps secret values (from SecureString parameters and
// secrets) out of everything tamp prints. Every output path writes through
// one Masker.
package mask

import (
	"io"
	"sort"
	"strings"
	"sync"
)

// Placeholder replaces a secret in output.
const Placeholder = "(sensitive)"

// Masker replaces registered secret values, in every form tamp can print
// them in, with Placeholder.
type Masker struct {
	mu    sync.RWMutex
	show  bool
	seen  map[string]bool
	forms []string // every form of every secret, longest first
}

// New returns a Masker; show disables masking (--show-secrets).
func New(show bool) *Masker { return &Masker{show: show, seen: map[string]bool{}} }

// Add registers a secret value with every encoding of it that an output
// can hold (see Forms).
func (m *Masker) Add(secret string) {
	if secret == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[secret] {
		return
	}
	m.seen[secret] = true
	known := map[string]bool{}
	for _, f := range m.forms {
		known[f] = true
	}
	for _, f := range Forms(secret) {
		if !known[f] {
			known[f] = true
			m.forms = append(m.forms, f)
		}
	}
	sort.SliceStable(m.forms, func(i, j int) bool { return len(m.forms[i]) > len(m.forms[j]) })
}

// Mask returns s with every registered secret replaced.
func (m *Masker) Mask(s string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.show || len(m.forms) == 0 {
		return s
	}
	out, _ := m.replace(s, len(s))
	return out
}

// replace masks the matches in s that start before cut and returns the
// masked text and how much of s it covers: everything before cut, and the
// whole of a match that starts before cut. At any position the longest
// form wins, so a secret containing another is masked whole. m.mu is held.
func (m *Masker) replace(s string, cut int) (string, int) {
	next := make([]int, len(m.forms)) // where each form occurs next, at or after pos; -1: nowhere
	for i, f := range m.forms {
		next[i] = strings.Index(s, f)
	}
	var b strings.Builder
	pos := 0
	for {
		start, length := -1, 0
		for i, f := range m.forms {
			if next[i] >= 0 && next[i] < pos {
				if j := strings.Index(s[pos:], f); j >= 0 {
					next[i] = pos + j
				} else {
					next[i] = -1
				}
			}
			// forms are longest first: at the same start the first one found wins.
			if n := next[i]; n >= 0 && (start < 0 || n < start) {
				start, length = n, len(f)
			}
		}
		if start < 0 || start >= cut {
			if pos < cut {
				b.WriteString(s[pos:cut])
				pos = cut
			}
			return b.String(), pos
		}
		b.WriteString(s[pos:start])
		b.WriteString(Placeholder)
		pos = start + length
	}
}

// held is how much of the end of s could be the start of a form: text that
// must wait for the next write before it can be masked. m.mu is held.
func (m *Masker) held(s string) int {
	hold := 0
	for _, f := range m.forms {
		// the longest proper prefix of f that s ends with.
		from := len(s) - (len(f) - 1)
		if from < 0 {
			from = 0
		}
		for i := from; i < len(s) && len(s)-i > hold; i++ {
			if s[i] == f[0] && strings.HasPrefix(f, s[i:]) {
				hold = len(s) - i
				break
			}
		}
	}
	return hold
}

// prefixOfForm tells s is a proper prefix of a form. m.mu is held.
func (m *Masker) prefixOfForm(s string) bool {
	for _, f := range m.forms {
		if len(f) > len(s) && f[:len(s)] == s {
			return true
		}
	}
	return false
}

// Writer masks what is written to w. A secret may be split over several
// writes: text that could be the start of one is held back until the next
// write shows what it is, or until Flush. Call Flush when done.
func (m *Masker) Writer(w io.Writer) *Writer { return &Writer{m: m, w: w} }

// Writer is a masking io.Writer; see Masker.Writer.
type Writer struct {
	m       *Masker
	w       io.Writer
	mu      sync.Mutex
	pending string
}

func (mw *Writer) Write(p []byte) (int, error) {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	mw.m.mu.RLock()
	if mw.m.show || (len(mw.m.forms) == 0 && mw.pending == "") {
		mw.m.mu.RUnlock()
		if _, err := mw.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	s := mw.pending + string(p)
	if mw.m.prefixOfForm(s) {
		// All of it may be the start of a secret: nothing can be written
		// yet (the common case while a long secret arrives in pieces).
		mw.m.mu.RUnlock()
		mw.pending = s
		return len(p), nil
	}
	out, done := mw.m.replace(s, len(s)-mw.m.held(s))
	mw.m.mu.RUnlock()
	mw.pending = s[done:]
	if out != "" {
		if _, err := io.WriteString(mw.w, out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes the text held back, masked.
func (mw *Writer) Flush() error {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	if mw.pending == "" {
		return nil
	}
	out := mw.m.Mask(mw.pending)
	mw.pending = ""
	_, err := io.WriteString(mw.w, out)
	return err
}
