package ecs

import "testing"

// pyJSON writes what Python's json.dumps writes for the same object.
func TestPyJSON(t *testing.T) {
	got := pyJSON([][2]string{{"a", "x&y<z>"}, {"b", "q\"\\\n\t\u0001é😀\x7f"}})
	want := `{"a": "x&y<z>", "b": "q\"\\\n\t\u0001\u00e9\ud83d\ude00\u007f"}` // python3 -c 'import json; print(json.dumps(...))'
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
