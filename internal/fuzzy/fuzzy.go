// Package fuzzy finds the names nearest to a misspelled one, for "did you
// mean" hints in error messages.
package fuzzy

import (
	"sort"
	"strings"
)

// Distance is the Levenshtein edit distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Nearest returns up to max candidates close enough to word to be a
// plausible typo, nearest first, ignoring case. A candidate that extends
// word with an index ("name[0]" for "name") counts as near.
func Nearest(word string, candidates []string, max int) []string {
	type scored struct {
		s string
		d int
	}
	lw := strings.ToLower(word)
	limit := len(word)/3 + 2
	var hits []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(lw, lc)
		if strings.HasPrefix(lc, lw+"[") {
			d = 1
		}
		if d <= limit {
			hits = append(hits, scored{c, d})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].d != hits[j].d {
			return hits[i].d < hits[j].d
		}
		return hits[i].s < hits[j].s
	})
	out := []string{}
	for i := 0; i < len(hits) && i < max; i++ {
		out = append(out, hits[i].s)
	}
	return out
}
