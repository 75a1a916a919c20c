package schema

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/rogpeppe/go-internal/txtar"
	jsv "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/scheduled"
)

// A fixture config is checked against tamp's own decoders:
//
//   - when tamp reads it (config.Peek decodes it and config.Validate
//     passes), the config schema takes it as tamp renders it, and takes
//     it as written (what an editor sees) when that is YAML or JSON;
//   - when tamp's decoder names an unknown key, the schema refuses that
//     key on the same line;
//   - the same for its scheduled tasks: the unknown keys scheduled.Load
//     names are exactly those the schemas refuse (the scheduled schema
//     for a tasks_file, the config schema for inline tasks and defaults);
//   - a config without templates that tamp cannot read (empty, a wrong
//     type, an unknown plugin) the schema refuses too.
//
// Fixtures that fail for other reasons (a missing file, a duplicate name,
// a schedule expression) are not the schema's business and are counted.

// fixture is one config to check, on disk (txtar archives unpacked).
type fixture struct {
	name string // for messages: the archive or the repository path
	path string
}

var repo = filepath.Join("..", "..")

// configFixtures are the configs under examples/, testdata/ and
// config/testdata, and those inside testdata/script/*.txtar.
func configFixtures(t *testing.T) []fixture {
	t.Helper()
	var out []fixture
	named := scriptConfigs(t)
	for _, dir := range []string{"examples", "testdata", filepath.Join("config", "testdata")} {
		err := filepath.WalkDir(filepath.Join(repo, dir), func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "golden" {
				return filepath.SkipDir // tamp's output, not configs
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(repo, path)
			if strings.HasSuffix(path, ".txtar") {
				out = append(out, unpack(t, rel, path)...)
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if named[filepath.ToSlash(rel)] || looksLikeConfig(path, data) {
				out = append(out, fixture{rel, path})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

var configFlag = regexp.MustCompile(`(?:--config|-c)[ =]("[^"]*"|\S+)`)

// scriptConfigs are the files scripts name with --config, on disk
// ($EXAMPLES/..., $TESTDATA/..., $FIXTURES/...) or in their archive.
func scriptConfigs(t *testing.T) map[string]bool {
	t.Helper()
	scripts, err := filepath.Glob(filepath.Join(repo, "testdata", "script", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	vars := strings.NewReplacer("$EXAMPLES/", "examples/", "$TESTDATA/", "testdata/", "$FIXTURES/", "testdata/ecspresso-tests/")
	named := map[string]bool{}
	for _, s := range scripts {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range configFlag.FindAllStringSubmatch(string(txtar.Parse(data).Comment), -1) {
			named[vars.Replace(strings.Trim(m[1], `"`))] = true
		}
	}
	return named
}

// unpack writes an archive's files into a directory of their own and
// returns its configs.
func unpack(t *testing.T, rel, path string) []fixture {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := txtar.Parse(data)
	dir := t.TempDir()
	named := map[string]bool{}
	for _, m := range configFlag.FindAllStringSubmatch(string(a.Comment), -1) {
		named[strings.Trim(m[1], `"`)] = true
	}
	var out []fixture
	for _, f := range a.Files {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if named[f.Name] || filepath.Base(f.Name) == "tamp.yaml" || looksLikeConfig(f.Name, f.Data) {
			out = append(out, fixture{rel + ":" + f.Name, p})
		}
	}
	return out
}

// looksLikeConfig: a YAML or JSON map whose keys are all top-level keys
// of the config.
func looksLikeConfig(path string, data []byte) bool {
	switch filepath.Ext(path) {
	case ".yaml", ".yml", ".json":
	default:
		return false
	}
	var doc map[string]any
	if yaml.Unmarshal(data, &doc) != nil || len(doc) == 0 {
		return false
	}
	top := Config().Properties
	for k := range doc {
		if _, ok := top.Get(k); !ok {
			return false
		}
	}
	return true
}

// instance decodes JSON text for the validator.
func instance(t *testing.T, text []byte) any {
	t.Helper()
	v, err := jsv.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// refusedKey is a key a schema refused as unknown, in the object at a
// location.
type refusedKey struct {
	at  []string // the object's location
	key string
}

// refusedKeys are the unknown keys a validation error names.
func refusedKeys(err error) []refusedKey {
	var ve *jsv.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []refusedKey
	var walk func(e *jsv.ValidationError)
	walk = func(e *jsv.ValidationError) {
		switch k := e.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				out = append(out, refusedKey{e.InstanceLocation, p})
			}
		case *kind.FalseSchema:
			if n := len(e.InstanceLocation); n > 0 {
				out = append(out, refusedKey{e.InstanceLocation[:n-1], e.InstanceLocation[n-1]})
			}
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// yamlPath is a JSON pointer as config.Source.Line takes it: $.a.b[0].
func yamlPath(at []string, key string) string {
	p := "$"
	for _, s := range append(slices.Clone(at), key) {
		if _, err := strconv.Atoi(s); err == nil {
			p += "[" + s + "]"
		} else {
			p += "." + s
		}
	}
	return p
}

// decoderKey is the config decoder's "[line:col] unknown field "KEY"".
var decoderKey = regexp.MustCompile(`\[(\d+):\d+\] unknown field "([^"]+)"`)

// taskKey is scheduled.Load's "FILE[:LINE]: [i] (name).FIELD: unknown field".
var taskKey = regexp.MustCompile(`(?m)^(/\S+?)(?::(\d+))?: (?:scheduled\.tasks: )?\[\d+\](?: \([^)]*\))?\.(\S+): unknown field`)

// key is an unknown key where it is written: the file, the line of its
// value (0 where the source cannot tell, as in Jsonnet) and the key.
type key struct {
	file string
	line int
	name string
}

func (k key) String() string { return fmt.Sprintf("%s:%d: %s", filepath.Base(k.file), k.line, k.name) }

// schemaKeys validates the source against s: nil when it passes, else
// the keys it refuses as unknown (possibly none, for other problems).
func schemaKeys(t *testing.T, s *jsv.Schema, src *config.Source) (map[key]bool, error) {
	t.Helper()
	text, err := src.JSON()
	if err != nil {
		t.Fatalf("%s: %v", src.Path, err)
	}
	keys := map[key]bool{}
	verr := s.Validate(instance(t, text))
	if verr == nil {
		return keys, nil
	}
	for _, r := range refusedKeys(verr) {
		keys[key{src.Path, src.Line(yamlPath(r.at, r.key)), r.key}] = true
	}
	return keys, verr
}

func TestFixtures(t *testing.T) {
	configSchema, scheduledSchema := compile(t, "config"), compile(t, "scheduled")
	env := map[string]string{
		"EXAMPLES": filepath.Join(repo, "examples"), "TESTDATA": filepath.Join(repo, "testdata"),
		"FIXTURES": filepath.Join(repo, "testdata", "ecspresso-tests"),
	}
	opts := config.Options{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	var good, badKey, other, sameKey int
	ruleUsed := map[string]bool{}
	for _, f := range configFixtures(t) {
		abs, err := filepath.Abs(f.path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := config.Peek(context.Background(), abs, opts)
		if err != nil {
			m := decoderKey.FindStringSubmatch(err.Error())
			if m == nil || filepath.Ext(abs) == ".jsonnet" {
				other++
				t.Logf("%s: not read (%v)", f.name, firstLine(err))
				checkRefusedToo(t, f, configSchema, err)
				continue
			}
			// The YAML decoder stops at the first unknown key: the
			// schema must refuse that one, on the line it names.
			badKey++
			line, _ := strconv.Atoi(m[1])
			data, err := os.ReadFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			refused, verr := schemaKeys(t, configSchema, &config.Source{Path: abs, Text: data, Format: config.FormatYAML})
			if !refused[key{abs, line, m[2]}] && !refused[key{abs, line + 1, m[2]}] {
				t.Errorf("%s: tamp refuses the key %q on line %d; the schema refuses %v (%v)", f.name, m[2], line, refused, verr)
			}
			continue
		}

		// tamp's verdict: the config's checks, then its scheduled tasks.
		validateErr := p.Validate()
		tampOK := validateErr == nil
		tampKeys := map[key]bool{}
		configSrc := p.ConfigSource()
		schemaRefused, configErr := schemaKeys(t, configSchema, configSrc)
		var tasksSrc *config.Source
		var loadErr, tasksErr error
		if p.Scheduled != nil {
			_, loadErr = scheduled.Load(p, p.Path, p.Scheduled)
			for _, m := range taskKey.FindAllStringSubmatch(fmt.Sprint(loadErr), -1) {
				line, _ := strconv.Atoi(m[2])
				field := m[3]
				if i := strings.LastIndexAny(field, ".]"); i >= 0 {
					field = field[i+1:]
				}
				tampKeys[key{m[1], line, field}] = true
			}
			tampOK = tampOK && loadErr == nil
			if p.Scheduled.TasksFile != "" {
				if src, err := p.RenderSource(p.Scheduled.TasksFile); err == nil {
					tasksSrc = src
					var refused map[key]bool
					refused, tasksErr = schemaKeys(t, scheduledSchema, src)
					for k := range refused {
						schemaRefused[k] = true
					}
				}
			}
		}
		switch {
		case len(tampKeys) > 0:
			badKey++
			if !maps.Equal(tampKeys, schemaRefused) {
				t.Errorf("%s: tamp refuses the task keys %v, the schemas %v", f.name, slices.Collect(maps.Keys(tampKeys)), slices.Collect(maps.Keys(schemaRefused)))
			}
		case tampOK:
			good++
			if configErr != nil || tasksErr != nil {
				t.Errorf("%s: tamp reads it, the schemas refuse it:\n%v\n%v", f.name, configErr, tasksErr)
			}
			if filepath.Ext(abs) != ".jsonnet" {
				checkAsWritten(t, f, configSchema)
			}
		default:
			other++
			refusedAt := refusals(configSrc, configErr)
			maps.Copy(refusedAt, refusals(tasksSrc, tasksErr))
			for _, line := range strings.Split(strings.TrimSpace(errors.Join(validateErr, loadErr).Error()), "\n") {
				if checkSameKey(t, f.name, line, refusedAt, ruleUsed) {
					sameKey++
				}
			}
		}
	}
	for _, r := range notTheSchemas {
		if !ruleUsed[r.message] {
			t.Errorf("no fixture fails with %q any more; drop it from notTheSchemas", r.message)
		}
	}
	t.Logf("%d configs tamp reads, %d with unknown keys, %d failing otherwise (%d refusals the schemas make at tamp's key)", good, badKey, other, sameKey)
	if good < 20 || badKey < 3 || sameKey < 2 {
		t.Errorf("only %d good, %d bad-key configs and %d refusals at tamp's key found; the fixture walk is broken", good, badKey, sameKey)
	}
}

// notTheSchemas are the checks tamp makes after decoding that the
// schemas do not make, each known by a piece of tamp's message, and why.
// Every other check that refuses a config tamp reads (an enum such as
// scheduled.backend, a required key such as scheduled.group) the schemas
// must make too, at the key tamp names.
var notTheSchemas = []struct{ message, why string }{
	{"file not found", "whether a file exists is for the file system to say"},
	{"is already used by", "names unique across services and task_definitions: uniqueItems compares whole entries, not one key across two lists"},
	{"is used by another task", "task names unique, the same, and across a tasks_file and inline tasks"},
	{"has an unsupported extension", "a file's format is checked with the file (config.FormatOf); a pattern on the path could say it, the schema keeps paths plain strings as it keeps templates"},
	{": schedule: ", "schedule expression syntax (cron's six fields, rate's unit and value, at() only on the scheduler backend) is the scheduled package's parser's"},
	{"is not an IANA time zone", "the zone names are Go's time zone database, hundreds and not fixed"},
	{"timezone: is for EventBridge Scheduler", "depends on scheduled.backend in the config, while a tasks_file is a document of its own"},
	{"use 1 to 64 letters", "a task name's characters and length: a pattern could say it; the schema does not carry it"},
	{"task_count: ", "1 to 10: minimum and maximum could say it; the schema does not carry them"},
	{": overrides: ", "the size of the input tamp renders from the task, not of anything written"},
	{": container: no container named", "the containers are in the task definition, another file"},
}

// validateKey is config.Validate's "FILE: KEY: ..." or "FILE: KEY is
// required: ...", the key as a path ($.scheduled.backend).
var validateKey = regexp.MustCompile(`^(/\S+?): ([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*)(?::| is required)`)

// loadKey is scheduled.Load's "FILE:LINE: scheduled task NAME: FIELD: ...".
var loadKey = regexp.MustCompile(`^(/\S+?):(\d+): scheduled task .*?: ([a-z_]+): `)

// checkSameKey: one line of tamp's errors for a config it reads but
// refuses is either a check notTheSchemas lists or one the schemas make
// at the same key: the same path in the config, or the same field on
// the same line of a task list. It says whether the schemas had to.
func checkSameKey(t *testing.T, name, line string, refusedAt map[string]bool, ruleUsed map[string]bool) bool {
	t.Helper()
	for _, r := range notTheSchemas {
		if strings.Contains(line, r.message) {
			ruleUsed[r.message] = true
			t.Logf("%s: not the schemas' check (%s): %s", name, r.why, line)
			return false
		}
	}
	var at string
	if m := loadKey.FindStringSubmatch(line); m != nil {
		at = m[1] + ":" + m[2] + ": " + m[3]
	} else if m := validateKey.FindStringSubmatch(line); m != nil {
		at = "$." + m[2]
	} else {
		t.Errorf("%s: tamp says %q, naming no key this test reads; add the check to notTheSchemas or teach the test its key", name, line)
		return true
	}
	if !refusedAt[at] {
		t.Errorf("%s: tamp refuses %s (%s); the schemas refuse only %v", name, at, line, slices.Sorted(maps.Keys(refusedAt)))
	}
	return true
}

// refusals are where a validation error refuses the source: the path of
// each failing value ($.scheduled.backend), of each missing required key
// and of each unknown key, and, where the source tells lines, each as
// "FILE:LINE: KEY" too.
func refusals(src *config.Source, err error) map[string]bool {
	out := map[string]bool{}
	var ve *jsv.ValidationError
	if src == nil || !errors.As(err, &ve) {
		return out
	}
	add := func(at []string, key string) {
		p := yamlPath(at, key)
		out[p] = true
		if line := src.Line(p); line > 0 {
			out[src.Path+":"+strconv.Itoa(line)+": "+key] = true
		}
	}
	var walk func(e *jsv.ValidationError)
	walk = func(e *jsv.ValidationError) {
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				add(e.InstanceLocation, m)
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				add(e.InstanceLocation, p)
			}
		default:
			if n := len(e.InstanceLocation); len(e.Causes) == 0 && n > 0 {
				add(e.InstanceLocation[:n-1], e.InstanceLocation[n-1])
			}
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// checkRefusedToo: a config without templates that tamp cannot read
// (an empty one, a list where an object belongs, a bad duration or
// plugin) the schema refuses too, when it is YAML at all.
func checkRefusedToo(t *testing.T, f fixture, s *jsv.Schema, tampErr error) {
	t.Helper()
	data, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("{{")) || bytes.Contains(data, []byte("*")) {
		return // a template's problem, or aliases the test will not expand
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return
	}
	if err := s.Validate(instance(t, js)); err == nil {
		t.Errorf("%s: tamp refuses it (%v), the schema takes it", f.name, firstLine(tampErr))
	}
}

// checkAsWritten validates the file's own text, templates unrendered, as
// an editor does.
func checkAsWritten(t *testing.T, f fixture, s *jsv.Schema) {
	t.Helper()
	data, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return // templates that make the YAML: the rendered text was checked
	}
	if err := s.Validate(instance(t, js)); err != nil {
		t.Errorf("%s as written: the config schema refuses it:\n%v", f.name, err)
	}
}
