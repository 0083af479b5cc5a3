package hss

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/openhss/hss-go/gen"
)

// specRouter routes requests to the operations of api/openapi.yaml on any host.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := gen.GetSpec()
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	return gorillamux.NewRouter(doc)
})

// requestMatchesSpec validates an HSS request against the spec, body included,
// and restores the body for the handler.
func requestMatchesSpec(t testing.TB, r *http.Request) {
	t.Helper()
	router, err := specRouter()
	if err != nil {
		t.Fatalf("spec router: %v", err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	route, pathParams, err := router.FindRoute(r)
	if err != nil {
		t.Errorf("%s %s: no operation of the spec: %v", r.Method, r.URL, err)
		return
	}
	if err := specRefuses(r, route, pathParams); err != nil {
		t.Errorf("%s %s breaks the spec: %v", r.Method, r.URL.Path, err)
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
}

// specRefuses validates a routed request against the spec (parameters and
// body, as the fake does) and returns why the spec refuses it, or nil.
func specRefuses(r *http.Request, route *routers.Route, pathParams map[string]string) error {
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	return openapi3filter.ValidateRequest(context.Background(), in)
}

// testServer is an httptest server whose HSS requests (all but IAM's /v3/)
// are checked against the spec, and which counts what it receives.
type testServer struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	reqs []*http.Request
}

func newTestServer(t testing.TB, h http.HandlerFunc) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hits.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/v3/") {
			requestMatchesSpec(t, r)
		}
		ts.mu.Lock()
		ts.reqs = append(ts.reqs, r.Clone(context.Background()))
		ts.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) requests() []*http.Request {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]*http.Request(nil), ts.reqs...)
}
