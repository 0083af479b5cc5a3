package hss

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// pinRT is a stub transport: it records each request (and when it came)
// and answers with fn, given the request's index.
type pinRT struct {
	mu    sync.Mutex
	reqs  []*http.Request
	times []time.Time
	fn    func(n int, r *http.Request) (*http.Response, error)
}

func (s *pinRT) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, r.Clone(context.Background()))
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return s.fn(n, r)
}

func (s *pinRT) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func pinResp(r *http.Request, status int, hdr map[string]string, body string) *http.Response {
	h := http.Header{}
	for k, v := range hdr {
		h.Set(k, v)
	}
	if body != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	return &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// pinClient is a client on https endpoints whose requests go to rt.
func pinClient(t *testing.T, rt http.RoundTripper, creds Credentials, mod func(*Config)) *Client {
	t.Helper()
	return newClient(t, "https://hss.pin.example", creds, func(cfg *Config) {
		cfg.IAMEndpoint = "https://iam.pin.example"
		cfg.HTTPClient = &http.Client{Transport: rt}
		if mod != nil {
			mod(cfg)
		}
	})
}

func pinField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *ValidationError", err, err)
	}
	if ve.Field != field {
		t.Fatalf("ValidationError.Field = %q, want %q (%v)", ve.Field, field, err)
	}
}

const pinTaskRunning = `{"task_id":"task-1","task_name":"t","task_status":"running"}`

// 1. A redirect from https to http on the same host keeps no credentials.
func TestPinnedRedirectToHTTPSameHostDropsCredentials(t *testing.T) {
	for _, creds := range []Credentials{Token(testToken), AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}} {
		t.Run(creds.kind(), func(t *testing.T) {
			rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
				if n == 0 {
					return pinResp(r, http.StatusFound, map[string]string{"Location": "http://" + r.URL.Host + r.URL.RequestURI()}, ""), nil
				}
				return pinResp(r, 200, nil, pinTaskRunning), nil
			}}
			c := pinClient(t, rt, creds, nil)
			if _, err := c.ShowExportTask(context.Background(), "task-1", ""); err != nil {
				t.Fatal(err)
			}
			reqs := rt.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if reqs[0].Header.Get("X-Auth-Token") == "" && reqs[0].Header.Get("Authorization") == "" {
				t.Fatalf("first request carried no credentials: %v", reqs[0].Header)
			}
			second := reqs[1]
			if second.URL.Scheme != "http" || second.URL.Host != "hss.pin.example" {
				t.Fatalf("second request went to %s", second.URL)
			}
			for _, h := range []string{"Authorization", "X-Auth-Token", "X-Security-Token"} {
				if v := second.Header.Get(h); v != "" {
					t.Errorf("redirect to http carried %s: %q", h, v)
				}
			}
		})
	}
}

// 2. The IAM token lookup of Token credentials, redirected to another host,
// carries neither X-Subject-Token nor X-Auth-Token there.
func TestPinnedProjectLookupRedirectDropsTokens(t *testing.T) {
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		if n == 0 {
			return pinResp(r, http.StatusFound, map[string]string{"Location": "https://other.pin.example" + r.URL.RequestURI()}, ""), nil
		}
		return pinResp(r, 200, nil, `{"token":{"expires_at":"2099-01-01T00:00:00Z","project":{"id":"`+testProject+`","name":"ap-southeast-1"}}}`), nil
	}}
	c := pinClient(t, rt, Token(testToken), func(cfg *Config) { cfg.ProjectID = "" })
	id, err := c.ProjectID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id != testProject {
		t.Errorf("project = %q", id)
	}
	reqs := rt.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if reqs[0].Header.Get("X-Subject-Token") != testToken || reqs[0].Header.Get("X-Auth-Token") != testToken {
		t.Fatalf("the lookup did not carry the token: %v", reqs[0].Header)
	}
	if reqs[1].URL.Host != "other.pin.example" {
		t.Fatalf("second request went to %s", reqs[1].URL)
	}
	for _, h := range []string{"X-Subject-Token", "X-Auth-Token"} {
		if v := reqs[1].Header.Get(h); v != "" {
			t.Errorf("redirect to another host carried %s", h)
		}
	}
}

