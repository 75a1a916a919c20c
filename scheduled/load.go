package scheduled

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/ecs"
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Renderer renders a file the config points at into JSON text.
type Renderer interface {
	RenderJSON(path string) (text []byte, absPath string, err error)
}

// SourceRenderer is a Renderer that also keeps the rendered text of the
// config and its files (config.Project is one), so that a problem in a
// scheduled task names the line it is on.
type SourceRenderer interface {
	Renderer
	RenderSource(path string) (*config.Source, error)
	ConfigSource() *config.Source
	TaskDefinitionPath(name string) (string, bool)
}

// Load reads the config's scheduled tasks: from tasks_file (YAML, JSON or
// Jsonnet, a list) or inline tasks, each entry merged over defaults (an
// entry's key replaces the default's), decoded strictly, and checked as
// Validate checks them. Every problem in every entry is reported, each
// naming the file (with the line when r can tell it), the entry and the
// field. Container names are checked when r can render the config's task
// definitions; Check checks them again against the loaded definitions.
func Load(r Renderer, configPath string, sc *config.Scheduled) ([]*Task, error) {
	where := locator{file: configPath, prefix: "$.scheduled.tasks", label: "scheduled.tasks: "}
	sr, located := r.(SourceRenderer)
	if located {
		where.source, where.config = sr.ConfigSource(), sr.ConfigSource()
	}
	entries := sc.Tasks
	if sc.TasksFile != "" {
		var text []byte
		var abs string
		var err error
		if located {
			var src *config.Source
			if src, err = sr.RenderSource(sc.TasksFile); err == nil {
				abs, where.source = src.Path, src
				text, err = src.JSON()
			}
		} else {
			text, abs, err = r.RenderJSON(sc.TasksFile)
		}
		if err != nil {
			return nil, err
		}
		where.file, where.prefix, where.label = abs, "$", ""
		if entries, err = listEntries(text, where); err != nil {
			return nil, err
		}
	}
	defaults, err := awsjson.Unmarshal(mustJSON(sc.Defaults))
	if err != nil {
		return nil, fmt.Errorf("%s: scheduled.defaults: %w", configPath, err)
	}
	var tasks []*Task
	var index []int // the entry each task came from
	var errs []error
	for i, entry := range entries {
		merged := map[string]any{}
		if d, ok := defaults.(map[string]any); ok {
			for k, v := range d {
				merged[k] = v
			}
		}
		generic, err := awsjson.Unmarshal(mustJSON(entry))
		if err != nil {
			return nil, err
		}
		for k, v := range generic.(map[string]any) {
			merged[k] = v
		}
		name := fmt.Sprintf("[%d]", i)
		if n, ok := merged["name"].(string); ok && n != "" {
			name += " (" + n + ")"
		}
		var t Task
		if err := awsjson.Decode(merged, &t); err != nil {
			var fes awsjson.Errors
			if errors.As(err, &fes) {
				for _, fe := range fes {
					errs = append(errs, fmt.Errorf("%s: %s%s.%s: %s", where.at(i, fe.Path), where.label, name, fe.Path, fe.Msg))
				}
				continue
			}
			errs = append(errs, fmt.Errorf("%s: %s%s: %w", where.at(i, ""), where.label, name, err))
			continue
		}
		tasks = append(tasks, &t)
		index = append(index, i)
	}
	containers := func(string) ([]string, bool) { return nil, false }
	if located {
		containers = containerNames(sr, tasks)
	}
	last := 0
	for _, err := range Validate(tasks, sc.Backend, containers) {
		i, field := validated(err, tasks, last)
		if i < 0 {
			errs = append(errs, fmt.Errorf("%s: %w", where.file, err))
			continue
		}
		last = i
		if tasks[i].Name == "" && index[i] != i {
			// Validate counts the tasks that decoded; the entry's place in
			// the file is what the user can find.
			err = errors.New(strings.Replace(err.Error(), fmt.Sprintf("[%d]", i), fmt.Sprintf("[%d]", index[i]), 1))
		}
		errs = append(errs, fmt.Errorf("%s: %w", where.at(index[i], field), err))
	}
	return tasks, errors.Join(errs...)
}

// listEntries reads a rendered tasks file: a list of objects.
func listEntries(text []byte, where locator) ([]map[string]any, error) {
	v, err := awsjson.Unmarshal(text)
	if err != nil {
		return nil, fmt.Errorf("%s:%v", where.file, awsjson.SyntaxError(text, fmt.Errorf("invalid JSON after rendering: %w", err)))
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected a list of scheduled tasks", where.file)
	}
	var entries []map[string]any
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: [%d]: expected an object", where.at(i, ""), i)
		}
		entries = append(entries, m)
	}
	return entries, nil
}

