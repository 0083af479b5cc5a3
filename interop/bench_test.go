package interop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hssv5 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5/model"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/signer"
)

// The benchmarks compare, against one BenchServer and in one run:
//
//	ours/aksk   hss.Client with AccessKey credentials (signs every call)
//	ours/token  hss.Client with Password credentials (an IAM token, fetched once)
//	sdk/aksk    the official SDK, the same call with the same inputs
//	floor/aksk  a bare net/http client sending the bytes ours/aksk sends,
//	            captured once: prebuilt request, precomputed headers
//	            (including the signature), nothing computed per call
//	floor/token the same for ours/token
//	wire/aksk   no HTTP client: the bytes the floor's transport wrote for
//	            floor/aksk, written again on one kept TCP connection, each
//	            answer read by a minimal reader (wire_test.go): what the
//	            round trip costs when the client spends nothing
//
// for ExportEvents (BenchmarkExport) and HandleEvents (BenchmarkHandle);
// the signer alone (BenchmarkSign); and 1 to 64 goroutines sharing one
// client (BenchmarkConcurrent). cmd/benchtable turns the output into the
// table of the README; `make bench` runs both.

// benchCreds are fake credentials, used against the loopback server only.
var benchCreds = Credentials{
	ProjectID: "0123456789abcdef0123456789abcdef",
	AccessKey: "BENCHAK0123456789ABC",
	SecretKey: "bench-secret-key-not-a-real-one",
}

// benchPassword is the IAM user of the token benchmarks.
var benchPassword = hss.Password{Domain: "bench-domain", User: "bench-user", Password: "bench-password-not-real"}

// benchExport is a typical export: a two-day window, two severities,
// unhandled events of all enterprise projects, five columns.
func benchExport() (hss.ExportEventsParams, hss.ExportColumns) { return benchExportWindow(0) }

// windows is how many typical exports, each for a time window of its own,
// the export benchmarks send in turn, as a pipeline exports a new window
// each time: so no client signs or sends the same request twice running
// (a Signer remembers the last 4 beginnings of canonical requests it saw).
const windows = 16

// benchExportWindow is benchExport for its window moved i minutes on.
func benchExportWindow(i int) (hss.ExportEventsParams, hss.ExportColumns) {
	begin := int64(1767225600000) + int64(i)*60_000 // 2026-01-01T00:00:00Z, then a minute a window
	return hss.ExportEventsParams{
			Category:            hss.CategoryHost,
			EventId:             "evt-export-0001",
			EnterpriseProjectId: hss.Ptr("all_granted_eps"),
			BeginTime:           &begin,
			EndTime:             hss.Ptr(begin + 2*24*3600*1000),
			HandleStatus:        hss.Ptr(hss.Unhandled),
			SeverityList:        &[]hss.Severity{hss.SeverityHigh, hss.SeverityCritical},
			HostName:            hss.Ptr("web-01"),
		}, hss.ExportColumns{
			{"event_type", "Event type"},
			{"event_name", "Alarm name"},
			{"severity", "Risk level"},
			{"host_name", "Server name"},
			{"occur_time", "Occurred"},
		}
}

// benchHandle is a typical handle call: two events marked as handled.
func benchHandle() (hss.OperateEventsRequest, *hss.HandleEventsParams) {
	evs := []hss.EventRef{
		{ClassID: "rootkit_0001", ID: "5c7c1e4b-6f39-4b7e-9d2c-3c1b6f2a9e01", Type: hss.EventRootkit, OccurTime: 1767225600123},
		{ClassID: "login_0001", ID: "a1d5e2f3-0b4c-4d6e-8f70-81a2b3c4d5e6", Type: hss.EventBruteForce, OccurTime: 1767225660456},
	}
	return hss.MarkAsHandledRequest("benchmark", evs...), &hss.HandleEventsParams{EnterpriseProjectId: hss.Ptr("all_granted_eps")}
}

// The server every benchmark shares, started on first use.
var (
	benchOnce sync.Once
	benchSrv  *BenchServer
)

func benchServer() *BenchServer {
	benchOnce.Do(func() { benchSrv = NewBenchServer(benchCreds.ProjectID) })
	return benchSrv
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchSrv != nil {
		benchSrv.Close()
	}
	os.Exit(code)
}

