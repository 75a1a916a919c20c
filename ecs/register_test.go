package ecs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

func TestRegisterIsIdempotent(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	// Written the way people write it; the fake stores it the way AWS does.
	web := mustTD(t, `{"family":"web","cpu":"0.5 vCPU","memory":"1 GB","networkMode":"awsvpc",
		"containerDefinitions":[{"name":"app","image":"app:1","portMappings":[{"containerPort":80}]}]}`)
	web.Name = "web"
	batch := mustTD(t, `{"family":"batch","containerDefinitions":[{"name":"app","image":"app:1","memory":128}]}`)
	batch.Name = "batch"

	first, err := Register(ctx, api, []*TaskDefinition{web, batch}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []RegisterResult{
		{Name: "web", Family: "web", Action: Registered, Revision: 1, ARN: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:1"},
		{Name: "batch", Family: "batch", Action: Registered, Revision: 1, ARN: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:1"},
	} {
		if first[i] != want {
			t.Errorf("first run [%d] = %+v, want %+v", i, first[i], want)
		}
	}
	second, err := Register(ctx, api, []*TaskDefinition{web, batch}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range second {
		if r.Action != Reused || r.Revision != 1 {
			t.Errorf("second run [%d] = %+v, want reused revision 1", i, r)
		}
	}
	if api.Calls("RegisterTaskDefinition") != 2 {
		t.Errorf("RegisterTaskDefinition calls = %d, want 2 (first run only)", api.Calls("RegisterTaskDefinition"))
	}

	changed := mustTD(t, `{"family":"web","cpu":"512","memory":"1024","networkMode":"awsvpc",
		"containerDefinitions":[{"name":"app","image":"app:2","portMappings":[{"containerPort":80}]}]}`)
	changed.Name = "web"
	third, err := Register(ctx, api, []*TaskDefinition{changed}, false)
	if err != nil {
		t.Fatal(err)
	}
	if third[0].Action != Registered || third[0].Revision != 2 {
		t.Errorf("a changed image = %+v, want registered revision 2", third[0])
	}
}

func TestRegisterDryRunOnlyReads(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	td := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}],"tags":[{"key":"team","value":"x"}]}`)
	got, err := Register(ctx, api, []*TaskDefinition{td}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Action != WouldRegister || got[0].Revision != 0 || got[0].ARN != "" {
		t.Errorf("dry run on an empty family = %+v", got[0])
	}
	if _, err := Register(ctx, api, []*TaskDefinition{td}, false); err != nil {
		t.Fatal(err)
	}
	moreTags := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}],"tags":[{"key":"team","value":"x"},{"key":"cost","value":"1"}]}`)
	api.ResetCalls()
	got, err = Register(ctx, api, []*TaskDefinition{moreTags}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Action != WouldReuse || !got[0].TagsUpdated {
		t.Errorf("dry run with a missing tag = %+v, want would reuse with tags to add", got[0])
	}
	if api.Calls("RegisterTaskDefinition")+api.Calls("TagResource") != 0 {
		t.Errorf("dry run made mutating calls: %v", api.CallCounts())
	}
}

func TestRegisterAddsMissingTagsToReusedRevision(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	base := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}],"tags":[{"key":"team","value":"x"}]}`)
	if _, err := Register(ctx, api, []*TaskDefinition{base}, false); err != nil {
		t.Fatal(err)
	}
	retagged := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}],"tags":[{"key":"team","value":"y"}]}`)
	got, err := Register(ctx, api, []*TaskDefinition{retagged}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Action != Reused || !got[0].TagsUpdated || api.Calls("TagResource") != 1 {
		t.Fatalf("got %+v with calls %v, want reuse plus one TagResource", got[0], api.CallCounts())
	}
	tags := api.Tags(got[0].ARN)
	if len(tags) != 1 || *tags[0].Value != "y" {
		t.Errorf("tags on the revision = %+v, want team=y", tags)
	}
	// Now equal: nothing more to tag.
	if got, _ := Register(ctx, api, []*TaskDefinition{retagged}, false); got[0].TagsUpdated || api.Calls("TagResource") != 1 {
		t.Errorf("second run re-tagged: %+v, calls %v", got[0], api.CallCounts())
	}
}

func TestRegisterSharedFamilyRegistersOnce(t *testing.T) {
	api := fakeaws.NewECS()
	a := mustTD(t, `{"family":"shared","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	b := mustTD(t, `{"family":"shared","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	a.Name, b.Name = "web", "worker"
	got, err := Register(context.Background(), api, []*TaskDefinition{a, b}, false)
	if err != nil {
		t.Fatal(err)
	}
	if api.Calls("RegisterTaskDefinition") != 1 || got[0].Name != "web" || got[1].Name != "worker" || got[1].Revision != 1 {
		t.Errorf("got %+v, calls %v", got, api.CallCounts())
	}
}

func TestRegisterErrors(t *testing.T) {
	td := mustTD(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	td.Name, td.File = "batch", "/app/batch.json"
	tests := []struct {
		name string
		op   string
		err  error
		want string
	}{
		{"access denied on describe", "DescribeTaskDefinition", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"},
			`register task definition "batch" (/app/batch.json): describe latest revision: api error AccessDeniedException: not allowed`},
		{"a ClientException that is not 'not found'", "DescribeTaskDefinition", &smithy.GenericAPIError{Code: "ClientException", Message: "Family name is invalid"},
			`describe latest revision: api error ClientException: Family name is invalid`},
		{"register refused", "RegisterTaskDefinition", &smithy.GenericAPIError{Code: "ClientException", Message: "Invalid memory"},
			`register task definition "batch" (/app/batch.json): api error ClientException: Invalid memory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := fakeaws.NewECS()
			api.Fail(tt.op, tt.err)
			_, err := Register(context.Background(), api, []*TaskDefinition{td}, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Error("the AWS error is not kept in the chain")
			}
		})
	}
}

func TestFromDescribedMatchesLocal(t *testing.T) {
	ctx := context.Background()
	api := fakeaws.NewECS()
	local := mustTD(t, `{"family":"f","cpu":"1 vCPU","memory":"2 GB","containerDefinitions":[{"name":"a","image":"i","environment":[{"name":"B","value":"2"},{"name":"A","value":"1"}]}]}`)
	if _, err := api.RegisterTaskDefinition(ctx, local.Input); err != nil {
		t.Fatal(err)
	}
	desc, err := api.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("f")})
	if err != nil {
		t.Fatal(err)
	}
	if *desc.TaskDefinition.Cpu != "1024" || desc.TaskDefinition.Revision != 1 {
		t.Fatalf("the fake should store AWS's form, got cpu %q revision %d", *desc.TaskDefinition.Cpu, desc.TaskDefinition.Revision)
	}
	remote, err := FromDescribed(desc.TaskDefinition, desc.Tags)
	if err != nil {
		t.Fatal(err)
	}
	if !SameTaskDefinition(local.Input, remote) {
		t.Errorf("described revision differs from the local definition:\n%s\n%s", Canonical(local.Input), Canonical(remote))
	}
}
