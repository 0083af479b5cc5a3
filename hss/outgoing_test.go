package hss

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

// reuseServer answers export and operate calls after checking each
// request's signature over the body it received. An export answers the
// event_id of its query as its task id and the number of columns as its
// record count; an operate records its handler, or with the Region header
// answer-early, answers at once and closes the connection. A request whose memory was
// given to another call too early would arrive with the other call's
// headers, query or body: a signature that fails, or an answer that names
// the other call.
type reuseServer struct {
	*httptest.Server
	failures atomic.Int64
	mu       sync.Mutex
	handlers map[string]int
	lastErr  atomic.Value
}

func newReuseServer(t *testing.T) *reuseServer {
	t.Helper()
	s := &reuseServer{handlers: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Region") == "answer-early" {
			// Answer before reading the request, and close: net/http's
			// transport then hands the answer over without waiting for
			// its writer, so only the client's own record of the write
			// orders it before the next call.
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusOK)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err == nil {
			_, err = signer.Verify(r, signer.HashPayload(body), func(ak string) (string, bool) { return testSK, ak == testAK }, time.Now(), time.Minute)
		}
		if err != nil {
			s.failures.Add(1)
			s.lastErr.Store(err.Error())
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error_code": "APIGW.0301", "error_msg": "bad signature"})
			return
		}
		if strings.HasSuffix(r.URL.Path, "/event/export") {
			var cols [][2]string
			if err := json.Unmarshal(body, &cols); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "HSS.0001", "error_msg": err.Error()})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"record_total_num": len(cols), "task_id": r.URL.Query().Get("event_id")})
			return
		}
		var op struct {
			Handler string `json:"handler"`
		}
		if err := json.Unmarshal(body, &op); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "HSS.0001", "error_msg": err.Error()})
			return
		}
		s.mu.Lock()
		s.handlers[op.Handler]++
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// TestReusedRequestsStayIntact sends export and handle calls of different
// sizes from goroutines sharing a client on its own transport, which
// reuses the memory of its requests: every request arrives signed over
// what it carries, and every answer is the answer to its own call. Under
// -race (make test), the race detector also checks that nothing the
// transport still reads is written.
func TestReusedRequestsStayIntact(t *testing.T) {
	srv := newReuseServer(t)
	c := newClient(t, srv.URL, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.MaxAttempts = 1 })
	if !c.reuse {
		t.Fatal("a client on its own transport does not reuse requests")
	}
	const goroutines, calls = 8, 60
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				id := fmt.Sprintf("g%d-call%d", g, i)
				if i%2 == 0 {
					params, _ := testExport()
					params.EventId = id
					cols := make(ExportColumns, 1+(g*calls+i)%40) // bodies of 30 bytes to 1.5 KiB
					for j := range cols {
						cols[j] = ExportColumn{"event_name", "column " + strconv.Itoa(j)}
					}
					res, err := c.ExportEvents(ctx, params, cols)
					if err == nil && (*res.TaskId != id || int(*res.RecordTotalNum) != len(cols)) {
						err = fmt.Errorf("export %s answered %s with %d records, want %d", id, *res.TaskId, *res.RecordTotalNum, len(cols))
					}
					if err != nil {
						errs <- err
						return
					}
					continue
				}
				evs := make([]EventRef, 1+i%20)
				for j := range evs {
					evs[j] = testEvent()
					evs[j].ID = id + "-" + strconv.Itoa(j)
				}
				var params *HandleEventsParams
				if i%6 == 5 {
					params = &HandleEventsParams{Region: Ptr("answer-early")}
				}
				if err := c.HandleEvents(ctx, MarkAsHandledRequest(id, evs...), params); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.failures.Load(); n > 0 {
		t.Errorf("%d requests did not match their signature; the last: %v", n, srv.lastErr.Load())
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for g := range goroutines {
		for i := 1; i < calls; i += 2 {
			if i%6 == 5 {
				continue // answered early, not read
			}
			if id := fmt.Sprintf("g%d-call%d", g, i); srv.handlers[id] != 1 {
				t.Errorf("handle %s arrived %d times, want once", id, srv.handlers[id])
			}
		}
	}
}

// TestReuseSavesAllocations measures, against one loopback server, the
// allocations of a handle call (the client's and the server's) with and
// without reuse: reuse must save the request, its URL, header map, values
// and body, and the body's reader.
func TestReuseSavesAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocations over a loopback server")
	}
	srv := newReuseServer(t)
	c := newClient(t, srv.URL, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.MaxAttempts = 1 })
	req := MarkAsHandledRequest("alloc", testEvent())
	ctx := context.Background()
	call := func() {
		if err := c.HandleEvents(ctx, req, nil); err != nil {
			t.Fatal(err)
		}
	}
	measure := func(reuse bool) float64 {
		c.reuse = reuse
		call() // warm: a connection, and a request in the pool
		return testing.AllocsPerRun(200, call)
	}
	// Alternate, as the server's own allocations vary a little with the
	// moment a connection goes back to the pool; keep the best of three.
	with, without := 1e9, 1e9
	for range 3 {
		with = min(with, measure(true))
		without = min(without, measure(false))
	}
	t.Logf("allocations per handle call, client and server: %.1f reused, %.1f not", with, without)
	// Reuse saves the outgoing, the header map's table, the body, its
	// reader and GetBody, and costs the context that carries the trace:
	// 5 in all. Under -race, sync.Pool drops some of what it is given.
	want := 5.0
	if raceEnabled {
		want = 2
	}
	if without-with < want {
		t.Errorf("reuse saves %.1f allocations per call (%.1f → %.1f), want at least %.0f", without-with, without, with, want)
	}
}

