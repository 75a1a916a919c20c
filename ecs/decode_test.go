package ecs

import (
	"strings"
	"testing"
)

func TestDecodeTaskDefinitionErrors(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want []string
	}{
		{"unknown field with hint", `{"family":"f","containerDefinitions":[{"name":"a","imagee":"i"}]}`,
			[]string{`td.json: containerDefinitions[0].imagee: unknown field; did you mean "image"?`}},
		{"unknown field inside the wrapper", `{"taskDefinition":{"family":"f","famly":"g"}}`,
			[]string{`td.json: taskDefinition.famly: unknown field; did you mean "family"?`}},
		{"stray key next to the wrapper", `{"taskDefinition":{"family":"f"},"other":1}`,
			[]string{`td.json: other: unexpected next to taskDefinition`}},
		{"several problems at once", `{"family":1,"networkMode":"nat","containerDefinitions":[{"memory":"x"}]}`,
			[]string{`containerDefinitions[0].memory: expected a whole number`, `family: expected a string, got the number 1`, `networkMode: "nat" is not a valid value`}},
		{"not an object", `[1]`, []string{`td.json: expected an object at the top level`}},
		{"not JSON", `{`, []string{`td.json:1:2: invalid JSON after rendering: unexpected EOF; check the quotes, commas and brackets there`}},
		// Enums are the decoder's: ulimit names, protocols, log drivers.
		{"unknown ulimit name", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","ulimits":[{"name":"nofiles","softLimit":1,"hardLimit":1}]}]}`,
			[]string{`containerDefinitions[0].ulimits[0].name: "nofiles" is not a valid value; use one of core, cpu`}},
		{"unknown protocol", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80,"protocol":"sctp"}]}]}`,
			[]string{`containerDefinitions[0].portMappings[0].protocol: "sctp" is not a valid value; use one of tcp, udp`}},
		{"unknown log driver", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","logConfiguration":{"logDriver":"cloudwatch"}}]}`,
			[]string{`containerDefinitions[0].logConfiguration.logDriver: "cloudwatch" is not a valid value`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeTaskDefinition("td.json", []byte(tt.js))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestDecodeTaskDefinitionWrapperKeepsTags(t *testing.T) {
	in, err := DecodeTaskDefinition("td.json", []byte(`{"taskDefinition":{"family":"f"},"tags":[{"key":"k","value":"v"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Tags) != 1 || *in.Tags[0].Key != "k" {
		t.Errorf("tags = %+v, want the wrapper's top-level tags", in.Tags)
	}
}

func TestValidateTaskDefinition(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want []string // empty: valid
	}{
		{"valid", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":128}]}`, nil},
		{"missing family, container name and image", `{"containerDefinitions":[{"memory":128}]}`,
			[]string{"family: is required", "containerDefinitions[0].name: is required", "containerDefinitions[0].image: is required"}},
		{"no containers", `{"family":"f"}`, []string{"containerDefinitions: at least one container is required"}},
		{"duplicate container names", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i"},{"name":"a","image":"i"}]}`,
			[]string{`containerDefinitions[1].name: "a" is already the name of containerDefinitions[0]`}},
		{"nothing essential", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":128,"essential":false}]}`,
			[]string{"at least one container must be essential"}},
		{"fargate rules", `{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"bridge","containerDefinitions":[{"name":"a","image":"i","memory":128}]}`,
			[]string{`networkMode: FARGATE requires "awsvpc"`, "cpu: FARGATE requires task-level cpu and memory"}},
		{"bad sizes", `{"family":"f","cpu":"lots","memory":"2 TB","containerDefinitions":[{"name":"a","image":"i","memory":128}]}`,
			[]string{`cpu: "lots" is not a size`, `memory: "2 TB" is not a size`}},
		{"awsvpc host port", `{"family":"f","networkMode":"awsvpc","memory":"512","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80,"hostPort":81}]}]}`,
			[]string{"containerDefinitions[0].portMappings[0].hostPort: under networkMode awsvpc the host port must equal the container port (80)"}},
		{"EC2 and FARGATE: FARGATE's rules apply", `{"family":"f","requiresCompatibilities":["EC2","FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`, nil},
		{"dependsOn a missing container", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","dependsOn":[{"containerName":"b","condition":"START"}]}]}`,
			[]string{`containerDefinitions[0].dependsOn[0].containerName: no container named "b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeTaskDefinition("td.json", []byte(tt.js))
			if err != nil {
				t.Fatal(err)
			}
			errs := ValidateTaskDefinition("td.json", in)
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) || !strings.HasPrefix(errs[i].Error(), "td.json: ") {
					t.Errorf("error %d = %q, want it to name td.json and contain %q", i, errs[i], w)
				}
			}
		})
	}
}

func TestValidateService(t *testing.T) {
	td, err := DecodeTaskDefinition("td.json", []byte(`{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":128,"portMappings":[{"containerPort":8080}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		js   string
		want []string
	}{
		{"valid", `{"loadBalancers":[{"targetGroupArn":"tg","containerName":"app","containerPort":8080}]}`, nil},
		{"serviceName differs", `{"serviceName":"other"}`, []string{`serviceName: "other" differs from the name "web"`}},
		{"unknown container", `{"loadBalancers":[{"targetGroupArn":"tg","containerName":"ap","containerPort":8080}]}`,
			[]string{`loadBalancers[0].containerName: no container named "ap" in task definition f`}},
		{"unknown port", `{"loadBalancers":[{"targetGroupArn":"tg","containerName":"app","containerPort":80}]}`,
			[]string{`loadBalancers[0].containerPort: container "app" has no port mapping for port 80`}},
		{"a Classic Load Balancer names the port too", `{"loadBalancers":[{"loadBalancerName":"clb","containerName":"app","containerPort":8080}]}`, nil},
		{"a load balancer without a port", `{"loadBalancers":[{"loadBalancerName":"clb","containerName":"app"}]}`,
			[]string{`loadBalancers[0].containerPort: is required`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _, err := DecodeService("svc.json", []byte(tt.js))
			if err != nil {
				t.Fatal(err)
			}
			errs := ValidateService("svc.json", "web", svc, td)
			if len(errs) != len(tt.want) {
				t.Fatalf("got %v, want %d errors", errs, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want %q", i, errs[i], w)
				}
			}
		})
	}
}

// Without a task definition (it did not load), only the service's own
// fields are checked.
func TestValidateServiceWithoutTaskDefinition(t *testing.T) {
	svc, _, err := DecodeService("svc.json", []byte(`{"serviceName":"other","loadBalancers":[{"targetGroupArn":"tg","containerName":"nope","containerPort":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	errs := ValidateService("svc.json", "web", svc, nil)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "serviceName") {
		t.Errorf("got %v", errs)
	}
}

func TestParseUnits(t *testing.T) {
	tests := []struct {
		in      string
		cpu     int
		wantErr bool
	}{
		{"256", 256, false}, {"1 vCPU", 1024, false}, {"2vcpu", 2048, false}, {" 0.5 VCPU ", 512, false},
		{"0", 0, true}, {"-1", 0, true}, {"abc", 0, true}, {"0.0001 vCPU", 0, true},
	}
	for _, tt := range tests {
		got, err := parseCPU(tt.in)
		if (err != nil) != tt.wantErr || got != tt.cpu {
			t.Errorf("parseCPU(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.cpu, tt.wantErr)
		}
	}
	if got, err := parseMemory("3 GB"); err != nil || got != 3072 {
		t.Errorf("parseMemory(3 GB) = %d, %v", got, err)
	}
}
