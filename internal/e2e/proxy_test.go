package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// A call the SDK had to try twice (the first attempt got a 503) counts
// once among the calls and once among the retries.
func TestProxyCountsRetriesApart(t *testing.T) {
	var attempts atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if attempts.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"__type":"ServerException","message":"try again"}`))
			return
		}
		w.Write([]byte(`{"clusterArns":[]}`))
	}))
	defer upstream.Close()
	px, err := NewProxy(upstream.URL, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	client := ecs.NewFromConfig(proxyConfig(px))
	if _, err := client.ListClusters(context.Background(), &ecs.ListClustersInput{}); err != nil {
		t.Fatal(err)
	}
	if attempts.Load() != 2 {
		t.Fatalf("upstream saw %d attempts, want 2", attempts.Load())
	}
	if got := px.Counts(); len(got) != 1 || got["ecs.ListClusters"] != 1 {
		t.Errorf("counts %v, want ecs.ListClusters once", got)
	}
	if got := px.Retries(); len(got) != 1 || got["ecs.ListClusters"] != 1 {
		t.Errorf("retries %v, want ecs.ListClusters once", got)
	}
	if got := px.Calls(); len(got) != 1 {
		t.Errorf("calls in order %v, want one", got)
	}
}
