package hss_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// fakeClient returns a client of a new fake, signing with its default key
// and finding the project through the fake's IAM.
func fakeClient(t *testing.T, opts hsstest.Options, creds hss.Credentials) (*hss.Client, *hsstest.Server) {
	t.Helper()
	s := hsstest.NewServer(opts)
	t.Cleanup(s.Close)
	if creds == nil {
		creds = hss.AccessKey{ID: hsstest.DefaultAccessKey, Secret: hsstest.DefaultSecretKey}
	}
	c, err := hss.New(hss.Config{Region: s.Region(), Credentials: creds, Endpoint: s.URL, IAMEndpoint: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func ref(e hsstest.Event) hss.EventRef {
	return hss.EventRef{ClassID: e.ClassID, ID: e.ID, Type: e.Type, OccurTime: e.OccurTime}
}

func TestEveryOperateTypeEndToEnd(t *testing.T) {
	credKinds := []hss.Credentials{
		nil, // access key
		hss.Password{Domain: hsstest.DefaultDomain, User: hsstest.DefaultUser, Password: hsstest.DefaultPassword},
	}
	for _, creds := range credKinds {
		c, s := fakeClient(t, hsstest.Options{}, creds)
		ev := s.Events()[0]
		r := ref(ev)
		steps := []struct {
			req   hss.OperateEventsRequest
			state func(hsstest.Event) bool
		}{
			{hss.MarkAsHandledRequest("checked by soc", r), func(e hsstest.Event) bool { return e.HandleStatus == hss.Handled && e.Handler == "checked by soc" }},
			{hss.SimpleRequest(hss.Unhandle, r), func(e hsstest.Event) bool { return e.HandleStatus == hss.Unhandled }},
			{hss.SimpleRequest(hss.Ignore, r), func(e hsstest.Event) bool { return e.Ignored }},
			{hss.SimpleRequest(hss.DoNotIgnore, r), func(e hsstest.Event) bool { return !e.Ignored }},
			{hss.AddToAlarmWhitelistRequest(r, hss.AlarmDetails{Keyword: "file_path=" + ev.FilePath, Hash: "e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d"}), func(e hsstest.Event) bool { return e.AlarmWhitelisted }},
			{hss.RemoveFromAlarmWhitelistRequest(r, hss.AlarmDetails{Keyword: "file_path=" + ev.FilePath, Hash: "e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d"}), func(e hsstest.Event) bool { return !e.AlarmWhitelisted }},
			{hss.AddToLoginWhitelistRequest(r, hss.LoginDetails{LoginIP: "45.83.64.12", PrivateIP: ev.PrivateIP, UserName: "root"}), func(e hsstest.Event) bool { return e.LoginWhitelisted }},
			{hss.RemoveFromLoginWhitelistRequest(r, hss.LoginDetails{LoginIP: "45.83.64.12", PrivateIP: ev.PrivateIP, UserName: "root"}), func(e hsstest.Event) bool { return !e.LoginWhitelisted }},
			{hss.IsolateAndKillRequest(r, hss.ProcessDetails{AgentID: "agent-1", FileHash: "e8b50f0b", FilePath: "/tmp/x", PID: 31337}), func(e hsstest.Event) bool { return e.Isolated }},
			{hss.DoNotIsolateOrKillRequest(r, hss.ProcessDetails{AgentID: "agent-1", FileHash: "e8b50f0b", FilePath: "/tmp/x", PID: 31337}), func(e hsstest.Event) bool { return !e.Isolated }},
		}
		seen := map[hss.OperateType]bool{}
		for _, st := range steps {
			if err := c.HandleEvents(context.Background(), st.req, &hss.HandleEventsParams{EnterpriseProjectId: hss.Ptr("all_granted_eps")}); err != nil {
				t.Fatalf("%s: %v", st.req.OperateType, err)
			}
			got, _ := s.Event(ev.ID)
			if !st.state(got) {
				t.Errorf("%s: state after = %+v", st.req.OperateType, got)
			}
			seen[st.req.OperateType] = true
		}
		if len(seen) != 10 {
			t.Errorf("covered %d operate types, want 10", len(seen))
		}
	}
}

func TestHandleUnknownEventIsAServiceError(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{}, nil)
	r := ref(s.Events()[0])
	r.ID = "no-such-event"
	err := c.HandleEvents(context.Background(), hss.MarkAsHandledRequest("", r), nil)
	var apiErr *hss.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode/100 != 4 || apiErr.Code == "" || apiErr.RequestID == "" {
		t.Fatalf("err = %v, want a 4xx APIError with code and request id", err)
	}
}

// matching counts the fake's events that f selects: the test's own reading
// of the filters, independent of the fake's.
func matching(s *hsstest.Server, f func(hsstest.Event) bool) int {
	n := 0
	for _, e := range s.Events() {
		if f(e) {
			n++
		}
	}
	return n
}

// seedOpsProject is an enterprise project of the fake's seeded events other
// than the default one.
const seedOpsProject = "5b8e7f0a-3c2d-4e1f-9a6b-7c8d9e0f1a2b"

func TestExportFiltersEndToEnd(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{}, nil)
	now := time.Now()
	dayAgo := now.Add(-24 * time.Hour).UnixMilli()
	cases := []struct {
		name   string
		params hss.ExportEventsParams
		want   func(hsstest.Event) bool
	}{
		{"all hosts", hss.ExportEventsParams{Category: hss.CategoryHost}, func(e hsstest.Event) bool { return e.Category == hss.CategoryHost }},
		{"containers", hss.ExportEventsParams{Category: hss.CategoryContainer}, func(e hsstest.Event) bool { return e.Category == hss.CategoryContainer }},
		{"host name", hss.ExportEventsParams{Category: hss.CategoryHost, HostName: hss.Ptr("web-01")}, func(e hsstest.Event) bool { return e.Category == hss.CategoryHost && e.HostName == "web-01" }},
		{"event types", hss.ExportEventsParams{Category: hss.CategoryHost, EventTypes: &[]int32{hss.EventRootkit, hss.EventBruteForce}}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && (e.Type == hss.EventRootkit || e.Type == hss.EventBruteForce)
		}},
		{"severity list", hss.ExportEventsParams{Category: hss.CategoryHost, SeverityList: &[]hss.Severity{hss.SeverityCritical, hss.SeverityHigh}}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && (e.Severity == hss.SeverityCritical || e.Severity == hss.SeverityHigh)
		}},
		{"unhandled in last day", hss.ExportEventsParams{Category: hss.CategoryHost, HandleStatus: hss.Ptr(hss.Unhandled), LastDays: hss.Ptr[int32](1)}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && e.HandleStatus == hss.Unhandled && e.OccurTime >= dayAgo
		}},
		{"time window", hss.ExportEventsParams{Category: hss.CategoryHost, BeginTime: hss.Ptr(dayAgo), EndTime: hss.Ptr(now.UnixMilli())}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && e.OccurTime >= dayAgo && e.OccurTime <= now.UnixMilli()
		}},
		{"attack tag", hss.ExportEventsParams{Category: hss.CategoryHost, AttackTag: hss.Ptr(hss.AttackSuccess)}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && e.AttackTag == hss.AttackSuccess
		}},
		{"auto block", hss.ExportEventsParams{Category: hss.CategoryHost, AutoBlock: hss.Ptr(true)}, func(e hsstest.Event) bool { return e.Category == hss.CategoryHost && e.AutoBlock }},
		{"att&ck and class", hss.ExportEventsParams{Category: hss.CategoryHost, AttCk: hss.Ptr("Execution"), EventClassIds: &[]string{"hips_0001"}}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && e.AttCK == "Execution" && e.ClassID == "hips_0001"
		}},
		{"tags", hss.ExportEventsParams{Category: hss.CategoryContainer, TagList: &[]string{"mining"}}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryContainer && slices.Contains(e.Tags, "mining")
		}},
		{"one enterprise project", hss.ExportEventsParams{Category: hss.CategoryHost, EnterpriseProjectId: hss.Ptr(seedOpsProject)}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && e.EnterpriseProjectID == seedOpsProject
		}},
		// Without enterprise_project_id, the default enterprise project.
		{"default enterprise project", hss.ExportEventsParams{Category: hss.CategoryHost}, func(e hsstest.Event) bool {
			return e.Category == hss.CategoryHost && e.EnterpriseProjectID == "0"
		}},
	}
	for _, tc := range cases {
		tc.params.EventId = "case-" + tc.name
		if tc.params.EnterpriseProjectId == nil && tc.name != "default enterprise project" {
			tc.params.EnterpriseProjectId = hss.Ptr("all_granted_eps") // the others see every project
		}
		want := matching(s, tc.want)
		res, err := c.ExportEvents(context.Background(), tc.params, hss.ExportColumns{{"event_name", "Alarm name"}})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := int(*res.RecordTotalNum); got != want || *res.TaskId == "" {
			t.Errorf("%s: record_total_num = %d, want %d (task %q)", tc.name, got, want, *res.TaskId)
		}
		if want == 0 && tc.name != "auto block" {
			t.Errorf("%s: the seeded events match nothing: the case proves little", tc.name)
		}
	}
}

