package ecs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tamp-ecs/tamp/internal/fixtures"
)

// jsonFixtures adds every JSON fixture in the tree (files, and files in
// testscript archives) that contains marker to f's seed corpus.
func jsonFixtures(f *testing.F, marker string) {
	fixtures.Each(f, func(name string, data []byte) {
		if strings.HasSuffix(name, ".json") && bytes.Contains(data, []byte(marker)) {
			f.Add(data)
		}
	}, "testdata", "../testdata", "../config/testdata", "../examples")
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
