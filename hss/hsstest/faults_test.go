package hsstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
)

// TestIAMFaultInIAMShape: a fault on an IAM request answers IAM's nested
// error document by default; a status that is not a final answer (1xx) or
// that net/http cannot send is refused.
func TestIAMFaultInIAMShape(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	srv.InjectFault(hsstest.Fault{Path: "/v3/", Status: http.StatusServiceUnavailable})
	r := call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, []byte(`{}`), noAuth)
	var doc struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || r.status != 503 || doc.Error.Code != "HSS.FAULT" || doc.Error.Message == "" {
		t.Errorf("%d %s (%v)", r.status, r.body, err)
	}
	for _, status := range []int{99, 100, 103, 199, 600, 1000} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("InjectFault accepted status %d", status)
				}
			}()
			srv.InjectFault(hsstest.Fault{Status: status})
		}()
	}
}

// TestClearFaultsDisarmsFailNextExport: a FailNextExport never used does
// not fail the export of whoever shares the server next.
func TestClearFaultsDisarmsFailNextExport(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	srv.FailNextExport()
	srv.ClearFaults()
	_, id := exportResult(t, srv, exportQuery("host", nil), signed(defaultKey, t0))
	for _, task := range srv.Tasks() {
		if task.ID == id && task.Status != "success" {
			t.Errorf("task %s: %s after ClearFaults, want success", id, task.Status)
		}
	}
}

// TestBoundedHistory: MaxRequests keeps the last requests, MaxTasks the
// last tasks (an older one answers as unknown), and an expired token stays
// refused after the fake drops it (TestExpiredTokensDropped).
func TestBoundedHistory(t *testing.T) {
	clk := &clock{now: t0}
	srv := newServer(t, hsstest.Options{Now: clk.Now, MaxRequests: 3, MaxTasks: 2, ExportDuration: -1, TokenTTL: time.Minute})
	var ids []string
	for range 4 {
		_, id := exportResult(t, srv, exportQuery("host", nil), signed(defaultKey, t0))
		ids = append(ids, id)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests kept, want 3", n)
	}
	if tasks := srv.Tasks(); len(tasks) != 2 || tasks[0].ID != ids[2] || tasks[1].ID != ids[3] {
		t.Errorf("tasks kept: %+v, want the last two", tasks)
	}
	if r := call(t, srv, http.MethodGet, taskPath(srv, ids[0]), allProjects, nil, signed(defaultKey, t0)); r.status != http.StatusNotFound {
		t.Errorf("a dropped task answers %d, want 404", r.status)
	}
	old := srv.IssueToken()
	clk.Advance(2 * time.Minute)
	fresh := srv.IssueToken() // drops old, which has expired
	if r := call(t, srv, http.MethodGet, taskPath(srv, ids[3]), allProjects, nil, withToken(fresh)); r.status != http.StatusOK {
		t.Errorf("the fresh token: %d %s", r.status, r.body)
	}
	r := call(t, srv, http.MethodGet, taskPath(srv, ids[3]), allProjects, nil, withToken(old))
	wantError(t, r, http.StatusUnauthorized, "APIGW.0301", "token")
}

// TestFaultStatus answers an injected status, with Retry-After, Count
// times, then serves again.
func TestFaultStatus(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)
	srv.InjectFault(hsstest.Fault{Count: 2, Status: http.StatusServiceUnavailable, RetryAfter: "2"})
	for i := range 2 {
		r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), auth)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "2" {
			t.Fatalf("request %d: %d, Retry-After %q; want 503 and 2", i, r.status, r.header.Get("Retry-After"))
		}
	}
	exportResult(t, srv, exportQuery("host", nil), auth)
	if n := len(srv.Tasks()); n != 1 {
		t.Errorf("%d tasks, want 1: faulted requests must not be served", n)
	}

	// 429 defaults to the gateway's throttling error.
	srv.InjectFault(hsstest.Fault{Status: http.StatusTooManyRequests})
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), auth)
	wantError(t, r, http.StatusTooManyRequests, "APIGW.0308")

	// A custom body is sent as is.
	srv.InjectFault(hsstest.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"})
	r = call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), auth)
	if r.status != http.StatusBadGateway || string(r.body) != "<html>bad gateway</html>" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("custom body: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
}