func TestExportToFileWritesTheMatchingEvents(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: 200 * time.Millisecond}, nil)
	path := filepath.Join(t.TempDir(), "events.csv")
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1", SeverityList: &[]hss.Severity{hss.SeverityCritical},
		EnterpriseProjectId: hss.Ptr("all_granted_eps")}
	cols := hss.ExportColumns{{"event_id", "Alarm ID"}, {"event_name", "Alarm name"}, {"host_name", "Server"}, {"severity", "Risk"}}
	var stages []hss.ExportStage
	task, err := c.ExportToFile(context.Background(), path, params, cols, &hss.ExportOptions{
		PollInterval: 50 * time.Millisecond,
		Progress: func(p hss.ExportProgress) {
			if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
				stages = append(stages, p.Stage)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *task.TaskStatus != hss.TaskSuccess {
		t.Errorf("task = %+v", task)
	}
	if want := []hss.ExportStage{hss.StageSubmitted, hss.StageRunning, hss.StageDownloading, hss.StageDone}; !slices.Equal(stages, want) {
		t.Errorf("stages = %v, want %v", stages, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, data)
	}
	if want := []string{"Alarm ID", "Alarm name", "Server", "Risk"}; !slices.Equal(rows[0], want) {
		t.Errorf("header = %q, want %q", rows[0], want)
	}
	var want [][]string
	for _, e := range s.Events() {
		if e.Category == hss.CategoryHost && e.Severity == hss.SeverityCritical {
			want = append(want, []string{e.ID, e.Name, e.HostName, string(e.Severity)})
		}
	}
	got := rows[1:]
	key := func(a, b []string) int { return strings.Compare(a[0], b[0]) }
	slices.SortFunc(got, key)
	slices.SortFunc(want, key)
	if len(want) == 0 || !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("rows = %q\nwant %q", got, want)
	}
	assertOnlyFile(t, filepath.Dir(path), "events.csv")
}

// assertOnlyFile fails unless dir holds exactly the named files: no partial
// file is left behind.
func assertOnlyFile(t *testing.T, dir string, names ...string) {
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

// scriptedExport is a client of a server that accepts any export as task
// t1, answers every task read with task (a JSON document), and every
// download with download.
func scriptedExport(t *testing.T, task string, download http.HandlerFunc) *hss.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost:
			_, _ = io.WriteString(w, `{"record_total_num":1,"task_id":"t1"}`)
		case strings.Contains(r.URL.Path, "/download/"):
			download(w, r)
		default:
			_, _ = io.WriteString(w, task)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := hss.New(hss.Config{Region: "ap-southeast-1", ProjectID: "p1", Credentials: hss.Token("tok"), Endpoint: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDownloadWithoutADeclaredLength: a file whose end only the
// connection's close marks (no Content-Length, not chunked) is refused,
// with nothing written and no resume offered (it would come the same way):
// a cut would read as its end. With a length or in chunks it is taken.
func TestDownloadWithoutADeclaredLength(t *testing.T) {
	const file = "Alarm name\nRootkit detected\n"
	task := `{"task_id":"t1","task_status":"success","file_id":"f1"}`
	closeDelimited := func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n" + file[:15])
		_ = buf.Flush()
	}
	var got bytes.Buffer
	c := scriptedExport(t, task, closeDelimited)
	_, err := c.ExportTo(context.Background(), &got, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "c1"},
		hss.ExportColumns{{"event_name", "Alarm name"}}, &hss.ExportOptions{PollInterval: time.Millisecond})
	var ee *hss.ExportError
	if !errors.As(err, &ee) || ee.Resumable() || ee.Written != 0 || got.Len() != 0 || !strings.Contains(err.Error(), "declared length") {
		t.Errorf("err = %#v (in w %q); want an ExportError naming the undeclared length, nothing written, not resumable", err, got.String())
	}
	if answerErr := (*hss.AnswerError)(nil); !errors.As(err, &answerErr) || answerErr.StatusCode != http.StatusOK {
		t.Errorf("err = %v, want an *hss.AnswerError of the 200 under it", err)
	}

	for name, h := range map[string]http.HandlerFunc{
		"with a length": func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, file) },
		"in chunks": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, file[:15])
			http.NewResponseController(w).Flush() // headers out without a length: chunked
			_, _ = io.WriteString(w, file[15:])
		},
	} {
		got.Reset()
		c := scriptedExport(t, task, h)
		if _, err := c.DownloadExportedFile(context.Background(), "f1", "", &got); err != nil || got.String() != file {
			t.Errorf("%s: %v, %q", name, err, got.String())
		}
	}
}

