package hss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ShowExportTask reads the state of an export task. enterpriseProjectID may
// be empty.
//
// API: GET /v5/{project_id}/event/export-task/{task_id}
func (c *Client) ShowExportTask(ctx context.Context, taskID, enterpriseProjectID string) (*ExportTask, error) {
	if err := checkPathID("task_id", taskID); err != nil {
		return nil, err
	}
	if enterpriseProjectID != "" {
		if err := checkID("enterprise_project_id", enterpriseProjectID); err != nil {
			return nil, err
		}
	}
	pid, err := c.ProjectID(ctx)
	if err != nil {
		return nil, err
	}
	req, err := newRequest(ctx, http.MethodGet, c.endpoint, showExportTaskTarget(pid, taskID, enterpriseProjectID))
	if err != nil {
		return nil, opError(opShowExportTask, err)
	}
	var out ExportTask
	if err := c.send(ctx, opShowExportTask, pid, req, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DownloadExportedFile streams an exported file into w and returns the
// number of bytes written. A download cut off midway is an error
// (io.ErrUnexpectedEOF when the server declared a longer length).
//
// API: GET /v5/{project_id}/download/{file_id}
func (c *Client) DownloadExportedFile(ctx context.Context, fileID, enterpriseProjectID string, w io.Writer) (int64, error) {
	if err := checkPathID("file_id", fileID); err != nil {
		return 0, err
	}
	if enterpriseProjectID != "" {
		if err := checkID("enterprise_project_id", enterpriseProjectID); err != nil {
			return 0, err
		}
	}
	pid, err := c.ProjectID(ctx)
	if err != nil {
		return 0, err
	}
	req, err := newRequest(ctx, http.MethodGet, c.endpoint, downloadExportedFileTarget(pid, fileID, enterpriseProjectID))
	if err != nil {
		return 0, opError(opDownloadExportFile, err)
	}
	resp, err := c.roundTrip(ctx, opDownloadExportFile, pid, req, nil)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		// The file comes with a 200, the only answer the spec gives: a 202
		// ("not ready") or a 206 (a part) is not the file, and is not
		// written into w as if it were.
		discard(resp)
		return 0, unusableAnswer(opDownloadExportFile, req, resp, "", "the answer is not the file, which comes with a 200", nil)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor == 1 && resp.ContentLength < 0 && len(resp.TransferEncoding) == 0 && !resp.Uncompressed {
		// Neither a Content-Length nor chunks: the file ends where the
		// connection closes, and a cut would read as its end. (A length, the
		// chunks' last one, HTTP/2's end of stream or gzip's trailer tells
		// them apart.) Nothing is written that cannot be known whole.
		return 0, taskAnswerError{unusableAnswer(opDownloadExportFile, req, resp, "",
			"the file came without a declared length (no Content-Length, not chunked): a cut could not be told from its end", nil)}
	}
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		what := "failed" // cancelled, or w failed (a full disk): err says which
		if errors.Is(err, io.ErrUnexpectedEOF) {
			what = "cut off"
		}
		return n, opError(opDownloadExportFile, fmt.Errorf("download %s after %d bytes: %w", what, n, err))
	}
	return n, nil
}

// TaskFailedError is returned when an export task ends in failure.
type TaskFailedError struct {
	TaskID   string
	TaskName string
	Status   ExportTaskStatus
}

// Error reads "hss: export task ID (NAME) ended with status failure".
func (e *TaskFailedError) Error() string {
	return fmt.Sprintf("hss: export task %s (%s) ended with status %s", e.TaskID, e.TaskName, e.Status)
}

// ExportStage is where an ExportTo call is.
type ExportStage string

// The stages an export goes through, in order.
const (
	StageSubmitted   ExportStage = "submitted"   // the export was accepted
	StageRunning     ExportStage = "running"     // the task is still running (one report per poll)
	StageDownloading ExportStage = "downloading" // the file is streaming (reports as bytes arrive)
	StageDone        ExportStage = "done"        // the file is complete (ExportToFile: at its path)
)

// ExportProgress is what ExportOptions.Progress is told.
type ExportProgress struct {
	Stage   ExportStage
	TaskID  string
	Records int32         // record count the export answered (0 for a resume: not known)
	Polls   int           // status reads so far
	Bytes   int64         // bytes of the file written so far
	Elapsed time.Duration // since the call began
}

// ExportOptions tune ExportTo, ExportToFile, WaitExportTask and the
// resumes. The zero value is fine.
type ExportOptions struct {
	// PollInterval is the first wait between two reads of the task; it
	// doubles up to MaxPollInterval. Defaults: 500ms (or MaxPollInterval,
	// when that is shorter) and 10s. A MaxPollInterval shorter than a
	// PollInterval given is raised to it.
	PollInterval time.Duration
	// MaxPollInterval is the longest wait between two reads of the task.
	MaxPollInterval time.Duration
	// Progress, when set, is called from the calling goroutine at each stage.
	Progress func(ExportProgress)
}

// ExportError is the error of ExportTo, ExportToFile and the resumes once
// the export was submitted: the task exists on the service, and may still
// succeed. TaskID, EnterpriseProjectID and Stage say where the call
// stopped; when Resumable says it can help, ResumeExportTo or
// ResumeExportToFile (or WaitExportTask and DownloadExportedFile) finish it
// without exporting again. Err is the cause
// (an *APIError, a *TaskFailedError, a context error, a file-system error,
// ...), which errors.As and errors.Is find through it.
type ExportError struct {
	// TaskID is the export's task; "" when the service answered one that
	// no task id could be, which the error does not show (see Stage).
	TaskID string
	// EnterpriseProjectID is the export's enterprise project ("" for
	// none), which the task's reads need: resume with it.
	EnterpriseProjectID string
	// Stage is StageRunning (the task was being waited for) or
	// StageDownloading (its file was being downloaded, or put in place);
	// StageSubmitted when the export's answer named a task by an id that
	// no path carries (an *AnswerError; not resumable).
	Stage ExportStage
	// Written is how many bytes of the file ExportTo or ResumeExportTo had
	// written to its writer when it stopped (StageDownloading only). A
	// resume writes the whole file from its first byte, so give it a fresh
	// writer, or drop what was written first. ExportToFile and
	// ResumeExportToFile remove what they wrote to a file: 0 for them,
	// except at a path they write in place (a named pipe, a device, a
	// process's open file) and at a mount point whose copy failed part
	// way (see ExportToFile).
	Written int64
	Err     error
}

// Error reads as the cause, followed by the task and the stage.
func (e *ExportError) Error() string {
	doing := "waiting for it"
	if e.Stage == StageDownloading {
		doing = "writing its file"
	}
	if e.TaskID == "" {
		return fmt.Sprintf("%v (an export task whose id the client cannot use, while %s)", e.Err, doing)
	}
	return fmt.Sprintf("%v (export task %s, while %s)", e.Err, e.TaskID, doing)
}

// Unwrap returns the cause.
func (e *ExportError) Unwrap() error { return e.Err }

// Resumable says whether resuming the export can help: not when its task
// failed (*TaskFailedError), the service does not know the task or refused
// the request as such (404, 400), or the task's answer could not be used
// (a task or file id no path carries, no file id, a status outside the
// spec's, a file without a declared length):
// resuming would meet the same answer. After a timeout, a cancel, a 429 or
// 5xx, a cut-off download, a file-system failure, or a 401 or 403 once the
// credentials are mended, it can.
func (e *ExportError) Resumable() bool {
	var (
		failed  *TaskFailedError
		answer  taskAnswerError
		invalid *ValidationError
		api     *APIError
	)
	switch {
	case errors.As(e.Err, &failed), errors.As(e.Err, &answer), errors.As(e.Err, &invalid):
		// invalid: the task's reads refuse what the service answered (a
		// task id no path carries), and so would a resume's.
		return false
	case errors.As(e.Err, &api):
		return api.StatusCode != http.StatusNotFound && api.StatusCode != http.StatusBadRequest
	}
	return true
}

// answerValue quotes a value from an answer for an error's text when it is
// short (at most max bytes) and plain (printable ASCII, no space), and
// describes it by its length otherwise: where no request is at hand to
// redact against (a task's state, read and decoded), a longer value could
// be the request's token echoed. (Tokens and security tokens are hundreds
// of bytes long; a task status is 7, a task id 24.)
func answerValue(s string, max int) string {
	if len(s) > max || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return fmt.Sprintf("of %d bytes", len(s))
	}
	return strconv.Quote(s)
}

