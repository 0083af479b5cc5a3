package hsstest_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/openhss/hss-go/hss/hsstest"
)

// operateEvent is the operate_event_list entry of e, with details.
func operateEvent(e hsstest.Event, details ...map[string]any) map[string]any {
	if details == nil {
		details = []map[string]any{}
	}
	return map[string]any{
		"event_id":            e.ID,
		"event_class_id":      e.ClassID,
		"event_type":          e.Type,
		"occur_time":          e.OccurTime,
		"operate_detail_list": details,
	}
}

// fullDetail has every detail any operate type needs.
var fullDetail = map[string]any{
	"keyword": "file_path=/tmp/x", "hash": "abc123",
	"login_ip": "10.0.0.9", "private_ip": "192.168.0.11", "login_user_name": "root",
	"agent_id": "agent-1", "file_hash": "def456", "file_path": "/tmp/x", "process_pid": 4242,
}

func operate(t *testing.T, srv *hsstest.Server, body map[string]any) response {
	t.Helper()
	return call(t, srv, http.MethodPost, operatePath(srv), allProjects, mustJSON(t, body), signed(defaultKey, t0))
}

// TestOperateSeesOneEnterpriseProject: without enterprise_project_id, a call
// handles the events of the default enterprise project only; naming the
// event's project or all_granted_eps handles any.
func TestOperateSeesOneEnterpriseProject(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	var inDefault, elsewhere hsstest.Event
	for _, e := range srv.Events() {
		if e.EnterpriseProjectID == "0" {
			inDefault = e
		} else {
			elsewhere = e
		}
	}
	if inDefault.ID == "" || elsewhere.ID == "" {
		t.Fatal("the seed has no event in the default project or none outside it")
	}
	body := func(e hsstest.Event) []byte {
		return mustJSON(t, map[string]any{"operate_type": "ignore", "operate_event_list": []any{operateEvent(e)}})
	}
	for _, tc := range []struct {
		e     hsstest.Event
		query url.Values
		ok    bool
	}{
		{inDefault, nil, true},
		{elsewhere, nil, false},
		{elsewhere, url.Values{"enterprise_project_id": {"0"}}, false},
		{elsewhere, url.Values{"enterprise_project_id": {elsewhere.EnterpriseProjectID}}, true},
		{elsewhere, allProjects, true},
	} {
		r := call(t, srv, http.MethodPost, operatePath(srv), tc.query, body(tc.e), signed(defaultKey, t0))
		if (r.status == http.StatusOK) != tc.ok {
			t.Errorf("event of project %s, query %v: %d %s", tc.e.EnterpriseProjectID, tc.query, r.status, r.body)
		}
		if !tc.ok {
			if _, msg := r.errorDoc(t); !strings.Contains(msg, "enterprise project") {
				t.Errorf("the refusal does not say why: %s", msg)
			}
		}
	}
}

// TestOwnEventsDefaultToTheDefaultProject: an event of Options.Events
// that names no enterprise project is in the default one, which a call
// without enterprise_project_id sees.
func TestOwnEventsDefaultToTheDefaultProject(t *testing.T) {
	ev := hsstest.Event{ID: "mine-1", ClassID: "rootkit_0001", Type: 1010, Category: "host", Severity: "High", OccurTime: t0.UnixMilli() - 1000}
	srv := newServer(t, hsstest.Options{Events: []hsstest.Event{ev}})
	if got, _ := exportResult(t, srv, exportQuery("host", url.Values{"enterprise_project_id": nil}), signed(defaultKey, t0)); got != 1 {
		t.Errorf("an export without enterprise_project_id counts %d, want 1", got)
	}
	r := call(t, srv, http.MethodPost, operatePath(srv), nil,
		mustJSON(t, map[string]any{"operate_type": "ignore", "operate_event_list": []any{operateEvent(ev)}}), signed(defaultKey, t0))
	if r.status != http.StatusOK {
		t.Errorf("an operate without enterprise_project_id: %d %s", r.status, r.body)
	}
}

