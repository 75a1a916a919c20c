package tfstate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// writeLargeState writes a state shaped like a real one (indented as
// Terraform writes it) with resources × 20 count instances of about 4 KB
// of attributes each, and returns its path and size.
func writeLargeState(tb testing.TB, resources int) (string, int64) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "large.tfstate")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"version": 4, "terraform_version": "1.9.5", "serial": 1, "lineage": "test",
  "outputs": {"vpc_id": {"value": "vpc-1", "type": "string"}},
  "resources": [`)
	for r := range resources {
		var instances []any
		for i := range 20 {
			var rules []any
			for g := range 8 {
				rules = append(rules, map[string]any{
					"from_port": 1000 + g, "to_port": 1000 + g, "protocol": "tcp", "self": false,
					"cidr_blocks": []string{fmt.Sprintf("10.%d.%d.0/24", g, i)}, "description": fmt.Sprintf("rule \"%d\" of %d\\", g, i),
					"ipv6_cidr_blocks": []string{}, "prefix_list_ids": []string{}, "security_groups": []string{},
				})
			}
			instances = append(instances, map[string]any{"index_key": i, "schema_version": 1, "attributes": map[string]any{
				"id": fmt.Sprintf("sg-%d-%d", r, i), "name": fmt.Sprintf("svc-%d-%d", r, i), "ingress": rules,
				"tags": map[string]string{"Name": fmt.Sprintf("sg-%d-%d", r, i)},
			}})
		}
		b, err := json.MarshalIndent(map[string]any{
			"module": "module.svc", "mode": "managed", "type": "aws_security_group", "name": fmt.Sprintf("r%d", r),
			"each": "list", "instances": instances,
		}, "    ", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		if r > 0 {
			w.WriteString(",")
		}
		w.WriteString("\n    ")
		w.Write(b)
	}
	w.WriteString("\n  ]\n}\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	info, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, info.Size()
}

// heap is the live heap after a collection, and what was allocated in all.
func heap() (live, total uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.TotalAlloc
}

// A State holds offsets into the state, not its text: after reading a
// state of several megabytes, the heap it keeps is a small fraction of
// the file, and reading it allocated little more than that (no copy of
// the document along the way). Both ReadFile and a stream spooled to a
// temporary file.
func TestStateHoldsOffsetsNotText(t *testing.T) {
	path, size := writeLargeState(t, 100) // 2,000 instances, about 8 MB
	if size < 6<<20 {
		t.Fatalf("the generated state has %d bytes, want several MB", size)
	}
	read := map[string]func() (*State, error){
		"ReadFile": func() (*State, error) { return ReadFile(path) },
		"Read": func() (*State, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return Read(f)
		},
	}
	for how, read := range read {
		t.Run(how, func(t *testing.T) {
			live0, total0 := heap()
			s, err := read()
			if err != nil {
				t.Fatal(err)
			}
			live1, total1 := heap()
			kept, allocated := int64(live1)-int64(live0), int64(total1-total0)
			t.Logf("%d-byte state: %d bytes kept, %d allocated while reading", size, kept, allocated)
			if kept > size/20 {
				t.Errorf("the State keeps %d bytes of the heap for a %d-byte state; want at most %d (offsets, not text)", kept, size, size/20)
			}
			if allocated > size/4 {
				t.Errorf("reading a %d-byte state allocated %d bytes; want at most %d (a fixed buffer, no copy of the document)", size, allocated, size/4)
			}
			if v, err := s.Lookup("module.svc.aws_security_group.r99[19].ingress[7].description"); err != nil || v != `rule "7" of 19\` {
				t.Errorf("Lookup = %#v, %v", v, err)
			}
			runtime.KeepAlive(s)
			s.Close()
		})
	}
}

func BenchmarkReadFile(b *testing.B) {
	path, size := writeLargeState(b, 100)
	b.SetBytes(size)
	for b.Loop() {
		s, err := ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkLookup(b *testing.B) {
	path, _ := writeLargeState(b, 100)
	s, err := ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.Lookup("module.svc.aws_security_group.r50[7].tags.Name"); err != nil {
			b.Fatal(err)
		}
	}
}
