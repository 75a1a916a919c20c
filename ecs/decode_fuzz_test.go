package ecs

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// jsonFixtures adds every JSON fixture in the tree (files, and files in
// testscript archives) that contains marker to f's seed corpus.
func jsonFixtures(f *testing.F, marker string) {
	add := func(name string, data []byte) {
		if strings.HasSuffix(name, ".json") && bytes.Contains(data, []byte(marker)) {
			f.Add(data)
		}
	}
	for _, dir := range []string{"testdata", "../testdata", "../config/testdata", "../examples"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if os.IsNotExist(err) {
				return filepath.SkipDir
			}
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if strings.HasSuffix(path, ".txtar") {
				for _, file := range txtar.Parse(data).Files {
					add(file.Name, file.Data)
				}
				return nil
			}
			add(path, data)
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
	}
}

// FuzzDecodeTaskDefinition runs a task definition file's rendered text
// through what ecs.Load does with it (decode, normalize, validate,
// canonical form): no panic, and every error names the file.
func FuzzDecodeTaskDefinition(f *testing.F) {
	jsonFixtures(f, "containerDefinitions")
	f.Add([]byte(`{"taskDefinition": {"family": "f", "containerDefinitions": [{"name": "app", "image": "x", "memory": 128}]}, "tags": []}`))
	f.Fuzz(func(t *testing.T, text []byte) {
		in, err := DecodeTaskDefinition("/app/task.json", text)
		if err != nil {
			if !strings.Contains(err.Error(), "/app/task.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		norm := NormalizeTaskDefinition(in)
		for _, err := range ValidateTaskDefinition("/app/task.json", in) {
			if !strings.Contains(err.Error(), "/app/task.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
		}
		_ = Canonical(norm)
	})
}

// FuzzDecodeService does the same for a service definition, validated
// against a task definition.
func FuzzDecodeService(f *testing.F) {
	jsonFixtures(f, "desiredCount")
	jsonFixtures(f, "launchType")
	td, err := DecodeTaskDefinition("/app/task.json", []byte(`{"family": "web", "networkMode": "awsvpc",
		"containerDefinitions": [{"name": "app", "image": "x", "memory": 128, "portMappings": [{"containerPort": 80}]}]}`))
	if err != nil {
		f.Fatal(err)
	}
	td = NormalizeTaskDefinition(td)
	f.Fuzz(func(t *testing.T, text []byte) {
		in, _, err := DecodeService("/app/service.json", text)
		if err != nil {
			if !strings.Contains(err.Error(), "/app/service.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		norm := NormalizeService(in)
		for _, err := range ValidateService("/app/service.json", "web", in, td) {
			if !strings.Contains(err.Error(), "/app/service.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
		}
		_ = Canonical(norm)
	})
}
