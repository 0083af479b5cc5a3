package hss

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/openhss/hss-go/gen"
)

var (
	rootkitEvent = EventRef{ClassID: "rootkit_0001", ID: "2a71e1e2-60f4-4d56-b314-2038fdc39de6", Type: EventRootkit, OccurTime: 1672046760353}
	loginEvent   = EventRef{ClassID: "login_0001", ID: "e-login", Type: EventBruteForce, OccurTime: 1}
)

// checkAgainstSpec fails t unless r passes checkOperateRequest and its JSON
// is valid against the spec's OperateEventsRequest schema.
func checkAgainstSpec(t *testing.T, name string, r OperateEventsRequest) {
	t.Helper()
	if err := checkOperateRequest(&r); err != nil {
		t.Errorf("%s: refused by the checks: %v", name, err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	sw, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Components.Schemas["OperateEventsRequest"].Value.VisitJSON(doc); err != nil {
		t.Errorf("%s: %s does not match the spec: %v", name, b, err)
	}
}

func TestOperateBuildersPassChecks(t *testing.T) {
	tests := map[string]OperateEventsRequest{
		"mark handled":           MarkAsHandledRequest("closed by ops", rootkitEvent, loginEvent),
		"mark handled, no note":  MarkAsHandledRequest("", rootkitEvent),
		"ignore":                 SimpleRequest(Ignore, rootkitEvent),
		"unhandle":               SimpleRequest(Unhandle, rootkitEvent, loginEvent),
		"do not ignore":          SimpleRequest(DoNotIgnore, loginEvent),
		"alarm whitelist add":    AddToAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "file_path=/usr/test", Hash: "e8b50f0b"}),
		"alarm whitelist remove": RemoveFromAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "file_path=/usr/test", Hash: "e8b50f0b"}),
		"login whitelist add":    AddToLoginWhitelistRequest(loginEvent, LoginDetails{LoginIP: "203.0.113.9", PrivateIP: "192.168.0.10", UserName: "root"}),
		"login whitelist remove": RemoveFromLoginWhitelistRequest(loginEvent, LoginDetails{LoginIP: "203.0.113.9", PrivateIP: "192.168.0.10", UserName: "root"}),
		"isolate and kill":       IsolateAndKillRequest(rootkitEvent, ProcessDetails{AgentID: "agent-1", FileHash: "e8b50f0b", FilePath: "/usr/test", PID: 3123}),
		"undo isolate":           DoNotIsolateOrKillRequest(rootkitEvent, ProcessDetails{AgentID: "agent-1", FileHash: "e8b50f0b", FilePath: "/usr/test", PID: 3123}),
	}
	for name, r := range tests {
		checkAgainstSpec(t, name, r)
	}
}

func TestOperateBuildersTypes(t *testing.T) {
	tests := []struct {
		r    OperateEventsRequest
		want OperateType
	}{
		{MarkAsHandledRequest("", rootkitEvent), MarkAsHandled},
		{SimpleRequest(Ignore, rootkitEvent), Ignore},
		{AddToAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "k", Hash: "h"}), AddToAlarmWhitelist},
		{RemoveFromAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "k", Hash: "h"}), RemoveFromAlarmWhitelist},
		{AddToLoginWhitelistRequest(loginEvent, LoginDetails{LoginIP: "a", PrivateIP: "b", UserName: "c"}), AddToLoginWhitelist},
		{RemoveFromLoginWhitelistRequest(loginEvent, LoginDetails{LoginIP: "a", PrivateIP: "b", UserName: "c"}), RemoveFromLoginWhitelist},
		{IsolateAndKillRequest(rootkitEvent, ProcessDetails{AgentID: "a", FileHash: "h", FilePath: "/p", PID: 1}), IsolateAndKill},
		{DoNotIsolateOrKillRequest(rootkitEvent, ProcessDetails{AgentID: "a", FileHash: "h", FilePath: "/p", PID: 1}), DoNotIsolateOrKill},
	}
	for _, tt := range tests {
		if tt.r.OperateType != tt.want {
			t.Errorf("operate_type = %s, want %s", tt.r.OperateType, tt.want)
		}
	}
}

func TestOperateBuildersJSON(t *testing.T) {
	tests := []struct {
		r    OperateEventsRequest
		want string
	}{
		{
			SimpleRequest(Ignore, rootkitEvent),
			`{"operate_event_list":[{"event_class_id":"rootkit_0001","event_id":"2a71e1e2-60f4-4d56-b314-2038fdc39de6",` +
				`"event_type":1010,"occur_time":1672046760353,"operate_detail_list":[]}],"operate_type":"ignore"}`,
		},
		{
			MarkAsHandledRequest("note", loginEvent),
			`{"handler":"note","operate_event_list":[{"event_class_id":"login_0001","event_id":"e-login",` +
				`"event_type":4002,"occur_time":1,"operate_detail_list":[]}],"operate_type":"mark_as_handled"}`,
		},
		{
			AddToAlarmWhitelistRequest(loginEvent, AlarmDetails{Keyword: "kw", Hash: "h1"}),
			`{"operate_event_list":[{"event_class_id":"login_0001","event_id":"e-login","event_type":4002,"occur_time":1,` +
				`"operate_detail_list":[{"hash":"h1","keyword":"kw"}]}],"operate_type":"add_to_alarm_whitelist"}`,
		},
		{
			RemoveFromLoginWhitelistRequest(loginEvent, LoginDetails{LoginIP: "203.0.113.9", PrivateIP: "10.0.0.2", UserName: "root"}),
			`{"operate_event_list":[{"event_class_id":"login_0001","event_id":"e-login","event_type":4002,"occur_time":1,` +
				`"operate_detail_list":[{"login_ip":"203.0.113.9","login_user_name":"root","private_ip":"10.0.0.2"}]}],` +
				`"operate_type":"remove_from_login_whitelist"}`,
		},
		{
			IsolateAndKillRequest(loginEvent, ProcessDetails{AgentID: "ag", FileHash: "fh", FilePath: "/bin/x", PID: 0}),
			`{"operate_event_list":[{"event_class_id":"login_0001","event_id":"e-login","event_type":4002,"occur_time":1,` +
				`"operate_detail_list":[{"agent_id":"ag","file_hash":"fh","file_path":"/bin/x","process_pid":0}]}],` +
				`"operate_type":"isolate_and_kill"}`,
		},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.r)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("JSON =\n%s\nwant\n%s", b, tt.want)
		}
	}
}

