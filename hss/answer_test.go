package hss

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

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
	token := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v3/auth/tokens" {
				h(w, r)
				return
			}
			okExport(w, r)
		}
	}
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
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req-1")
				_, _ = io.WriteString(w, `<html>maintenance</html>`)
			}, wrapped: isSyntax},
		{name: "export answer of the wrong shape", creds: Token(testToken), call: export, op: opExportEvents, status: 200, reason: "decoding the answer",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req-1")
				writeJSON(w, 200, map[string]any{"task_id": 12})
			}, wrapped: isType},
		{name: "export answer too long", creds: Token(testToken), call: export, op: opExportEvents, status: 200, reason: "reading the answer",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req-1")
				_, _ = io.WriteString(w, `{"pad":"`+strings.Repeat("x", maxAnswer)+`"}`)
			}},
		{name: "token without X-Subject-Token", creds: alice, call: handle, op: opIAMToken, status: 201, reason: "without an X-Subject-Token",
			handler: token(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req-1")
				writeJSON(w, 201, map[string]any{"token": map[string]any{"project": map[string]any{"id": testProject}}})
			})},
		{name: "token document not JSON", creds: alice, call: handle, op: opIAMToken, status: 201, reason: "decoding the token document",
			handler: token(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Subject-Token", testToken)
				w.Header().Set("X-Request-Id", "req-1")
				w.WriteHeader(201)
				_, _ = io.WriteString(w, `{"token":`)
			}), wrapped: isSyntax},
		{name: "two projects named after the region", creds: AccessKey{ID: testAK, Secret: testSK}, noProj: true, call: handle, op: opIAMProject, status: 200,
			reason: "IAM lists 2 projects", handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v3/projects" {
					okExport(w, r)
					return
				}
				w.Header().Set("X-Request-Id", "req-1")
				p := map[string]any{"id": testProject, "name": "ap-southeast-1"}
				writeJSON(w, 200, map[string]any{"projects": []any{p, p}})
			}},
		{name: "token of another region's project", creds: Token(testToken), noProj: true, call: handle, op: opIAMProject, status: 200,
			reason: "not one of region", handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v3/auth/tokens" {
					okExport(w, r)
					return
				}
				w.Header().Set("X-Request-Id", "req-1")
				writeJSON(w, 200, map[string]any{"token": map[string]any{"project": map[string]any{"id": testProject, "name": "cn-north-4"}}})
			}},
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

// TestIAMTokenAnswerErrorKeepsThePasswordOut: the request id of an
// *AnswerError to the IAM token call never shows the password the request
// carried, even when the answer echoes it there.
func TestIAMTokenAnswerErrorKeepsThePasswordOut(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3/auth/tokens" {
			okExport(w, r)
			return
		}
		w.Header().Set("X-Request-Id", "echo-"+testPass)
		writeJSON(w, 201, map[string]any{"token": map[string]any{}})
	})
	c := newClient(t, ts.URL, alice, func(cfg *Config) { cfg.MaxAttempts = 1 })
	err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", testEvent()), nil)
	var ae *AnswerError
	if !errors.As(err, &ae) || strings.Contains(ae.RequestID, testPass) || strings.Contains(err.Error(), testPass) {
		t.Fatalf("err = %v, want an *AnswerError without the password", err)
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