// How long a task id or status from an answer can be and still be shown in
// an error (see answerValue).
const (
	maxShownTaskID = 64
	maxShownStatus = 16
)

// taskAnswerError marks the *AnswerError of a task's answer that the client
// cannot follow, whichever call meets it: resuming would meet it again.
type taskAnswerError struct{ *AnswerError }

func (e taskAnswerError) Unwrap() error { return e.AnswerError }

// minPollInterval is the shortest wait between two reads of a task that
// ExportOptions take. A shorter one is a unit mistake (10, meant as
// seconds, is 10ns), which would read the task in a tight loop.
const minPollInterval = time.Millisecond

// checkExportOptions refuses poll intervals under minPollInterval (zero or
// less is the default).
func checkExportOptions(opts *ExportOptions) error {
	if opts == nil {
		return nil
	}
	for _, v := range []struct {
		field string
		d     time.Duration
	}{{"opts.PollInterval", opts.PollInterval}, {"opts.MaxPollInterval", opts.MaxPollInterval}} {
		if v.d > 0 && v.d < minPollInterval {
			return &ValidationError{Field: v.field, Reason: fmt.Sprintf("%v is under %v, the shortest wait between two reads of a task (a unit mistake?)", v.d, minPollInterval)}
		}
	}
	return nil
}

