package hsstest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
)

// TestExportCounts checks record_total_num against counts computed here,
// independently, from the events the fake holds.
func TestExportCounts(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	events := srv.Events()
	if len(events) < 15 {
		t.Fatalf("seeded %d events, want a realistic set", len(events))
	}
	first, second := events[0], events[3]
	ms := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).UnixMilli(), 10) }
	day := 24 * time.Hour

	tests := []struct {
		name     string
		category string
		query    url.Values
		want     func(e hsstest.Event) bool
		paged    func(n int) int // applies paging to the count, when set
	}{
		{"all host", "host", nil, func(e hsstest.Event) bool { return true }, nil},
		{"all container", "container", nil, func(e hsstest.Event) bool { return true }, nil},
		{"host_name", "host", url.Values{"host_name": {"web-01"}}, func(e hsstest.Event) bool { return e.HostName == "web-01" }, nil},
		{"host_id", "host", url.Values{"host_id": {first.HostID}}, func(e hsstest.Event) bool { return e.HostID == first.HostID }, nil},
		{"private_ip", "host", url.Values{"private_ip": {"192.168.1.21"}}, func(e hsstest.Event) bool { return e.PrivateIP == "192.168.1.21" }, nil},
		{"public_ip", "host", url.Values{"public_ip": {"119.8.10.30"}}, func(e hsstest.Event) bool { return e.PublicIP == "119.8.10.30" }, nil},
		{"container_name", "container", url.Values{"container_name": {"nginx-7d9f8c6b5-x2lqp"}}, func(e hsstest.Event) bool { return e.ContainerName == "nginx-7d9f8c6b5-x2lqp" }, nil},
		{"cluster_id on host", "host", url.Values{"cluster_id": {"3c1f8a52-6d0e-11ef-9b7a-0255ac100041"}}, func(e hsstest.Event) bool { return false }, nil},
		{"event_name", "host", url.Values{"event_name": {"Abnormal login"}}, func(e hsstest.Event) bool { return e.Name == "Abnormal login" }, nil},
		{"severity", "host", url.Values{"severity": {"High"}}, func(e hsstest.Event) bool { return e.Severity == "High" }, nil},
		{"severity_list", "host", url.Values{"severity_list": {"High", "Critical"}}, func(e hsstest.Event) bool { return e.Severity == "High" || e.Severity == "Critical" }, nil},
		{"event_type", "host", url.Values{"event_type": {"3015"}}, func(e hsstest.Event) bool { return e.Type == 3015 }, nil},
		{"event_types", "host", url.Values{"event_types": {"4002", "4004"}}, func(e hsstest.Event) bool { return e.Type == 4002 || e.Type == 4004 }, nil},
		{"event_class_ids", "host", url.Values{"event_class_ids": {"login_0001", "rootkit_0001"}}, func(e hsstest.Event) bool { return e.ClassID == "login_0001" || e.ClassID == "rootkit_0001" }, nil},
		{"handle_status", "host", url.Values{"handle_status": {"handled"}}, func(e hsstest.Event) bool { return e.HandleStatus == "handled" }, nil},
		{"tag_list any", "host", url.Values{"tag_list": {"ssh", "mining"}}, func(e hsstest.Event) bool {
			return slices.Contains(e.Tags, "ssh") || slices.Contains(e.Tags, "mining")
		}, nil},
		{"attack_tag and asset_value", "host", url.Values{"attack_tag": {"attack_success"}, "asset_value": {"important"}}, func(e hsstest.Event) bool {
			return e.AttackTag == "attack_success" && e.AssetValue == "important"
		}, nil},
		{"att_ck", "host", url.Values{"att_ck": {"Initial Access"}}, func(e hsstest.Event) bool { return e.AttCK == "Initial Access" }, nil},
		{"auto_block", "host", url.Values{"auto_block": {"true"}}, func(e hsstest.Event) bool { return e.AutoBlock }, nil},
		{"event_id_list", "host", url.Values{"event_id_list": {first.ID, second.ID}}, func(e hsstest.Event) bool { return e.ID == first.ID || e.ID == second.ID }, nil},
		{"enterprise project 0", "host", url.Values{"enterprise_project_id": {"0"}}, func(e hsstest.Event) bool { return e.EnterpriseProjectID == "0" }, nil},
		{"all_granted_eps", "host", url.Values{"enterprise_project_id": {"all_granted_eps"}}, func(e hsstest.Event) bool { return true }, nil},
		// As the seed says: without enterprise_project_id, the default one.
		{"no enterprise project", "host", url.Values{"enterprise_project_id": nil}, func(e hsstest.Event) bool { return e.EnterpriseProjectID == "0" }, nil},
		{"last_days 1", "host", url.Values{"last_days": {"1"}}, func(e hsstest.Event) bool { return e.OccurTime >= t0.Add(-day).UnixMilli() }, nil},
		{"last_days 3", "container", url.Values{"last_days": {"3"}}, func(e hsstest.Event) bool { return e.OccurTime >= t0.Add(-3*day).UnixMilli() }, nil},
		{"begin and end", "host", url.Values{"begin_time": {ms(-2 * day)}, "end_time": {ms(-day)}}, func(e hsstest.Event) bool {
			return e.OccurTime >= t0.Add(-2*day).UnixMilli() && e.OccurTime <= t0.Add(-day).UnixMilli()
		}, nil},
		{"offset and limit", "host", url.Values{"offset": {"2"}, "limit": {"3"}}, func(e hsstest.Event) bool { return true }, func(n int) int { return min(max(n-2, 0), 3) }},
		{"export_size", "host", url.Values{"export_size": {"1"}}, func(e hsstest.Event) bool { return true }, func(n int) int { return min(n, 1) }},
		{"offset past the end", "host", url.Values{"offset": {"1000"}}, func(e hsstest.Event) bool { return true }, func(int) int { return 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := 0
			for _, e := range events {
				if string(e.Category) == tt.category && tt.want(e) {
					want++
				}
			}
			if tt.paged != nil {
				want = tt.paged(want)
			}
			got, _ := exportResult(t, srv, exportQuery(tt.category, tt.query), signed(defaultKey, t0))
			if got != want {
				t.Errorf("record_total_num %d, want %d", got, want)
			}
		})
	}
}

