package awsjson

import (
	"bytes"
	"encoding/json"
	"io"
)

// Named is a JSON object of documents keyed by name, in the order added
// (render's and register --dry-run's output, keyed by config name).
type Named struct {
	names []string
	docs  [][]byte
}

// Add appends a document (JSON text).
func (n *Named) Add(name string, doc []byte) {
	n.names = append(n.names, name)
	n.docs = append(n.docs, doc)
}

// Write prints the object, indented.
func (n *Named) Write(w io.Writer) error {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, name := range n.names {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(Quote(name))
		buf.WriteByte(':')
		if err := json.Compact(&buf, n.docs[i]); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// Len is how many documents there are.
func (n *Named) Len() int { return len(n.names) }