// exportOptions returns opts with its defaults filled in.
func exportOptions(opts *ExportOptions) ExportOptions {
	var o ExportOptions
	if opts != nil {
		o = *opts
	}
	switch {
	case o.PollInterval <= 0 && o.MaxPollInterval > 0:
		o.PollInterval = min(500*time.Millisecond, o.MaxPollInterval)
	case o.PollInterval <= 0:
		o.PollInterval = 500 * time.Millisecond
	}
	switch {
	case o.MaxPollInterval <= 0:
		o.MaxPollInterval = max(10*time.Second, o.PollInterval)
	case o.MaxPollInterval < o.PollInterval:
		o.MaxPollInterval = o.PollInterval // the caller's PollInterval wins
	}
	return o
}

// report calls o.Progress, when set, with p.
func (o *ExportOptions) report(p ExportProgress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}

// ExportTo submits an export, polls its task with backoff until it succeeds,
// fails (a *TaskFailedError) or ctx ends, and streams the file into w. It
// returns the finished task.
//
// An error after the export was accepted is an *ExportError naming the
// task, returned with the task's state as the last read of it answered
// (nil when that read failed): the export need not be submitted again, ResumeExportTo (or
// WaitExportTask and DownloadExportedFile) takes it from there. When the
// download had begun, part of the file is in w: ExportError.Written says
// how much.
func (c *Client) ExportTo(ctx context.Context, w io.Writer, params ExportEventsParams, columns ExportColumns, opts *ExportOptions) (*ExportTask, error) {
	if err := checkExportOptions(opts); err != nil {
		return nil, err
	}
	o := exportOptions(opts)
	start := time.Now()
	res, err := c.ExportEvents(ctx, params, columns)
	if err != nil {
		return nil, err
	}
	taskID := deref(res.TaskId)
	if taskID == "" {
		return nil, &AnswerError{Operation: opExportEvents, Reason: "the service answered no task id"}
	}
	if err := checkPathID("task_id", taskID); err != nil {
		// The service's answer, not the caller's input: an id that no path
		// carries, which the task's reads, and a resume's, would refuse.
		// One longer than any task id is not shown: it could be the
		// request's token, echoed.
		id := taskID
		if len(taskID) > maxShownTaskID {
			id = ""
		}
		reason := err.Error()
		if invalid := (*ValidationError)(nil); errors.As(err, &invalid) {
			reason = invalid.Reason
		}
		return nil, &ExportError{TaskID: id, EnterpriseProjectID: deref(params.EnterpriseProjectId), Stage: StageSubmitted,
			Err: taskAnswerError{&AnswerError{Operation: opExportEvents,
				Reason: fmt.Sprintf("the service answered a task id %s, which the client cannot read: %s", answerValue(taskID, maxShownTaskID), reason)}}}
	}
	prog := ExportProgress{Stage: StageSubmitted, TaskID: taskID, Records: deref(res.RecordTotalNum)}
	o.report(prog)
	return c.finishExport(ctx, w, taskID, deref(params.EnterpriseProjectId), &o, &prog, start)
}

