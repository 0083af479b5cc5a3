package hss

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/openhss/hss-go/gen"
)

// ExportEvents submits an export of the intrusion events that match params,
// with the table columns given as [field, column title] pairs, and returns
// the export task id and the number of records.
//
// params.Category and params.EventId are required. The checks of
// ValidationError run first; nothing is sent when one fails.
//
// API: POST /v5/{project_id}/event/export
func (c *Client) ExportEvents(ctx context.Context, params ExportEventsParams, columns ExportColumns) (*ExportEventsResult, error) {
	if err := checkExportParams(&params); err != nil {
		return nil, err
	}
	if err := checkExportColumns(columns); err != nil {
		return nil, err
	}
	body, err := json.Marshal(columns)
	if err != nil {
		return nil, opError(opExportEvents, err)
	}
	pid, err := c.ProjectID(ctx)
	if err != nil {
		return nil, err
	}
	req, err := gen.NewExportEventsRequestWithBody(c.endpoint, pid, &params, "application/json", nil)
	if err != nil {
		return nil, opError(opExportEvents, err)
	}
	var out ExportEventsResult
	if err := c.send(ctx, opExportEvents, pid, req, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// HandleEvents handles alarm events as req.OperateType says: marks them
// handled or unhandled, ignores them or not, adds them to or removes them
// from the alarm or login whitelist, or isolates and kills their process (or
// undoes it). params may be nil. The request builders (MarkAsHandledRequest,
// AlarmWhitelistRequest, ...) make requests that pass the checks.
//
// API: POST /v5/{project_id}/event/operate
func (c *Client) HandleEvents(ctx context.Context, req OperateEventsRequest, params *HandleEventsParams) error {
	if err := checkOperateRequest(&req); err != nil {
		return err
	}
	if params == nil {
		params = &HandleEventsParams{}
	} else if err := checkHandleParams(params); err != nil {
		return err
	}
	body, err := json.Marshal(&req)
	if err != nil {
		return opError(opHandleEvents, err)
	}
	pid, err := c.ProjectID(ctx)
	if err != nil {
		return err
	}
	hreq, err := gen.NewHandleEventsRequestWithBody(c.endpoint, pid, params, "application/json", nil)
	if err != nil {
		return opError(opHandleEvents, err)
	}
	return c.send(ctx, opHandleEvents, pid, hreq, body, nil)
}

// send sends an operation's request with the client's credentials and
// decodes a JSON answer into out (nil: the answer is discarded).
func (c *Client) send(ctx context.Context, op, projectID string, req *http.Request, body []byte, out any) error {
	resp, err := c.roundTrip(ctx, op, projectID, req, body)
	if err != nil {
		return err
	}
	defer discard(resp)
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return opError(op, fmt.Errorf("decoding the answer (status %d, request id %s): %w", resp.StatusCode, resp.Header.Get("X-Request-Id"), err))
	}
	return nil
}

// roundTrip sends a request the generated code built for an HSS operation,
// with the client's credentials, and returns a 2xx response.
func (c *Client) roundTrip(ctx context.Context, op, projectID string, req *http.Request, body []byte) (*http.Response, error) {
	if _, ok := c.auth.(*accessKeyAuth); ok {
		req.Header["X-Project-Id"] = []string{projectID}
	}
	plusAsPercent20(req)
	return c.do(ctx, op, req, body, c.auth)
}

// plusAsPercent20 rewrites the spaces the generated client encodes as "+" in
// the query to "%20", as the official SDK sends them: a gateway that reads
// "+" literally would otherwise see another query than the one signed. A
// real plus is already "%2B", so the rewrite is lossless.
func plusAsPercent20(req *http.Request) {
	if strings.IndexByte(req.URL.RawQuery, '+') >= 0 {
		req.URL.RawQuery = strings.ReplaceAll(req.URL.RawQuery, "+", "%20")
	}
}
