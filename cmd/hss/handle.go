package main

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/openhss/hss-go/hss"
)

// handleCmd holds the flags of hss handle.
type handleCmd struct {
	serviceFlags
	params hss.HandleEventsParams
}

func (c *handleCmd) flags() *flags {
	f := newFlags("handle")
	p := &c.params
	f.section("Query parameters")
	f.add(optString[string]{&p.EnterpriseProjectId}, "enterprise-project-id", "ID", "enterprise project of the servers; 0 is the default one, all_granted_eps all of them")
	f.add(optString[string]{&p.ContainerName}, "container-name", "NAME", "container instance name")
	f.add(optString[string]{&p.ContainerId}, "container-id", "ID", "container id")
	addServiceFlags(f, &c.serviceFlags, "the operate request as JSON, required")
	return f
}

// handledEvent is one event in what hss handle prints.
type handledEvent struct {
	EventID      string `json:"event_id"`
	EventClassID string `json:"event_class_id"`
	EventType    int32  `json:"event_type"`
}

// handleResult is what hss handle prints: the operation and the events
// the service accepted it for.
type handleResult struct {
	OperateType hss.OperateType `json:"operate_type"`
	Handled     []handledEvent  `json:"handled"`
}

func runHandle(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c handleCmd
	f := c.flags()
	field := flagField(f, func(field string) string { return "--body field " + field })
	fail := func(err error) int { return report(stderr, "handle", err, field, c.timeout) }

	if err := f.parse(args); err == errHelp {
		printCommandUsage(stdout, "handle")
		return 0
	} else if err != nil {
		return fail(err)
	}
	if err := c.check(f); err != nil {
		return fail(err)
	}
	if c.body == "" {
		return fail(usagef("--body is required: the operate request as JSON, in a file or - for standard input"))
	}
	b, err := readBody(ctx, c.body, stdin)
	if err != nil {
		return fail(err)
	}
	var req hss.OperateEventsRequest
	if err := decodeStrict(b, &req); err != nil {
		return fail(err)
	}
	if err := checkRequiredNumbers(b); err != nil {
		return fail(err)
	}
	// The input first: it needs no credentials.
	if err := hss.CheckHandle(req, &c.params); err != nil {
		return fail(err)
	}
	client, err := c.newClient(stderr)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := client.HandleEvents(ctx, req, &c.params); err != nil {
		return fail(err)
	}
	out := handleResult{OperateType: req.OperateType, Handled: make([]handledEvent, len(req.OperateEventList))}
	for i, ev := range req.OperateEventList {
		out.Handled[i] = handledEvent{EventID: ev.EventId, EventClassID: ev.EventClassId, EventType: ev.EventType}
	}
	return printJSON(stdout, stderr, out)
}

// checkRequiredNumbers refuses a body without one of the whole numbers the
// spec requires (an event's event_type and occur_time, a whitelist rule's
// event_type), or with null for one. The request holds them as plain
// numbers, where a missing one reads as 0 and would be sent as 0. b has
// been decoded already, so it is valid JSON of the request's shape.
func checkRequiredNumbers(b []byte) error {
	var present struct {
		Events []struct {
			EventType *int32 `json:"event_type"`
			OccurTime *int64 `json:"occur_time"`
		} `json:"operate_event_list"`
		Rules []struct {
			EventType *int32 `json:"event_type"`
		} `json:"event_white_rule_list"`
	}
	if err := json.Unmarshal(b, &present); err != nil {
		return usagef("invalid --body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	missing := func(field string) error { return &hss.ValidationError{Field: field, Reason: "required"} }
	for i, ev := range present.Events {
		switch {
		case ev.EventType == nil:
			return missing("operate_event_list[" + strconv.Itoa(i) + "].event_type")
		case ev.OccurTime == nil:
			return missing("operate_event_list[" + strconv.Itoa(i) + "].occur_time")
		}
	}
	for k, r := range present.Rules {
		if r.EventType == nil {
			return missing("event_white_rule_list[" + strconv.Itoa(k) + "].event_type")
		}
	}
	return nil
}
