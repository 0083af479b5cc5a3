package hsstest_test

// Tests that pin behaviours of the fake no other test held in place (found
// by a mutation-testing review): each was seen to fail against a mutation
// of the code that breaks the behaviour it names.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
	"github.com/openhss/hss-go/hss/signer"
)

// recordedText is everything a recorded request holds, as text, to search
// for a secret.
func recordedText(r hsstest.Request) string {
	var b strings.Builder
	for _, s := range []string{r.Method, r.Path, r.RawQuery, string(r.Body), r.Auth, r.RequestID} {
		b.WriteString(s + "\n")
	}
	for k, vs := range r.Header {
		b.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
	}
	return b.String()
}

// lastRequest is the request the fake recorded last.
func lastRequest(t *testing.T, srv *hsstest.Server) hsstest.Request {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request recorded")
	}
	return reqs[len(reqs)-1]
}

// csvRows parses an export file.
func csvRows(t *testing.T, file []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatalf("parsing the CSV %q: %v", file, err)
	}
	if len(rows) == 0 {
		t.Fatal("the CSV has no header row")
	}
	return rows
}

// exportedIDs submits an export with defaultColumns (event_id first) and
// returns record_total_num and the event ids of its file, in order.
func exportedIDs(t *testing.T, srv *hsstest.Server, q url.Values) (int, []string) {
	t.Helper()
	total, taskID := exportResult(t, srv, q, signed(defaultKey, t0))
	file, ok := srv.ExportCSV(taskID)
	if !ok {
		t.Fatalf("ExportCSV(%s): no file", taskID)
	}
	var ids []string
	for _, row := range csvRows(t, file)[1:] {
		ids = append(ids, row[0])
	}
	return total, ids
}

// TestRequestsRedactEverySecretHeader pins the redaction of Requests: an
// X-Security-Token (of a temporary access key), an X-Subject-Token (IAM
// token validation), a secret header set under a non-canonical key straight
// into the map (a handler called directly), and an Authorization that is
// not SDK-HMAC-SHA256 (Bearer, Basic) all read "REDACTED", and the secret
// appears nowhere in the recorded request.
func TestRequestsRedactEverySecretHeader(t *testing.T) {
	const tempAK, tempSK, sts = "TEMPAK00000000000009", "temp-secret-key-9", "sts-secret-security-token-9"
	srv := newServer(t, hsstest.Options{
		AccessKeys:     map[string]string{tempAK: tempSK, hsstest.DefaultAccessKey: hsstest.DefaultSecretKey},
		SecurityTokens: map[string]string{tempAK: sts},
	})
	subject := srv.IssueToken()
	const bearer = "eyJhbGciOiJIUzI1NiJ9.bearer-secret"
	basic := base64.StdEncoding.EncodeToString([]byte("alice:basic-secret-pw"))
	const rawToken = "MIIraw-non-canonical-secret-token"

	tests := []struct {
		name   string
		secret string
		key    string // the recorded header key that must read REDACTED
		status int    // what the fake answers: the secret reached it
		send   func(t *testing.T)
	}{
		{"X-Security-Token of a temporary key", sts, "X-Security-Token", http.StatusNotFound, func(t *testing.T) {
			call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, func(req *http.Request, b []byte) error {
				req.Header.Set("X-Security-Token", sts)
				return signed(signer.Key{AccessKey: tempAK, SecretKey: tempSK}, t0)(req, b)
			})
		}},
		{"X-Subject-Token of token validation", subject, "X-Subject-Token", http.StatusOK, func(t *testing.T) {
			call(t, srv, http.MethodGet, "/v3/auth/tokens", nil, nil, func(req *http.Request, b []byte) error {
				req.Header.Set("X-Subject-Token", subject)
				return signed(defaultKey, t0)(req, b)
			})
		}},
		{"non-canonical key set in the map", rawToken, "x-auth-token", http.StatusUnauthorized, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, taskPath(srv, "x"), nil)
			req.Header["x-auth-token"] = []string{rawToken}
			srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
		}},
		{"Bearer Authorization", bearer, "Authorization", http.StatusUnauthorized, func(t *testing.T) {
			call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, func(req *http.Request, _ []byte) error {
				req.Header.Set("Authorization", "Bearer "+bearer)
				return nil
			})
		}},
		{"Bearer Authorization with a Signature= field", bearer, "Authorization", http.StatusUnauthorized, func(t *testing.T) {
			call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, func(req *http.Request, _ []byte) error {
				req.Header.Set("Authorization", "Bearer "+bearer+", Signature=abc")
				return nil
			})
		}},
		{"Basic Authorization", basic, "Authorization", http.StatusUnauthorized, func(t *testing.T) {
			call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, func(req *http.Request, _ []byte) error {
				req.Header.Set("Authorization", "Basic "+basic)
				return nil
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			tt.send(t)
			r := lastRequest(t, srv)
			if r.Status != tt.status {
				t.Errorf("status %d, want %d", r.Status, tt.status)
			}
			if got := r.Header[tt.key]; !slices.Equal(got, []string{"REDACTED"}) {
				t.Errorf("recorded %s %q, want [REDACTED]", tt.key, got)
			}
			if text := recordedText(r); strings.Contains(text, tt.secret) {
				t.Errorf("the secret is in the recorded request:\n%s", text)
			}
		})
	}
}

