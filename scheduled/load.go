package scheduled

import (
	"errors"
	"fmt"

	"github.com/tamp-ecs/tamp/config"
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// Renderer renders a file the config points at into JSON text.
type Renderer interface {
	RenderJSON(path string) (text []byte, absPath string, err error)
}

// Load reads the config's scheduled tasks: from tasks_file (YAML, JSON or
// Jsonnet, a list) or inline tasks, each entry merged over defaults (an
// entry's key replaces the default's), decoded strictly. Every problem in
// every entry is reported, each naming the file, the entry and the field.
func Load(r Renderer, configPath string, sc *config.Scheduled) ([]*Task, error) {
	source, entries := configPath+": scheduled.tasks", sc.Tasks
	if sc.TasksFile != "" {
		text, abs, err := r.RenderJSON(sc.TasksFile)
		if err != nil {
			return nil, err
		}
		v, err := awsjson.Unmarshal(text)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid JSON after rendering: %w", abs, err)
		}
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected a list of scheduled tasks", abs)
		}
		entries = nil
		for i, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: [%d]: expected an object", abs, i)
			}
			entries = append(entries, m)
		}
		source = abs
	}
	defaults, err := awsjson.Unmarshal(mustJSON(sc.Defaults))
	if err != nil {
		return nil, fmt.Errorf("%s: scheduled.defaults: %w", configPath, err)
	}
	var tasks []*Task
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
		where := fmt.Sprintf("%s: [%d]", source, i)
		if name, ok := merged["name"].(string); ok && name != "" {
			where += " (" + name + ")"
		}
		var t Task
		if err := awsjson.Decode(merged, &t); err != nil {
			var fes awsjson.Errors
			if errors.As(err, &fes) {
				for _, fe := range fes {
					errs = append(errs, fmt.Errorf("%s.%s: %s", where, fe.Path, fe.Msg))
				}
				continue
			}
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		tasks = append(tasks, &t)
	}
	return tasks, errors.Join(errs...)
}
