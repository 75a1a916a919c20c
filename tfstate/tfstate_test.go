package tfstate_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tamp-ecs/tamp/tfstate"
)

const fixture = "testdata/terraform.tfstate"

func readFixture(t *testing.T) *tfstate.State {
	t.Helper()
	s, err := tfstate.ReadFile(fixture)
	if err != nil {
		t.Fatalf("ReadFile(%q): %v", fixture, err)
	}
	return s
}

func TestLookup(t *testing.T) {
	s := readFixture(t)
	tests := []struct {
		addr string
		want any
	}{
		// root resource, single instance
		{`aws_vpc.main.id`, "vpc-0abc123"},
		{`aws_vpc.main.cidr_block`, "10.0.0.0/16"},
		{`aws_vpc.main.enable_dns_support`, true},
		{`aws_vpc.main.enable_dns_hostnames`, false},
		{`aws_vpc.main.tags.Name`, "main"},
		{`aws_vpc.main.tags["Name"]`, "main"},
		// count
		{`aws_subnet.private[0].id`, "subnet-0p0"},
		{`aws_subnet.private[1].id`, "subnet-0p1"},
		{`aws_subnet.private[1].availability_zone`, "ap-northeast-1c"},
		// for_each, including keys that need the quoted form
		{`aws_ssm_parameter.p["a.b]c"].value`, "odd"},
		{`aws_ssm_parameter.p["with space"].id`, "/with/space"},
		// data source
		{`data.aws_caller_identity.current.account_id`, "123456789012"},
		// modules
		{`module.net.aws_subnet.this["a"].id`, "subnet-net-a"},
		{`module.net.aws_subnet.this["b"].availability_zone`, "ap-northeast-1c"},
		{`module.app["x"].module.db.aws_db_instance.this.endpoint`, "db-x.internal:5432"},
		{`module.app["x"].module.db.aws_db_instance.this.port`, float64(5432)},
		{`module.app["x"].data.aws_iam_policy_document.assume.json`, `{"Version":"2012-10-17"}`},
		{`module.svc[1].aws_ecs_service.this.name`, "svc-1"},
		// outputs
		{`output.vpc_id`, "vpc-0abc123"},
		{`output.replicas`, float64(3)},
		{`output.subnet_ids`, []any{"subnet-0p0", "subnet-0p1"}},
		{`output.subnet_ids[1]`, "subnet-0p1"},
		{`output.tags`, map[string]any{"Env": "prod", "Team": "core"}},
		{`output.tags.Team`, "core"},
		{`output.tags["Env"]`, "prod"},
		// nested attributes and typed values
		{`aws_security_group.x.ingress[0].from_port`, float64(8080)},
		{`aws_security_group.x.ingress[0].cidr_blocks[0]`, "10.0.0.0/16"},
		{`aws_security_group.x.tags.Name`, "web-sg"},
		{`aws_security_group.x.description`, nil},
		{`aws_security_group.x.tags`, map[string]any{"Name": "web-sg"}},
		{`aws_security_group.x.ingress`, []any{map[string]any{
			"from_port":   float64(8080),
			"to_port":     float64(8080),
			"protocol":    "tcp",
			"cidr_blocks": []any{"10.0.0.0/16"},
		}}},
		{`aws_autoscaling_group.web.max_size`, float64(1e6)},
		// single-quoted keys, as ecspresso's README and fixtures write them
		{`aws_ssm_parameter.p['with space'].id`, "/with/space"},
		{`aws_ssm_parameter.p['a.b]c'].value`, "odd"},
		{`module.net.aws_subnet.this['a'].id`, "subnet-net-a"},
		{`module.app['x'].module.db.aws_db_instance.this.port`, float64(5432)},
		{`aws_vpc.main.tags['Name']`, "main"},
		// terraform_remote_state outputs as Terraform addresses them
		{`data.terraform_remote_state.network.outputs.vpc_id`, "vpc-remote"},
		{`data.terraform_remote_state.network.outputs.private-subnet-ids[1]`, "subnet-r1"},
		{`data.terraform_remote_state.network.outputs["private-subnet-ids"][0]`, "subnet-r0"},
		{`data.terraform_remote_state.network.outputs.db.endpoint`, "db.remote:5432"},
		{`data.terraform_remote_state.network.outputs.db`, map[string]any{"endpoint": "db.remote:5432", "port": float64(5432)}},
		{`data.terraform_remote_state.network.backend`, "s3"},
		// the older spelling through the state's value object still works
		{`data.terraform_remote_state.network.outputs.value.vpc_id`, "vpc-remote"},
		// ... unless an output is named value, which wins as in Terraform
		{`data.terraform_remote_state.legacy-app.outputs.value`, "an output named value"},
		{`data.terraform_remote_state.legacy-app.outputs.name`, "app"},
		{`module.app['x'].data.terraform_remote_state.shared.outputs.zone_id`, "Z123"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := s.Lookup(tt.addr)
			if err != nil {
				t.Fatalf("Lookup(%q): %v", tt.addr, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Lookup(%q) mismatch (-want +got):\n%s", tt.addr, diff)
			}
		})
	}
}