// TaskNames are the names the config's scheduled tasks are written with
// (in tasks_file or inline), in order, read without decoding or checking
// the entries: what shell completion offers. An entry without a name
// string is left out.
func TaskNames(r Renderer, sc *config.Scheduled) ([]string, error) {
	entries := sc.Tasks
	if sc.TasksFile != "" {
		text, abs, err := r.RenderJSON(sc.TasksFile)
		if err != nil {
			return nil, err
		}
		if entries, err = listEntries(text, locator{file: abs, prefix: "$"}); err != nil {
			return nil, err
		}
	}
	fields := awsjson.FieldsOf(reflect.TypeFor[Task]())
	var names []string
	for _, e := range entries {
		for k, v := range e {
			if key, _ := fields.Canonical(k); key == "name" {
				if n, ok := v.(string); ok && n != "" {
					names = append(names, n)
				}
			}
		}
	}
	return names, nil
}

// locator says where a scheduled task entry and its fields are written.
type locator struct {
	file   string         // the tasks file, or the config for inline tasks
	source *config.Source // its rendered text; nil when not known
	config *config.Source // the config's, where defaults are written
	prefix string         // the path of the list in source
	label  string         // what errors call the list
}

// at is "file:line" for a field of entry i (field "" for the entry), or
// "file" when the line is not known. A field the entry does not write
// comes from scheduled.defaults, so it points there.
func (l locator) at(i int, field string) string {
	entry := fmt.Sprintf("%s[%d]", l.prefix, i)
	if field != "" {
		for p := field; p != ""; p = parentField(p) {
			if line := l.source.Line(entry + "." + p); line > 0 {
				return fmt.Sprintf("%s:%d", l.file, line)
			}
		}
		for p := field; p != "" && l.config != nil; p = parentField(p) {
			if line := l.config.Line("$.scheduled.defaults." + p); line > 0 {
				return fmt.Sprintf("%s:%d", l.config.Path, line)
			}
		}
	}
	if line := l.source.Line(entry); line > 0 {
		return fmt.Sprintf("%s:%d", l.file, line)
	}
	return l.file
}

// parentField drops the last step of a field path: a.b[0].c -> a.b[0] -> a.b -> a -> "".
func parentField(p string) string {
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}

// validated finds the task and field an error of Validate is about
// ("scheduled task NAME: FIELD: ..." or "scheduled task [i]: FIELD: ..."):
// -1 when it cannot tell. Validate reports the tasks in order, the
// repeated name first, so among tasks that share a name the error is
// about the first one from the task of the error before (from), or, for
// the repeated name, the first one that repeats it.
func validated(err error, tasks []*Task, from int) (int, string) {
	msg, ok := strings.CutPrefix(err.Error(), "scheduled task ")
	if !ok {
		return -1, ""
	}
	repeated := strings.Contains(msg, "is used by another task")
	at, best := -1, ""
	for i := from; i < len(tasks); i++ {
		head := tasks[i].Name
		if head == "" {
			head = fmt.Sprintf("[%d]", i)
		}
		if !strings.HasPrefix(msg, head+": ") || len(head) <= len(best) {
			continue
		}
		if repeated && !slices.ContainsFunc(tasks[:i], func(t *Task) bool { return t.Name == tasks[i].Name }) {
			continue
		}
		at, best = i, head
	}
	if at < 0 {
		return -1, ""
	}
	field, _, _ := strings.Cut(strings.TrimPrefix(msg, best+": "), ": ")
	if !fieldPath.MatchString(field) {
		field = ""
	}
	return at, field
}

var fieldPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$`)

// containerNames tells the containers of the config task definitions that
// tasks name containers of, decoding them as ecs does. A definition that
// does not render or decode is not known here: loading the definitions
// reports its problems.
func containerNames(r SourceRenderer, tasks []*Task) Containers {
	known := map[string][]string{}
	for _, t := range tasks {
		if t.Container == "" && len(t.ContainerOverrides) == 0 {
			continue
		}
		if _, done := known[t.TaskDefinition]; done {
			continue
		}
		known[t.TaskDefinition] = nil
		path, ok := r.TaskDefinitionPath(t.TaskDefinition)
		if !ok {
			continue
		}
		text, abs, err := r.RenderJSON(path)
		if err != nil {
			continue
		}
		in, err := ecs.DecodeTaskDefinition(abs, text)
		if err != nil {
			continue
		}
		names := []string{}
		for _, c := range in.ContainerDefinitions {
			names = append(names, aws.ToString(c.Name))
		}
		known[t.TaskDefinition] = names
	}
	return func(name string) ([]string, bool) {
		names := known[name]
		return names, names != nil
	}
}
