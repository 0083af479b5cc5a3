package main

// Tests that pin how the CLI wires its flags, the environment and the
// emulator's options into the library and the fake: each one fails when
// the wiring it names is cut.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// exportRequests counts the export submissions (POST .../event/export)
// the fake received.
func exportRequests(s *hsstest.Server) int {
	n := 0
	for _, req := range s.Requests() {
		if strings.HasSuffix(req.Path, "/event/export") {
			n++
		}
	}
	return n
}

// TestMaxAttemptsIsHonoured pins --max-attempts reaching the client
// (cfg.MaxAttempts = o.maxAttempts in newClient): against a service that
// throttles every export, --max-attempts 1 sends exactly one export and
// exits 1; the default retries up to hss.DefaultMaxAttempts; a larger
// value retries more.
func TestMaxAttemptsIsHonoured(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export", Status: http.StatusTooManyRequests, RetryAfter: "0", Count: -1})
	args := append(append([]string{"export"}, at(s)...), "--project-id", s.ProjectID(), "--category", "host", "--event-id", "c1")
	for _, tc := range []struct {
		flags []string
		want  int
	}{
		{[]string{"--max-attempts", "1"}, 1},
		{nil, hss.DefaultMaxAttempts},
		{[]string{"--max-attempts=5"}, 5},
	} {
		s.ResetRequests()
		r := runCLI(t, "", append(append([]string(nil), args...), tc.flags...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "429") {
			t.Errorf("%v: exit status %d, want 1 and the 429; stderr:\n%s", tc.flags, r.code, r.stderr)
		}
		if got := exportRequests(s); got != tc.want {
			t.Errorf("%v: the fake received %d export requests, want %d", tc.flags, got, tc.want)
		}
	}
}

// TestFlagsWinOverTheEnvironment pins the precedence of --region,
// --project-id and --iam-endpoint over HUAWEICLOUD_SDK_REGION,
// HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_IAM_ENDPOINT, which only
// stand in for flags not given (hss help; the README). The variables are
// set to values that each break the call: a region that is not the fake's
// (the IAM token is scoped by region name), a project the fake does not
// have, and an IAM that refuses the user. With the right flags the export
// succeeds, through the flag's IAM, in the flag's project.
func TestFlagsWinOverTheEnvironment(t *testing.T) {
	useCredentials(t, credPassword) // a token from IAM: the IAM endpoint and the region matter
	s := newFake(t)
	wrongIAM := newWrongCredentialsFake(t)
	wrongProject := strings.Repeat("f", 32)
	if wrongProject == s.ProjectID() {
		t.Fatal("the wrong project is the fake's")
	}
	t.Setenv(hss.EnvRegion, "eu-west-101")
	t.Setenv(hss.EnvProjectID, wrongProject)
	t.Setenv(hss.EnvIAMEndpoint, wrongIAM.URL)

	r := runCLI(t, "", "export", "--endpoint", s.URL, "--region", s.Region(), "--project-id", s.ProjectID(),
		"--iam-endpoint", s.URL, "--category", "host", "--event-id", "c1")
	if r.code != 0 || !strings.Contains(r.stdout, `"task_id"`) {
		t.Fatalf("exit status %d, stdout %q; stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var hssReqs, iamReqs int
	for _, req := range s.Requests() {
		switch {
		case strings.HasPrefix(req.Path, "/v3/"):
			iamReqs++
		case !strings.HasPrefix(req.Path, "/v5/"+s.ProjectID()+"/"):
			t.Errorf("request %s %s is not in the project of --project-id %s", req.Method, req.Path, s.ProjectID())
		default:
			hssReqs++
		}
	}
	if hssReqs == 0 || iamReqs == 0 {
		t.Errorf("the fake received %d HSS and %d IAM requests, want both", hssReqs, iamReqs)
	}
	if n := len(wrongIAM.Requests()); n != 0 {
		t.Errorf("$%s received %d requests despite --iam-endpoint", hss.EnvIAMEndpoint, n)
	}

	// And the variables do stand in for the flags not given: the same call
	// with only the region and the IAM endpoint from the environment.
	s.ResetRequests()
	t.Setenv(hss.EnvRegion, s.Region())
	t.Setenv(hss.EnvProjectID, "")
	t.Setenv(hss.EnvIAMEndpoint, s.URL)
	r = runCLI(t, "", "export", "--endpoint", s.URL, "--category", "host", "--event-id", "c1")
	if r.code != 0 || exportRequests(s) != 1 {
		t.Errorf("with the environment only: exit status %d, %d exports; stderr:\n%s", r.code, exportRequests(s), r.stderr)
	}
}

// TestRepeatedFlags pins which flags may be given twice: a connection flag
// after a script's usual ones overrides them (the last wins: here a wrong
// project id, then the fake's); a filter repeated with the same value is
// that value (one export, the filter sent once). A filter repeated with
// another value is refused (TestBadInputIsRefusedBeforeSending).
func TestRepeatedFlags(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	usual := append(at(s), "--project-id", strings.Repeat("f", 32), "--timeout", "1ns")
	r := runCLI(t, "", append(append([]string{"export"}, usual...), "--project-id", s.ProjectID(), "--timeout", "30s",
		"--category", "host", "--event-id", "c1", "--severity", "High", "--severity", "High")...)
	if r.code != 0 || exportRequests(s) != 1 {
		t.Fatalf("exit status %d, %d exports; stderr:\n%s", r.code, exportRequests(s), r.stderr)
	}
	req := s.Requests()[len(s.Requests())-1]
	if !strings.HasPrefix(req.Path, "/v5/"+s.ProjectID()+"/") {
		t.Errorf("sent to %s, want the project of the last --project-id", req.Path)
	}
	if got := parseQuery(t, req.RawQuery)["severity"]; len(got) != 1 || got[0] != "High" {
		t.Errorf("severity sent as %q, want [High]", got)
	}
}

// TestEmptyEndpointFlagsAreRefused pins the refusal of --endpoint= and
// --iam-endpoint= given empty: exit 2, the flag named, nothing sent. The
// environment points the fallbacks (the region's HSS endpoint and the IAM
// endpoint) at the fake, so that an empty flag silently falling back would
// show up as requests rather than reach the real service.
func TestEmptyEndpointFlagsAreRefused(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	t.Setenv(hss.EndpointEnv(s.Region()), s.URL)
	t.Setenv(hss.EnvIAMEndpoint, s.URL)
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"--endpoint", []string{"--region", s.Region(), "--endpoint="}},
		{"--iam-endpoint", []string{"--region", s.Region(), "--endpoint", s.URL, "--iam-endpoint="}},
		{"--iam-endpoint", []string{"--region", s.Region(), "--iam-endpoint", ""}},
	} {
		s.ResetRequests()
		r := runCLI(t, "", append(append([]string{"export"}, tc.args...), "--category", "host", "--event-id", "c1")...)
		if r.code != 2 || !strings.Contains(r.stderr, "invalid "+tc.flag+": empty") {
			t.Errorf("%v: exit status %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, "invalid "+tc.flag+": empty")
		}
		if r.stdout != "" {
			t.Errorf("%v: stdout %q", tc.args, r.stdout)
		}
		if got := s.Requests(); len(got) != 0 {
			t.Errorf("%v: the fake received %d requests, want none; first %s %s", tc.args, len(got), got[0].Method, got[0].Path)
		}
	}
}

// TestOutputKeepsTheGivenTimeout pins that --output replaces the default
// --timeout by 10m only when --timeout was not given: with --timeout 1s
// and task reads that never answer, the export gives up after about 1s and
// blames the timeout.
func TestOutputKeepsTheGivenTimeout(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export-task/", Silent: true, Count: -1})
	dir := t.TempDir()
	// The outer bound turns a --timeout replaced by 10m into a failure
	// rather than a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	start := time.Now()
	r := runCLIContext(t, ctx, "", append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1",
		"--output", filepath.Join(dir, "e.csv"), "--poll-interval", "20ms", "--timeout", "1s")...)
	took := time.Since(start)
	if r.code != 1 || !strings.Contains(r.stderr, "--timeout of 1s") {
		t.Errorf("exit status %d, want 1 and the --timeout of 1s blamed; stderr:\n%s", r.code, r.stderr)
	}
	if took > 5*time.Second {
		t.Errorf("took %s: the --timeout of 1s was not honoured", took)
	}
	assertDirHolds(t, dir)
}

// TestOutputToStandardOutputLeavesNoTemporaryFile pins the unlink of the
// temporary file --output - downloads into: $TMPDIR is empty afterwards,
// and the CSV went to standard output.
func TestOutputToStandardOutputLeavesNoTemporaryFile(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if os.TempDir() != tmp {
		t.Skipf("os.TempDir() is %s, not $TMPDIR, on this system", os.TempDir())
	}
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1",
		"--output", "-", "--poll-interval", "20ms")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	tasks := s.Tasks()
	if len(tasks) != 1 {
		t.Fatalf("the fake has %d tasks, want 1", len(tasks))
	}
	if file, _ := s.ExportCSV(tasks[0].ID); r.stdout != string(file) || !strings.HasPrefix(r.stdout, "Event ID,") {
		t.Errorf("stdout is not the file:\n%.200s\nwant:\n%.200s", r.stdout, file)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left %s behind in $TMPDIR", e.Name())
	}
}

