package hss

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

const (
	testAK      = "AKTESTEXAMPLE0001"
	testSK      = "sk-very-secret-value-9f8e7d"
	testSTS     = "sts-security-token-value-abc"
	testToken   = "MIIToken-secret-value-xyz"
	testPass    = "p@ss-secret-value-123"
	testProject = "0605767a7b00d5762f1bc00ea0f3d0f3"
)

var secrets = []string{testSK, testSTS, testToken, testPass}

func testExport() (ExportEventsParams, ExportColumns) {
	return ExportEventsParams{
			Category:   CategoryHost,
			EventId:    "case-1",
			HostName:   Ptr("web 01/中文"),
			EventTypes: &[]int32{EventRootkit, EventHighRiskCommand},
			LastDays:   Ptr[int32](3),
		}, ExportColumns{
			{"event_name", "Alarm name"},
			{"host_name", "Server name"},
		}
}

func newClient(t testing.TB, endpoint string, creds Credentials, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: creds, Endpoint: endpoint, IAMEndpoint: endpoint}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func okExport(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v5/"+testProject+"/event/operate" {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, 200, map[string]any{"record_total_num": 7, "task_id": "task-1"})
}

func TestExportEventsSignsWithAccessKey(t *testing.T) {
	var seen *http.Request
	var body []byte
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		seen = r.Clone(context.Background())
		okExport(w, r)
	})
	c := newClient(t, ts.URL, AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}, nil)
	params, cols := testExport()
	res, err := c.ExportEvents(context.Background(), params, cols)
	if err != nil {
		t.Fatal(err)
	}
	if *res.TaskId != "task-1" || *res.RecordTotalNum != 7 {
		t.Errorf("result = %+v", res)
	}
	if got := seen.Header.Get("X-Project-Id"); got != testProject {
		t.Errorf("X-Project-Id = %q", got)
	}
	if got := seen.Header.Get("X-Security-Token"); got != testSTS {
		t.Errorf("X-Security-Token not sent")
	}
	if ua := seen.Header.Get("User-Agent"); !strings.HasPrefix(ua, "hss-go/"+Version) {
		t.Errorf("User-Agent = %q", ua)
	}
	if got := seen.URL.Query()["event_types"]; len(got) != 2 || got[0] != "1010" || got[1] != "3015" {
		t.Errorf("event_types = %v, want exploded [1010 3015]", got)
	}
	if !strings.Contains(seen.URL.RawQuery, "host_name=web%2001%2F") {
		t.Errorf("query %q: a space must travel as %%20, as the official SDK sends it", seen.URL.RawQuery)
	}
	if want := `[["event_name","Alarm name"],["host_name","Server name"]]`; string(body) != want {
		t.Errorf("body = %s, want %s", body, want)
	}
	seen.Body = io.NopCloser(bytes.NewReader(body))
	ak, err := signer.Verify(seen, signer.HashPayload(body), func(ak string) (string, bool) { return testSK, ak == testAK }, time.Now(), 15*time.Minute)
	if err != nil || ak != testAK {
		t.Errorf("signature not accepted: %v", err)
	}
	for _, h := range []string{"x-project-id", "x-security-token", "content-type", "host", "x-sdk-date"} {
		if !strings.Contains(seen.Header.Get("Authorization"), h) {
			t.Errorf("Authorization does not sign %s: %s", h, seen.Header.Get("Authorization"))
		}
	}
}

func TestTokenIsSentAsHeader(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != testToken || r.Header.Get("Authorization") != "" {
			writeJSON(w, 401, map[string]string{"error_code": "APIGW.0301", "error_msg": "bad token"})
			return
		}
		okExport(w, r)
	})
	c := newClient(t, ts.URL, Token(testToken), nil)
	if err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
}

func testEvent() EventRef {
	return EventRef{ClassID: "rootkit_0001", ID: "2a71e1e2-60f4-4d56-b314-2038fdc39de6", Type: EventRootkit, OccurTime: 1672046760353}
}

// iamServer answers IAM's token call with tokens valid for ttl, and HSS calls
// when they carry a token it issued and has not revoked.
type iamServer struct {
	*testServer
	tokenCalls atomic.Int64
	hssCalls   atomic.Int64
	mu         sync.Mutex
	valid      map[string]bool
	ttl        time.Duration
	delay      time.Duration
	rejectAll  atomic.Bool
	iamDown    atomic.Bool            // the token call answers 503
	tokenGate  atomic.Pointer[func()] // when set, the token call waits for it before answering
	lastToken  atomic.Value           // the X-Auth-Token of the last HSS call
	lastScope  atomic.Value           // the scope of the last token call, as "id=..." or "name=..."
	projectID  atomic.Value           // the project its tokens are for (default testProject)
}

