package tfstate

import (
	"strings"
	"testing"
)

// Values the scanner skips must end exactly where encoding/json says they
// end, whatever their strings hold.
func TestScannerSkipsTrickyValues(t *testing.T) {
	doc := `{"version": 4, "resources": [
	  {"mode": "managed", "type": "t", "name": "a", "instances": [{"attributes": {
	    "quote": "say \"hi\" }]", "backslash": "C:\\dir\\", "both": "\\\"}", "nested": [[{"x": "]"}], {}],
	    "num": -1.5e3, "t": true, "n": null, "unicode": "\u00e9\ud83d\ude00"}}]},
	  {"mode": "data", "type": "t", "name": "b", "instances": [{"attributes": {"id": "after"}}]}]}`
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]any{
		"t.a.quote":          `say "hi" }]`,
		"t.a.backslash":      `C:\dir\`,
		"t.a.both":           `\"}`,
		"t.a.nested[0][0].x": "]",
		"t.a.num":            -1500.0,
		"t.a.t":              true,
		"t.a.unicode":        "é😀",
		"data.t.b.id":        "after",
	} {
		got, err := s.Lookup(addr)
		if err != nil || got != want {
			t.Errorf("Lookup(%s) = %#v, %v; want %#v", addr, got, err, want)
		}
	}
}

func TestScannerRejectsTruncatedInput(t *testing.T) {
	full := `{"version": 4, "resources": [{"type": "t", "name": "a", "instances": [{"attributes": {"id": "x\"y"}}]}]}`
	for i := 1; i < len(full); i++ {
		if _, err := Parse([]byte(full[:i])); err == nil {
			t.Errorf("Parse accepted the truncated document %q", full[:i])
		}
	}
	if _, err := Parse([]byte(full)); err != nil {
		t.Fatalf("the whole document: %v", err)
	}
	if _, err := Parse([]byte(strings.Replace(full, `"name": "a"`, `"name" "a"`, 1))); err == nil {
		t.Error("a missing colon was accepted")
	}
}
