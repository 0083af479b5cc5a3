package hss

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openhss/hss-go/gen"
)

// The checks in this file run before every call, so that input the service
// would refuse, or misread, never leaves the machine. They enforce what
// api/openapi.yaml states (required values, minLength/maxLength counted in
// characters, minimum/maximum, closed enums, and no empty query value:
// OpenAPI 3.0 refuses one unless a parameter sets allowEmptyValue, which
// none here does) and the cross-field rules of hss-api.md that OpenAPI 3.0
// cannot state. The values of open sets (event types, event class ids,
// attack_tag, asset_value, att_ck, field_key) are never refused, only an
// empty one in the query.
//
// They are cheap: no reflection, no regular expressions, and no allocation
// unless they fail. validate_test.go walks the spec to keep them in step
// with it.

// ValidationError reports input refused before anything was sent. Field
// names the value: for a request, its JSON or query name with its path
// ("category", "operate_event_list[0].operate_detail_list[0].keyword",
// "columns[2][1]"; "requests[1]..." from BatchRequests); for a Config, the
// setting ("region", "max_attempts", "iam_endpoint", "credentials",
// "credentials.ID"); for ConfigFromEnv and Endpoint, the environment
// variable ("HUAWEICLOUD_SDK_SK"); for ExportToFile, "path".
//
// Reason never repeats free text, which may be sensitive; it quotes only
// short values of closed enums.
type ValidationError struct {
	// Field names the refused value.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error reads "hss: invalid <field>: <reason>".
func (e *ValidationError) Error() string {
	return "hss: invalid " + e.Field + ": " + e.Reason
}

// Bounds from api/openapi.yaml, in characters.
const (
	maxIDLen            = 256 // project_id, task_id, file_id, enterprise_project_id, host_id
	maxHostNameLen      = 64
	maxIPLen            = 128 // private_ip (query and detail), public_ip
	maxContainerNameLen = 512 // export container_name
	maxEventNameLen     = 128
	maxClusterIDLen     = 64
	maxCaseCodeLen      = 128 // export event_id
	maxHandlerLen       = 256
	maxEventIDLen       = 64 // operate event_id
	maxAgentIDLen       = 64
	maxDetailLen        = 256 // file_hash, file_path, file_attr, keyword, hash, login_ip, login_user_name
)

// maxTimeWindow is the longest begin_time..end_time window, two days in
// milliseconds (hss-api.md decision 4).
const maxTimeWindow = 2 * 24 * 60 * 60 * 1000

// lengthReason returns why s does not hold 1 to max characters (max 0: no
// upper bound), or "" when it does. A string of at most max bytes has at
// most max characters, so runes are counted only for long strings.
func lengthReason(s string, max int) string {
	if s == "" {
		return "must not be empty"
	}
	if max > 0 && len(s) > max && utf8.RuneCountInString(s) > max {
		return "longer than " + strconv.Itoa(max) + " characters"
	}
	return ""
}

// checkString checks a required string of 1 to max characters.
func checkString(field, s string, max int) error {
	if s == "" {
		return &ValidationError{Field: field, Reason: "required"}
	}
	if r := lengthReason(s, max); r != "" {
		return &ValidationError{Field: field, Reason: r}
	}
	return nil
}

// checkOptString checks an optional string: absent (nil) or 1 to max
// characters.
func checkOptString(field string, s *string, max int) error {
	if s == nil {
		return nil
	}
	if r := lengthReason(*s, max); r != "" {
		return &ValidationError{Field: field, Reason: r}
	}
	return nil
}

// enumReason says why v is not a member of a closed set listed in valid.
// It quotes v only when short: enum values are not secrets, but a long
// value is probably something else pasted in the wrong place.
func enumReason(v, valid string) string {
	if v == "" {
		return "required (one of " + valid + ")"
	}
	if len(v) <= 32 {
		return strconv.Quote(v) + " is not one of " + valid
	}
	return "not one of " + valid
}

// The members of the closed sets, for error messages.
const (
	categoryValues     = "host, container"
	handleStatusValues = "unhandled, handled"
	severityValues     = "Security, Low, Medium, High, Critical"
	operateTypeValues  = "mark_as_handled, ignore, add_to_alarm_whitelist, add_to_login_whitelist, " +
		"isolate_and_kill, unhandle, do_not_ignore, remove_from_alarm_whitelist, " +
		"remove_from_login_whitelist, do_not_isolate_or_kill"
	judgeTypeValues = "equal, contain"
)

// checkProjectID checks a project id: required, 1 to 256 characters.
func checkProjectID(id string) error {
	return checkPathID("project_id", id)
}

// checkPathID checks an id that is a segment of the path: 1 to 256
// characters, not "." or "..", which a URL resolves away (a gateway
// normalizing /v5/../event/export would route the call elsewhere), and
// without a "/": sent as %2F, which a gateway that decodes the path before
// it checks the signature would read as two segments. No real id has one.
func checkPathID(field, v string) error {
	if v == "." || v == ".." {
		return &ValidationError{Field: field, Reason: "cannot be . or .., which a path resolves away"}
	}
	if strings.IndexByte(v, '/') >= 0 {
		return &ValidationError{Field: field, Reason: "must not contain /, which a path reads as a separator"}
	}
	return checkString(field, v, maxIDLen)
}

// checkID checks a required id parameter of the query
// (enterprise_project_id): 1 to 256 characters.
func checkID(field, v string) error {
	return checkString(field, v, maxIDLen)
}

// CheckExport checks an export as ExportEvents does before sending it, with
// no client and nothing sent: for a pipeline that validates its input
// before it has credentials, or before it queues the work. It returns nil
// or a *ValidationError naming the field.
func CheckExport(params ExportEventsParams, columns ExportColumns) error {
	if err := checkExportParams(&params); err != nil {
		return err
	}
	return checkExportColumns(columns)
}

// CheckHandle checks a handle call as HandleEvents does before sending it
// (params may be nil), with no client and nothing sent. It returns nil or a
// *ValidationError naming the field.
func CheckHandle(req OperateEventsRequest, params *HandleEventsParams) error {
	if err := checkOperateRequest(&req); err != nil {
		return err
	}
	if params != nil {
		return checkHandleParams(params)
	}
	return nil
}

// checkExportParams checks the query parameters of ExportEvents.
//
// Time range (hss-api.md decision 4): begin_time and end_time come together,
// never with last_days; begin_time <= end_time; the window is at most two
// days. last_days, when set, must be at least 1 (the spec's minimum: zero or
// fewer days selects nothing); offset, limit and export_size are not negative.
func checkExportParams(p *gen.ExportEventsParams) error {
	if !p.Category.Valid() {
		return &ValidationError{Field: "category", Reason: enumReason(string(p.Category), categoryValues)}
	}
	if err := checkString("event_id", p.EventId, maxCaseCodeLen); err != nil {
		return err
	}
	if err := checkOptString("enterprise_project_id", p.EnterpriseProjectId, maxIDLen); err != nil {
		return err
	}
	if err := checkOptString("host_name", p.HostName, maxHostNameLen); err != nil {
		return err
	}
	if err := checkOptString("host_id", p.HostId, maxIDLen); err != nil {
		return err
	}
	if err := checkOptString("private_ip", p.PrivateIp, maxIPLen); err != nil {
		return err
	}
	if err := checkOptString("container_name", p.ContainerName, maxContainerNameLen); err != nil {
		return err
	}
	if err := checkOptString("event_name", p.EventName, maxEventNameLen); err != nil {
		return err
	}
	if err := checkOptString("cluster_id", p.ClusterId, maxClusterIDLen); err != nil {
		return err
	}
	if err := checkOptString("public_ip", p.PublicIp, maxIPLen); err != nil {
		return err
	}
	// The open sets: any value but an empty one.
	if err := checkOptString("attack_tag", p.AttackTag, 0); err != nil {
		return err
	}
	if err := checkOptString("asset_value", p.AssetValue, 0); err != nil {
		return err
	}
	if err := checkOptString("att_ck", p.AttCk, 0); err != nil {
		return err
	}
	if err := checkOptList("event_class_ids", p.EventClassIds); err != nil {
		return err
	}
	if err := checkOptList("tag_list", p.TagList); err != nil {
		return err
	}
	if err := checkOptList("event_id_list", p.EventIdList); err != nil {
		return err
	}
	if p.EventTypes != nil && len(*p.EventTypes) == 0 {
		return &ValidationError{Field: "event_types", Reason: emptyListReason}
	}
	if p.HandleStatus != nil && !p.HandleStatus.Valid() {
		return &ValidationError{Field: "handle_status", Reason: enumReason(string(*p.HandleStatus), handleStatusValues)}
	}
	if p.Severity != nil && !p.Severity.Valid() {
		return &ValidationError{Field: "severity", Reason: enumReason(string(*p.Severity), severityValues)}
	}
	if p.SeverityList != nil {
		if len(*p.SeverityList) == 0 {
			return &ValidationError{Field: "severity_list", Reason: emptyListReason}
		}
		for i, s := range *p.SeverityList {
			if !s.Valid() {
				return &ValidationError{Field: "severity_list[" + strconv.Itoa(i) + "]", Reason: enumReason(string(s), severityValues)}
			}
		}
	}
	if err := checkNotNegative("offset", p.Offset); err != nil {
		return err
	}
	if err := checkNotNegative("limit", p.Limit); err != nil {
		return err
	}
	if err := checkNotNegative("export_size", p.ExportSize); err != nil {
		return err
	}
	return checkTimeRange(p.LastDays, p.BeginTime, p.EndTime)
}

// emptyListReason refuses an empty list query parameter, which would go out
// as "name=": an empty value, which the spec refuses (no parameter of this
// API sets allowEmptyValue). A nil list leaves the filter out.
const emptyListReason = "must not be empty (nil leaves the filter out)"

// checkOptList checks an optional list of an open set: absent (nil), or at
// least one value, none of them empty (each is sent as "name=value").
func checkOptList(field string, l *[]string) error {
	if l == nil {
		return nil
	}
	if len(*l) == 0 {
		return &ValidationError{Field: field, Reason: emptyListReason}
	}
	for i, v := range *l {
		if v == "" {
			return &ValidationError{Field: field + "[" + strconv.Itoa(i) + "]", Reason: "must not be empty"}
		}
	}
	return nil
}

// checkNotNegative checks an optional count (the spec's minimum: 0).
func checkNotNegative(field string, v *int32) error {
	if v != nil && *v < 0 {
		return &ValidationError{Field: field, Reason: "must not be negative"}
	}
	return nil
}

// checkTimeRange checks last_days, begin_time and end_time together
// (hss-api.md decision 4).
func checkTimeRange(lastDays *int32, begin, end *int64) error {
	if begin != nil && *begin < 0 {
		return &ValidationError{Field: "begin_time", Reason: "must not be negative (milliseconds since 1970)"}
	}
	if end != nil && *end < 0 {
		return &ValidationError{Field: "end_time", Reason: "must not be negative (milliseconds since 1970)"}
	}
	if lastDays != nil {
		if begin != nil || end != nil {
			return &ValidationError{Field: "last_days", Reason: "cannot be combined with begin_time and end_time"}
		}
		if *lastDays < 1 {
			return &ValidationError{Field: "last_days", Reason: "must be at least 1"}
		}
		return nil
	}
	switch {
	case begin == nil && end == nil:
		return nil
	case end == nil:
		return &ValidationError{Field: "end_time", Reason: "required with begin_time"}
	case begin == nil:
		return &ValidationError{Field: "begin_time", Reason: "required with end_time"}
	case *end < *begin:
		return &ValidationError{Field: "end_time", Reason: "earlier than begin_time"}
	case *end-*begin > maxTimeWindow:
		return &ValidationError{Field: "end_time", Reason: "more than two days (172800000 ms) after begin_time"}
	}
	return nil
}

// checkExportColumns checks the body of ExportEvents: at least one column,
// each exactly [field, column title], both non-empty (hss-api.md decision 1).
func checkExportColumns(cols gen.ExportColumns) error {
	if len(cols) == 0 {
		return &ValidationError{Field: "columns", Reason: "at least one column is required"}
	}
	for i, c := range cols {
		if len(c) != 2 {
			return &ValidationError{
				Field:  "columns[" + strconv.Itoa(i) + "]",
				Reason: "must be [field, column title], exactly 2 strings, not " + strconv.Itoa(len(c)),
			}
		}
		for j, s := range c {
			if s == "" {
				return &ValidationError{Field: "columns[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]", Reason: "must not be empty"}
			}
		}
	}
	return nil
}

// checkHandleParams checks the query and header parameters of HandleEvents.
// container_name, container_id and region have no bounds in the spec but
// not to be empty; region, a header, must also be one a header can carry.
func checkHandleParams(p *gen.HandleEventsParams) error {
	if err := checkOptString("enterprise_project_id", p.EnterpriseProjectId, maxIDLen); err != nil {
		return err
	}
	// Query values: any but an empty one (the spec has no allowEmptyValue).
	if err := checkOptString("container_name", p.ContainerName, 0); err != nil {
		return err
	}
	if err := checkOptString("container_id", p.ContainerId, 0); err != nil {
		return err
	}
	if p.Region != nil {
		if err := checkOptString("region", p.Region, 0); err != nil {
			return err
		}
		return checkHeaderValue("region", *p.Region)
	}
	return nil
}

// checkHeaderValue refuses what an HTTP header value cannot carry: a control
// character (a line break would end the header). net/http refuses it too,
// but only when sending, after a token may have been fetched, and not as a
// ValidationError. It also refuses a value of only spaces and tabs, which
// HTTP drops from around a value: it would arrive empty. (An empty v is
// the caller's to judge: for some fields it means the default.)
func checkHeaderValue(field, v string) error {
	if v != "" && strings.Trim(v, " \t") == "" {
		return &ValidationError{Field: field, Reason: "only spaces or tabs, which arrive as an empty header"}
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return &ValidationError{Field: field, Reason: "contains a control character, which a header cannot carry"}
		}
	}
	return nil
}