func newIAMServer(t *testing.T, ttl time.Duration) *iamServer {
	s := &iamServer{valid: map[string]bool{}, ttl: ttl}
	s.testServer = newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens" {
			n := s.tokenCalls.Add(1)
			time.Sleep(s.delay)
			if gate := s.tokenGate.Load(); gate != nil {
				(*gate)()
			}
			if s.iamDown.Load() {
				writeJSON(w, 503, map[string]any{"error": map[string]any{"code": "IAM.0503", "message": "busy"}})
				return
			}
			var doc struct {
				Auth struct {
					Identity struct {
						Password struct {
							User struct {
								Name, Password string
								Domain         struct{ Name string }
							}
						}
					}
					Scope struct{ Project struct{ ID, Name string } }
				}
			}
			_ = json.NewDecoder(r.Body).Decode(&doc)
			u := doc.Auth.Identity.Password.User
			scope := doc.Auth.Scope.Project
			s.lastScope.Store("id=" + scope.ID + " name=" + scope.Name)
			byName, byID := scope.Name == "ap-southeast-1" && scope.ID == "", scope.ID != "" && scope.Name == ""
			if u.Name != "alice" || u.Password != testPass || u.Domain.Name != "acme" || !byName && !byID {
				writeJSON(w, 401, map[string]any{"error": map[string]any{"code": 1101, "message": "The username or password is wrong."}})
				return
			}
			tok := fmt.Sprintf("%s-%d", testToken, n)
			s.mu.Lock()
			s.valid[tok] = true
			s.mu.Unlock()
			w.Header().Set("X-Subject-Token", tok)
			project, _ := s.projectID.Load().(string)
			if project == "" {
				project = testProject
			}
			writeJSON(w, 201, map[string]any{"token": map[string]any{
				"expires_at": time.Now().Add(s.ttl).UTC().Format(time.RFC3339Nano),
				"project":    map[string]any{"id": project, "name": "ap-southeast-1"},
			}})
			return
		}
		s.hssCalls.Add(1)
		s.lastToken.Store(r.Header.Get("X-Auth-Token"))
		s.mu.Lock()
		ok := s.valid[r.Header.Get("X-Auth-Token")] && !s.rejectAll.Load()
		s.mu.Unlock()
		if !ok {
			w.Header().Set("X-Request-Id", "req-401")
			writeJSON(w, 401, map[string]string{"error_code": "APIGW.0301", "error_msg": "Incorrect token"})
			return
		}
		okExport(w, r)
	})
	return s
}

func (s *iamServer) revokeAll() {
	s.mu.Lock()
	clear(s.valid)
	s.mu.Unlock()
}

var alice = Password{Domain: "acme", User: "alice", Password: testPass}

func TestPasswordOneTokenForConcurrentFirstCalls(t *testing.T) {
	s := newIAMServer(t, 24*time.Hour)
	s.delay = 50 * time.Millisecond
	c := newClient(t, s.URL, alice, func(cfg *Config) { cfg.ProjectID = "" })
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			params, cols := testExport()
			_, err := c.ExportEvents(context.Background(), params, cols)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := s.tokenCalls.Load(); n != 1 {
		t.Errorf("IAM token requests = %d, want 1", n)
	}
	if n := s.hssCalls.Load(); n != 100 {
		t.Errorf("HSS requests = %d, want 100", n)
	}
}

// TestTokenWithoutExpiryIsNotRenewedOnEveryCall: a token document without
// expires_at (or with one already past by the client's clock) is taken to
// last an hour.
func TestTokenWithoutExpiryIsNotRenewedOnEveryCall(t *testing.T) {
	for _, expires := range []any{nil, time.Now().Add(-time.Minute)} {
		var tokens atomic.Int64
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v3/auth/tokens" {
				tokens.Add(1)
				w.Header().Set("X-Subject-Token", testToken)
				tok := map[string]any{"project": map[string]any{"id": testProject}}
				if expires != nil {
					tok["expires_at"] = expires
				}
				writeJSON(w, 201, map[string]any{"token": tok})
				return
			}
			okExport(w, r)
		})
		c := newClient(t, ts.URL, alice, nil)
		for range 3 {
			if err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := tokens.Load(); n != 1 {
			t.Errorf("expires_at %v: %d token requests for 3 calls, want 1", expires, n)
		}
	}
}