// TestOperateTypes applies each operate type and its undo, and checks the
// event's state after each.
func TestOperateTypes(t *testing.T) {
	tests := []struct {
		do, undo string
		set      func(e hsstest.Event) bool
	}{
		{"mark_as_handled", "unhandle", func(e hsstest.Event) bool { return e.HandleStatus == "handled" }},
		{"ignore", "do_not_ignore", func(e hsstest.Event) bool { return e.Ignored }},
		{"add_to_alarm_whitelist", "remove_from_alarm_whitelist", func(e hsstest.Event) bool { return e.AlarmWhitelisted }},
		{"add_to_login_whitelist", "remove_from_login_whitelist", func(e hsstest.Event) bool { return e.LoginWhitelisted }},
		{"isolate_and_kill", "do_not_isolate_or_kill", func(e hsstest.Event) bool { return e.Isolated }},
	}
	for _, tt := range tests {
		t.Run(tt.do, func(t *testing.T) {
			srv := newServer(t, hsstest.Options{})
			var target, bystander hsstest.Event
			for _, e := range srv.Events() {
				if !tt.set(e) && e.HandleStatus == "unhandled" && target.ID == "" {
					target = e
				} else if !tt.set(e) && bystander.ID == "" {
					bystander = e
				}
			}
			body := map[string]any{"operate_type": tt.do, "handler": "alice", "operate_event_list": []any{operateEvent(target, fullDetail)}}
			if r := operate(t, srv, body); r.status != http.StatusOK || len(r.body) != 0 {
				t.Fatalf("%s: %d %q", tt.do, r.status, r.body)
			}
			got, _ := srv.Event(target.ID)
			if !tt.set(got) {
				t.Errorf("after %s: %+v", tt.do, got)
			}
			// Every way of handling an alarm makes it handled, with the
			// request's handler; every undo, unhandled.
			if got.HandleStatus != "handled" || got.Handler != "alice" {
				t.Errorf("after %s: %s by %q, want handled by alice", tt.do, got.HandleStatus, got.Handler)
			}
			if other, _ := srv.Event(bystander.ID); !reflect.DeepEqual(other, bystander) {
				t.Errorf("%s changed another event", tt.do)
			}

			body["operate_type"] = tt.undo
			if r := operate(t, srv, body); r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", tt.undo, r.status, r.body)
			}
			got, _ = srv.Event(target.ID)
			if tt.set(got) || got.HandleStatus != "unhandled" || got.Handler != "" {
				t.Errorf("after %s: %+v", tt.undo, got)
			}
		})
	}
}

// TestOperateRefused checks that a refused operate request names the field
// and changes no event, even the valid ones listed before the bad one.
func TestOperateRefused(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	events := srv.Events()
	e0, e1 := events[0], events[1]
	mismatch := func(key string, v any) map[string]any {
		ev := operateEvent(e1)
		ev[key] = v
		return ev
	}
	tests := []struct {
		name  string
		body  map[string]any
		code  string
		field string
	}{
		{"unknown event", map[string]any{"operate_type": "ignore",
			"operate_event_list": []any{operateEvent(e0), mismatch("event_id", "no-such-event")}}, "HSS.1001", "operate_event_list[1].event_id"},
		{"wrong event_type", map[string]any{"operate_type": "ignore",
			"operate_event_list": []any{operateEvent(e0), mismatch("event_type", e1.Type+1)}}, "HSS.1001", "operate_event_list[1].event_type"},
		{"wrong class", map[string]any{"operate_type": "ignore",
			"operate_event_list": []any{operateEvent(e0), mismatch("event_class_id", "other_0001")}}, "HSS.1001", "operate_event_list[1].event_class_id"},
		{"wrong occur_time", map[string]any{"operate_type": "ignore",
			"operate_event_list": []any{operateEvent(e0), mismatch("occur_time", e1.OccurTime+1)}}, "HSS.1001", "operate_event_list[1].occur_time"},
		{"missing hash", map[string]any{"operate_type": "add_to_alarm_whitelist",
			"operate_event_list": []any{operateEvent(e0, map[string]any{"keyword": "k", "hash": "h"}), operateEvent(e1, map[string]any{"keyword": "k"})}},
			"HSS.1001", "operate_event_list[1].operate_detail_list[0].hash"},
		{"no details for isolate", map[string]any{"operate_type": "isolate_and_kill",
			"operate_event_list": []any{operateEvent(e0)}}, "HSS.1001", "operate_event_list[0].operate_detail_list"},
		{"missing process_pid", map[string]any{"operate_type": "isolate_and_kill",
			"operate_event_list": []any{operateEvent(e0, map[string]any{"agent_id": "a", "file_hash": "h", "file_path": "/p"})}},
			"HSS.1001", "operate_event_list[0].operate_detail_list[0].process_pid"},
		{"missing login_user_name", map[string]any{"operate_type": "remove_from_login_whitelist",
			"operate_event_list": []any{operateEvent(e0, map[string]any{"login_ip": "1.2.3.4", "private_ip": "10.0.0.1"})}},
			"HSS.1001", "operate_event_list[0].operate_detail_list[0].login_user_name"},
		// Spec violations, found by the kin-openapi check.
		{"unknown operate_type", map[string]any{"operate_type": "explode",
			"operate_event_list": []any{operateEvent(e0)}}, "HSS.1001", "operate_type"},
		{"missing event_id", map[string]any{"operate_type": "ignore",
			"operate_event_list": []any{map[string]any{"event_class_id": "c", "event_type": 1, "occur_time": 1, "operate_detail_list": []any{}}}},
			"HSS.1001", "operate_event_list[0].event_id"},
		{"empty event list", map[string]any{"operate_type": "ignore", "operate_event_list": []any{}}, "HSS.1001", "operate_event_list"},
		{"file_attr as integer", map[string]any{"operate_type": "ignore",
			"operate_event_list": []any{operateEvent(e0, map[string]any{"file_attr": 33261})}}, "HSS.1001", "operate_event_list[0].operate_detail_list[0].file_attr"},
		{"bad judge_type", map[string]any{"operate_type": "ignore", "operate_event_list": []any{operateEvent(e0)},
			"event_white_rule_list": []any{map[string]any{"event_type": 3015, "field_key": "file_path", "field_value": "/x", "judge_type": "regex"}}},
			"HSS.1001", "event_white_rule_list[0].judge_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := operate(t, srv, tt.body)
			wantError(t, r, http.StatusBadRequest, tt.code, tt.field)
			if got := srv.Events(); !reflect.DeepEqual(got, events) {
				t.Error("a refused request changed the events")
			}
			if n := len(srv.WhiteRules()); n != 0 {
				t.Errorf("%d whitelist rules kept from a refused request", n)
			}
		})
	}
}

