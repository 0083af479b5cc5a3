package hss

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestBadInputIsRefusedBeforeSending drives each kind of rule through the
// client's methods: the error names the field and the server sees nothing,
// not even an IAM call for the project.
func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	ts := newTestServer(t, okExport)
	c := newClient(t, ts.URL, AccessKey{ID: testAK, Secret: testSK}, func(cfg *Config) { cfg.ProjectID = "" })
	ctx := context.Background()
	export := func(edit func(*ExportEventsParams), cols ExportColumns) error {
		p, defCols := testExport()
		if cols == nil {
			cols = defCols
		}
		edit(&p)
		_, err := c.ExportEvents(ctx, p, cols)
		return err
	}
	handle := func(edit func(*OperateEventsRequest)) error {
		r := AddToAlarmWhitelistRequest(testEvent(), AlarmDetails{Keyword: "file_path=/usr/test", Hash: "e8b50f0b"})
		edit(&r)
		return c.HandleEvents(ctx, r, nil)
	}
	handleWith := func(p *HandleEventsParams) error {
		return c.HandleEvents(ctx, SimpleRequest(Ignore, testEvent()), p)
	}
	long := strings.Repeat("x", 65)
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"missing category", export(func(p *ExportEventsParams) { p.Category = "" }, nil), "category"},
		{"closed enum", export(func(p *ExportEventsParams) { p.Category = "vm" }, nil), "category"},
		{"missing event_id", export(func(p *ExportEventsParams) { p.EventId = "" }, nil), "event_id"},
		{"too long", export(func(p *ExportEventsParams) { p.HostName = &long }, nil), "host_name"},
		{"severity list", export(func(p *ExportEventsParams) { p.SeverityList = &[]Severity{"Severe"} }, nil), "severity_list[0]"},
		{"last_days with begin", export(func(p *ExportEventsParams) { p.BeginTime, p.EndTime = Ptr[int64](1), Ptr[int64](2) }, nil), "last_days"},
		{"begin without end", export(func(p *ExportEventsParams) { p.LastDays, p.BeginTime = nil, Ptr[int64](1) }, nil), "end_time"},
		{"window over two days", export(func(p *ExportEventsParams) {
			p.LastDays, p.BeginTime, p.EndTime = nil, Ptr[int64](0), Ptr[int64](172800001)
		}, nil), "end_time"},
		{"end before begin", export(func(p *ExportEventsParams) { p.LastDays, p.BeginTime, p.EndTime = nil, Ptr[int64](5), Ptr[int64](4) }, nil), "end_time"},
		{"negative limit", export(func(p *ExportEventsParams) { p.Limit = Ptr[int32](-1) }, nil), "limit"},
		{"empty list", export(func(p *ExportEventsParams) { p.SeverityList = &[]Severity{} }, nil), "severity_list"},
		{"empty open-set value", export(func(p *ExportEventsParams) { p.AttackTag = Ptr("") }, nil), "attack_tag"},
		{"region a header cannot carry", handleWith(&HandleEventsParams{Region: Ptr("ap-southeast-1\r\nX-Evil: 1")}), "region"},
		{"empty region", handleWith(&HandleEventsParams{Region: Ptr("")}), "region"},
		{"empty container_id", handleWith(&HandleEventsParams{ContainerId: Ptr("")}), "container_id"},
		{"no columns", export(func(*ExportEventsParams) {}, ExportColumns{}), "columns"},
		{"column of three", export(func(*ExportEventsParams) {}, ExportColumns{{"a", "b", "c"}}), "columns[0]"},
		{"no events", handle(func(r *OperateEventsRequest) { r.OperateEventList = nil }), "operate_event_list"},
		{"unknown operate type", handle(func(r *OperateEventsRequest) { r.OperateType = "delete" }), "operate_type"},
		{"whitelist without hash", handle(func(r *OperateEventsRequest) { r.OperateEventList[0].OperateDetailList[0].Hash = nil }), "operate_event_list[0].operate_detail_list[0].hash"},
		{"isolate without pid", handle(func(r *OperateEventsRequest) {
			*r = IsolateAndKillRequest(testEvent(), ProcessDetails{AgentID: "agent", FileHash: "hash", FilePath: "/tmp/x", PID: 1})
			r.OperateEventList[0].OperateDetailList[0].ProcessPid = nil
		}), "operate_event_list[0].operate_detail_list[0].process_pid"},
		{"isolate with a negative pid", handle(func(r *OperateEventsRequest) {
			*r = IsolateAndKillRequest(testEvent(), ProcessDetails{AgentID: "agent", FileHash: "hash", FilePath: "/tmp/x", PID: -1})
		}), "operate_event_list[0].operate_detail_list[0].process_pid"},
		{"isolate without a file path", handle(func(r *OperateEventsRequest) {
			*r = DoNotIsolateOrKillRequest(testEvent(), ProcessDetails{AgentID: "agent", FileHash: "hash"})
		}), "operate_event_list[0].operate_detail_list[0].file_path"},
		{"handler too long", handle(func(r *OperateEventsRequest) { r.Handler = Ptr(strings.Repeat("h", 257)) }), "handler"},
		{"bad judge type", handle(func(r *OperateEventsRequest) {
			r.EventWhiteRuleList = &[]EventWhiteRule{{EventType: 3015, FieldKey: FieldFilePath, FieldValue: "/x", JudgeType: "regex"}}
		}), "event_white_rule_list[0].judge_type"},
	}
	for _, tc := range cases {
		var ve *ValidationError
		if !errors.As(tc.err, &ve) {
			t.Errorf("%s: err = %v, want a ValidationError", tc.name, tc.err)
			continue
		}
		if !strings.HasPrefix(ve.Field, tc.field) {
			t.Errorf("%s: field = %q, want %q", tc.name, ve.Field, tc.field)
		}
		if !strings.Contains(tc.err.Error(), ve.Field) {
			t.Errorf("%s: %q does not name the field", tc.name, tc.err)
		}
	}
	_, err := c.ShowExportTask(ctx, "", "")
	if ve := (*ValidationError)(nil); !errors.As(err, &ve) || ve.Field != "task_id" {
		t.Errorf("empty task id: %v", err)
	}
	if _, err := c.DownloadExportedFile(ctx, strings.Repeat("f", 257), "", nil); err == nil {
		t.Error("a 257-character file id was accepted")
	}
	if n := ts.hits.Load(); n != 0 {
		t.Errorf("the server received %d requests for refused input", n)
	}
}

