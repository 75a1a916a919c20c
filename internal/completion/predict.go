package completion

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files predicts paths: the directories and files (those with one of
// exts, or any without exts) in the directory prefix names, written as
// prefix writes them; a directory ends with a slash so completion goes on
// into it. Hidden entries are offered once their name's dot is typed.
func Files(exts ...string) Predictor {
	return func(_ Line, prefix string) []Candidate {
		dir, base := filepath.Split(prefix)
		read := dir
		if read == "" {
			read = "."
		}
		entries, err := os.ReadDir(read)
		if err != nil {
			return nil
		}
		var out []Candidate
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
				continue
			}
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				if st, err := os.Stat(filepath.Join(read, name)); err == nil {
					isDir = st.IsDir()
				}
			}
			switch {
			case isDir:
				out = append(out, Candidate{Value: dir + name + "/"})
			case len(exts) == 0 || slices.Contains(exts, strings.ToLower(filepath.Ext(name))):
				out = append(out, Candidate{Value: dir + name})
			}
		}
		return out
	}
}

// CommaList predicts a comma-separated list of p's values (--only a,b):
// the item after the last comma is completed, and items the list already
// holds are not offered again.
func CommaList(p Predictor) Predictor {
	return func(line Line, prefix string) []Candidate {
		head, last := "", prefix
		if i := strings.LastIndex(prefix, ","); i >= 0 {
			head, last = prefix[:i+1], prefix[i+1:]
		}
		given := strings.Split(strings.TrimSuffix(head, ","), ",")
		var out []Candidate
		for _, c := range p(line, last) {
			if !slices.Contains(given, c.Value) {
				out = append(out, Candidate{head + c.Value, c.Description})
			}
		}
		return out
	}
}
