package hss

// Tests of what a server's answer that echoes the request (a proxy's or a
// gateway's error page) may do with its secrets, in the escapes of other
// encoders: none may reach an error, a log record or another host.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

const echoTok = "MIIab+cd/ef=gh-secret-token-value"

var echoLowerHex = strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d").Replace(url.QueryEscape(echoTok))

// echoLeaks reports which recognisable parts of echoTok text still holds:
// its end, which no escape changes, and its start in the forms that do.
func echoLeaks(text string) []string {
	var out []string
	for _, leak := range []string{"secret-token-value", echoTok[:8], url.QueryEscape(echoTok)[:12], echoLowerHex[:12]} {
		if strings.Contains(text, leak) {
			out = append(out, leak)
		}
	}
	return out
}

func echoCall(t *testing.T, h http.HandlerFunc, mod func(*Config), call func(*Client) error) (string, *APIError) {
	t.Helper()
	ts := newTestServer(t, h)
	var logs lockedBuffer
	c := newClient(t, ts.URL, Token(echoTok), func(cfg *Config) {
		cfg.MaxAttempts = 1
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if mod != nil {
			mod(cfg)
		}
	})
	if call == nil {
		call = func(c *Client) error { _, err := c.ShowExportTask(context.Background(), "task-1", ""); return err }
	}
	err := call(c)
	if err == nil {
		t.Fatal("no error")
	}
	var apiErr *APIError
	text := fmt.Sprintf("%v %+v", err, err) + logs.String()
	if errors.As(err, &apiErr) {
		text += string(apiErr.Body) + apiErr.RequestID + apiErr.Message + apiErr.Code
	}
	return text, apiErr
}

// TestEchoInAPageWithAStrayPercent: a token an HTML page echoes in an
// escape of its own (lower-case URL escapes, JSON's \u002B in a <script>)
// is found though the page is neither one URL-escaped string (a CSS 100%)
// nor one JSON document, and the page is dropped.
func TestEchoInAPageWithAStrayPercent(t *testing.T) {
	for _, tc := range []struct {
		name string
		page func(tok string) string
	}{
		{"lower-case URL escapes in a page with a CSS 100%", func(tok string) string {
			return `<html><style>table{width:100%}</style><a href="/retry?token=` + echoLowerHex + `">retry</a></html>`
		}},
		{"JSON escapes in a <script> of an HTML page", func(tok string) string {
			return `<html><script>var req = {"x-auth-token": "` + strings.ReplaceAll(tok, "+", `\u002B`) + `"};</script></html>`
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, apiErr := echoCall(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, tc.page(r.Header.Get("X-Auth-Token")))
			}, nil, nil)
			if l := echoLeaks(text); len(l) > 0 {
				t.Errorf("leaked %v; Body = %q", l, apiErr.Body)
			}
		})
	}
}

// withoutResponseRequest makes the client's transport noRequestTransport.
func withoutResponseRequest(cfg *Config) {
	cfg.HTTPClient = &http.Client{Transport: noRequestTransport{http.DefaultTransport}}
}

// noRequestTransport is a RoundTripper that returns the answer without
// its Request field (a fault injector, a recorder, a cache may build the
// *http.Response itself; RoundTripper's contract does not require it).
type noRequestTransport struct{ next http.RoundTripper }

func (t noRequestTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if resp != nil {
		resp.Request = nil
	}
	return resp, err
}

