package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	jsv "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/scheduled"
)

func committed(name string) string {
	return filepath.Join("..", "..", "schema", name+".json")
}

// TestCommitted regenerates the schemas and compares them with
// schema/*.json; TAMP_UPDATE_GOLDEN=1 (make golden) rewrites the files.
func TestCommitted(t *testing.T) {
	for _, name := range Names() {
		got, err := JSON(name)
		if err != nil {
			t.Fatal(err)
		}
		path := committed(name)
		if os.Getenv("TAMP_UPDATE_GOLDEN") != "" {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run make golden to write it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what the Go types generate; run make golden and commit it", path)
		}
	}
}

// compile compiles the committed schema named.
func compile(t *testing.T, name string) *jsv.Schema {
	t.Helper()
	c := jsv.NewCompiler()
	data, err := os.ReadFile(committed(name))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsv.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	id := ConfigID
	if name == "scheduled" {
		id = ScheduledID
	}
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("%s does not compile as a JSON Schema: %v", name, err)
	}
	return s
}

func TestDraft202012(t *testing.T) {
	for _, name := range Names() {
		data, err := JSON(name)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			Schema string `json:"$schema"`
			ID     string `json:"$id"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			t.Fatal(err)
		}
		if head.Schema != "https://json-schema.org/draft/2020-12/schema" || !strings.HasSuffix(head.ID, "/schema/"+name+".json") {
			t.Errorf("%s: $schema %q, $id %q", name, head.Schema, head.ID)
		}
		compile(t, name)
	}
	if _, err := JSON("nope"); err == nil {
		t.Error("JSON(nope) gave a schema")
	}
}

// ownTypes are the structs tamp defines that the schemas describe (any
// struct of this module reachable from config.Config or scheduled.Task),
// with the tag their keys come from.
func ownTypes() map[reflect.Type]string {
	out := map[reflect.Type]string{}
	var walk func(t reflect.Type, tag string)
	walk = func(t reflect.Type, tag string) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || !strings.HasPrefix(t.PkgPath(), "github.com/tamp-ecs/tamp/") {
			return
		}
		if _, done := out[t]; done {
			return
		}
		out[t] = tag
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && f.Tag.Get(tag) != "-" {
				walk(f.Type, tag)
			}
		}
	}
	walk(reflect.TypeFor[config.Config](), "yaml")
	walk(reflect.TypeFor[scheduled.Task](), "json")
	delete(out, reflect.TypeFor[config.Duration]()) // a string or a number, not an object
	return out
}

// decodedKeys are the keys the decoders take for t: the yaml tags the
// strict YAML decode of the config reads, or the names awsjson decodes
// a scheduled task's fields by.
func decodedKeys(t reflect.Type, tag string) []string {
	if tag == "json" {
		return awsjson.FieldsOf(t).Names()
	}
	var keys []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

func definition(t *testing.T, s *jsonschema.Schema, name string) *jsonschema.Schema {
	t.Helper()
	if name == "Config" {
		return s
	}
	d, ok := s.Definitions[name]
	if !ok {
		t.Fatalf("no definition %s", name)
	}
	return d
}

// TestKeysAreTheDecoders: every definition of our types has exactly the
// keys its decoder takes (less those tamp sets itself), each described.
func TestKeysAreTheDecoders(t *testing.T) {
	cfg := Config()
	for typ, tag := range ownTypes() {
		def := definition(t, cfg, typ.Name())
		var got []string
		for k, prop := range def.Properties.FromOldest() {
			got = append(got, k)
			if prop.Description == "" {
				t.Errorf("%s.%s has no description", typ.Name(), k)
			}
		}
		want := decodedKeys(typ, tag)
		if typ == reflect.TypeFor[scheduled.Task]() {
			want = slices.DeleteFunc(want, func(k string) bool { return slices.Contains(setByTamp(), k) })
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: schema keys %q, decoder keys %q", typ.Name(), got, want)
		}
		if def.Description == "" {
			t.Errorf("%s has no description", typ.Name())
		}
	}
	// The descriptions name no key that is not there.
	for typ, keys := range descriptions() {
		tag, ok := ownTypes()[typ]
		if !ok {
			t.Errorf("descriptions for %s, which no schema describes", typ)
			continue
		}
		for k := range keys {
			if k != "" && !slices.Contains(decodedKeys(typ, tag), k) {
				t.Errorf("a description for %s.%s, which is no key", typ.Name(), k)
			}
		}
	}
}

// TestSetByTampIsRefused: the keys left out of the task schema are ones
// scheduled.Validate refuses in a config.
func TestSetByTampIsRefused(t *testing.T) {
	for _, k := range setByTamp() {
		var task scheduled.Task
		if err := awsjson.Decode(map[string]any{"name": "a", "schedule": "rate(1 hour)", "task_definition": "td", k: json.Number("1")}, &task); err != nil {
			if err := awsjson.Decode(map[string]any{"name": "a", "schedule": "rate(1 hour)", "task_definition": "td", k: "x"}, &task); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
		}
		errs := scheduled.Validate([]*scheduled.Task{&task}, config.BackendScheduler, func(string) ([]string, bool) { return nil, false })
		found := false
		for _, err := range errs {
			found = found || strings.Contains(err.Error(), ": "+k+": ")
		}
		if !found {
			t.Errorf("a task setting %s passes scheduled.Validate (%v); then the schema should take it", k, errs)
		}
	}
}

// TestModelines: the examples' yaml-language-server lines name a
// committed schema, the config one for configs.
func TestModelines(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
		if !ok {
			continue
		}
		found++
		target := filepath.Join(filepath.Dir(f), ref)
		if _, err := os.Stat(target); err != nil {
			t.Errorf("%s: $schema=%s: %v", f, ref, err)
		}
		want := "config.json"
		if !looksLikeConfig(f, data) {
			want = "scheduled.json"
		}
		if filepath.Base(ref) != want {
			t.Errorf("%s: $schema=%s, want %s", f, ref, want)
		}
	}
	if found == 0 {
		t.Error("no example carries a yaml-language-server line")
	}
}
