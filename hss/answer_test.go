package hss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answerOn answers the requests for path with h, under X-Request-Id
// requestID, and the other HSS requests with success.
func answerOn(path, requestID string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			okExport(w, r)
			return
		}
		w.Header().Set("X-Request-Id", requestID)
		h(w, r)
	}
}

// TestAnswerErrors: an answer the client cannot use although its status was
// not an error is an *AnswerError that errors.As reaches, naming the
// operation, the status and the request id it had; a transport that fails
// while the answer is read is not one.
func TestAnswerErrors(t *testing.T) {
	ctx := context.Background()
	export := func(c *Client) error {
		params, cols := testExport()
		_, err := c.ExportEvents(ctx, params, cols)
		return err
	}
	handle := func(c *Client) error { return c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil) }
	on := func(path string, h func(w http.ResponseWriter)) http.HandlerFunc {
		return answerOn(path, "req-1", func(w http.ResponseWriter, _ *http.Request) { h(w) })
	}
	exportPath := "/v5/" + testProject + "/event/export"
	isSyntax := func(err error) bool { var e *json.SyntaxError; return errors.As(err, &e) }
	isType := func(err error) bool { var e *json.UnmarshalTypeError; return errors.As(err, &e) }
	for _, tc := range []struct {
		name    string
		creds   Credentials
		noProj  bool // the client finds its project through IAM
		handler http.HandlerFunc
		call    func(*Client) error
		op      string
		status  int
		reason  string
		wrapped func(error) bool // whether what must be under it is, if anything
	}{
		{name: "export answer not JSON", creds: Token(testToken), call: export, op: opExportEvents, status: 200, reason: "decoding the answer",
			handler: on(exportPath, func(w http.ResponseWriter) {
				_, _ = io.WriteString(w, `<html>maintenance</html>`)
			}), wrapped: isSyntax},
		{name: "export answer of the wrong shape", creds: Token(testToken), call: export, op: opExportEvents, status: 200, reason: "decoding the answer",
			handler: on(exportPath, func(w http.ResponseWriter) {
				writeJSON(w, 200, map[string]any{"task_id": 12})
			}), wrapped: isType},
		{name: "export answer too long", creds: Token(testToken), call: export, op: opExportEvents, status: 200, reason: "reading the answer",
			handler: on(exportPath, func(w http.ResponseWriter) {
				_, _ = io.WriteString(w, `{"pad":"`+strings.Repeat("x", maxAnswer)+`"}`)
			})},
		{name: "token without X-Subject-Token", creds: alice, call: handle, op: opIAMToken, status: 201, reason: "without an X-Subject-Token",
			handler: on("/v3/auth/tokens", func(w http.ResponseWriter) {
				writeJSON(w, 201, map[string]any{"token": map[string]any{"project": map[string]any{"id": testProject}}})
			})},
		{name: "token document not JSON", creds: alice, call: handle, op: opIAMToken, status: 201, reason: "decoding the token document",
			handler: on("/v3/auth/tokens", func(w http.ResponseWriter) {
				w.Header().Set("X-Subject-Token", testToken)
				w.WriteHeader(201)
				_, _ = io.WriteString(w, `{"token":`)
			}), wrapped: isSyntax},
		{name: "two projects named after the region", creds: AccessKey{ID: testAK, Secret: testSK}, noProj: true, call: handle, op: opIAMProject, status: 200,
			reason: "IAM lists 2 projects", handler: on("/v3/projects", func(w http.ResponseWriter) {
				p := map[string]any{"id": testProject, "name": "ap-southeast-1"}
				writeJSON(w, 200, map[string]any{"projects": []any{p, p}})
			})},
		{name: "project list not JSON", creds: AccessKey{ID: testAK, Secret: testSK}, noProj: true, call: handle, op: opIAMProject, status: 200,
			reason: "decoding the project list", handler: on("/v3/projects", func(w http.ResponseWriter) {
				_, _ = io.WriteString(w, `{"projects":[`)
			}), wrapped: isSyntax},
		{name: "project id no path carries", creds: AccessKey{ID: testAK, Secret: testSK}, noProj: true, call: handle, op: opIAMProject, status: 200,
			reason: "no usable project id", handler: on("/v3/projects", func(w http.ResponseWriter) {
				writeJSON(w, 200, map[string]any{"projects": []any{map[string]any{"id": "a/b", "name": "ap-southeast-1"}}})
			})},
		{name: "token of another region's project", creds: Token(testToken), noProj: true, call: handle, op: opIAMProject, status: 200,
			reason: "not one of region", handler: on("/v3/auth/tokens", func(w http.ResponseWriter) {
				writeJSON(w, 200, map[string]any{"token": map[string]any{"project": map[string]any{"id": testProject, "name": "cn-north-4"}}})
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.handler)
			c := newClient(t, ts.URL, tc.creds, func(cfg *Config) {
				cfg.MaxAttempts = 1
				if tc.noProj {
					cfg.ProjectID = ""
				}
			})
			err := tc.call(c)
			var ae *AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want an *AnswerError", err, err)
			}
			if ae.Operation != tc.op || ae.StatusCode != tc.status || ae.RequestID != "req-1" || !strings.Contains(ae.Reason, tc.reason) {
				t.Errorf("got %+v, want operation %q, status %d, request id req-1, a reason with %q", ae, tc.op, tc.status, tc.reason)
			}
			if want := "hss: " + tc.op + ": "; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), `request id "req-1"`) {
				t.Errorf("err = %q, want it to start %q and name the request id", err, want)
			}
			if tc.wrapped != nil && !tc.wrapped(err) {
				t.Errorf("err = %v: the decoder's error is not reachable under it", err)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("err = %q shows a secret", err)
				}
			}
		})
	}
}

