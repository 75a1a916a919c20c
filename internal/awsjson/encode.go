package awsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"
)

// Marshal writes v as indented JSON with the API's camelCase keys (a
// generic value from Unmarshal or ToGeneric is written as it is, map keys
// sorted). Unset
// fields (nil pointers, empty lists and maps, zero non-pointer values) are
// left out, so two values that differ only in how "unset" was spelled encode
// the same.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// ToGeneric turns v into the generic form Unmarshal produces, with the same
// rules as Marshal.
func ToGeneric(v any) (any, error) {
	var buf bytes.Buffer
	if err := encode(&buf, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return Unmarshal(buf.Bytes())
}

func encode(buf *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		buf.WriteString("null")
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return encode(buf, v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return writeJSON(buf, v.Interface().(time.Time).UTC().Format(time.RFC3339Nano))
		}
		fields := FieldsOf(v.Type())
		buf.WriteByte('{')
		first := true
		for i, name := range fields.names {
			fv := v.Field(fields.index[i])
			if isEmpty(fv) {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			if err := writeJSON(buf, name); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := encode(buf, fv); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice, reflect.Array:
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encode(buf, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case reflect.Map:
		keys := make([]string, 0, v.Len())
		byKey := map[string]reflect.Value{}
		for _, k := range v.MapKeys() {
			s := fmt.Sprint(k.Interface())
			keys = append(keys, s)
			byKey[s] = v.MapIndex(k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := encode(buf, byKey[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.String:
		if n, ok := v.Interface().(json.Number); ok {
			buf.WriteString(n.String()) // a number from a generic document
			return nil
		}
		return writeJSON(buf, v.String())
	default:
		return writeJSON(buf, v.Interface())
	}
}

// Quote writes s as a JSON string, without HTML escaping.
func Quote(s string) string {
	var buf bytes.Buffer
	_ = writeJSON(&buf, s) // a string always encodes
	return buf.String()
}

// writeJSON encodes a scalar without HTML escaping: commands such as
// "a && b" must print as written.
func writeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Struct:
		return v.IsZero()
	}
	return v.IsZero()
}