// TestReleaseConditions checks each condition under which a request is not
// given to another call, and that one meeting them all is.
func TestReleaseConditions(t *testing.T) {
	reusing := &Client{reuse: true}
	http1 := &http.Response{ProtoMajor: 1}
	ready := func() *outgoing {
		o := new(outgoing)
		o.payload = make([]byte, 10)
		o.wrote.Store(true)
		return o
	}
	if !reusing.release(ready(), http1) {
		t.Fatal("a request written whole, answered over HTTP/1, is not reused")
	}
	cases := []struct {
		name string
		c    *Client
		o    func() *outgoing
		resp *http.Response
	}{
		{"client on a program's transport", &Client{}, ready, http1},
		{"write not confirmed", reusing, func() *outgoing { o := ready(); o.wrote.Store(false); return o }, http1},
		{"spoiled (GetBody, redirect, failed write)", reusing, func() *outgoing { o := ready(); o.spoiled.Store(true); return o }, http1},
		{"answered over HTTP/2", reusing, ready, &http.Response{ProtoMajor: 2}},
		{"no answer", reusing, ready, nil},
		{"large body", reusing, func() *outgoing { o := ready(); o.payload = make([]byte, maxPooledPayload+1); return o }, http1},
	}
	for _, tc := range cases {
		if tc.c.release(tc.o(), tc.resp) {
			t.Errorf("%s: reused", tc.name)
		}
	}
	// A released request keeps its memory but forgets the call.
	o := ready()
	if _, err := o.init(context.Background(), http.MethodPost, "https://hss.example", "/v5/p/event/operate?x=1"); err != nil {
		t.Fatal(err)
	}
	o.header.Set("Authorization", "secret")
	o.vals[0] = "secret"
	o.payload = append(o.payload[:0], "body"...)
	if !reusing.release(o, http1) {
		t.Fatal("not reused")
	}
	if o.req.URL != nil || o.req.Context() != context.Background() || len(o.header) != 0 || o.vals[0] != "" || len(o.payload) != 0 || cap(o.payload) == 0 || o.wrote.Load() || o.sent {
		t.Errorf("a released request remembers its call: %+v", o)
	}
}

// TestGetBodySpoils checks that a body net/http makes with GetBody (to
// resend on a new connection) keeps the request from being reused, and that
// an attempt whose write was not confirmed does too, and gets a reader of
// its own.
func TestGetBodySpoils(t *testing.T) {
	o := &outgoing{payload: []byte("payload")}
	body, err := o.bodyFunc()()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(body); string(b) != "payload" || !o.spoiled.Load() {
		t.Errorf("GetBody: %q, spoiled %t; want the payload, spoiled", b, o.spoiled.Load())
	}
	o = &outgoing{payload: []byte("payload")}
	o.startAttempt()
	first := o.nextBody()
	o.startAttempt() // the first attempt's write was never confirmed
	second := o.nextBody()
	if !o.spoiled.Load() || first == second {
		t.Errorf("a second attempt without a confirmed write: spoiled %t, same reader %t", o.spoiled.Load(), first == second)
	}
	if b, _ := io.ReadAll(second); string(b) != "payload" {
		t.Errorf("second attempt's body %q", b)
	}
	o = &outgoing{payload: []byte("payload")}
	o.startAttempt()
	first = o.nextBody()
	_, _ = io.ReadAll(first)
	o.wrote.Store(true) // what WroteRequest records
	o.startAttempt()
	second = o.nextBody()
	if o.spoiled.Load() || first != second {
		t.Errorf("a second attempt after a confirmed write: spoiled %t, same reader %t", o.spoiled.Load(), first == second)
	}
	if b, _ := io.ReadAll(second); string(b) != "payload" {
		t.Errorf("second attempt's body %q, want it rewound", b)
	}
}

// TestProgramTraceIsLeftAlone checks that a program's own httptrace sees
// every request, unchanged by the client's (which then stays out).
func TestProgramTraceIsLeftAlone(t *testing.T) {
	srv := newReuseServer(t)
	c := newClient(t, srv.URL, AccessKey{ID: testAK, Secret: testSK}, nil)
	var wrote, conns atomic.Int64
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn:      func(httptrace.GotConnInfo) { conns.Add(1) },
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Add(1) },
	})
	for range 5 {
		if err := c.HandleEvents(ctx, MarkAsHandledRequest("traced", testEvent()), nil); err != nil {
			t.Fatal(err)
		}
	}
	if wrote.Load() != 5 || conns.Load() != 5 {
		t.Errorf("the program's trace saw %d writes and %d connections for 5 calls, want 5 and 5", wrote.Load(), conns.Load())
	}
}

// TestProgramTransportKeepsItsRequests checks that a client on a program's
// transport does not reuse requests: a transport may keep them, as this
// recorder does, and read them after the call.
func TestProgramTransportKeepsItsRequests(t *testing.T) {
	srv := newReuseServer(t)
	var kept []*http.Request
	var bodies [][]byte
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		_ = r.Body.Close()
		kept = append(kept, r)
		bodies = append(bodies, b)
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader(b))
		return http.DefaultTransport.RoundTrip(r2)
	})
	c := newClient(t, srv.URL, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: rec} })
	if c.reuse {
		t.Fatal("a client on a program's transport reuses requests")
	}
	for _, h := range []string{"first", "second"} {
		if err := c.HandleEvents(context.Background(), MarkAsHandledRequest(h, testEvent()), nil); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Contains(bodies[0], []byte(`"handler":"first"`)) || kept[0] == kept[1] || kept[0].Header.Get("Authorization") == kept[1].Header.Get("Authorization") {
		t.Errorf("the first request changed after the second call")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
