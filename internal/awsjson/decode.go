// Package awsjson moves AWS API request shapes between the JSON people write
// (camelCase or PascalCase keys, as the API or the CLI prints them) and the
// aws-sdk-go-v2 Go types.
//
// Decoding is strict and names the JSON path of every problem it finds, so a
// misspelled field in a definition file is reported as
// `containerDefinitions[0].imagee` instead of being silently dropped. Encoding
// writes the API's camelCase keys and leaves out unset fields, which makes the
// output both readable and stable for comparison.
//
// It does not know about any particular AWS service: callers strip read-only
// fields and apply service rules before and after.
package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tamp-ecs/tamp/internal/fuzzy"
)

// FieldError is one problem at one JSON path.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Errors is every problem found in one document, in document order.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.Join-aware callers list the problems one by one.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Unmarshal parses JSON text into a generic value with numbers kept exact.
func Unmarshal(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the first JSON value")
	}
	return v, nil
}

// Decode assigns a generic JSON value (from Unmarshal) to target, which must
// be a pointer. Keys match Go field names case-insensitively; anything that
// does not fit the target's type is collected and returned as Errors.
func Decode(v any, target any) error {
	rv := reflect.ValueOf(target)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("awsjson.Decode: target must be a non-nil pointer, got %T", target)
	}
	d := &decoder{}
	d.value("", v, rv.Elem())
	if len(d.errs) > 0 {
		return d.errs
	}
	return nil
}

type decoder struct {
	errs Errors
}

func (d *decoder) fail(path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

var timeType = reflect.TypeOf(time.Time{})

func (d *decoder) value(path string, in any, out reflect.Value) {
	if in == nil {
		return // null leaves the field unset, as the API does
	}
	t := out.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		elem := reflect.New(t.Elem())
		d.value(path, in, elem.Elem())
		out.Set(elem)
	case t == timeType:
		s, ok := in.(string)
		if !ok {
			d.fail(path, "expected a timestamp string, got %s", describe(in))
			return
		}
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			d.fail(path, "expected an RFC 3339 timestamp, got %q", s)
			return
		}
		out.Set(reflect.ValueOf(ts))
	case t.Kind() == reflect.Struct:
		d.object(path, in, out)
	case t.Kind() == reflect.Slice:
		list, ok := in.([]any)
		if !ok {
			d.fail(path, "expected a list, got %s", describe(in))
			return
		}
		s := reflect.MakeSlice(t, len(list), len(list))
		for i, item := range list {
			d.value(fmt.Sprintf("%s[%d]", path, i), item, s.Index(i))
		}
		out.Set(s)
	case t.Kind() == reflect.Map:
		obj, ok := in.(map[string]any)
		if !ok {
			d.fail(path, "expected an object, got %s", describe(in))
			return
		}
		m := reflect.MakeMapWithSize(t, len(obj))
		for _, k := range sortedKeys(obj) {
			ev := reflect.New(t.Elem()).Elem()
			d.value(JoinPath(path, k), obj[k], ev)
			m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		out.Set(m)
	case t.Kind() == reflect.String:
		s, ok := in.(string)
		if !ok {
			if n, isNum := in.(json.Number); isNum {
				d.fail(path, "expected a string, got the number %s; write it in quotes: \"%s\"", n, n)
				return
			}
			d.fail(path, "expected a string, got %s", describe(in))
			return
		}
		allowed := EnumValues(t)
		if allowed != nil && s == "" {
			return // the API reads an empty enum as unset, and describe output carries them
		}
		if allowed != nil && !contains(allowed, s) {
			d.fail(path, "%q is not a valid value; use one of %s", s, strings.Join(allowed, ", "))
			return
		}
		out.SetString(s)
	case t.Kind() == reflect.Bool:
		b, ok := in.(bool)
		if !ok {
			d.fail(path, "expected true or false, got %s", describe(in))
			return
		}
		out.SetBool(b)
	case isInt(t.Kind()):
		n, ok := in.(json.Number)
		if !ok {
			d.fail(path, "expected a whole number, got %s", describe(in))
			return
		}
		i, err := n.Int64()
		if err != nil {
			// 1e3 or 2.0: whole numbers written as floats.
			f, ferr := n.Float64()
			if ferr != nil || f != math.Trunc(f) {
				d.fail(path, "expected a whole number, got %s", n)
				return
			}
			if f >= math.MaxInt64 || f < math.MinInt64 {
				d.fail(path, "%s is out of range", n)
				return
			}
			i = int64(f)
		}
		if out.OverflowInt(i) {
			d.fail(path, "%s is out of range", n)
			return
		}
		out.SetInt(i)
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		n, ok := in.(json.Number)
		if !ok {
			d.fail(path, "expected a number, got %s", describe(in))
			return
		}
		f, err := n.Float64()
		if err != nil {
			d.fail(path, "expected a number, got %s", n)
			return
		}
		if out.OverflowFloat(f) {
			d.fail(path, "%s is out of range", n)
			return
		}
		out.SetFloat(f)
	case t.Kind() == reflect.Interface && t.NumMethod() == 0:
		out.Set(reflect.ValueOf(in))
	default:
		d.fail(path, "field of type %s cannot be written in a definition file", t)
	}
}

