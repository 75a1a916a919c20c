// Package schema generates the JSON Schemas (draft 2020-12) of tamp's
// config file and of its scheduled task list from the Go types that
// decode them: config.Config (keys from its yaml tags, as the strict YAML
// decode reads them) and scheduled.Task (keys as package awsjson reads
// them: our snake_case tags, the API's camelCase for embedded SDK
// shapes). Enums come from the same places the decoders check them (the
// SDK's enum types, the config's backends, the plugin registry), so the
// schemas cannot accept a key or value the decoders refuse for being
// unknown, nor refuse one they know.
//
// `tamp schema` prints them and schema/*.json in the repository holds
// them for editors (yaml-language-server). What decoding leaves to later
// checks (files exist, names unique, schedule syntax) is not in the
// schemas, and templates ({{ ... }}) are plain strings to them.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/awsjson"
	"github.com/tamp-ecs/tamp/scheduled"
)

// Where the committed schemas are published, for $id and editors'
// $schema lines.
const (
	ConfigID    = "https://raw.githubusercontent.com/tamp-ecs/tamp/main/schema/config.json"
	ScheduledID = "https://raw.githubusercontent.com/tamp-ecs/tamp/main/schema/scheduled.json"
)

// Names are the schemas tamp has, as `tamp schema NAME` takes them.
func Names() []string { return []string{"config", "scheduled"} }

