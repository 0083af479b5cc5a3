package hss

// Builders of HandleEvents requests for the common cases. Each returns a
// request with the details its operate type needs (hss-api.md decision 8),
// so those cannot be forgotten; given at least one event and non-empty
// details, it passes the checks HandleEvents runs.

import (
	"errors"
	"fmt"
)

// EventRef identifies an alarm event as HSS reports it.
type EventRef struct {
	// ClassID is the event class id, such as "rootkit_0001".
	ClassID string
	// ID is the event id.
	ID string
	// Type is the event type, such as EventRootkit (1010).
	Type int32
	// OccurTime is when the event occurred, in milliseconds since 1970 (UTC).
	OccurTime int64
}

// operateEvent returns ev as an event to handle with the given details.
// A nil details becomes an empty list, which is sent as [] (the list is
// required, and null is not a list).
func (ev EventRef) operateEvent(details ...EventDetail) OperateEvent {
	if details == nil {
		details = []EventDetail{}
	}
	return OperateEvent{
		EventClassId:      ev.ClassID,
		EventId:           ev.ID,
		EventType:         ev.Type,
		OccurTime:         ev.OccurTime,
		OperateDetailList: details,
	}
}

// SimpleRequest returns a request of an operate type that needs no details
// (MarkAsHandled, Unhandle, Ignore, DoNotIgnore) for events: each event is
// sent with an empty operate_detail_list. For the types that need details,
// use AddToAlarmWhitelistRequest and the other builders below; HandleEvents
// refuses such a type built here.
func SimpleRequest(t OperateType, events ...EventRef) OperateEventsRequest {
	list := make([]OperateEvent, len(events))
	for i, ev := range events {
		list[i] = ev.operateEvent()
	}
	return OperateEventsRequest{OperateType: t, OperateEventList: list}
}

// MarkAsHandledRequest returns a request that marks events as handled, with
// handler as the remark kept with them ("" for none).
func MarkAsHandledRequest(handler string, events ...EventRef) OperateEventsRequest {
	r := SimpleRequest(MarkAsHandled, events...)
	if handler != "" {
		r.Handler = &handler
	}
	return r
}

// AlarmDetails are what adding an alarm to the alarm whitelist, or removing
// it, names: the event's alarm keyword (such as "file_path=/usr/bin/curl")
// and hash, as HSS reports them.
type AlarmDetails struct {
	Keyword string
	Hash    string
}

// LoginDetails are what adding a login to the login whitelist, or removing
// it, names: the login's source address, the server's private address and
// the user name.
type LoginDetails struct {
	LoginIP   string
	PrivateIP string
	UserName  string
}

// ProcessDetails are what isolating and killing a process, or undoing it,
// names: the HSS agent of the server, the file's hash and path, and the
// process id, as an export of the event gives them. All four are sent; PID
// is 0 for an alarm about a file that names no running process (isolating
// it quarantines the file), as the service's range (0 to 2147483647)
// allows.
type ProcessDetails struct {
	AgentID  string
	FileHash string
	FilePath string
	PID      int32
}

// The builders below take the details as named fields, so that two
// addresses or a hash and a path cannot be swapped unnoticed, and have one
// function per direction, so that the call says which way it goes (a
// boolean would not, and removing what was never added succeeds silently).

// AddToAlarmWhitelistRequest returns a request that adds ev to the alarm
// whitelist.
func AddToAlarmWhitelistRequest(ev EventRef, d AlarmDetails) OperateEventsRequest {
	return withDetail(AddToAlarmWhitelist, ev, d.detail())
}

// RemoveFromAlarmWhitelistRequest returns a request that removes ev from
// the alarm whitelist.
func RemoveFromAlarmWhitelistRequest(ev EventRef, d AlarmDetails) OperateEventsRequest {
	return withDetail(RemoveFromAlarmWhitelist, ev, d.detail())
}

// AddToLoginWhitelistRequest returns a request that adds the login of ev to
// the login whitelist.
func AddToLoginWhitelistRequest(ev EventRef, d LoginDetails) OperateEventsRequest {
	return withDetail(AddToLoginWhitelist, ev, d.detail())
}