// TestSeededEventsAreVaried guards the filters above from passing on a
// degenerate seed: each filter value they use must select some events, but
// not all.
func TestSeededEventsAreVaried(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	events := srv.Events()
	count := func(f func(hsstest.Event) bool) int {
		n := 0
		for _, e := range events {
			if f(e) {
				n++
			}
		}
		return n
	}
	checks := map[string]func(hsstest.Event) bool{
		"container":       func(e hsstest.Event) bool { return e.Category == "container" },
		"web-01":          func(e hsstest.Event) bool { return e.HostName == "web-01" },
		"High":            func(e hsstest.Event) bool { return e.Severity == "High" },
		"handled":         func(e hsstest.Event) bool { return e.HandleStatus == "handled" },
		"ignored":         func(e hsstest.Event) bool { return e.Ignored },
		"auto_block":      func(e hsstest.Event) bool { return e.AutoBlock },
		"ssh tag":         func(e hsstest.Event) bool { return slices.Contains(e.Tags, "ssh") },
		"other EP":        func(e hsstest.Event) bool { return e.EnterpriseProjectID != "0" },
		"last day":        func(e hsstest.Event) bool { return e.OccurTime >= t0.Add(-24*time.Hour).UnixMilli() },
		"Initial Access":  func(e hsstest.Event) bool { return e.AttCK == "Initial Access" },
		"type 1010":       func(e hsstest.Event) bool { return e.Type == 1010 },
		"type 1015":       func(e hsstest.Event) bool { return e.Type == 1015 },
		"type 1016":       func(e hsstest.Event) bool { return e.Type == 1016 },
		"type 13002":      func(e hsstest.Event) bool { return e.Type == 13002 },
		"attack_success":  func(e hsstest.Event) bool { return e.AttackTag == "attack_success" },
		"asset important": func(e hsstest.Event) bool { return e.AssetValue == "important" },
	}
	for name, f := range checks {
		if n := count(f); n == 0 || n == len(events) {
			t.Errorf("%s: %d of %d seeded events, want some but not all", name, n, len(events))
		}
	}
	for i := 1; i < len(events); i++ {
		if events[i-1].OccurTime < events[i].OccurTime {
			t.Fatalf("Events() not sorted newest first at %d", i)
		}
	}
	for _, e := range events {
		if e.OccurTime > t0.UnixMilli() || e.OccurTime < t0.Add(-7*24*time.Hour).UnixMilli() {
			t.Errorf("event %s occurred at %d, outside the last week", e.ID, e.OccurTime)
		}
	}
}