func TestOperateBuildersRefuseMisuse(t *testing.T) {
	// No events: nothing to handle.
	wantField(t, checkOperateRequest(Ptr(MarkAsHandledRequest("x"))), "operate_event_list")
	// A type that needs details, built without them.
	wantField(t, checkOperateRequest(Ptr(SimpleRequest(AddToAlarmWhitelist, rootkitEvent))), "operate_event_list[0].operate_detail_list")
	// Empty values where the spec wants at least one character.
	wantField(t, checkOperateRequest(Ptr(AddToAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "", Hash: "h"}))), "operate_event_list[0].operate_detail_list[0].keyword")
	wantField(t, checkOperateRequest(Ptr(IsolateAndKillRequest(rootkitEvent, ProcessDetails{AgentID: "a", FileHash: "h", FilePath: "/p", PID: -1}))), "operate_event_list[0].operate_detail_list[0].process_pid")
	wantField(t, checkOperateRequest(Ptr(SimpleRequest(Ignore, EventRef{ClassID: "c"}))), "operate_event_list[0].event_id")
}

// TestBatchRequests: requests of one operate type and handler merge into
// one, events and whitelist rules in order, which passes the checks and
// the spec; a request of another type or handler is refused, naming it;
// the inputs are left as they were.
func TestBatchRequests(t *testing.T) {
	a := AddToAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "file_path=/a", Hash: "h1"})
	a.OperateEventList = slices.Grow(a.OperateEventList, 2) // room that a merge appending into a's list would write in
	b := AddToAlarmWhitelistRequest(loginEvent, AlarmDetails{Keyword: "file_path=/b", Hash: "h2"})
	b.EventWhiteRuleList = &[]EventWhiteRule{{EventType: 3015, FieldKey: FieldFilePath, FieldValue: "/b", JudgeType: "equal"}}
	c := AddToAlarmWhitelistRequest(rootkitEvent, AlarmDetails{Keyword: "file_path=/c", Hash: "h3"})
	c.EventWhiteRuleList = &[]EventWhiteRule{{EventType: 3015, FieldKey: FieldFilePath, FieldValue: "/c", JudgeType: "contain"}}
	got, err := BatchRequests(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.OperateType != AddToAlarmWhitelist || len(got.OperateEventList) != 3 ||
		*got.OperateEventList[1].OperateDetailList[0].Keyword != "file_path=/b" || *got.OperateEventList[2].OperateDetailList[0].Hash != "h3" ||
		got.EventWhiteRuleList == nil || len(*got.EventWhiteRuleList) != 2 || (*got.EventWhiteRuleList)[1].FieldValue != "/c" {
		t.Errorf("merged %+v", got)
	}
	checkAgainstSpec(t, "batch", got)
	if len(a.OperateEventList) != 1 || a.OperateEventList[:2][1].EventId != "" || len(*b.EventWhiteRuleList) != 1 {
		t.Error("an input changed")
	}
	marked, err := BatchRequests(MarkAsHandledRequest("done", rootkitEvent), MarkAsHandledRequest("done", loginEvent))
	if err != nil || *marked.Handler != "done" || len(marked.OperateEventList) != 2 || marked.EventWhiteRuleList != nil {
		t.Errorf("handled batch %+v, %v", marked, err)
	}

	for _, tc := range []struct {
		reqs  []OperateEventsRequest
		field string
	}{
		{nil, "requests"},
		{[]OperateEventsRequest{a, SimpleRequest(Ignore, loginEvent)}, "requests[1].operate_type"},
		{[]OperateEventsRequest{MarkAsHandledRequest("x", rootkitEvent), MarkAsHandledRequest("y", loginEvent)}, "requests[1].handler"},
		{[]OperateEventsRequest{MarkAsHandledRequest("x", rootkitEvent), MarkAsHandledRequest("", loginEvent)}, "requests[1].handler"},
		// Each request is checked, and named, on its own.
		{[]OperateEventsRequest{
			IsolateAndKillRequest(rootkitEvent, ProcessDetails{AgentID: "a", FileHash: "h", FilePath: "/p", PID: 7}),
			IsolateAndKillRequest(loginEvent, ProcessDetails{AgentID: "a", FileHash: "h"}),
		}, "requests[1].operate_event_list[0].operate_detail_list[0].file_path"},
		{[]OperateEventsRequest{SimpleRequest(Ignore, rootkitEvent, loginEvent, rootkitEvent), SimpleRequest(Ignore, EventRef{})}, "requests[1].operate_event_list[0].event_class_id"},
		{[]OperateEventsRequest{SimpleRequest(Ignore, rootkitEvent), SimpleRequest(Ignore)}, "requests[1].operate_event_list"},
	} {
		_, err := BatchRequests(tc.reqs...)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a ValidationError of it", tc.field, err)
		}
	}
}