// ResumeExportTo finishes an export that was submitted before, such as one
// whose ExportTo call stopped with an *ExportError: it waits for the task
// (WaitExportTask) and streams its file into w, with ExportTo's progress
// reports (from StageRunning on) and errors. enterpriseProjectID is the
// export's, and may be empty.
func (c *Client) ResumeExportTo(ctx context.Context, w io.Writer, taskID, enterpriseProjectID string, opts *ExportOptions) (*ExportTask, error) {
	if err := checkResume(taskID, enterpriseProjectID, opts); err != nil {
		return nil, err
	}
	o := exportOptions(opts)
	prog := ExportProgress{TaskID: taskID}
	return c.finishExport(ctx, w, taskID, enterpriseProjectID, &o, &prog, time.Now())
}

// checkResume checks the task and enterprise project a resumed export
// names, as ShowExportTask will, and its options: before a file is created
// for it.
func checkResume(taskID, enterpriseProjectID string, opts *ExportOptions) error {
	if err := checkExportOptions(opts); err != nil {
		return err
	}
	if err := checkPathID("task_id", taskID); err != nil {
		return err
	}
	if enterpriseProjectID != "" {
		return checkID("enterprise_project_id", enterpriseProjectID)
	}
	return nil
}

// finishExport waits for a submitted export's task and streams its file
// into w; its errors are *ExportErrors naming the task.
func (c *Client) finishExport(ctx context.Context, w io.Writer, taskID, eps string, o *ExportOptions, prog *ExportProgress, start time.Time) (*ExportTask, error) {
	task, err := c.waitExportTask(ctx, taskID, eps, o, prog, start)
	if err != nil {
		return task, &ExportError{TaskID: taskID, EnterpriseProjectID: eps, Stage: StageRunning, Err: err}
	}
	task.TaskId = &taskID // the id the task was read by, whatever its answer said of it
	if err := c.download(ctx, w, task, eps, o, prog, start); err != nil {
		return task, &ExportError{TaskID: taskID, EnterpriseProjectID: eps, Stage: StageDownloading, Written: prog.Bytes, Err: err}
	}
	return task, nil
}

// WaitExportTask polls an export task with backoff (opts' intervals) until
// it succeeds, and returns it; or until it fails (a *TaskFailedError,
// returned with the task as read), answers a status outside the spec's set, or ctx ends. It
// resumes an export whose ExportTo call stopped (an *ExportError names the
// task); the task's FileId is what DownloadExportedFile takes.
// opts.Progress is told of each poll (StageRunning), when set.
func (c *Client) WaitExportTask(ctx context.Context, taskID, enterpriseProjectID string, opts *ExportOptions) (*ExportTask, error) {
	if err := checkExportOptions(opts); err != nil {
		return nil, err
	}
	o := exportOptions(opts)
	prog := ExportProgress{TaskID: taskID}
	return c.waitExportTask(ctx, taskID, enterpriseProjectID, &o, &prog, time.Now())
}