// TestRequestsReturnsHeaderCopies pins that Requests hands out copies of
// the headers: setting, deleting or overwriting a value of a returned
// request's Header leaves what a later Requests returns unchanged.
func TestRequestsReturnsHeaderCopies(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, signed(defaultKey, t0))
	before := srv.Requests()[0].Header.Clone()
	if before.Get("Authorization") == "" || before.Get("X-Sdk-Date") == "" {
		t.Fatalf("recorded header %v: want Authorization and X-Sdk-Date", before)
	}

	got := srv.Requests()[0].Header
	got.Set("X-Added", "by the caller")
	got.Del("X-Sdk-Date")
	got["Authorization"][0] = "overwritten"

	if after := srv.Requests()[0].Header; !equalHeader(after, before) {
		t.Errorf("after editing a returned Header, Requests returns %v, want %v", after, before)
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestMaxRequestsKeepsTheNewest pins that Options.MaxRequests drops the
// oldest requests: of three requests with MaxRequests 2, the last two are
// kept, oldest first.
func TestMaxRequestsKeepsTheNewest(t *testing.T) {
	srv := newServer(t, hsstest.Options{MaxRequests: 2})
	for _, id := range []string{"first", "second", "third"} {
		call(t, srv, http.MethodGet, taskPath(srv, id), allProjects, nil, signed(defaultKey, t0))
	}
	var paths []string
	for _, r := range srv.Requests() {
		paths = append(paths, r.Path)
	}
	if want := []string{taskPath(srv, "second"), taskPath(srv, "third")}; !slices.Equal(paths, want) {
		t.Errorf("recorded paths %q, want %q", paths, want)
	}
}

// TestTokenValidationNeedsAuthAndALiveSubject pins IAM's GET
// /v3/auth/tokens: without authentication it answers 401 (in IAM's nested
// shape) even for a valid X-Subject-Token; authenticated, it answers 200
// for a live subject token and 404 once it has expired (TokenTTL after it
// was issued, by Options.Now).
func TestTokenValidationNeedsAuthAndALiveSubject(t *testing.T) {
	clk := &clock{now: t0}
	srv := newServer(t, hsstest.Options{Now: clk.Now, TokenTTL: time.Hour})
	subject := srv.IssueToken()
	validate := func(auth authFunc) response {
		t.Helper()
		return call(t, srv, http.MethodGet, "/v3/auth/tokens", nil, nil, func(req *http.Request, b []byte) error {
			req.Header.Set("X-Subject-Token", subject)
			return auth(req, b)
		})
	}

	r := validate(noAuth)
	var doc struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if r.status != http.StatusUnauthorized || json.Unmarshal(r.body, &doc) != nil || doc.Error.Code != 401 || doc.Error.Message == "" {
		t.Errorf("unauthenticated validation: %d %s, want 401 in IAM's shape", r.status, r.body)
	}

	clk.Advance(time.Hour - time.Millisecond)
	if r := validate(signed(defaultKey, clk.Now())); r.status != http.StatusOK {
		t.Errorf("validating a live token: %d %s, want 200", r.status, r.body)
	}
	clk.Advance(time.Millisecond)
	r = validate(signed(defaultKey, clk.Now()))
	if r.status != http.StatusNotFound || json.Unmarshal(r.body, &doc) != nil || doc.Error.Code != 404 {
		t.Errorf("validating an expired token: %d %s, want 404 in IAM's shape", r.status, r.body)
	}
}

// TestSignedProjectIDMustBeTheFakes pins that a signed X-Project-Id naming
// another project than the fake's (and the path's) answers 403 HSS.1003
// and exports nothing.
func TestSignedProjectIDMustBeTheFakes(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	const other = "0123456789abcdef0123456789abcdef"
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), func(req *http.Request, b []byte) error {
		req.Header.Set("X-Project-Id", other)
		return signed(defaultKey, t0)(req, b)
	})
	wantError(t, r, http.StatusForbidden, "HSS.1003", "X-Project-Id")
	if !strings.Contains(lastRequest(t, srv).Header.Get("Authorization"), "x-project-id") {
		t.Error("X-Project-Id was not signed: the test tests nothing")
	}
	if n := len(srv.Tasks()); n != 0 {
		t.Errorf("%d tasks after a refused export, want 0", n)
	}
}