// TestIAMAnswersAreBounded: a token document or project list past maxAnswer
// fails the call instead of being read whole.
func TestIAMAnswersAreBounded(t *testing.T) {
	huge := strings.Repeat("x", maxAnswer+1)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v3/auth/tokens":
			w.Header().Set("X-Subject-Token", testToken)
			writeJSON(w, 201, map[string]any{"token": map[string]any{"expires_at": time.Now().Add(time.Hour), "pad": huge,
				"project": map[string]any{"id": testProject}}})
		case "/v3/projects":
			writeJSON(w, 200, map[string]any{"projects": []any{map[string]any{"id": testProject, "name": "ap-southeast-1"}}, "pad": huge})
		default:
			okExport(w, r)
		}
	})
	for _, creds := range []Credentials{alice, AccessKey{ID: testAK, Secret: testSK}} {
		c := newClient(t, ts.URL, creds, func(cfg *Config) { cfg.ProjectID = "" })
		err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
		var answerErr *AnswerError
		if !errors.As(err, &answerErr) || !errors.Is(err, errLongAnswer) || !strings.Contains(err.Error(), "longer than") {
			t.Errorf("%s: err = %v, want the answer refused as too long (an *AnswerError)", creds.kind(), err)
		}
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// renewing says whether a token renewal is running.
func renewing(c *Client) bool {
	tc := c.auth.(*passwordAuth).tokens
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.call != nil
}

// TestPasswordTokenRenewedAhead: a token due for renewal is still used,
// without waiting, while its renewal runs in the background; the next calls
// use the new one. Within staleMargin of its expiry, a call waits for the
// new token.
// TestPasswordTokenIsScopedToTheCallsProject: a token is asked for the
// project the calls name: the configured one by its id (a sub-project is
// not the project named after the region), else the region's by name; a
// token IAM scopes to another project than the configured one is refused,
// not sent.
func TestPasswordTokenIsScopedToTheCallsProject(t *testing.T) {
	ctx := context.Background()
	s := newIAMServer(t, time.Hour)
	if err := newClient(t, s.URL, alice, nil).HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
	if got := s.lastScope.Load(); got != "id="+testProject+" name=" {
		t.Errorf("configured project: token scope %v, want the project's id", got)
	}

	s = newIAMServer(t, time.Hour)
	c := newClient(t, s.URL, alice, func(cfg *Config) { cfg.ProjectID = "" })
	if id, err := c.ProjectID(ctx); err != nil || id != testProject {
		t.Fatalf("ProjectID = %q, %v; want the token's", id, err)
	}
	if got := s.lastScope.Load(); got != "id= name=ap-southeast-1" {
		t.Errorf("no project configured: token scope %v, want the region's name", got)
	}

	s = newIAMServer(t, time.Hour)
	s.projectID.Store(strings.Repeat("e", 32))
	err := newClient(t, s.URL, alice, nil).HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
	var answerErr *AnswerError
	if !errors.As(err, &answerErr) || !strings.Contains(err.Error(), "scoped the token to project") || s.hssCalls.Load() != 0 {
		t.Errorf("err = %v, %d HSS calls; want the token refused (an *AnswerError) before any call", err, s.hssCalls.Load())
	}
}

func TestPasswordTokenRenewedAhead(t *testing.T) {
	s := newIAMServer(t, time.Hour)
	c := newClient(t, s.URL, alice, nil)
	ctx := context.Background()
	call := func() {
		t.Helper()
		if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
			t.Fatal(err)
		}
	}
	call()
	call()
	if n := s.tokenCalls.Load(); n != 1 {
		t.Fatalf("token requests = %d, want 1 while the token is fresh", n)
	}
	first := s.lastToken.Load()
	// 57 minutes later the token is within its renewal margin (6 minutes
	// for a one-hour token).
	c.now = func() time.Time { return time.Now().Add(57 * time.Minute) }
	call()
	if got := s.lastToken.Load(); got != first {
		t.Errorf("the call due for renewal sent %v, want the token it had", got)
	}
	waitFor(t, "the renewal", func() bool { return s.tokenCalls.Load() == 2 && !renewing(c) })
	call()
	if got := s.lastToken.Load(); got == first {
		t.Error("the call after the renewal sent the old token")
	}
	if n := s.tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
	// The renewed token (issued "now", in real time) seen from 10 seconds
	// before its expiry: too close to be sent, so the call waits for a new one.
	c.now = func() time.Time { return time.Now().Add(time.Hour - 10*time.Second) }
	call()
	if n := s.tokenCalls.Load(); n != 3 {
		t.Errorf("token requests = %d, want 3: a token about to expire was sent", n)
	}
}

// TestShortLivedTokenNotSentNearItsExpiry: a two-minute token is due for
// renewal only 12 s before it expires (a tenth of its life), but it is not
// sent within staleMargin (30 s) of its expiry: the call waits for a new one.
func TestShortLivedTokenNotSentNearItsExpiry(t *testing.T) {
	s := newIAMServer(t, 2*time.Minute)
	c := newClient(t, s.URL, alice, nil)
	ctx := context.Background()
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
	first := s.lastToken.Load()
	c.now = func() time.Time { return time.Now().Add(2*time.Minute - 15*time.Second) }
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
	if n := s.tokenCalls.Load(); n != 2 || s.lastToken.Load() == first {
		t.Errorf("token requests = %d, sent the first token again: %t; want a new token", n, s.lastToken.Load() == first)
	}
}

