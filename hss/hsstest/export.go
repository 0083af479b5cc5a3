package hsstest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/openhss/hss-go/gen"
)

// maxTimeWindow is the longest begin_time..end_time window, two days in
// milliseconds (hss-api.md decision 4).
const maxTimeWindow = 2 * 24 * 60 * 60 * 1000

// exportTask is an export submitted to the fake.
type exportTask struct {
	id, name, fileID, fileName string
	eps                        string    // the enterprise project it was exported in ("0": the default)
	submitted                  time.Time // by Options.Now
	readyAt                    time.Time // on the real clock
	fail                       bool
	records                    int
	csv                        []byte
}

// status is the task's state now.
func (t *exportTask) status() gen.ExportTaskStatus {
	switch {
	case time.Now().Before(t.readyAt):
		return gen.Running
	case t.fail:
		return gen.Failure
	}
	return gen.Success
}

// Task is an export task as the fake sees it (Server.Tasks).
type Task struct {
	// ID is the task id ExportEvents answered.
	ID string
	// Name is the task name, such as "export_event_1732233600000".
	Name string
	// Status is running, success or failure.
	Status gen.ExportTaskStatus
	// FileID is the id of the file to download; the fake makes it up front,
	// but tells clients only once the task succeeded.
	FileID string
	// FileName is the file's name, such as "event_export_1732233600000.csv".
	FileName string
	// EnterpriseProjectID is the enterprise project the export was made in
	// ("0", the default one, when it named none; or all_granted_eps). Its
	// reads see the task there, or with all_granted_eps.
	EnterpriseProjectID string
	// Records is the number of events exported (record_total_num).
	Records int
	// Submitted is when the task was submitted, by Options.Now.
	Submitted time.Time
}

// Tasks returns the export tasks in the order they were submitted.
func (s *Server) Tasks() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Task, 0, len(s.taskOrder))
	for _, id := range s.taskOrder {
		t := s.tasks[id]
		out = append(out, Task{
			ID: t.id, Name: t.name, Status: t.status(), FileID: t.fileID, FileName: t.fileName,
			EnterpriseProjectID: t.eps, Records: t.records, Submitted: t.submitted,
		})
	}
	return out
}

// ExportCSV returns the file an export task produces, and false if there is
// no such task or it fails. The file exists from submission on, so a test
// may read it before the task reports success.
func (s *Server) ExportCSV(taskID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[taskID]
	if !ok || t.fail {
		return nil, false
	}
	return bytes.Clone(t.csv), true
}

// FailNextExport makes the next export task submitted end in failure
// (after running for Options.ExportDuration). Calls add up: two calls fail
// the next two.
func (s *Server) FailNextExport() {
	s.mu.Lock()
	s.failNext++
	s.mu.Unlock()
}

// badParam answers 400 HSS.1001 for a refused parameter or field.
func badParam(w http.ResponseWriter, field, reason string) {
	writeJSON(w, http.StatusBadRequest, hssError("HSS.1001", "invalid "+field+": "+reason))
}

// ExportEvents answers POST /v5/{project_id}/event/export: it counts the
// matching events and submits an export task.
func (a service) ExportEvents(w http.ResponseWriter, r *http.Request, _ gen.ProjectId, p gen.ExportEventsParams) {
	s := a.s
	var cols gen.ExportColumns
	if err := json.NewDecoder(r.Body).Decode(&cols); err != nil {
		badParam(w, "body", "not an array of [field, column title] pairs")
		return
	}
	if field, reason := checkExportParams(&p); field != "" {
		badParam(w, field, reason)
		return
	}
	if !s.anyColumns {
		for i, c := range cols { // each [field, title]: the spec checked that
			if _, known := (Event{}).Field(c[0]); !known {
				badParam(w, "body["+strconv.Itoa(i)+"][0]", "unknown field "+strconv.Quote(c[0])+" (misspelt? a field the fake lacks exports as an empty column with hsstest.Options.AnyColumns, or hss emulator --any-columns)")
				return
			}
		}
	}
	now := s.now()

	s.mu.Lock()
	var matches []Event
	for _, e := range s.events {
		if exportMatches(e, &p, now) {
			matches = append(matches, e.clone())
		}
	}
	s.mu.Unlock()
	sortEvents(matches)
	matches = page(matches, p.Offset, p.Limit, p.ExportSize)

	file, err := exportFile(cols, matches)
	if err != nil {
		s.fakeBug(w, fmt.Errorf("writing the export file: %w", err))
		return
	}
	stamp := strconv.FormatInt(now.UnixMilli(), 10)
	t := &exportTask{
		id:        randomHex(12),
		name:      "export_event_" + stamp,
		fileID:    uuidID(randomHex(16)),
		fileName:  "event_export_" + stamp + ".csv",
		eps:       projectOf(p.EnterpriseProjectId),
		submitted: now,
		readyAt:   time.Now().Add(max(s.exportDuration, 0)),
		records:   len(matches),
		csv:       file,
	}
	s.mu.Lock()
	if s.failNext > 0 {
		s.failNext--
		t.fail = true
	}
	s.tasks[t.id] = t
	s.taskOrder = append(s.taskOrder, t.id)
	s.files[t.fileID] = t.id
	if s.maxTasks > 0 && len(s.taskOrder) > s.maxTasks {
		old := s.tasks[s.taskOrder[0]]
		delete(s.tasks, old.id)
		delete(s.files, old.fileID)
		s.taskOrder = slices.Delete(s.taskOrder, 0, 1)
	}
	s.mu.Unlock()

	n := int32(t.records)
	writeJSON(w, http.StatusOK, gen.ExportEventsResult{RecordTotalNum: &n, TaskId: &t.id})
}