// TestCutAfterAtOrPastTheEndStillCuts pins that Fault.CutAfter cuts even
// when it is at least the answer's length: the client gets the whole body
// under a Content-Length that promises more, then an unexpected EOF.
func TestCutAfterAtOrPastTheEndStillCuts(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)
	full := call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth)
	if full.status != http.StatusNotFound || len(full.body) == 0 {
		t.Fatalf("uncut answer: %d %q", full.status, full.body)
	}
	for _, n := range []int{len(full.body), len(full.body) + 1, 10 * len(full.body)} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			srv.InjectFault(hsstest.Fault{CutAfter: n})
			resp, err := send(context.Background(), srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != full.status || resp.ContentLength <= int64(len(full.body)) {
				t.Errorf("status %d, Content-Length %d; want %d and more than %d", resp.StatusCode, resp.ContentLength, full.status, len(full.body))
			}
			got, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("reading the body: err %v, want unexpected EOF", err)
			}
			if !bytes.Equal(got, full.body) {
				t.Errorf("got %q, want the whole body %q", got, full.body)
			}
		})
	}
}

// TestBodyOverTheLimit pins the fake's bound on a request body (8 MiB,
// http.MaxBytesReader in server.go): one byte more answers 413; a body of
// exactly the limit is read and goes on to authentication (401 here).
func TestBodyOverTheLimit(t *testing.T) {
	const limit = 8 << 20
	var logged syncLog
	srv := newServer(t, hsstest.Options{Logf: logged.logf})
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), bytes.Repeat([]byte{' '}, limit+1), noAuth)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a body of %d bytes: %d %s, want 413", limit+1, r.status, r.body)
	}
	r = call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), bytes.Repeat([]byte{' '}, limit), noAuth)
	wantError(t, r, http.StatusUnauthorized, "APIGW.0301")
	// Both are recorded, as every request is; the refused body is not kept.
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Status != http.StatusRequestEntityTooLarge || reqs[0].Body != nil || reqs[1].Status != http.StatusUnauthorized {
		t.Errorf("recorded %d requests (want 2, the first a 413 without its body)", len(reqs))
	}
	// A body that does not arrive whole (the client went away) is a 400,
	// not a 413.
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", exportPath(srv))
	conn.Close()
	answered := func() bool { reqs := srv.Requests(); return len(reqs) == 3 && reqs[2].Status != 0 }
	for deadline := time.Now().Add(5 * time.Second); !answered() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if reqs := srv.Requests(); len(reqs) != 3 || reqs[2].Status != http.StatusBadRequest {
		t.Errorf("a body cut short: %d requests recorded, want a third answered 400", len(reqs))
	}
	// And logged, each with its status.
	for _, want := range []string{"-> 413", "-> 401", "-> 400"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logged.String())
		}
	}
}

