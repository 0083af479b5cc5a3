package interop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/openhss/hss-go/hss"
)

// wire is the wire itself, as the benchmarks measure it: the bytes the
// floor's transport wrote for each of its requests, written again on one
// kept TCP connection, and each answer read with a minimal HTTP/1.1 reader
// (status line, headers to the blank line, a Content-Length body). No HTTP
// client at all, no goroutine besides the caller's: what a round trip to
// the BenchServer costs when nothing is spent on the client's side. It is
// the lower bound of the table's calls, not a client: it reads only the
// answers the BenchServer gives (see readAnswer).
type wire struct {
	floor *floorRing // the requests replayed, as the floor sends them
	reqs  [][]byte
	next  int
	conn  net.Conn
	br    *bufio.Reader
}

// recordingConn keeps a copy of what is written on it.
type recordingConn struct {
	net.Conn
	mu      *sync.Mutex
	written *bytes.Buffer
}

func (c recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.written.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// newWire captures the bytes the floor's transport writes for the
// requests of the floor's ring for call (our client's requests, replayed),
// then opens the connection the wire writes them on.
func newWire(tb testing.TB, srv *BenchServer, token bool, call func(*hss.Client) error) *wire {
	tb.Helper()
	f := newFloorRing(tb, srv, token, call)
	var (
		mu      sync.Mutex
		written bytes.Buffer
	)
	hc := newFloorClient()
	tr := hc.Transport.(*http.Transport)
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return recordingConn{Conn: c, mu: &mu, written: &written}, nil
	}
	defer tr.CloseIdleConnections()
	w := &wire{floor: f}
	for range f.reqs {
		// do returns once the answer is read, so the request is written
		// whole by then.
		if err := f.do(hc); err != nil {
			tb.Fatal(err)
		}
		mu.Lock()
		w.reqs = append(w.reqs, bytes.Clone(written.Bytes()))
		written.Reset()
		mu.Unlock()
	}
	c, err := net.Dial("tcp", srv.srv.Listener.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	w.conn = c
	w.br = bufio.NewReader(c)
	return w
}

// do writes the next request and reads its answer; an answer other than
// 200 is an error.
func (w *wire) do() error {
	req := w.reqs[w.next]
	w.next = (w.next + 1) % len(w.reqs)
	if _, err := w.conn.Write(req); err != nil {
		return err
	}
	status, err := w.readAnswer()
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("wire: status %d", status)
	}
	return nil
}

// errWireAnswer is an answer the wire's reader does not read: one without
// a Content-Length, chunked, or that closes the connection.
var errWireAnswer = errors.New("wire: an answer it cannot read")

// readAnswer reads one answer whole and returns its status. It reads what
// the BenchServer sends (a Content-Length, the connection kept) and
// refuses anything else rather than guess where the answer ends.
func (w *wire) readAnswer() (int, error) {
	line, err := w.br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("%w: status line %q", errWireAnswer, line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("%w: status line %q", errWireAnswer, line)
	}
	length := -1
	for {
		line, err := w.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("%w: header line %q", errWireAnswer, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, fmt.Errorf("%w: Content-Length %q", errWireAnswer, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")),
			bytes.EqualFold(name, []byte("Connection")) && hasToken(value, "close"):
			return 0, fmt.Errorf("%w: %s", errWireAnswer, line)
		}
	}
	if length < 0 {
		return 0, fmt.Errorf("%w: no Content-Length", errWireAnswer)
	}
	if _, err := w.br.Discard(length); err != nil {
		return 0, err
	}
	// One request, one answer: bytes beyond it would be the next
	// request's, read as this one's.
	if n := w.br.Buffered(); n > 0 {
		return 0, fmt.Errorf("%w: %d bytes after the answer", errWireAnswer, n)
	}
	return status, nil
}

// hasToken reports whether the comma-separated header value holds token,
// in any case.
func hasToken(value []byte, token string) bool {
	for t := range bytes.SplitSeq(value, []byte(",")) {
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(token)) {
			return true
		}
	}
	return false
}

