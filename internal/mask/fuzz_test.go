package mask_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/google/go-jsonnet"

	"github.com/tamp-ecs/tamp/internal/mask"
)

// encodings are the real encoders whose output tamp prints, each applied
// to a document holding the value inside a longer string.
var encodings = map[string]func(string) (string, error){
	"encoding/json": func(s string) (string, error) {
		b, err := json.Marshal(map[string]string{"k": "pre " + s + " post"})
		return string(b), err
	},
	"json, no HTML escaping": func(s string) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err := enc.Encode([]string{"pre" + s + "post"})
		return buf.String(), err
	},
	"json in json": func(s string) (string, error) {
		inner, err := json.Marshal(map[string]string{"v": s + "!"})
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(map[string]string{"input": string(inner)})
		return string(b), err
	},
	"%q": func(s string) (string, error) { return strconv.Quote("x" + s + "x"), nil },
	"yaml": func(s string) (string, error) {
		b, err := yaml.Marshal(map[string]string{"k": s + ": x"})
		return string(b), err
	},
	"jsonnet": func(s string) (string, error) {
		vm := jsonnet.MakeVM()
		vm.ExtVar("s", s)
		return vm.EvaluateAnonymousSnippet("x.jsonnet", `{ k: "<" + std.extVar("s") + ">" }`)
	},
}

// FuzzMask: a value masked in each real encoder's output is gone from it,
// and a Writer fed the output in pieces writes what Mask does.
func FuzzMask(f *testing.F) {
	for _, s := range []string{`p&ss"w0rd`, "a\nb", `<\>&`, "\u2028\u0085", "x"} {
		f.Add(s, uint(3))
	}
	f.Fuzz(func(t *testing.T, secret string, chunk uint) {
		if len(secret) < 2 || !utf8.ValidString(secret) {
			t.Skip()
		}
		m := mask.New(false)
		m.Add(secret)
		for name, enc := range encodings {
			out, err := enc(secret)
			if err != nil {
				continue
			}
			masked := m.Mask(out)
			for _, piece := range strings.Split(masked, mask.Placeholder) {
				if strings.Contains(piece, secret) {
					t.Fatalf("%s: %q masked is %q, which still holds the secret", name, out, masked)
				}
			}
			if !strings.Contains(masked, mask.Placeholder) {
				t.Fatalf("%s: %q masked is %q: the value's form was not found", name, out, masked)
			}
			var buf bytes.Buffer
			w := m.Writer(&buf)
			n := int(chunk%7) + 1
			for i := 0; i < len(out); i += n {
				w.Write([]byte(out[i:min(i+n, len(out))]))
			}
			w.Flush()
			if buf.String() != masked {
				t.Fatalf("%s: written in pieces of %d: %q, Mask: %q", name, n, buf.String(), masked)
			}
		}
	})
}