// TestNewRefusesWhatAHeaderCannotCarry: a project id, user agent, token or
// security token with a control character would break its header (and a
// negative MaxAttempts is a mistake): New refuses them, naming the field,
// and never shows the secret.
func TestNewRefusesWhatAHeaderCannotCarry(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*Config)
	}{
		{"project_id", func(c *Config) { c.ProjectID = testProject + "\n" }},
		{"project_id", func(c *Config) { c.ProjectID = " \t " }}, // arrives as an empty X-Project-Id
		{"user_agent", func(c *Config) { c.UserAgent = "  " }},
		{"user_agent", func(c *Config) { c.UserAgent = "tool/1\r\nX-Evil: 1" }},
		{"credentials", func(c *Config) { c.Credentials = Token(testToken + "\n") }},
		{"credentials.SecurityToken", func(c *Config) {
			c.Credentials = AccessKey{ID: testAK, Secret: testSK, SecurityToken: testSTS + "\x00"}
		}},
		{"max_attempts", func(c *Config) { c.MaxAttempts = -1 }},
	} {
		cfg := Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: AccessKey{ID: testAK, Secret: testSK}}
		tc.edit(&cfg)
		_, err := New(cfg)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a ValidationError of %s", tc.field, err, tc.field)
		}
		if err != nil && containsSecret(err.Error()) {
			t.Errorf("%s: the error shows a secret: %v", tc.field, err)
		}
	}
	// A tab is allowed in a header value, and so is non-ASCII text.
	if _, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: Token(testToken), UserAgent: "tool\t1 é"}); err != nil {
		t.Errorf("a user agent with a tab and é: %v", err)
	}
}

// TestNewRefusesAnAccessKeyIDTheHeaderCannotCarry: an access key id with a
// comma or a space would break the Authorization header; New refuses it,
// naming the field, and the error never shows the secret.
func TestNewRefusesAnAccessKeyIDTheHeaderCannotCarry(t *testing.T) {
	for _, id := range []string{"AK,1", "AK 1", "AKé"} {
		_, err := New(Config{Region: "ap-southeast-1", ProjectID: testProject, Credentials: AccessKey{ID: id, Secret: testSK}})
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "credentials.ID" || !strings.Contains(ve.Reason, "access key") {
			t.Errorf("id %q: %v, want a ValidationError of credentials.ID", id, err)
		}
		if err != nil && strings.Contains(err.Error(), testSK) {
			t.Errorf("id %q: the error shows the secret: %v", id, err)
		}
	}
}
