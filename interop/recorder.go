// Package interop checks this project's HSS client against the official
// Huawei Cloud Go SDK: both send the same requests to one loopback server,
// which records them, and a third, independent implementation of the
// SDK-HMAC-SHA256 check must accept both signatures.
//
// It is a module of its own, so that the main module never depends on the
// official SDK. The recording server and the client constructors are
// exported for the tests and benchmarks of this module.
package interop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
)

// maxBody bounds the request body the recorder reads.
const maxBody = 8 << 20

// Recorded is one request as the recorder received it, and its answer.
type Recorded struct {
	Method      string
	EscapedPath string // the path as sent, percent-encoding kept
	RawQuery    string // the query as sent
	Host        string
	Header      http.Header
	Body        []byte
	Status      int    // the status the recorder answered
	Answer      []byte // the body the recorder answered
}

// RecorderOptions configure a Recorder. The zero value records every
// request and accepts any signature.
type RecorderOptions struct {
	// Verifier, when set, checks every request's signature first and
	// answers 401 APIGW.0301 to a request that fails, as the gateway does.
	Verifier *Verifier
	// Discard drops the requests instead of keeping them (for benchmarks).
	Discard bool
}

// Recorder is a loopback HTTP server that answers like HSS and records
// every request:
//
//	POST /v5/{project_id}/event/export              200 {"record_total_num":N,"task_id":"task-..."}
//	POST /v5/{project_id}/event/operate             200, no body
//	GET  /v5/{project_id}/event/export-task/{id}    200 a task in state success
//	GET  /v5/{project_id}/download/{file_id}        200 a small CSV file
//
// Anything else gets 404 APIGW.0101. It is safe for concurrent use.
type Recorder struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	opts RecorderOptions
	srv  *httptest.Server
	seq  atomic.Int64

	mu   sync.Mutex
	reqs []Recorded
}

// NewRecorder starts a Recorder on 127.0.0.1. Close it when done.
func NewRecorder(opts RecorderOptions) *Recorder {
	r := &Recorder{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v5/{project_id}/event/export", r.export)
	mux.HandleFunc("POST /v5/{project_id}/event/operate", r.operate)
	mux.HandleFunc("GET /v5/{project_id}/event/export-task/{task_id}", r.task)
	mux.HandleFunc("GET /v5/{project_id}/download/{file_id}", r.download)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		answerError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment")
	})
	r.srv = httptest.NewServer(r.gateway(mux))
	r.URL = r.srv.URL
	return r
}

// Close shuts the server down.
func (r *Recorder) Close() { r.srv.Close() }

// Requests returns a copy of the requests recorded so far, in arrival order.
func (r *Recorder) Requests() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Recorded(nil), r.reqs...)
}

// Take returns the requests recorded so far and forgets them.
func (r *Recorder) Take() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// gateway reads and records the request, checks its signature when asked
// to, and passes it on to next.
func (r *Recorder) gateway(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			answerError(w, http.StatusBadRequest, "APIGW.0201", "Request body could not be read or is too large")
			return
		}
		rec := Recorded{
			Method:      req.Method,
			EscapedPath: req.URL.EscapedPath(),
			RawQuery:    req.URL.RawQuery,
			Host:        req.Host,
			Header:      req.Header.Clone(),
			Body:        body,
		}
		cw := &capture{ResponseWriter: w, status: http.StatusOK}
		if v := r.opts.Verifier; v != nil {
			if _, err := v.Verify(&rec); err != nil {
				answerError(cw, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail")
				r.keep(rec, cw)
				return
			}
		}
		next.ServeHTTP(cw, req)
		r.keep(rec, cw)
	})
}

func (r *Recorder) keep(rec Recorded, cw *capture) {
	if r.opts.Discard {
		return
	}
	rec.Status, rec.Answer = cw.status, cw.body
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
}

// export answers like the service: a task id and a record count, both
// different for every request, so that a client returning a stale or
// invented answer is caught.
func (r *Recorder) export(w http.ResponseWriter, _ *http.Request) {
	n := r.seq.Add(1)
	answerJSON(w, map[string]any{"record_total_num": n % 100000, "task_id": fmt.Sprintf("task-%08d", n)})
}

func (r *Recorder) operate(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("X-Request-Id", "req-operate")
	w.WriteHeader(http.StatusOK)
}

func (r *Recorder) task(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("task_id")
	answerJSON(w, map[string]any{
		"task_id": id, "task_name": "export_event", "task_status": "success",
		"file_id": "file-" + id, "file_name": "events.csv",
	})
}

// ExportedFile is the content of every file the recorder serves.
const ExportedFile = "Alarm name,Server name\nReverse shell,web-01\n"

func (r *Recorder) download(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(ExportedFile)))
	_, _ = io.WriteString(w, ExportedFile)
}

func answerJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		answerError(w, http.StatusInternalServerError, "HSS.0000", "encoding the answer failed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-recorder")
	_, _ = w.Write(body)
}

func answerError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(map[string]string{"error_code": code, "error_msg": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-recorder-error")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// capture keeps a copy of the status and body written through it.
type capture struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (c *capture) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(p []byte) (int, error) {
	c.body = append(c.body, p...)
	return c.ResponseWriter.Write(p)
}
