package hss

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openhss/hss-go/gen"
	"github.com/openhss/hss-go/hss/signer"
)

// requestGen makes random parameters for TestRequestsMatchGen.
type requestGen struct{ r *rand.Rand }

// pieces are the characters the URL encodings treat differently: reserved
// ones, a space, '%' and '+', multi-byte UTF-8 and a byte that is not UTF-8.
var pieces = []string{"a", "Z", "0", "-", "_", ".", "~", " ", "+", "%", "%20", "&", "=", "?", "#", "/", ";", ",", ":", "@",
	"$", "!", "'", "(", ")", "*", "[", "]", "\"", "<", ">", "é", "漢", "\u2028", "\xff", "\t", "\n"}

func (g requestGen) text() string {
	var b strings.Builder
	for range g.r.IntN(12) {
		b.WriteString(pieces[g.r.IntN(len(pieces))])
	}
	return b.String()
}

// id is a non-empty path parameter. "." and ".." are left out: gen's
// builder resolves them as dot segments (so "/v5/../event/export" goes to
// "/event/export"), which no real id is.
func (g requestGen) id() string {
	for {
		if s := g.text(); s != "" && s != "." && s != ".." {
			return s
		}
	}
}

func (g requestGen) optText() *string {
	if g.r.IntN(2) == 0 {
		return nil
	}
	return Ptr(g.text())
}

func optOf[T any](g requestGen, f func() T) *T {
	if g.r.IntN(2) == 0 {
		return nil
	}
	return Ptr(f())
}

func listOf[T any](g requestGen, f func() T) *[]T {
	if g.r.IntN(2) == 0 {
		return nil
	}
	l := make([]T, g.r.IntN(4)) // empty lists included
	for i := range l {
		l[i] = f()
	}
	return &l
}

func (g requestGen) int32() int32 { return g.r.Int32() - g.r.Int32() }

func (g requestGen) exportParams() ExportEventsParams {
	sev := func() Severity { return Severity(g.text()) }
	return ExportEventsParams{
		EnterpriseProjectId: g.optText(), LastDays: optOf(g, g.int32), HostName: g.optText(), HostId: g.optText(),
		PrivateIp: g.optText(), ContainerName: g.optText(), Offset: optOf(g, g.int32), Limit: optOf(g, g.int32),
		ExportSize: optOf(g, g.int32), EventType: optOf(g, g.int32), EventTypes: listOf(g, g.int32),
		HandleStatus: optOf(g, func() HandleStatus { return HandleStatus(g.text()) }), Severity: optOf(g, sev),
		Category: EventCategory(g.text()), BeginTime: optOf(g, func() int64 { return g.r.Int64() - g.r.Int64() }),
		EndTime: optOf(g, g.r.Int64), EventClassIds: listOf(g, g.text), SeverityList: listOf(g, sev),
		AttackTag: g.optText(), AssetValue: g.optText(), TagList: listOf(g, g.text), AttCk: g.optText(),
		EventName: g.optText(), EventIdList: listOf(g, g.text), AutoBlock: optOf(g, func() bool { return g.r.IntN(2) == 0 }),
		ClusterId: g.optText(), EventId: g.text(), PublicIp: g.optText(),
	}
}

// sameRequest requires ours to be the request gen builds, but for a space
// in the query, which ours sends as %20 and gen as '+'.
func sameRequest(t *testing.T, name string, ours *http.Request, err error, want *http.Request, wantErr error) {
	t.Helper()
	if err != nil || wantErr != nil {
		t.Fatalf("%s: ours: %v, gen: %v", name, err, wantErr)
	}
	want.URL.RawQuery = strings.ReplaceAll(want.URL.RawQuery, "+", "%20")
	// Ours writes the parameters sorted by name, gen in the spec's order:
	// the same pieces, and the values of one name in the same order.
	if !slices.IsSortedFunc(strings.Split(ours.URL.RawQuery, "&"), compareQueryName) {
		t.Fatalf("%s: query parameters not sorted by name: %s", name, ours.URL.RawQuery)
	}
	wantPieces := strings.Split(want.URL.RawQuery, "&")
	slices.SortStableFunc(wantPieces, compareQueryPiece)
	want.URL.RawQuery = strings.Join(wantPieces, "&")
	if ours.Method != want.Method || ours.Host != want.Host || ours.URL.String() != want.URL.String() ||
		ours.URL.RequestURI() != want.URL.RequestURI() || ours.URL.Path != want.URL.Path || ours.URL.RawPath != want.URL.RawPath {
		t.Fatalf("%s:\nours %s %s (host %s, path %q, raw path %q)\ngen  %s %s (host %s, path %q, raw path %q)", name,
			ours.Method, ours.URL, ours.Host, ours.URL.Path, ours.URL.RawPath, want.Method, want.URL, want.Host, want.URL.Path, want.URL.RawPath)
	}
	if ours.Method == http.MethodPost {
		ours.Header.Set("Content-Type", "application/json") // what do adds to a request with a body
	}
	if !reflect.DeepEqual(ours.Header, want.Header) {
		t.Fatalf("%s: headers: ours %v, gen %v", name, ours.Header, want.Header)
	}
}