// emulator is a running hss emulator, started by startEmulator.
type emulator struct {
	url       string
	projectID string
	stderr    *syncBuffer
	cancel    context.CancelFunc
	done      chan int

	once    sync.Once
	code    int
	stopped time.Duration // how long it took to stop
}

// readyLine is the emulator's first line: where it listens, for which
// region and project.
var readyLine = regexp.MustCompile(`listening on (http://\S+) \(region (\S+), project (\S+)\)`)

// startEmulator runs hss emulator with args and waits until it says where
// it listens. It is stopped at the end of the test.
func startEmulator(t *testing.T, args ...string) *emulator {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := &emulator{stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		e.done <- run(ctx, append([]string{"emulator"}, args...), strings.NewReader(""), io.Discard, e.stderr)
	}()
	t.Cleanup(func() { e.stop(t) })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := readyLine.FindStringSubmatch(e.stderr.String()); m != nil {
			e.url, e.projectID = m[1], m[3]
			return e
		}
		select {
		case code := <-e.done:
			e.done <- code // for stop
			t.Fatalf("the emulator exited with status %d before it was ready:\n%s", code, e.stderr.String())
		default:
		}
	}
	t.Fatalf("the emulator did not say where it listens within 5s:\n%s", e.stderr.String())
	return nil
}