// checkOperateRequest checks the body of HandleEvents: the operate type,
// at least one event (hss-api.md decision 12), each event's fields, the
// details its operate type needs (decision 8), and the whitelist rules
// (decision 9).
func checkOperateRequest(r *gen.OperateEventsRequest) error {
	if !r.OperateType.Valid() {
		return &ValidationError{Field: "operate_type", Reason: enumReason(string(r.OperateType), operateTypeValues)}
	}
	if err := checkOptString("handler", r.Handler, maxHandlerLen); err != nil {
		return err
	}
	if len(r.OperateEventList) == 0 {
		return &ValidationError{Field: "operate_event_list", Reason: "at least one event is required"}
	}
	for i := range r.OperateEventList {
		if err := checkOperateEvent(r.OperateType, i, &r.OperateEventList[i]); err != nil {
			return err
		}
	}
	if r.EventWhiteRuleList != nil {
		if *r.EventWhiteRuleList == nil {
			// It would be sent as null, which the spec does not allow.
			return &ValidationError{Field: "event_white_rule_list", Reason: "a nil list; leave the field nil for none"}
		}
		for k := range *r.EventWhiteRuleList {
			if err := checkWhiteRule(k, &(*r.EventWhiteRuleList)[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// eventField names a field of operate_event_list[i].
func eventField(i int, name string) string {
	return "operate_event_list[" + strconv.Itoa(i) + "]." + name
}

// detailField names a field of operate_event_list[i].operate_detail_list[j].
func detailField(i, j int, name string) string {
	return eventField(i, "operate_detail_list["+strconv.Itoa(j)+"]."+name)
}

// checkOperateEvent checks operate_event_list[i] for operate type t.
func checkOperateEvent(t gen.OperateType, i int, ev *gen.OperateEvent) error {
	if r := lengthReason(ev.EventClassId, 0); r != "" {
		return &ValidationError{Field: eventField(i, "event_class_id"), Reason: r}
	}
	if r := lengthReason(ev.EventId, maxEventIDLen); r != "" {
		return &ValidationError{Field: eventField(i, "event_id"), Reason: r}
	}
	if ev.OccurTime < 0 {
		return &ValidationError{Field: eventField(i, "occur_time"), Reason: "must not be negative (milliseconds since 1970)"}
	}
	needs := detailsNeeded(t)
	if ev.OperateDetailList == nil {
		reason := "required, even for " + string(t) + ", which needs no details: an empty list [] (a nil or missing list is sent as null, which the service refuses)"
		if needs != "" {
			reason = string(t) + " needs at least one entry with " + needs
		}
		return &ValidationError{Field: eventField(i, "operate_detail_list"), Reason: reason}
	}
	if needs != "" && len(ev.OperateDetailList) == 0 {
		return &ValidationError{Field: eventField(i, "operate_detail_list"), Reason: string(t) + " needs at least one entry with " + needs}
	}
	for j := range ev.OperateDetailList {
		d := &ev.OperateDetailList[j]
		if name, reason := detailProblem(d); name != "" {
			return &ValidationError{Field: detailField(i, j, name), Reason: reason}
		}
		if name := missingDetail(t, d); name != "" {
			return &ValidationError{Field: detailField(i, j, name), Reason: "required by " + string(t)}
		}
	}
	return nil
}

// detailsNeeded lists, for the error message, the detail fields operate
// type t needs in every entry; "" when it needs none (hss-api.md decision 8).
func detailsNeeded(t gen.OperateType) string {
	switch t {
	case gen.AddToAlarmWhitelist, gen.RemoveFromAlarmWhitelist:
		return "keyword and hash"
	case gen.AddToLoginWhitelist, gen.RemoveFromLoginWhitelist:
		return "login_ip, private_ip and login_user_name"
	case gen.IsolateAndKill, gen.DoNotIsolateOrKill:
		return "agent_id, file_hash, file_path and process_pid"
	}
	return ""
}

// missingDetail returns the first field operate type t needs that d lacks,
// or "".
func missingDetail(t gen.OperateType, d *gen.EventDetail) string {
	switch t {
	case gen.AddToAlarmWhitelist, gen.RemoveFromAlarmWhitelist:
		switch {
		case d.Keyword == nil:
			return "keyword"
		case d.Hash == nil:
			return "hash"
		}
	case gen.AddToLoginWhitelist, gen.RemoveFromLoginWhitelist:
		switch {
		case d.LoginIp == nil:
			return "login_ip"
		case d.PrivateIp == nil:
			return "private_ip"
		case d.LoginUserName == nil:
			return "login_user_name"
		}
	case gen.IsolateAndKill, gen.DoNotIsolateOrKill:
		switch {
		case d.AgentId == nil:
			return "agent_id"
		case d.FileHash == nil:
			return "file_hash"
		case d.FilePath == nil:
			return "file_path"
		case d.ProcessPid == nil:
			return "process_pid"
		}
	}
	return ""
}

// detailProblem returns the first field of d that breaks its bounds, and
// why; "", "" when none does. Absent fields are fine here.
func detailProblem(d *gen.EventDetail) (field, reason string) {
	if d.AgentId != nil {
		if r := lengthReason(*d.AgentId, maxAgentIDLen); r != "" {
			return "agent_id", r
		}
	}
	if d.ProcessPid != nil && *d.ProcessPid < 0 {
		return "process_pid", "must not be negative"
	}
	if d.FileHash != nil {
		if r := lengthReason(*d.FileHash, maxDetailLen); r != "" {
			return "file_hash", r
		}
	}
	if d.FilePath != nil {
		if r := lengthReason(*d.FilePath, maxDetailLen); r != "" {
			return "file_path", r
		}
	}
	if d.FileAttr != nil {
		if r := lengthReason(*d.FileAttr, maxDetailLen); r != "" {
			return "file_attr", r
		}
	}
	if d.Keyword != nil {
		if r := lengthReason(*d.Keyword, maxDetailLen); r != "" {
			return "keyword", r
		}
	}
	if d.Hash != nil {
		if r := lengthReason(*d.Hash, maxDetailLen); r != "" {
			return "hash", r
		}
	}
	if d.PrivateIp != nil {
		if r := lengthReason(*d.PrivateIp, maxIPLen); r != "" {
			return "private_ip", r
		}
	}
	if d.LoginIp != nil {
		if r := lengthReason(*d.LoginIp, maxDetailLen); r != "" {
			return "login_ip", r
		}
	}
	if d.LoginUserName != nil {
		if r := lengthReason(*d.LoginUserName, maxDetailLen); r != "" {
			return "login_user_name", r
		}
	}
	return "", ""
}

// checkWhiteRule checks event_white_rule_list[k]: field_key and field_value
// non-empty, judge_type equal or contain. field_key is an open set.
func checkWhiteRule(k int, w *gen.EventWhiteRule) error {
	field := func(name string) string {
		return "event_white_rule_list[" + strconv.Itoa(k) + "]." + name
	}
	if w.FieldKey == "" {
		return &ValidationError{Field: field("field_key"), Reason: "required"}
	}
	if w.FieldValue == "" {
		return &ValidationError{Field: field("field_value"), Reason: "required"}
	}
	if !w.JudgeType.Valid() {
		return &ValidationError{Field: field("judge_type"), Reason: enumReason(string(w.JudgeType), judgeTypeValues)}
	}
	return nil
}
