package hss

// Builders of HandleEvents requests for the common cases. Each returns a
// request that passes the checks HandleEvents runs, with the details its
// operate type needs (hss-api.md decision 8), so those cannot be forgotten.

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
// use AlarmWhitelistRequest, LoginWhitelistRequest or IsolateAndKillRequest;
// HandleEvents refuses such a type built here.
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

// AlarmWhitelistRequest returns a request that adds ev to the alarm
// whitelist (add true) or removes it (add false). keyword and hash are the
// event's alarm keyword and hash, as HSS reports them.
func AlarmWhitelistRequest(add bool, ev EventRef, keyword, hash string) OperateEventsRequest {
	t := RemoveFromAlarmWhitelist
	if add {
		t = AddToAlarmWhitelist
	}
	d := EventDetail{Keyword: &keyword, Hash: &hash}
	return OperateEventsRequest{OperateType: t, OperateEventList: []OperateEvent{ev.operateEvent(d)}}
}

// LoginWhitelistRequest returns a request that adds the login of ev to the
// login whitelist (add true) or removes it (add false): the login source
// address, the server's private address and the user name.
func LoginWhitelistRequest(add bool, ev EventRef, loginIP, privateIP, userName string) OperateEventsRequest {
	t := RemoveFromLoginWhitelist
	if add {
		t = AddToLoginWhitelist
	}
	d := EventDetail{LoginIp: &loginIP, PrivateIp: &privateIP, LoginUserName: &userName}
	return OperateEventsRequest{OperateType: t, OperateEventList: []OperateEvent{ev.operateEvent(d)}}
}

// IsolateAndKillRequest returns a request that isolates the file of ev and
// kills its process (kill true), or undoes it (kill false,
// do_not_isolate_or_kill). agentID is the HSS agent of the server; pid the
// process id.
func IsolateAndKillRequest(kill bool, ev EventRef, agentID, fileHash, filePath string, pid int32) OperateEventsRequest {
	t := DoNotIsolateOrKill
	if kill {
		t = IsolateAndKill
	}
	d := EventDetail{AgentId: &agentID, FileHash: &fileHash, FilePath: &filePath, ProcessPid: &pid}
	return OperateEventsRequest{OperateType: t, OperateEventList: []OperateEvent{ev.operateEvent(d)}}
}