// stop cancels the emulator's context and returns its exit status; it
// fails the test when it does not stop within 5s.
func (e *emulator) stop(t *testing.T) int {
	t.Helper()
	e.once.Do(func() {
		start := time.Now()
		e.cancel()
		select {
		case e.code = <-e.done:
			e.stopped = time.Since(start)
		case <-time.After(5 * time.Second):
			e.code = -1
			e.stopped = 5 * time.Second
			t.Errorf("the emulator did not stop within 5s:\n%s", e.stderr.String())
		}
	})
	return e.code
}

// client returns a client of the emulator, with its published credentials.
func (e *emulator) client(t *testing.T) *hss.Client {
	t.Helper()
	c, err := hss.New(hss.Config{
		Region:      hsstest.DefaultRegion,
		ProjectID:   e.projectID,
		Credentials: hss.AccessKey{ID: hsstest.DefaultAccessKey, Secret: hsstest.DefaultSecretKey},
		Endpoint:    e.url,
		IAMEndpoint: e.url,
		MaxAttempts: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// useEmulatorCredentials puts the emulator's published access key pair
// (and only it) in the environment.
func useEmulatorCredentials(t *testing.T) {
	t.Helper()
	clearEnv(t)
	t.Setenv(hss.EnvAccessKey, hsstest.DefaultAccessKey)
	t.Setenv(hss.EnvSecretKey, hsstest.DefaultSecretKey)
	t.Setenv(hss.EnvRegion, hsstest.DefaultRegion)
}

// TestEmulatorProjectIDReachesTheFake pins --project-id (and --region) of
// hss emulator: the ready line and the printed flags show them, a call in
// that project works, and the fake's IAM finds that project for a call in
// that region without --project-id. Without --debug the emulator logs no
// request.
func TestEmulatorProjectIDReachesTheFake(t *testing.T) {
	useEmulatorCredentials(t)
	const project, region = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "eu-west-101"
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--project-id", project, "--region", region)
	if m := readyLine.FindStringSubmatch(e.stderr.String()); m[2] != region || m[3] != project ||
		!strings.Contains(e.stderr.String(), "--project-id "+project) {
		t.Errorf("the emulator does not show region %s and project %s:\n%s", region, project, e.stderr.String())
	}
	r := runCLI(t, "", "export", "--region", region, "--endpoint", e.url, "--iam-endpoint", e.url, "--project-id", project, "--category", "host", "--event-id", "c1")
	if r.code != 0 || !strings.Contains(r.stdout, `"task_id"`) {
		t.Errorf("export in project %s: exit status %d, stdout %q; stderr:\n%s", project, r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "export", "--region", region, "--endpoint", e.url, "--iam-endpoint", e.url, "--category", "host", "--event-id", "c1", "--debug")
	if r.code != 0 || !strings.Contains(r.stderr, "/v5/"+project+"/event/export") {
		t.Errorf("export with the project found through IAM: exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(e.stderr.String(), "hsstest: ") {
		t.Errorf("the emulator logs requests without --debug:\n%s", e.stderr.String())
	}
}

// TestEmulatorExportDurationReachesTheFake pins --export-duration of hss
// emulator: with 1h, a task is still running well after the default
// duration (hsstest.DefaultExportDuration) has passed.
func TestEmulatorExportDurationReachesTheFake(t *testing.T) {
	useEmulatorCredentials(t)
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--export-duration", "1h")
	c := e.client(t)
	ctx := context.Background()
	res, err := c.ExportEvents(ctx, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "c1"}, defaultColumns)
	if err != nil || res.TaskId == nil {
		t.Fatalf("export: %v, %+v", err, res)
	}
	time.Sleep(hsstest.DefaultExportDuration + time.Second)
	task, err := c.ShowExportTask(ctx, *res.TaskId, "")
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskStatus == nil || *task.TaskStatus != hss.TaskRunning {
		status := "without a status"
		if task.TaskStatus != nil {
			status = string(*task.TaskStatus)
		}
		t.Errorf("the task is %s %s after submission, want running under --export-duration 1h", status, hsstest.DefaultExportDuration+time.Second)
	}
}

// TestEmulatorKeepsTheLastTasks pins the bound on the tasks hss emulator
// keeps (MaxTasks: emulatorMaxTasks, 1000): after 1001 exports the first
// task is unknown and the second still known.
func TestEmulatorKeepsTheLastTasks(t *testing.T) {
	if emulatorMaxTasks != 1000 || emulatorMaxRequests != 10000 {
		t.Errorf("the emulator keeps %d tasks and %d requests, want 1000 and 10000 (the README says so)", emulatorMaxTasks, emulatorMaxRequests)
	}
	useEmulatorCredentials(t)
	e := startEmulator(t, "--addr", "127.0.0.1:0")
	c := e.client(t)
	ctx := context.Background()
	var ids []string
	for range emulatorMaxTasks + 1 {
		res, err := c.ExportEvents(ctx, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "c1"}, hss.ExportColumns{{"event_id", "ID"}})
		if err != nil || res.TaskId == nil {
			t.Fatalf("export %d: %v", len(ids)+1, err)
		}
		ids = append(ids, *res.TaskId)
	}
	_, err := c.ShowExportTask(ctx, ids[0], "")
	var api *hss.APIError
	if !errors.As(err, &api) || api.StatusCode != http.StatusNotFound {
		t.Errorf("the first of %d tasks: %v; want 404, dropped", len(ids), err)
	}
	for _, id := range []string{ids[1], ids[len(ids)-1]} {
		if _, err := c.ShowExportTask(ctx, id, ""); err != nil {
			t.Errorf("task %s, among the last %d: %v", id, emulatorMaxTasks, err)
		}
	}
}

// TestEmulatorListensOnLocalhost pins --addr localhost:0: accepted as a
// loopback address, and served.
func TestEmulatorListensOnLocalhost(t *testing.T) {
	useEmulatorCredentials(t)
	e := startEmulator(t, "--addr", "localhost:0")
	r := runCLI(t, "", "export", "--endpoint", e.url, "--iam-endpoint", e.url, "--category", "host", "--event-id", "c1")
	if r.code != 0 {
		t.Errorf("export against %s: exit status %d; stderr:\n%s", e.url, r.code, r.stderr)
	}
	if code := e.stop(t); code != 0 {
		t.Errorf("the emulator stopped with status %d:\n%s", code, e.stderr.String())
	}
}

// TestEmulatorDebugLogsEachRequest pins --debug of hss emulator: one line
// on standard error per request it answers, with the method, path and
// status.
func TestEmulatorDebugLogsEachRequest(t *testing.T) {
	useEmulatorCredentials(t)
	e := startEmulator(t, "--addr", "127.0.0.1:0", "--debug")
	for range 3 {
		r := runCLI(t, "", "export", "--endpoint", e.url, "--project-id", e.projectID, "--category", "host", "--event-id", "c1")
		if r.code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
		}
	}
	logged := regexp.MustCompile(`(?m)^hsstest: (\S+) (\S+) -> (\d+) \(request id \w+\)$`).FindAllStringSubmatch(e.stderr.String(), -1)
	if len(logged) != 3 {
		t.Fatalf("%d request lines for 3 requests:\n%s", len(logged), e.stderr.String())
	}
	for _, m := range logged {
		if m[1] != http.MethodPost || m[2] != "/v5/"+e.projectID+"/event/export" || m[3] != "200" {
			t.Errorf("logged %q, want POST /v5/%s/event/export -> 200", m[0], e.projectID)
		}
	}
}

// TestEmulatorStopsPromptly pins that hss emulator returns 0 soon after
// its context ends, with a keep-alive connection open from a finished
// call. (Stopping while a request is held by a Silent fault, which is what
// fake.Close before Shutdown is for, cannot be tested from here: the
// emulator's hsstest.Server is local to runEmulator, so no fault can be
// injected into it.)
func TestEmulatorStopsPromptly(t *testing.T) {
	useEmulatorCredentials(t)
	e := startEmulator(t, "--addr", "127.0.0.1:0")
	if _, err := e.client(t).ProjectID(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A client that connected and sent nothing, and one that sent half a
	// request: Shutdown alone would wait for them until its deadline.
	host := strings.TrimPrefix(e.url, "http://")
	for _, partial := range []string{"", "POST /v5/" + e.projectID + "/event/export HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 100\r\n\r\n{"} {
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, partial); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // let the server take both
	if code := e.stop(t); code != 0 || e.stopped > 3*time.Second {
		t.Errorf("stopped with status %d after %s; want 0 within 3s:\n%s", code, e.stopped, e.stderr.String())
	}
}

// TestNonJSONErrorBodyIsShortenedAndQuoted pins how report shows an
// error answer that is not an error document (a proxy's HTML page): the
// first 200 bytes, quoted, on one line, not the whole body.
func TestNonJSONErrorBodyIsShortenedAndQuoted(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	page := "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n"
	for i := 0; len(page) < 1000; i++ {
		page += fmt.Sprintf("<p>upstream %d is not answering</p>\n", i)
	}
	page += "<p>END-OF-PAGE</p></body></html>\n"
	s.InjectFault(hsstest.Fault{Status: http.StatusBadGateway, Body: page})
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...), "--project-id", s.ProjectID(), "--category", "host", "--event-id", "c1")...)
	if r.code != 1 || !strings.Contains(r.stderr, "502 Bad Gateway") {
		t.Fatalf("exit status %d, want 1 and the 502; stderr:\n%s", r.code, r.stderr)
	}
	want := "  body:        " + strconv.Quote(page[:200]) + "\n"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks the line %q:\n%s", want, r.stderr)
	}
	if strings.Contains(r.stderr, "END-OF-PAGE") || strings.Contains(r.stderr, "</title></head>\n") {
		t.Errorf("stderr holds the body whole, or unquoted:\n%s", r.stderr)
	}
}

