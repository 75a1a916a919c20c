package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// MaxDocumentSize bounds one YAML or JSON document as the YAML decoder
// reads it (a config after templates, a YAML definition or tasks file),
// counting every alias (*name) as the text it repeats. The decoder takes
// about 100 times a document's size in memory, so this keeps a file that
// is wrong, generated or hostile (a 400-byte "billion laughs" of nested
// aliases) to a couple of hundred megabytes; real files are a few
// kilobytes.
const MaxDocumentSize = 2 << 20

// decodeYAML is how every YAML (and the config's JSON) is decoded: the
// document is bounded first, and a panic inside the YAML library comes
// back as an error naming the file instead of a stack trace.
func decodeYAML(path string, text []byte, v any, opts ...yaml.DecodeOption) (err error) {
	if err := guardDocument(path, text); err != nil {
		return err
	}
	defer recoverYAML(path, &err)
	if err := yaml.UnmarshalWithOptions(text, v, opts...); err != nil {
		if msg, ok := describeMismatch(text, err); ok {
			return fmt.Errorf("%s: %s", path, msg)
		}
		return fmt.Errorf("%s: %s", path, formatYAMLError(err))
	}
	return nil
}

// formatYAMLError is the library's message with its line and source
// excerpt; a syntax error also says what to look for there.
func formatYAMLError(err error) string {
	var syntax *yaml.SyntaxError
	if errors.As(err, &syntax) && syntax.Token != nil {
		return yaml.FormatErrorWithToken(syntax.Message+
			"; check the indentation, colons, quotes and brackets at that line and the one before", syntax.Token, false, true)
	}
	return yaml.FormatError(err, false, true)
}

// describeMismatch words the YAML library's type errors ("string was
// used where sequence is expected", "cannot unmarshal []interface {} into
// Go struct field Config.Cluster of type string") as the user's key and
// the two kinds of value, keeping the line and the source excerpt.
func describeMismatch(text []byte, err error) (string, bool) {
	var tok *token.Token
	var got, want string
	var unexpected *yaml.UnexpectedNodeTypeError
	var typeErr *yaml.TypeError
	switch {
	case errors.As(err, &unexpected):
		tok, got, want = unexpected.Token, nodeKind(unexpected.Actual), nodeKind(unexpected.Expected)
	case errors.As(err, &typeErr):
		tok, got, want = typeErr.Token, goKind(typeErr.SrcType), goKind(typeErr.DstType)
	default:
		return "", false
	}
	key := keyAt(text, tok)
	if tok == nil || key == "" || got == "" || want == "" {
		return "", false
	}
	if tok.Type == token.StringType || tok.Type == token.DoubleQuoteType || tok.Type == token.SingleQuoteType {
		got += fmt.Sprintf(" %q", tok.Value)
	}
	msg := fmt.Sprintf("%s: expected %s, got %s", key, want, got)
	return yaml.FormatErrorWithToken(msg, tok, false, true), true
}

// keyAt is the path (services[0].name) of the value that starts at tok.
func keyAt(text []byte, tok *token.Token) (key string) {
	defer func() {
		if recover() != nil {
			key = ""
		}
	}()
	if tok == nil || tok.Position == nil {
		return ""
	}
	file, err := parser.ParseBytes(text, 0)
	if err != nil {
		return ""
	}
	finder := &nodeFinder{line: tok.Position.Line, column: tok.Position.Column}
	for _, doc := range file.Docs {
		ast.Walk(finder, doc)
	}
	if finder.path == "" {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(finder.path, "$"), ".")
}

// nodeFinder finds the deepest value node whose token is at a position.
type nodeFinder struct {
	line, column int
	path         string
}

func (f *nodeFinder) Visit(n ast.Node) ast.Visitor {
	switch n.(type) {
	case *ast.MappingValueNode, *ast.MappingKeyNode, *ast.DocumentNode, *ast.CommentNode, *ast.CommentGroupNode:
		return f
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil &&
		tk.Position.Line == f.line && tk.Position.Column == f.column && n.GetPath() != "$" {
		f.path = n.GetPath()
	}
	return f
}

// nodeKind names a YAML node type as a user thinks of it.
func nodeKind(t ast.NodeType) string {
	switch t {
	case ast.StringType, ast.LiteralType:
		return "a string"
	case ast.IntegerType, ast.FloatType, ast.InfinityType, ast.NanType:
		return "a number"
	case ast.BoolType:
		return "true or false"
	case ast.NullType:
		return "nothing (null)"
	case ast.SequenceType:
		return "a list"
	case ast.MappingType:
		return "a mapping of keys to values"
	}
	return ""
}

// goKind names the Go type a value decodes to or from.
func goKind(t reflect.Type) string {
	if t == nil {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping of keys to values"
	}
	return ""
}

// yamlToJSON converts a rendered YAML file to JSON, bounded as decodeYAML is.
func yamlToJSON(path string, text []byte) (out []byte, err error) {
	if err := guardDocument(path, text); err != nil {
		return nil, err
	}
	defer recoverYAML(path, &err)
	js, err := yaml.YAMLToJSON(text)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %s", path, formatYAMLError(err))
	}
	return js, nil
}