// TestNoRedactionOnTheSuccessPath: with debug logging on, a 2xx answer's
// request id, shorter than the token, costs no redaction: the allocations
// of a 2xx call with an X-Request-Id against without (a canned transport,
// so nothing but the client allocates).
func TestNoRedactionOnTheSuccessPath(t *testing.T) {
	tok := strings.Repeat("MIIab+cd/ef=", 200) // ~2.4 KB, as IAM tokens are long
	perCall := func(id string) float64 {
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			h := http.Header{"Content-Type": {"application/json"}}
			if id != "" {
				h["X-Request-Id"] = []string{id}
			}
			return &http.Response{StatusCode: 200, Header: h, Request: r, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(`{"task_status":"running"}`))}, nil
		})
		c, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: Token(tok),
			Endpoint: "https://hss.example", HTTPClient: &http.Client{Transport: rt},
			Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(200, func() {
			if _, err := c.ShowExportTask(context.Background(), "task-1", ""); err != nil {
				t.Fatal(err)
			}
		})
	}
	without, with := perCall(""), perCall("0123456789abcdef0123456789abcdef")
	t.Logf("allocs per 2xx call with debug logging: %.0f without X-Request-Id, %.0f with", without, with)
	if with-without > 1 {
		t.Errorf("an X-Request-Id on a 2xx answer costs %.0f more allocations per call (redaction on the success path)", with-without)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestEchoInErrorFieldsEscaped: Code and Message decoded from an error
// document get the Body's escape check too: a gateway that quotes the
// request in its message as it re-encoded it (nested JSON: \u002B; .NET's
// HttpUtility: lower-case %2b) shows neither the token nor the password.
func TestEchoInErrorFieldsEscaped(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  func(tok string) string
	}{
		{"nested JSON escape", func(tok string) string {
			return `invalid request {"x-auth-token":"` + strings.ReplaceAll(tok, "+", `\u002B`) + `"}`
		}},
		{"lower-case URL escape", func(string) string { return "refused /x?token=" + echoLowerHex }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, apiErr := echoCall(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "GW.400", "error_msg": tc.msg(r.Header.Get("X-Auth-Token"))})
			}, nil, nil)
			if l := echoLeaks(text); len(l) > 0 {
				t.Errorf("leaked %v; Message = %q", l, apiErr.Message)
			}
		})
	}
	// The IAM call: Body is dropped as "a page may escape its password in
	// any way", but Message of the same page is kept.
	const pw = "p+ss/word=secret-pass-value"
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		nested := strings.ReplaceAll(string(body), "+", `\u002B`)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "GW.400", "error_msg": "invalid body " + nested})
	})
	c := newClient(t, ts.URL, Password{Domain: "acme", User: "alice", Password: pw}, func(cfg *Config) { cfg.MaxAttempts = 1 })
	err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "secret-pass-value") {
		t.Errorf("leaked password in %v", err)
	}
}

// TestRedirectWithAStrayPercent: a token in lower-case hex in a Location
// whose query also has a stray '%' is seen: the redirect is not followed to
// the other host, and in a Location that does not parse it does not reach
// the error's text.
func TestRedirectWithAStrayPercent(t *testing.T) {
	var got []string
	other := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RawQuery)
		okExport(w, r)
	})
	t.Run("followed to another host", func(t *testing.T) {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", other.URL+"/v5/"+testProject+"/event/export-task/t?p=100%&t="+echoLowerHex)
			w.WriteHeader(http.StatusFound)
		})
		c := newClient(t, ts.URL, Token(echoTok), func(cfg *Config) { cfg.MaxAttempts = 1 })
		_, err := c.ShowExportTask(context.Background(), "task-1", "")
		t.Logf("err = %v", err)
		if n := other.hits.Load(); n != 0 {
			t.Errorf("leaked: the other host got %d requests, queries %q", n, got)
		}
	})
	t.Run("unparsable Location", func(t *testing.T) {
		text, _ := echoCall(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/%zz?t="+echoLowerHex)
			w.WriteHeader(http.StatusFound)
		}, nil, nil)
		if l := echoLeaks(text); len(l) > 0 {
			t.Errorf("leaked %v in %s", l, text)
		}
	})
}

