package hsstest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/openhss/hss-go/gen"
)

// WhiteRules returns the alarm whitelist rules received in
// event_white_rule_list, in the order received.
func (s *Server) WhiteRules() []gen.EventWhiteRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.whiteRules)
}

// HandleEvents answers POST /v5/{project_id}/event/operate. It checks every
// event and its details first, then applies the operation to all of them:
// a refused request changes nothing.
func (a service) HandleEvents(w http.ResponseWriter, r *http.Request, _ gen.ProjectId, p gen.HandleEventsParams) {
	s := a.s
	var req gen.OperateEventsRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		badParam(w, "body", "not an operate request")
		return
	}
	if p.Region != nil && *p.Region != s.region {
		badParam(w, "region", "this endpoint serves region "+s.region)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	targets := make([]*Event, len(req.OperateEventList))
	for i := range req.OperateEventList {
		ev := &req.OperateEventList[i]
		field := func(name string) string { return "operate_event_list[" + strconv.Itoa(i) + "]." + name }
		e, ok := s.events[ev.EventId]
		switch {
		case !ok:
			badParam(w, field("event_id"), "no such event")
			return
		case !inEnterpriseProject(e, p.EnterpriseProjectId):
			// As if it did not exist: the call sees one enterprise project
			// (the default one when it names none).
			eps := "0, the default"
			if p.EnterpriseProjectId != nil {
				eps = *p.EnterpriseProjectId
			}
			badParam(w, field("event_id"), "no such event in enterprise project "+eps+" (all_granted_eps: all of them)")
			return
		case ev.EventClassId != e.ClassID:
			badParam(w, field("event_class_id"), "does not match the event's class")
			return
		case ev.EventType != e.Type:
			badParam(w, field("event_type"), "does not match the event's type")
			return
		case ev.OccurTime != e.OccurTime:
			badParam(w, field("occur_time"), "does not match the event's occur time")
			return
		}
		if needs := detailsNeeded(req.OperateType); needs != "" && len(ev.OperateDetailList) == 0 {
			badParam(w, field("operate_detail_list"), string(req.OperateType)+" needs at least one entry with "+needs)
			return
		}
		for j := range ev.OperateDetailList {
			d := &ev.OperateDetailList[j]
			if name := missingDetail(req.OperateType, d); name != "" {
				badParam(w, field("operate_detail_list["+strconv.Itoa(j)+"]."+name), "required by "+string(req.OperateType))
				return
			}
		}
		targets[i] = e
	}
	for _, e := range targets {
		applyOperation(e, req.OperateType, req.Handler)
	}
	if req.EventWhiteRuleList != nil {
		s.whiteRules = append(s.whiteRules, *req.EventWhiteRuleList...)
	}
	w.WriteHeader(http.StatusOK)
}

// applyOperation changes e as operate type t says. Each of the five ways
// of handling an alarm makes it handled, with the request's handler as
// remark; each of their five undos makes it unhandled again (the decision
// next to OperateType in the spec).
func applyOperation(e *Event, t gen.OperateType, handler *string) {
	switch t {
	case gen.MarkAsHandled, gen.Ignore, gen.AddToAlarmWhitelist, gen.AddToLoginWhitelist, gen.IsolateAndKill:
		e.HandleStatus, e.Handler = gen.Handled, ""
		if handler != nil {
			e.Handler = *handler
		}
	default:
		e.HandleStatus, e.Handler = gen.Unhandled, ""
	}
	switch t {
	case gen.Ignore, gen.DoNotIgnore:
		e.Ignored = t == gen.Ignore
	case gen.AddToAlarmWhitelist, gen.RemoveFromAlarmWhitelist:
		e.AlarmWhitelisted = t == gen.AddToAlarmWhitelist
	case gen.AddToLoginWhitelist, gen.RemoveFromLoginWhitelist:
		e.LoginWhitelisted = t == gen.AddToLoginWhitelist
	case gen.IsolateAndKill, gen.DoNotIsolateOrKill:
		e.Isolated = t == gen.IsolateAndKill
	}
}

// detailsNeeded lists the detail fields operate type t needs in every entry
// of operate_detail_list, "" when none (hss-api.md decision 8).
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