// TestPollIntervalsUnderAMillisecondAreRefused: an interval under 1 ms (10
// meant as seconds is 10 ns) is refused by every call that polls, naming
// the option, before anything is sent or created; 1 ms is taken.
func TestPollIntervalsUnderAMillisecondAreRefused(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	ctx := context.Background()
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	dir := t.TempDir()
	for _, tc := range []struct {
		opts  hss.ExportOptions
		field string
	}{
		{hss.ExportOptions{MaxPollInterval: 10}, "opts.MaxPollInterval"},
		{hss.ExportOptions{PollInterval: 999 * time.Microsecond}, "opts.PollInterval"},
	} {
		for name, call := range map[string]func(*hss.ExportOptions) error{
			"ExportTo": func(o *hss.ExportOptions) error { _, err := c.ExportTo(ctx, io.Discard, params, cols, o); return err },
			"ExportToFile": func(o *hss.ExportOptions) error {
				_, err := c.ExportToFile(ctx, filepath.Join(dir, "a.csv"), params, cols, o)
				return err
			},
			"ResumeExportTo": func(o *hss.ExportOptions) error { _, err := c.ResumeExportTo(ctx, io.Discard, "t1", "", o); return err },
			"ResumeExportToFile": func(o *hss.ExportOptions) error {
				_, err := c.ResumeExportToFile(ctx, filepath.Join(dir, "b.csv"), "t1", "", o)
				return err
			},
			"WaitExportTask": func(o *hss.ExportOptions) error { _, err := c.WaitExportTask(ctx, "t1", "", o); return err },
		} {
			s.ResetRequests()
			var ve *hss.ValidationError
			if err := call(&tc.opts); !errors.As(err, &ve) || ve.Field != tc.field || len(s.Requests()) != 0 {
				t.Errorf("%s with %+v: err = %v, %d requests; want %s refused before sending", name, tc.opts, err, len(s.Requests()), tc.field)
			}
		}
	}
	assertOnlyFile(t, dir)
	if _, err := c.ExportTo(ctx, io.Discard, params, cols, &hss.ExportOptions{PollInterval: time.Millisecond, MaxPollInterval: time.Millisecond}); err != nil {
		t.Errorf("1 ms: %v", err)
	}
}

