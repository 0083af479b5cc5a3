package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/openhss/hss-go/hss"
)

// waitTimeout is the default --timeout of an export that waits for its
// file: tasks take a while on a busy account.
const waitTimeout = 10 * time.Minute

// defaultColumns are the columns of an export given neither --column nor
// --body: enough to read an alarm and to find it again.
var defaultColumns = hss.ExportColumns{
	{"event_id", "Event ID"},
	{"event_name", "Alarm name"},
	{"event_type", "Event type"},
	{"severity", "Severity"},
	{"host_name", "Server name"},
	{"private_ip", "Private IP"},
	{"occur_time", "Occurred at (ms)"},
	{"handle_status", "Status"},
}

// exportCmd holds the flags of hss export.
type exportCmd struct {
	serviceFlags
	params       hss.ExportEventsParams
	columns      [][]string
	wait         bool
	taskID       string
	output       string
	pollInterval time.Duration
}

func (c *exportCmd) flags() *flags {
	f := newFlags("export")
	p := &c.params
	f.section("Filters (the query parameters of the operation; a list flag takes one value per use, or comma-separated values; any other, one value)")
	f.add(stringValue[hss.EventCategory]{&p.Category}, "category", "host|container", "event category (required)")
	f.add(stringValue[string]{&p.EventId}, "event-id", "CODE", "the case code of the export (required by the service)")
	f.add(optString[string]{&p.EnterpriseProjectId}, "enterprise-project-id", "ID", "enterprise project; 0 is the default one, all_granted_eps all of them")
	f.add(optInt[int32]{p: &p.LastDays}, "last-days", "N", "events of the last N days (not with --begin-time/--end-time)")
	f.add(timeValue{&p.BeginTime}, "begin-time", "TIME", "start of a window of at most two days: milliseconds since 1970 or RFC 3339")
	f.add(timeValue{&p.EndTime}, "end-time", "TIME", "end of that window (required with --begin-time)")
	f.add(optString[string]{&p.HostName}, "host-name", "NAME", "server name")
	f.add(optString[string]{&p.HostId}, "host-id", "ID", "server id")
	f.add(optString[string]{&p.PrivateIp}, "private-ip", "IP", "server private IP address")
	f.add(optString[string]{&p.PublicIp}, "public-ip", "IP", "server elastic IP address")
	f.add(optString[string]{&p.ContainerName}, "container-name", "NAME", "container instance name")
	f.add(optString[string]{&p.ClusterId}, "cluster-id", "ID", "cluster id")
	f.add(optInt[int32]{p: &p.EventType}, "event-type", "N", "event type, such as 1010 (rootkit) or 4004 (abnormal login)")
	f.add(int32List(&p.EventTypes), "event-types", "N", "event types (list)")
	f.add(stringList(&p.EventClassIds), "event-class-ids", "ID", "event class ids, such as rootkit_0001 (list)")
	f.add(stringList(&p.EventIdList), "event-id-list", "ID", "alarm ids (list)")
	f.add(optString[string]{&p.EventName}, "event-name", "NAME", "alarm name")
	f.add(optString[hss.HandleStatus]{&p.HandleStatus}, "handle-status", "STATUS", "unhandled or handled")
	f.add(optString[hss.Severity]{&p.Severity}, "severity", "LEVEL", "Security, Low, Medium, High or Critical")
	f.add(stringList(&p.SeverityList), "severity-list", "LEVEL", "risk levels (list)")
	f.add(optString[string]{&p.AttackTag}, "attack-tag", "TAG", "attack tag, such as attack_success")
	f.add(optString[string]{&p.AssetValue}, "asset-value", "VALUE", "asset importance: important, common or test")
	f.add(stringList(&p.TagList), "tag-list", "TAG", "event tags (list)")
	f.add(optString[string]{&p.AttCk}, "att-ck", "PHASE", "ATT&CK phase, such as \"Initial Access\"")
	f.add(optBool{&p.AutoBlock}, "auto-block", "", "only alarms blocked automatically (--auto-block=false: only the others)")
	f.add(optInt[int32]{p: &p.Offset, nonNegative: true}, "offset", "N", "skip the first N records")
	f.add(optInt[int32]{p: &p.Limit, nonNegative: true}, "limit", "N", "records per page")
	f.add(optInt[int32]{p: &p.ExportSize, nonNegative: true}, "export-size", "N", "number of records to export")

	f.section("Table and file")
	f.add(columnsValue{&c.columns}, "column", "FIELD=TITLE", "a column of the exported table, once per column (default: "+columnNames(defaultColumns)+")")
	f.add(boolValue{&c.wait}, "wait", "", "wait for the export task and download its file (needs --output)")
	f.add(plainString{&c.output}, "output", "FILE", "where the file goes (- for standard output); implies --wait; written whole or not at all (what cannot be replaced, such as a pipe, a device or /dev/fd/N: as the file streams)")
	f.add(plainString{&c.taskID}, "task-id", "ID", "finish an export submitted before (an error names its task): wait for the task and download its file to --output; no filters or columns, --enterprise-project-id if it had one")
	c.pollInterval = 500 * time.Millisecond
	f.add(durationValue{&c.pollInterval}, "poll-interval", "DURATION", "first wait between two reads of the task; doubles up to 10s")

	addServiceFlags(f, &c.serviceFlags, "the table columns as JSON, [[\"event_name\",\"Alarm name\"],...], instead of --column")
	f.fs.Lookup("timeout").Usage += "; 10m with --output unless given"
	return f
}