// TestPasswordTokenRenewalFailureKeepsTheToken: while IAM fails, calls go
// on with the token they have as long as it lasts, trying a renewal every
// retryStale; then they fail with IAM's error. Each failed background
// renewal, which no call sees, is a warning in the client's log, without
// a secret; a fetch a call waits for gives the call its error instead.
func TestPasswordTokenRenewalFailureKeepsTheToken(t *testing.T) {
	s := newIAMServer(t, time.Hour)
	var logs lockedBuffer
	c := newClient(t, s.URL, alice, func(cfg *Config) { cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	ctx := context.Background()
	handle := func() error { return c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil) }
	const warning = "renewing the IAM token failed"
	warnings := func() int { return strings.Count(logs.String(), warning) }
	if err := handle(); err != nil {
		t.Fatal(err)
	}
	s.iamDown.Store(true)
	at := func(d time.Duration) { c.now = func() time.Time { return time.Now().Add(d) } }
	at(57 * time.Minute)
	if err := handle(); err != nil {
		t.Fatalf("a call with a usable token failed while IAM is down: %v", err)
	}
	waitFor(t, "the failed renewal", func() bool { return s.tokenCalls.Load() == 2 && !renewing(c) })
	waitFor(t, "its warning", func() bool { return warnings() == 1 })
	if line := logs.String(); !strings.Contains(line, "level=WARN") || !strings.Contains(line, "IAM.0503") ||
		!strings.Contains(line, "token_expires=") {
		t.Errorf("the warning %q should say WARN, IAM's error code and when the token expires", line)
	}
	if err := handle(); err != nil {
		t.Fatalf("a call with a usable token failed after a failed renewal: %v", err)
	}
	if n := s.tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2: a failed renewal is not retried before retryStale", n)
	}
	at(57*time.Minute + retryStale + time.Second)
	if err := handle(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second renewal", func() bool { return s.tokenCalls.Load() == 3 && !renewing(c) })
	waitFor(t, "its warning", func() bool { return warnings() == 2 })
	at(time.Hour - 10*time.Second) // too close to the expiry
	var apiErr *APIError
	if err := handle(); !errors.As(err, &apiErr) || apiErr.Code != "IAM.0503" {
		t.Errorf("err = %v, want IAM's 503", err)
	}
	s.iamDown.Store(false)
	if err := handle(); err != nil {
		t.Errorf("IAM is back: %v", err)
	}
	if n := warnings(); n != 2 {
		t.Errorf("%d warnings, want 2: a fetch a call waits for returns its error, and a renewal that works warns of nothing", n)
	}
	assertNoSecret(t, logs.String()) // the issued tokens start with testToken
}

// TestRenewalJoinedByACallIsNotAWarning: a background renewal that a call
// comes to wait for (its token was refused with a 401 meanwhile) gives that
// call its error, and so is not also a warning that calls go on with the
// current token.
func TestRenewalJoinedByACallIsNotAWarning(t *testing.T) {
	s := newIAMServer(t, time.Hour)
	var logs lockedBuffer
	c := newClient(t, s.URL, alice, func(cfg *Config) { cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	ctx := context.Background()
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
	s.iamDown.Store(true)
	s.revokeAll()
	// The renewal answers only once the call's 401 has invalidated the
	// token, so that the call comes to wait for the renewal.
	tokens := c.auth.(*passwordAuth).tokens
	gate := func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			tokens.mu.Lock()
			invalidated := !tokens.ok
			tokens.mu.Unlock()
			if invalidated {
				return
			}
		}
	}
	s.tokenGate.Store(&gate)
	c.now = func() time.Time { return time.Now().Add(57 * time.Minute) } // due for renewal
	err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "IAM.0503" {
		t.Fatalf("err = %v, want IAM's 503 from the renewal the call waited for", err)
	}
	// A warning would have been written before the waiting call was
	// released.
	if strings.Contains(logs.String(), "renewing the IAM token failed") {
		t.Errorf("a renewal a call waited for was also a warning: %s", logs.String())
	}
}

// lockedBuffer is a bytes.Buffer that a client's background renewal and a
// test can use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestPasswordRenewsOnceOn401(t *testing.T) {
	s := newIAMServer(t, 24*time.Hour)
	c := newClient(t, s.URL, alice, nil)
	ctx := context.Background()
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
	s.revokeAll() // the service stops accepting the cached token
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if tc, hc := s.tokenCalls.Load(), s.hssCalls.Load(); tc != 2 || hc != 3 {
		t.Errorf("token requests = %d, HSS requests = %d; want 2 and 3 (one renewal, one retry)", tc, hc)
	}
}

func TestPasswordPersistent401RetriesOnlyOnce(t *testing.T) {
	s := newIAMServer(t, 24*time.Hour)
	c := newClient(t, s.URL, alice, nil)
	s.rejectAll.Store(true) // the service refuses every token, even fresh ones
	err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "APIGW.0301" || apiErr.RequestID != "req-401" {
		t.Fatalf("err = %v, want a 401 APIError", err)
	}
	if tc, hc := s.tokenCalls.Load(), s.hssCalls.Load(); tc != 2 || hc != 2 {
		t.Errorf("token requests = %d, HSS requests = %d; want 2 and 2", tc, hc)
	}
}

func TestPasswordWrongIsAnAPIErrorWithoutSecrets(t *testing.T) {
	s := newIAMServer(t, time.Hour)
	c := newClient(t, s.URL, Password{Domain: "acme", User: "alice", Password: "wrong-" + testPass}, nil)
	err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "1101" || apiErr.Operation != opIAMToken {
		t.Fatalf("err = %#v", err)
	}
	assertNoSecret(t, err.Error())
	if s.hssCalls.Load() != 0 {
		t.Error("an HSS request was sent without a token")
	}
}