// TestTaskIDNoPathCarriesIsNotResumable: an export answered with a task id
// the task's reads refuse (it holds a /) stops with an ExportError that
// does not offer a resume, which would refuse the same id.
func TestTaskIDNoPathCarriesIsNotResumable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"record_total_num":1,"task_id":"a/b"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := hss.New(hss.Config{Region: "ap-southeast-1", ProjectID: "p1", Credentials: hss.Token("tok"), Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ExportTo(context.Background(), io.Discard, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "c1"},
		hss.ExportColumns{{"event_name", "Alarm name"}}, nil)
	var (
		ee        *hss.ExportError
		answerErr *hss.AnswerError
		invalid   *hss.ValidationError
	)
	if !errors.As(err, &ee) || ee.Resumable() || !errors.As(err, &answerErr) || errors.As(err, &invalid) {
		t.Errorf("err = %v, want an ExportError that is not resumable, over an *hss.AnswerError (the service's answer, not bad input)", err)
	}
}

func TestExportToFileFailures(t *testing.T) {
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	opts := &hss.ExportOptions{PollInterval: 20 * time.Millisecond}

	t.Run("task fails", func(t *testing.T) {
		c, s := fakeClient(t, hsstest.Options{ExportDuration: 50 * time.Millisecond}, nil)
		s.FailNextExport()
		dir := t.TempDir()
		_, err := c.ExportToFile(context.Background(), filepath.Join(dir, "out.csv"), params, cols, opts)
		var failed *hss.TaskFailedError
		if !errors.As(err, &failed) || failed.TaskID == "" || failed.TaskName == "" || failed.Status != hss.TaskFailure {
			t.Fatalf("err = %v, want a TaskFailedError with id, name and status", err)
		}
		if !strings.Contains(err.Error(), failed.TaskName) {
			t.Errorf("error %q does not name the task", err)
		}
		assertOnlyFile(t, dir)
	})
	t.Run("task never finishes", func(t *testing.T) {
		c, _ := fakeClient(t, hsstest.Options{ExportDuration: time.Hour}, nil)
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.ExportToFile(ctx, filepath.Join(dir, "out.csv"), params, cols, opts)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "running") {
			t.Fatalf("err = %v, want a deadline error saying the task is still running", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("returned after %v", took)
		}
		assertOnlyFile(t, dir)
	})
	// A status outside the spec's set, or none, ends the wait at once: it
	// would otherwise poll until the context ends, or forever.
	for _, answer := range []string{`{"task_status":"failed"}`, `{}`} {
		t.Run("task answers "+answer, func(t *testing.T) {
			c := scriptedExport(t, answer, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // fail, not hang, without the check
			defer cancel()
			_, err := c.ExportToFile(ctx, filepath.Join(dir, "out.csv"), params, cols, opts)
			if err == nil || !strings.Contains(err.Error(), "neither running, success nor failure") {
				t.Fatalf("err = %v, want the status refused", err)
			}
			var answerErr *hss.AnswerError
			if !errors.As(err, &answerErr) || answerErr.Operation != "ShowExportTask" {
				t.Errorf("err = %v, want an *hss.AnswerError of ShowExportTask under it", err)
			}
			assertOnlyFile(t, dir)
		})
	}
	// A download answered with another 2xx than 200 (202 "not ready", 206 a
	// part, 204 nothing) is not the file, and is not saved as if it were.
	for _, status := range []int{http.StatusAccepted, http.StatusNoContent, http.StatusPartialContent} {
		t.Run(fmt.Sprintf("download answers %d", status), func(t *testing.T) {
			c := scriptedExport(t, `{"task_status":"success","file_id":"f1"}`, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req-download-1")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"message":"not ready"}`)
			})
			dir := t.TempDir()
			_, err := c.ExportToFile(context.Background(), filepath.Join(dir, "out.csv"), params, cols, opts)
			if err == nil || !strings.Contains(err.Error(), "not the file") || !strings.Contains(err.Error(), `"req-download-1"`) {
				t.Fatalf("err = %v, want the answer refused, with its request id", err)
			}
			var answerErr *hss.AnswerError
			if !errors.As(err, &answerErr) || answerErr.StatusCode != status || answerErr.RequestID != "req-download-1" {
				t.Errorf("err = %v, want an *hss.AnswerError with status %d and the request id", err, status)
			}
			assertOnlyFile(t, dir)
		})
	}
	t.Run("progress panics", func(t *testing.T) {
		c, _ := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
		dir := t.TempDir()
		panicky := &hss.ExportOptions{PollInterval: time.Millisecond, Progress: func(p hss.ExportProgress) {
			if p.Stage == hss.StageDownloading {
				panic("a bug in the caller's callback")
			}
		}}
		func() {
			defer func() { _ = recover() }()
			_, _ = c.ExportToFile(context.Background(), filepath.Join(dir, "out.csv"), params, cols, panicky)
		}()
		assertOnlyFile(t, dir)
	})
	t.Run("a short MaxPollInterval alone", func(t *testing.T) {
		// Polls at most 20 ms apart, for a task that runs 300 ms: more than
		// the two polls a 500 ms first wait (the default) would allow.
		c, _ := fakeClient(t, hsstest.Options{ExportDuration: 300 * time.Millisecond}, nil)
		polls := 0
		o := &hss.ExportOptions{MaxPollInterval: 20 * time.Millisecond, Progress: func(p hss.ExportProgress) { polls = p.Polls }}
		if _, err := c.ExportTo(context.Background(), io.Discard, params, cols, o); err != nil {
			t.Fatal(err)
		}
		if polls < 4 {
			t.Errorf("%d polls, want the waits bounded by MaxPollInterval", polls)
		}
	})
	t.Run("path is a directory", func(t *testing.T) {
		c, s := fakeClient(t, hsstest.Options{}, nil)
		_, err := c.ExportToFile(context.Background(), t.TempDir(), params, cols, opts)
		var ve *hss.ValidationError
		if !errors.As(err, &ve) || ve.Field != "path" || len(s.Requests()) != 0 {
			t.Errorf("err = %v, %d requests; want path refused before anything is sent", err, len(s.Requests()))
		}
	})
	t.Run("download cut off", func(t *testing.T) {
		c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
		s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/download/", CutAfter: 10})
		dir := t.TempDir()
		_, err := c.ExportToFile(context.Background(), filepath.Join(dir, "out.csv"), params, cols, opts)
		if err == nil || !strings.Contains(err.Error(), "cut off") {
			t.Fatalf("err = %v, want a cut-off download error", err)
		}
		if ee := (*hss.ExportError)(nil); !errors.As(err, &ee) || ee.Written != 0 {
			t.Errorf("err = %#v, want an ExportError with nothing written: the partial file is gone", err)
		}
		assertOnlyFile(t, dir)
	})
}