// compareQueryPiece orders "name=value" query pieces by name, then by
// value as decoded: the order in which the client writes a list's values
// (the signature's canonical order).
func compareQueryPiece(a, b string) int {
	if c := compareQueryName(a, b); c != 0 {
		return c
	}
	_, av, _ := strings.Cut(a, "=")
	_, bv, _ := strings.Cut(b, "=")
	ad, err1 := url.QueryUnescape(av)
	bd, err2 := url.QueryUnescape(bv)
	if err1 != nil || err2 != nil {
		panic("a query piece that does not decode: " + a + " or " + b)
	}
	return strings.Compare(ad, bd)
}

// compareQueryName orders "name=value" query pieces by name.
func compareQueryName(a, b string) int {
	an, _, _ := strings.Cut(a, "=")
	bn, _, _ := strings.Cut(b, "=")
	return strings.Compare(an, bn)
}

// TestRequestsMatchGen builds the requests of the four operations from
// random parameters with this package's builder and with gen's, and
// requires the same method, URL (as sent: RequestURI, with the query
// parameters in name order), host and headers.
func TestRequestsMatchGen(t *testing.T) {
	g := requestGen{rand.New(rand.NewPCG(1, 2))}
	ctx := context.Background()
	var endpoints []string
	for _, raw := range []string{"https://hss.ap-southeast-1.myhuaweicloud.com", "http://127.0.0.1:8080/", "HTTP://LOCALHOST:1", "http://[::1]:9000", "http://127.0.0.1:", "http://[::1]:"} {
		u, err := CheckEndpoint(raw)
		if err != nil {
			t.Fatal(err)
		}
		endpoints = append(endpoints, u.String())
	}
	const n = 3000
	for i := range n {
		endpoint := endpoints[i%len(endpoints)]
		pid := g.id()

		p := g.exportParams()
		ours, err := newRequest(ctx, http.MethodPost, endpoint, exportEventsTarget(pid, &p))
		want, wantErr := gen.NewExportEventsRequestWithBody(endpoint, pid, &p, "application/json", nil)
		sameRequest(t, "export", ours, err, want, wantErr)
		if ours.Context() != ctx {
			t.Fatal("the request does not carry the call's context")
		}

		hp := HandleEventsParams{EnterpriseProjectId: g.optText(), ContainerName: g.optText(), ContainerId: g.optText()}
		ours, err = newRequest(ctx, http.MethodPost, endpoint, handleEventsTarget(pid, &hp))
		want, wantErr = gen.NewHandleEventsRequestWithBody(endpoint, pid, &hp, "application/json", nil)
		sameRequest(t, "handle", ours, err, want, wantErr) // the region header is set by HandleEvents

		eps := ""
		if g.r.IntN(2) == 0 {
			eps = g.id()
		}
		var genEPS *string
		if eps != "" {
			genEPS = &eps
		}
		id := g.id()
		ours, err = newRequest(ctx, http.MethodGet, endpoint, showExportTaskTarget(pid, id, eps))
		want, wantErr = gen.NewShowExportTaskRequest(endpoint, pid, id, &gen.ShowExportTaskParams{EnterpriseProjectId: genEPS})
		sameRequest(t, "task", ours, err, want, wantErr)

		ours, err = newRequest(ctx, http.MethodGet, endpoint, downloadExportedFileTarget(pid, id, eps))
		want, wantErr = gen.NewDownloadExportedFileRequest(endpoint, pid, id, &gen.DownloadExportedFileParams{EnterpriseProjectId: genEPS})
		sameRequest(t, "download", ours, err, want, wantErr)
	}
}

// TestQueryValueEscape pins the query escape to url.QueryEscape with a
// space as %20, for every byte.
func TestQueryValueEscape(t *testing.T) {
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{all.String(), "", "a b+c", "漢字 é"} {
		u := urlBuilder{}.value(s)
		if want := strings.ReplaceAll(url.QueryEscape(s), "+", "%20"); u.String() != want {
			t.Errorf("value(%q) = %q, want %q", s, u.String(), want)
		}
	}
}

// writeCounter counts the writes on a connection.
type writeCounter struct {
	net.Conn
	writes *atomic.Int64
}

