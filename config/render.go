package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/goccy/go-yaml"
	yamlast "github.com/goccy/go-yaml/ast"
	yamlparser "github.com/goccy/go-yaml/parser"
	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"
	goconfig "github.com/kayac/go-config"

	"github.com/tamp-ecs/tamp/internal/fuzzy"
)

// Functions is what a plugin adds to the templating pipeline: Go template
// functions and Jsonnet native functions, already carrying any func_prefix.
type Functions struct {
	Template template.FuncMap
	Native   []*jsonnet.NativeFunction
	Prefetch []Prefetcher
}

// merge adds other's functions, refusing a name defined twice: two plugins
// of the same kind need different func_prefix values.
func (f *Functions) merge(other Functions) error {
	if f.Template == nil {
		f.Template = template.FuncMap{}
	}
	for name, fn := range other.Template {
		if _, dup := f.Template[name]; dup {
			return fmt.Errorf("template function %q is defined twice; give one of the plugins a different func_prefix", name)
		}
		f.Template[name] = fn
	}
	f.Native = append(f.Native, other.Native...)
	f.Prefetch = append(f.Prefetch, other.Prefetch...)
	return nil
}

// Renderer runs the templating pipeline over one file: Jsonnet evaluation
// for .jsonnet files, then Go templates over the text.
type Renderer struct {
	ExtStr    map[string]string
	ExtCode   map[string]string
	LookupEnv func(string) (string, bool)

	funcs Functions
	// stubUnknown makes undefined template functions render as "" (pass 1 of
	// the config, before the plugins that define them are known).
	stubUnknown bool
}

// Format says how rendered text is to be parsed.
type Format int

const (
	FormatJSON Format = iota
	FormatYAML
)

// FormatOf tells the format from a file name; an unknown extension is an error.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".jsonnet", ".libsonnet":
		return FormatJSON, nil
	case ".yaml", ".yml":
		return FormatYAML, nil
	}
	return 0, fmt.Errorf("%s: unsupported file type %q; use .json, .jsonnet, .yaml or .yml", path, filepath.Ext(path))
}

func isJsonnet(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".jsonnet" || ext == ".libsonnet"
}

// Prefetch renders every path once with the plugins only collecting what
// they need, then lets them fetch it all at once: twenty-five SSM names in
// ten files cost three calls, not twenty-five. Problems are left for the
// real render to report where they occur.
func (r *Renderer) Prefetch(ctx context.Context, paths ...string) {
	if len(r.funcs.Prefetch) == 0 {
		return
	}
	for _, path := range paths {
		_, _, _ = r.collecting(func() ([]byte, Format, error) { return r.Text(path) })
	}
	for _, p := range r.funcs.Prefetch {
		p.Fetch(ctx)
	}
}

// collecting runs render with the plugins recording names instead of
// fetching values.
func (r *Renderer) collecting(render func() ([]byte, Format, error)) ([]byte, Format, error) {
	for _, p := range r.funcs.Prefetch {
		p.Collect(true)
	}
	defer func() {
		for _, p := range r.funcs.Prefetch {
			p.Collect(false)
		}
	}()
	return render()
}

// Text renders the file and returns its text with its format.
func (r *Renderer) Text(path string) ([]byte, Format, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, 0, err
	}
	var src []byte
	if isJsonnet(path) {
		out, err := r.evalJsonnet(path)
		if err != nil {
			return nil, 0, err
		}
		src = []byte(out)
	} else {
		src, err = os.ReadFile(path)
		if err != nil {
			return nil, 0, readError(path, err)
		}
	}
	out, err := r.template(path, src)
	if err != nil {
		return nil, 0, err
	}
	return out, format, nil
}

// JSON renders the file and returns JSON text, converting YAML.
func (r *Renderer) JSON(path string) ([]byte, error) {
	text, format, err := r.Text(path)
	if err != nil {
		return nil, err
	}
	if format == FormatYAML {
		return yamlToJSON(path, text)
	}
	return text, nil
}

