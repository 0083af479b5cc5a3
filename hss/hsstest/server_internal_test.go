package hsstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// TestResponseCheckedAgainstSpec feeds the response check an answer that
// breaks the spec, as a bug in the fake would produce, and expects 500
// HSS.FAKE and a report through Logf.
func TestResponseCheckedAgainstSpec(t *testing.T) {
	var logged []string
	s := NewUnstarted(Options{Logf: func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }})
	defer s.Close()
	req := httptest.NewRequest(http.MethodPost, "/v5/"+s.ProjectID()+"/event/export?category=host&event_id=c", nil)
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}

	tests := []struct {
		name, body string
		status     int
		wantBug    bool
	}{
		{"valid", `{"record_total_num":3,"task_id":"t1"}`, http.StatusOK, false},
		{"count as a string", `{"record_total_num":"3","task_id":"t1"}`, http.StatusOK, true},
		{"task_id as a number", `{"record_total_num":3,"task_id":7}`, http.StatusOK, true},
		{"error document", `{"error_code":"HSS.1001","error_msg":"x"}`, http.StatusBadRequest, false},
		{"error code as a number", `{"error_code":1001,"error_msg":"x"}`, http.StatusBadRequest, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logged = nil
			w := newRecorder()
			w.header.Set("Content-Type", "application/json")
			w.WriteHeader(tt.status)
			w.body.WriteString(tt.body)
			s.checkResponse(w, in)
			var doc struct {
				Code string `json:"error_code"`
			}
			_ = json.Unmarshal(w.body.Bytes(), &doc)
			gotBug := w.status == http.StatusInternalServerError && doc.Code == "HSS.FAKE"
			if gotBug != tt.wantBug {
				t.Errorf("after the check: %d %s; want a fake bug: %v", w.status, w.body.Bytes(), tt.wantBug)
			}
			if tt.wantBug && (len(logged) != 1 || !strings.Contains(logged[0], "BUG")) {
				t.Errorf("logged %q, want one BUG line", logged)
			}
			if !tt.wantBug && w.body.String() != tt.body {
				t.Errorf("a valid answer was changed to %s", w.body.Bytes())
			}
		})
	}
}

// TestBodyField names body paths as the client does.
func TestBodyField(t *testing.T) {
	tests := map[string][]string{
		"operate_event_list[0].event_id":                         {"operate_event_list", "0", "event_id"},
		"operate_event_list[1].operate_detail_list[0].file_attr": {"operate_event_list", "1", "operate_detail_list", "0", "file_attr"},
		"body[2][1]":   {"2", "1"},
		"body":         nil,
		"operate_type": {"operate_type"},
	}
	for want, ptr := range tests {
		if got := bodyField(ptr); got != want {
			t.Errorf("bodyField(%q) = %q, want %q", ptr, got, want)
		}
	}
}

// TestExpiredTokensDropped: issuing a token drops the issued ones that have
// expired, so a long-running fake keeps only the live ones; ready tokens
// (Options.Tokens) never expire and stay.
func TestExpiredTokensDropped(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := NewUnstarted(Options{Now: func() time.Time { return now }, TokenTTL: time.Minute, Tokens: []string{"ready"},
		Users: []User{{Domain: "d", Name: "u", Password: "p"}}})
	for range 5 {
		s.IssueToken()
	}
	now = now.Add(2 * time.Minute)
	s.IssueToken()
	s.mu.Lock()
	n := len(s.tokens)
	s.mu.Unlock()
	if n != 2 {
		t.Errorf("%d tokens kept, want 2: the ready one and the live one", n)
	}
}
