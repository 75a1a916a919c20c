package awsjson_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// decode parses doc and decodes it into target.
func decode(t *testing.T, doc string, target any) error {
	t.Helper()
	v, err := awsjson.Unmarshal([]byte(doc))
	if err != nil {
		t.Fatalf("Unmarshal(%s): %v", doc, err)
	}
	return awsjson.Decode(v, target)
}

// mustMarshal is for failure messages only.
func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := awsjson.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return string(b)
}

func wantTaskDef() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String("web"),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:      aws.String("app"),
			Image:     aws.String("nginx:1.27"),
			Cpu:       128,
			Memory:    aws.Int32(512),
			Essential: aws.Bool(true),
			Command:   []string{"sh", "-c", "a && b"},
			PortMappings: []types.PortMapping{{
				ContainerPort: aws.Int32(80),
				Protocol:      types.TransportProtocolTcp,
			}},
			LogConfiguration: &types.LogConfiguration{
				LogDriver: types.LogDriverAwslogs,
				Options:   map[string]string{"awslogs-group": "/ecs/web"},
			},
		}},
	}
}

func TestDecodeKeyCase(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{
			name: "camelCase",
			doc: `{
				"family": "web",
				"networkMode": "awsvpc",
				"requiresCompatibilities": ["FARGATE"],
				"cpu": "256",
				"containerDefinitions": [{
					"name": "app",
					"image": "nginx:1.27",
					"cpu": 128,
					"memory": 512,
					"essential": true,
					"command": ["sh", "-c", "a && b"],
					"portMappings": [{"containerPort": 80, "protocol": "tcp"}],
					"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}
				}]
			}`,
		},
		{
			name: "PascalCase",
			doc: `{
				"Family": "web",
				"NetworkMode": "awsvpc",
				"RequiresCompatibilities": ["FARGATE"],
				"Cpu": "256",
				"ContainerDefinitions": [{
					"Name": "app",
					"Image": "nginx:1.27",
					"Cpu": 128,
					"Memory": 512,
					"Essential": true,
					"Command": ["sh", "-c", "a && b"],
					"PortMappings": [{"ContainerPort": 80, "Protocol": "tcp"}],
					"LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": "/ecs/web"}}
				}]
			}`,
		},
		{
			name: "mixed and upper case",
			doc: `{
				"FAMILY": "web",
				"networkmode": "awsvpc",
				"requiresCompatibilities": ["FARGATE"],
				"CPU": "256",
				"containerDefinitions": [{
					"NAME": "app",
					"image": "nginx:1.27",
					"Cpu": 128,
					"memory": 512,
					"essential": true,
					"command": ["sh", "-c", "a && b"],
					"portmappings": [{"containerPort": 80, "PROTOCOL": "tcp"}],
					"logConfiguration": {"logDriver": "awslogs", "OPTIONS": {"awslogs-group": "/ecs/web"}}
				}]
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ecs.RegisterTaskDefinitionInput
			if err := decode(t, tt.doc, &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want := wantTaskDef()
			if !reflect.DeepEqual(&got, want) {
				t.Errorf("Decode got\n%s\nwant\n%s", mustMarshal(t, &got), mustMarshal(t, want))
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, in *ecs.RegisterTaskDefinitionInput)
	}{
		{
			name: "empty enum is unset",
			doc:  `{"networkMode": "", "pidMode": ""}`,
			check: func(t *testing.T, in *ecs.RegisterTaskDefinitionInput) {
				if in.NetworkMode != "" || in.PidMode != "" {
					t.Errorf("NetworkMode = %q, PidMode = %q, want both empty", in.NetworkMode, in.PidMode)
				}
			},
		},
		{
			name: "null leaves fields unset",
			doc:  `{"family": null, "containerDefinitions": [{"memory": null, "essential": null}]}`,
			check: func(t *testing.T, in *ecs.RegisterTaskDefinitionInput) {
				if in.Family != nil {
					t.Errorf("Family = %q, want nil", *in.Family)
				}
				if len(in.ContainerDefinitions) != 1 {
					t.Fatalf("len(ContainerDefinitions) = %d, want 1", len(in.ContainerDefinitions))
				}
				c := in.ContainerDefinitions[0]
				if c.Memory != nil || c.Essential != nil {
					t.Errorf("Memory = %v, Essential = %v, want nil", c.Memory, c.Essential)
				}
			},
		},
		{
			name: "whole numbers written with exponent or fraction zero",
			doc:  `{"containerDefinitions": [{"cpu": 1e3, "memory": 2.0, "memoryReservation": 2147483647}]}`,
			check: func(t *testing.T, in *ecs.RegisterTaskDefinitionInput) {
				c := in.ContainerDefinitions[0]
				if c.Cpu != 1000 {
					t.Errorf("Cpu = %d, want 1000", c.Cpu)
				}
				if c.Memory == nil || *c.Memory != 2 {
					t.Errorf("Memory = %v, want 2", c.Memory)
				}
				if c.MemoryReservation == nil || *c.MemoryReservation != 2147483647 {
					t.Errorf("MemoryReservation = %v, want 2147483647", c.MemoryReservation)
				}
			},
		},
		{
			name: "false and empty collections are kept",
			doc:  `{"containerDefinitions": [{"essential": false, "command": [], "dockerLabels": {}}]}`,
			check: func(t *testing.T, in *ecs.RegisterTaskDefinitionInput) {
				c := in.ContainerDefinitions[0]
				if c.Essential == nil || *c.Essential {
					t.Errorf("Essential = %v, want pointer to false", c.Essential)
				}
				if c.Command == nil || len(c.Command) != 0 {
					t.Errorf("Command = %#v, want empty non-nil", c.Command)
				}
				if c.DockerLabels == nil || len(c.DockerLabels) != 0 {
					t.Errorf("DockerLabels = %#v, want empty non-nil", c.DockerLabels)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in ecs.RegisterTaskDefinitionInput
			if err := decode(t, tt.doc, &in); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			tt.check(t, &in)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // each FieldError's Error(), in order
	}{
		{
			name: "unknown field with hint",
			doc:  `{"containerDefinitions": [{"imagee": "nginx"}]}`,
			want: []string{`containerDefinitions[0].imagee: unknown field; did you mean "image"?`},
		},
		{
			name: "unknown top-level field with hint",
			doc:  `{"familly": "web"}`,
			want: []string{`familly: unknown field; did you mean "family"?`},
		},
		{
			name: "unknown field without hint",
			doc:  `{"qqqqqqqqqqqqqqqq": 1}`,
			want: []string{`qqqqqqqqqqqqqqqq: unknown field`},
		},
		{
			name: "string for int",
			doc:  `{"containerDefinitions": [{"cpu": "256"}]}`,
			want: []string{`containerDefinitions[0].cpu: expected a whole number, got the string "256"`},
		},
		{
			name: "bool for int pointer",
			doc:  `{"containerDefinitions": [{"memory": true}]}`,
			want: []string{`containerDefinitions[0].memory: expected a whole number, got true`},
		},
		{
			name: "number for string",
			doc:  `{"family": 123}`,
			want: []string{`family: expected a string, got the number 123; write it in quotes: "123"`},
		},
		{
			name: "bool for string",
			doc:  `{"family": true}`,
			want: []string{`family: expected a string, got true`},
		},
		{
			name: "string for bool",
			doc:  `{"containerDefinitions": [{"essential": "yes"}]}`,
			want: []string{`containerDefinitions[0].essential: expected true or false, got the string "yes"`},
		},
		{
			name: "number for bool",
			doc:  `{"containerDefinitions": [{"essential": 1}]}`,
			want: []string{`containerDefinitions[0].essential: expected true or false, got the number 1`},
		},
		{
			name: "object for list",
			doc:  `{"containerDefinitions": {"name": "app"}}`,
			want: []string{`containerDefinitions: expected a list, got an object`},
		},
		{
			name: "string for object",
			doc:  `{"containerDefinitions": ["app"]}`,
			want: []string{`containerDefinitions[0]: expected an object, got the string "app"`},
		},
		{
			name: "list for map",
			doc:  `{"containerDefinitions": [{"dockerLabels": ["a=b"]}]}`,
			want: []string{`containerDefinitions[0].dockerLabels: expected an object, got a list`},
		},
		{
			name: "list for string",
			doc:  `{"cpu": ["256"]}`,
			want: []string{`cpu: expected a string, got a list`},
		},
		{
			name: "invalid enum",
			doc:  `{"networkMode": "awsvpcc"}`,
			want: []string{`networkMode: "awsvpcc" is not a valid value; use one of bridge, host, awsvpc, none`},
		},
		{
			name: "invalid enum in a list",
			doc:  `{"requiresCompatibilities": ["FARGATE", "fargate"]}`,
			want: []string{`requiresCompatibilities[1]: "fargate" is not a valid value; use one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES`},
		},
		{
			name: "invalid nested enum",
			doc:  `{"containerDefinitions": [{"portMappings": [{"containerPort": 80, "protocol": "sctp"}]}]}`,
			want: []string{`containerDefinitions[0].portMappings[0].protocol: "sctp" is not a valid value; use one of tcp, udp`},
		},
		{
			name: "int32 overflow",
			doc:  `{"containerDefinitions": [{"memory": 3000000000}]}`,
			want: []string{`containerDefinitions[0].memory: 3000000000 is out of range`},
		},
		{
			name: "int32 negative overflow",
			doc:  `{"containerDefinitions": [{"cpu": -2147483649}]}`,
			want: []string{`containerDefinitions[0].cpu: -2147483649 is out of range`},
		},
		{
			name: "int32 overflow written with exponent",
			doc:  `{"containerDefinitions": [{"cpu": 5e9}]}`,
			want: []string{`containerDefinitions[0].cpu: 5e9 is out of range`},
		},
		{
			name: "fractional number for int",
			doc:  `{"containerDefinitions": [{"cpu": 1.5}]}`,
			want: []string{`containerDefinitions[0].cpu: expected a whole number, got 1.5`},
		},
		{
			name: "map value with dashed key",
			doc:  `{"containerDefinitions": [{"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": 5}}}]}`,
			want: []string{`containerDefinitions[0].logConfiguration.options["awslogs-group"]: expected a string, got the number 5; write it in quotes: "5"`},
		},
		{
			name: "map value with plain key",
			doc:  `{"containerDefinitions": [{"dockerLabels": {"team": false}}]}`,
			want: []string{`containerDefinitions[0].dockerLabels.team: expected a string, got false`},
		},
		{
			name: "several errors in key order",
			doc: `{
				"networkMode": "x",
				"family": 1,
				"containerDefinitions": [
					{"imagee": "a", "cpu": "b"},
					{"name": "ok", "essential": "no"}
				]
			}`,
			want: []string{
				`containerDefinitions[0].cpu: expected a whole number, got the string "b"`,
				`containerDefinitions[0].imagee: unknown field; did you mean "image"?`,
				`containerDefinitions[1].essential: expected true or false, got the string "no"`,
				`family: expected a string, got the number 1; write it in quotes: "1"`,
				`networkMode: "x" is not a valid value; use one of bridge, host, awsvpc, none`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in ecs.RegisterTaskDefinitionInput
			err := decode(t, tt.doc, &in)
			if err == nil {
				t.Fatalf("Decode succeeded, want errors %q", tt.want)
			}
			var errs awsjson.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Decode error %v (%T) is not awsjson.Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if want := strings.Join(tt.want, "\n"); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestErrorsUnwrap(t *testing.T) {
	var in ecs.RegisterTaskDefinitionInput
	err := decode(t, `{"family": 1, "networkMode": "nope", "cpu": 2}`, &in)
	if err == nil {
		t.Fatal("Decode succeeded, want errors")
	}
	u, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("%T has no Unwrap() []error", err)
	}
	unwrapped := u.Unwrap()
	wantPaths := []string{"cpu", "family", "networkMode"}
	if len(unwrapped) != len(wantPaths) {
		t.Fatalf("Unwrap() returned %d errors, want %d: %v", len(unwrapped), len(wantPaths), unwrapped)
	}
	for i, e := range unwrapped {
		t.Run(wantPaths[i], func(t *testing.T) {
			fe, ok := e.(*awsjson.FieldError)
			if !ok {
				t.Fatalf("Unwrap()[%d] is %T, want *awsjson.FieldError", i, e)
			}
			if fe.Path != wantPaths[i] {
				t.Errorf("Path = %q, want %q", fe.Path, wantPaths[i])
			}
		})
	}
	// errors.As walks the tree and finds the first one.
	var fe *awsjson.FieldError
	if !errors.As(err, &fe) || fe.Path != "cpu" {
		t.Errorf("errors.As found %v, want the cpu error", fe)
	}
}

func TestFieldErrorMessage(t *testing.T) {
	tests := []struct {
		err  awsjson.FieldError
		want string
	}{
		{awsjson.FieldError{Path: "a.b", Msg: "bad"}, "a.b: bad"},
		{awsjson.FieldError{Msg: "expected an object, got a list"}, "expected an object, got a list"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// custom covers kinds the ECS task definition does not have.
type custom struct {
	At      *time.Time
	When    time.Time
	Ratio   float64
	Any     any
	Count   int64
	Small   int8
	Unsign  uint
	private string
}

func TestDecodeOtherKinds(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    custom
		wantErr []string
	}{
		{
			name: "timestamps",
			doc:  `{"at": "2024-05-01T12:30:00.5Z", "when": "2024-05-01T21:30:00+09:00"}`,
			want: custom{
				At:   ptr(time.Date(2024, 5, 1, 12, 30, 0, 500000000, time.UTC)),
				When: time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC),
			},
		},
		{
			name: "float and any",
			doc:  `{"ratio": 0.25, "any": {"k": [1, "two"]}}`,
			want: custom{Ratio: 0.25, Any: map[string]any{"k": []any{json.Number("1"), "two"}}},
		},
		{
			name: "int64 and int8",
			doc:  `{"count": 9007199254740993, "small": -128}`,
			want: custom{Count: 9007199254740993, Small: -128},
		},
		{
			name:    "bad timestamp",
			doc:     `{"at": "yesterday"}`,
			wantErr: []string{`at: expected an RFC 3339 timestamp, got "yesterday"`},
		},
		{
			name:    "number for timestamp",
			doc:     `{"when": 1714566600}`,
			wantErr: []string{`when: expected a timestamp string, got the number 1714566600`},
		},
		{
			name:    "string for float",
			doc:     `{"ratio": "0.5"}`,
			wantErr: []string{`ratio: expected a number, got the string "0.5"`},
		},
		{
			name:    "int8 overflow",
			doc:     `{"small": 128}`,
			wantErr: []string{`small: 128 is out of range`},
		},
		{
			name:    "unsupported kind",
			doc:     `{"unsign": 1}`,
			wantErr: []string{`unsign: field of type uint cannot be written in a definition file`},
		},
		{
			name:    "unexported field is unknown",
			doc:     `{"private": "x"}`,
			wantErr: []string{`private: unknown field`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got custom
			err := decode(t, tt.doc, &got)
			if tt.wantErr != nil {
				var errs awsjson.Errors
				if !errors.As(err, &errs) {
					t.Fatalf("Decode error = %v, want awsjson.Errors %q", err, tt.wantErr)
				}
				var msgs []string
				for _, e := range errs {
					msgs = append(msgs, e.Error())
				}
				if diff := cmp.Diff(tt.wantErr, msgs); diff != "" {
					t.Errorf("errors mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(custom{})); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeTarget(t *testing.T) {
	tests := []struct {
		name   string
		target any
	}{
		{"non-pointer", ecs.RegisterTaskDefinitionInput{}},
		{"nil pointer", (*ecs.RegisterTaskDefinitionInput)(nil)},
		{"nil", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := awsjson.Decode(map[string]any{}, tt.target)
			if err == nil || !strings.HasPrefix(err.Error(), "awsjson.Decode: target must be a non-nil pointer") {
				t.Errorf("Decode error = %v, want the non-nil pointer error", err)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr string
	}{
		{name: "numbers stay exact", in: `{"n": 12345678901234567890, "f": 0.1}`, want: map[string]any{"n": json.Number("12345678901234567890"), "f": json.Number("0.1")}},
		{name: "scalar", in: ` "x" `, want: "x"},
		{name: "trailing value", in: `{} {}`, wantErr: "unexpected data after the first JSON value"},
		{name: "invalid", in: `{"a":}`, wantErr: "invalid character '}' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := awsjson.Unmarshal([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("Unmarshal error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unmarshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshal(t *testing.T) {
	type flags struct {
		On      bool
		Off     bool
		Ptr     *bool
		Name    string
		Empty   string
		N       int32
		Zero    int32
		List    []string
		NilList []string
		Map     map[string]string
		Ints    map[int]string
		When    time.Time
		Never   time.Time
		Any     any
	}
	tokyo := time.FixedZone("JST", 9*60*60)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{
			name: "task definition",
			in: &ecs.RegisterTaskDefinitionInput{
				Family:      aws.String("web"),
				NetworkMode: "", // zero enum: left out
				ContainerDefinitions: []types.ContainerDefinition{{
					Name:         aws.String("app"),
					Image:        aws.String("nginx"),
					Cpu:          0, // zero non-pointer: left out
					Essential:    aws.Bool(false),
					Command:      []string{"sh", "-c", "a && b <x>"},
					Environment:  []types.KeyValuePair{},
					DockerLabels: map[string]string{"b": "2", "a": "1"},
					PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}},
				}},
			},
			want: `{
  "containerDefinitions": [
    {
      "command": [
        "sh",
        "-c",
        "a && b <x>"
      ],
      "dockerLabels": {
        "a": "1",
        "b": "2"
      },
      "essential": false,
      "image": "nginx",
      "name": "app",
      "portMappings": [
        {
          "containerPort": 80
        }
      ]
    }
  ],
  "family": "web"
}
`,
		},
		{
			name: "zero values left out, pointers kept",
			in: flags{
				On:    true,
				Ptr:   aws.Bool(false),
				Name:  "n",
				N:     7,
				List:  []string{},
				Map:   map[string]string{},
				Ints:  map[int]string{10: "ten", 9: "nine"},
				When:  time.Date(2024, 5, 1, 21, 30, 0, 0, tokyo),
				Never: time.Time{},
			},
			want: `{
  "on": true,
  "ptr": false,
  "name": "n",
  "n": 7,
  "ints": {
    "10": "ten",
    "9": "nine"
  },
  "when": "2024-05-01T12:30:00Z"
}
`,
		},
		{
			name: "empty struct",
			in:   &types.KeyValuePair{},
			want: "{}\n",
		},
		{
			name: "nil",
			in:   nil,
			want: "null\n",
		},
		{
			name: "nil pointer",
			in:   (*types.KeyValuePair)(nil),
			want: "null\n",
		},
		{
			name: "no HTML escaping",
			in:   map[string]any{"cmd": "a && b > c < d", "nested": []any{"<tag>"}},
			want: `{
  "cmd": "a && b > c < d",
  "nested": [
    "<tag>"
  ]
}
`,
		},
		{
			name: "list elements are not left out",
			in:   [][]string{{}, nil, {"x"}},
			want: `[
  [],
  [],
  [
    "x"
  ]
]
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := awsjson.Marshal(tt.in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"plain", `"plain"`},
		{"", `""`},
		{"a && b", `"a && b"`},
		{"<x>", `"<x>"`},
		{`say "hi"`, `"say \"hi\""`},
		{"line1\nline2\ttab", `"line1\nline2\ttab"`},
		{`back\slash`, `"back\\slash"`},
		{"日本", `"日本"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := awsjson.Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestToGenericRoundTrip(t *testing.T) {
	canonical := `{
		"containerDefinitions": [{
			"command": ["sh", "-c", "a && b"],
			"cpu": 128,
			"dockerLabels": {"a": "1", "b": "2"},
			"environment": [{"name": "MODE", "value": "prod"}],
			"essential": false,
			"image": "nginx:1.27",
			"logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1"}},
			"memory": 512,
			"name": "app",
			"portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
		}],
		"family": "web",
		"cpu": "256",
		"memory": "512",
		"networkMode": "awsvpc",
		"requiresCompatibilities": ["FARGATE"],
		"tags": [{"key": "team", "value": "core"}]
	}`
	tests := []struct {
		name string
		doc  string
	}{
		{"camelCase", canonical},
		{"PascalCase and unset spellings", `{
			"ContainerDefinitions": [{
				"Command": ["sh", "-c", "a && b"],
				"Cpu": 128,
				"DockerLabels": {"b": "2", "a": "1"},
				"Environment": [{"Name": "MODE", "Value": "prod"}],
				"Essential": false,
				"Image": "nginx:1.27",
				"LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-region": "ap-northeast-1", "awslogs-group": "/ecs/web"}},
				"Memory": 512,
				"Name": "app",
				"PortMappings": [{"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"}],
				"Links": [],
				"Hostname": null,
				"MountPoints": []
			}],
			"Family": "web",
			"Cpu": "256",
			"Memory": "512",
			"NetworkMode": "awsvpc",
			"PidMode": "",
			"RequiresCompatibilities": ["FARGATE"],
			"Tags": [{"Key": "team", "Value": "core"}],
			"Volumes": []
		}`},
	}
	want, err := awsjson.Unmarshal([]byte(canonical))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in ecs.RegisterTaskDefinitionInput
			if err := decode(t, tt.doc, &in); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got, err := awsjson.ToGeneric(&in)
			if err != nil {
				t.Fatalf("ToGeneric: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ToGeneric(Decode(doc)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJoinPath(t *testing.T) {
	tests := []struct {
		path, key string
		want      string
	}{
		{"", "family", "family"},
		{"containerDefinitions[0]", "image", "containerDefinitions[0].image"},
		{"a", "snake_case9", "a.snake_case9"},
		{"a", "0", "a.0"},
		{"options", "awslogs-group", `options["awslogs-group"]`},
		{"", "awslogs-group", `["awslogs-group"]`},
		{"labels", "com.example.team", `labels["com.example.team"]`},
		{"labels", "with space", `labels["with space"]`},
		{"labels", `q"uote`, `labels["q\"uote"]`},
		{"labels", "", `labels[""]`},
		{"labels", "é", `labels["é"]`},
	}
	for _, tt := range tests {
		t.Run(tt.path+"+"+tt.key, func(t *testing.T) {
			if got := awsjson.JoinPath(tt.path, tt.key); got != tt.want {
				t.Errorf("JoinPath(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
			}
		})
	}
}

func TestJSONName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ContainerDefinitions", "containerDefinitions"},
		{"Cpu", "cpu"},
		{"X", "x"},
		{"already", "already"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := awsjson.JSONName(tt.in); got != tt.want {
				t.Errorf("JSONName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Numbers beyond int64 must not wrap around through the float fallback.
func TestDecodeHugeNumbers(t *testing.T) {
	var v struct {
		N int64
		F float32
	}
	err := awsjson.Decode(map[string]any{"n": json.Number("1e19"), "f": json.Number("1e300")}, &v)
	want := "f: 1e300 is out of range\nn: 1e19 is out of range"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// Numbers in generic documents (from Unmarshal) stay numbers.
func TestMarshalGenericNumbers(t *testing.T) {
	v, err := awsjson.Unmarshal([]byte(`{"desiredCount": 2, "ratio": 0.5, "name": "2"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := awsjson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"desiredCount\": 2,\n  \"name\": \"2\",\n  \"ratio\": 0.5\n}\n"; string(got) != want {
		t.Errorf("got %s", got)
	}
}
