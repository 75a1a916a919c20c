package tfstate

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/internal/fixtures"
)

// addressText finds state addresses as the fixtures and tests write them:
// in tfstate / tfstatef template calls and native calls, and quoted in Go.
var addressText = regexp.MustCompile("tfstatef? [\"`]([^\"`]+)[\"`]|native\\('tfstate'\\)\\('([^']+)'\\)|\"((?:module|data|output|aws_)[^\"]*)\"")

// FuzzLookup parses an address and looks it up in the fixture state: no
// panic, and every miss names the address. The seeds are every address
// the state holds (with attributes) and every one the fixtures and tests
// write.
func FuzzLookup(f *testing.F) {
	s, err := ReadFile("testdata/terraform.tfstate")
	if err != nil {
		f.Fatal(err)
	}
	for _, addr := range s.addresses() {
		for _, suffix := range []string{"", ".id", ".arn", ".tags.Name", "[0]", `["a"]`, ".value"} {
			f.Add(addr + suffix)
		}
	}
	fixtures.Each(f, func(_ string, data []byte) {
		for _, m := range addressText.FindAllStringSubmatch(string(data), -1) {
			f.Add(m[1] + m[2] + m[3])
		}
	}, ".", "../testdata", "../config/testdata")
	f.Fuzz(func(t *testing.T, addr string) {
		v, err := s.Lookup(addr)
		if err != nil {
			if !strings.Contains(err.Error(), addr) {
				t.Fatalf("Lookup(%q): the error does not name the address: %v", addr, err)
			}
			return
		}
		_ = String(v)
	})
}

// FuzzParse reads a state file's bytes and looks up every address it
// holds: no panic. Read through a buffer of a few bytes, the same bytes
// give the same error or the same addresses and values. The seeds are
// the tree's state fixtures.
func FuzzParse(f *testing.F) {
	fixtures.Each(f, func(name string, data []byte) {
		if strings.HasSuffix(name, ".tfstate") {
			f.Add(data)
		}
	}, "testdata", "../testdata", "../config/testdata")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		streamed, serr := index(newScanner(bytes.NewReader(data), 5))
		if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
			t.Fatalf("in memory: %v; through a 5-byte buffer: %v", err, serr)
		}
		if err != nil {
			return
		}
		streamed.doc = bytes.NewReader(data)
		if a, b := strings.Join(s.addresses(), "\n"), strings.Join(streamed.addresses(), "\n"); a != b {
			t.Fatalf("addresses in memory:\n%s\nthrough a 5-byte buffer:\n%s", a, b)
		}
		for _, addr := range s.addresses() {
			v, err := s.Lookup(addr)
			sv, serr := streamed.Lookup(addr)
			if (err == nil) != (serr == nil) || err == nil && String(v) != String(sv) {
				t.Fatalf("Lookup(%s): in memory %v, %v; through a 5-byte buffer %v, %v", addr, v, err, sv, serr)
			}
		}
	})
}
