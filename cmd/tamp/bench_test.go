package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkRenderDemo is `tamp render taskdefs` of the example project
// (three Jsonnet task definitions with tfstate lookups), in process.
func BenchmarkRenderDemo(b *testing.B) {
	b.Setenv("IMAGE_TAG", "bench")
	args := []string{"render", "taskdefs", "-c", filepath.Join("..", "..", "examples", "demo", "tamp.yaml")}
	for b.Loop() {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