func TestLookupString(t *testing.T) {
	s := readFixture(t)
	tests := []struct {
		addr string
		want string
	}{
		{`aws_security_group.x.ingress[0].from_port`, "8080"},
		{`aws_autoscaling_group.web.max_size`, "1000000"},
		{`aws_autoscaling_group.web.health_check_grace_period`, "0.5"},
		{`aws_vpc.main.enable_dns_support`, "true"},
		{`aws_security_group.x.description`, ""},
		{`output.subnet_ids`, `["subnet-0p0","subnet-0p1"]`},
		{`output.tags`, `{"Env":"prod","Team":"core"}`},
		{`module.app["x"].module.db.aws_db_instance.this.port`, "5432"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			v, err := s.Lookup(tt.addr)
			if err != nil {
				t.Fatalf("Lookup(%q): %v", tt.addr, err)
			}
			if got := tfstate.String(v); got != tt.want {
				t.Errorf("String(Lookup(%q)) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestLookupNotFound(t *testing.T) {
	s := readFixture(t)
	tests := []struct {
		name            string
		addr            string
		wantReason      string
		wantSuggestions []string
	}{
		{
			name:            "resource typo suggests the nearest instance",
			addr:            `aws_subnet.privat[0].id`,
			wantReason:      "no such resource in the state",
			wantSuggestions: []string{"aws_subnet.private[0]", "aws_subnet.private[1]"},
		},
		{
			name:            "resource without index suggests its instances",
			addr:            `aws_subnet.privat.id`,
			wantReason:      "no such resource in the state",
			wantSuggestions: []string{"aws_subnet.private[0]", "aws_subnet.private[1]"},
		},
		{
			name:            "output typo",
			addr:            `output.vpc_idd`,
			wantReason:      "no such output in the state",
			wantSuggestions: []string{"output.vpc_id"},
		},
		{
			name:       "output with no near name",
			addr:       `output.qqqqqqqqqqqqqqqqqqqq`,
			wantReason: "no such output in the state",
		},
		{
			name:       "module resource typo has no far-off suggestions",
			addr:       `module.nothere.aws_lambda_function.f.arn`,
			wantReason: "no such resource in the state",
		},
		{
			name:       "count resource without index",
			addr:       `aws_subnet.private.id`,
			wantReason: "the resource uses count and has 2 instances; add an index such as aws_subnet.private[0]",
		},
		{
			name:       "for_each resource without key names the first key in order",
			addr:       `module.net.aws_subnet.this.id`,
			wantReason: `the resource uses for_each; add a key such as module.net.aws_subnet.this["a"]`,
		},
		{
			name:       "single instance with index",
			addr:       `aws_vpc.main[0].id`,
			wantReason: "the resource has a single instance; drop the index",
		},
		{
			name:       "count index out of range",
			addr:       `aws_subnet.private[5].id`,
			wantReason: "no instance 5; the state has 0, 1",
		},
		{
			name:       "for_each key missing",
			addr:       `module.net.aws_subnet.this["c"].id`,
			wantReason: `no instance "c"; the state has "b", "a"`,
		},
		{
			name:       "missing attribute with suggestion",
			addr:       `aws_vpc.main.cidr_blok`,
			wantReason: `at cidr_blok: no key "cidr_blok"; did you mean cidr_block?`,
		},
		{
			name:       "missing nested key with suggestion",
			addr:       `aws_vpc.main.tags.Nmae`,
			wantReason: `at tags.Nmae: no key "Nmae"; did you mean Name?`,
		},
		{
			name:       "missing attribute without suggestion",
			addr:       `aws_vpc.main.qqqqqqqqqqqqqqqqqqqq`,
			wantReason: `at qqqqqqqqqqqqqqqqqqqq: no key "qqqqqqqqqqqqqqqqqqqq"`,
		},
		{
			name:       "list index out of range",
			addr:       `aws_security_group.x.ingress[3].from_port`,
			wantReason: "at ingress[3]: index 3 is out of range (length 1)",
		},
		{
			name:       "negative list index",
			addr:       `output.subnet_ids[-1]`,
			wantReason: "at [-1]: index -1 is out of range (length 2)",
		},
		{
			name:       "output index out of range",
			addr:       `output.subnet_ids[2]`,
			wantReason: "at [2]: index 2 is out of range (length 2)",
		},
		{
			name:       "key on a list",
			addr:       `aws_security_group.x.ingress.from_port`,
			wantReason: "at ingress.from_port: is a list; use an index such as [0]",
		},
		{
			name:       "index on an object",
			addr:       `aws_vpc.main.tags[0]`,
			wantReason: "at tags[0]: is an object, not a list",
		},
		{
			name:       "attribute below a string",
			addr:       `aws_vpc.main.id.arn`,
			wantReason: "at id.arn: is a string, which has no attributes",
		},
		{
			name:       "attribute below a number",
			addr:       `aws_security_group.x.ingress[0].from_port.value`,
			wantReason: "at ingress[0].from_port.value: is a float64, which has no attributes",
		},
		{
			name:       "remote state output typo suggests the outputs",
			addr:       `data.terraform_remote_state.network.outputs.vpc-id`,
			wantReason: `at outputs.vpc-id: no key "vpc-id"; did you mean vpc_id?`,
		},
		{
			name:            "remote state typo suggests the data source",
			addr:            `data.terraform_remote_state.netwrk.outputs.vpc_id`,
			wantReason:      "no such resource in the state",
			wantSuggestions: []string{"data.terraform_remote_state.network", "data.terraform_remote_state.legacy-app"},
		},
		{
			name:       "attribute below null",
			addr:       `aws_security_group.x.description.text`,
			wantReason: "at description.text: is null",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := s.Lookup(tt.addr)
			if err == nil {
				t.Fatalf("Lookup(%q) = %#v, want an error", tt.addr, v)
			}
			var nf *tfstate.NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("Lookup(%q) error %q (%T) is not a *tfstate.NotFoundError", tt.addr, err, err)
			}
			if nf.Address != tt.addr {
				t.Errorf("Address = %q, want %q", nf.Address, tt.addr)
			}
			if nf.Reason != tt.wantReason {
				t.Errorf("Reason = %q, want %q", nf.Reason, tt.wantReason)
			}
			if diff := cmp.Diff(tt.wantSuggestions, nf.Suggestions, cmpEmptyEqual); diff != "" {
				t.Errorf("Suggestions mismatch (-want +got):\n%s", diff)
			}
			wantMsg := tt.addr + ": " + tt.wantReason
			if len(tt.wantSuggestions) > 0 {
				wantMsg += "; did you mean " + strings.Join(tt.wantSuggestions, " or ") + "?"
			}
			if err.Error() != wantMsg {
				t.Errorf("Error() = %q, want %q", err.Error(), wantMsg)
			}
		})
	}
}

// cmpEmptyEqual treats nil and empty slices as equal.
var cmpEmptyEqual = cmp.FilterValues(func(a, b []string) bool {
	return len(a) == 0 && len(b) == 0
}, cmp.Comparer(func(a, b []string) bool { return true }))

func TestLookupBadAddress(t *testing.T) {
	s := readFixture(t)
	const hint = "; write it like aws_lb.web.arn, module.net.aws_subnet.private[0].id or output.vpc_id"
	tests := []struct {
		name    string
		addr    string
		wantErr string
	}{
		{"empty", ``, `: empty address`},
		{"unclosed bracket", `aws_subnet.private[0`, `aws_subnet.private[0: unclosed [ at offset 18`},
		{"unquoted key", `aws_subnet.private[a].id`, `aws_subnet.private[a].id: index "a" is neither a number nor a quoted key; write [0], ["key"] or ['key']`},
		{"unterminated single-quoted key", `aws_subnet.private['a].id`, `aws_subnet.private['a].id: unclosed quoted key at offset 18; write ['key']`},
		{"escaped quotes", `aws_subnet.private[\"a\"].id`, `aws_subnet.private[\"a\"].id: index \"a\" has escaped quotes; write ["key"]`},
		{"empty name", `aws_vpc..id`, `aws_vpc..id: empty name at offset 8`},
		{"text after index", `aws_vpc.main[0]x`, `aws_vpc.main[0]x: unexpected 'x' after an index at offset 15`},
		{"index without name", `[0].id`, `[0].id: index without a name at offset 0`},
		{"junk after quoted key", `aws_ssm_parameter.p["a"x].value`, `aws_ssm_parameter.p["a"x].value: expected ] after the key at offset 23`},
		{"unterminated quoted key", `aws_ssm_parameter.p["a]`, `aws_ssm_parameter.p["a]: bad quoted key at offset 19`},
		{"type only", `aws_vpc`, `aws_vpc: a resource needs a type and a name` + hint},
		{"module only", `module.net`, `module.net: a resource needs a type and a name` + hint},
		{"output without name", `output`, `output: output needs a name` + hint},
		{"data without name", `data.aws_caller_identity`, `data.aws_caller_identity: a data source needs a type and a name` + hint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := s.Lookup(tt.addr)
			if err == nil {
				t.Fatalf("Lookup(%q) = %#v, want an error", tt.addr, v)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Lookup(%q) error = %q, want %q", tt.addr, err.Error(), tt.wantErr)
			}
			var nf *tfstate.NotFoundError
			if errors.As(err, &nf) {
				t.Errorf("a malformed address gave a NotFoundError: %v", err)
			}
		})
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr string // exact; "" for success
		prefix  bool   // wantErr is only a prefix
	}{
		{
			name:    "version 3",
			doc:     `{"version": 3, "modules": []}`,
			wantErr: "Terraform state format version 3 is not supported; tamp reads version 4 (Terraform 0.12 and later)",
		},
		{
			name:    "no version",
			doc:     `{"resources": []}`,
			wantErr: "not a Terraform state: no format version",
		},
		{
			name:    "not JSON",
			doc:     `terraform { }`,
			wantErr: "not a Terraform state: ",
			prefix:  true,
		},
		{
			name: "empty version 4",
			doc:  `{"version": 4}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tfstate.Read(strings.NewReader(tt.doc))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if s == nil {
					t.Fatal("Read returned a nil state")
				}
				return
			}
			if err == nil {
				t.Fatalf("Read succeeded, want error %q", tt.wantErr)
			}
			if tt.prefix && !strings.HasPrefix(err.Error(), tt.wantErr) || !tt.prefix && err.Error() != tt.wantErr {
				t.Errorf("Read error = %q, want %q", err.Error(), tt.wantErr)
			}
		})
	}
}

func TestReadFileErrors(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		_, err := tfstate.ReadFile(filepath.Join(t.TempDir(), "nope.tfstate"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadFile error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("old version names the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.tfstate")
		if err := os.WriteFile(path, []byte(`{"version": 3}`), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := tfstate.ReadFile(path)
		want := path + ": Terraform state format version 3 is not supported; tamp reads version 4 (Terraform 0.12 and later)"
		if err == nil || err.Error() != want {
			t.Errorf("ReadFile error = %v, want %q", err, want)
		}
	})
}

func TestNotFoundErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *tfstate.NotFoundError
		want string
	}{
		{"no suggestions", &tfstate.NotFoundError{Address: "a.b", Reason: "gone"}, "a.b: gone"},
		{"one suggestion", &tfstate.NotFoundError{Address: "a.b", Reason: "gone", Suggestions: []string{"a.c"}}, "a.b: gone; did you mean a.c?"},
		{"two suggestions", &tfstate.NotFoundError{Address: "a.b", Reason: "gone", Suggestions: []string{"a.c", "a.d"}}, "a.b: gone; did you mean a.c or a.d?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"string", "vpc-123", "vpc-123"},
		{"empty string", "", ""},
		{"whole float", float64(8080), "8080"},
		{"million has no exponent", 1e6, "1000000"},
		{"large has no exponent", 1e21, "1000000000000000000000"},
		{"fraction", 0.25, "0.25"},
		{"negative", -3.5, "-3.5"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"nil", nil, ""},
		{"list", []any{"a", float64(1), true, nil}, `["a",1,true,null]`},
		{"empty list", []any{}, `[]`},
		{"map sorted", map[string]any{"b": "2", "a": float64(1)}, `{"a":1,"b":"2"}`},
		{"nested", map[string]any{"l": []any{map[string]any{"k": "v"}}}, `{"l":[{"k":"v"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tfstate.String(tt.in); got != tt.want {
				t.Errorf("String(%#v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Regression tests for keys with HTML-special characters and indexes in
// places that take none.
func TestLookupAddressEdgeCases(t *testing.T) {
	s, err := tfstate.Read(strings.NewReader(`{"version": 4, "resources": [
		{"mode": "managed", "type": "t", "name": "n", "each": "map",
		 "instances": [{"index_key": "a&b<c>", "attributes": {"id": "amp"}}]},
		{"mode": "managed", "type": "aws_vpc", "name": "main", "instances": [{"attributes": {"id": "vpc-1", "tags": {"a&b": "x"}}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Lookup(`t.n["a&b<c>"].id`); err != nil || v != "amp" {
		t.Errorf(`t.n["a&b<c>"].id = %v, %v`, v, err)
	}
	if got := tfstate.String(map[string]any{"k": "a&b"}); got != `{"k":"a&b"}` {
		t.Errorf("String escapes HTML: %s", got)
	}
	for addr, want := range map[string]string{
		"aws_vpc[0].main.id": "an index goes after the resource's name, not its type",
		"output[3].vpc_id":   "output takes no index",
		"data[0].aws_x.y.id": "an index goes after the data source's name",
		"aws_vpc.main.":      "ends with a dot",
	} {
		if _, err := s.Lookup(addr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Lookup(%q) = %v, want an error containing %q", addr, err, want)
		}
	}
}