func columnNames(cols hss.ExportColumns) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c[0]
	}
	return strings.Join(names, ", ")
}

// exportResult is what hss export --wait --output FILE prints.
type exportResult struct {
	RecordTotalNum *int32 `json:"record_total_num,omitempty"` // unknown for a resumed export
	TaskID         string `json:"task_id"`
	TaskName       string `json:"task_name,omitempty"`
	TaskStatus     string `json:"task_status,omitempty"`
	FileName       string `json:"file_name,omitempty"`
	Output         string `json:"output"`
	Bytes          int64  `json:"bytes"`
}

func runExport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c exportCmd
	f := c.flags()
	field := flagField(f, func(field string) string {
		switch {
		case strings.HasPrefix(field, "columns"):
			return columnField(field, c.body != "")
		case field == "path":
			return "--output"
		case field == "opts.PollInterval":
			return "--poll-interval"
		}
		return field
	})
	resume := false // --task-id: this run finishes an export
	fail := func(err error) int {
		code := report(stderr, "export", err, field, c.timeout)
		if !resume {
			printFinishHint(stderr, err)
		}
		return code
	}

	if err := f.parse(args); err == errHelp {
		printCommandUsage(stdout, "export")
		return 0
	} else if err != nil {
		return fail(err)
	}
	if err := c.check(f); err != nil {
		return fail(err)
	}
	resume = f.set("task-id")
	if err := c.checkResume(f, resume); err != nil {
		return fail(err)
	}
	var columns hss.ExportColumns
	if !resume {
		var err error
		if columns, err = c.tableColumns(ctx, stdin); err != nil {
			return fail(err)
		}
	}
	if c.output == "" && f.set("output") {
		return fail(usagef("invalid --output: empty (a file, or - for standard output)"))
	}
	if !c.wait && f.set("wait") && c.output != "" {
		return fail(usagef("--wait=false with --output: --output waits for the task and downloads its file"))
	}
	if c.wait && c.output == "" {
		return fail(usagef("--wait needs --output FILE (or --output - for standard output)"))
	}
	if c.output != "" {
		c.wait = true
		if !f.set("timeout") {
			c.timeout = waitTimeout
		}
		if err := checkOutput(c.output); err != nil {
			return fail(err)
		}
	}
	// The input first: it needs no credentials.
	if !resume {
		if err := hss.CheckExport(c.params, columns); err != nil {
			return fail(err)
		}
	}
	client, err := c.newClient(stderr)
	if err != nil {
		return fail(err)
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if !c.wait {
		res, err := client.ExportEvents(ctx, c.params, columns)
		if err != nil {
			return fail(err)
		}
		return printJSON(stdout, stderr, res)
	}

	var records *int32
	var written int64
	progress := newProgress(stderr)
	opts := &hss.ExportOptions{PollInterval: c.pollInterval, Progress: func(p hss.ExportProgress) {
		switch p.Stage {
		case hss.StageSubmitted:
			records = &p.Records
		case hss.StageDone:
			written = p.Bytes // the file's size, at any --output (a pipe has none to read back)
		}
		progress.show(p)
	}}
	eps := ""
	if c.params.EnterpriseProjectId != nil {
		eps = *c.params.EnterpriseProjectId
	}
	exportTo := func(w io.Writer) (*hss.ExportTask, error) {
		if resume {
			return client.ResumeExportTo(ctx, w, c.taskID, eps, opts)
		}
		return client.ExportTo(ctx, w, c.params, columns, opts)
	}
	if c.output == "-" || isStdout(c.output, stdout) {
		// Whole or not at all, on standard output too: the file is
		// downloaded into an unnamed temporary file first, so a cut-off
		// download or a Ctrl-C leaves nothing half-written for the reader
		// of the pipe, and progress lines end before the CSV starts.
		tmp, err := os.CreateTemp("", "hss-export-*.csv")
		if err != nil {
			return fail(err)
		}
		_ = os.Remove(tmp.Name()) // unnamed: gone when closed, whatever happens
		defer tmp.Close()
		_, err = exportTo(tmp)
		progress.end()
		if err == nil {
			_, err = tmp.Seek(0, io.SeekStart)
		}
		if err == nil {
			// The copy waits for the reader, as cat's would: --timeout
			// does not cut it (a pager may hold it for long), and a
			// second Ctrl-C ends the process.
			_, err = io.Copy(stdout, tmp)
		}
		if ee := (*hss.ExportError)(nil); errors.As(err, &ee) {
			ee.Written = 0 // it went to the temporary file, not to standard output
		}
		if err != nil {
			return fail(err)
		}
		return 0
	}
	var task *hss.ExportTask
	if resume {
		task, err = client.ResumeExportToFile(ctx, c.output, c.taskID, eps, opts)
	} else {
		task, err = client.ExportToFile(ctx, c.output, c.params, columns, opts)
	}
	progress.end()
	if err != nil {
		return fail(err)
	}
	out := exportResult{RecordTotalNum: records, Output: c.output}
	if task.TaskId != nil {
		out.TaskID = *task.TaskId
	}
	if task.TaskName != nil {
		out.TaskName = *task.TaskName
	}
	if task.TaskStatus != nil {
		out.TaskStatus = string(*task.TaskStatus)
	}
	if task.FileName != nil {
		out.FileName = *task.FileName
	}
	out.Bytes = written
	return printJSON(stdout, stderr, out)
}