// checkExportParams enforces the rules of the export's parameters that
// OpenAPI cannot state (hss-api.md decision 4), and refuses negative
// paging. It returns the refused field and why, or "", "".
func checkExportParams(p *gen.ExportEventsParams) (field, reason string) {
	switch {
	case p.LastDays != nil && (p.BeginTime != nil || p.EndTime != nil):
		return "last_days", "cannot be combined with begin_time and end_time"
	case p.LastDays != nil && *p.LastDays < 1:
		return "last_days", "must be at least 1"
	case p.BeginTime != nil && p.EndTime == nil:
		return "end_time", "required with begin_time"
	case p.EndTime != nil && p.BeginTime == nil:
		return "begin_time", "required with end_time"
	case p.BeginTime != nil && *p.EndTime < *p.BeginTime:
		return "end_time", "earlier than begin_time"
	case p.BeginTime != nil && *p.EndTime-*p.BeginTime > maxTimeWindow:
		return "end_time", "more than two days (172800000 ms) after begin_time"
	case p.Offset != nil && *p.Offset < 0:
		return "offset", "must not be negative"
	case p.Limit != nil && *p.Limit < 0:
		return "limit", "must not be negative"
	case p.ExportSize != nil && *p.ExportSize < 0:
		return "export_size", "must not be negative"
	}
	return "", ""
}

// projectOf is the enterprise project a call names: "0", the default one,
// when it names none.
func projectOf(id *string) string {
	if id == nil {
		return "0"
	}
	return *id
}

// visibleIn reports whether a call in enterprise project id (nil: the
// default) sees task t: one exported in that project, or any with
// all_granted_eps. Like an alarm, a task (and its file) is seen where it
// was made: a user allowed one enterprise project reads its exports there.
func (t *exportTask) visibleIn(id *string) bool {
	q := projectOf(id)
	return q == "all_granted_eps" || q == t.eps
}

// notInProject is the 404 of a task or file read in another enterprise
// project than its export's.
func notInProject(w http.ResponseWriter, what string, id *string) {
	writeJSON(w, http.StatusNotFound, hssError("HSS.1004", what+" in enterprise project "+projectOf(id)+
		" (read an export in the enterprise project it was made in, or with all_granted_eps)"))
}

// inEnterpriseProject reports whether e is in the enterprise project a call
// names: all of them for "all_granted_eps", the default one ("0") when the
// call names none, as the seeds say of enterprise_project_id.
func inEnterpriseProject(e *Event, id *string) bool {
	switch {
	case id == nil:
		return e.EnterpriseProjectID == "0"
	case *id == "all_granted_eps":
		return true
	}
	return e.EnterpriseProjectID == *id
}

