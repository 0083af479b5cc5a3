package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// operateBody is the JSON of an operate request for events.
func operateBody(t *testing.T, opType hss.OperateType, handler string, events []hsstest.Event, detail func(hsstest.Event) []hss.EventDetail) string {
	t.Helper()
	req := hss.OperateEventsRequest{OperateType: opType}
	if handler != "" {
		req.Handler = &handler
	}
	for _, e := range events {
		req.OperateEventList = append(req.OperateEventList, hss.OperateEvent{
			EventClassId: e.ClassID, EventId: e.ID, EventType: e.Type, OccurTime: e.OccurTime,
			OperateDetailList: detail(e),
		})
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noDetails(hsstest.Event) []hss.EventDetail { return []hss.EventDetail{} }

// unhandledEvents returns n unhandled host events of the fake that have an
// alarm keyword and hash.
func unhandledEvents(t *testing.T, s *hsstest.Server, n int) []hsstest.Event {
	t.Helper()
	var out []hsstest.Event
	for _, e := range s.Events() {
		// In the default enterprise project: the one a call without
		// --enterprise-project-id sees.
		if e.HandleStatus == hss.Unhandled && !e.Ignored && e.Keyword != "" && e.EnterpriseProjectID == "0" && len(out) < n {
			out = append(out, e)
		}
	}
	if len(out) < n {
		t.Fatalf("the fake holds %d suitable events, want %d", len(out), n)
	}
	return out
}

func TestHandleMarksHandled(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	events := unhandledEvents(t, s, 2)
	body := writeFile(t, "op.json", operateBody(t, hss.MarkAsHandled, "night shift", events, noDetails))
	r := runCLI(t, "", append(append([]string{"handle"}, at(s)...), "--body", body, "--enterprise-project-id", "all_granted_eps")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, e := range events {
		got, _ := s.Event(e.ID)
		if got.HandleStatus != hss.Handled || got.Handler != "night shift" {
			t.Errorf("event %s: %s by %q, want handled by the night shift", e.ID, got.HandleStatus, got.Handler)
		}
	}
	var out handleResult
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	want := handleResult{OperateType: hss.MarkAsHandled, Handled: []handledEvent{
		{EventID: events[0].ID, EventClassID: events[0].ClassID, EventType: events[0].Type},
		{EventID: events[1].ID, EventClassID: events[1].ClassID, EventType: events[1].Type},
	}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("printed %+v, want %+v", out, want)
	}
	var last hsstest.Request
	for _, req := range s.Requests() {
		last = req
	}
	if q := parseQuery(t, last.RawQuery); q.Get("enterprise_project_id") != "all_granted_eps" {
		t.Errorf("query %q lacks the enterprise project", last.RawQuery)
	}
}

func TestHandleAlarmWhitelistAndIgnore(t *testing.T) {
	useCredentials(t, credPassword)
	s := newFake(t)
	events := unhandledEvents(t, s, 2)
	whitelist := operateBody(t, hss.AddToAlarmWhitelist, "", events[:1], func(e hsstest.Event) []hss.EventDetail {
		return []hss.EventDetail{{Keyword: &e.Keyword, Hash: &e.Hash}}
	})
	// From standard input this time.
	r := runCLI(t, whitelist, append(append([]string{"handle"}, at(s)...), "--body", "-")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if got, _ := s.Event(events[0].ID); !got.AlarmWhitelisted || got.HandleStatus != hss.Handled {
		t.Errorf("after add_to_alarm_whitelist: %+v", got)
	}
	if got, _ := s.Event(events[1].ID); got.AlarmWhitelisted {
		t.Errorf("the other event was whitelisted too")
	}

	ignore := writeFile(t, "ignore.json", operateBody(t, hss.Ignore, "", events[1:], noDetails))
	r = runCLI(t, "", append(append([]string{"handle"}, at(s)...), "--body="+ignore)...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if got, _ := s.Event(events[1].ID); !got.Ignored {
		t.Errorf("after ignore: %+v", got)
	}
}

func TestHandleRefusedByTheService(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	ev := unhandledEvents(t, s, 1)[0]
	ev.OccurTime++ // the fake checks it against the event's
	body := writeFile(t, "op.json", operateBody(t, hss.MarkAsHandled, "", []hsstest.Event{ev}, noDetails))
	r := runCLI(t, "", append(append([]string{"handle"}, at(s)...), "--body", body)...)
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"400", "HSS.1001", "occur_time", "request id"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if got, _ := s.Event(ev.ID); got.HandleStatus != hss.Unhandled {
		t.Errorf("the refused request changed the event: %+v", got)
	}
}