// 3. HandleEvents sends the Region header when asked, and only then.
func TestPinnedHandleEventsRegionHeader(t *testing.T) {
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		return pinResp(r, 200, nil, ""), nil
	}}
	c := pinClient(t, rt, AccessKey{ID: testAK, Secret: testSK}, nil)
	ctx := context.Background()
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), &HandleEventsParams{Region: Ptr("ap-southeast-1")}); err != nil {
		t.Fatal(err)
	}
	if err := c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil); err != nil {
		t.Fatal(err)
	}
	reqs := rt.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if got := reqs[0].Header.Values("Region"); len(got) != 1 || got[0] != "ap-southeast-1" {
		t.Errorf("Region header = %q, want [ap-southeast-1]", got)
	}
	if got := reqs[1].Header.Values("Region"); len(got) != 0 {
		t.Errorf("Region header without params = %q, want none", got)
	}
}

// 4. Bad path ids are refused before anything is sent.
func TestPinnedPathIDsRefusedUnsent(t *testing.T) {
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		if strings.Contains(r.URL.Path, "/download/") {
			return pinResp(r, 200, map[string]string{"Content-Type": "text/csv"}, "a,b\n"), nil
		}
		return pinResp(r, 200, nil, pinTaskRunning), nil
	}}
	c := pinClient(t, rt, AccessKey{ID: testAK, Secret: testSK}, nil)
	ctx := context.Background()
	for _, id := range []string{"..", "a/b"} {
		_, err := c.ShowExportTask(ctx, id, "")
		pinField(t, err, "task_id")
	}
	_, err := c.DownloadExportedFile(ctx, "..", "", io.Discard)
	pinField(t, err, "file_id")
	if n := len(rt.requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// 5. A discovered project id that is no valid path id is an error, and so is
// an AccessKey discovery that finds two projects.
func TestPinnedDiscoveredProjectChecked(t *testing.T) {
	for _, bad := range []string{"../x", "..", "a/b", strings.Repeat("a", maxIDLen+1)} {
		rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
			return pinResp(r, 200, nil, `{"token":{"expires_at":"2099-01-01T00:00:00Z","project":{"id":"`+bad+`"}}}`), nil
		}}
		c := pinClient(t, rt, Token(testToken), func(cfg *Config) { cfg.ProjectID = "" })
		if id, err := c.ProjectID(context.Background()); err == nil {
			t.Errorf("IAM project id %.20q...: ProjectID = %q, want an error", bad, id)
		}
	}
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		return pinResp(r, 200, nil, `{"projects":[{"id":"`+testProject+`","name":"ap-southeast-1"},{"id":"0605767a7b00d5762f1bc00ea0f3d0f4","name":"ap-southeast-1"}]}`), nil
	}}
	c := pinClient(t, rt, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.ProjectID = "" })
	id, err := c.ProjectID(context.Background())
	if err == nil {
		t.Fatalf("two projects: ProjectID = %q, want an error", id)
	}
	if !strings.Contains(err.Error(), "2 projects") || !strings.Contains(err.Error(), "set the project id") {
		t.Errorf("err = %v", err)
	}
}

// 6. A POST that failed after sending is not repeated; a dial failure is
// retried up to MaxAttempts.
func TestPinnedTransportFailureAttempts(t *testing.T) {
	cases := []struct {
		name string
		op   string
		max  int
		want int
	}{
		{"read failure, default attempts", "read", 0, 1},
		{"read failure, 3 attempts", "read", 3, 1},
		{"dial failure, 1 attempt", "dial", 1, 1},
		{"dial failure, 3 attempts", "dial", 3, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
				return nil, &net.OpError{Op: tc.op, Net: "tcp", Err: errors.New("reset")}
			}}
			c := pinClient(t, rt, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.MaxAttempts = tc.max })
			params, cols := testExport()
			if _, err := c.ExportEvents(context.Background(), params, cols); err == nil {
				t.Fatal("ExportEvents succeeded")
			}
			if n := len(rt.requests()); n != tc.want {
				t.Errorf("%d attempts, want %d", n, tc.want)
			}
		})
	}
}