func (d *decoder) object(path string, in any, out reflect.Value) {
	obj, ok := in.(map[string]any)
	if !ok {
		d.fail(path, "expected an object, got %s", describe(in))
		return
	}
	fields := FieldsOf(out.Type())
	for _, k := range sortedKeys(obj) {
		idx, found := fields.byLower[strings.ToLower(k)]
		if !found {
			msg := "unknown field"
			if near := fuzzy.Nearest(k, fields.names, 1); len(near) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", near[0])
			}
			d.fail(JoinPath(path, k), "%s", msg)
			continue
		}
		d.value(JoinPath(path, k), obj[k], out.Field(idx))
	}
}

// Fields describes the exported fields of an SDK struct under their JSON
// names (the Go name with a lower-case first letter, as the API spells them).
type Fields struct {
	names   []string // JSON names in declaration order
	index   []int    // struct field index for each name
	byLower map[string]int
}

// fieldCache holds FieldsOf results by type. Like encoding/json's, it only
// ever grows by pure, repeatable results, so sharing it is safe.
var fieldCache sync.Map // reflect.Type → Fields

// FieldsOf lists the exported fields of struct type t under their JSON
// names: a `json:"name"` tag's name, else the API's spelling of the Go name.
func FieldsOf(t reflect.Type) Fields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(Fields)
	}
	f := fieldsOf(t)
	fieldCache.Store(t, f)
	return f
}

func fieldsOf(t reflect.Type) Fields {
	f := Fields{byLower: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := JSONName(sf.Name)
		if tag, _, _ := strings.Cut(sf.Tag.Get("json"), ","); tag == "-" {
			continue
		} else if tag != "" {
			name = tag // our own shapes spell their keys (snake_case)
		}
		f.names = append(f.names, name)
		f.index = append(f.index, i)
		f.byLower[strings.ToLower(name)] = i
	}
	return f
}

// Names are the JSON names in declaration order.
func (f Fields) Names() []string { return append([]string(nil), f.names...) }

// Canonical is the JSON name of the field name (any case) refers to.
func (f Fields) Canonical(name string) (string, bool) {
	i, ok := f.byLower[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	for j, idx := range f.index {
		if idx == i {
			return f.names[j], true
		}
	}
	return "", false
}

// Has tells whether name (any case) is a field.
func (f Fields) Has(name string) bool {
	_, ok := f.byLower[strings.ToLower(name)]
	return ok
}

// JSONName is the API's key for a Go SDK field name: the same word with a
// lower-case first letter (ContainerDefinitions → containerDefinitions).
func JSONName(goName string) string {
	if goName == "" {
		return goName
	}
	return strings.ToLower(goName[:1]) + goName[1:]
}

// JoinPath appends an object key to a JSON path, quoting keys that are not
// plain identifiers (options["awslogs-group"]).
func JoinPath(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if !plain {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// EnumValues are the values an SDK enum type (a string type with a
// Values method) takes, as decoding checks them; nil for other types.
func EnumValues(t reflect.Type) []string {
	if t == reflect.TypeOf("") {
		return nil
	}
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0).Kind() != reflect.Slice {
		return nil
	}
	vals := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	out := make([]string, vals.Len())
	for i := range out {
		out[i] = vals.Index(i).String()
	}
	return out
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case json.Number:
		return "the number " + x.String()
	case bool:
		return fmt.Sprintf("%t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SyntaxError says where in data a JSON syntax error from Unmarshal is:
// "LINE:COL: " before the message and a hint at what to look for, so a
// definition broken by a template's output can be found. Other errors are
// returned as they are.
func SyntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	offset := int64(-1)
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		offset = int64(len(data))
	default:
		return err
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%d:%d: %w; check the quotes, commas and brackets there (a template's value holding a quote or a newline needs json_escape)", line, col, err)
}
