package hsstest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/openhss/hss-go/hss/hsstest"
)

// TestIAMSecretsNeverRecorded: whatever the method, path or key case of an
// IAM request (the fake's JSON decoding ignores case, a misconfigured IAM
// endpoint adds a segment), Requests keeps neither its password nor a
// token it carries.
func TestIAMSecretsNeverRecorded(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	const token = "MIIsecret-token-in-a-body"
	pw := hsstest.DefaultPassword
	user := `{"name":"` + hsstest.DefaultUser + `","password":"` + pw + `","domain":{"name":"` + hsstest.DefaultDomain + `"}}`
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodPost, "/v3/auth/tokens", `{"Auth":{"Identity":{"Methods":["password"],"Password":{"User":` + strings.Replace(user, `"password"`, `"Password"`, 1) + `}}}}`},
		{http.MethodPost, "/v3/auth/tokens/", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPut, "/v3/auth/tokens", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPost, "/v3//auth/tokens", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPost, "/v3/auth/tokens", `{"auth":{"identity":{"methods":["token"],"token":{"id":"` + token + `"}}}}`},
		{http.MethodPost, "/v3/auth/tokens", `not json, but password=` + pw},
		// An IAM endpoint with a trailing slash or a path prefix, and any
		// other path: a token request sent where it should not go.
		{http.MethodPost, "//v3/auth/tokens", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPost, "/iam/v3/auth/tokens", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPost, "/V3/auth/tokens", `not json, but password=` + pw},
		{http.MethodPost, "/v5/auth/tokens", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPost, "/v5/" + srv.ProjectID() + "/event/export", `{"auth":{"identity":{"password":{"user":` + user + `}}}}`},
		{http.MethodPost, "/v5/" + srv.ProjectID() + "/event/operate", `{"token":"` + token + `"}`},
		// The official SDK's federation call: an OpenID Connect id token.
		{http.MethodPost, "/v3.0/OS-AUTH/id-token/tokens", `{"auth":{"id_token":{"id":"` + token + `"}}}`},
	} {
		srv.ResetRequests()
		call(t, srv, tc.method, tc.path, nil, []byte(tc.body), noAuth)
		for _, r := range srv.Requests() {
			if b := string(r.Body); strings.Contains(b, pw) || strings.Contains(b, token) {
				t.Errorf("%s %s: recorded body %s", tc.method, tc.path, b)
			}
		}
	}
}

// TestRequestsRecorded checks what Requests keeps, and that secrets are
// redacted.
func TestRequestsRecorded(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)
	exportResult(t, srv, exportQuery("host", url.Values{"event_types": {"1010", "3015"}}), auth)
	tokenBody := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + hsstest.DefaultUser +
		`","password":"` + hsstest.DefaultPassword + `","domain":{"name":"` + hsstest.DefaultDomain + `"}}}},"scope":{"project":{"name":"` + srv.Region() + `"}}}}`
	r := call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, []byte(tokenBody), noAuth)
	if r.status != http.StatusCreated {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	tok := r.header.Get("X-Subject-Token")
	call(t, srv, http.MethodGet, taskPath(srv, "nope"), allProjects, nil, withToken(tok))
	call(t, srv, http.MethodGet, taskPath(srv, "nope"), allProjects, nil, noAuth)

	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests recorded, want 4", len(reqs))
	}
	ex := reqs[0]
	if ex.Method != http.MethodPost || ex.Path != exportPath(srv) || ex.Auth != hsstest.AuthAKSK || ex.Status != http.StatusOK {
		t.Errorf("export request: %+v", ex)
	}
	if q, _ := url.ParseQuery(ex.RawQuery); len(q["event_types"]) != 2 {
		t.Errorf("RawQuery %q lost the exploded event_types", ex.RawQuery)
	}
	if !strings.Contains(string(ex.Body), "Alarm name") {
		t.Errorf("body %q", ex.Body)
	}
	authz := ex.Header.Get("Authorization")
	if !strings.Contains(authz, "Access="+hsstest.DefaultAccessKey) || !strings.Contains(authz, "SignedHeaders=") || !strings.HasSuffix(authz, "Signature=REDACTED") {
		t.Errorf("recorded Authorization %q: want the access key and signed headers, the signature redacted", authz)
	}
	if strings.Contains(string(reqs[1].Body), hsstest.DefaultPassword) || !strings.Contains(string(reqs[1].Body), hsstest.DefaultUser) {
		t.Errorf("recorded IAM body %s: want the user, not the password", reqs[1].Body)
	}
	if reqs[1].Auth != hsstest.AuthNone || reqs[1].Status != http.StatusCreated {
		t.Errorf("IAM request: auth %q status %d", reqs[1].Auth, reqs[1].Status)
	}
	if got := reqs[2].Header.Get("X-Auth-Token"); got != "REDACTED" || reqs[2].Auth != hsstest.AuthToken || reqs[2].Status != http.StatusNotFound {
		t.Errorf("token request: X-Auth-Token %q, auth %q, status %d", got, reqs[2].Auth, reqs[2].Status)
	}
	if reqs[3].Auth != hsstest.AuthNone || reqs[3].Status != http.StatusUnauthorized {
		t.Errorf("unauthenticated request: auth %q status %d", reqs[3].Auth, reqs[3].Status)
	}
	ids := map[string]bool{}
	for _, rq := range reqs {
		if rq.RequestID == "" || ids[rq.RequestID] {
			t.Errorf("request id %q empty or repeated", rq.RequestID)
		}
		ids[rq.RequestID] = true
		if !rq.Time.Equal(t0) {
			t.Errorf("time %v, want Options.Now", rq.Time)
		}
	}

	// The copies are the caller's.
	reqs[0].Body[0] = 'X'
	if srv.Requests()[0].Body[0] == 'X' {
		t.Error("Requests shares its bodies with the caller")
	}
	srv.ResetRequests()
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}