// TestEchoedSecretsAreRedacted: a proxy or gateway whose error page echoes
// the request it refused (its body, its headers) does not put the password
// or a token into the client's error: an HSS call's X-Auth-Token or
// X-Security-Token reads [REDACTED] in the page, as sent, HTML-escaped, or
// at the 4 KiB cut of the page, in a request id, through the final answer
// and through the error a cancelled retry wait wraps; the IAM call's answer
// keeps no page at all, as its password may be escaped in any way.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	ctx := context.Background()
	echo := func(escape func(string) string, pad int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var head strings.Builder
			_ = r.Header.Write(&head)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body>%s upstream refused: %s %s %s</body></html>",
				strings.Repeat("x", pad), r.URL, escape(head.String()), escape(string(body)))
		}
	}
	raw := func(s string) string { return s }
	// atCut puts the request's token across the 4 KiB at which Body is cut.
	atCut := func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Auth-Token") + r.Header.Get(signer.HeaderSecurityToken) + r.Header.Get("X-Subject-Token")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "%s%s and more", strings.Repeat("x", maxErrorBody-10), tok)
	}
	idEcho := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error_code": "GW.502", "error_msg": "bad gateway",
			"request_id": r.Header.Get("X-Auth-Token") + r.Header.Get(signer.HeaderSecurityToken)})
	}
	passwords := []Credentials{
		Password{Domain: "acme", User: "alice", Password: testPass},
		Password{Domain: "acme", User: "alice", Password: `p"w<\>&'é` + testPass},
	}
	tokens := []Credentials{Token(testToken), AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}}
	check := func(t *testing.T, err error, wantBody bool) {
		t.Helper()
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadGateway {
			t.Fatalf("err = %v, want the 502", err)
		}
		if wantBody != (len(apiErr.Body) > 0) {
			t.Errorf("Body = %q; want a page kept: %t", apiErr.Body, wantBody)
		}
		assertNoSecret(t, err.Error())
		assertNoSecret(t, string(apiErr.Body)+apiErr.RequestID)
		// Not even a part: a secret cut at the 4 KiB end of the page.
		for _, sec := range []string{testToken, testSTS, testPass, `p"w<\>&'é`} {
			if strings.Contains(err.Error(), sec[:8]) || strings.Contains(string(apiErr.Body), sec[:8]) {
				t.Errorf("the start of %q leaked into %q", sec, apiErr.Body)
			}
		}
	}
	for _, h := range []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"raw page", echo(raw, 0)},
		{"HTML-escaped page", echo(html.EscapeString, 0)},
		{"secret at the 4 KiB cut", atCut},
		{"request id", idEcho},
	} {
		t.Run(h.name, func(t *testing.T) {
			for _, cr := range passwords {
				ts := newTestServer(t, h.handler)
				err := newClient(t, ts.URL, cr, nil).HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
				check(t, err, false)
			}
			for _, cr := range tokens {
				ts := newTestServer(t, h.handler)
				c := newClient(t, ts.URL, cr, func(cfg *Config) { cfg.MaxAttempts = 3 })
				// A GET is retried on a 502: the error is the last answer's;
				// or, when the context ends during a wait, the context's
				// error wrapped around the answer that made it wait.
				interrupted := func() error {
					ctx, cancel := context.WithCancel(ctx)
					defer cancel()
					// Cancelled within the first wait (100 ms at least): 30 ms
					// after the first attempt reached the server.
					hits := ts.hits.Load()
					go func() {
						for ts.hits.Load() == hits && ctx.Err() == nil {
							time.Sleep(time.Millisecond)
						}
						time.Sleep(30 * time.Millisecond)
						cancel()
					}()
					_, err := c.ShowExportTask(ctx, "task-1", "")
					return err
				}
				for _, call := range []func() error{
					func() error { return c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil) },
					func() error { _, err := c.ShowExportTask(ctx, "task-1", ""); return err },
					interrupted,
				} {
					err := call()
					check(t, err, h.name != "request id")
					// At the cut, the marker itself may be cut.
					if h.name != "secret at the 4 KiB cut" && !strings.Contains(err.Error(), redacted) {
						t.Errorf("%v: the echoed secret should read %s", err, redacted)
					}
				}
			}
		})
	}
}