// TestExportCrossFieldRules checks the rules of hss-api.md decision 4.
func TestExportCrossFieldRules(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	ms := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).UnixMilli(), 10) }
	tests := []struct {
		name  string
		query url.Values
		field string
	}{
		{"last_days with begin_time", url.Values{"last_days": {"1"}, "begin_time": {ms(-time.Hour)}, "end_time": {ms(0)}}, "last_days"},
		{"begin without end", url.Values{"begin_time": {ms(-time.Hour)}}, "end_time"},
		{"end without begin", url.Values{"end_time": {ms(0)}}, "begin_time"},
		{"end before begin", url.Values{"begin_time": {ms(0)}, "end_time": {ms(-time.Hour)}}, "end_time"},
		{"window over two days", url.Values{"begin_time": {ms(-49 * time.Hour)}, "end_time": {ms(0)}}, "end_time"},
		{"last_days zero", url.Values{"last_days": {"0"}}, "last_days"},
		{"negative offset", url.Values{"offset": {"-1"}}, "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", tt.query), mustJSON(t, defaultColumns), signed(defaultKey, t0))
			wantError(t, r, http.StatusBadRequest, "HSS.1001", tt.field)
		})
	}
	if n := len(srv.Tasks()); n != 0 {
		t.Errorf("%d tasks after refused exports, want 0", n)
	}
	// Exactly two days is allowed.
	exportResult(t, srv, exportQuery("host", url.Values{"begin_time": {ms(-48 * time.Hour)}, "end_time": {ms(0)}}), signed(defaultKey, t0))
}

