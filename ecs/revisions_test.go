package ecs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/tamp-ecs/tamp/internal/fakeaws"
)

var _ RevisionsAPI = (*fakeaws.ECS)(nil)

// addRevisions stores n revisions of family.
func addRevisions(api *fakeaws.ECS, family string, n int) {
	for range n {
		api.AddTaskDefinition(types.TaskDefinition{Family: aws.String(family),
			ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("app:1")}}})
	}
}

// movingService is ECS where service web is deployed to another
// revision between deregister's listing and its check right before the
// calls: on the second DescribeServices.
type movingService struct {
	*fakeaws.ECS
	to       string
	describe int
}

func (m *movingService) DescribeServices(ctx context.Context, in *awsecs.DescribeServicesInput, opts ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error) {
	if m.describe++; m.describe == 2 {
		m.EditService("web", func(s *types.Service) { s.TaskDefinition = aws.String(m.to) })
	}
	return m.ECS.DescribeServices(ctx, in, opts...)
}

func TestDeregisterKeepsWhatCameIntoUse(t *testing.T) {
	api := fakeaws.NewECS()
	addRevisions(api, "web", 4)
	api.AddService("c", types.Service{ServiceName: aws.String("web"), TaskDefinition: aws.String(fakeaws.TaskDefinitionARN("web", 4)), DesiredCount: 1})
	r := &Revisions{API: &movingService{ECS: api, to: fakeaws.TaskDefinitionARN("web", 2)}, Cluster: "c"}
	out, err := r.Deregister(context.Background(), []Family{{Names: []string{"web"}, Family: "web"}}, CleanupOptions{Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := api.Deregistered(), []string{fakeaws.TaskDefinitionARN("web", 3), fakeaws.TaskDefinitionARN("web", 1)}; !sameSet(got, want) {
		t.Errorf("deregistered %v, want %v (web:2 came into use)", got, want)
	}
	var b strings.Builder
	if err := WriteCleanup(&b, out, CleanupOptions{Keep: 1}); err != nil {
		t.Fatal(err)
	}
	if want := "web: deregistered web:3, web:1; kept web:4 (newest 1), web:2 (in use by service web)\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestDeregisterDeletesTenACall(t *testing.T) {
	api := fakeaws.NewECS()
	addRevisions(api, "web", 25)
	addRevisions(api, "web-worker", 3) // the same prefix: another family, untouched
	r := &Revisions{API: api, Cluster: "c"}
	out, err := r.Deregister(context.Background(), []Family{{Names: []string{"web"}, Family: "web"}}, CleanupOptions{Keep: 1, Delete: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := api.Calls("DeleteTaskDefinitions"); n != 3 {
		t.Errorf("%d DeleteTaskDefinitions calls, want 3 (24 revisions, 10 a call)", n)
	}
	if len(out[0].Deregistered) != 24 || len(out[0].Deleted) != 24 || out[0].Deleted[0] != fakeaws.TaskDefinitionARN("web", 24) {
		t.Errorf("deregistered %d, deleted %d (first %s)", len(out[0].Deregistered), len(out[0].Deleted), out[0].Deleted[0])
	}
	for _, arn := range api.Deregistered() {
		if strings.Contains(arn, "web-worker") {
			t.Errorf("deregistered %s of another family", arn)
		}
	}
}

func TestDeregisterReportsEachFailure(t *testing.T) {
	api := fakeaws.NewECS()
	addRevisions(api, "web", 3)
	api.FailAfter("DeregisterTaskDefinition", 1, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	r := &Revisions{API: api, Cluster: "c"}
	out, err := r.Deregister(context.Background(), []Family{{Names: []string{"web"}, Family: "web"}}, CleanupOptions{Keep: 1, Delete: true})
	if err == nil || !strings.Contains(err.Error(), "web: deregister web:") || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("err = %v", err)
	}
	// One of web:2 and web:1 was deregistered, and only that one deleted.
	if len(out[0].Deregistered) != 1 || !slices.Equal(out[0].Deleted, out[0].Deregistered) || out[0].Error == "" {
		t.Errorf("result %+v", out[0])
	}
}

func TestDeregisterInterrupted(t *testing.T) {
	api := fakeaws.NewECS()
	addRevisions(api, "web", 3)
	ctx, cancel := context.WithCancel(context.Background())
	r := &Revisions{API: api, Cluster: "c", Scheduled: func(context.Context) (RevisionUsers, error) {
		if api.Calls("ListServices") == 2 {
			cancel() // Ctrl-C right after the last check
		}
		return RevisionUsers{}, nil
	}}
	out, err := r.Deregister(ctx, []Family{{Names: []string{"web"}, Family: "web"}}, CleanupOptions{Keep: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want interrupted", err)
	}
	if api.Calls("DeregisterTaskDefinition") != 0 || len(out[0].NotStarted) != 2 {
		t.Errorf("after Ctrl-C: %d calls, result %+v", api.Calls("DeregisterTaskDefinition"), out[0])
	}
	var b strings.Builder
	WriteCleanup(&b, out, CleanupOptions{Keep: 1})
	if want := "web: kept web:3 (newest 1); interrupted before web:2, web:1 (run deregister again to finish)\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestRevisionUsersByShortName(t *testing.T) {
	u := RevisionUsers{}
	u.Add("web:3", "scheduled task a")
	u.Add(fakeaws.TaskDefinitionARN("web", 3), "service web")
	u.Add(fakeaws.TaskDefinitionARN("web", 3), "service web")
	if got := u.Of(fakeaws.TaskDefinitionARN("web", 3)); fmt.Sprint(got) != "[service web scheduled task a]" {
		t.Errorf("users %v", got)
	}
}