// newBenchClient returns our client for the server: AccessKey credentials,
// or Password ones (token) whose IAM is the same server. hc nil is the
// default HTTP client, what a user gets.
func newBenchClient(tb testing.TB, srv *BenchServer, token bool, hc *http.Client) *hss.Client {
	tb.Helper()
	cfg := hss.Config{
		Region:      Region,
		ProjectID:   benchCreds.ProjectID,
		Endpoint:    srv.URL,
		IAMEndpoint: srv.URL,
		Credentials: hss.AccessKey{ID: benchCreds.AccessKey, Secret: benchCreds.SecretKey},
		HTTPClient:  hc,
		MaxAttempts: 1,
	}
	if token {
		cfg.Credentials = benchPassword
	}
	c, err := hss.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func newBenchSDK(tb testing.TB, srv *BenchServer, transport *http.Transport) *hssv5.HssClient {
	tb.Helper()
	c, err := NewSDKClient(srv.URL, benchCreds, transport)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// benchSDKExport and benchSDKHandle are the SDK's requests for the same
// inputs, converted once, outside the timed loop.
func benchSDKExport(tb testing.TB) *model.ExportEventRequestRequest {
	tb.Helper()
	r, err := toSDKExport(benchExport())
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// benchSDKExports are the SDK's requests for the windows of exportCall, in
// its order.
func benchSDKExports(tb testing.TB) []*model.ExportEventRequestRequest {
	tb.Helper()
	reqs := make([]*model.ExportEventRequestRequest, windows)
	for i := range reqs {
		r, err := toSDKExport(benchExportWindow(i))
		if err != nil {
			tb.Fatal(err)
		}
		reqs[i] = r
	}
	return reqs
}

func benchSDKHandle(tb testing.TB) *model.ChangeEventRequest {
	tb.Helper()
	r, err := toSDKOperate(benchHandle())
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// captured is a request as it left a client, before net/http's transport
// added Host, Content-Length and Accept-Encoding.
type captured struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// captureTransport keeps a copy of the last request sent through it.
type captureTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	last captured
}

func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		body = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	t.mu.Lock()
	t.last = captured{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: body}
	t.mu.Unlock()
	return t.next.RoundTrip(req)
}

// captureOurs sends one call through our client and returns the request it
// sent: what the floor replays.
func captureOurs(tb testing.TB, srv *BenchServer, token bool, call func(*hss.Client) error) captured {
	tb.Helper()
	ct := &captureTransport{next: http.DefaultTransport}
	c := newBenchClient(tb, srv, token, &http.Client{Transport: ct})
	if err := call(c); err != nil {
		tb.Fatal(err)
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return ct.last
}

// exportCall exports the windows of benchExportWindow in turn, a window a
// call (safe for concurrent use).
func exportCall(ctx context.Context) func(*hss.Client) error {
	type window struct {
		params hss.ExportEventsParams
		cols   hss.ExportColumns
	}
	ws := make([]window, windows)
	for i := range ws {
		ws[i].params, ws[i].cols = benchExportWindow(i)
	}
	var next atomic.Uint64
	return func(c *hss.Client) error {
		w := &ws[(next.Add(1)-1)%windows]
		res, err := c.ExportEvents(ctx, w.params, w.cols)
		if err == nil && (res.TaskId == nil || *res.TaskId == "") {
			err = fmt.Errorf("export answered no task id: %+v", res)
		}
		return err
	}
}

func handleCall(ctx context.Context) func(*hss.Client) error {
	req, params := benchHandle()
	return func(c *hss.Client) error { return c.HandleEvents(ctx, req, params) }
}

// floorRing is the floor's requests for a call: the requests our client
// sent for windows calls in turn (for a call whose request does not change,
// windows copies of it), replayed in the same order.
type floorRing struct {
	reqs []*floorRequest
	next int
}

// newFloorRing captures what call sends through our client, windows times.
func newFloorRing(tb testing.TB, srv *BenchServer, token bool, call func(*hss.Client) error) *floorRing {
	tb.Helper()
	ct := &captureTransport{next: http.DefaultTransport}
	c := newBenchClient(tb, srv, token, &http.Client{Transport: ct})
	f := &floorRing{}
	for range windows {
		if err := call(c); err != nil {
			tb.Fatal(err)
		}
		ct.mu.Lock()
		f.reqs = append(f.reqs, newFloorRequest(tb, ct.last))
		ct.mu.Unlock()
	}
	return f
}

// clone is a ring of the same requests that can be sent from another
// goroutine.
func (f *floorRing) clone(tb testing.TB) *floorRing {
	out := &floorRing{}
	for _, r := range f.reqs {
		out.reqs = append(out.reqs, r.clone(tb))
	}
	return out
}

// do sends the next request of the ring (not safe for concurrent use).
func (f *floorRing) do(hc *http.Client) error {
	r := f.reqs[f.next]
	f.next = (f.next + 1) % len(f.reqs)
	return r.do(hc)
}

// floorRequest is a prebuilt request whose body rewinds, so that sending it
// again costs nothing but the round trip. The body is an io.NopCloser
// around a *bytes.Reader, which net/http writes with the headers in one
// system call, as it does our client's.
type floorRequest struct {
	req  *http.Request
	body *bytes.Reader
}

func newFloorRequest(tb testing.TB, c captured) *floorRequest {
	tb.Helper()
	req, err := http.NewRequest(c.Method, c.URL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header = c.Header.Clone()
	f := &floorRequest{req: req}
	if c.Body != nil {
		f.body = bytes.NewReader(c.Body)
		req.Body = io.NopCloser(f.body)
		req.ContentLength = int64(len(c.Body))
	}
	return f
}

// clone is a copy of the request with a body reader of its own.
func (f *floorRequest) clone(tb testing.TB) *floorRequest {
	c := captured{Method: f.req.Method, URL: f.req.URL.String(), Header: f.req.Header}
	if f.body != nil {
		b := make([]byte, f.body.Size())
		_, _ = f.body.ReadAt(b, 0)
		c.Body = b
	}
	return newFloorRequest(tb, c)
}

// do sends the request and reads the answer to the end.
func (f *floorRequest) do(hc *http.Client) error {
	if f.body != nil {
		_, _ = f.body.Seek(0, io.SeekStart)
	}
	resp, err := hc.Do(f.req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("floor: status %d", resp.StatusCode)
	}
	return nil
}

// floorIdleConns is the pool size of the floor's transport: that of our
// client's default transport (hss.maxIdleConnsPerHost).
const floorIdleConns = 100

// newFloorClient is a bare net/http client with a transport of its own,
// configured like http.DefaultTransport but keeping as many idle
// connections as our client's default transport.
func newFloorClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = floorIdleConns
	return &http.Client{Transport: t}
}

func BenchmarkExport(b *testing.B) {
	benchCall(b, exportCall(context.Background()), func(b *testing.B) func(*hssv5.HssClient) error {
		reqs := benchSDKExports(b)
		next := 0
		return func(sdk *hssv5.HssClient) error {
			req := reqs[next]
			next = (next + 1) % len(reqs)
			res, err := sdk.ExportEventRequest(req)
			if err == nil && (res.TaskId == nil || *res.TaskId == "") {
				err = fmt.Errorf("sdk export answered no task id")
			}
			return err
		}
	})
}

func BenchmarkHandle(b *testing.B) {
	benchCall(b, handleCall(context.Background()), func(b *testing.B) func(*hssv5.HssClient) error {
		req := benchSDKHandle(b)
		return func(sdk *hssv5.HssClient) error {
			_, err := sdk.ChangeEvent(req)
			return err
		}
	})
}

// benchCall runs one call through our client (AK/SK and token), the SDK
// (AK/SK; sdkCall prepares the SDK's call with the same inputs), the floor
// and the wire (AK/SK). Odd rounds of `make bench` (HSS_BENCH_ROUND) run the clients in
// the reverse order: whichever runs first in a process meets a colder
// runtime, so alternating makes the rounds' pairs even.
func benchCall(b *testing.B, call func(*hss.Client) error, sdkCall func(*testing.B) func(*hssv5.HssClient) error) {
	srv := benchServer()
	round, _ := strconv.Atoi(os.Getenv("HSS_BENCH_ROUND"))
	for _, token := range []bool{false, true} {
		auth := "aksk"
		if token {
			auth = "token"
		}
		type run struct {
			name string
			fn   func(*testing.B)
		}
		runs := []run{{"ours/" + auth, func(b *testing.B) {
			c := newBenchClient(b, srv, token, nil)
			benchLoop(b, func() error { return call(c) })
		}}}
		if !token {
			runs = append(runs, run{"sdk/" + auth, func(b *testing.B) {
				sdk := newBenchSDK(b, srv, nil)
				do := sdkCall(b)
				benchLoop(b, func() error { return do(sdk) })
			}})
		}
		runs = append(runs, run{"floor/" + auth, func(b *testing.B) {
			f := newFloorRing(b, srv, token, call)
			hc := newFloorClient()
			benchLoop(b, func() error { return f.do(hc) })
		}})
		if !token {
			runs = append(runs, run{"wire/" + auth, func(b *testing.B) {
				w := newWire(b, srv, token, call)
				benchLoop(b, w.do)
			}})
		}
		if round%2 == 1 {
			slices.Reverse(runs)
		}
		for _, r := range runs {
			b.Run(r.name, r.fn)
		}
	}
}

// benchLoop warms the client up (connection, token) with one call, then
// times b.N calls.
func benchLoop(b *testing.B, call func() error) {
	b.Helper()
	if err := call(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer reportMachine(b)()
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
}

// reportMachine starts measuring what the benchmark's run cost the machine;
// the function it returns reports it, where it can be read:
//
//   - cpu-ns/op: the process's CPU time per iteration, in every thread (the
//     loopback server's too, for a call that makes a round trip). Unlike
//     ns/op, it does not grow with the time the host takes the vCPUs away.
//   - steal%: the share of the machine's CPU time that the hypervisor gave
//     to other guests during the run. On a shared virtual machine it says
//     how much of a run's wall time was spent on a vCPU that was not there:
//     the runs with much steal are slower and noisier, for every client
//     alike.
func reportMachine(b *testing.B) func() {
	start, okStat := ReadCPUTimes()
	cpu0, okCPU := ProcessCPUTime()
	return func() {
		if cpu1, ok := ProcessCPUTime(); okCPU && ok && b.N > 0 {
			b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
		}
		if end, ok := ReadCPUTimes(); okStat && ok {
			if pct, ok := StealPercent(start, end); ok {
				b.ReportMetric(pct, "steal%")
			}
		}
	}
}

// BenchmarkSign is the signer alone on the export request our client sends:
// eight query parameters, a JSON body, content-type, host, x-project-id and
// x-sdk-date signed. It signs as the client does, with a signer.Signer for
// the key (signer.Sign, the function, is measured beside it in hss/signer),
// and each signature hashes the body and reads the clock, as the client's
// do.
//
//   - export (the target's number): a typical export as a pipeline sends
//     it, for a time window of its own: each signature is of a query the
//     Signer has not seen, from a ring of signRing requests whose
//     begin_time and end_time differ, so none starts from a kept
//     beginning.
//   - repeated: the same request signed again and again, which starts from
//     a kept beginning (a handle call's query, or an export by last_days,
//     repeats like this).
func BenchmarkSign(b *testing.B) {
	srv := benchServer()
	c := captureOurs(b, srv, false, exportCall(context.Background()))
	reqs := make([]*http.Request, signRing)
	for i := range reqs {
		u := c.URL
		if i > 0 {
			u = shiftWindow(b, u, int64(i)*60_000)
		}
		req, err := http.NewRequest(c.Method, u, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header = c.Header.Clone()
		reqs[i] = req
	}
	s, err := signer.NewSigner(signer.Key{AccessKey: benchCreds.AccessKey, SecretKey: benchCreds.SecretKey})
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, next func(int) *http.Request) {
		b.ReportAllocs()
		defer reportMachine(b)()
		i := 0
		for b.Loop() {
			if err := s.Sign(next(i), signer.HashPayload(c.Body), time.Now()); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.Run("export", func(b *testing.B) { run(b, func(i int) *http.Request { return reqs[i%signRing] }) })
	b.Run("repeated", func(b *testing.B) { run(b, func(int) *http.Request { return reqs[0] }) })
}

// signRing is how many export requests of different time windows
// BenchmarkSign/export signs in turn: four times what a Signer remembers
// (it keeps 4 beginnings, and notes the last 4 it saw), so each is new to
// it; and few enough that they stay in the L1 cache, as a request the
// client has just built is.
const signRing = 16

// shiftWindow returns the export URL u with its begin_time and end_time
// moved by ms milliseconds.
func shiftWindow(tb testing.TB, u string, ms int64) string {
	pu, err := url.Parse(u)
	if err != nil {
		tb.Fatal(err)
	}
	q := pu.Query()
	for _, k := range []string{"begin_time", "end_time"} {
		v, err := strconv.ParseInt(q.Get(k), 10, 64)
		if err != nil {
			tb.Fatalf("%s in %s: %v", k, u, err)
		}
		// Replaced in place, so that the query keeps the client's order and
		// escaping (url.Values.Encode would redo both).
		pu.RawQuery = strings.Replace(pu.RawQuery, k+"="+q.Get(k), k+"="+strconv.FormatInt(v+ms, 10), 1)
	}
	return pu.String()
}

// concurrencyLevels are the numbers of goroutines sharing one client.
var concurrencyLevels = []int{1, 4, 16, 64}

// BenchmarkConcurrent runs export calls from g goroutines sharing one
// client, made fresh for each run (so the token is fetched in the run), and
// reports the throughput and what the server saw during the run: the
// connections that served requests (conns), the connections it accepted
// (new-conns; our clients share one pool, as clients on
// http.DefaultTransport do, so a run may find its connections already
// open) and the tokens it issued.
func BenchmarkConcurrent(b *testing.B) {
	srv := benchServer()
	ctx := context.Background()
	call := exportCall(ctx)
	floor := newFloorRing(b, srv, false, call)
	sdkReqs := benchSDKExports(b)
	var sdkNext atomic.Uint64
	type client struct {
		name string
		// prepare makes a fresh client and returns its call for one goroutine.
		prepare func(b *testing.B) func() func() error
	}
	clients := []client{
		{"ours/aksk", func(b *testing.B) func() func() error {
			c := newBenchClient(b, srv, false, nil)
			return func() func() error { return func() error { return call(c) } }
		}},
		{"ours/token", func(b *testing.B) func() func() error {
			c := newBenchClient(b, srv, true, nil)
			return func() func() error { return func() error { return call(c) } }
		}},
		{"sdk/aksk", func(b *testing.B) func() func() error {
			sdk := newBenchSDK(b, srv, nil)
			return func() func() error {
				return func() error {
					_, err := sdk.ExportEventRequest(sdkReqs[(sdkNext.Add(1)-1)%windows])
					return err
				}
			}
		}},
		{"floor/aksk", func(b *testing.B) func() func() error {
			hc := newFloorClient()
			return func() func() error {
				f := floor.clone(b) // one ring per goroutine
				return func() error { return f.do(hc) }
			}
		}},
	}
	// The clients take turns at going first, round by round (HSS_BENCH_ROUND).
	round, _ := strconv.Atoi(os.Getenv("HSS_BENCH_ROUND"))
	first := round % len(clients)
	clients = append(clients[first:], clients[:first]...)
	for _, cl := range clients {
		for _, g := range concurrencyLevels {
			b.Run(fmt.Sprintf("%s/g=%d", cl.name, g), func(b *testing.B) {
				// Every run starts with no connection open, whichever client
				// ran before: ours share http.DefaultTransport's pool, which
				// the runs before left warm.
				srv.CloseClientConnections()
				perGoroutine := cl.prepare(b)
				calls := make([]func() error, g)
				for i := range calls {
					calls[i] = perGoroutine()
				}
				conns0, tokens0 := srv.Conns(), srv.Tokens()
				srv.ResetUsed()
				var next atomic.Int64
				var failed atomic.Pointer[error]
				var wg sync.WaitGroup
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				for _, call := range calls {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							if err := call(); err != nil {
								failed.CompareAndSwap(nil, &err)
								return
							}
						}
					}()
				}
				wg.Wait()
				took := time.Since(start)
				b.StopTimer()
				if p := failed.Load(); p != nil {
					b.Fatal(*p)
				}
				b.ReportMetric(float64(b.N)/took.Seconds(), "req/s")
				b.ReportMetric(float64(srv.Used()), "conns")
				b.ReportMetric(float64(srv.Conns()-conns0), "new-conns")
				b.ReportMetric(float64(srv.Tokens()-tokens0), "tokens")
			})
		}
	}
}

// TestBenchRequestsVerify checks once what the benchmarks send: our
// client's request (which the floor replays byte for byte) and the SDK's
// are accepted by the independent Verifier, the token request carries the
// server's token, and the server answers each call.
func TestBenchRequestsVerify(t *testing.T) {
	srv := NewBenchServer(benchCreds.ProjectID)
	defer srv.Close()
	ctx := context.Background()
	v := &Verifier{Keys: map[string]string{benchCreds.AccessKey: benchCreds.SecretKey}}
	verify := func(name string, c captured) {
		t.Helper()
		u, err := http.NewRequest(c.Method, c.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := &Recorded{Method: c.Method, EscapedPath: u.URL.EscapedPath(), RawQuery: u.URL.RawQuery, Host: u.URL.Host, Header: c.Header, Body: c.Body}
		if _, err := v.Verify(rec); err != nil {
			t.Errorf("%s: the verifier refuses the request: %v", name, err)
		}
	}
	for name, call := range map[string]func(*hss.Client) error{"export": exportCall(ctx), "handle": handleCall(ctx)} {
		c := captureOurs(t, srv, false, call)
		verify("ours/"+name, c)
		tok := captureOurs(t, srv, true, call)
		if got := tok.Header.Get("X-Auth-Token"); got != BenchToken {
			t.Errorf("ours/token/%s: X-Auth-Token %q, want the server's token", name, got)
		}
		if tok.Header.Get("Authorization") != "" {
			t.Errorf("ours/token/%s: signed as well as carrying a token", name)
		}
		// The floor sends exactly the captured request.
		hc := &http.Client{Transport: &captureTransport{next: http.DefaultTransport}}
		f := newFloorRequest(t, c)
		for range 2 { // twice: the rewound body is sent whole again
			if err := f.do(hc); err != nil {
				t.Fatalf("floor/%s: %v", name, err)
			}
			got := hc.Transport.(*captureTransport).last
			if got.Method != c.Method || got.URL != c.URL || !bytes.Equal(got.Body, c.Body) || fmt.Sprint(got.Header) != fmt.Sprint(c.Header) {
				t.Errorf("floor/%s sends %+v, want %+v", name, got, c)
			}
		}
	}
	// The SDK's signatures are checked by TestSameRequests; here, that the
	// server answers its calls as the SDK expects.
	sdk := newBenchSDK(t, srv, nil)
	if res, err := sdk.ExportEventRequest(benchSDKExport(t)); err != nil || res.TaskId == nil || !strings.HasPrefix(*res.TaskId, "task-") {
		t.Errorf("sdk export: %v, %v", res, err)
	}
	if _, err := sdk.ChangeEvent(benchSDKHandle(t)); err != nil {
		t.Errorf("sdk handle: %v", err)
	}
	if n := srv.Tokens(); n != 2 {
		t.Errorf("the server issued %d tokens, want 2 (one per token client)", n)
	}
}

// TestBenchServerCounts checks the connection counts BenchmarkConcurrent
// reports: a client that reuses its connection is seen on one.
func TestBenchServerCounts(t *testing.T) {
	srv := NewBenchServer(benchCreds.ProjectID)
	defer srv.Close()
	c := captureOurs(t, srv, false, exportCall(context.Background()))
	hc := newFloorClient()
	f := newFloorRequest(t, c)
	srv.ResetUsed()
	conns0, requests0 := srv.Conns(), srv.Requests()
	for range 10 {
		if err := f.do(hc); err != nil {
			t.Fatal(err)
		}
	}
	if used, opened, n := srv.Used(), srv.Conns()-conns0, srv.Requests()-requests0; used != 1 || opened != 1 || n != 10 {
		t.Errorf("10 requests on one client: %d connections used, %d opened, %d requests; want 1, 1, 10", used, opened, n)
	}
	// A second client opens a second connection; a new window counts both
	// once, whether new or not.
	f2 := newFloorRequest(t, c)
	hc2 := newFloorClient()
	srv.ResetUsed()
	for range 3 {
		if err := f.do(hc); err != nil {
			t.Fatal(err)
		}
		if err := f2.do(hc2); err != nil {
			t.Fatal(err)
		}
	}
	if used, opened := srv.Used(), srv.Conns()-conns0; used != 2 || opened != 2 {
		t.Errorf("two clients: %d connections used, %d opened in all; want 2, 2", used, opened)
	}
}

// memoryTransport answers in memory what the BenchServer answers, with no
// connection: what remains of a call is the client's own work.
type memoryTransport struct{ srv *BenchServer }

func (t memoryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.srv.serve(rec, req)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return rec.Result(), nil
}

// BenchmarkFloorPlusWork is the floor with a busy loop of the given CPU
// time before each call, for the export and the handle call: what a
// client's own work costs per call on this machine once it is added to a
// round trip. The loop reads the clock and touches no memory, so what it
// costs beyond its own time is not the caches'. Not part of `make bench`:
// run its levels interleaved, each in its own process, with
// interleave.sh (interop/PERFORMANCE.md, "The ninth session").
func BenchmarkFloorPlusWork(b *testing.B) {
	srv := benchServer()
	ctx := context.Background()
	for _, op := range []struct {
		name string
		call func(*hss.Client) error
	}{{"export", exportCall(ctx)}, {"handle", handleCall(ctx)}} {
		f := newFloorRing(b, srv, false, op.call)
		hc := newFloorClient()
		for _, us := range []int{0, 2, 4, 6, 8, 10, 12} {
			work := time.Duration(us) * time.Microsecond
			b.Run(fmt.Sprintf("%s/work=%dus", op.name, us), func(b *testing.B) {
				benchLoop(b, func() error {
					for start := time.Now(); time.Since(start) < work; {
					}
					return f.do(hc)
				})
			})
		}
	}
}

// BenchmarkClientOnly is each client's own work per call: the same calls as
// BenchmarkExport and BenchmarkHandle, answered in memory by the server's
// handler instead of over a connection. The floor's line is net/http's
// http.Client alone.
func BenchmarkClientOnly(b *testing.B) { inMemory(b, benchLoop) }

// inMemory runs our client's and the floor's export and handle calls,
// answered in memory (memoryTransport), each timed by loop.
func inMemory(b *testing.B, loop func(*testing.B, func() error)) {
	srv := benchServer()
	ctx := context.Background()
	hc := &http.Client{Transport: memoryTransport{srv}}
	for _, op := range []struct {
		name string
		call func(*hss.Client) error
	}{{"", exportCall(ctx)}, {"handle/", handleCall(ctx)}} {
		for _, token := range []bool{false, true} {
			auth := map[bool]string{false: "aksk", true: "token"}[token]
			b.Run(op.name+"ours/"+auth, func(b *testing.B) {
				c := newBenchClient(b, srv, token, hc)
				loop(b, func() error { return op.call(c) })
			})
			b.Run(op.name+"floor/"+auth, func(b *testing.B) {
				f := newFloorRing(b, srv, token, op.call)
				loop(b, func() error { return f.do(hc) })
			})
		}
	}
}

// BenchmarkColdCaches is BenchmarkClientOnly with the caches cold: an
// 8 MiB buffer (twice this machine's L2 per core) is written through
// before each call, outside the call's time, as a round trip's system
// calls and the host's other guests leave them. Each call is timed alone
// and the median reported (median-ns/call); ns/op is the thrash's. It
// shows what a call's code and data footprint costs once they are out of
// L1 and L2: on the wire, a client's own work costs about twice what
// BenchmarkClientOnly says (interop/PERFORMANCE.md). Not part of `make
// bench`; run it with -bench ColdCaches -benchtime 3000x.
func BenchmarkColdCaches(b *testing.B) {
	thrash := make([]byte, 8<<20)
	inMemory(b, func(b *testing.B, call func() error) {
		if err := call(); err != nil {
			b.Fatal(err)
		}
		times := make([]time.Duration, 0, b.N)
		for range b.N {
			for i := 0; i < len(thrash); i += 64 {
				thrash[i]++
			}
			start := time.Now()
			if err := call(); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2]), "median-ns/call")
	})
}
