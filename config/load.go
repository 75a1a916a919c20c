package config

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/goccy/go-yaml"
	"github.com/hashicorp/go-version"

	"github.com/tamp-ecs/tamp/internal/fuzzy"
	"github.com/tamp-ecs/tamp/internal/mask"
)

// DefaultPath is read when --config is not given.
const DefaultPath = "tamp.yaml"

// Options are the command-line inputs to loading.
type Options struct {
	ExtStr    map[string]string
	ExtCode   map[string]string
	LookupEnv func(string) (string, bool) // default os.LookupEnv
	Region    string                      // --region, overrides the config
	Timeout   time.Duration               // --timeout, overrides the config
	Version   string                      // tamp's version, for required_version
	Only      []string                    // --only: what values are prefetched for
	Plugins   Registry
	// AWS builds SDK configurations for plugins that read from AWS; it is
	// called only when a value is first needed.
	AWS    AWSConfigFunc
	Trace  io.Writer    // --debug lines of the plugins' own signed calls; nil for none
	Masker *mask.Masker // receives every secret value a plugin reads
	// Clients that replace the real ones (tests); nil in the tool.
	SSM            SSMAPI
	SecretsManager SecretsManagerAPI
}

// Project is a loaded config together with the renderer that reads the
// files it points at, so they see the same variables and plugins.
type Project struct {
	*Config
	renderer *Renderer
	source   *Source // the config as rendered
}