func TestProjectDiscovery(t *testing.T) {
	var projectCalls atomic.Int64
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v3/projects":
			projectCalls.Add(1)
			if r.URL.Query().Get("name") != "ap-southeast-1" || !strings.HasPrefix(r.Header.Get("Authorization"), signer.Algorithm) {
				writeJSON(w, 400, map[string]string{"error_code": "IAM.0001", "error_msg": "bad project query"})
				return
			}
			writeJSON(w, 200, map[string]any{"projects": []map[string]string{{"id": testProject, "name": "ap-southeast-1"}}})
		case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodGet:
			projectCalls.Add(1)
			if r.Header.Get("X-Subject-Token") != testToken || r.Header.Get("X-Auth-Token") != testToken {
				writeJSON(w, 401, map[string]string{"error_code": "APIGW.0301", "error_msg": "bad token"})
				return
			}
			writeJSON(w, 200, map[string]any{"token": map[string]any{"expires_at": time.Now().Add(time.Hour), "project": map[string]any{"id": testProject}}})
		case strings.HasPrefix(r.URL.Path, "/v5/"+testProject+"/"):
			okExport(w, r)
		default:
			writeJSON(w, 404, map[string]string{"error_code": "HSS.0404", "error_msg": "unknown project in " + r.URL.Path})
		}
	})
	for _, creds := range []Credentials{AccessKey{ID: testAK, Secret: testSK}, Token(testToken)} {
		projectCalls.Store(0)
		c := newClient(t, ts.URL, creds, func(cfg *Config) { cfg.ProjectID = "" })
		for range 3 {
			params, cols := testExport()
			if _, err := c.ExportEvents(context.Background(), params, cols); err != nil {
				t.Fatalf("%s: %v", creds.kind(), err)
			}
		}
		if n := projectCalls.Load(); n != 1 {
			t.Errorf("%s: project look-ups = %d, want 1 (cached)", creds.kind(), n)
		}
	}
}

// TestReadyTokenOfAnotherRegion: a ready token whose project belongs to
// another region than the client's is refused when the project is looked
// up, naming both, rather than sent to every call; a sub-project of the
// region (region_suffix) is taken.
func TestReadyTokenOfAnotherRegion(t *testing.T) {
	for name, want := range map[string]bool{"cn-north-4": false, "ap-southeast-1": true, "ap-southeast-1_dev": true, "ap-southeast-10": false, "": true} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"token": map[string]any{"expires_at": time.Now().Add(time.Hour), "project": map[string]any{"id": testProject, "name": name}}})
		})
		c := newClient(t, ts.URL, Token(testToken), func(cfg *Config) { cfg.ProjectID = "" })
		id, err := c.ProjectID(context.Background())
		switch {
		case want && (err != nil || id != testProject):
			t.Errorf("token of project %q: %q, %v; want the project", name, id, err)
		case !want && (err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "ap-southeast-1")):
			t.Errorf("token of project %q: %q, %v; want an error naming both regions", name, id, err)
		}
	}
}

func TestRetryAfterThenSuccess(t *testing.T) {
	var n atomic.Int64
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, map[string]string{"error_code": "APIGW.0308", "error_msg": "throttled"})
			return
		}
		okExport(w, r)
	})
	c := newClient(t, ts.URL, AccessKey{ID: testAK, Secret: testSK}, nil)
	start := time.Now()
	params, cols := testExport()
	if _, err := c.ExportEvents(context.Background(), params, cols); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("retried after %v, before the Retry-After of 1s", took)
	}
	reqs := ts.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	if reqs[0].Header.Get("X-Sdk-Date") == "" || reqs[1].Header.Get("Authorization") == "" {
		t.Error("an attempt was not signed")
	}
}

func TestThrottledGivesUpAfterMaxAttempts(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.Header().Set("X-Request-Id", "req-429")
		writeJSON(w, 429, map[string]string{"error_code": "APIGW.0308", "error_msg": "throttled"})
	})
	c := newClient(t, ts.URL, Token(testToken), func(cfg *Config) { cfg.MaxAttempts = 4 })
	err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "APIGW.0308" || apiErr.RequestID != "req-429" {
		t.Fatalf("err = %v", err)
	}
	if n := ts.hits.Load(); n != 4 {
		t.Errorf("attempts = %d, want 4", n)
	}
}