// waitExportTask is WaitExportTask with the options filled in and the
// progress of the call it is part of.
func (c *Client) waitExportTask(ctx context.Context, taskID, eps string, o *ExportOptions, prog *ExportProgress, start time.Time) (*ExportTask, error) {
	wait := o.PollInterval
	for {
		task, err := c.ShowExportTask(ctx, taskID, eps)
		if err != nil {
			return nil, err
		}
		prog.Polls++
		prog.Elapsed = time.Since(start)
		status := deref(task.TaskStatus)
		switch status {
		case TaskSuccess:
			// The file id is a segment of the download's path: one that no
			// path carries is an answer the client cannot follow, not bad
			// input, so its check is reported as such (%v, not %w).
			if fileID := deref(task.FileId); fileID == "" {
				return task, taskAnswerError{&AnswerError{Operation: opShowExportTask, Reason: fmt.Sprintf("task %s succeeded without a file id", taskID)}}
			} else if err := checkPathID("file_id", fileID); err != nil {
				return task, taskAnswerError{&AnswerError{Operation: opShowExportTask, Reason: fmt.Sprintf("task %s succeeded with a file id the client cannot download: %v", taskID, err)}}
			}
			return task, nil
		case TaskFailure:
			return task, &TaskFailedError{TaskID: taskID, TaskName: deref(task.TaskName), Status: status}
		case TaskRunning:
		default:
			// Not a state of the spec's closed set (a missing one included):
			// waiting for success could last forever.
			return task, taskAnswerError{&AnswerError{Operation: opShowExportTask, Reason: fmt.Sprintf("task %s answered status %s: neither running, success nor failure", taskID, answerValue(string(status), maxShownStatus))}}
		}
		prog.Stage = StageRunning
		o.report(*prog)
		if err := sleep(ctx, wait); err != nil {
			return task, opError(opShowExportTask, fmt.Errorf("task %s still %s after %d polls: %w", taskID, status, prog.Polls, err))
		}
		wait = min(wait*2, o.MaxPollInterval)
	}
}

// download streams the file of a finished task into w, reporting progress.
func (c *Client) download(ctx context.Context, w io.Writer, task *ExportTask, eps string, o *ExportOptions, prog *ExportProgress, start time.Time) error {
	prog.Stage = StageDownloading
	o.report(*prog)
	cw := &countingWriter{w: w, onWrite: func(n int64) {
		prog.Bytes = n
		prog.Elapsed = time.Since(start)
		o.report(*prog)
	}}
	if _, err := c.DownloadExportedFile(ctx, deref(task.FileId), eps, cw); err != nil {
		return err
	}
	prog.Stage = StageDone
	prog.Elapsed = time.Since(start)
	o.report(*prog)
	return nil
}

// ExportToFile is ExportTo writing to the file at path. The file appears
// whole or not at all: it is written under a temporary name in the same
// directory and renamed when complete, and removed on any failure (a panic
// in opts.Progress included). It is readable by its owner only (0600:
// alarm data is sensitive), and replaces a file at path; through a
// symbolic link, the file it points to (made, on Unix, if the link
// dangles), not the link. A file that is a mount point (bind-mounted into
// a container), which no rename can replace, has the complete file copied
// into it instead: there a reader may see it partly written, a copy that
// fails part way leaves it so (an *ExportError's Written says how much),
// and the file keeps its own mode and owner.
//
// A path that cannot be replaced is written in place, as the file streams:
// one that is neither a file nor a directory (/dev/null, a terminal, a
// named pipe), and an open file of a process (/dev/stdout, /dev/fd/N,
// /proc/PID/fd/N, such as a shell's >(gzip > f.gz)): a file this process
// has open for writing at that descriptor is written through it (where its
// other writes to it go), any other appended to by its path. There a
// failure cannot take back what was written: an *ExportError's Written
// says how much was. Opening a named pipe waits for its reader, up to
// ctx, before anything is sent; on Linux, ctx also ends a write that a
// pipe's or terminal's reader does not take. A symbolic link through
// procfs other than to an open file (a container's root) is refused: only
// the kernel can follow it.
//
// Its errors are ExportTo's: an *ExportError names the task once the
// export was accepted, and ResumeExportToFile finishes it.
func (c *Client) ExportToFile(ctx context.Context, path string, params ExportEventsParams, columns ExportColumns, opts *ExportOptions) (*ExportTask, error) {
	opts, done := holdDone(opts)
	return writeFileWhole(ctx, path, deref(params.EnterpriseProjectId), done, func() error {
		if err := checkExportOptions(opts); err != nil {
			return err
		}
		return CheckExport(params, columns)
	}, func(w io.Writer) (*ExportTask, error) {
		return c.ExportTo(ctx, w, params, columns, opts)
	})
}

