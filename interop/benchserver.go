package interop

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// BenchServer is the loopback server of the benchmarks: HSS's export and
// operate, and IAM's token call, answered like the services answer them, by
// a handler kept as small as possible so that the clients, not the server,
// make the difference. Every client gets exactly the same handler:
//
//	POST .../event/export    200 {"record_total_num":N,"task_id":"task-NNNNNNNN"}
//	POST .../event/operate   200, no body
//	POST /v3/auth/tokens     201 a token document, X-Subject-Token header
//
// Anything else gets 404. The request body is read to the end and dropped
// (io.Discard reads through a pooled buffer). It checks no signature: the
// interop tests do, and TestBenchRequestsVerify checks the benchmarks'
// requests once. It counts the connections it accepts, the connections
// that serve requests (since ResetUsed), the requests it answers and the
// tokens it issues. It is safe for concurrent use.
type BenchServer struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string

	srv      *httptest.Server
	seq      atomic.Int64
	conns    atomic.Int64
	requests atomic.Int64
	tokens   atomic.Int64
	tokenDoc []byte

	mu   sync.Mutex
	gen  int64              // the window ResetUsed opened
	seen map[net.Conn]int64 // the window in which a connection last served
	used int64              // connections that served in the current window
}

// BenchToken is the IAM token the BenchServer issues.
const BenchToken = "MIIBenchToken-" + "0123456789abcdefghijklmnopqrstuvwxyz"

// Shared, read-only header values: the handler assigns them instead of
// building new slices, which keeps the server's own allocations out of the
// clients' numbers as far as net/http allows.
var (
	hdrJSON          = []string{"application/json"}
	hdrRequestID     = []string{"req-bench"}
	hdrSubjectToken  = []string{BenchToken}
	hdrJSONCharset   = []string{"application/json;charset=UTF-8"}
	exportAnswerHead = []byte(`{"record_total_num":`)
)

// NewBenchServer starts a BenchServer on 127.0.0.1. projectID is the
// project its tokens are scoped to. Close it when done.
func NewBenchServer(projectID string) *BenchServer {
	s := &BenchServer{seen: make(map[net.Conn]int64)}
	exp := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	s.tokenDoc = []byte(`{"token":{"expires_at":"` + exp + `","methods":["password"],"project":{"id":"` + projectID + `","name":"` + Region + `"}}}`)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnState = s.connState
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *BenchServer) Close() { s.srv.Close() }

// CloseClientConnections closes every connection open to the server, idle
// or not, and waits briefly for the clients' transports to notice (a
// transport that reused a connection the server had just closed could fail
// a POST, which it does not retry).
func (s *BenchServer) CloseClientConnections() {
	s.srv.CloseClientConnections()
	time.Sleep(20 * time.Millisecond)
}

// Conns is the number of connections the server has accepted.
func (s *BenchServer) Conns() int64 { return s.conns.Load() }

// Requests is the number of requests the server has answered.
func (s *BenchServer) Requests() int64 { return s.requests.Load() }

// Used is the number of connections that have served a request since the
// last ResetUsed: the pool a client actually uses, whether its connections
// are new or were opened before.
func (s *BenchServer) Used() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}

// ResetUsed starts counting the connections that serve requests anew.
func (s *BenchServer) ResetUsed() {
	s.mu.Lock()
	s.gen++
	s.used = 0
	s.mu.Unlock()
}

func (s *BenchServer) connState(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		s.conns.Add(1)
	case http.StateActive:
		s.mu.Lock()
		if g, ok := s.seen[c]; !ok || g != s.gen {
			s.seen[c] = s.gen
			s.used++
		}
		s.mu.Unlock()
	case http.StateClosed, http.StateHijacked:
		s.mu.Lock()
		delete(s.seen, c)
		s.mu.Unlock()
	}
}

// Tokens is the number of IAM tokens the server has issued.
func (s *BenchServer) Tokens() int64 { return s.tokens.Load() }

func (s *BenchServer) serve(w http.ResponseWriter, req *http.Request) {
	s.requests.Add(1)
	_, _ = io.Copy(io.Discard, req.Body)
	path := req.URL.Path
	h := w.Header()
	switch {
	case req.Method == http.MethodPost && strings.HasSuffix(path, "/event/export"):
		n := s.seq.Add(1)
		var buf [96]byte
		b := append(buf[:0], exportAnswerHead...)
		b = strconv.AppendInt(b, n%100000, 10)
		b = append(b, `,"task_id":"task-`...)
		b = appendPadded(b, n, 8)
		b = append(b, `"}`...)
		h["Content-Type"] = hdrJSON
		h["X-Request-Id"] = hdrRequestID
		_, _ = w.Write(b)
	case req.Method == http.MethodPost && strings.HasSuffix(path, "/event/operate"):
		h["X-Request-Id"] = hdrRequestID
		w.WriteHeader(http.StatusOK)
	case req.Method == http.MethodPost && path == "/v3/auth/tokens":
		s.tokens.Add(1)
		h["Content-Type"] = hdrJSONCharset
		h["X-Subject-Token"] = hdrSubjectToken
		h["X-Request-Id"] = hdrRequestID
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(s.tokenDoc)
	default:
		h["Content-Type"] = hdrJSON
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment"}`)
	}
}

// appendPadded appends n in decimal, zero-padded to width digits.
func appendPadded(b []byte, n int64, width int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}