// RemoveFromLoginWhitelistRequest returns a request that removes the login
// of ev from the login whitelist.
func RemoveFromLoginWhitelistRequest(ev EventRef, d LoginDetails) OperateEventsRequest {
	return withDetail(RemoveFromLoginWhitelist, ev, d.detail())
}

// IsolateAndKillRequest returns a request that isolates the file of ev and
// kills its process.
func IsolateAndKillRequest(ev EventRef, d ProcessDetails) OperateEventsRequest {
	return withDetail(IsolateAndKill, ev, d.detail())
}

// DoNotIsolateOrKillRequest returns a request that undoes
// IsolateAndKillRequest for ev (operate type do_not_isolate_or_kill).
func DoNotIsolateOrKillRequest(ev EventRef, d ProcessDetails) OperateEventsRequest {
	return withDetail(DoNotIsolateOrKill, ev, d.detail())
}

// withDetail is a request of type t for ev with one operate detail.
func withDetail(t OperateType, ev EventRef, detail EventDetail) OperateEventsRequest {
	return OperateEventsRequest{OperateType: t, OperateEventList: []OperateEvent{ev.operateEvent(detail)}}
}

func (d AlarmDetails) detail() EventDetail {
	return EventDetail{Keyword: &d.Keyword, Hash: &d.Hash}
}

func (d LoginDetails) detail() EventDetail {
	return EventDetail{LoginIp: &d.LoginIP, PrivateIp: &d.PrivateIP, LoginUserName: &d.UserName}
}

func (d ProcessDetails) detail() EventDetail {
	return EventDetail{AgentId: &d.AgentID, FileHash: &d.FileHash, FilePath: &d.FilePath, ProcessPid: &d.PID}
}

// BatchRequests merges requests of one operate type into one call, so that
// many events are handled with one request instead of one each (fewer
// calls to be throttled): their events in order, their whitelist rules
// after one another. Each request passes the checks of HandleEvents, and
// they agree on the operate type and the handler; the first that does not
// is a *ValidationError naming it (requests[k]...).
//
// The merged request is one call: the service names its events by their
// place in it (operate_event_list[j], counted over the requests in order),
// and one event it refuses (an unknown one, say) fails the whole call.
// hsstest then handles none of them.
//
//	reqs := make([]hss.OperateEventsRequest, len(alarms))
//	for i, a := range alarms {
//		reqs[i] = hss.AddToAlarmWhitelistRequest(a.Ref, hss.AlarmDetails{Keyword: a.Keyword, Hash: a.Hash})
//	}
//	batch, err := hss.BatchRequests(reqs...)
func BatchRequests(reqs ...OperateEventsRequest) (OperateEventsRequest, error) {
	if len(reqs) == 0 {
		return OperateEventsRequest{}, &ValidationError{Field: "requests", Reason: "none to batch"}
	}
	out := OperateEventsRequest{OperateType: reqs[0].OperateType, Handler: reqs[0].Handler}
	for i, r := range reqs {
		if err := checkOperateRequest(&r); err != nil {
			if ve, ok := errors.AsType[*ValidationError](err); ok {
				return OperateEventsRequest{}, &ValidationError{Field: fmt.Sprintf("requests[%d].%s", i, ve.Field), Reason: ve.Reason}
			}
			return OperateEventsRequest{}, err
		}
		switch {
		case r.OperateType != out.OperateType:
			return OperateEventsRequest{}, &ValidationError{Field: fmt.Sprintf("requests[%d].operate_type", i),
				Reason: fmt.Sprintf("is %s, not %s as in the first: one call has one operate type", r.OperateType, out.OperateType)}
		case deref(r.Handler) != deref(out.Handler): // checked: a handler is never ""
			return OperateEventsRequest{}, &ValidationError{Field: fmt.Sprintf("requests[%d].handler", i),
				Reason: "differs from the first's: one call has one handler"}
		}
		out.OperateEventList = append(out.OperateEventList, r.OperateEventList...)
		if r.EventWhiteRuleList != nil {
			if out.EventWhiteRuleList == nil {
				out.EventWhiteRuleList = &[]EventWhiteRule{}
			}
			*out.EventWhiteRuleList = append(*out.EventWhiteRuleList, *r.EventWhiteRuleList...)
		}
	}
	return out, nil
}
