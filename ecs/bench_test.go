package ecs

import (
	"fmt"
	"strings"
	"testing"
)

// A task definition the size of a busy service: 5 containers, 40
// environment variables and 10 secrets each.
func largeTaskDefinition() string {
	var containers []string
	for c := range 5 {
		var env, secrets []string
		for i := 40; i > 0; i-- {
			env = append(env, fmt.Sprintf(`{"name":"VAR_%02d","value":"value-%d"}`, i, i))
		}
		for i := 10; i > 0; i-- {
			secrets = append(secrets, fmt.Sprintf(`{"name":"SECRET_%02d","valueFrom":"arn:aws:ssm:r:1:parameter/s%d"}`, i, i))
		}
		containers = append(containers, fmt.Sprintf(`{"name":"c%d","image":"app:1","portMappings":[{"containerPort":%d}],
			"environment":[%s],"secrets":[%s],
			"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/app","awslogs-region":"r","awslogs-stream-prefix":"c"}}}`,
			c, 8000+c, strings.Join(env, ","), strings.Join(secrets, ",")))
	}
	return fmt.Sprintf(`{"family":"big","cpu":"2 vCPU","memory":"4 GB","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],
		"containerDefinitions":[%s]}`, strings.Join(containers, ","))
}

func BenchmarkDecodeNormalizeTaskDefinition(b *testing.B) {
	text := []byte(largeTaskDefinition())
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		in, err := DecodeTaskDefinition("big.json", text)
		if err != nil {
			b.Fatal(err)
		}
		NormalizeTaskDefinition(in)
	}
}

func BenchmarkSameTaskDefinition(b *testing.B) {
	in, err := DecodeTaskDefinition("big.json", []byte(largeTaskDefinition()))
	if err != nil {
		b.Fatal(err)
	}
	x, y := NormalizeTaskDefinition(in), NormalizeTaskDefinition(in)
	for b.Loop() {
		if !SameTaskDefinition(x, y) {
			b.Fatal("not equal")
		}
	}
}