func readError(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: file not found; check the path (relative paths start at the config file's directory)", path)
	}
	return fmt.Errorf("%s: %w", path, err)
}

func (r *Renderer) lookupEnv(key string) (string, bool) {
	if r.LookupEnv != nil {
		return r.LookupEnv(key)
	}
	return os.LookupEnv(key)
}

// envFuncs are the template functions every file has.
func (r *Renderer) envFuncs() template.FuncMap {
	return template.FuncMap{
		// env NAME [DEFAULT...]: the first variable that is set and non-empty,
		// else the last argument, as kayac/go-config does.
		"env": func(keys ...string) string {
			v := ""
			for _, k := range keys {
				if val, ok := r.lookupEnv(k); ok && val != "" {
					return val
				}
				v = k
			}
			return v
		},
		"must_env": func(key string) (string, error) {
			if v, ok := r.lookupEnv(key); ok {
				return v, nil
			}
			return "", missingEnv(key)
		},
	}
}

func missingEnv(key string) error {
	return fmt.Errorf("%s is not set; export it or put it in an --envfile", key)
}

var (
	undefinedFunc = regexp.MustCompile(`function "([^"]+)" not defined`)
	// text/template errors look like
	// `template: conf:3:12: executing "conf" at <must_env "X">: error calling must_env: X is not set`.
	templatePos  = regexp.MustCompile(`^template: conf:(\d+)(?::(\d+))?: `)
	executingAt  = regexp.MustCompile(`executing "conf" at <(.*?)>: (?:error calling \w+: )?`)
	escapedQuote = regexp.MustCompile(`\\"`)
	// templateSyntax are text/template's parse errors: the action's syntax.
	templateSyntax = regexp.MustCompile(`bad character|unclosed action|unexpected|unterminated|missing value|bad number`)
)

func (r *Renderer) template(path string, src []byte) (out []byte, err error) {
	funcs := r.envFuncs()
	for name, fn := range r.funcs.Template {
		funcs[name] = fn
	}
	if r.stubUnknown {
		if err := stubUndefined(src, funcs); err != nil {
			return nil, templateError(path, err, funcs)
		}
	}
	// kayac/go-config panics on errors that mention its own must_env
	// wording; a variable name could contain it, so never let that escape.
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, templateError(path, fmt.Errorf("%v", p), funcs)
		}
	}()
	loader := goconfig.New()
	loader.Funcs(funcs)
	out, err = loader.ReadWithEnvBytes(src)
	if err != nil {
		return nil, templateError(path, err, funcs)
	}
	return out, nil
}

// stubUndefined adds a function returning "" for every function the
// template calls that is not defined yet.
func stubUndefined(src []byte, funcs template.FuncMap) error {
	for range 1000 {
		_, err := template.New("conf").Funcs(funcs).Parse(string(src))
		if err == nil {
			return nil
		}
		m := undefinedFunc.FindStringSubmatch(err.Error())
		if m == nil {
			return err
		}
		funcs[m[1]] = func(...any) string { return "" }
	}
	return errors.New("too many undefined template functions")
}