// TestCancelWhileWaitingOutA429: a cancel that comes while the client
// waits out a 429's Retry-After is reported as the cancel, and the answer
// that made it wait is still there for errors.As, with its request id.
func TestCancelWhileWaitingOutA429(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.Header().Set("X-Request-Id", "req-429")
		writeJSON(w, 429, map[string]string{"error_code": "APIGW.0308", "error_msg": "throttled"})
	})
	c := newClient(t, ts.URL, Token(testToken), nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
	var apiErr *APIError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RequestID != "req-429" {
		t.Fatalf("err = %v, want the cancel and the 429", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("returned %v after the call, not at the cancel", took)
	}
	if n := ts.hits.Load(); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}

func TestDeadlineBoundsSilentServer(t *testing.T) {
	release := make(chan struct{})
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := newClient(t, ts.URL, Token(testToken), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	params, cols := testExport()
	_, err := c.ExportEvents(ctx, params, cols)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if took < 900*time.Millisecond || took > 2*time.Second {
		t.Errorf("returned after %v, want about 1s", took)
	}
}

func TestRetryAfterBeyondDeadlineGivesUpAtOnce(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, map[string]string{"error_code": "APIGW.0308", "error_msg": "throttled"})
	})
	c := newClient(t, ts.URL, Token(testToken), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RetryAfter != "30" {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("waited although Retry-After is past the deadline")
	}
}

func TestDialFailureIsRetried(t *testing.T) {
	ts := newTestServer(t, okExport)
	var dials atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	c := newClient(t, ts.URL, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	params, cols := testExport()
	if _, err := c.ExportEvents(context.Background(), params, cols); err != nil {
		t.Fatal(err)
	}
	if dials.Load() != 2 || ts.hits.Load() != 1 {
		t.Errorf("dials = %d, requests = %d; want 2 and 1", dials.Load(), ts.hits.Load())
	}
}

// TestDeadlineWhileRetryingADial: a failed dial is retried only while the
// wait before the retry ends before the context's deadline; then the
// dial's error is the answer, at once, not the deadline's. A cancel that
// comes during a wait is reported as the cancel, with the dial's error
// beside it.
func TestDeadlineWhileRetryingADial(t *testing.T) {
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
	}}
	c := newClient(t, "http://127.0.0.1:1", Token(testToken), func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: tr}
		cfg.MaxAttempts = 10
	})
	const limit = 700 * time.Millisecond // room for 1 or 2 waits (100-200, 200-400 ms), never for 3
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
	took := time.Since(start)
	if errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want the dial's error and not the deadline", err)
	}
	if n := dials.Load(); n < 2 || n > 3 || took >= limit {
		t.Errorf("%d dials in %v, want 2 or 3 within the %v deadline", n, took, limit)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel) // within the first wait, 100-200 ms
	err = c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want the cancel and the dial's error", err)
	}
}

func TestRetryWait(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration // -1: the backoff
		ok     bool
	}{
		{"", -1, true},
		{"garbage", -1, true},
		{"0", 0, true},
		{"-5", 0, true},
		{"-18446744073", 0, true}, // overflowed to 709 ms
		{"5", 5 * time.Second, true},
		{"60", time.Minute, true},
		{"61", 0, false},
		{"9300000000", 0, false},  // overflowed to 0 s
		{"18446744074", 0, false}, // overflowed to 290 ms
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(2 * time.Hour).Format(http.TimeFormat), 0, false},
	} {
		d, ok := retryWait(tc.header, 1, now)
		switch {
		case ok != tc.ok:
			t.Errorf("retryWait(%q) ok = %t, want %t (wait %v)", tc.header, ok, tc.ok, d)
		case !ok:
		case tc.want == -1 && (d < retryBase/2 || d > retryBase):
			t.Errorf("retryWait(%q) = %v, want the first backoff", tc.header, d)
		case tc.want >= 0 && d != tc.want:
			t.Errorf("retryWait(%q) = %v, want %v", tc.header, d, tc.want)
		}
	}
}

// TestAPIErrorRetryDelay: Retry-After read as seconds or as a date, from
// now; nothing usable is not ok; a huge number is the longest Duration.
func TestAPIErrorRetryDelay(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"soon", 0, false},
		{"90", 90 * time.Second, true},
		{"0", 0, true},
		{"-5", 0, true},
		{"9300000000", math.MaxInt64, true},
		{now.Add(2 * time.Hour).Format(http.TimeFormat), 2 * time.Hour, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		e := &APIError{StatusCode: 429, RetryAfter: tc.header}
		if d, ok := e.RetryDelay(now); d != tc.want || ok != tc.ok {
			t.Errorf("RetryDelay(%q) = %v, %t; want %v, %t", tc.header, d, ok, tc.want, tc.ok)
		}
	}
}

func TestServerErrorOnPostIsNotRetried(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-5xx")
			writeJSON(w, status, map[string]string{"error_code": "HSS.0500", "error_msg": "busy"})
		})
		c := newClient(t, ts.URL, Token(testToken), nil)
		err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Fatalf("err = %v", err)
		}
		if n := ts.hits.Load(); n != 1 {
			t.Errorf("a POST was sent %d times after a %d", n, status)
		}
	}
}