// JSON is the schema named (config or scheduled), indented, with a final
// newline: the bytes of schema/NAME.json.
func JSON(name string) ([]byte, error) {
	var s *jsonschema.Schema
	switch name {
	case "config":
		s = Config()
	case "scheduled":
		s = Scheduled()
	default:
		return nil, fmt.Errorf("no schema named %q; there are config and scheduled", name)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Config is the schema of a config file.
func Config() *jsonschema.Schema {
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true, // required keys are set below, as config.Validate has them
		ExpandedStruct:             true,
		Anonymous:                  true,
		Mapper:                     mapType,
		LookupComment:              describer(),
	}
	s := r.ReflectFromType(reflect.TypeFor[config.Config]())
	s.ID = ConfigID
	s.Title = "tamp config"
	s.MinProperties = ptr(uint64(1)) // an empty config is refused: it would hide a wrong --config

	// The one-service keys of ecspresso v2 or the lists, not both.
	oneService := &jsonschema.Schema{}
	for _, k := range []string{"service", "service_definition", "task_definition", "codedeploy"} {
		oneService.AnyOf = append(oneService.AnyOf, &jsonschema.Schema{Required: []string{k}})
	}
	s.If = oneService
	s.Then = &jsonschema.Schema{Properties: props("services", jsonschema.FalseSchema, "task_definitions", jsonschema.FalseSchema)}
	s.Properties.Value("appspec").AdditionalProperties = nil
	s.Properties.Value("appspec").Properties = props(
		"hooks", hooks("CodeDeploy lifecycle hooks added to the AppSpec: a list of {LifecycleEvent: function} entries, such as {BeforeAllowTraffic: arn:aws:lambda:...}."),
		"Hooks", hooks("ecspresso's spelling of hooks."),
	)

	defs := s.Definitions
	defs["Service"].Required = []string{"name"}
	command := defs["BeforeTask"].Properties.Value("command")
	command.AnyOf = []*jsonschema.Schema{{Type: "string"}, {Type: "array", Items: &jsonschema.Schema{Type: "string"}}}
	defs["TaskDefinition"].Required = []string{"name", "path"}

	plugin := defs["PluginConfig"]
	plugin.Required = []string{"name"}
	var names []any
	for _, n := range config.DefaultRegistry().Names() {
		names = append(names, n)
		settings := props()
		for _, k := range config.PluginKeys(n) {
			settings.Set(k, &jsonschema.Schema{Type: "string", MinLength: ptr(uint64(1))})
		}
		block := &jsonschema.Schema{Type: "object", Properties: settings, AdditionalProperties: jsonschema.FalseSchema}
		then := &jsonschema.Schema{Properties: props("config", block)}
		if n == "tfstate" {
			// The state is at a path or a url, one of them.
			block.OneOf = []*jsonschema.Schema{{Required: []string{"path"}}, {Required: []string{"url"}}}
			then.Required = []string{"config"}
		}
		plugin.AllOf = append(plugin.AllOf, &jsonschema.Schema{
			If:   &jsonschema.Schema{Properties: props("name", &jsonschema.Schema{Const: n}), Required: []string{"name"}},
			Then: then,
		})
	}
	plugin.Properties.Value("name").Enum = names

	sc := defs["Scheduled"]
	sc.Required = []string{"group"}
	sc.Properties.Value("backend").Enum = []any{config.BackendScheduler, config.BackendEvents}
	sc.Not = &jsonschema.Schema{Required: []string{"tasks_file", "tasks"}}
	tasks, taskDefs := taskSchema()
	for name, def := range taskDefs {
		if _, dup := defs[name]; dup {
			panic("schema: two definitions named " + name)
		}
		defs[name] = def
	}
	defaults := sc.Properties.Value("defaults")
	*defaults = jsonschema.Schema{Ref: "#/$defs/Task", Description: defaults.Description}
	inline := sc.Properties.Value("tasks")
	*inline = jsonschema.Schema{Type: "array", Items: tasks, Description: inline.Description}
	return s
}

// Scheduled is the schema of a tasks_file: a list of scheduled tasks.
func Scheduled() *jsonschema.Schema {
	items, defs := taskSchema()
	return &jsonschema.Schema{
		Version:     jsonschema.Version,
		ID:          ScheduledID,
		Title:       "tamp scheduled tasks",
		Description: "The list a tamp config's scheduled.tasks_file names: one entry per task, merged over scheduled.defaults.",
		Type:        "array",
		Items:       items,
		Definitions: defs,
	}
}

// taskSchema is the schema of one entry of the task list, and the
// definitions it refers to. Task itself requires nothing: defaults are a
// Task too, and an entry may take any key from them but its name.
func taskSchema() (*jsonschema.Schema, jsonschema.Definitions) {
	r := &jsonschema.Reflector{
		FieldNameTag:               "json",
		KeyNamer:                   awsjson.JSONName, // SDK fields have no tags: the API's key, as awsjson reads them
		RequiredFromJSONSchemaTags: true,
		Anonymous:                  true,
		Mapper:                     mapType,
		LookupComment:              describer(),
	}
	s := r.ReflectFromType(reflect.TypeFor[scheduled.Task]())
	task := s.Definitions["Task"]
	for _, k := range setByTamp() {
		task.Properties.Delete(k)
	}
	s.Definitions["FlexibleTimeWindow"].Properties.Value("mode").Enum = []any{"OFF", "FLEXIBLE"}
	s.Definitions["FlexibleTimeWindow"].Required = []string{"mode"}
	return &jsonschema.Schema{Ref: "#/$defs/Task", Required: []string{"name"}}, s.Definitions
}

// setByTamp are Task fields tamp fills in (from the config's cluster, or
// read back from AWS); a config may not write them, and
// scheduled.Validate says so.
func setByTamp() []string { return []string{"cluster_arn", "other_targets"} }

// mapType gives the schema of the types whose JSON is not their Go shape.
func mapType(t reflect.Type) *jsonschema.Schema {
	if t == reflect.TypeFor[config.Duration]() {
		// config.Duration's UnmarshalYAML: a Go duration or whole seconds.
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`},
			{Type: "integer", Minimum: "1"},
		}}
	}
	if values := awsjson.EnumValues(t); values != nil {
		enum := make([]any, len(values))
		for i, v := range values {
			enum[i] = v
		}
		return &jsonschema.Schema{Type: "string", Enum: enum}
	}
	return nil
}

func hooks(description string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "object"}, Description: description}
}

// props is an ordered properties map of key, schema pairs.
func props(kv ...any) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	p := jsonschema.NewProperties()
	for i := 0; i+1 < len(kv); i += 2 {
		p.Set(kv[i].(string), kv[i+1].(*jsonschema.Schema))
	}
	return p
}

func ptr[T any](v T) *T { return &v }