// checkResume refuses what --task-id cannot take: a resumed export has
// the filters and columns it was submitted with, so only
// --enterprise-project-id (which the task's reads need) may come with it,
// and its file must go somewhere.
func (c *exportCmd) checkResume(f *flags, resume bool) error {
	if !resume {
		return nil
	}
	if c.taskID == "" {
		return usagef("invalid --task-id: empty (the id of the export task to finish)")
	}
	for _, name := range append(slices.Clone(f.sections[0].names), "column", "body") {
		if name != "enterprise-project-id" && f.set(name) {
			return usagef("--%s with --task-id: the export it finishes has the filters and columns it was submitted with", name)
		}
	}
	if c.output == "" && !f.set("output") { // an empty one is refused below, as such
		return usagef("--task-id needs --output FILE (or --output - for standard output)")
	}
	if p := c.params.EnterpriseProjectId; p != nil && *p == "" {
		return usagef("invalid --enterprise-project-id: empty (leave it out for the default enterprise project)")
	}
	return nil
}

// printFinishHint tells how to finish an export that stopped after it was
// accepted, when finishing it can help (hss.ExportError.Resumable).
func printFinishHint(stderr io.Writer, err error) {
	var stopped *hss.ExportError
	if !errors.As(err, &stopped) || !stopped.Resumable() {
		return
	}
	cmd := "hss export --task-id " + shellWord(stopped.TaskID)
	if stopped.EnterpriseProjectID != "" {
		cmd += " --enterprise-project-id " + shellWord(stopped.EnterpriseProjectID)
	}
	fmt.Fprintf(stderr, "  %-12s %s (finish it: %s --output FILE)\n", "export task:", stopped.TaskID, cmd)
	if stopped.Written > 0 {
		// Only an --output written in place (a pipe, a device), or a mount
		// point whose copy failed part way, keeps a part.
		fmt.Fprintf(stderr, "  %-12s %d bytes of the file had gone to --output; finishing writes it again from its start\n", "written:", stopped.Written)
	}
}