// ResumeExportToFile is ResumeExportTo writing to the file at path, whole
// or not at all (or in place), as ExportToFile writes it: it finishes an
// export whose ExportToFile call stopped with an *ExportError.
func (c *Client) ResumeExportToFile(ctx context.Context, path, taskID, enterpriseProjectID string, opts *ExportOptions) (*ExportTask, error) {
	opts, done := holdDone(opts)
	return writeFileWhole(ctx, path, enterpriseProjectID, done, func() error { return checkResume(taskID, enterpriseProjectID, opts) }, func(w io.Writer) (*ExportTask, error) {
		return c.ResumeExportTo(ctx, w, taskID, enterpriseProjectID, opts)
	})
}

// holdDone returns opts with its StageDone report held back, and the
// function that makes it: a file variant reports done once the file is at
// its path, not when its download ends (the file may still fail to be put
// there).
func holdDone(opts *ExportOptions) (*ExportOptions, func()) {
	if opts == nil || opts.Progress == nil {
		return opts, func() {}
	}
	held := *opts
	var done *ExportProgress
	held.Progress = func(p ExportProgress) {
		if p.Stage == StageDone {
			done = &p
			return
		}
		opts.Progress(p)
	}
	return &held, func() {
		if done != nil {
			opts.Progress(*done)
		}
	}
}

// writeFileWhole writes the file at path with write, after check passes:
// under a temporary name in the same directory as the file (0600), renamed
// when complete, removed on any failure or panic; then calls done. A path
// that cannot be replaced is written in place instead (writeInPlace). The
// inputs are checked, and the path's kind read, before anything is created
// on disk, or sent. A failure to finish the file after write succeeded is
// an *ExportError of its task (eps is the export's enterprise project):
// the file can be downloaded again.
func writeFileWhole(ctx context.Context, path, eps string, done func(), check func() error, write func(io.Writer) (*ExportTask, error)) (task *ExportTask, err error) {
	if path == "" {
		return nil, &ValidationError{Field: "path", Reason: "required"}
	}
	if err := check(); err != nil {
		return nil, err
	}
	out, err := outputTarget(path)
	if err != nil {
		return nil, err
	}
	if out.inPlace {
		return writeInPlace(ctx, path, out.fd, eps, done, write)
	}
	path = out.target
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("hss: export to file: %w", err)
	}
	tmp := f.Name()
	placed := false
	defer func() {
		if !placed { // an error, or a panic on its way up
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	task, err = write(f)
	if err != nil {
		if ee := (*ExportError)(nil); errors.As(err, &ee) {
			ee.Written = 0 // the partial file is removed, not left at path
		}
		return task, err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = rename(tmp, path)
		if errors.Is(err, syscall.EBUSY) {
			// A mount point (a file bind-mounted into a container) cannot
			// be renamed over: the file, complete, is copied into it.
			var n int64
			if n, err = copyInto(path, tmp); err == nil {
				_ = os.Remove(tmp)
			} else if n > 0 {
				return task, &ExportError{TaskID: deref(task.TaskId), EnterpriseProjectID: eps, Stage: StageDownloading, Written: n,
					Err: fmt.Errorf("hss: export to file: copying it into %s, a mount point, which now holds part of it: %w", path, err)}
			}
		}
	}
	if err != nil {
		// The task succeeded and its file came: it can be downloaded again.
		return task, &ExportError{TaskID: deref(task.TaskId), EnterpriseProjectID: eps, Stage: StageDownloading,
			Err: fmt.Errorf("hss: export to file: %w", err)}
	}
	placed = true
	done()
	return task, nil
}

// rename is os.Rename; tests make it fail as a mount point does.
var rename = os.Rename

// copyInto writes the file at from over the file at path, whose place
// cannot be taken by a rename, and syncs it; it returns how much it wrote
// there. The file at path is cut to the new length only once the copy is
// complete, and keeps its mode and owner.
func copyInto(path, from string) (n int64, err error) {
	src, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}()
	if n, err = io.Copy(dst, src); err != nil {
		return n, err
	}
	if err := dst.Truncate(n); err != nil {
		return n, err
	}
	return n, dst.Sync()
}