// syncLog collects the fake's log lines; safe for concurrent use.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDownloadOnlyOnceSucceeded pins that the file of a task is
// downloadable only once the task succeeded: the file id (which
// Server.Tasks shows from submission on) answers 404 HSS.1004 while the
// task runs and for a task that failed (FailNextExport), and 200 for one
// that succeeded.
func TestDownloadOnlyOnceSucceeded(t *testing.T) {
	auth := signed(defaultKey, t0)
	download := func(t *testing.T, srv *hsstest.Server, task hsstest.Task, status string, want int) {
		t.Helper()
		if string(task.Status) != status || task.FileID == "" {
			t.Fatalf("task %+v: want %s with a file id", task, status)
		}
		r := call(t, srv, http.MethodGet, downloadPath(srv, task.FileID), allProjects, nil, auth)
		if want == http.StatusOK {
			if r.status != want {
				t.Errorf("download of a %s task: %d %s, want 200", status, r.status, r.body)
			}
			return
		}
		wantError(t, r, want, "HSS.1004", "file_id")
	}

	running := newServer(t, hsstest.Options{ExportDuration: time.Hour})
	exportResult(t, running, exportQuery("host", nil), auth)
	download(t, running, running.Tasks()[0], "running", http.StatusNotFound)

	done := newServer(t, hsstest.Options{ExportDuration: -1})
	done.FailNextExport()
	exportResult(t, done, exportQuery("host", nil), auth)
	exportResult(t, done, exportQuery("host", nil), auth)
	tasks := done.Tasks()
	download(t, done, tasks[0], "failure", http.StatusNotFound)
	download(t, done, tasks[1], "success", http.StatusOK)
}

// TestExportFilterEdges pins three export filters: auto_block=false selects
// exactly the events not blocked automatically; a window with begin_time ==
// end_time == an event's occur_time includes that event (both ends
// inclusive); offset skips the newest matching events, so that offset=2
// starts the file at the third newest.
func TestExportFilterEdges(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	var host []hsstest.Event // newest first, as Events returns them
	for _, e := range srv.Events() {
		if e.Category == "host" {
			host = append(host, e)
		}
	}
	ids := func(events []hsstest.Event) []string {
		var out []string
		for _, e := range events {
			out = append(out, e.ID)
		}
		return out
	}

	t.Run("auto_block=false", func(t *testing.T) {
		var want []hsstest.Event
		for _, e := range host {
			if !e.AutoBlock {
				want = append(want, e)
			}
		}
		if len(want) == 0 || len(want) == len(host) {
			t.Fatalf("%d of %d host events not auto-blocked: the test needs some of each", len(want), len(host))
		}
		total, got := exportedIDs(t, srv, exportQuery("host", url.Values{"auto_block": {"false"}}))
		if total != len(want) || !slices.Equal(got, ids(want)) {
			t.Errorf("record_total_num %d, ids %q; want %d, %q", total, got, len(want), ids(want))
		}
	})

	t.Run("one-instant window", func(t *testing.T) {
		e := host[len(host)/2]
		var want []hsstest.Event
		for _, o := range host {
			if o.OccurTime == e.OccurTime {
				want = append(want, o)
			}
		}
		at := strconv.FormatInt(e.OccurTime, 10)
		total, got := exportedIDs(t, srv, exportQuery("host", url.Values{"begin_time": {at}, "end_time": {at}}))
		if total != len(want) || !slices.Equal(got, ids(want)) {
			t.Errorf("record_total_num %d, ids %q; want %d, %q", total, got, len(want), ids(want))
		}
	})

	t.Run("offset=2", func(t *testing.T) {
		if len(host) < 4 {
			t.Fatalf("%d host events: the test needs more", len(host))
		}
		total, got := exportedIDs(t, srv, exportQuery("host", url.Values{"offset": {"2"}}))
		if want := ids(host[2:]); total != len(want) || !slices.Equal(got, want) {
			t.Errorf("record_total_num %d, ids %q; want %d, %q", total, got, len(want), want)
		}
	})
}