// TestWhiteRules keeps the rules of an accepted request.
func TestWhiteRules(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	e := srv.Events()[0]
	rule := map[string]any{"event_type": 3015, "field_key": "process_cmdline", "field_value": "/usr/bin/backup.sh", "judge_type": "contain"}
	body := map[string]any{"operate_type": "add_to_alarm_whitelist", "operate_event_list": []any{operateEvent(e, fullDetail)},
		"event_white_rule_list": []any{rule}}
	if r := operate(t, srv, body); r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	rules := srv.WhiteRules()
	if len(rules) != 1 || rules[0].EventType != 3015 || rules[0].FieldKey != "process_cmdline" || rules[0].FieldValue != "/usr/bin/backup.sh" || rules[0].JudgeType != "contain" {
		t.Errorf("WhiteRules() = %+v", rules)
	}
}

// TestExportSpecViolations checks the export's parameters and body against
// the spec.
func TestExportSpecViolations(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)
	tests := []struct {
		name  string
		query url.Values
		body  any
		field string
	}{
		{"missing category", url.Values{"event_id": {"c"}}, defaultColumns, "category"},
		{"unknown category", url.Values{"event_id": {"c"}, "category": {"vm"}}, defaultColumns, "category"},
		{"missing event_id", url.Values{"category": {"host"}}, defaultColumns, "event_id"},
		{"host_name too long", exportQuery("host", url.Values{"host_name": {strings.Repeat("h", 65)}}), defaultColumns, "host_name"},
		{"bad severity_list", exportQuery("host", url.Values{"severity_list": {"High", "Severe"}}), defaultColumns, "severity_list"},
		{"event_types not integers", exportQuery("host", url.Values{"event_types": {"rootkit"}}), defaultColumns, "event_types"},
		{"column of one string", exportQuery("host", nil), [][]string{{"event_name"}}, "body[0]"},
		{"the seed's extra array", exportQuery("host", nil), [][][]string{defaultColumns}, "body[0]"},
		{"no columns", exportQuery("host", nil), [][]string{}, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, http.MethodPost, exportPath(srv), tt.query, mustJSON(t, tt.body), auth)
			wantError(t, r, http.StatusBadRequest, "HSS.1001", tt.field)
		})
	}
	// A host_name of exactly 64 characters is fine.
	exportResult(t, srv, exportQuery("host", url.Values{"host_name": {strings.Repeat("h", 64)}}), auth)
}

// TestOperateHeaders accepts a JSON content type with a charset, and checks
// the optional region header against the fake's region.
func TestOperateHeaders(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	e := srv.Events()[0]
	body := mustJSON(t, map[string]any{"operate_type": "ignore", "operate_event_list": []any{operateEvent(e)}})
	with := func(contentType, region string) authFunc {
		return func(req *http.Request, b []byte) error {
			req.Header.Set("Content-Type", contentType)
			if region != "" {
				req.Header.Set("Region", region)
			}
			return signed(defaultKey, t0)(req, b)
		}
	}
	if r := call(t, srv, http.MethodPost, operatePath(srv), allProjects, body, with("application/json;charset=UTF-8", srv.Region())); r.status != http.StatusOK {
		t.Errorf("charset and region: %d %s", r.status, r.body)
	}
	r := call(t, srv, http.MethodPost, operatePath(srv), allProjects, body, with("application/json", "cn-north-4"))
	wantError(t, r, http.StatusBadRequest, "HSS.1001", "region")
	r = call(t, srv, http.MethodPost, operatePath(srv), allProjects, body, with("text/plain", ""))
	wantError(t, r, http.StatusBadRequest, "HSS.1001", "body")
}