// 7. The token refresh on a 401 does not use up an attempt.
func TestPinnedRefreshOutsideAttemptBudget(t *testing.T) {
	var mu sync.Mutex
	tokens, hss := 0, 0
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/v3/auth/tokens") {
			tokens++
			return pinResp(r, 201, map[string]string{"X-Subject-Token": testToken + "-" + string(rune('0'+tokens))},
				`{"token":{"expires_at":"2099-01-01T00:00:00Z","project":{"id":"`+testProject+`"}}}`), nil
		}
		hss++
		switch hss {
		case 1:
			return pinResp(r, 401, nil, `{"error_code":"APIGW.0301","error_msg":"bad token"}`), nil
		case 2:
			return pinResp(r, 429, map[string]string{"Retry-After": "0"}, `{"error_code":"HSS.0429","error_msg":"slow down"}`), nil
		}
		return pinResp(r, 200, nil, pinTaskRunning), nil
	}}
	c := pinClient(t, rt, Password{Domain: "acme", User: "alice", Password: testPass}, func(cfg *Config) { cfg.MaxAttempts = 2 })
	if _, err := c.ShowExportTask(context.Background(), "task-1", ""); err != nil {
		t.Fatalf("ShowExportTask: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if tokens != 2 || hss != 3 {
		t.Errorf("%d token calls, %d HSS calls; want 2 and 3", tokens, hss)
	}
}

// 8. retryable and backoff.
func TestPinnedRetryableAndBackoff(t *testing.T) {
	for _, tc := range []struct {
		status int
		method string
		want   bool
	}{
		{504, http.MethodGet, true},
		{500, http.MethodGet, true},
		{500, http.MethodPost, false},
	} {
		if got := retryable(tc.status, tc.method); got != tc.want {
			t.Errorf("retryable(%d, %s) = %v, want %v", tc.status, tc.method, got, tc.want)
		}
	}
	for n := 1; n <= 8; n++ {
		d := min(200*time.Millisecond<<(n-1), 5*time.Second)
		for range 300 {
			if got := backoff(n); got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, got, d/2, d)
			}
		}
	}
}

// 9. invalidate keeps a value bad says is not the bad one.
func TestPinnedInvalidateKeepsRenewedValue(t *testing.T) {
	var c cached[string]
	c.set("A", time.Time{})
	c.set("B", time.Time{})
	c.invalidate(func(v string) bool { return v == "A" })
	if v, ok := c.fresh(time.Now); !ok || v != "B" {
		t.Errorf("fresh = %q, %v; want B, true", v, ok)
	}
	c.invalidate(func(v string) bool { return v == "B" })
	if v, ok := c.fresh(time.Now); ok {
		t.Errorf("fresh after invalidating B = %q, true; want none", v)
	}
}

// 9b. A value that is never renewed and never expires (a configured project
// id) is handed out without reading the clock; one due for renewal reads it.
func TestPinnedFreshReadsTheClockOnlyWhenItMatters(t *testing.T) {
	reads := 0
	now := func() time.Time { reads++; return time.Now() }
	var c cached[string]
	c.set("p", time.Time{})
	if v, ok := c.fresh(now); !ok || v != "p" || reads != 0 {
		t.Errorf("fresh = %q, %v after %d clock reads; want p, true, 0", v, ok, reads)
	}
	c.set("p", time.Now().Add(time.Hour))
	if v, ok := c.fresh(now); !ok || v != "p" || reads != 1 {
		t.Errorf("fresh = %q, %v after %d clock reads; want p, true, 1", v, ok, reads)
	}
	c.set("p", time.Now().Add(-time.Second))
	if _, ok := c.fresh(now); ok {
		t.Error("fresh handed out a value due for renewal")
	}
	c.set("p", time.Time{})
	c.expires = func(string) time.Time { return time.Now().Add(-time.Minute) }
	if _, ok := c.fresh(now); ok {
		t.Error("fresh handed out an expired value that is never renewed")
	}
}

// 10. An IAM 201 without X-Subject-Token is an error, and HSS is not called.
func TestPinnedTokenAnswerWithoutSubjectToken(t *testing.T) {
	hss := 0
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, "/v3/") {
			return pinResp(r, 201, nil, `{"token":{"expires_at":"2099-01-01T00:00:00Z","project":{"id":"`+testProject+`"}}}`), nil
		}
		hss++
		return pinResp(r, 200, nil, pinTaskRunning), nil
	}}
	c := pinClient(t, rt, Password{Domain: "acme", User: "alice", Password: testPass}, nil)
	_, err := c.ShowExportTask(context.Background(), "task-1", "")
	if err == nil || !strings.Contains(err.Error(), "X-Subject-Token") {
		t.Fatalf("err = %v, want one naming X-Subject-Token", err)
	}
	if hss != 0 {
		t.Errorf("%d HSS requests sent, want 0", hss)
	}
}