// TestThrottlingAndRefusalHints pins the "retry after" line of a 429 and
// the hints of a 429, a 403 and a 401 on standard error.
func TestThrottlingAndRefusalHints(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	args := append(append([]string{"export"}, at(s)...), "--project-id", s.ProjectID(), "--category", "host", "--event-id", "c1", "--max-attempts", "1")
	for _, tc := range []struct {
		fault hsstest.Fault
		want  []string
	}{
		{hsstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "7"}, []string{
			"429 Too Many Requests", "  retry after: 7\n",
			"  hint:        throttled: try again later, or raise --max-attempts and --timeout\n"}},
		{hsstest.Fault{Status: http.StatusForbidden}, []string{
			"403 Forbidden", "  hint:        check --project-id and the permissions of the credentials\n"}},
		{hsstest.Fault{Status: http.StatusUnauthorized}, []string{
			"401 Unauthorized", "  hint:        check the credentials in the environment (HUAWEICLOUD_SDK_*) and the clock\n"}},
	} {
		s.InjectFault(tc.fault)
		r := runCLI(t, "", args...)
		if r.code != 1 {
			t.Errorf("%d: exit status %d, want 1", tc.fault.Status, r.code)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%d: stderr lacks %q:\n%s", tc.fault.Status, w, r.stderr)
			}
		}
		if tc.fault.RetryAfter == "" && strings.Contains(r.stderr, "retry after") {
			t.Errorf("%d: a retry after line without Retry-After:\n%s", tc.fault.Status, r.stderr)
		}
	}
}

