package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// demoCmd holds the flags of hss demo.
type demoCmd struct{ dir string }

func (c *demoCmd) flags() *flags {
	f := newFlags("demo")
	f.add(plainString{&c.dir}, "dir", "DIR", "where the exported CSV file goes (default: a new temporary directory)")
	return f
}

// demoExportDuration is how long the fake's export tasks run in the demo:
// long enough to show a poll, short enough to finish in a blink.
const demoExportDuration = 250 * time.Millisecond

func runDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var c demoCmd
	f := c.flags()
	if err := f.parse(args); err == errHelp {
		printCommandUsage(stdout, "demo")
		return 0
	} else if err != nil {
		return report(stderr, "demo", err, commonField, 0)
	}
	if c.dir != "" {
		// Before the demo runs, not at its last step.
		if st, err := os.Stat(c.dir); err != nil || !st.IsDir() {
			return report(stderr, "demo", usagef("invalid --dir: %s is not a directory", c.dir), commonField, 0)
		}
	}
	fake := hsstest.NewServer(hsstest.Options{ExportDuration: demoExportDuration})
	defer fake.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := demo(ctx, stdout, fake, c.dir); err != nil {
		return report(stderr, "demo", err, commonField, time.Minute)
	}
	return 0
}

// demo runs the main job against fake through the real client, and tells
// what happens on w. The CSV file goes into dir, or a new temporary
// directory when dir is empty.
func demo(ctx context.Context, w io.Writer, fake *hsstest.Server, dir string) error {
	heading := func(title string) { fmt.Fprintf(w, "\n== %s ==\n", title) }

	fmt.Fprintln(w, "hss demo: the whole job against an in-process fake HSS, through the real client")
	heading("The fake service")
	events := fake.Events()
	fmt.Fprintf(w, "fake HSS and IAM at %s (region %s), holding %d alarms\n", fake.URL, fake.Region(), len(events))
	// The client is configured as a user would configure it, except that
	// both endpoints are the fake's and the credentials are its fake pair.
	client, err := hss.New(hss.Config{
		Region:      fake.Region(),
		Endpoint:    fake.URL,
		IAMEndpoint: fake.URL,
		Credentials: hss.AccessKey{ID: hsstest.DefaultAccessKey, Secret: hsstest.DefaultSecretKey},
		UserAgent:   "hss-cli-demo/" + hss.Version,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "client: AK/SK request signing with access key %s, no project id configured\n", hsstest.DefaultAccessKey)

	heading("Project found through IAM")
	pid, err := client.ProjectID(ctx)
	if err != nil {
		return err
	}
	for _, r := range fake.Requests() {
		if r.Path == "/v3/projects" {
			fmt.Fprintf(w, "%s %s?%s  (auth: %s) -> %d\n", r.Method, r.Path, r.RawQuery, r.Auth, r.Status)
		}
	}
	fmt.Fprintf(w, "project id: %s\n", pid)

	const shown = 8
	heading(fmt.Sprintf("Alarms the fake holds (the %d newest of %d)", shown, len(events)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tSEVERITY\tHOST\tSTATUS")
	for _, e := range events[:min(shown, len(events))] {
		fmt.Fprintf(tw, "%s\t%d %s\t%s\t%s\t%s\n", e.ID[:8], e.Type, e.Name, e.Severity, e.HostName, eventStatus(e))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	// The demo sees every enterprise project, as a security team does;
	// without enterprise_project_id a call sees the default one only.
	allProjects := hss.Ptr("all_granted_eps")
	heading("Export the unhandled High and Critical alarms of the last 7 days")
	params := hss.ExportEventsParams{
		Category:            hss.CategoryHost,
		EventId:             "demo-case-1",
		LastDays:            hss.Ptr[int32](7),
		SeverityList:        &[]hss.Severity{hss.SeverityHigh, hss.SeverityCritical},
		HandleStatus:        hss.Ptr(hss.Unhandled),
		EnterpriseProjectId: allProjects,
	}
	fmt.Fprintln(w, "filters: category=host last_days=7 severity_list=High,Critical handle_status=unhandled enterprise_project_id=all_granted_eps")
	res, err := client.ExportEvents(ctx, params, defaultColumns)
	if err != nil {
		return err
	}
	reqs := fake.Requests()
	last := reqs[len(reqs)-1]
	query, _ := url.QueryUnescape(last.RawQuery)
	fmt.Fprintf(w, "sent: %s %s?%s\n", last.Method, last.Path, query)
	fmt.Fprintf(w, "task id: %s\nrecords: %d\n", deref(res.TaskId), deref(res.RecordTotalNum))

	handled, whitelisted, ok := demoTargets(events)
	if !ok {
		return errors.New("the fake holds no alarm to handle")
	}

	heading("Mark an alarm handled")
	fmt.Fprintf(w, "alarm %s: %d %s on %s\n", handled.ID, handled.Type, handled.Name, handled.HostName)
	fmt.Fprintf(w, "before: %s\n", eventStatus(handled))
	everywhere := &hss.HandleEventsParams{EnterpriseProjectId: allProjects}
	if err := client.HandleEvents(ctx, hss.MarkAsHandledRequest("demo", eventRef(handled)), everywhere); err != nil {
		return err
	}
	after, _ := fake.Event(handled.ID)
	fmt.Fprintf(w, "after:  %s (handler %q)\n", eventStatus(after), after.Handler)

	heading("Add an alarm to the alarm whitelist")
	fmt.Fprintf(w, "alarm %s: %d %s on %s\n", whitelisted.ID, whitelisted.Type, whitelisted.Name, whitelisted.HostName)
	fmt.Fprintf(w, "keyword: %s\n", whitelisted.Keyword)
	fmt.Fprintf(w, "before: %s\n", whitelistState(whitelisted))
	req := hss.AddToAlarmWhitelistRequest(eventRef(whitelisted), hss.AlarmDetails{Keyword: whitelisted.Keyword, Hash: whitelisted.Hash})
	if err := client.HandleEvents(ctx, req, everywhere); err != nil {
		return err
	}
	after, _ = fake.Event(whitelisted.ID)
	fmt.Fprintf(w, "after:  %s\n", whitelistState(after))

	heading("Bad input is refused before anything is sent")
	before := len(fake.Requests())
	bad := params
	bad.HandleStatus = nil
	bad.BeginTime = hss.Ptr(time.Now().Add(-time.Hour).UnixMilli())
	bad.EndTime = hss.Ptr(time.Now().UnixMilli())
	_, err = client.ExportEvents(ctx, bad, defaultColumns)
	fmt.Fprintf(w, "an export with both last_days and begin_time/end_time:\n  %s\n", refusal(err))
	noDetails := hss.OperateEventsRequest{
		OperateType:      hss.AddToAlarmWhitelist,
		OperateEventList: []hss.OperateEvent{{EventClassId: whitelisted.ClassID, EventId: whitelisted.ID, EventType: whitelisted.Type, OccurTime: whitelisted.OccurTime, OperateDetailList: []hss.EventDetail{}}},
	}
	err = client.HandleEvents(ctx, noDetails, everywhere)
	fmt.Fprintf(w, "add_to_alarm_whitelist without keyword and hash:\n  %s\n", refusal(err))
	fmt.Fprintf(w, "requests the fake received: %d before, %d after\n", before, len(fake.Requests()))

	heading("Export the last 7 days to a CSV file")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "hss-demo-"); err != nil {
			return err
		}
	}
	path := filepath.Join(dir, "events.csv")
	params = hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "demo-case-2", LastDays: hss.Ptr[int32](7), EnterpriseProjectId: allProjects}
	fmt.Fprintln(w, "filters: category=host last_days=7 enterprise_project_id=all_granted_eps")
	var records int32
	task, err := client.ExportToFile(ctx, path, params, defaultColumns, &hss.ExportOptions{
		PollInterval: 100 * time.Millisecond,
		Progress: func(p hss.ExportProgress) {
			switch p.Stage {
			case hss.StageSubmitted:
				records = p.Records
				fmt.Fprintf(w, "submitted: task id %s, %d records\n", p.TaskID, p.Records)
			case hss.StageDone:
				fmt.Fprintf(w, "done: %d bytes after %d status reads, in %s\n", p.Bytes, p.Polls, p.Elapsed.Round(time.Millisecond))
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "task %s: %s, file %s\n", deref(task.TaskName), deref(task.TaskStatus), deref(task.FileName))
	fmt.Fprintf(w, "written to: %s\n", path)
	lines, err := headLines(path, 5)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "its first lines (of %d records):\n", records)
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}

	heading("What went over the wire")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tMETHOD\tPATH (project id elided)\tAUTH\tSTATUS")
	for i, r := range fake.Requests() {
		path := strings.Replace(r.Path, "/"+pid+"/", "/{project_id}/", 1)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", i+1, r.Method, path, r.Auth, r.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nEvery request was signed with SDK-HMAC-SHA256 and checked by the fake against api/openapi.yaml.")
	return nil
}

// demoTargets picks the alarms the demo handles: the newest unhandled one,
// and the newest other unhandled one that has an alarm keyword and hash.
func demoTargets(events []hsstest.Event) (handled, whitelisted hsstest.Event, ok bool) {
	i := slices.IndexFunc(events, func(e hsstest.Event) bool {
		return e.Category == hss.CategoryHost && e.HandleStatus == hss.Unhandled && !e.Ignored
	})
	if i < 0 {
		return handled, whitelisted, false
	}
	j := slices.IndexFunc(events, func(e hsstest.Event) bool {
		return e.ID != events[i].ID && e.Category == hss.CategoryHost && e.HandleStatus == hss.Unhandled &&
			!e.AlarmWhitelisted && e.Keyword != "" && e.Hash != ""
	})
	if j < 0 {
		return handled, whitelisted, false
	}
	return events[i], events[j], true
}

// eventRef identifies a fake's event for the request builders.
func eventRef(e hsstest.Event) hss.EventRef {
	return hss.EventRef{ClassID: e.ClassID, ID: e.ID, Type: e.Type, OccurTime: e.OccurTime}
}

// eventStatus describes the handling state of an alarm in a few words.
func eventStatus(e hsstest.Event) string {
	parts := []string{string(e.HandleStatus)}
	if e.Ignored {
		parts = append(parts, "ignored")
	}
	if e.AlarmWhitelisted {
		parts = append(parts, "alarm-whitelisted")
	}
	if e.LoginWhitelisted {
		parts = append(parts, "login-whitelisted")
	}
	if e.Isolated {
		parts = append(parts, "isolated")
	}
	return strings.Join(parts, ", ")
}

// whitelistState says whether an alarm is in the alarm whitelist.
func whitelistState(e hsstest.Event) string {
	if e.AlarmWhitelisted {
		return "in the alarm whitelist"
	}
	return "not in the alarm whitelist"
}

// refusal describes the error of a refused input: the field and why.
func refusal(err error) string {
	var invalid *hss.ValidationError
	if errors.As(err, &invalid) {
		return fmt.Sprintf("refused: field %s: %s", invalid.Field, invalid.Reason)
	}
	if err == nil {
		return "not refused (unexpected)"
	}
	return "failed otherwise (unexpected): " + err.Error()
}

// headLines returns the first n lines of the file at path.
func headLines(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
