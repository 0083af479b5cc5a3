package main

import (
	"context"
	"io"

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