func TestExportToWriterStreams(t *testing.T) {
	const ready = "hsstest-ready-token-1"
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1, Tokens: []string{ready}}, hss.Token(ready))
	var buf bytes.Buffer
	task, err := c.ExportTo(context.Background(), &buf, hss.ExportEventsParams{Category: hss.CategoryContainer, EventId: "c"}, hss.ExportColumns{{"container_name", "Container"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := matching(s, func(e hsstest.Event) bool { return e.Category == hss.CategoryContainer })
	if lines[0] != "Container" || len(lines)-1 != want || want == 0 {
		t.Errorf("task %s wrote %d rows (header %q), want %d", *task.TaskId, len(lines)-1, lines[0], want)
	}
}

// TestExportResumesAfterAFailedPoll: a poll that keeps failing ends ExportTo
// with an *ExportError naming the task (the APIError inside it); the task
// is still there, and WaitExportTask and DownloadExportedFile finish the
// export without submitting it again. A single failed poll (a 500 on a GET)
// is retried and does not end the export.
func TestExportResumesAfterAFailedPoll(t *testing.T) {
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	opts := &hss.ExportOptions{PollInterval: 5 * time.Millisecond}
	ctx := context.Background()
	submitted := func(s *hsstest.Server) int {
		n := 0
		for _, r := range s.Requests() {
			if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/event/export") {
				n++
			}
		}
		return n
	}

	c, s := fakeClient(t, hsstest.Options{ExportDuration: 30 * time.Millisecond}, nil)
	tasks := "/v5/" + s.ProjectID() + "/event/export-task/"
	s.InjectFault(hsstest.Fault{Path: tasks, Status: http.StatusInternalServerError})
	var buf bytes.Buffer
	if _, err := c.ExportTo(ctx, &buf, params, cols, opts); err != nil {
		t.Fatalf("one 500 on a poll: %v, want it retried", err)
	}

	s.InjectFault(hsstest.Fault{Path: tasks, Status: http.StatusInternalServerError, Count: hss.DefaultMaxAttempts})
	task, err := c.ExportTo(ctx, io.Discard, params, cols, opts)
	var ee *hss.ExportError
	var apiErr *hss.APIError
	if !errors.As(err, &ee) || ee.TaskID == "" || ee.Stage != hss.StageRunning || !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v (task %v), want an ExportError with the task id around a 500 APIError", err, task)
	}
	if !strings.Contains(err.Error(), ee.TaskID) {
		t.Errorf("%q does not name the task", err)
	}
	done, err := c.WaitExportTask(ctx, ee.TaskID, "", opts)
	if err != nil || done.FileId == nil {
		t.Fatalf("WaitExportTask: %v, %+v", err, done)
	}
	var resumed bytes.Buffer
	if _, err := c.DownloadExportedFile(ctx, *done.FileId, "", &resumed); err != nil {
		t.Fatal(err)
	}
	if resumed.String() != buf.String() {
		t.Errorf("the resumed export's file differs from a whole one's:\n%s\n%s", resumed.String(), buf.String())
	}
	// The same in one call, to a file.
	path := filepath.Join(t.TempDir(), "resumed.csv")
	if _, err := c.ResumeExportToFile(ctx, path, ee.TaskID, "", opts); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != buf.String() {
		t.Errorf("ResumeExportToFile wrote:\n%s\nwant:\n%s", got, buf.String())
	}
	if n := submitted(s); n != 2 {
		t.Errorf("%d exports submitted, want 2 (the resumed one once)", n)
	}

	// A download that fails says so, with the task and how much of the
	// file reached the writer; a resume then writes the whole file again.
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/download/", CutAfter: 5})
	var cut bytes.Buffer
	if _, err := c.ExportTo(ctx, &cut, params, cols, opts); !errors.As(err, &ee) || ee.Stage != hss.StageDownloading || ee.TaskID == "" {
		t.Errorf("a cut-off download: %v, want an ExportError of the downloading stage", err)
	} else if ee.Written != 5 || cut.Len() != 5 {
		t.Errorf("a download cut after 5 bytes: Written = %d, the writer holds %d bytes; want 5 and 5", ee.Written, cut.Len())
	} else {
		cut.Truncate(cut.Len() - int(ee.Written))
		if _, err := c.ResumeExportTo(ctx, &cut, ee.TaskID, ee.EnterpriseProjectID, opts); err != nil || cut.String() != buf.String() {
			t.Errorf("resumed into the writer less what was written: %v\n%s\nwant:\n%s", err, cut.String(), buf.String())
		}
	}
	// An export task that fails is still a TaskFailedError inside.
	s.FailNextExport()
	var failed *hss.TaskFailedError
	if _, err := c.ExportTo(ctx, io.Discard, params, cols, opts); !errors.As(err, &failed) || !errors.As(err, &ee) || failed.TaskID != ee.TaskID {
		t.Errorf("a failed task: %v, want a TaskFailedError inside an ExportError of the same task", err)
	}
}