// TestRedirectToAnotherHostCarriesNoCredentials: a GET follows a redirect
// to another host without the credential headers; a POST (operate, and
// IAM's token call, whose body holds the password) is refused both a
// 307/308 there (it would send the body) and a 302 (it would become a GET
// that does nothing and answers 200).
func TestRedirectToAnotherHostCarriesNoCredentials(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Clone(context.Background()))
		bodies = append(bodies, string(b))
		mu.Unlock()
		writeJSON(w, 200, map[string]any{"task_id": "t1", "task_status": "running"})
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), status)
		}))
		t.Cleanup(redirect.Close)
		// The last case is the password's: the token is fetched through the
		// redirect.
		for i, creds := range []Credentials{AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}, Token(testToken), alice, alice} {
			c := newClient(t, redirect.URL, creds, nil)
			if p, ok := c.auth.(*passwordAuth); ok && i == 2 { // a token obtained beforehand
				p.tokens.set(iamToken{value: testToken, expiresAt: time.Now().Add(time.Hour)}, time.Now().Add(time.Hour))
			}
			name := fmt.Sprintf("%d, %s (case %d)", status, creds.kind(), i)

			got, bodies = nil, nil
			err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
			if err == nil || !strings.Contains(err.Error(), "refused a redirect to http://"+other.Listener.Addr().String()) {
				t.Errorf("%s: POST: err = %v, want the redirect refused", name, err)
			}
			if len(got) != 0 {
				t.Errorf("%s: POST: the other host got %d requests, want none", name, len(got))
			}

			got, bodies = nil, nil
			_, err = c.ShowExportTask(context.Background(), "t1", "")
			if i == 3 {
				// The token call is a POST: refused, no password sent.
				if err == nil || len(got) != 0 {
					t.Errorf("%s: GET with a token to fetch: err %v, %d requests to the other host", name, err, len(got))
				}
				continue
			}
			if err != nil || len(got) != 1 || got[0].Method != http.MethodGet {
				t.Fatalf("%s: GET: err %v, the other host got %d requests; want the GET followed", name, err, len(got))
			}
			for _, h := range []string{"Authorization", "X-Auth-Token", "X-Security-Token"} {
				if v := got[0].Header.Get(h); v != "" {
					t.Errorf("%s: redirect carried %s to another host", name, h)
				}
			}
			for k, vs := range got[0].Header {
				for _, v := range vs {
					if containsSecret(v) {
						t.Errorf("%s: header %s carried a secret to another host", name, k)
					}
				}
			}
			if bodies[0] != "" {
				t.Errorf("%s: the other host got a body: %q", name, bodies[0])
			}
		}
	}
}

func TestAPIErrorShapes(t *testing.T) {
	for _, tc := range []struct {
		body       string
		code, msg  string
		keepsBody  bool
		inErrorStr string
	}{
		{`{"error_code":"HSS.1001","error_msg":"invalid category"}`, "HSS.1001", "invalid category", false, "HSS.1001: invalid category"},
		{`{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}}`, "APIGW.0301", "Incorrect IAM authentication information", false, "APIGW.0301"},
		{`{"error":{"code":1101,"message":"wrong password"}}`, "1101", "wrong password", false, "1101: wrong password"},
		// Both shapes at once: the flat one, HSS's own, wins field by field.
		{`{"error_code":"HSS.1002","error_msg":"flat","error":{"code":"APIGW.0301","message":"nested"}}`, "HSS.1002", "flat", false, "HSS.1002: flat"},
		{`{"error_code":"HSS.1002","error":{"code":"APIGW.0301","message":"nested"}}`, "HSS.1002", "nested", false, "HSS.1002: nested"},
		// A code without a message is a document: no raw body kept.
		{`{"error_code":"HSS.1003"}`, "HSS.1003", "", false, "HSS.1003"},
		{`<html>Bad Gateway</html>`, "", "", true, `"<html>Bad Gateway</html>"`},
		{``, "", "", false, "502 Bad Gateway"},
	} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "rid-7")
			w.WriteHeader(502)
			io.WriteString(w, tc.body)
		})
		c := newClient(t, ts.URL, Token(testToken), nil)
		err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("%s: err = %v", tc.body, err)
		}
		if apiErr.StatusCode != 502 || apiErr.Code != tc.code || apiErr.Message != tc.msg || apiErr.RequestID != "rid-7" || (len(apiErr.Body) > 0) != tc.keepsBody {
			t.Errorf("%s: got %+v", tc.body, apiErr)
		}
		if s := err.Error(); !strings.Contains(s, tc.inErrorStr) || !strings.Contains(s, "rid-7") || !strings.Contains(s, "HandleEvents") {
			t.Errorf("%s: Error() = %q", tc.body, s)
		}
	}
}

