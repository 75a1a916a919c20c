package tfstate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tamp-ecs/tamp/internal/fixtures"
)

// wantIndex is what the in-memory reader kept for a state: the text of
// each output's value and of each instance's attributes, exactly as the
// document has it (encoding/json's RawMessage is that text), and the
// instance keys in the state's order.
func wantIndex(t *testing.T, doc []byte) (outputs map[string]string, instances map[string]string, keys map[string][]string) {
	t.Helper()
	var state struct {
		Outputs map[string]struct {
			Value json.RawMessage `json:"value"`
		} `json:"outputs"`
		Resources []struct {
			Module, Mode, Type, Name string
			Instances                []struct {
				IndexKey   json.RawMessage `json:"index_key"`
				Attributes json.RawMessage `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(doc, &state); err != nil {
		t.Fatal(err)
	}
	outputs, instances, keys = map[string]string{}, map[string]string{}, map[string][]string{}
	for name, o := range state.Outputs {
		outputs[name] = string(o.Value)
	}
	for _, r := range state.Resources {
		addr := r.Type + "." + r.Name
		if r.Mode == "data" {
			addr = "data." + addr
		}
		if r.Module != "" {
			addr = r.Module + "." + addr
		}
		keys[addr] = []string{}
		for _, in := range r.Instances {
			key := ""
			if in.IndexKey != nil {
				key = canonicalKey(in.IndexKey)
			}
			keys[addr] = append(keys[addr], key)
			instances[addr+"|"+key] = string(in.Attributes)
		}
	}
	return outputs, instances, keys
}

// gotIndex reads back what a State's offsets point at.
func gotIndex(t *testing.T, s *State) (outputs map[string]string, instances map[string]string, keys map[string][]string) {
	t.Helper()
	outputs, instances, keys = map[string]string{}, map[string]string{}, map[string][]string{}
	text := func(sp span) string {
		b, err := s.read(sp)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for name, sp := range s.outputs {
		outputs[name] = text(sp)
	}
	for addr, res := range s.resources {
		keys[addr] = res.keyList()
		for _, key := range keys[addr] {
			sp, ok := res.find(key)
			if !ok {
				t.Errorf("%s: instance %s is listed but not found", addr, key)
			}
			instances[addr+"|"+key] = text(sp)
		}
	}
	return outputs, instances, keys
}

// readers are the ways a state is read: whole in memory, from a file,
// from a stream kept in memory or in a temporary file, and through
// buffers small enough that values straddle them.
func readers(t *testing.T, doc []byte) map[string]*State {
	t.Helper()
	path := filepath.Join(t.TempDir(), "terraform.tfstate")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out := map[string]*State{}
	add := func(name string, s *State, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { s.Close() })
		out[name] = s
	}
	s, err := Parse(doc)
	add("Parse", s, err)
	s, err = ReadFile(path)
	add("ReadFile", s, err)
	s, err = Read(bytes.NewReader(doc))
	add("Read", s, err)
	s, err = readSpooled(bytes.NewReader(doc), 0)
	add("Read to a temporary file", s, err)
	for _, size := range []int{1, 2, 3, 7, 61, 4096} {
		s, err := index(newScanner(bytes.NewReader(doc), size))
		if err == nil {
			s.doc = bytes.NewReader(doc)
		}
		add(fmt.Sprintf("buffer of %d bytes", size), s, err)
	}
	return out
}

// The streamed index points at exactly the text the in-memory reader
// kept, for every state fixture in the tree, however it is read; and
// every address in it looks up the same value.
func TestIndexMatchesDocument(t *testing.T) {
	n := 0
	fixtures.Each(t, func(name string, doc []byte) {
		if !strings.HasSuffix(name, ".tfstate") {
			return
		}
		n++
		t.Run(name, func(t *testing.T) {
			wantOut, wantInst, wantKeys := wantIndex(t, doc)
			states := readers(t, doc)
			for how, s := range states {
				gotOut, gotInst, gotKeys := gotIndex(t, s)
				if diff := cmp.Diff(wantOut, gotOut); diff != "" {
					t.Errorf("%s: outputs (-document +index):\n%s", how, diff)
				}
				if diff := cmp.Diff(wantInst, gotInst); diff != "" {
					t.Errorf("%s: instances (-document +index):\n%s", how, diff)
				}
				if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
					t.Errorf("%s: instance keys (-document +index):\n%s", how, diff)
				}
			}
			whole := states["Parse"]
			for _, addr := range lookupsOf(t, whole) {
				want, wantErr := whole.Lookup(addr)
				for how, s := range states {
					got, err := s.Lookup(addr)
					if !cmp.Equal(want, got) || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
						t.Errorf("%s: Lookup(%s) = %v, %v; in memory %v, %v", how, addr, got, err, want, wantErr)
					}
				}
			}
		})
	}, "testdata", "../testdata", "../config/testdata", "../examples")
	if n < 5 {
		t.Fatalf("found %d state fixtures; the walk missed them", n)
	}
}

// lookupsOf is every address in s and the attributes one level below each.
func lookupsOf(t *testing.T, s *State) []string {
	var out []string
	for _, addr := range s.addresses() {
		out = append(out, addr, addr+".nope")
		v, err := s.Lookup(addr)
		if err != nil {
			continue
		}
		m, _ := v.(map[string]any)
		for k := range m {
			switch {
			case strings.HasPrefix(addr, "output.") || strings.HasSuffix(addr, "]"):
				out = append(out, addr+"["+quoteKey(k)+"]")
			case !strings.ContainsAny(k, `.[]"' `):
				out = append(out, addr+"."+k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Instances are found by key in whatever order the state lists them; a
// key listed twice finds the later instance (as a map of them would).
func TestInstancesFoundInAnyOrder(t *testing.T) {
	keyLists := [][]any{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
		{"b", "a", "c", "a.b]c", "with space", "é", `q"uote`, "a&b<c>", "B", "10", "2"},
		{"a", "b", "a", 3, 1, "3", 3},
		{nil},
	}
	for _, keys := range keyLists {
		var instances []string
		want := map[string]string{}
		for i, k := range keys {
			id := fmt.Sprintf("instance-%d", i)
			if k == nil { // no index_key: a single instance
				instances = append(instances, fmt.Sprintf(`{"attributes": {"id": %q}}`, id))
				want[""] = id
				continue
			}
			key, _ := json.Marshal(k)
			instances = append(instances, fmt.Sprintf(`{"index_key": %s, "attributes": {"id": %q}}`, key, id))
			want[canonicalKey(key)] = id
		}
		doc := `{"version": 4, "resources": [{"type": "t", "name": "r", "instances": [` + strings.Join(instances, ",") + `]}]}`
		s, err := Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		res := s.resources["t.r"]
		for key, id := range want {
			sp, ok := res.find(key)
			if !ok {
				t.Errorf("%v: key %s not found", keys, key)
				continue
			}
			b, _ := s.read(sp)
			if got := string(b); got != fmt.Sprintf(`{"id": %q}`, id) {
				t.Errorf("%v: key %s finds %s, want %s", keys, key, got, id)
			}
		}
		for _, missing := range []string{"99", `"zz"`, `"0"`, "-1", ""} {
			if _, in := want[missing]; in {
				continue
			}
			if _, ok := res.find(missing); ok {
				t.Errorf("%v: key %s found", keys, missing)
			}
		}
		if len(res.keyList()) != len(keys) {
			t.Errorf("%v: keyList = %v", keys, res.keyList())
		}
	}
}
