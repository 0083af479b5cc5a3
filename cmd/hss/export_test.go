package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// lastExport returns the last export request the fake received.
func lastExport(t *testing.T, s *hsstest.Server) hsstest.Request {
	t.Helper()
	reqs := s.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(reqs[i].Path, "/event/export") {
			return reqs[i]
		}
	}
	t.Fatal("the fake received no export request")
	return hsstest.Request{}
}

func TestExportPrintsTheAnswer(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	types := []int32{hss.EventRootkit, hss.EventAbnormalLogin, hss.EventHighRiskCommand}
	severities := []hss.Severity{hss.SeverityHigh, hss.SeverityCritical}
	// Both forms of a flag, both forms of a list.
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category=host", "--event-id", "case-1", "--last-days", "7",
		"--severity-list", "High", "--severity-list=Critical",
		"--event-types=1010,4004", "--event-types", "3015")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr is not empty: %q", r.stderr)
	}

	// What the fake holds that matches, counted here independently.
	weekAgo := time.Now().AddDate(0, 0, -7).UnixMilli()
	want := 0
	for _, e := range s.Events() {
		// Without --enterprise-project-id, the default enterprise project.
		if e.Category == hss.CategoryHost && e.EnterpriseProjectID == "0" && e.OccurTime >= weekAgo &&
			slices.Contains(severities, e.Severity) && slices.Contains(types, e.Type) {
			want++
		}
	}
	if want == 0 {
		t.Fatal("no seeded event matches: the test proves nothing")
	}
	var got struct {
		RecordTotalNum *int32  `json:"record_total_num"`
		TaskID         *string `json:"task_id"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || got.RecordTotalNum == nil || got.TaskID == nil {
		t.Fatalf("stdout is not the answer (%v): %q", err, r.stdout)
	}
	if int(*got.RecordTotalNum) != want {
		t.Errorf("record_total_num %d, want %d", *got.RecordTotalNum, want)
	}
	if tasks := s.Tasks(); len(tasks) != 1 || tasks[0].ID != *got.TaskID {
		t.Errorf("task_id %q, the fake has %+v", *got.TaskID, tasks)
	}

	// The lists went exploded: one key per value, in order.
	req := lastExport(t, s)
	q := parseQuery(t, req.RawQuery)
	// Every value given, repeated flags and commas alike; the client sends a
	// list's values sorted (the signature's order).
	if !reflect.DeepEqual(q["severity_list"], []string{"Critical", "High"}) {
		t.Errorf("severity_list %q, want [Critical High] (raw query %s)", q["severity_list"], req.RawQuery)
	}
	if !reflect.DeepEqual(q["event_types"], []string{"1010", "3015", "4004"}) {
		t.Errorf("event_types %q, want [1010 3015 4004] (raw query %s)", q["event_types"], req.RawQuery)
	}
	if q.Get("category") != "host" || q.Get("last_days") != "7" || q.Get("event_id") != "case-1" {
		t.Errorf("query %s", req.RawQuery)
	}
	// The default columns went in the body.
	var body [][]string
	if err := json.Unmarshal(req.Body, &body); err != nil || !reflect.DeepEqual(body, [][]string(defaultColumns)) {
		t.Errorf("body %s, want the default columns", req.Body)
	}
	if req.Auth != hsstest.AuthAKSK {
		t.Errorf("auth %s, want AK/SK", req.Auth)
	}
}

func TestExportWaitWritesTheFile(t *testing.T) {
	useCredentials(t, credToken)
	s := newFake(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "events.csv")
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "case-2", "--host-name", "web-01",
		"--column", "event_id=ID", "--column=host_name=Server name", "--column", "severity = Risk",
		"--wait", "--output", out, "--poll-interval", "20ms")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("stderr is not a terminal, yet got %q", r.stderr)
	}
	var res exportResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows[0], []string{"ID", "Server name", "Risk"}) {
		t.Errorf("column titles %q", rows[0])
	}
	var want []string
	for _, e := range s.Events() {
		if e.Category == hss.CategoryHost && e.HostName == "web-01" {
			want = append(want, e.ID)
		}
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[0])
		if row[1] != "web-01" {
			t.Errorf("row %q is not of web-01", row)
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("rows of events %q, want %q", got, want)
	}
	tasks := s.Tasks()
	if len(tasks) != 1 || res.TaskID != tasks[0].ID || res.RecordTotalNum == nil || int(*res.RecordTotalNum) != len(want) ||
		res.TaskStatus != "success" || res.Output != out || res.Bytes != fileSize(t, out) {
		t.Errorf("printed %+v; the fake has %+v", res, tasks)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only the file", len(entries))
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestExportToStandardOutput(t *testing.T) {
	useCredentials(t, credPassword)
	s := newFake(t)
	cols := writeFile(t, "cols.json", `[["event_name","Alarm"],["event_class_id","Class"]]`)
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category", "container", "--event-id", "case-3", "--body", cols, "--output", "-", "--poll-interval=20ms")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	tasks := s.Tasks()
	if len(tasks) != 1 {
		t.Fatalf("the fake has %d tasks", len(tasks))
	}
	file, _ := s.ExportCSV(tasks[0].ID)
	if r.stdout != string(file) || !strings.HasPrefix(r.stdout, "Alarm,Class\n") {
		t.Errorf("stdout is not the file:\n%s\nwant:\n%s", r.stdout, file)
	}
}

func TestExportColumnsFromStandardInput(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	r := runCLI(t, `[["host_name","Host"]]`, append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "c", "--auto-block", "--body", "-")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	req := lastExport(t, s)
	if string(req.Body) != `[["host_name","Host"]]` {
		t.Errorf("body %s", req.Body)
	}
	if q := parseQuery(t, req.RawQuery); q.Get("auto_block") != "true" {
		t.Errorf("--auto-block sent %q, want true", q.Get("auto_block"))
	}
}

func TestExportTaskFailureLeavesNoFile(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.FailNextExport()
	dir := t.TempDir()
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "c", "--output", filepath.Join(dir, "e.csv"), "--poll-interval", "20ms")...)
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if tasks := s.Tasks(); len(tasks) != 1 || !strings.Contains(r.stderr, tasks[0].ID) || !strings.Contains(r.stderr, "failure") {
		t.Errorf("stderr does not name the failed task:\n%s", r.stderr)
	}
	assertDirHolds(t, dir)
}

func TestExportCutDownloadLeavesNoFile(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/download/", CutAfter: 10})
	dir := t.TempDir()
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "c", "--output", filepath.Join(dir, "e.csv"), "--poll-interval", "20ms")...)
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	assertDirHolds(t, dir)
	if strings.Contains(r.stderr, "written:") {
		t.Errorf("stderr says part of the file was written:\n%s", r.stderr)
	}

	// To standard output: nothing of it there, and no word of a part.
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/download/", CutAfter: 10})
	r = runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "c", "--output", "-", "--poll-interval", "20ms")...)
	if r.code != 1 || r.stdout != "" || strings.Contains(r.stderr, "written:") || !strings.Contains(r.stderr, "export task:") {
		t.Errorf("exit status %d, stdout %q, stderr:\n%s\nwant 1, nothing, a finish hint without a part written", r.code, r.stdout, r.stderr)
	}
}

// TestExportTaskIDFinishesAStoppedExport: an export whose task reads kept
// failing names its task on stderr with the command that finishes it;
// --task-id then waits for the task and writes its file (to a file or to
// standard output) without exporting again. --task-id takes no filters or
// columns and needs --output.
func TestExportTaskIDFinishesAStoppedExport(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "events.csv")
	base := append(append([]string{"export"}, at(s)...), "--project-id", s.ProjectID())
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export-task/", Status: http.StatusInternalServerError, Count: 3})
	r := runCLI(t, "", append(slices.Clone(base), "--category", "host", "--event-id", "c1", "--output", out, "--poll-interval", "10ms")...)
	tasks := s.Tasks()
	if r.code != 1 || len(tasks) != 1 {
		t.Fatalf("exit status %d, %d tasks; stderr:\n%s", r.code, len(tasks), r.stderr)
	}
	id := tasks[0].ID
	if want := "hss export --task-id " + id + " --output FILE"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
	}
	assertDirHolds(t, dir)

	r = runCLI(t, "", append(slices.Clone(base), "--task-id", id, "--output", out, "--poll-interval", "10ms")...)
	if r.code != 0 {
		t.Fatalf("--task-id: exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	want, _ := s.ExportCSV(id)
	if got, _ := os.ReadFile(out); string(got) != string(want) || len(want) == 0 {
		t.Errorf("the file holds:\n%s\nwant the task's:\n%s", got, want)
	}
	var res exportResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.TaskID != id || res.RecordTotalNum != nil || res.Bytes != int64(len(want)) {
		t.Errorf("printed %s (%v)", r.stdout, err)
	}
	r = runCLI(t, "", append(slices.Clone(base), "--task-id", id, "--output", "-")...)
	if r.code != 0 || r.stdout != string(want) {
		t.Errorf("--output -: exit status %d, stdout:\n%s", r.code, r.stdout)
	}
	if n := len(s.Tasks()); n != 1 {
		t.Errorf("%d export tasks, want the one finished", n)
	}

	// Refused before anything is sent.
	sent := len(s.Requests())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--task-id", id, "--output", out, "--category", "host"}, "--category with --task-id"},
		{[]string{"--task-id", id, "--output", out, "--column", "event_id=ID"}, "--column with --task-id"},
		{[]string{"--task-id", id, "--output", out, "--body", "-"}, "--body with --task-id"},
		{[]string{"--task-id", id}, "--task-id needs --output"},
		{[]string{"--task-id=", "--output", out}, "invalid --task-id: empty"},
		{[]string{"--task-id", "../x", "--output", out}, "invalid --task-id: must not contain /"},
	} {
		r := runCLI(t, "", append(slices.Clone(base), tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit status %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if n := len(s.Requests()); n != sent {
		t.Errorf("%d requests sent for refused input", n-sent)
	}
	if r := runCLI(t, "", append(slices.Clone(base), "--task-id", id, "--output", out, "--enterprise-project-id=")...); r.code != 2 || !strings.Contains(r.stderr, "invalid --enterprise-project-id: empty") {
		t.Errorf("--task-id with an empty --enterprise-project-id: exit status %d, stderr %q", r.code, r.stderr)
	}
	if n := len(s.Requests()); n != sent {
		t.Errorf("%d requests sent for refused input", n-sent)
	}
	if r := runCLI(t, "", append(slices.Clone(base), "--task-id", id, "--output=")...); r.code != 2 || !strings.Contains(r.stderr, "invalid --output: empty") {
		t.Errorf("--task-id with --output=: exit status %d, stderr %q", r.code, r.stderr)
	}
	// An unknown task is the service's error, leaves no file, and is not
	// offered again as the way to finish it.
	os.Remove(out)
	r = runCLI(t, "", append(slices.Clone(base), "--task-id", "no-such-task", "--output", out)...)
	if r.code != 1 || !strings.Contains(r.stderr, "404") || strings.Contains(r.stderr, "finish it") {
		t.Errorf("unknown task: exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	assertDirHolds(t, dir)

	// A --task-id run that fails again does not offer itself again.
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export-task/", Status: http.StatusServiceUnavailable, Count: 3})
	if r := runCLI(t, "", append(slices.Clone(base), "--task-id", id, "--output", out, "--poll-interval", "10ms")...); r.code != 1 || strings.Contains(r.stderr, "finish it") {
		t.Errorf("a --task-id run that got 503s: exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	// --task-id reads the task in the enterprise project it is given, to a
	// file and to standard output.
	for _, o := range []string{out, "-"} {
		s.ResetRequests()
		if r := runCLI(t, "", append(slices.Clone(base), "--task-id", id, "--output", o, "--enterprise-project-id", "all_granted_eps")...); r.code != 0 {
			t.Errorf("--output %s: exit status %d; stderr:\n%s", o, r.code, r.stderr)
		}
		for _, req := range s.Requests() {
			if !strings.Contains(req.RawQuery, "enterprise_project_id=all_granted_eps") {
				t.Errorf("--output %s: %s %s?%s without the enterprise project", o, req.Method, req.Path, req.RawQuery)
			}
		}
	}
	os.Remove(out)

	// The hint names the export's enterprise project, which its task's
	// reads need.
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export-task/", Status: http.StatusServiceUnavailable, Count: 3})
	r = runCLI(t, "", append(slices.Clone(base), "--category", "host", "--event-id", "c1", "--enterprise-project-id", "all_granted_eps", "--output", out, "--poll-interval", "10ms")...)
	if want := " --enterprise-project-id all_granted_eps --output FILE)"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit status %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
	}
}

// TestExportUnusableFileIDIsNotBadInput: a task that names a file id no
// path can carry is the service's fault, after the export was sent: exit
// status 1, not 2, and no offer to finish it.
func TestExportUnusableFileIDIsNotBadInput(t *testing.T) {
	useCredentials(t, credToken)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			_, _ = io.WriteString(w, `{"record_total_num":1,"task_id":"t1"}`)
			return
		}
		_, _ = io.WriteString(w, `{"task_id":"t1","task_status":"success","file_id":"a/b"}`)
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "out.csv")
	r := runCLI(t, "", "export", "--region", "ap-southeast-1", "--endpoint", srv.URL, "--project-id", "p1",
		"--category", "host", "--event-id", "c1", "--output", out, "--poll-interval", "10ms")
	if r.code != 1 || !strings.Contains(r.stderr, "file_id") || strings.Contains(r.stderr, "finish it") ||
		!strings.HasPrefix(r.stderr, "hss export: ") || strings.HasPrefix(r.stderr, "hss export: hss:") {
		t.Errorf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
}

// TestExportUnusableTaskIDIsNotBadInput: a task id that no path carries,
// in the service's answer to the export, is a failure of the service (exit
// 1, no resume offered), not bad input (2).
func TestExportUnusableTaskIDIsNotBadInput(t *testing.T) {
	useCredentials(t, credToken)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"record_total_num":1,"task_id":"a/b"}`)
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "out.csv")
	r := runCLI(t, "", "export", "--region", "ap-southeast-1", "--endpoint", srv.URL, "--project-id", "p1",
		"--category", "host", "--event-id", "c1", "--output", out)
	if r.code != 1 || !strings.Contains(r.stderr, `task id "a/b"`) || strings.Contains(r.stderr, "finish it") ||
		!strings.HasPrefix(r.stderr, "hss export: ") || strings.Contains(r.stderr, "hss: ") {
		t.Errorf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
}