// Load reads the config in two passes. The first renders it with undefined
// plugin functions stubbed, only to learn required_version and the plugins;
// the second renders it with the plugins' functions, so region, cluster and
// paths may use them.
func Load(ctx context.Context, path string, opts Options) (*Project, error) {
	if path == "" {
		path = DefaultPath
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	r := &Renderer{ExtStr: opts.ExtStr, ExtCode: opts.ExtCode, LookupEnv: opts.LookupEnv}

	first, err := r.firstPass(abs)
	if err != nil {
		return nil, err
	}
	if err := checkRequiredVersion(abs, first.RequiredVersion, opts.Version); err != nil {
		return nil, err
	}
	funcs, err := opts.Plugins.build(ctx, abs, first.Plugins, PluginSetup{
		LookupEnv:      opts.LookupEnv,
		Masker:         opts.Masker,
		AWS:            projectAWS(opts, first.Region),
		Trace:          opts.Trace,
		SSM:            opts.SSM,
		SecretsManager: opts.SecretsManager,
	})
	if err != nil {
		return nil, err
	}
	r.funcs = funcs

	r.prefetchProject(ctx, abs, opts.Only)
	cfg, source, err := r.readConfig(abs)
	if err != nil {
		return nil, err
	}
	if opts.Region != "" {
		cfg.Region = opts.Region
	}
	if opts.Timeout > 0 {
		cfg.Timeout = &Duration{opts.Timeout}
	}
	if err := cfg.fold(); err != nil {
		return nil, err
	}
	if err := cfg.nameFromDefinition(r); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Project{Config: cfg, renderer: r, source: source}, nil
}

// prefetchProject collects the values the config and the definition files
// in scope (--only) will ask for, and fetches them together: the config's
// own SSM names share GetParameters calls with the definitions'. A config
// that does not render while collecting just leaves more to fetch on first
// use.
func (r *Renderer) prefetchProject(ctx context.Context, path string, only []string) {
	paths := []string{path}
	if text, _, err := r.collecting(func() ([]byte, Format, error) { return r.Text(path) }); err == nil {
		if cfg, err := decodeConfig(path, text); err == nil {
			cfg.Dir = filepath.Dir(path)
			if cfg.fold() == nil {
				if scope, err := cfg.Scope(only, nil); err == nil {
					for _, p := range scope.Selection().Paths() {
						paths = append(paths, cfg.Abs(p))
					}
				}
			}
		}
	}
	r.Prefetch(ctx, paths...)
}

// bootstrap is what the first pass needs. Other keys may use plugin
// functions, stubbed in this pass, so they are neither decoded nor checked.
type bootstrap struct {
	RequiredVersion string         `yaml:"required_version"`
	Plugins         []PluginConfig `yaml:"plugins"`
	Region          string         `yaml:"region"` // "" when it uses a plugin function
}

// projectAWS gives plugins the project's region when they ask for none:
// --region, else the config's region as the first pass saw it, else the
// SDK's own resolution (AWS_REGION, the profile).
func projectAWS(opts Options, configRegion string) AWSConfigFunc {
	return func(ctx context.Context, region string) (aws.Config, error) {
		if opts.AWS == nil {
			return aws.Config{}, fmt.Errorf("AWS access is not available here")
		}
		if region == "" {
			region = opts.Region
		}
		if region == "" {
			region = configRegion
		}
		return opts.AWS(ctx, region)
	}
}

func (r *Renderer) firstPass(path string) (*bootstrap, error) {
	stubbing := *r
	stubbing.stubUnknown = true
	var text []byte
	if isJsonnet(path) {
		out, err := r.evalJsonnetFields(path, "required_version", "plugins")
		if err != nil {
			return nil, err
		}
		if text, err = stubbing.template(path, []byte(out)); err != nil {
			return nil, err
		}
	} else {
		out, _, err := stubbing.Text(path)
		if err != nil {
			return nil, err
		}
		text = out
	}
	first := &bootstrap{}
	if err := decodeYAML(path, text, first); err != nil {
		return nil, err
	}
	if isJsonnet(path) {
		first.Region = stubbing.jsonnetRegion(path)
	}
	return first, nil
}

// jsonnetRegion evaluates only a Jsonnet config's region. It may call a
// plugin function not defined yet; then it is simply not known yet.
func (r *Renderer) jsonnetRegion(path string) string {
	out, err := r.evalJsonnetFields(path, "region")
	if err != nil {
		return ""
	}
	text, err := r.template(path, []byte(out))
	if err != nil {
		return ""
	}
	var reg struct {
		Region string `yaml:"region"`
	}
	if decodeYAML(path, text, &reg) != nil {
		return ""
	}
	return reg.Region
}

func decodeConfig(path string, text []byte) (*Config, error) {
	var cfg Config
	if err := decodeYAML(path, text, &cfg, yaml.Strict()); err != nil {
		return nil, suggestKey(err)
	}
	if reflect.ValueOf(cfg).IsZero() && isEmptyDocument(path, text) {
		// An empty file, only comments, {} or a template that rendered to
		// nothing: every command would succeed doing nothing, which hides
		// a wrong --config.
		return nil, fmt.Errorf("%s: the config is empty; give it services, task_definitions or scheduled "+
			"(see the README's config file section), or check that --config names the right file", path)
	}
	return &cfg, nil
}

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// suggestKey adds the nearest config key to an unknown-field error.
func suggestKey(err error) error {
	m := unknownField.FindStringSubmatchIndex(err.Error())
	if m == nil {
		return err
	}
	msg := err.Error()
	hint := "; the keys are listed in the README's config file section"
	if near := fuzzy.Nearest(msg[m[2]:m[3]], configKeys(), 3); len(near) > 0 {
		hint = fmt.Sprintf("; did you mean %q?", near[0])
	}
	return errors.New(msg[:m[1]] + hint + msg[m[1]:])
}

// configKeys are every key of the config schema, at any depth.
func configKeys() []string {
	seen := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || seen[name] {
				continue
			}
			seen[name] = true
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(Config{}))
	return slices.Sorted(maps.Keys(seen))
}

// isEmptyDocument tells a document that sets no key at all from one
// whose keys are all null (`scheduled:` alone is a config, if not a
// useful one).
func isEmptyDocument(path string, text []byte) bool {
	var keys map[string]any
	return decodeYAML(path, text, &keys) == nil && len(keys) == 0
}

func checkRequiredVersion(path, constraint, current string) error {
	if constraint == "" {
		return nil
	}
	cs, err := version.NewConstraint(constraint)
	if err != nil {
		return fmt.Errorf("%s: required_version: %q is not a version constraint; write it like \">= 0.1.0\"", path, constraint)
	}
	v, err := version.NewVersion(current)
	if err != nil {
		return fmt.Errorf("%s: required_version: cannot compare with this build's version %q", path, current)
	}
	if !cs.Check(v.Core()) {
		return fmt.Errorf("%s: required_version %q is not met by tamp %s; install a matching tamp", path, constraint, current)
	}
	return nil
}