// TestWire checks the wire benchmark's client: it sends the floor's bytes
// (which TestBenchRequestsVerify checks are our client's request), on one
// connection, and reads every answer whole, so that the next request's
// answer is its own.
func TestWire(t *testing.T) {
	srv := NewBenchServer(benchCreds.ProjectID)
	defer srv.Close()
	ctx := context.Background()
	for name, call := range map[string]func(*hss.Client) error{"export": exportCall(ctx), "handle": handleCall(ctx)} {
		w := newWire(t, srv, false, call)
		f := w.floor
		if len(w.reqs) != len(f.reqs) {
			t.Fatalf("%s: %d requests captured, want %d", name, len(w.reqs), len(f.reqs))
		}
		for i, raw := range w.reqs {
			br := bufio.NewReader(bytes.NewReader(raw))
			got, err := http.ReadRequest(br)
			if err != nil {
				t.Fatalf("%s: request %d: %v", name, i, err)
			}
			gotBody := new(bytes.Buffer)
			_, _ = gotBody.ReadFrom(got.Body)
			if n := br.Buffered(); n > 0 {
				t.Errorf("%s: request %d is followed by %d bytes", name, i, n)
			}
			want := f.reqs[i].req
			body := make([]byte, f.reqs[i].body.Size())
			_, _ = f.reqs[i].body.ReadAt(body, 0)
			if got.Method != want.Method || got.URL.RequestURI() != want.URL.RequestURI() || !bytes.Equal(gotBody.Bytes(), body) {
				t.Errorf("%s: request %d on the wire is %s %s %q, want the floor's %s %s %q", name, i,
					got.Method, got.URL, gotBody, want.Method, want.URL, body)
			}
			// Every header the floor's request carries, with its value;
			// the transport adds Accept-Encoding and Content-Length (and
			// Host, which ReadRequest takes out of the map).
			for k, v := range want.Header {
				if fmt.Sprint(got.Header[k]) != fmt.Sprint(v) {
					t.Errorf("%s: request %d: %s is %q on the wire, want %q", name, i, k, got.Header[k], v)
				}
			}
			if len(got.Header) != len(want.Header)+2 || got.Header.Get("Accept-Encoding") != "gzip" ||
				got.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("%s: request %d carries %v, want the floor's %v, Accept-Encoding and Content-Length", name, i, got.Header, want.Header)
			}
		}
		// The server counts a connection once it has accepted it, which
		// may be after the dial returns: count from the first answer on.
		if err := w.do(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		conns, reqs := srv.Conns(), srv.Requests()
		for range 2 * len(w.reqs) {
			if err := w.do(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if n := srv.Requests() - reqs; n != int64(2*len(w.reqs)) {
			t.Errorf("%s: the server answered %d requests, want %d", name, n, 2*len(w.reqs))
		}
		if n := srv.Conns() - conns; n != 0 {
			t.Errorf("%s: the wire opened %d more connections, want 0", name, n)
		}
	}
}

// TestWireRefuses checks that the wire's reader refuses the answers it
// cannot delimit, and that a status other than 200 is an error.
func TestWireRefuses(t *testing.T) {
	for name, answer := range map[string]string{
		"chunked":   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"no length": "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
		"close":     "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive, Close\r\n\r\n",
		"extra":     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1",
		"bad line":  "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
	} {
		w := &wire{br: bufio.NewReader(bytes.NewReader([]byte(answer)))}
		if _, err := w.readAnswer(); !errors.Is(err, errWireAnswer) {
			t.Errorf("%s: %v, want errWireAnswer", name, err)
		}
	}
	srv := NewBenchServer(benchCreds.ProjectID)
	defer srv.Close()
	w := newWire(t, srv, false, handleCall(context.Background()))
	w.reqs = [][]byte{[]byte("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")}
	if err := w.do(); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a 404: %v, want an error naming it", err)
	}
}