// TestExportTaskLifecycle follows a task from running to success, and
// checks the file, downloaded and through ExportCSV.
func TestExportTaskLifecycle(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: 300 * time.Millisecond, AnyColumns: true})
	auth := signed(defaultKey, t0)
	cols := [][]string{{"event_name", "Alarm name"}, {"host_name", "Server name"}, {"occur_time", "Occurred"}, {"no_such_field", "Mystery"}, {"tag_list", "Tags"}}
	q := exportQuery("host", url.Values{"severity_list": {"Critical", "High"}})
	r := call(t, srv, http.MethodPost, exportPath(srv), q, mustJSON(t, cols), auth)
	if r.status != http.StatusOK {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	var sub struct {
		Total  int    `json:"record_total_num"`
		TaskID string `json:"task_id"`
	}
	if err := json.Unmarshal(r.body, &sub); err != nil {
		t.Fatal(err)
	}

	type task struct {
		TaskID, TaskName, TaskStatus, FileID, FileName string
	}
	show := func() task {
		t.Helper()
		r := call(t, srv, http.MethodGet, taskPath(srv, sub.TaskID), allProjects, nil, auth)
		if r.status != http.StatusOK {
			t.Fatalf("show task: %d %s", r.status, r.body)
		}
		var doc struct {
			TaskID     string `json:"task_id"`
			TaskName   string `json:"task_name"`
			TaskStatus string `json:"task_status"`
			FileID     string `json:"file_id"`
			FileName   string `json:"file_name"`
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		return task{doc.TaskID, doc.TaskName, doc.TaskStatus, doc.FileID, doc.FileName}
	}
	got := show()
	if got.TaskStatus != "running" || got.FileID != "" || got.TaskID != sub.TaskID {
		t.Fatalf("just after submitting: %+v, want running with no file_id", got)
	}
	if !strings.HasPrefix(got.TaskName, "export_event_") || !strings.HasPrefix(got.FileName, "event_export_") || !strings.HasSuffix(got.FileName, ".csv") {
		t.Errorf("task name %q, file name %q", got.TaskName, got.FileName)
	}
	deadline := time.Now().Add(5 * time.Second)
	for got.TaskStatus == "running" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		got = show()
	}
	if got.TaskStatus != "success" || got.FileID == "" {
		t.Fatalf("after waiting: %+v, want success with a file_id", got)
	}

	d := call(t, srv, http.MethodGet, downloadPath(srv, got.FileID), allProjects, nil, auth)
	if d.status != http.StatusOK {
		t.Fatalf("download: %d %s", d.status, d.body)
	}
	if ct := d.header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := d.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, got.FileName) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cl := d.header.Get("Content-Length"); cl != strconv.Itoa(len(d.body)) {
		t.Errorf("Content-Length %q for %d bytes", cl, len(d.body))
	}

	rows, err := csv.NewReader(bytes.NewReader(d.body)).ReadAll()
	if err != nil {
		t.Fatalf("parsing the CSV: %v", err)
	}
	wantRows := [][]string{{"Alarm name", "Server name", "Occurred", "Mystery", "Tags"}}
	for _, e := range srv.Events() {
		if e.Category == "host" && (e.Severity == "Critical" || e.Severity == "High") {
			wantRows = append(wantRows, []string{e.Name, e.HostName, strconv.FormatInt(e.OccurTime, 10), "", strings.Join(e.Tags, ",")})
		}
	}
	if len(wantRows) < 3 {
		t.Fatalf("only %d matching events: the test needs more", len(wantRows)-1)
	}
	if !slices.EqualFunc(rows, wantRows, slices.Equal) {
		t.Errorf("CSV rows:\n%q\nwant\n%q", rows, wantRows)
	}
	if sub.Total != len(wantRows)-1 {
		t.Errorf("record_total_num %d, want %d", sub.Total, len(wantRows)-1)
	}
	csvFile, ok := srv.ExportCSV(sub.TaskID)
	if !ok || !bytes.Equal(csvFile, d.body) {
		t.Errorf("ExportCSV = %q, %v; want the downloaded file", csvFile, ok)
	}
	tasks := srv.Tasks()
	if len(tasks) != 1 || tasks[0].ID != sub.TaskID || tasks[0].Status != "success" || tasks[0].Records != sub.Total {
		t.Errorf("Tasks() = %+v", tasks)
	}

	wantError(t, call(t, srv, http.MethodGet, taskPath(srv, "no-such-task"), allProjects, nil, auth), http.StatusNotFound, "HSS.1004", "task_id")
	wantError(t, call(t, srv, http.MethodGet, downloadPath(srv, "no-such-file"), allProjects, nil, auth), http.StatusNotFound, "HSS.1004", "file_id")
}