// readConfig renders and decodes the config file at abs: the config, its
// paths set, and its rendered source.
func (r *Renderer) readConfig(abs string) (*Config, *Source, error) {
	text, format, err := r.Text(abs)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := decodeConfig(abs, text)
	if err != nil {
		return nil, nil, err
	}
	cfg.Path, cfg.Dir = abs, filepath.Dir(abs)
	return cfg, &Source{Path: abs, Text: text, Format: format, Jsonnet: isJsonnet(abs)}, nil
}

// fold turns the ecspresso one-service form into the multi-service form.
func (c *Config) fold() error {
	oneService := c.Service != "" || c.ServiceDefinition != "" || c.TaskDefinition != "" || c.CodeDeploy != nil
	if !oneService {
		return nil
	}
	if len(c.Services) > 0 || len(c.TaskDefinitions) > 0 {
		return fmt.Errorf("%s: use either services/task_definitions or the one-service keys service/service_definition/task_definition, not both", c.Path)
	}
	switch {
	case c.Service != "" || c.ServiceDefinition != "":
		// Without service, nameFromDefinition reads the name from the
		// service definition's serviceName, as ecspresso does.
		c.Services = []Service{{
			Name:              c.Service,
			ServiceDefinition: c.ServiceDefinition,
			TaskDefinition:    c.TaskDefinition,
			CodeDeploy:        c.CodeDeploy,
		}}
	case c.TaskDefinition != "":
		c.TaskDefinitions = []TaskDefinition{{Name: fileName(c.TaskDefinition), Path: c.TaskDefinition}}
	default:
		return fmt.Errorf("%s: codedeploy is set but service is not; add service: NAME", c.Path)
	}
	c.Service, c.ServiceDefinition, c.TaskDefinition, c.CodeDeploy = "", "", "", nil
	c.oneService = true
	return nil
}

// fileName is a path's base name without its extension.
func fileName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// nameFromDefinition names a one-service config's service that the config
// leaves unnamed, from serviceName in its service definition. When that
// does not name it either, the config keeps the task definition (render,
// register and run work on it) and remembers that the service is unnamed,
// for the commands that act on services to refuse.
func (c *Config) nameFromDefinition(r *Renderer) error {
	if !c.oneService || len(c.Services) != 1 || c.Services[0].Name != "" {
		return nil
	}
	s := c.Services[0]
	if _, err := os.Stat(c.Abs(s.ServiceDefinition)); err != nil {
		return fmt.Errorf("%s: service_definition: %s: file not found (relative paths start at %s)", c.Path, s.ServiceDefinition, c.Dir)
	}
	text, err := r.JSON(c.Abs(s.ServiceDefinition))
	if err != nil {
		return err
	}
	var named struct {
		ServiceName string `json:"serviceName"`
		Service     struct {
			ServiceName string `json:"serviceName"`
		} `json:"service"` // describe-services output
	}
	_ = json.Unmarshal(text, &named) // a file that does not decode is reported where it is loaded
	if name := cmp.Or(named.ServiceName, named.Service.ServiceName); name != "" {
		c.Services[0].Name = name
		return nil
	}
	switch {
	case s.CodeDeploy != nil:
		return fmt.Errorf("%s: codedeploy is set but no service is named: add service: NAME (or serviceName to %s)", c.Path, s.ServiceDefinition)
	case s.TaskDefinition == "":
		return fmt.Errorf("%s: service_definition is set but no service is named, and there is no task_definition to work on: add service: NAME (or serviceName to %s)", c.Path, s.ServiceDefinition)
	}
	c.unnamed = s.ServiceDefinition
	c.Services = nil
	c.TaskDefinitions = []TaskDefinition{{Name: fileName(s.TaskDefinition), Path: s.TaskDefinition}}
	return nil
}

// ServicesNamed is nil when every service of the config has a name; for a
// one-service config that names none (no service key, no serviceName in
// its service definition) it is the error for commands that act on a
// service: they cannot.
func (c *Config) ServicesNamed() error {
	if c.unnamed == "" {
		return nil
	}
	return Invalid(fmt.Errorf("%s: service_definition %s is set but no service is named; add service: NAME to %s (or serviceName to %s). "+
		"Commands on the task definition alone (render taskdefs, register, run) work without it",
		c.Path, c.unnamed, filepath.Base(c.Path), c.unnamed))
}