// TestEchoedTokenInOtherSpellings: a token with characters that escapes
// change ("+", "/", "=") echoed in the ways a server may write it: in the
// answer's X-Request-Id (read by the error, the debug log, a failed decode
// of a 2xx answer and a download's wrong status), in a Location net/http
// cannot parse, in a redirect's URL escaped in lower-case hex or with a
// letter escaped, and in a body escaped as no form names (JSON's \u002B,
// lower-case URL escapes). None of it reaches an error, a log record or
// another host.
func TestEchoedTokenInOtherSpellings(t *testing.T) {
	tok, lowerHex := echoTok, echoLowerHex
	other := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { okExport(w, r) })
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		call func(*Client) error
	}{
		{"request id of an error", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Auth-Token"))
			writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "HSS.1001", "error_msg": "bad"})
		}, nil},
		{"request id of an answer that does not decode", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Auth-Token"))
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "{not json")
		}, nil},
		{"request id of a download's 202", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Auth-Token"))
			w.WriteHeader(http.StatusAccepted)
		}, func(c *Client) error {
			_, err := c.DownloadExportedFile(ctx, "file-1", "", io.Discard)
			return err
		}},
		{"unparsable Location", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/%zz?t="+r.Header.Get("X-Auth-Token"))
			w.WriteHeader(http.StatusFound)
		}, nil},
		{"Location in lower-case hex", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v5/"+testProject+"/event/export-task/t?t="+lowerHex, http.StatusFound)
		}, nil},
		{"Location with a letter escaped", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v5/"+testProject+"/event/export-task/t?t=%4D"+url.QueryEscape(tok[1:]), http.StatusFound)
		}, nil},
		{"body with JSON escapes", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"detail":"refused `+strings.ReplaceAll(r.Header.Get("X-Auth-Token"), "+", `\u002B`)+`"}`)
		}, nil},
		{"body with lower-case URL escapes", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "refused t="+lowerHex)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Also through a transport that leaves resp.Request nil, as a
			// fault injector, a recorder or a cache may: the request id is
			// redacted against the request the client sent.
			for _, mod := range []func(*Config){nil, withoutResponseRequest} {
				if text, _ := echoCall(t, tc.h, mod, tc.call); len(echoLeaks(text)) > 0 {
					t.Errorf("%q leaked: %s", echoLeaks(text), text)
				}
			}
		})
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// TestRedirectCarryingTheTokenIsRefused: a redirect whose Location carries
// the request's token (which a gateway echoing the request could send) is
// not followed, so the token goes to no other host in a URL, and the error
// that says so shows the Location redacted.
func TestRedirectCarryingTheTokenIsRefused(t *testing.T) {
	other := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { okExport(w, r) })
	for _, cr := range []Credentials{Token(testToken), AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS}} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			tok := r.Header.Get("X-Auth-Token") + r.Header.Get(signer.HeaderSecurityToken)
			http.Redirect(w, r, other.URL+"/v5/"+testProject+"/event/export-task/t?t="+url.QueryEscape(tok), http.StatusFound)
		})
		_, err := newClient(t, ts.URL, cr, nil).ShowExportTask(context.Background(), "task-1", "")
		if err == nil || !strings.Contains(err.Error(), "refused a redirect") || !strings.Contains(err.Error(), redacted) {
			t.Errorf("err = %v, want the redirect refused, its URL redacted", err)
		}
		assertNoSecret(t, fmt.Sprint(err))
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// TestAPIErrorRedact: redactText replaces a secret in the forms an answer
// may echo it (as sent, JSON-, HTML- and URL-escaped, JSON with \/), in
// each field of an APIError, and redacts a text whole that carries it in an
// escape no form names; an empty secret changes nothing.
func TestAPIErrorRedact(t *testing.T) {
	secrets := []string{"", "sec", `a"b<c/d`}
	r := redacted
	body := `{"password":"a\"b\u003cc/d"} sec a&#34;b&lt;c/d a%22b%3Cc%2Fd {"p":"a\"b\u003cc\/d"}`
	if got, want := redactString(body, secrets), `{"password":"`+r+`"} `+r+" "+r+" "+r+` {"p":"`+r+`"}`; got != want {
		t.Errorf("redactString = %q, want %q", got, want)
	}
	e := &APIError{Code: "X-sec", Message: "was sec and sec", RequestID: "id-sec", RetryAfter: "s%65c"}
	e.redact(secrets)
	if e.Code != "X-"+r || e.Message != "was "+r+" and "+r || e.RequestID != "id-"+r || e.RetryAfter != r {
		t.Errorf("redact = %q, %q, %q, %q", e.Code, e.Message, e.RequestID, e.RetryAfter)
	}
	e = &APIError{Message: "nothing to hide"}
	e.redact([]string{"", ""})
	if e.Message != "nothing to hide" {
		t.Errorf("an empty secret changed the message: %q", e.Message)
	}
}
