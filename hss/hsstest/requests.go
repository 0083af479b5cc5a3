package hsstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"time"
)

// Request is a request the fake received, with its secrets redacted.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path.
	Path string
	// RawQuery is the encoded query, without '?'.
	RawQuery string
	// Header is the request's header. The values of X-Auth-Token,
	// X-Security-Token and X-Subject-Token read "REDACTED"; in an
	// SDK-HMAC-SHA256 Authorization header only the signature is redacted,
	// so the access key and the signed headers can be checked.
	Header http.Header
	// Body is the body received. The password of an IAM token request
	// reads "REDACTED".
	Body []byte
	// Time is when it arrived, by Options.Now.
	Time time.Time
	// Auth is the authentication the request presented, valid or not:
	// AuthAKSK, AuthToken or AuthNone.
	Auth string
	// RequestID is the X-Request-Id the fake answered with.
	RequestID string
	// Status is the status answered; 0 while unanswered, or when the fake
	// never answered (a Silent fault, a client that gave up).
	Status int
}

// redacted stands in for a secret in recorded requests.
const redacted = "REDACTED"

// Requests returns the requests received since the start or the last
// ResetRequests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
		out[i].Header = r.Header.Clone()
		out[i].Body = bytes.Clone(r.Body)
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// record keeps a redacted copy of r and returns it, to be finished with
// its status.
func (s *Server) record(r *http.Request, body []byte, requestID string) *Request {
	rec := &Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		Header:    redactHeader(r.Header),
		Body:      bytes.Clone(body),
		Time:      s.now(),
		Auth:      authKind(r),
		RequestID: requestID,
	}
	if r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens" {
		rec.Body = redactPassword(body)
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	return rec
}

// finish sets the status answered to a recorded request.
func (s *Server) finish(rec *Request, status int) {
	s.mu.Lock()
	rec.Status = status
	s.mu.Unlock()
}

// signatureField matches the signature in an SDK-HMAC-SHA256 Authorization header.
var signatureField = regexp.MustCompile(`(Signature=)[^,\s]*`)

// redactHeader copies h with its secrets redacted.
func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range []string{"X-Auth-Token", "X-Security-Token", "X-Subject-Token"} {
		if _, ok := out[k]; ok {
			out[k] = []string{redacted}
		}
	}
	if vs, ok := out["Authorization"]; ok {
		for i, v := range vs {
			if signatureField.MatchString(v) {
				vs[i] = signatureField.ReplaceAllString(v, "${1}"+redacted)
			} else {
				vs[i] = redacted
			}
		}
	}
	return out
}

// redactPassword replaces the password of an IAM token request body. A body
// that is not JSON is dropped entirely, since it may hold one anywhere.
func redactPassword(body []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return []byte(redacted)
	}
	user, _ := dig(doc, "auth", "identity", "password", "user").(map[string]any)
	if user == nil {
		return bytes.Clone(body)
	}
	if _, ok := user["password"]; !ok {
		return bytes.Clone(body)
	}
	user["password"] = redacted
	b, err := json.Marshal(doc)
	if err != nil {
		return []byte(redacted)
	}
	return b
}

// dig follows keys down nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