// TestPrintFinishHint: the finish-it line quotes for a shell what needs it
// and names the enterprise project; it is left out where resuming cannot
// help.
func TestPrintFinishHint(t *testing.T) {
	var b strings.Builder
	cause := &hss.APIError{StatusCode: http.StatusServiceUnavailable}
	printFinishHint(&b, &hss.ExportError{TaskID: "t 1", EnterpriseProjectID: "it's", Stage: hss.StageRunning, Err: cause})
	if want := `(finish it: hss export --task-id 't 1' --enterprise-project-id 'it'\''s' --output FILE)`; !strings.Contains(b.String(), want) {
		t.Errorf("printed %q, want %q in it", b.String(), want)
	}
	if strings.Contains(b.String(), "written:") {
		t.Errorf("printed %q: nothing was written", b.String())
	}
	b.Reset()
	printFinishHint(&b, &hss.ExportError{TaskID: "t1", Stage: hss.StageDownloading, Written: 10, Err: cause})
	if want := "written:     10 bytes of the file had gone to --output"; !strings.Contains(b.String(), want) {
		t.Errorf("printed %q, want %q in it", b.String(), want)
	}
	b.Reset()
	printFinishHint(&b, &hss.ExportError{TaskID: "t1", Err: &hss.APIError{StatusCode: http.StatusNotFound}})
	printFinishHint(&b, errors.New("not an export"))
	if b.Len() != 0 {
		t.Errorf("printed %q for a 404 and a plain error", b.String())
	}
}

