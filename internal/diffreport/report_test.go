package diffreport

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestFields(t *testing.T) {
	before := []byte(`{"a": 1, "list": [{"x": "1"}, {"x": "2"}], "m": {"k-1": "v"}, "same": true}`)
	after := []byte(`{"a": 2, "list": [{"x": "1"}, {"x": "3"}, {"x": "4"}], "m": {"k-1": "w"}, "same": true, "new": null, "added": "x"}`)
	got, err := Fields(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "added", "list[1].x", "list[2]", `m["k-1"]`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fields = %v, want %v", got, want)
	}
}

func TestNewChangeActions(t *testing.T) {
	doc := []byte("{\n  \"a\": 1\n}\n")
	for _, tt := range []struct {
		before, after []byte
		want          Action
	}{
		{nil, doc, Create}, {doc, nil, Delete}, {doc, doc, Unchanged},
		{doc, []byte("{\n  \"a\": 2\n}\n"), Update},
	} {
		c, err := NewChange("r", "", tt.before, tt.after)
		if err != nil || c.Action != tt.want {
			t.Errorf("NewChange(%q, %q) = %v, %v; want %v", tt.before, tt.after, c.Action, err, tt.want)
		}
	}
}

func sample(t *testing.T) Report {
	t.Helper()
	var r Report
	for _, c := range []struct {
		name, remote  string
		before, after string
	}{
		{"task definition web", "web:3", "{\n  \"image\": \"app:1\"\n}\n", "{\n  \"image\": \"app:2\"\n}\n"},
		{"service web", "", "{\n  \"desiredCount\": 2\n}\n", "{\n  \"desiredCount\": 2\n}\n"},
		{"service worker", "", "", "{\n  \"desiredCount\": 1\n}\n"},
	} {
		var before []byte
		if c.before != "" {
			before = []byte(c.before)
		}
		ch, err := NewChange(c.name, c.remote, before, []byte(c.after))
		if err != nil {
			t.Fatal(err)
		}
		r.Changes = append(r.Changes, ch)
	}
	return r
}

func TestFormats(t *testing.T) {
	r := sample(t)
	if !r.Differs() || r.Summary() != "1 to create, 1 to update, 1 unchanged" {
		t.Errorf("summary %q", r.Summary())
	}
	var u bytes.Buffer
	if err := r.Unified(&u, false); err != nil {
		t.Fatal(err)
	}
	wantUnified := `--- task definition web (AWS: web:3)
+++ task definition web (config)
@@ -1,3 +1,3 @@
 {
-  "image": "app:1"
+  "image": "app:2"
 }
--- /dev/null
+++ service worker (config)
@@ -0,0 +1,3 @@
+{
+  "desiredCount": 1
+}
`
	if u.String() != wantUnified {
		t.Errorf("unified:\n%s\nwant:\n%s", u.String(), wantUnified)
	}
	var colored bytes.Buffer
	r.Unified(&colored, true)
	if !strings.Contains(colored.String(), "\x1b[31m-  \"image\": \"app:1\"\x1b[0m\n") || !strings.Contains(colored.String(), "\x1b[32m+  \"image\": \"app:2\"\x1b[0m\n") {
		t.Errorf("colours:\n%q", colored.String())
	}
	var md bytes.Buffer
	r.Markdown(&md)
	if !strings.HasPrefix(md.String(), "**tamp diff**: 1 to create, 1 to update, 1 unchanged\n") ||
		strings.Count(md.String(), "<details>") != 2 || !strings.Contains(md.String(), "<summary>create service worker</summary>") {
		t.Errorf("markdown:\n%s", md.String())
	}
	var js bytes.Buffer
	r.JSON(&js)
	var doc struct {
		Summary map[string]int `json:"summary"`
		Changes []Change       `json:"changes"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary["update"] != 1 || len(doc.Changes) != 2 || doc.Changes[0].Fields[0] != "image" {
		t.Errorf("json: %s", js.String())
	}
}

func TestNothingChanged(t *testing.T) {
	c, _ := NewChange("service web", "", []byte("{}\n"), []byte("{}\n"))
	r := Report{Changes: []Change{c}}
	var u, js bytes.Buffer
	r.Unified(&u, false)
	r.JSON(&js)
	if r.Differs() || u.Len() != 0 || !strings.Contains(js.String(), `"changes": []`) {
		t.Errorf("differs %v, unified %q, json %s", r.Differs(), u.String(), js.String())
	}
}

func TestHideRemoteSecrets(t *testing.T) {
	before := []byte(`{"environment": [{"name": "DB_PASSWORD", "value": "old-secret"}, {"name": "MODE", "value": "a"}], "image": "app:1"}`)
	after := []byte(`{"environment": [{"name": "DB_PASSWORD", "value": "new-secret"}, {"name": "MODE", "value": "b"}], "image": "app:2"}`)
	c, err := NewChange("task definition web", "web:1", before, after)
	if err != nil {
		t.Fatal(err)
	}
	r := Report{Changes: []Change{c}}
	mask := func(s string) string { return strings.ReplaceAll(s, "new-secret", "(sensitive)") }
	if err := r.HideRemoteSecrets(mask, "(sensitive)"); err != nil {
		t.Fatal(err)
	}
	got := string(r.Changes[0].Before)
	if strings.Contains(got, "old-secret") || !strings.Contains(got, `"value": "(sensitive)"`) || !strings.Contains(got, `"value": "a"`) || !strings.Contains(got, "app:1") {
		t.Errorf("before = %s", got)
	}
}

func TestNotesInEveryFormat(t *testing.T) {
	c, err := NewChange("service web", "", []byte(`{"desiredCount": 1}`), []byte(`{"desiredCount": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	c.Notes = []string{"through UpdateService: desiredCount"}
	r := Report{Changes: []Change{c}}
	var unified, md, js strings.Builder
	if err := r.Unified(&unified, false); err != nil {
		t.Fatal(err)
	}
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.JSON(&js); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct{ got, want string }{
		"unified":  {unified.String(), "# service web: through UpdateService: desiredCount\n"},
		"markdown": {md.String(), "- through UpdateService: desiredCount\n\n```diff"},
		"json":     {js.String(), `"notes": [` + "\n" + `        "through UpdateService: desiredCount"`},
	} {
		if !strings.Contains(tt.got, tt.want) {
			t.Errorf("%s lacks %q:\n%s", name, tt.want, tt.got)
		}
	}
}

// A resource that does not change can still carry a note (a desired count
// left to auto scaling): unified and markdown say it, with no diff.
func TestNotesOfUnchangedResources(t *testing.T) {
	c, err := NewChange("service web", "", []byte(`{"propagateTags": "SERVICE"}`), []byte(`{"propagateTags": "SERVICE"}`))
	if err != nil || c.Action != Unchanged {
		t.Fatalf("%+v, %v", c, err)
	}
	c.Notes = []string{"desiredCount 2 is left to Application Auto Scaling"}
	r := Report{Changes: []Change{c}}
	var unified, md strings.Builder
	if err := r.Unified(&unified, false); err != nil {
		t.Fatal(err)
	}
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if got := unified.String(); got != "# service web: desiredCount 2 is left to Application Auto Scaling\n" {
		t.Errorf("unified %q", got)
	}
	if got := md.String(); !strings.Contains(got, "\n- service web (unchanged): desiredCount 2 is left to Application Auto Scaling\n") || strings.Contains(got, "```") {
		t.Errorf("markdown %q", got)
	}
}