// templateError rewrites text/template's message so it names the file and
// line and what the user wrote, and says what to do: for an unknown
// function the nearest known ones, for a syntax error where to look.
func templateError(path string, err error, funcs template.FuncMap) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "config parse by template failed: ")
	msg = strings.TrimPrefix(msg, "template attach failed: ")
	loc := path
	if m := templatePos.FindStringSubmatch(msg); m != nil {
		loc = path + ":" + m[1]
		if isJsonnet(path) {
			loc = fmt.Sprintf("%s (line %s of the Jsonnet output)", path, m[1])
		}
		msg = msg[len(m[0]):]
	}
	quotedOperand := strings.Contains(msg, `unexpected "\\" in operand`)
	quoteInArgument := false
	if m := executingAt.FindStringSubmatch(msg); m != nil {
		expr := m[1]
		msg = fmt.Sprintf("{{ %s }}: %s", expr, msg[len(m[0]):])
		quoteInArgument = escapedQuote.MatchString(expr)
	}
	switch m := undefinedFunc.FindStringSubmatch(msg); {
	case m != nil:
		names := slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(funcs)), "json_escape")))
		if m[1] == "tfstate" || m[1] == "tfstatef" {
			msg += "; declare the tfstate plugin under plugins (with its state's path or url) to use it"
		} else if near := fuzzy.Nearest(m[1], names, 3); len(near) > 0 {
			msg += fmt.Sprintf("; did you mean %s?", near[0])
		} else {
			msg += "; the template functions are " + strings.Join(names, ", ")
		}
	case templateSyntax.MatchString(msg) && !quotedOperand:
		msg += "; check the {{ ... }} on that line: an action must be closed with }} and quote its arguments with \"...\" or `...`"
	}
	if isJsonnet(path) {
		switch {
		case quotedOperand:
			msg += "; in a Jsonnet file templates run over Jsonnet's JSON output, where double quotes arrive escaped:" +
				" quote template arguments with backquotes instead ({{ must_env `NAME` }})"
		case quoteInArgument:
			msg += "; in a Jsonnet file templates run over Jsonnet's JSON output, so a double quote inside a template" +
				` argument arrives escaped: call the native function instead (std.native('tfstate')('aws_subnet.private["a"].id'))`
		}
	}
	return fmt.Errorf("%s: %s", loc, msg)
}

func (r *Renderer) newVM() *jsonnet.VM {
	vm := jsonnet.MakeVM()
	for k, v := range r.ExtStr {
		vm.ExtVar(k, v)
	}
	for k, v := range r.ExtCode {
		vm.ExtCode(k, v)
	}
	vm.NativeFunction(&jsonnet.NativeFunction{
		Name:   "env",
		Params: ast.Identifiers{"name", "default"},
		Func: func(args []any) (any, error) {
			key, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("env: name must be a string, got %v", args[0])
			}
			if v, ok := r.lookupEnv(key); ok && v != "" {
				return v, nil
			}
			return args[1], nil
		},
	})
	vm.NativeFunction(&jsonnet.NativeFunction{
		Name:   "must_env",
		Params: ast.Identifiers{"name"},
		Func: func(args []any) (any, error) {
			key, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("must_env: name must be a string, got %v", args[0])
			}
			if v, ok := r.lookupEnv(key); ok {
				return v, nil
			}
			return nil, missingEnv(key)
		},
	})
	for _, f := range r.funcs.Native {
		vm.NativeFunction(f)
	}
	return vm
}

func (r *Renderer) evalJsonnet(path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", readError(path, err)
	}
	out, err := r.newVM().EvaluateFile(path)
	if err != nil {
		return "", jsonnetError(path, err)
	}
	return out, nil
}

// evalJsonnetFields evaluates only the named top-level fields of a Jsonnet
// file. Jsonnet is lazy, so fields that call plugin functions not defined
// yet are never evaluated.
func (r *Renderer) evalJsonnetFields(path string, fields ...string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", readError(path, err)
	}
	// Syntax errors first, so they read as they do for a whole file rather
	// than as a runtime error of the wrapper below.
	if _, err := jsonnet.SnippetToAST(path, string(src)); err != nil {
		return "", jsonnetError(path, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "local c = import %q;\n{\n", filepath.Base(path))
	for _, f := range fields {
		fmt.Fprintf(&b, "  [if std.objectHas(c, %q) then %q]: c[%q],\n", f, f, f)
	}
	b.WriteString("}\n")
	vm := r.newVM()
	vm.Importer(&jsonnet.FileImporter{JPaths: []string{filepath.Dir(path)}})
	out, err := vm.EvaluateAnonymousSnippet(path, b.String())
	if err != nil {
		return "", jsonnetError(path, err)
	}
	return out, nil
}