// TestConcurrentClients runs 100 goroutines of exports, operations and
// token requests at once (meant for -race).
func TestConcurrentClients(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1, Logf: func(string, ...any) {}})
	auth := signed(defaultKey, t0)
	events := srv.Events()
	body := mustJSON(t, defaultColumns)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r response
			var err error
			switch i % 4 {
			case 0:
				r, err = tryCall(srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), body, auth)
			case 1:
				e := events[i%len(events)]
				op := "ignore"
				if i%8 == 1 {
					op = "do_not_ignore"
				}
				b, _ := json.Marshal(map[string]any{"operate_type": op, "operate_event_list": []any{operateEvent(e)}})
				r, err = tryCall(srv, http.MethodPost, operatePath(srv), allProjects, b, auth)
			case 2:
				r, err = tryCall(srv, http.MethodGet, "/v3/projects", url.Values{"name": {srv.Region()}}, nil, auth)
			case 3:
				_ = srv.Events()
				_ = srv.Tasks()
				_ = srv.Requests()
				r, err = tryCall(srv, http.MethodGet, taskPath(srv, "none"), allProjects, nil, withToken(srv.IssueToken()))
				if r.status == http.StatusNotFound {
					r.status = http.StatusOK
				}
			}
			if err != nil {
				errs <- fmt.Errorf("goroutine %d: %w", i, err)
			} else if r.status != http.StatusOK {
				errs <- fmt.Errorf("goroutine %d: %d %s", i, r.status, r.body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(srv.Tasks()); n != 25 {
		t.Errorf("%d tasks, want 25", n)
	}
	if n := len(srv.Requests()); n != 100 {
		t.Errorf("%d requests recorded, want 100", n)
	}
}

// TestRecordedBodyIsBounded: Requests keeps a body's first MaxRecordedBody
// bytes and its size; a small body whole.
func TestRecordedBodyIsBounded(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	big := []byte(strings.Repeat("x", hsstest.MaxRecordedBody+1000))
	call(t, srv, http.MethodPost, operatePath(srv), allProjects, big, signed(defaultKey, t0))
	call(t, srv, http.MethodPost, operatePath(srv), allProjects, []byte(`{"operate_type":"ignore"}`), signed(defaultKey, t0))
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests recorded, want 2", len(reqs))
	}
	if r := reqs[0]; r.BodySize != len(big) || len(r.Body) != hsstest.MaxRecordedBody || string(r.Body) != string(big[:hsstest.MaxRecordedBody]) {
		t.Errorf("a big body: BodySize %d, %d bytes kept; want %d and its first %d", r.BodySize, len(r.Body), len(big), hsstest.MaxRecordedBody)
	}
	if r := reqs[1]; r.BodySize != len(r.Body) || string(r.Body) != `{"operate_type":"ignore"}` {
		t.Errorf("a small body: BodySize %d, body %q; want it whole", r.BodySize, r.Body)
	}
}