// Validate checks what decoding cannot: names, required keys and files.
// Plugins were checked when they were built.
func (c *Config) Validate() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{c.Path}, args...)...))
	}
	seen := map[string]string{}
	unique := func(field, name string) {
		if name == "" {
			fail("%s: name is required", field)
			return
		}
		if prev, dup := seen[name]; dup {
			fail("%s: name %q is already used by %s; names must be unique", field, name, prev)
			return
		}
		seen[name] = field
	}
	fileExists := func(field, p string) {
		if p == "" {
			fail("%s is required", field)
			return
		}
		if _, err := FormatOf(p); err != nil {
			fail("%s: %q has an unsupported extension; use .json, .jsonnet, .yaml or .yml", field, p)
			return
		}
		if _, err := os.Stat(c.Abs(p)); err != nil {
			fail("%s: %s: file not found (relative paths start at %s)", field, p, c.Dir)
		}
	}
	for i, s := range c.Services {
		field := fmt.Sprintf("services[%d]", i)
		if c.oneService {
			field = "service"
		}
		key := func(k string) string { return strings.TrimPrefix(field+"."+k, "service.") }
		unique(field, s.Name)
		if s.TaskDefinition != "" {
			fileExists(key("task_definition"), s.TaskDefinition)
		}
		if s.ServiceDefinition != "" {
			fileExists(key("service_definition"), s.ServiceDefinition)
		}
	}
	for i, td := range c.TaskDefinitions {
		field := fmt.Sprintf("task_definitions[%d]", i)
		unique(field, td.Name)
		fileExists(field+".path", td.Path)
	}
	for i, s := range c.Services {
		field := fmt.Sprintf("services[%d]", i)
		if s.Canary != nil {
			errs = append(errs, c.checkCanary(field+".canary", s.Canary)...)
		}
		for j, b := range s.Before {
			errs = append(errs, c.checkBefore(fmt.Sprintf("%s.before[%d]", field, j), b, s.Name)...)
		}
	}
	if d := c.Deploy; d != nil {
		if d.Canary != nil {
			errs = append(errs, c.checkCanary("deploy.canary", d.Canary)...)
		}
		for j, b := range d.Before {
			errs = append(errs, c.checkBefore(fmt.Sprintf("deploy.before[%d]", j), b, "")...)
		}
	}
	if sc := c.Scheduled; sc != nil {
		switch sc.Backend {
		case "", BackendScheduler, BackendEvents:
		default:
			fail("scheduled.backend: %q is not a backend; use scheduler (EventBridge Scheduler) or events (EventBridge rules)", sc.Backend)
		}
		if sc.Group == "" {
			fail("scheduled.group is required: the schedule group (scheduler) or the tamp:group tag value (events) that marks what this config owns")
		}
		if sc.TasksFile != "" && len(sc.Tasks) > 0 {
			fail("scheduled: set tasks_file or tasks, not both")
		}
		if sc.TasksFile != "" {
			fileExists("scheduled.tasks_file", sc.TasksFile)
		}
	}
	return errors.Join(errs...)
}

// MaxCanaryTasks is how many tasks one RunTask call starts at most.
const MaxCanaryTasks = 10

// checkCanary checks a canary block's numbers and durations.
func (c *Config) checkCanary(field string, k *Canary) []error {
	var errs []error
	if k.Tasks < 0 || k.Tasks > MaxCanaryTasks {
		errs = append(errs, fmt.Errorf("%s: %s.tasks: %d is out of range; give 1 to %d (default 1)", c.Path, field, k.Tasks, MaxCanaryTasks))
	}
	for _, d := range []struct {
		key, value string
		zero       bool // 0 allowed
	}{{"healthy_for", k.HealthyFor, true}, {"timeout", k.Timeout, false}} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v < 0 || (v == 0 && !d.zero) {
			errs = append(errs, fmt.Errorf("%s: %s.%s: %q is not a duration; write it like \"30s\" or \"5m\"", c.Path, field, d.key, d.value))
		}
	}
	return errs
}

// CanaryDurations are a canary block's healthy_for and timeout, and
// whether each was set (checked when the config loaded).
func (k *Canary) CanaryDurations() (healthyFor, timeout time.Duration, healthySet, timeoutSet bool) {
	healthyFor, err1 := time.ParseDuration(k.HealthyFor)
	timeout, err2 := time.ParseDuration(k.Timeout)
	return healthyFor, timeout, k.HealthyFor != "" && err1 == nil, k.Timeout != "" && err2 == nil
}

