package hsstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/openhss/hss-go/hss/signer"
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
	// so the access key and the signed headers can be checked; any other
	// Authorization reads "REDACTED" whole.
	Header http.Header
	// Body is the body received, its first MaxRecordedBody bytes (BodySize
	// says how long it was). The password of an IAM token request reads
	// "REDACTED".
	Body []byte
	// BodySize is the length of the body received.
	BodySize int
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

// MaxRecordedBody is how much of a request's body Requests keeps: what the
// fake holds stays bounded by bytes, not only by Options.MaxRequests
// (the emulator keeps 10,000 requests, and a body may be 8 MiB). The
// fake reads and checks the whole body all the same.
const MaxRecordedBody = 256 << 10

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
		BodySize:  len(body),
		Time:      s.now(),
		Auth:      authKind(r),
		RequestID: requestID,
	}
	if looksIAM(r.URL.Path) {
		// Any IAM call, whatever its method or exact path: a misdirected
		// token request holds a password too.
		rec.Body = redactIAMBody(body)
	} else {
		// Any other body may be a token request sent to the wrong path.
		rec.Body = redactJSONSecrets(body)
	}
	if len(rec.Body) > MaxRecordedBody {
		rec.Body = bytes.Clone(rec.Body[:MaxRecordedBody])
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	if s.maxRequests > 0 && len(s.requests) > s.maxRequests {
		s.requests = slices.Delete(s.requests, 0, len(s.requests)-s.maxRequests)
	}
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

// redactHeader copies h with its secrets redacted. Keys are compared as
// HTTP compares them, ignoring case (a handler called directly may be given
// keys that are not canonical).
func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	for k, vs := range out {
		switch http.CanonicalHeaderKey(k) {
		case "X-Auth-Token", "X-Security-Token", "X-Subject-Token":
			out[k] = []string{redacted}
		case "Authorization":
			for i, v := range vs {
				// Only an SDK-HMAC-SHA256 value keeps what is not its
				// signature: another scheme's value is a secret whole.
				if strings.HasPrefix(v, signer.Algorithm+" ") && signatureField.MatchString(v) {
					vs[i] = signatureField.ReplaceAllString(v, "${1}"+redacted)
				} else {
					vs[i] = redacted
				}
			}
		}
	}
	return out
}

// looksIAM reports whether path may be an IAM call's: /v3 anywhere in it
// (an IAM endpoint set with a path prefix or a trailing slash puts it
// after one), or auth or token, in any case (the SDK's federation call is
// /v3.0/OS-AUTH/id-token/tokens).
func looksIAM(path string) bool {
	p := strings.ToLower(path)
	return strings.Contains(p, "/v3") || strings.Contains(p, "auth") || strings.Contains(p, "token")
}

// redactJSONSecrets is redactIAMBody for a body that is not an IAM call's:
// the same secrets redacted in a JSON body, and a body that is not JSON
// kept as it is (an HSS body the fake refused, shown as it came).
func redactJSONSecrets(body []byte) []byte {
	var doc any
	if json.Unmarshal(body, &doc) != nil || !redactSecrets(doc) {
		return bytes.Clone(body)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return []byte(redacted)
	}
	return b
}

// redactIAMBody redacts the secrets of an IAM request body: every value
// under a key "password" that is not an object, and the id of a "token" object (IAM's token
// method), with keys compared ignoring case, as Go's JSON decoding (and so
// the fake) matches them. A body that is not JSON is dropped entirely,
// since it may hold a secret anywhere.
func redactIAMBody(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return bytes.Clone(body)
	}
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return []byte(redacted)
	}
	if !redactSecrets(doc) {
		return bytes.Clone(body)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return []byte(redacted)
	}
	return b
}

// redactSecrets redacts v's secrets in place and says whether it found any.
func redactSecrets(v any) bool {
	found := false
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			switch {
			case strings.EqualFold(k, "password"):
				if _, isObject := child.(map[string]any); isObject {
					// identity.password holds the user, whose password it is
					found = redactSecrets(child) || found
				} else {
					v[k], found = redacted, true
				}
			case strings.EqualFold(k, "token"), strings.EqualFold(k, "id_token"):
				if _, isString := child.(string); isString {
					v[k], found = redacted, true
					continue
				}
				if tok, ok := child.(map[string]any); ok {
					for tk := range tok {
						if strings.EqualFold(tk, "id") {
							tok[tk], found = redacted, true
						}
					}
				}
				found = redactSecrets(child) || found
			default:
				found = redactSecrets(child) || found
			}
		}
	case []any:
		for _, child := range v {
			found = redactSecrets(child) || found
		}
	}
	return found
}
