package mask

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An escaper turns a value into the text it takes inside a quoted string
// of some syntax, without the delimiters. Every escaper here works one
// character at a time, so a value inside a longer string is escaped to the
// same text as the value alone and masking it finds it there too.
type escaper func(string) string

// nesting are the escapers a value can go through more than once: a
// scheduled task's input is a JSON string holding JSON, printed inside
// JSON; an error quotes a JSON excerpt.
var nesting = []escaper{jsonHTML, jsonPlain, goQuote, jsonnetString}

// once are the escapers a value goes through at most once, last.
var once = []escaper{goQuoteASCII, yamlSingle, shellSingle, shellDouble, url.QueryEscape, url.PathEscape}

// Forms is every text a secret can take in tamp's output: the value
// itself; its escapes in JSON (with and without HTML escaping), Go quoted
// strings, Jsonnet, YAML (double-quoted strings are Go-quoted; single
// quotes doubled; a literal block's lines indented), shell single and
// double quotes and URLs; the JSON-like
// escapes applied twice (JSON inside a JSON string); and the value's
// base64 encodings, which only match the value encoded alone.
func Forms(secret string) []string {
	seen := map[string]bool{}
	var forms []string
	add := func(f string) {
		if f != "" && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	add(secret)
	for _, e := range nesting {
		first := e(secret)
		add(first)
		for _, e2 := range nesting {
			add(e2(first))
		}
		for _, e2 := range once {
			add(e2(first))
		}
	}
	for _, e := range once {
		add(e(secret))
	}
	// a YAML literal block (`|`) writes each line indented.
	if strings.Contains(secret, "\n") {
		for indent := 2; indent <= 16; indent += 2 {
			add(strings.ReplaceAll(secret, "\n", "\n"+strings.Repeat(" ", indent)))
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(secret)))
	}
	return forms
}

// jsonHTML is encoding/json's default escape (`<`, `>`, `&` as \u003c ...).
func jsonHTML(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// jsonPlain is encoding/json with SetEscapeHTML(false), as tamp's own
// JSON output writes strings.
func jsonPlain(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return string(b[1 : len(b)-1])
}

// goQuote is %q and strconv.Quote, and YAML's double-quoted style as
// goccy/go-yaml writes it.
func goQuote(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// goQuoteASCII is %+q.
func goQuoteASCII(s string) string {
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}

// jsonnetString is how go-jsonnet writes a string in its JSON output and
// error messages.
func jsonnetString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func yamlSingle(s string) string { return strings.ReplaceAll(s, "'", "''") }

func shellSingle(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

func shellDouble(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if strings.IndexByte("\\\"$`", c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}
