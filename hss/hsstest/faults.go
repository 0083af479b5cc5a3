package hsstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault disturbs the answers to the next matching requests. A request takes
// the first fault in the queue that matches it (faults are consumed in the
// order injected). Faulted requests are recorded like any other.
//
// What the fault does, in order: Silent never answers; Delay waits first;
// Status answers that status with Body instead of serving the request
// (otherwise the request is served as usual); RetryAfter adds a
// Retry-After header; CutAfter cuts the body.
type Fault struct {
	// Count is how many matching requests the fault affects: 0 means 1, a
	// negative count means every one until ClearFaults.
	Count int
	// Path, when set, restricts the fault to requests whose path starts with
	// it, such as "/v5/" + projectID + "/download/". A prefix: the path of
	// an export (".../event/export") also catches the task reads
	// (".../event/export-task/..."). An empty Path matches
	// every HSS request but no IAM request (under /v3/): set Path "/v3/" to
	// disturb IAM.
	Path string
	// Status, when set, is answered instead of serving the request.
	Status int
	// Body is the body of a Status answer; empty means an error document
	// (APIGW.0308 for 429, HSS.FAULT otherwise), in HSS's shape, or IAM's
	// nested one for a request under /v3/. Sent as application/json when it
	// is JSON, as text/plain otherwise.
	Body string
	// Delay is how long to wait before answering. The wait ends without an
	// answer when the client gives up (its context ends) or Close is called.
	Delay time.Duration
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// CutAfter, when positive, sends that many bytes of the body at most,
	// under a Content-Length that promises more, then drops the connection.
	CutAfter int
	// Silent never answers: the request hangs until the client gives up or
	// Close is called.
	Silent bool
}

// InjectFault queues f. It panics when f.Status is set but is not a final
// HTTP status (200 to 599): a mistake in the test. (A 1xx is not an
// answer: net/http would send it, then a 200 with the fault's body.)
func (s *Server) InjectFault(f Fault) {
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		panic("hsstest: Fault.Status " + strconv.Itoa(f.Status) + " is not a final HTTP status (200 to 599)")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// ClearFaults drops every queued fault, and a FailNextExport not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.failNext = 0
	s.mu.Unlock()
}

// takeFault finds the first queued fault matching a request to path, uses
// one of its count, and copies it to f.
func (s *Server) takeFault(path string, isIAM bool, f *Fault) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.faults {
		if q.Path == "" && isIAM || !strings.HasPrefix(path, q.Path) {
			continue
		}
		*f = *q
		if q.Count > 0 {
			q.Count--
			if q.Count == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return true
	}
	return false
}

// answer writes the fault's Status answer: by default an error document
// of the service the request was for, HSS's or IAM's.
func (f *Fault) answer(w http.ResponseWriter, isIAM bool) {
	body := f.Body
	if body == "" {
		code, msg := "HSS.FAULT", "injected fault: "+http.StatusText(f.Status)
		if f.Status == http.StatusTooManyRequests {
			code, msg = "APIGW.0308", "the throttling threshold has been reached"
		}
		var b []byte
		if isIAM {
			b, _ = json.Marshal(iamErrorDoc(code, f.Status, msg))
		} else {
			b, _ = json.Marshal(hssError(code, msg))
		}
		body = string(b)
	}
	if json.Valid([]byte(body)) {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
}