// TestAnswerCutIsNotAnAnswerError: an answer cut off by the connection is
// the transport's failure (io.ErrUnexpectedEOF), not an answer the client
// could not use.
func TestAnswerCutIsNotAnAnswerError(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"record_total_num":7,`)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	c := newClient(t, ts.URL, Token(testToken), func(cfg *Config) { cfg.MaxAttempts = 1 })
	params, cols := testExport()
	_, err := c.ExportEvents(context.Background(), params, cols)
	var ae *AnswerError
	if err == nil || errors.As(err, &ae) || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "reading the answer") {
		t.Fatalf("err = %v, want the cut reported as the transport's (io.ErrUnexpectedEOF), not an *AnswerError", err)
	}
}

// TestAnswerErrorsKeepSecretsOut: an *AnswerError never shows a secret
// the request carried (the IAM token call's password, the token of an HSS
// call), where the answer echoes it: in the request id, in the reason, or
// in the decoder's error, which quotes the value it refused.
func TestAnswerErrorsKeepSecretsOut(t *testing.T) {
	ctx := context.Background()
	iam := func(answer func(w http.ResponseWriter)) func(t *testing.T) error {
		return func(t *testing.T) error {
			ts := newTestServer(t, answerOn("/v3/auth/tokens", "echo-"+testPass, func(w http.ResponseWriter, _ *http.Request) { answer(w) }))
			c := newClient(t, ts.URL, alice, func(cfg *Config) { cfg.MaxAttempts = 1 })
			return c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
		}
	}
	for name, call := range map[string]func(t *testing.T) error{
		"token without X-Subject-Token": iam(func(w http.ResponseWriter) {
			writeJSON(w, 201, map[string]any{"token": map[string]any{}})
		}),
		"token document not JSON": iam(func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", testToken)
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"token":`)
		}),
		"expires_at echoing the password": iam(func(w http.ResponseWriter) {
			w.Header().Set("X-Subject-Token", testToken)
			writeJSON(w, 201, map[string]any{"token": map[string]any{"expires_at": testPass}})
		}),
		"project name echoing the token": func(t *testing.T) error {
			ts := newTestServer(t, answerOn("/v3/auth/tokens", "req-1", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"token": map[string]any{"project": map[string]any{"id": testProject, "name": r.Header.Get("X-Auth-Token")}}})
			}))
			c := newClient(t, ts.URL, Token(testToken), func(cfg *Config) { cfg.MaxAttempts = 1; cfg.ProjectID = "" })
			return c.HandleEvents(ctx, MarkAsHandledRequest("", testEvent()), nil)
		},
		"task id echoing a long token": func(t *testing.T) error {
			long := testToken + strings.Repeat("z", 300)
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"record_total_num": 1, "task_id": r.Header.Get("X-Auth-Token")})
			})
			c := newClient(t, ts.URL, Token(long), func(cfg *Config) { cfg.MaxAttempts = 1 })
			params, cols := testExport()
			_, err := c.ExportTo(ctx, io.Discard, params, cols, nil)
			var ee *ExportError
			if !errors.As(err, &ee) || ee.Resumable() || ee.TaskID != "" || ee.Stage != StageSubmitted {
				t.Errorf("err = %v, want a non-resumable ExportError at submission that shows no task id", err)
			}
			return err
		},
		"task status echoing the token": func(t *testing.T) error {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					okExport(w, r)
					return
				}
				w.Header().Set("X-Request-Id", "echo-"+testToken)
				writeJSON(w, 200, map[string]any{"task_status": r.Header.Get("X-Auth-Token")})
			})
			c := newClient(t, ts.URL, Token(testToken), func(cfg *Config) { cfg.MaxAttempts = 1 })
			params, cols := testExport()
			_, err := c.ExportTo(ctx, io.Discard, params, cols, &ExportOptions{PollInterval: time.Millisecond})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call(t)
			var ae *AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *AnswerError", err)
			}
			for _, s := range []string{ae.RequestID, ae.Reason, err.Error(), fmt.Sprintf("%+v", ae)} {
				if strings.Contains(s, testPass) || strings.Contains(s, testToken) {
					t.Errorf("%q shows a secret", s)
				}
			}
		})
	}
}

// TestIAMAnswerCutNamesWhatWasRead: an IAM answer cut off by the
// connection is the transport's error, naming the answer it was reading.
func TestIAMAnswerCutNamesWhatWasRead(t *testing.T) {
	ts := newTestServer(t, answerOn("/v3/auth/tokens", "", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Subject-Token", testToken)
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(201)
		_, _ = io.WriteString(w, `{"token":`)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}))
	c := newClient(t, ts.URL, alice, func(cfg *Config) { cfg.MaxAttempts = 1 })
	err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	var ae *AnswerError
	if errors.As(err, &ae) || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "reading the token document (status 201 Created)") {
		t.Fatalf("err = %v, want the transport's cut, naming the token document and no empty request id", err)
	}
}

// TestExportToWithoutATaskID: an export accepted without a task id is an
// *AnswerError of ExportEvents; the service may have started a task.
func TestExportToWithoutATaskID(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"record_total_num": 3})
	})
	c := newClient(t, ts.URL, Token(testToken), func(cfg *Config) { cfg.MaxAttempts = 1 })
	params, cols := testExport()
	_, err := c.ExportTo(context.Background(), io.Discard, params, cols, nil)
	var ae *AnswerError
	if !errors.As(err, &ae) || ae.Operation != opExportEvents || !strings.Contains(ae.Reason, "no task id") {
		t.Fatalf("err = %v, want an *AnswerError of ExportEvents saying it has no task id", err)
	}
}