func recoverYAML(path string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: the YAML cannot be read (%v); check the file's syntax", path, p)
	}
}

// guardDocument refuses a document larger than MaxDocumentSize, as
// written or as its aliases would expand it.
func guardDocument(path string, text []byte) error {
	if len(text) > MaxDocumentSize {
		return fmt.Errorf("%s: %s after templates, more than the %s tamp reads from one file; make it smaller",
			path, mebibytes(int64(len(text))), mebibytes(MaxDocumentSize))
	}
	// An alias needs an anchor (&name) to repeat; without both characters
	// there is nothing to expand, and nothing to parse twice.
	if !bytes.ContainsRune(text, '&') || !bytes.ContainsRune(text, '*') {
		return nil
	}
	if expandedSize(text) > MaxDocumentSize {
		return fmt.Errorf("%s: its YAML aliases (*name) would expand it to more than the %s tamp reads from one file; "+
			"write the repeated values out, or generate them with Jsonnet", path, mebibytes(MaxDocumentSize))
	}
	return nil
}

func mebibytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// expandedSize estimates the bytes of a document with every alias replaced
// by what its anchor holds: each scalar's text plus one byte per node.
// It stops counting past MaxDocumentSize. A document that does not parse
// counts as its text; the decoder then reports where it is wrong.
func expandedSize(text []byte) (total int64) {
	defer func() {
		if recover() != nil {
			total = int64(len(text))
		}
	}()
	file, err := parser.ParseBytes(text, 0)
	if err != nil {
		return int64(len(text))
	}
	s := &sizer{anchors: map[string][]ast.Node{}, memo: map[ast.Node]int64{}, busy: map[ast.Node]bool{}}
	for _, doc := range file.Docs {
		ast.Walk(s, doc)
	}
	for _, doc := range file.Docs {
		total = s.add(total, s.size(doc))
	}
	return total
}

// sizer measures nodes. An alias may name an anchor defined anywhere in
// the document, and a name may be defined more than once: it counts as the
// largest of them. An alias inside its own anchor counts as nothing (the
// decoder makes it null).
type sizer struct {
	anchors map[string][]ast.Node
	memo    map[ast.Node]int64
	busy    map[ast.Node]bool
}

// Visit collects the anchors.
func (s *sizer) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil && a.Value != nil {
		name := a.Name.GetToken().Value
		s.anchors[name] = append(s.anchors[name], a.Value)
	}
	return s
}

func (s *sizer) add(a, b int64) int64 {
	if a+b > MaxDocumentSize {
		return MaxDocumentSize + 1
	}
	return a + b
}

func (s *sizer) size(n ast.Node) int64 {
	if n == nil {
		return 0
	}
	if v, ok := s.memo[n]; ok {
		return v
	}
	if s.busy[n] {
		return 0
	}
	s.busy[n] = true
	v := s.measure(n)
	delete(s.busy, n)
	s.memo[n] = v
	return v
}

func (s *sizer) measure(n ast.Node) int64 {
	switch n := n.(type) {
	case *ast.DocumentNode:
		return s.size(n.Body)
	case *ast.MappingNode:
		total := int64(1)
		for _, v := range n.Values {
			total = s.add(total, s.size(v))
		}
		return total
	case *ast.MappingValueNode:
		return s.add(s.add(1, s.size(n.Key)), s.size(n.Value))
	case *ast.MappingKeyNode:
		return s.add(1, s.size(n.Value))
	case *ast.SequenceNode:
		total := int64(1)
		for _, v := range n.Values {
			total = s.add(total, s.size(v))
		}
		return total
	case *ast.SequenceEntryNode:
		return s.add(1, s.size(n.Value))
	case *ast.AnchorNode:
		return s.size(n.Value)
	case *ast.TagNode:
		return s.size(n.Value)
	case *ast.LiteralNode:
		if n.Value == nil {
			return 1
		}
		return int64(len(n.Value.Value)) + 1
	case *ast.AliasNode:
		if n.Value == nil {
			return 1
		}
		var largest int64
		for _, target := range s.anchors[n.Value.GetToken().Value] {
			largest = max(largest, s.size(target))
		}
		return s.add(1, largest)
	case *ast.CommentNode, *ast.CommentGroupNode:
		return 0
	}
	if tk := n.GetToken(); tk != nil {
		return int64(len(tk.Value)) + 1
	}
	return 1
}