func pinClearEnv(t *testing.T) {
	for _, v := range []string{EnvAccessKey, EnvSecretKey, EnvSecurityToken, EnvProjectID, EnvAuthToken, EnvRegion, EnvIAMEndpoint, EnvDomainName, EnvUserName, EnvPassword} {
		t.Setenv(v, "")
	}
}

// 11. ConfigFromEnv: the IAM endpoint, and a partial IAM user.
func TestPinnedConfigFromEnv(t *testing.T) {
	pinClearEnv(t)
	t.Setenv(EnvAccessKey, testAK)
	t.Setenv(EnvSecretKey, testSK)
	t.Setenv(EnvIAMEndpoint, "  https://iam.pin.example \t")
	cfg, err := ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IAMEndpoint != "https://iam.pin.example" {
		t.Errorf("IAMEndpoint = %q", cfg.IAMEndpoint)
	}

	pinClearEnv(t)
	t.Setenv(EnvPassword, testPass)
	_, err = ConfigFromEnv()
	pinField(t, err, EnvDomainName)
}

// 12. New: the user agent, the IAM endpoint, the token length limit.
func TestPinnedNewChecks(t *testing.T) {
	base := Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: Token(testToken), Endpoint: "https://hss.pin.example"}

	cfg := base
	cfg.UserAgent = "a\x7f"
	_, err := New(cfg)
	pinField(t, err, "user_agent")

	cfg = base
	cfg.IAMEndpoint = "ftp://iam.pin.example"
	_, err = New(cfg)
	pinField(t, err, "iam_endpoint")

	cfg = base
	cfg.Credentials = Token(strings.Repeat("a", 32768))
	if _, err := New(cfg); err != nil {
		t.Errorf("token of 32768 bytes: %v", err)
	}
	cfg.Credentials = Token(strings.Repeat("a", 32769))
	_, err = New(cfg)
	pinField(t, err, "credentials")
	cfg.Credentials = Token(strings.Repeat("é", 32768)) // the limit counts characters, as the spec's do
	if _, err := New(cfg); err != nil {
		t.Errorf("token of 32768 characters: %v", err)
	}

	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		return pinResp(r, 200, nil, pinTaskRunning), nil
	}}
	c := pinClient(t, rt, Token(testToken), func(cfg *Config) { cfg.UserAgent = "myapp/1.0" })
	if _, err := c.ShowExportTask(context.Background(), "task-1", ""); err != nil {
		t.Fatal(err)
	}
	ua := rt.requests()[0].Header.Get("User-Agent")
	if !strings.HasPrefix(ua, "myapp/1.0 ") || !strings.Contains(ua, "hss-go/"+Version) {
		t.Errorf("User-Agent = %q, want myapp/1.0 first, then hss-go/%s", ua, Version)
	}
}

// 13. A MaxPollInterval shorter than PollInterval is raised to it: no gap
// between polls is shorter than PollInterval.
func TestPinnedPollIntervalWinsOverShorterMax(t *testing.T) {
	rt := &pinRT{fn: func(n int, r *http.Request) (*http.Response, error) {
		if n < 2 {
			return pinResp(r, 200, nil, pinTaskRunning), nil
		}
		return pinResp(r, 200, nil, `{"task_id":"task-1","task_name":"t","task_status":"success","file_id":"file-1"}`), nil
	}}
	c := pinClient(t, rt, Token(testToken), nil)
	var elapsed []time.Duration
	opts := &ExportOptions{PollInterval: 200 * time.Millisecond, MaxPollInterval: 50 * time.Millisecond,
		Progress: func(p ExportProgress) { elapsed = append(elapsed, p.Elapsed) }}
	if _, err := c.WaitExportTask(context.Background(), "task-1", "", opts); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	times := append([]time.Time(nil), rt.times...)
	rt.mu.Unlock()
	if len(times) != 3 || len(elapsed) != 2 {
		t.Fatalf("%d polls, %d progress reports; want 3 and 2", len(times), len(elapsed))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 200*time.Millisecond {
			t.Errorf("gap before poll %d = %v, want at least 200ms", i+1, gap)
		}
	}
	if d := elapsed[1] - elapsed[0]; d < 200*time.Millisecond {
		t.Errorf("Elapsed between the first two polls = %v, want at least 200ms", d)
	}
}
