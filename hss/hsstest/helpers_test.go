package hsstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
	"github.com/openhss/hss-go/hss/signer"
)

// t0 is the fixed "now" of most tests.
var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// clock is a controllable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newServer starts a fake with a fixed clock at t0 unless opts says
// otherwise, logging to t.
func newServer(t *testing.T, opts hsstest.Options) *hsstest.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	srv := hsstest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

// defaultKey is the key a zero Options accepts.
var defaultKey = signer.Key{AccessKey: hsstest.DefaultAccessKey, SecretKey: hsstest.DefaultSecretKey}

// authFunc puts credentials on a request whose body is body.
type authFunc func(req *http.Request, body []byte) error

// signed signs with key as of at.
func signed(key signer.Key, at time.Time) authFunc {
	return func(req *http.Request, body []byte) error {
		return signer.Sign(req, signer.HashPayload(body), key, at)
	}
}

// withToken sends an X-Auth-Token.
func withToken(tok string) authFunc {
	return func(req *http.Request, _ []byte) error {
		req.Header.Set("X-Auth-Token", tok)
		return nil
	}
}

// noAuth sends no credentials.
func noAuth(*http.Request, []byte) error { return nil }

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorDoc decodes an HSS error document.
func (r response) errorDoc(t *testing.T) (code, msg string) {
	t.Helper()
	var doc struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return doc.Code, doc.Msg
}

// call sends a request to the fake and reads the answer.
func call(t *testing.T, srv *hsstest.Server, method, path string, query url.Values, body []byte, auth authFunc) response {
	t.Helper()
	r, err := tryCall(srv, method, path, query, body, auth)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryCall is call for goroutines: it returns its failures.
func tryCall(srv *hsstest.Server, method, path string, query url.Values, body []byte, auth authFunc) (response, error) {
	resp, err := send(context.Background(), srv, method, path, query, body, auth)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading the body: %w", method, path, err)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		return response{}, fmt.Errorf("%s %s: no X-Request-Id", method, path)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// send sends a request and returns the raw answer.
func send(ctx context.Context, srv *hsstest.Server, method, path string, query url.Values, body []byte, auth authFunc) (*http.Response, error) {
	u := srv.URL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := auth(req, body); err != nil {
		return nil, fmt.Errorf("authenticating: %w", err)
	}
	return http.DefaultClient.Do(req)
}

// exportPath and friends are the HSS paths of the fake's project.
func exportPath(srv *hsstest.Server) string  { return "/v5/" + srv.ProjectID() + "/event/export" }
func operatePath(srv *hsstest.Server) string { return "/v5/" + srv.ProjectID() + "/event/operate" }
func taskPath(srv *hsstest.Server, id string) string {
	return "/v5/" + srv.ProjectID() + "/event/export-task/" + id
}
func downloadPath(srv *hsstest.Server, id string) string {
	return "/v5/" + srv.ProjectID() + "/download/" + id
}

// defaultColumns is a typical export header.
var defaultColumns = [][]string{
	{"event_id", "Alarm ID"},
	{"event_name", "Alarm name"},
	{"event_type", "Event type"},
	{"severity", "Risk level"},
	{"host_name", "Server name"},
	{"private_ip", "Server IP address"},
	{"occur_time", "Occurred"},
	{"handle_status", "Status"},
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// allProjects is the query of a call that sees every enterprise project:
// without it, a call sees the default one ("0") only.
var allProjects = url.Values{"enterprise_project_id": {"all_granted_eps"}}

// exportQuery is the minimal valid export query of a call that sees every
// enterprise project, plus extra (a nil value removes a key).
func exportQuery(category string, extra url.Values) url.Values {
	q := url.Values{"category": {category}, "event_id": {"case-1"}, "enterprise_project_id": {"all_granted_eps"}}
	for k, v := range extra {
		if v == nil {
			delete(q, k)
			continue
		}
		q[k] = v
	}
	return q
}

// exportResult submits an export and decodes the answer.
func exportResult(t *testing.T, srv *hsstest.Server, q url.Values, auth authFunc) (total int, taskID string) {
	t.Helper()
	r := call(t, srv, http.MethodPost, exportPath(srv), q, mustJSON(t, defaultColumns), auth)
	if r.status != http.StatusOK {
		t.Fatalf("export %s: %d %s", q.Encode(), r.status, r.body)
	}
	var doc struct {
		Total  *int   `json:"record_total_num"`
		TaskID string `json:"task_id"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.Total == nil || doc.TaskID == "" {
		t.Fatalf("export answer %s: %v", r.body, err)
	}
	return *doc.Total, doc.TaskID
}

// wantError checks an error answer's status, code and that its message
// mentions every one of words.
func wantError(t *testing.T, r response, status int, code string, words ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	gotCode, msg := r.errorDoc(t)
	if gotCode != code {
		t.Errorf("error_code %q, want %q (msg %q)", gotCode, code, msg)
	}
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("error_msg %q does not mention %q", msg, w)
		}
	}
}

// readCloser is a request body holding s.
func readCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