// TestFailNextExport makes one task fail; the next succeeds.
func TestFailNextExport(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	auth := signed(defaultKey, t0)
	srv.FailNextExport()
	_, failed := exportResult(t, srv, exportQuery("host", nil), auth)
	_, okTask := exportResult(t, srv, exportQuery("host", nil), auth)

	status := func(id string) (string, string) {
		r := call(t, srv, http.MethodGet, taskPath(srv, id), allProjects, nil, auth)
		var doc struct {
			Status string `json:"task_status"`
			FileID string `json:"file_id"`
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Status, doc.FileID
	}
	if st, file := status(failed); st != "failure" || file != "" {
		t.Errorf("failed task: %s, file %q; want failure, no file", st, file)
	}
	if _, ok := srv.ExportCSV(failed); ok {
		t.Error("ExportCSV of a failed task: ok")
	}
	if st, file := status(okTask); st != "success" || file == "" {
		t.Errorf("next task: %s, file %q; want success", st, file)
	}
}

// TestExportRefusesUnknownColumns: a column field the fake does not know (a
// misspelt one) is refused, naming the column, unless Options.AnyColumns
// lets it through as an empty column; nothing is exported.
func TestExportRefusesUnknownColumns(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)
	cols := [][]string{{"event_name", "Alarm name"}, {"login_user", "User"}}
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, cols), auth)
	wantError(t, r, http.StatusBadRequest, "HSS.1001", "body[1][0]")
	if !strings.Contains(string(r.body), `login_user`) {
		t.Errorf("the error does not name the field: %s", r.body)
	}
	for _, f := range []string{"event_id", "event_class_id", "event_type", "occur_time", "login_user_name", "process_pid", "keyword", "hash"} {
		if _, ok := (hsstest.Event{}).Field(f); !ok {
			t.Errorf("Field(%q) is unknown", f)
		}
	}
	lenient := newServer(t, hsstest.Options{AnyColumns: true})
	if r := call(t, lenient, http.MethodPost, exportPath(lenient), exportQuery("host", nil), mustJSON(t, cols), auth); r.status != http.StatusOK {
		t.Errorf("with AnyColumns: %d %s", r.status, r.body)
	}
}

// TestExportTaskIsSeenInItsEnterpriseProject: a task, and its file, are
// read in the enterprise project the export was made in, or with
// all_granted_eps; in another one (the default included, when the read
// names none) they do not exist, 404 HSS.1004.
func TestExportTaskIsSeenInItsEnterpriseProject(t *testing.T) {
	srv := newServer(t, hsstest.Options{ExportDuration: -1})
	auth := signed(defaultKey, t0)
	var ops string
	for _, e := range srv.Events() {
		if e.EnterpriseProjectID != "0" {
			ops = e.EnterpriseProjectID
			break
		}
	}
	if ops == "" {
		t.Fatal("the seed has no event outside the default enterprise project")
	}
	in := func(eps string) url.Values {
		if eps == "" {
			return nil
		}
		return url.Values{"enterprise_project_id": {eps}}
	}
	for _, made := range []string{"", ops, "all_granted_eps"} {
		exportResult(t, srv, exportQuery("host", url.Values{"enterprise_project_id": in(made)["enterprise_project_id"]}), auth)
		tasks := srv.Tasks()
		task := tasks[len(tasks)-1]
		wantEPS := made
		if made == "" {
			wantEPS = "0"
		}
		if task.EnterpriseProjectID != wantEPS {
			t.Errorf("made in %q: Task.EnterpriseProjectID %q, want %q", made, task.EnterpriseProjectID, wantEPS)
		}
		for _, read := range []string{"", "0", ops, "all_granted_eps"} {
			sees := read == "all_granted_eps" || read == wantEPS || (read == "" && wantEPS == "0")
			show := call(t, srv, http.MethodGet, taskPath(srv, task.ID), in(read), nil, auth)
			file := call(t, srv, http.MethodGet, downloadPath(srv, task.FileID), in(read), nil, auth)
			if sees {
				if show.status != http.StatusOK || file.status != http.StatusOK {
					t.Errorf("made in %q, read in %q: task %d, file %d; want both 200", made, read, show.status, file.status)
				}
				continue
			}
			wantError(t, show, http.StatusNotFound, "HSS.1004", "task_id", "enterprise project")
			wantError(t, file, http.StatusNotFound, "HSS.1004", "file_id", "enterprise project")
		}
	}
}
