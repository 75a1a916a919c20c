package tfstate

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
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

// readThrough indexes doc through a scanner whose buffer holds size bytes,
// so every value, key and escape lands across buffer boundaries somewhere.
func readThrough(t testing.TB, doc string, size int) (*State, error) {
	t.Helper()
	st, err := index(newScanner(strings.NewReader(doc), size))
	if err != nil {
		return nil, err
	}
	st.doc = strings.NewReader(doc)
	return st, nil
}

// trickyDoc holds strings that end in backslashes, escaped quotes next to
// brackets and escapes, in keys, index keys, attributes and outputs.
const trickyDoc = `{"version": 4, "outputs": {"o\\ut": {"value": "\\\"}]\\"}, "plain": {"value": [1, {"a": "]"}]}},
  "resources": [
  {"mode": "managed", "type": "t", "name": "a", "instances": [{"attributes": {
    "quote": "say \"hi\" }]", "backslash": "C:\\dir\\", "both": "\\\"}", "nested": [[{"x": "]"}], {}],
    "num": -1.5e3, "t": true, "n": null, "unicode": "\u00e9\ud83d\ude00", "odd": {"ke\\y\"": "k"},
    "runs": "\\\\\\\\\"\\\\", "slash": {"\\": "\"\\"}}}]},
  {"mode": "managed", "type": "t", "name": "m", "each": "map", "instances": [
    {"index_key": "a\\\"b", "attributes": {"id": "escaped key"}},
    {"index_key": "plain", "attributes": {"id": "plain key"}},
    {"index_key": "ünï", "attributes": {"id": "non-ASCII key"}}]},
  {"mode": "data", "type": "t", "name": "b", "instances": [{"attributes": {"id": "after"}}]}]}`

var trickyLookups = map[string]any{
	"t.a.quote":          `say "hi" }]`,
	"t.a.backslash":      `C:\dir\`,
	"t.a.both":           `\"}`,
	"t.a.nested[0][0].x": "]",
	"t.a.num":            -1500.0,
	"t.a.t":              true,
	"t.a.n":              nil,
	"t.a.unicode":        "é😀",
	`t.a.odd["ke\\y\""]`: "k",
	"t.a.runs":           `\\\\"\\`,
	`t.a.slash["\\"]`:    `"\`,
	`t.m["a\\\"b"].id`:   "escaped key",
	`t.m['plain'].id`:    "plain key",
	`t.m["ünï"].id`:      "non-ASCII key",
	`output.o\ut`:        `\"}]\`,
	"output.plain[1].a":  "]",
	"data.t.b.id":        "after",
}

// Values and keys that straddle the buffer read the same as when the whole
// document is in memory, whatever the buffer's size.
func TestScannerAcrossBufferBoundaries(t *testing.T) {
	whole, err := Parse([]byte(trickyDoc))
	if err != nil {
		t.Fatal(err)
	}
	for size := 1; size <= 70; size++ {
		s, err := readThrough(t, trickyDoc, size)
		if err != nil {
			t.Fatalf("buffer of %d bytes: %v", size, err)
		}
		if diff := cmp.Diff(whole.addresses(), s.addresses()); diff != "" {
			t.Errorf("buffer of %d bytes: addresses (-whole +streamed):\n%s", size, diff)
		}
		for addr, want := range trickyLookups {
			got, err := s.Lookup(addr)
			if err != nil || !cmp.Equal(got, want) {
				t.Errorf("buffer of %d bytes: Lookup(%s) = %#v, %v; want %#v", size, addr, got, err, want)
			}
		}
	}
}

// A string of backslashes and quotes put at every offset relative to the
// buffer's end: an escape whose backslash ends one read and whose quote
// starts the next is still an escape.
func TestScannerEscapeSplitByRead(t *testing.T) {
	for _, value := range []string{`\\`, `\"`, `\\\"`, `\\\\`, `x\\\\\"\\`, `\u0022\\`} {
		for pad := range 12 {
			key := "k" + strings.Repeat("p", pad)
			doc := `{"version":4,"resources":[{"type":"t","name":"n","instances":[{"attributes":{"` +
				key + `":"` + value + `","after":"end"}}]}]}`
			var want string
			if err := json.Unmarshal([]byte(`"`+value+`"`), &want); err != nil {
				t.Fatal(err)
			}
			for _, size := range []int{1, 2, 3, 4, 5, 8} {
				s, err := readThrough(t, doc, size)
				if err != nil {
					t.Fatalf("%s, buffer %d: %v", doc, size, err)
				}
				if got, err := s.Lookup("t.n." + key); err != nil || got != want {
					t.Errorf("%s, buffer %d: value = %#v, %v; want %#v", doc, size, got, err, want)
				}
				if got, err := s.Lookup("t.n.after"); err != nil || got != "end" {
					t.Errorf("%s, buffer %d: after = %#v, %v", doc, size, got, err)
				}
			}
		}
	}
}

// A broken document is reported at the same offset however it is read:
// offsets count from the start of the document, not of the buffer.
func TestScannerErrorOffsetsAreAbsolute(t *testing.T) {
	for _, doc := range []string{
		`{"version": 4, "resources": [{"type": "t", "name" "a"}]}`,
		`{"version": 4, "resources": [{"type": "t", "name": "a", "instances": [{"attributes": {"id": "x"}} {}]}]}`,
		`{"version": 4, "outputs": {"o": {"value": [1, 2}}}, "resources": [{"type": "t", "name": "a", "instances": [{"attributes": {"id": "x`,
		`{"version": 4.5}`,
		`{"version": 4, "resources": [{"type": ` + "\x00" + `}]}`,
		`  ["version", 4]`,
	} {
		_, want := Parse([]byte(doc))
		if want == nil || !strings.Contains(want.Error(), "at offset") && !strings.Contains(want.Error(), "not a Terraform state") {
			t.Fatalf("Parse(%q) = %v, want an error with an offset", doc, want)
		}
		for _, size := range []int{1, 3, 7, 64} {
			if _, err := readThrough(t, doc, size); err == nil || err.Error() != want.Error() {
				t.Errorf("%q through %d bytes: %v; in memory: %v", doc, size, err, want)
			}
		}
	}
}

// Every truncation is refused through a small buffer too, and as not a
// state (the reader itself reported no error).
func TestScannerRejectsTruncatedStream(t *testing.T) {
	full := `{"version": 4, "resources": [{"type": "t", "name": "a", "instances": [{"attributes": {"id": "x\"y"}}]}]}`
	for i := 1; i < len(full); i++ {
		for _, size := range []int{1, 4, 16} {
			_, err := readThrough(t, full[:i], size)
			if err == nil || !strings.HasPrefix(err.Error(), "not a Terraform state: ") {
				t.Errorf("%q through %d bytes: %v", full[:i], size, err)
			}
		}
	}
}

// A reader that fails mid-document is a read error (worth reading again),
// not a document that is not a state.
func TestScannerReadErrorIsNotADocumentError(t *testing.T) {
	r := io.MultiReader(strings.NewReader(trickyDoc[:100]), iotest.ErrReader(io.ErrUnexpectedEOF))
	_, err := index(newScanner(r, 16))
	if _, ok := errors.AsType[*readError](err); !ok || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("index = %v, want a read error wrapping io.ErrUnexpectedEOF", err)
	}
}