// jsonnetError makes one line that starts with the place. A syntax error
// already starts with `path:line:col`. A runtime error carries a stack
// trace; its innermost frame in a file is where the failing expression is,
// and that expression is quoted from the source.
func jsonnetError(path string, err error) error {
	msg := strings.TrimSpace(err.Error())
	if rest, ok := strings.CutPrefix(msg, path+":"); ok {
		loc, text, _ := strings.Cut(rest, " ")
		return fmt.Errorf("%s:%s: Jsonnet: %s", path, loc, text)
	}
	if text, trace, ok := strings.Cut(msg, "\n"); ok && strings.HasPrefix(text, "RUNTIME ERROR: ") {
		text = strings.TrimPrefix(text, "RUNTIME ERROR: ")
		for _, m := range jsonnetFrame.FindAllStringSubmatch(trace, -1) {
			file, line, col, end := m[1], m[2], m[3], m[4]
			if strings.HasPrefix(file, "<") { // <std>, <extvar:...>
				continue
			}
			if expr := sourceSnippet(file, line, col, end); expr != "" {
				return fmt.Errorf("%s:%s:%s: %s: %s", file, line, col, expr, text)
			}
			return fmt.Errorf("%s:%s:%s: Jsonnet: %s", file, line, col, text)
		}
	}
	return fmt.Errorf("%s: Jsonnet: %s", path, msg)
}

// jsonnetFrame is a stack frame on one line: `path:LINE:COL-END`.
var jsonnetFrame = regexp.MustCompile(`(?m)^\s+(\S+):(\d+):(\d+)-(\d+)\s`)

// sourceSnippet returns columns [col, end) of a line of file, 1-based.
func sourceSnippet(file, line, col, end string) string {
	src, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	l, _ := strconv.Atoi(line)
	c, _ := strconv.Atoi(col)
	e, _ := strconv.Atoi(end)
	lines := strings.Split(string(src), "\n")
	if l < 1 || l > len(lines) || c < 1 || e <= c || e-1 > len(lines[l-1]) {
		return ""
	}
	return lines[l-1][c-1 : e-1]
}

// Source is a file as rendered (after Jsonnet and templates), kept so that
// an error about one of its values can name the line it is on.
type Source struct {
	Path   string // absolute
	Text   []byte
	Format Format
	// Jsonnet output has lines of its own, not the file's: Line knows none.
	Jsonnet bool

	parsed bool
	file   *yamlast.File
}

// JSON is the source's text as JSON, converting YAML.
func (s *Source) JSON() ([]byte, error) {
	if s.Format == FormatYAML {
		return yamlToJSON(s.Path, s.Text)
	}
	return s.Text, nil
}

// Line is the line the value at a path starts on (`$[0].schedule`,
// `$.scheduled.tasks[2]`), or 0 when it is not written there or the
// source cannot tell.
func (s *Source) Line(path string) int {
	if s == nil || s.Jsonnet {
		return 0
	}
	if !s.parsed {
		s.parsed = true
		s.file = parseSource(s.Text)
	}
	if s.file == nil {
		return 0
	}
	return lineOf(s.file, path)
}

func parseSource(text []byte) (file *yamlast.File) {
	defer func() {
		if recover() != nil {
			file = nil
		}
	}()
	f, err := yamlparser.ParseBytes(text, 0)
	if err != nil {
		return nil
	}
	return f
}

func lineOf(file *yamlast.File, path string) (line int) {
	defer func() {
		if recover() != nil {
			line = 0
		}
	}()
	p, err := yaml.PathString(path)
	if err != nil {
		return 0
	}
	node, err := p.FilterFile(file)
	if err != nil || node == nil || node.GetToken() == nil {
		return 0
	}
	return node.GetToken().Position.Line
}
