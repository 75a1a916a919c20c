package tfstate

import (
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
// holds: no panic. The seeds are the tree's state fixtures.
func FuzzParse(f *testing.F) {
	fixtures.Each(f, func(name string, data []byte) {
		if strings.HasSuffix(name, ".tfstate") {
			f.Add(data)
		}
	}, "testdata", "../testdata", "../config/testdata")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		for _, addr := range s.addresses() {
			if v, err := s.Lookup(addr); err == nil {
				_ = String(v)
			}
		}
	})
}