// assertDirHolds fails the test unless dir holds exactly names.
func assertDirHolds(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// TestExportFinishHintOnlyWhereItHelps: after an export was accepted, the
// line that says how to finish it comes where finishing can help (a 5xx, a
// 401 that other credentials mend), not where it cannot (the task is
// unknown, 404; the task failed).
func TestExportFinishHintOnlyWhereItHelps(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	tasks := "/v5/" + s.ProjectID() + "/event/export-task/"
	out := filepath.Join(t.TempDir(), "out.csv")
	args := append(append([]string{"export"}, at(s)...), "--project-id", s.ProjectID(), "--category", "host", "--event-id", "c1",
		"--output", out, "--poll-interval", "10ms", "--max-attempts", "1")
	for _, tc := range []struct {
		name string
		arm  func()
		hint bool
	}{
		{"503", func() { s.InjectFault(hsstest.Fault{Path: tasks, Status: http.StatusServiceUnavailable}) }, true},
		{"401", func() { s.InjectFault(hsstest.Fault{Path: tasks, Status: http.StatusUnauthorized}) }, true},
		{"404", func() { s.InjectFault(hsstest.Fault{Path: tasks, Status: http.StatusNotFound}) }, false},
		{"failed task", func() { s.FailNextExport() }, false},
	} {
		tc.arm()
		r := runCLI(t, "", args...)
		if got := strings.Contains(r.stderr, "finish it: hss export --task-id "); r.code != 1 || got != tc.hint {
			t.Errorf("%s: exit status %d, finish line %t, want %t; stderr:\n%s", tc.name, r.code, got, tc.hint, r.stderr)
		}
		s.ClearFaults()
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"1ea3032eca23bff16ed281ad": "1ea3032eca23bff16ed281ad",
		"all_granted_eps":          "all_granted_eps",
		"a b":                      "'a b'",
		"it's":                     `'it'\''s'`,
		"":                         "''",
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}