// TestFaultPathAndOrder checks Path matching, that IAM is spared by an
// empty Path, and that faults are taken in order.
func TestFaultPathAndOrder(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	auth := signed(defaultKey, t0)
	srv.InjectFault(hsstest.Fault{Path: "/v5/" + srv.ProjectID() + "/event/export-task/", Status: http.StatusInternalServerError})
	srv.InjectFault(hsstest.Fault{Status: http.StatusBadGateway})
	srv.InjectFault(hsstest.Fault{Status: http.StatusGatewayTimeout})

	// IAM is not touched by a fault without a Path.
	if r := call(t, srv, http.MethodGet, "/v3/projects", nil, nil, auth); r.status != http.StatusOK {
		t.Fatalf("IAM under a pathless fault: %d", r.status)
	}
	// The export is not under the first fault's path: it takes the second.
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), auth)
	if r.status != http.StatusBadGateway {
		t.Fatalf("export: %d, want 502", r.status)
	}
	// The task read takes the first.
	r = call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth)
	if r.status != http.StatusInternalServerError {
		t.Fatalf("task: %d, want 500", r.status)
	}
	r = call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth)
	if r.status != http.StatusGatewayTimeout {
		t.Fatalf("task: %d, want 504", r.status)
	}
	if r := call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth); r.status != http.StatusNotFound {
		t.Fatalf("after the faults: %d, want 404", r.status)
	}

	// A fault for IAM.
	srv.InjectFault(hsstest.Fault{Path: "/v3/", Status: http.StatusServiceUnavailable})
	if r := call(t, srv, http.MethodGet, "/v3/projects", nil, nil, auth); r.status != http.StatusServiceUnavailable {
		t.Fatalf("IAM fault: %d", r.status)
	}

	// A negative count lasts until ClearFaults.
	srv.InjectFault(hsstest.Fault{Count: -1, Status: http.StatusServiceUnavailable})
	for range 3 {
		if r := call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth); r.status != http.StatusServiceUnavailable {
			t.Fatalf("lasting fault: %d", r.status)
		}
	}
	srv.ClearFaults()
	if r := call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth); r.status != http.StatusNotFound {
		t.Fatalf("after ClearFaults: %d", r.status)
	}
}

// TestFaultDelay delays an answer.
func TestFaultDelay(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)

	srv.InjectFault(hsstest.Fault{Delay: 150 * time.Millisecond})
	start := time.Now()
	exportResult(t, srv, exportQuery("host", nil), auth)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least 150ms", d)
	}
}

// TestFaultDelayHonoursContext ends a delayed answer when the client gives
// up: the handler returns without serving the request. It serves the fake
// with NewUnstarted and Handler, as the CLI's emulator does.
func TestFaultDelayHonoursContext(t *testing.T) {
	srv := hsstest.NewUnstarted(hsstest.Options{Now: func() time.Time { return t0 }})
	returned := make(chan struct{}, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { returned <- struct{}{} }() // the fake aborts with a panic
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	defer srv.Close()
	srv.URL = ts.URL

	srv.InjectFault(hsstest.Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := send(ctx, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), signed(defaultKey, t0))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline error", err)
	}
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler still waits after the client gave up")
	}
	if n := len(srv.Tasks()); n != 0 {
		t.Errorf("%d tasks, want 0: an abandoned delayed request must not be served", n)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Status != 0 {
		t.Errorf("Requests() = %+v, want one unanswered", reqs)
	}
}

// TestFaultSilent never answers; Close ends the wait.
func TestFaultSilent(t *testing.T) {
	srv := hsstest.NewServer(hsstest.Options{})
	srv.InjectFault(hsstest.Fault{Silent: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := send(ctx, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, noAuth)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline error", err)
	}

	// A silent request with no deadline is ended by Close.
	srv.InjectFault(hsstest.Fault{Silent: true})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		resp, err := send(context.Background(), srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, noAuth)
		if err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, func() bool { return len(srv.Requests()) == 2 })
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a silent request")
	}
	wg.Wait()
}

// TestFaultCutAfter cuts a download midway.
func TestFaultCutAfter(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	auth := signed(defaultKey, t0)
	_, taskID := exportResult(t, srv, exportQuery("host", nil), auth)
	r := call(t, srv, http.MethodGet, taskPath(srv, taskID), allProjects, nil, auth)
	var task struct {
		FileID string `json:"file_id"`
	}
	if err := json.Unmarshal(r.body, &task); err != nil || task.FileID == "" {
		t.Fatalf("task %s: %v", r.body, err)
	}
	full, _ := srv.ExportCSV(taskID)
	if len(full) < 100 {
		t.Fatalf("file of %d bytes: too short for the test", len(full))
	}

	srv.InjectFault(hsstest.Fault{Path: "/v5/" + srv.ProjectID() + "/download/", CutAfter: 40})
	resp, err := send(context.Background(), srv, http.MethodGet, downloadPath(srv, task.FileID), allProjects, nil, auth)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(full)) {
		t.Errorf("status %d, Content-Length %d; want 200 and %d", resp.StatusCode, resp.ContentLength, len(full))
	}
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a cut body: err %v, want unexpected EOF", err)
	}
	if string(got) != string(full[:40]) {
		t.Errorf("got %q, want the first 40 bytes %q", got, full[:40])
	}

	// The next download is whole.
	d := call(t, srv, http.MethodGet, downloadPath(srv, task.FileID), allProjects, nil, auth)
	if string(d.body) != string(full) {
		t.Error("the download after the fault differs from the file")
	}
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