func (c writeCounter) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestOneWritePerRequest requires each request, headers and body, to leave
// in one write: net/http flushes the headers on their own, a second system
// call, unless it recognizes the body as bytes in memory (see newBody).
func TestOneWritePerRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasSuffix(r.URL.Path, "/event/export") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"record_total_num":1,"task_id":"t-1"}`)
		}
	}))
	defer srv.Close()
	var writes atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return writeCounter{c, &writes}, err
	}}
	defer tr.CloseIdleConnections()
	for _, creds := range []Credentials{AccessKey{ID: testAK, Secret: testSK}, Token(testToken)} {
		c, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Endpoint: srv.URL, Credentials: creds,
			HTTPClient: &http.Client{Transport: tr}, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		params, cols := testExport()
		const calls = 10
		writes.Store(0)
		for range calls {
			if _, err := c.ExportEvents(context.Background(), params, cols); err != nil {
				t.Fatal(err)
			}
			if err := c.HandleEvents(context.Background(), MarkAsHandledRequest("", EventRef{ClassID: "c", ID: "e", Type: 1001, OccurTime: 1}), nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := writes.Load(); n != 2*calls {
			t.Errorf("%s: %d writes for %d requests, want one each", creds.kind(), n, 2*calls)
		}
	}
}

// TestDefaultTransportReusesConnections sends rounds of concurrent requests
// through defaultTransport: the connections opened stay near the number of
// goroutines. net/http's default keeps 2 idle connections per host and
// opens new ones round after round.
func TestDefaultTransportReusesConnections(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	tr := newDefaultTransport().(*http.Transport)
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	const goroutines, rounds = 16, 20
	for range rounds {
		errs := make(chan error, goroutines)
		for range goroutines {
			go func() {
				resp, err := hc.Get(srv.URL)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					err = resp.Body.Close()
				}
				errs <- err
			}()
		}
		for range goroutines {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
	// A request that starts while a connection is on its way back to the
	// pool may dial one more; with 2 idle connections kept, each round
	// would open about goroutines-2 new ones.
	if n := opened.Load(); n > 2*goroutines {
		t.Errorf("%d rounds of %d concurrent requests opened %d connections, want at most %d", rounds, goroutines, n, 2*goroutines)
	}
}

// BenchmarkBuildExportRequest compares this package's request builder with
// gen's on the same typical export.
func BenchmarkBuildExportRequest(b *testing.B) {
	begin := int64(1767225600000)
	p := ExportEventsParams{Category: CategoryHost, EventId: "evt-export-0001", EnterpriseProjectId: Ptr("all_granted_eps"),
		BeginTime: &begin, EndTime: Ptr(begin + 2*24*3600*1000), HandleStatus: Ptr(Unhandled),
		SeverityList: &[]Severity{SeverityHigh, SeverityCritical}, HostName: Ptr("web-01")}
	const endpoint, pid = "https://hss.ap-southeast-1.myhuaweicloud.com", "0123456789abcdef0123456789abcdef"
	ctx := context.Background()
	b.Run("hss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := newRequest(ctx, http.MethodPost, endpoint, exportEventsTarget(pid, &p)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gen.NewExportEventsRequestWithBody(endpoint, pid, &p, "application/json", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestExportQueryIsCanonical requires the query of an export with every
// parameter set (plain values, one per list) to be its own canonical query:
// the signer then copies it instead of sorting it.
func TestExportQueryIsCanonical(t *testing.T) {
	s, n, b := Ptr("v"), Ptr(int32(1)), true
	one := &[]string{"v"}
	p := ExportEventsParams{
		EnterpriseProjectId: s, LastDays: n, HostName: s, HostId: s, PrivateIp: s, ContainerName: s,
		Offset: n, Limit: n, ExportSize: n, EventType: n, EventTypes: &[]int32{1}, HandleStatus: Ptr(Unhandled),
		Severity: Ptr(SeverityHigh), Category: CategoryHost, BeginTime: Ptr(int64(1)), EndTime: Ptr(int64(2)),
		EventClassIds: one, SeverityList: &[]Severity{SeverityHigh}, AttackTag: s, AssetValue: s, TagList: one,
		AttCk: s, EventName: s, EventIdList: one, AutoBlock: &b, ClusterId: s, EventId: "v", PublicIp: s,
	}
	_, query, _ := strings.Cut(exportEventsTarget("p", &p), "?")
	if got := strings.Count(query, "&") + 1; got != 28 {
		t.Fatalf("%d parameters, want 28: %s", got, query)
	}
	if canon := signer.CanonicalQuery(query); canon != query {
		t.Errorf("the query is not in canonical order:\nsent      %s\ncanonical %s", query, canon)
	}
	hp := HandleEventsParams{EnterpriseProjectId: s, ContainerName: s, ContainerId: s}
	_, query, _ = strings.Cut(handleEventsTarget("p", &hp), "?")
	if canon := signer.CanonicalQuery(query); canon != query {
		t.Errorf("the handle query is not in canonical order:\nsent      %s\ncanonical %s", query, canon)
	}
}
