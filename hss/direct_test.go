package hss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// seenRequest is what a server of TestSendOnceMatchesHTTPClient saw.
type seenRequest struct {
	server, method, path string
	bodyLen              int
	credentials          []string // the credential headers it carried
}

// TestSendOnceMatchesHTTPClient checks the direct path (a client without a
// cookie jar or timeout sends through its transport, not http.Client.Do)
// against net/http itself: a client with a timeout of an hour goes through
// http.Client.Do, and for every server behaviour both must send the same
// requests to the same servers and end with the same answer or error.
func TestSendOnceMatchesHTTPClient(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []seenRequest
	)
	record := func(name string, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s := seenRequest{server: name, method: r.Method, path: r.URL.Path, bodyLen: len(b)}
		for _, h := range credentialHeaders {
			if r.Header.Get(h) != "" {
				s.credentials = append(s.credentials, h)
			}
		}
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("other", r)
		okExport(w, r)
	}))
	defer other.Close()
	var behave func(w http.ResponseWriter, r *http.Request)
	main := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("main", r)
		behave(w, r)
	}))
	defer main.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	plainAsTLS := strings.Replace(main.URL, "http://", "https://", 1)

	redirectTo := func(status int, target func(r *http.Request) string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("hop") == "done" {
				okExport(w, r)
				return
			}
			http.Redirect(w, r, target(r), status)
		}
	}
	sameHost := func(r *http.Request) string { return r.URL.Path + "?hop=done" }
	otherHost := func(r *http.Request) string { return other.URL + r.URL.Path }
	for _, tc := range []struct {
		name     string
		endpoint string
		behave   func(http.ResponseWriter, *http.Request)
	}{
		{"ok", main.URL, okExport},
		{"api error", main.URL, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-1")
			writeJSON(w, 403, map[string]string{"error_code": "HSS.1003", "error_msg": "forbidden"})
		}},
		{"307 same host", main.URL, redirectTo(http.StatusTemporaryRedirect, sameHost)},
		{"308 other host", main.URL, redirectTo(http.StatusPermanentRedirect, otherHost)},
		{"302 other host", main.URL, redirectTo(http.StatusFound, otherHost)},
		{"301 same host", main.URL, redirectTo(http.StatusMovedPermanently, sameHost)},
		{"303 same host", main.URL, redirectTo(http.StatusSeeOther, sameHost)},
		{"303 without location", main.URL, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusSeeOther) }},
		{"redirect loop", main.URL, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
		}},
		{"connection refused", closedURL, okExport},
		{"https to a plain server", plainAsTLS, okExport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			behave = tc.behave
			type outcome struct {
				res  string
				err  string
				seen []seenRequest
			}
			run := func(hc *http.Client, wantDirect bool) outcome {
				mu.Lock()
				seen = nil
				mu.Unlock()
				c := newClient(t, tc.endpoint, AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}, func(cfg *Config) {
					cfg.HTTPClient = hc
					cfg.MaxAttempts = 1
				})
				if got := c.direct != nil; got != wantDirect {
					t.Fatalf("direct path: %v, want %v", got, wantDirect)
				}
				var o outcome
				params := ExportEventsParams{Category: CategoryHost, EventId: "e1"}
				res, err := c.ExportEvents(context.Background(), params, ExportColumns{{"event_name", "Name"}})
				if err != nil {
					o.err = err.Error()
					var ue *url.Error
					var ae *APIError
					if !errors.As(err, &ue) && !errors.As(err, &ae) {
						t.Errorf("error is neither *url.Error nor *APIError: %T %v", err, err)
					}
				} else {
					o.res = fmt.Sprintf("%d records, task %s", deref(res.RecordTotalNum), deref(res.TaskId))
				}
				mu.Lock()
				o.seen = append([]seenRequest(nil), seen...)
				mu.Unlock()
				return o
			}
			direct := run(nil, true)
			viaClient := run(&http.Client{Timeout: time.Hour}, false)
			if d, v := fmt.Sprintf("%+v", direct), fmt.Sprintf("%+v", viaClient); d != v {
				t.Errorf("direct path and http.Client differ:\ndirect:      %s\nhttp.Client: %s", d, v)
			}
			t.Logf("%+v", direct)
			for _, s := range direct.seen {
				if s.server == "other" && len(s.credentials) > 0 {
					t.Errorf("the other host received %v", s.credentials)
				}
			}
			if len(direct.seen) == 0 && tc.endpoint == main.URL {
				t.Errorf("the server saw nothing")
			}
		})
	}
}

// TestSendOnceOnlyWithoutJarOrTimeout pins which clients take the direct
// path: those whose http.Client would add nothing to a request.
// rtFunc is a RoundTripper made of a function.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestSendOnceRefusesWhatHTTPClientRefuses: a transport that answers
// nothing, or a length without a body, is an error on the direct path too,
// as http.Client makes it, not a panic.
func TestSendOnceRefusesWhatHTTPClientRefuses(t *testing.T) {
	for name, tr := range map[string]rtFunc{
		"nil response": func(*http.Request) (*http.Response, error) { return nil, nil },
		"nil body with a length": func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, ContentLength: 10, Header: http.Header{}, Request: r}, nil
		},
	} {
		for _, hc := range []*http.Client{{Transport: tr}, {Transport: tr, Timeout: time.Hour}} {
			c := newClient(t, "https://hss.example.com", Token(testToken), func(cfg *Config) { cfg.HTTPClient = hc })
			err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
			if err == nil || !strings.Contains(err.Error(), "RoundTripper implementation") {
				t.Errorf("%s (direct %t): err = %v", name, c.direct != nil, err)
			}
		}
	}
}

func TestSendOnceOnlyWithoutJarOrTimeout(t *testing.T) {
	jar := jarFunc(func(*url.URL) []*http.Cookie { return nil })
	custom := &failingTransport{}
	for _, tc := range []struct {
		hc     *http.Client
		direct http.RoundTripper
	}{
		{nil, defaultTransport()},
		{&http.Client{}, http.DefaultTransport},
		{&http.Client{Transport: custom}, custom},
		{&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}, http.DefaultTransport},
		{&http.Client{Timeout: time.Second}, nil},
		{&http.Client{Jar: jar}, nil},
	} {
		c := newClient(t, "http://127.0.0.1:1", Token(testToken), func(cfg *Config) { cfg.HTTPClient = tc.hc })
		if c.direct != tc.direct {
			t.Errorf("HTTPClient %+v: direct transport %T %p, want %T %p", tc.hc, c.direct, c.direct, tc.direct, tc.direct)
		}
	}
}

type jarFunc func(*url.URL) []*http.Cookie

func (f jarFunc) SetCookies(*url.URL, []*http.Cookie) {}
func (f jarFunc) Cookies(u *url.URL) []*http.Cookie   { return f(u) }

type failingTransport struct{}

func (*failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("not sent")
}