// shellWord is s as one word of a shell command: as it is when it holds
// only letters, digits and -_.:, single-quoted otherwise.
func shellWord(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// columnField names a column the library refused ("columns",
// "columns[2]", "columns[2][1]") as the user gave it: the nth --column
// and its field or title, or the element of the --body array.
func columnField(field string, fromBody bool) string {
	var i, j int
	switch {
	case fromBody && field == "columns":
		return "--body"
	case fromBody:
		return "--body element " + strings.TrimPrefix(field, "columns")
	case field == "columns":
		return "--column"
	}
	if n, _ := fmt.Sscanf(field, "columns[%d][%d]", &i, &j); n == 2 {
		part := "field"
		if j == 1 {
			part = "title"
		}
		return fmt.Sprintf("--column (the %s of column %d)", part, i+1)
	} else if n == 1 {
		return fmt.Sprintf("--column (column %d)", i+1)
	}
	return "--column"
}

// tableColumns returns the columns from --column, or --body, or the
// default ones.
func (c *exportCmd) tableColumns(ctx context.Context, stdin io.Reader) (hss.ExportColumns, error) {
	switch {
	case c.body != "" && len(c.columns) > 0:
		return nil, usagef("give the columns with --column or with --body, not both")
	case len(c.columns) > 0:
		return c.columns, nil
	case c.body != "":
		b, err := readBody(ctx, c.body, stdin)
		if err != nil {
			return nil, err
		}
		var cols hss.ExportColumns
		if err := decodeStrict(b, &cols); err != nil {
			return nil, err
		}
		return cols, nil
	}
	return defaultColumns, nil
}

// isStdout says whether path is the file standard output is (/dev/stdout,
// /dev/fd/1, or its file by name): the file goes there as with --output -,
// whole, and without the answer's JSON after it.
func isStdout(path string, stdout io.Writer) bool {
	f, ok := stdout.(*os.File)
	if !ok {
		return false
	}
	a, err := os.Stat(path)
	if err != nil {
		return false
	}
	b, err := f.Stat()
	return err == nil && os.SameFile(a, b)
}

// checkOutput refuses an output file whose directory does not exist, or
// that is a directory, before anything is sent.
func checkOutput(path string) error {
	if path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("invalid --output: %s is a directory", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return usagef("invalid --output: directory %s does not exist", dir)
	}
	return nil
}

// printJSON writes v as one line of JSON.
func printJSON(stdout, stderr io.Writer, v any) int {
	b, err := json.Marshal(v)
	if err == nil {
		_, err = fmt.Fprintf(stdout, "%s\n", b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hss: writing the answer: %v\n", err)
		return 1
	}
	return 0
}

// progress shows an export's progress on one line of standard error when
// it is a terminal, and nothing otherwise (a pipe or a file gets no
// carriage returns).
type progress struct {
	w     io.Writer
	shown bool
}

func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok {
		return &progress{}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return &progress{}
	}
	return &progress{w: stderr}
}

func (p *progress) show(e hss.ExportProgress) {
	if p.w == nil {
		return
	}
	var line string
	switch e.Stage {
	case hss.StageSubmitted:
		line = fmt.Sprintf("export task %s submitted: %d records", e.TaskID, e.Records)
	case hss.StageRunning:
		line = fmt.Sprintf("export task %s running (status read %d, %s)", e.TaskID, e.Polls, e.Elapsed.Round(100*time.Millisecond))
	case hss.StageDownloading:
		line = fmt.Sprintf("export task %s: downloading, %d bytes", e.TaskID, e.Bytes)
	case hss.StageDone:
		line = fmt.Sprintf("export task %s: done, %d bytes in %s", e.TaskID, e.Bytes, e.Elapsed.Round(100*time.Millisecond))
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	p.shown = true
}

func (p *progress) end() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}