// exportMatches reports whether e matches every filter of p. event_id (the
// "case code") selects nothing.
func exportMatches(e *Event, p *gen.ExportEventsParams, now time.Time) bool {
	eq := func(want *string, got string) bool { return want == nil || *want == got }
	if e.Category != p.Category ||
		!eq(p.HostName, e.HostName) || !eq(p.HostId, e.HostID) ||
		!eq(p.PrivateIp, e.PrivateIP) || !eq(p.PublicIp, e.PublicIP) ||
		!eq(p.ContainerName, e.ContainerName) || !eq(p.ClusterId, e.ClusterID) ||
		!eq(p.EventName, e.Name) || !eq(p.AttCk, e.AttCK) ||
		!eq(p.AttackTag, e.AttackTag) || !eq(p.AssetValue, e.AssetValue) {
		return false
	}
	if !inEnterpriseProject(e, p.EnterpriseProjectId) {
		return false
	}
	if p.HandleStatus != nil && *p.HandleStatus != e.HandleStatus {
		return false
	}
	if p.Severity != nil && *p.Severity != e.Severity {
		return false
	}
	if p.SeverityList != nil && !slices.Contains(*p.SeverityList, e.Severity) {
		return false
	}
	if p.EventType != nil && *p.EventType != e.Type {
		return false
	}
	if p.EventTypes != nil && !slices.Contains(*p.EventTypes, e.Type) {
		return false
	}
	if p.EventClassIds != nil && !slices.Contains(*p.EventClassIds, e.ClassID) {
		return false
	}
	if p.EventIdList != nil && !slices.Contains(*p.EventIdList, e.ID) {
		return false
	}
	if p.TagList != nil && !slices.ContainsFunc(*p.TagList, func(t string) bool { return slices.Contains(e.Tags, t) }) {
		return false
	}
	if p.AutoBlock != nil && *p.AutoBlock != e.AutoBlock {
		return false
	}
	if p.LastDays != nil && e.OccurTime < now.AddDate(0, 0, -int(*p.LastDays)).UnixMilli() {
		return false
	}
	if p.BeginTime != nil && (e.OccurTime < *p.BeginTime || e.OccurTime > *p.EndTime) {
		return false
	}
	return true
}

// page applies offset, then the smaller of limit and export_size (zero or
// absent: no bound), to the sorted matches.
func page(events []Event, offset, limit, exportSize *int32) []Event {
	if offset != nil {
		events = events[min(int(*offset), len(events)):]
	}
	for _, n := range []*int32{limit, exportSize} {
		if n != nil && *n > 0 && int(*n) < len(events) {
			events = events[:*n]
		}
	}
	return events
}

// exportFile writes the CSV of an export: the column titles, then one row
// per event with the columns' fields (an unknown field gives empty cells).
func exportFile(cols gen.ExportColumns, events []Event) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = c[1]
	}
	if err := cw.Write(row); err != nil {
		return nil, err
	}
	for _, e := range events {
		for i, c := range cols {
			row[i], _ = e.Field(c[0])
		}
		if err := cw.Write(row); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// ShowExportTask answers GET /v5/{project_id}/event/export-task/{task_id}.
func (a service) ShowExportTask(w http.ResponseWriter, _ *http.Request, _ gen.ProjectId, taskID string, p gen.ShowExportTaskParams) {
	s := a.s
	s.mu.Lock()
	t, ok := s.tasks[taskID]
	elsewhere := ok && !t.visibleIn(p.EnterpriseProjectId)
	var doc gen.ExportTask
	if ok && !elsewhere {
		st := t.status()
		doc = gen.ExportTask{TaskId: &t.id, TaskName: &t.name, TaskStatus: &st, FileName: &t.fileName}
		if st == gen.Success {
			doc.FileId = &t.fileID
		}
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, hssError("HSS.1004", "task_id: no such export task"))
		return
	case elsewhere:
		notInProject(w, "task_id: no such export task", p.EnterpriseProjectId)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// DownloadExportedFile answers GET /v5/{project_id}/download/{file_id} with
// the file of a task that succeeded.
func (a service) DownloadExportedFile(w http.ResponseWriter, _ *http.Request, _ gen.ProjectId, fileID string, p gen.DownloadExportedFileParams) {
	s := a.s
	s.mu.Lock()
	var file []byte
	var name string
	elsewhere := false
	if t, ok := s.tasks[s.files[fileID]]; ok && t.status() == gen.Success {
		file, name = t.csv, t.fileName
		elsewhere = !t.visibleIn(p.EnterpriseProjectId)
	}
	s.mu.Unlock()
	if elsewhere {
		notInProject(w, "file_id: no such file", p.EnterpriseProjectId)
		return
	}
	if name == "" {
		writeJSON(w, http.StatusNotFound, hssError("HSS.1004", "file_id: no such file"))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(file)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, bytes.NewReader(file))
}