// TestWaitExportTaskRefusesBadInput: the task id (and enterprise project)
// of WaitExportTask and the resumes are checked before anything is sent or
// created on disk, and an unknown task is the service's error, leaving no
// file.
func TestWaitExportTaskRefusesBadInput(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{}, nil)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	for _, tc := range []struct {
		task, eps, field string
	}{{"", "", "task_id"}, {"..", "", "task_id"}, {"a/b", "", "task_id"}, {"t1", strings.Repeat("e", 300), "enterprise_project_id"}} {
		var ve *hss.ValidationError
		if _, err := c.WaitExportTask(ctx, tc.task, tc.eps, nil); !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("WaitExportTask(%q, %q): %v, want a ValidationError of %s", tc.task, tc.eps, err, tc.field)
		}
		if _, err := c.ResumeExportTo(ctx, io.Discard, tc.task, tc.eps, nil); !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("ResumeExportTo(%q, %q): %v, want a ValidationError of %s", tc.task, tc.eps, err, tc.field)
		}
		if _, err := c.ResumeExportToFile(ctx, path, tc.task, tc.eps, nil); !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("ResumeExportToFile(%q, %q): %v, want a ValidationError of %s", tc.task, tc.eps, err, tc.field)
		}
		for _, err := range []error{
			func() error { _, err := c.ResumeExportTo(ctx, io.Discard, tc.task, tc.eps, nil); return err }(),
			func() error { _, err := c.ResumeExportToFile(ctx, path, tc.task, tc.eps, nil); return err }(),
		} {
			if ee := (*hss.ExportError)(nil); errors.As(err, &ee) {
				t.Errorf("(%q, %q): %v is an ExportError: bad input is refused before anything is sent", tc.task, tc.eps, err)
			}
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests for refused input", n)
	}
	var apiErr *hss.APIError
	if _, err := c.WaitExportTask(ctx, "no-such-task", "", nil); !errors.As(err, &apiErr) || apiErr.StatusCode/100 != 4 {
		t.Errorf("unknown task: %v, want a 4xx APIError", err)
	}
	var ee *hss.ExportError
	if _, err := c.ResumeExportToFile(ctx, path, "no-such-task", "", nil); !errors.As(err, &apiErr) || !errors.As(err, &ee) || ee.TaskID != "no-such-task" {
		t.Errorf("resuming an unknown task: %v, want an ExportError around the 4xx", err)
	}
	assertOnlyFile(t, dir)
}

