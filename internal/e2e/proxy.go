package e2e

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Proxy stands between tamp and moto. It sends every request to one AWS
// account of its own (moto keeps accounts apart), so tests can run side by
// side on one moto, and it counts calls by operation ("ecs.RegisterTaskDefinition")
// and keeps them in the order they came. A call is counted once however
// often the client tried it: a retry (an attempt after the first, as the
// SDK and tamp's signed caller number them in amz-sdk-request) is counted
// apart, so a dropped connection on a loaded machine does not change a
// test's call budget.
type Proxy struct {
	URL     string
	Account string

	server  *http.Server
	ln      net.Listener
	mu      sync.Mutex
	counts  map[string]int
	retries map[string]int // attempts after the first, by operation
	log     []string       // operations in the order they came

	faults   Faults
	latency  time.Duration // added to every call, as a typical AWS round trip
	rng      *rand.Rand
	injected map[string]int // by kind
}

// Faults are the shares of JSON-protocol calls (ECS, SSM, ...) the proxy
// answers badly instead of passing them on: a throttling error, a 5xx, or
// a slow answer (passed on after a delay).
type Faults struct {
	Throttle float64
	Error5xx float64
	Slow     float64
	Delay    time.Duration
}

// SetLatency adds d to every call from now on (0 stops).
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// SetFaults starts (or, with the zero value, stops) injecting faults.
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
}

// Injected returns how many faults of each kind were injected.
func (p *Proxy) Injected() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.injected {
		out[k] = v
	}
	return out
}

// fault picks what to do with a call: "", "throttle", "5xx" or "slow".
func (p *Proxy) fault(r *http.Request) (string, time.Duration) {
	if r.Header.Get("X-Amz-Target") == "" {
		return "", 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	x := p.rng.Float64()
	kind := ""
	switch f := p.faults; {
	case x < f.Throttle:
		kind = "throttle"
	case x < f.Throttle+f.Error5xx:
		kind = "5xx"
	case x < f.Throttle+f.Error5xx+f.Slow:
		kind = "slow"
	}
	if kind != "" {
		p.injected[kind]++
	}
	return kind, p.faults.Delay
}

// NewProxy listens on a free loopback port and forwards to upstream.
func NewProxy(upstream, account string) (*Proxy, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), Account: account, ln: ln, counts: map[string]int{},
		retries: map[string]int{}, rng: rand.New(rand.NewPCG(1, 2)), injected: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.count(Operation(r, body), retried(r))
		p.mu.Lock()
		latency := p.latency
		p.mu.Unlock()
		time.Sleep(latency)
		switch kind, delay := p.fault(r); kind {
		case "throttle":
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		case "5xx":
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"__type":"ServiceUnavailableException","message":"Service unavailable"}`)
			return
		case "slow":
			time.Sleep(delay)
		}
		r.Header.Set("x-moto-account-id", account)
		rp.ServeHTTP(w, r)
	})}
	go p.server.Serve(ln)
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() { p.server.Close() }

func (p *Proxy) count(op string, retry bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if retry {
		p.retries[op]++
		return
	}
	p.counts[op]++
	p.log = append(p.log, op)
}

// Counts returns a copy of the calls seen since the last Reset.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Retries returns how many attempts after the first each operation took
// since the last Reset.
func (p *Proxy) Retries() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.retries)
}

// retried tells an attempt after the first from its amz-sdk-request header
// ("attempt=2; max=3").
func retried(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Amz-Sdk-Request"), ";") {
		if n, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			return n != "1"
		}
	}
	return false
}

// Calls returns the operations seen since the last Reset, in the order
// they came.
func (p *Proxy) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

// ResetCounts forgets the calls seen so far.
func (p *Proxy) ResetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = map[string]int{}
	p.retries = map[string]int{}
	p.log = nil
}

// Summary lists the counts one per line, sorted, for failure messages.
func Summary(counts map[string]int) string {
	var lines []string
	for op, n := range counts {
		lines = append(lines, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return "(no calls)"
	}
	return strings.Join(lines, "\n")
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// Operation names the AWS operation of a signed request as service.Operation:
// the service from the SigV4 credential scope, the operation from the JSON
// protocol's X-Amz-Target or the query protocol's Action; REST calls are
// named by method and path.
func Operation(r *http.Request, body []byte) string {
	service := "unknown"
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			return service + "." + target[i+1:]
		}
		return service + "." + target
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
			return service + "." + form.Get("Action")
		}
	}
	if action := r.URL.Query().Get("Action"); action != "" {
		return service + "." + action
	}
	return service + "." + r.Method + " " + r.URL.Path
}

// mutatingVerbs are the operation name prefixes that change something in AWS.
var mutatingVerbs = []string{
	"Create", "Update", "Delete", "Put", "Register", "Deregister", "Tag", "Untag",
	"Run", "Start", "Stop", "Submit", "Set", "Modify", "Attach", "Detach", "Enable", "Disable",
	"PUT ", "POST ", "DELETE ", "PATCH ",
}

// Mutating tells whether an operation from Operation changes something.
func Mutating(op string) bool {
	_, name, _ := strings.Cut(op, ".")
	for _, v := range mutatingVerbs {
		if strings.HasPrefix(name, v) {
			return true
		}
	}
	return false
}