// checkBefore checks a pre-deploy task names one config service or task
// definition (a service's own before defaults to the service) and that
// its command is words.
func (c *Config) checkBefore(field string, b BeforeTask, service string) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s"+format, append([]any{c.Path, field}, args...)...))
	}
	switch {
	case b.TaskDefinition != "" && b.Service != "":
		fail(": set task_definition or service, not both")
	case b.TaskDefinition == "" && b.Service == "" && service == "":
		fail(": name the task to run: task_definition: NAME (a config task definition or service) or service: NAME (a config service, run with its network)")
	case b.Service != "" && !slices.ContainsFunc(c.Services, func(s Service) bool { return s.Name == b.Service }):
		fail(".service: %q is not a service of this config; use one of %s", b.Service, quoted(c.serviceNames()))
	case b.TaskDefinition != "" && !slices.Contains(c.names(), b.TaskDefinition):
		fail(".task_definition: %q is not a task definition or service of this config; use one of %s", b.TaskDefinition, quoted(c.names()))
	}
	switch cmd := b.Command.(type) {
	case nil, string:
	case []any:
		for i, w := range cmd {
			if _, ok := w.(string); !ok {
				fail(".command[%d]: expected a string, got %v", i, w)
			}
		}
	default:
		fail(".command: expected a list of words or one string of shell words, got %v", cmd)
	}
	return errs
}

func (c *Config) serviceNames() []string {
	var names []string
	for _, s := range c.Services {
		names = append(names, s.Name)
	}
	return names
}

func quoted(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// setDefaults fills in what the config may leave out.
func (c *Config) setDefaults() {
	if c.Scheduled != nil && c.Scheduled.Backend == "" {
		c.Scheduled.Backend = BackendScheduler
	}
}

// Abs resolves a path from the config against the config's directory.
func (c *Config) Abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Prefetch lets plugins fetch, in batches, every value the files at paths
// (as the config writes them) will ask for. See Renderer.Prefetch.
func (p *Project) Prefetch(ctx context.Context, paths ...string) {
	abs := make([]string, len(paths))
	for i, path := range paths {
		abs[i] = p.Abs(path)
	}
	p.renderer.Prefetch(ctx, abs...)
}

// RenderJSON renders a file the config points at and returns JSON text and
// the file's absolute path.
func (p *Project) RenderJSON(path string) ([]byte, string, error) {
	abs := p.Abs(path)
	out, err := p.renderer.JSON(abs)
	return out, abs, err
}

// RenderSource renders a file the config points at, keeping its text so
// that errors can name lines.
func (p *Project) RenderSource(path string) (*Source, error) {
	abs := p.Abs(path)
	text, format, err := p.renderer.Text(abs)
	if err != nil {
		return nil, err
	}
	return &Source{Path: abs, Text: text, Format: format, Jsonnet: isJsonnet(abs)}, nil
}

// ConfigSource is the config file as rendered.
func (p *Project) ConfigSource() *Source { return p.source }

// TaskDefinitionPath is the task definition file of a config name (a
// service's or a task_definitions entry's), as the config writes it.
func (p *Project) TaskDefinitionPath(name string) (string, bool) {
	for _, s := range p.Services {
		if s.Name == name {
			return s.TaskDefinition, true
		}
	}
	for _, td := range p.TaskDefinitions {
		if td.Name == name {
			return td.Path, true
		}
	}
	return "", false
}

// Selection is what --only leaves in scope.
type Selection struct {
	Services        []Service
	TaskDefinitions []TaskDefinition
}

// Paths are the definition files of the selection, as the config writes them.
func (sel Selection) Paths() []string {
	var paths []string
	for _, s := range sel.Services {
		if s.TaskDefinition != "" {
			paths = append(paths, s.TaskDefinition)
		}
		if s.ServiceDefinition != "" {
			paths = append(paths, s.ServiceDefinition)
		}
	}
	for _, td := range sel.TaskDefinitions {
		paths = append(paths, td.Path)
	}
	return paths
}

func (c *Config) names() []string {
	var names []string
	for _, s := range c.Services {
		names = append(names, s.Name)
	}
	for _, td := range c.TaskDefinitions {
		names = append(names, td.Name)
	}
	return names
}