// TestExportErrorNamesWhatResumingNeeds: an *ExportError carries the
// export's enterprise project beside its task, and a file that cannot be
// put in place after its task succeeded (here a directory appeared at the
// path meanwhile) is an *ExportError too: the file can be downloaded again.
func TestExportErrorNamesWhatResumingNeeds(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	ctx := context.Background()
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1", EnterpriseProjectId: hss.Ptr("all_granted_eps")}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	opts := &hss.ExportOptions{PollInterval: 5 * time.Millisecond}

	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export-task/", Status: 500, Count: hss.DefaultMaxAttempts})
	var ee *hss.ExportError
	if _, err := c.ExportTo(ctx, io.Discard, params, cols, opts); !errors.As(err, &ee) || ee.EnterpriseProjectID != "all_granted_eps" {
		t.Fatalf("err = %v, want an ExportError naming the enterprise project", err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	blocker := &hss.ExportOptions{PollInterval: 5 * time.Millisecond, Progress: func(p hss.ExportProgress) {
		if p.Stage == hss.StageDownloading && p.Bytes > 0 { // the file is coming, not yet renamed
			_ = os.MkdirAll(filepath.Join(path, "in-the-way"), 0o700)
		}
	}}
	_, err := c.ExportToFile(ctx, path, params, cols, blocker)
	if !errors.As(err, &ee) || ee.TaskID == "" || ee.Stage != hss.StageDownloading || ee.EnterpriseProjectID != "all_granted_eps" {
		t.Fatalf("err = %v, want an ExportError of the downloading stage", err)
	}
	assertOnlyFile(t, dir, "out.csv") // the directory in the way; no temporary file
	if _, err := c.ResumeExportToFile(ctx, filepath.Join(dir, "again.csv"), ee.TaskID, ee.EnterpriseProjectID, opts); err != nil {
		t.Errorf("resuming: %v", err)
	}
	// The same for a resume whose file cannot be put in place.
	again := filepath.Join(dir, "third.csv")
	blocked := &hss.ExportOptions{PollInterval: 5 * time.Millisecond, Progress: func(p hss.ExportProgress) {
		if p.Stage == hss.StageDownloading && p.Bytes > 0 {
			_ = os.MkdirAll(filepath.Join(again, "in-the-way"), 0o700)
		}
	}}
	_, err = c.ResumeExportToFile(ctx, again, ee.TaskID, ee.EnterpriseProjectID, blocked)
	if !errors.As(err, &ee) || ee.EnterpriseProjectID != "all_granted_eps" || ee.Stage != hss.StageDownloading {
		t.Errorf("a resume whose file is in the way: %v", err)
	}
}

// TestFileVariantsReportDoneWithTheFileInPlace: ExportToFile and
// ResumeExportToFile report StageDone once the file is at its path, whole;
// one that cannot be put there reports no StageDone.
func TestFileVariantsReportDoneWithTheFileInPlace(t *testing.T) {
	c, _ := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	ctx := context.Background()
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1", EnterpriseProjectId: hss.Ptr("all_granted_eps")}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	dir := t.TempDir()
	check := func(path string) (*hss.ExportOptions, *[]string) {
		var seen []string
		return &hss.ExportOptions{PollInterval: 5 * time.Millisecond, Progress: func(p hss.ExportProgress) {
			if p.Stage != hss.StageDone {
				return
			}
			st, err := os.Stat(path)
			switch {
			case err != nil:
				seen = append(seen, "done, no file: "+err.Error())
			case st.Size() != p.Bytes:
				seen = append(seen, fmt.Sprintf("done, %d bytes at the path of %d", st.Size(), p.Bytes))
			default:
				seen = append(seen, "done")
			}
		}}, &seen
	}
	path := filepath.Join(dir, "out.csv")
	opts, seen := check(path)
	task, err := c.ExportToFile(ctx, path, params, cols, opts)
	if err != nil || !slices.Equal(*seen, []string{"done"}) {
		t.Fatalf("ExportToFile: %v; reports %q, want one done with the file in place", err, *seen)
	}
	again := filepath.Join(dir, "again.csv")
	opts, seen = check(again)
	if _, err := c.ResumeExportToFile(ctx, again, *task.TaskId, "all_granted_eps", opts); err != nil || !slices.Equal(*seen, []string{"done"}) {
		t.Fatalf("ResumeExportToFile: %v; reports %q, want one done with the file in place", err, *seen)
	}
	// A file that cannot be put in place (a directory appears at its path
	// during the download): an error, and never done.
	blocked := filepath.Join(dir, "blocked.csv")
	opts, seen = check(blocked)
	report := opts.Progress
	opts.Progress = func(p hss.ExportProgress) {
		if p.Stage == hss.StageDownloading && p.Bytes > 0 {
			_ = os.MkdirAll(filepath.Join(blocked, "in-the-way"), 0o700)
		}
		report(p)
	}
	if _, err := c.ExportToFile(ctx, blocked, params, cols, opts); err == nil || len(*seen) != 0 {
		t.Errorf("a file in the way: %v; reports %q, want an error and no done", err, *seen)
	}
}

// TestExportErrorKeepsTheTaskIDItWasReadBy: a task read that answers an
// empty task_id does not empty the id the error names: the one the export
// answered, which the task was read by.
func TestExportErrorKeepsTheTaskIDItWasReadBy(t *testing.T) {
	c := scriptedExport(t, `{"task_id":"","task_status":"success","file_id":"f1"}`, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	})
	task, err := c.ExportTo(context.Background(), io.Discard, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "c1"},
		hss.ExportColumns{{"event_name", "Alarm name"}}, &hss.ExportOptions{PollInterval: time.Millisecond})
	var ee *hss.ExportError
	if !errors.As(err, &ee) || ee.TaskID != "t1" || task == nil || task.TaskId == nil || *task.TaskId != "t1" {
		t.Errorf("err = %v, task %+v; want an ExportError and a task naming t1", err, task)
	}
}

// TestBatchRequestsInOneCall: whitelist additions batched with
// BatchRequests handle all their events in one operate call.
func TestBatchRequestsInOneCall(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{}, nil)
	var reqs []hss.OperateEventsRequest
	var ids []string
	for _, e := range s.Events() {
		if e.LoginIP != "" && e.LoginUserName != "" {
			reqs = append(reqs, hss.AddToLoginWhitelistRequest(ref(e), hss.LoginDetails{LoginIP: e.LoginIP, PrivateIP: e.PrivateIP, UserName: e.LoginUserName}))
			ids = append(ids, e.ID)
		}
	}
	if len(reqs) < 2 {
		t.Fatalf("%d login events in the fake, want at least 2", len(reqs))
	}
	batch, err := hss.BatchRequests(reqs...)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.HandleEvents(context.Background(), batch, &hss.HandleEventsParams{EnterpriseProjectId: hss.Ptr("all_granted_eps")}); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if e, _ := s.Event(id); !e.LoginWhitelisted || e.HandleStatus != hss.Handled {
			t.Errorf("event %s: %+v, want whitelisted and handled", id, e)
		}
	}
	operates := 0
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/event/operate") {
			operates++
		}
	}
	if operates != 1 {
		t.Errorf("%d operate calls, want 1", operates)
	}
}