// TestOwnEventWithoutHandleStatusIsUnhandled pins that an event of
// Options.Events without a HandleStatus is kept as unhandled: Server.Event
// says so, and an export with handle_status=unhandled selects it (and
// handle_status=handled does not).
func TestOwnEventWithoutHandleStatusIsUnhandled(t *testing.T) {
	bare := hsstest.Event{ID: "bare-1", ClassID: "rootkit_0001", Type: 1010, Category: "host", Severity: "High", OccurTime: t0.UnixMilli() - 1000}
	handled := hsstest.Event{ID: "handled-1", ClassID: "rootkit_0001", Type: 1010, Category: "host", Severity: "High", HandleStatus: "handled", OccurTime: t0.UnixMilli() - 2000}
	srv := newServer(t, hsstest.Options{Events: []hsstest.Event{bare, handled}, ExportDuration: -1})
	if e, ok := srv.Event(bare.ID); !ok || e.HandleStatus != "unhandled" {
		t.Errorf("Event(%s) = %q, %v; want unhandled", bare.ID, e.HandleStatus, ok)
	}
	for _, tc := range []struct{ status, id string }{{"unhandled", bare.ID}, {"handled", handled.ID}} {
		total, got := exportedIDs(t, srv, exportQuery("host", url.Values{"handle_status": {tc.status}}))
		if total != 1 || !slices.Equal(got, []string{tc.id}) {
			t.Errorf("handle_status=%s: %d, ids %q; want only %s", tc.status, total, got, tc.id)
		}
	}
}

// TestEventsReturnsCopies pins that Events hands out copies that share no
// slice with the fake: changing a returned event's Tags changes neither a
// later Events nor Event.
func TestEventsReturnsCopies(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	events := srv.Events()
	if len(events[0].Tags) == 0 {
		t.Fatal("the newest event has no tags: the test needs one")
	}
	id, tag := events[0].ID, events[0].Tags[0]
	events[0].Tags[0] = "changed-by-the-caller"
	if got := srv.Events()[0].Tags[0]; got != tag {
		t.Errorf("Events()[0].Tags[0] = %q after the caller changed a copy, want %q", got, tag)
	}
	if e, _ := srv.Event(id); e.Tags[0] != tag {
		t.Errorf("Event(%s).Tags[0] = %q after the caller changed a copy, want %q", id, e.Tags[0], tag)
	}
}

// TestHostIPColumnIsThePrivateIP pins the export column alias host_ip: it
// is accepted (without AnyColumns) and exports the event's PrivateIP, not
// its PublicIP.
func TestHostIPColumnIsThePrivateIP(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	cols := [][]string{{"event_id", "Alarm ID"}, {"host_ip", "Server IP"}}
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, cols), signed(defaultKey, t0))
	if r.status != http.StatusOK {
		t.Fatalf("export with host_ip: %d %s", r.status, r.body)
	}
	var doc struct {
		TaskID string `json:"task_id"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	file, _ := srv.ExportCSV(doc.TaskID)
	rows := csvRows(t, file)
	if !slices.Equal(rows[0], []string{"Alarm ID", "Server IP"}) || len(rows) < 2 {
		t.Fatalf("CSV %q", rows)
	}
	differ := false
	for _, row := range rows[1:] {
		e, ok := srv.Event(row[0])
		if !ok {
			t.Fatalf("row %q: no such event", row)
		}
		if row[1] != e.PrivateIP || e.PrivateIP == "" {
			t.Errorf("event %s: host_ip %q, want its private IP %q", e.ID, row[1], e.PrivateIP)
		}
		differ = differ || e.PublicIP != "" && e.PublicIP != e.PrivateIP
	}
	if !differ {
		t.Error("no exported event has a public IP other than its private one: the test cannot tell them apart")
	}
}