// TestVersionFlag pins the --version and -version aliases of hss version.
func TestVersionFlag(t *testing.T) {
	clearEnv(t)
	for _, arg := range []string{"--version", "-version"} {
		r := runCLI(t, "", arg)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "hss "+hss.Version+" ") || r.stderr != "" {
			t.Errorf("hss %s: exit status %d, stdout %q, stderr %q; want 0 and the version", arg, r.code, r.stdout, r.stderr)
		}
	}
}

// fullWriter fails every write, as standard output on a full disk or a
// closed pipe does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputThatCannotBeWrittenFails pins the exit status of a command
// whose output is lost: 1, with the error on standard error.
func TestOutputThatCannotBeWrittenFails(t *testing.T) {
	clearEnv(t)
	for _, cmd := range []string{"version", "regions"} {
		var stderr bytes.Buffer
		if code := run(context.Background(), []string{cmd}, strings.NewReader(""), fullWriter{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "no space left") {
			t.Errorf("hss %s to a full disk: exit status %d, stderr %q; want 1 and the error", cmd, code, stderr.String())
		}
	}
}

// TestEmulatorOptions pins the options the emulator's flags give the fake:
// its region, project and export duration, the bounds on what it keeps
// however long it runs (10000 requests, 1000 tasks, as the README says),
// and a request log only with --debug.
func TestEmulatorOptions(t *testing.T) {
	var c emulatorCmd
	f := c.flags()
	if err := f.parse([]string{"--region", "eu-west-101", "--project-id", "p1", "--export-duration", "3s"}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	o := c.options(&log)
	if o.Region != "eu-west-101" || o.ProjectID != "p1" || o.ExportDuration != 3*time.Second {
		t.Errorf("options %+v do not follow the flags", o)
	}
	if o.MaxRequests != 10000 || o.MaxTasks != 1000 {
		t.Errorf("keeps %d requests and %d tasks, want 10000 and 1000", o.MaxRequests, o.MaxTasks)
	}
	if o.Logf != nil || o.AnyColumns {
		t.Error("a request log without --debug, or unknown columns without --any-columns")
	}
	if err := f.parse([]string{"--any-columns"}); err != nil || !c.options(&log).AnyColumns {
		t.Errorf("--any-columns: %v, AnyColumns not set", err)
	}
	c.debug = true
	if o = c.options(&log); o.Logf == nil {
		t.Fatal("no request log with --debug")
	}
	o.Logf("hsstest: %s", "GET /x")
	if log.String() != "hsstest: GET /x\n" {
		t.Errorf("logged %q", log.String())
	}
}