// TestExportErrorResumable: Resumable is true where resuming can help (a
// task read that kept failing with a 5xx) and false where it would meet the
// same answer (a failed task, an unknown task, an answer without a file
// id or with one no path carries); a resume of a resumable one succeeds.
func TestExportErrorResumable(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	ctx := context.Background()
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	opts := &hss.ExportOptions{PollInterval: time.Millisecond}
	tasks := "/v5/" + s.ProjectID() + "/event/export-task/"
	exportErr := func(t *testing.T) *hss.ExportError {
		t.Helper()
		_, err := c.ExportTo(ctx, io.Discard, params, cols, opts)
		var ee *hss.ExportError
		if !errors.As(err, &ee) {
			t.Fatalf("err = %v, want an ExportError", err)
		}
		return ee
	}

	s.InjectFault(hsstest.Fault{Path: tasks, Status: 503, Count: hss.DefaultMaxAttempts})
	if ee := exportErr(t); !ee.Resumable() {
		t.Errorf("%v: not resumable", ee)
	} else if _, err := c.ResumeExportTo(ctx, io.Discard, ee.TaskID, "", opts); err != nil {
		t.Errorf("resuming: %v", err)
	}
	s.FailNextExport()
	if ee := exportErr(t); ee.Resumable() {
		t.Errorf("%v: a failed task resumable", ee)
	}
	s.InjectFault(hsstest.Fault{Path: tasks, Status: 404})
	if ee := exportErr(t); ee.Resumable() {
		t.Errorf("%v: an unknown task resumable", ee)
	}
	s.InjectFault(hsstest.Fault{Path: tasks, Status: 200, Body: `{"task_status":"success"}`})
	var answerErr *hss.AnswerError
	if ee := exportErr(t); ee.Resumable() || !errors.As(ee, &answerErr) {
		t.Errorf("%v: a success without a file id resumable, or not an *hss.AnswerError", ee)
	}
	s.InjectFault(hsstest.Fault{Path: tasks, Status: 200, Body: `{"task_status":"success","file_id":"a/b"}`})
	var invalid *hss.ValidationError
	if ee := exportErr(t); ee.Resumable() || errors.As(ee, &invalid) || !errors.As(ee, &answerErr) || !strings.Contains(ee.Error(), "file_id") {
		t.Errorf("%v: a file id no path carries resumable, or taken for bad input, or not an *hss.AnswerError", ee)
	}
	s.InjectFault(hsstest.Fault{Path: tasks, Status: 200, Body: `{"task_status":"paused"}`})
	if ee := exportErr(t); ee.Resumable() {
		t.Errorf("%v: a status outside the spec's resumable", ee)
	}
	s.InjectFault(hsstest.Fault{Path: tasks, Status: 400})
	if ee := exportErr(t); ee.Resumable() {
		t.Errorf("%v: a 400 resumable", ee)
	}
	// A deadline while waiting: resumable, and said so in the error.
	slow, _ := fakeClient(t, hsstest.Options{ExportDuration: time.Hour}, nil)
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err := slow.ExportTo(dctx, io.Discard, params, cols, opts)
	var ee *hss.ExportError
	if !errors.As(err, &ee) || !ee.Resumable() || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "while waiting for it") {
		t.Errorf("a deadline: %v, want a resumable ExportError saying it was waiting", err)
	}
	if e := (&hss.ExportError{TaskID: "t1", Stage: hss.StageDownloading, Err: errors.New("x")}); !strings.Contains(e.Error(), "(export task t1, while writing its file)") {
		t.Errorf("Error() = %q", e.Error())
	}
}

// TestWaitExportTaskNeedsAFileID: a task that answers success without a
// file id is an error of WaitExportTask, not a success with nothing to
// download.
func TestWaitExportTaskNeedsAFileID(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{}, nil)
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/event/export-task/", Status: 200, Body: `{"task_status":"success"}`})
	var answerErr *hss.AnswerError
	if task, err := c.WaitExportTask(context.Background(), "t1", "", nil); !errors.As(err, &answerErr) || !strings.Contains(err.Error(), "without a file id") {
		t.Errorf("WaitExportTask = %+v, %v; want an *hss.AnswerError", task, err)
	}
}

// TestResumeReadsTheTaskInItsEnterpriseProject: a resume's task reads and
// download carry the enterprise project it was given.
func TestResumeReadsTheTaskInItsEnterpriseProject(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	ctx := context.Background()
	res, err := c.ExportEvents(ctx, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "c1", EnterpriseProjectId: hss.Ptr("all_granted_eps")},
		hss.ExportColumns{{"event_name", "Alarm name"}})
	if err != nil {
		t.Fatal(err)
	}
	s.ResetRequests()
	if _, err := c.ResumeExportToFile(ctx, filepath.Join(t.TempDir(), "out.csv"), *res.TaskId, "all_granted_eps", nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Requests() {
		if !strings.Contains(r.RawQuery, "enterprise_project_id=all_granted_eps") {
			t.Errorf("%s %s?%s: without the enterprise project", r.Method, r.Path, r.RawQuery)
		}
	}
}