// output is where ExportToFile puts its file: under a temporary name
// renamed to target, or in place (inPlace), through a duplicate of this
// process's descriptor fd when fd is one (-1: by its path).
type output struct {
	target  string
	inPlace bool
	fd      int
}

// outputTarget says where ExportToFile puts the file at path, from what
// the kernel says path is, so that a rename never replaces what cannot be
// replaced: a directory or a socket is refused; a device or a named pipe
// is written in place, by its path; a file, or nothing yet, is replaced or
// made where path leads (see fileTarget: through symbolic links, unless
// one of them is a process's open file, which is written in place).
func outputTarget(path string) (output, error) {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return output{}, &ValidationError{Field: "path", Reason: "is a directory"}
	case err == nil && st.Mode()&os.ModeSocket != 0:
		return output{}, &ValidationError{Field: "path", Reason: "is a socket, which a file cannot be written to"}
	case err == nil && st.Mode()&(os.ModeNamedPipe|os.ModeDevice|os.ModeCharDevice) != 0:
		return output{inPlace: true, fd: -1}, nil
	case err == nil, errors.Is(err, os.ErrNotExist):
		out, err := fileTarget(path, st)
		if err != nil {
			return output{}, fmt.Errorf("hss: export to file: %w", err)
		}
		return out, nil
	default:
		return output{}, fmt.Errorf("hss: export to file: %w", err)
	}
}

// writeInPlace writes to path, which cannot be replaced (see outputTarget),
// as the file streams: through a duplicate of this process's descriptor fd
// when fd is one (a file it has open for writing: the writes go where its
// own go), else appending to path. What it received cannot be taken back,
// so an *ExportError's Written counts it. Opening a named pipe waits for its
// reader, up to ctx, before anything is sent; where the pipe or terminal
// can take a deadline (Linux), ctx also ends a write its reader does not
// take.
func writeInPlace(ctx context.Context, path string, fd int, eps string, done func(), write func(io.Writer) (*ExportTask, error)) (*ExportTask, error) {
	f, err := openInPlace(ctx, path, fd)
	if err != nil {
		return nil, fmt.Errorf("hss: export to file: %w", err)
	}
	closed := false
	defer func() {
		if !closed { // a panic on its way up
			_ = f.Close()
		}
	}()
	// A pollable file (a pipe, a terminal) takes a deadline; for others
	// this does nothing, and a write to them does not wait for a reader.
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Now()) })
	defer stop()
	w := &countingWriter{w: inPlaceWriter{ctx: ctx, f: f}, onWrite: func(int64) {}}
	task, err := write(w)
	closed = true
	if cerr := f.Close(); err == nil && cerr != nil {
		err = &ExportError{TaskID: deref(task.TaskId), EnterpriseProjectID: eps, Stage: StageDownloading, Written: w.n,
			Err: fmt.Errorf("hss: export to file: %w", cerr)}
	}
	if err != nil {
		return task, err
	}
	done()
	return task, nil
}

// inPlaceWriter writes to a file written in place, and says a write the
// context's end cut short (by its deadline) ended with the context.
type inPlaceWriter struct {
	ctx context.Context
	f   *os.File
}

func (w inPlaceWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if errors.Is(err, os.ErrDeadlineExceeded) && w.ctx.Err() != nil {
		err = w.ctx.Err()
	}
	return n, err
}

type countingWriter struct {
	w       io.Writer
	n       int64
	onWrite func(int64)
}

func (cw *countingWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	cw.onWrite(cw.n)
	return n, err
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