// TestAPIErrorLargeDocument: a 403 whose document carries a long
// encoded_authorization_message keeps its code and message; a request id
// only in the document is used; a long body that is no document is kept
// to 4 KiB.
func TestAPIErrorLargeDocument(t *testing.T) {
	long := strings.Repeat("QUJD", 5000) // 20 KB
	for _, tc := range []struct {
		header, body         string
		code, msg, requestID string
		bodyLen              int
	}{
		{"rid-h", `{"error_code":"HSS.0004","error_msg":"Insufficient permission","encoded_authorization_message":"` + long + `"}`, "HSS.0004", "Insufficient permission", "rid-h", 0},
		{"", `{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"rid-body"}`, "APIGW.0308", "throttled", "rid-body", 0},
		{"rid-h", `{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"rid-body"}`, "APIGW.0308", "throttled", "rid-h", 0},
		{"", "<html>" + long + "</html>", "", "", "", maxErrorBody},
	} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("X-Request-Id", tc.header)
			}
			w.WriteHeader(403)
			io.WriteString(w, tc.body)
		})
		c := newClient(t, ts.URL, Token(testToken), nil)
		err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %v", err)
		}
		if apiErr.Code != tc.code || apiErr.Message != tc.msg || apiErr.RequestID != tc.requestID || len(apiErr.Body) != tc.bodyLen {
			t.Errorf("got code %q, message %q, request id %q, %d bytes of body; want %q, %q, %q, %d",
				apiErr.Code, apiErr.Message, apiErr.RequestID, len(apiErr.Body), tc.code, tc.msg, tc.requestID, tc.bodyLen)
		}
	}
}

func FuzzDecodeAPIError(f *testing.F) {
	for _, s := range []string{`{"error_code":"HSS.1","error_msg":"m"}`, `{"error":{"code":1,"message":"m"}}`, `{"error":null}`, `[]`, `"x"`, ``, `{"error":{"code":[1]}}`} {
		f.Add(502, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeAPIError(status, body)
		if e.StatusCode != status {
			t.Fatal("status lost")
		}
		if e.Code == "" && e.Message == "" && len(body) > 0 && !bytes.Equal(e.Body, body[:min(len(body), maxErrorBody)]) {
			t.Fatal("an undecodable body was not kept")
		}
		_ = e.Error()
		if again := decodeAPIError(status, body); again.Error() != e.Error() {
			t.Fatal("not deterministic")
		}
	})
}

func containsSecret(s string) bool {
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	if containsSecret(s) {
		t.Errorf("a secret leaked into %q", s)
	}
}

// allVerbs are the fmt verbs a value may be printed with: a type that
// hides its secrets in String alone shows them with %d, %t or %e, which
// print a struct field by field. Not %p of a value: fmt reports it as a bad
// verb and prints the value raw, no method asked (go vet flags it).
var allVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%o", "%b", "%e", "%g", "%c", "%U", "%T"}

func TestNoSecretInConfigCredentialsOrLogs(t *testing.T) {
	creds := []Credentials{AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}, Token(testToken), Password{Domain: "acme", User: "alice", Password: testPass}}
	for _, cr := range creds {
		cfg := Config{Region: "ap-southeast-1", Credentials: cr}
		for _, verb := range allVerbs {
			assertNoSecret(t, fmt.Sprintf(verb, cfg))
			assertNoSecret(t, fmt.Sprintf(verb, cr))
			assertNoSecret(t, fmt.Sprintf(verb, &cfg))
		}
	}
	// Endpoints that New refuses, printed to find out why: a password, a
	// token in the query or the fragment, and one that does not parse.
	for _, ep := range []string{"https://svc:" + testPass + "@hss.example.com", "https://" + testToken + "@hss.example.com",
		"https://hss.example.com/?token=" + testToken, "https://hss.example.com/#" + testSTS, "ht tp://" + testSK,
		"svc:" + testPass + "@hss.example.com", "https:" + testPass + "@hss.example.com", testToken + "@hss.example.com"} {
		cfg := Config{Region: "ap-southeast-1", Credentials: Token(testToken), Endpoint: ep, IAMEndpoint: ep}
		for _, verb := range allVerbs {
			assertNoSecret(t, fmt.Sprintf(verb, cfg))
			assertNoSecret(t, fmt.Sprintf(verb, &cfg))
		}
		js, _ := json.Marshal(cfg)
		assertNoSecret(t, string(js))
		var jl bytes.Buffer
		slog.New(slog.NewJSONHandler(&jl, nil)).Info("config", "cfg", cfg)
		assertNoSecret(t, jl.String())
		if s := cfg.String(); !strings.Contains(s, "hss.example.com") && !strings.Contains(s, "[unparsable]") && !strings.Contains(s, "[not an absolute URL]") {
			t.Errorf("the endpoint's host is lost: %s", cfg)
		}
		if _, err := New(cfg); err == nil {
			t.Errorf("New accepted the endpoint %s", cfg)
		} else {
			assertNoSecret(t, err.Error())
		}
	}
	for _, cr := range creds {
		cfg := Config{Region: "ap-southeast-1", Credentials: cr}
		js, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, string(js))
		var jl bytes.Buffer
		slog.New(slog.NewJSONHandler(&jl, nil)).Info("config", "cfg", cfg, "creds", cr)
		assertNoSecret(t, jl.String())
	}
	var logs bytes.Buffer
	s := newIAMServer(t, time.Hour)
	for _, cr := range creds {
		c := newClient(t, s.URL, cr, func(cfg *Config) {
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			cfg.ProjectID = ""
		})
		_ = c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	}
	if !strings.Contains(logs.String(), "hss request") || !strings.Contains(logs.String(), "status=") {
		t.Fatalf("no debug records: %q", logs.String())
	}
	assertNoSecret(t, logs.String())
}
