package hss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// This file is the one place that builds the HTTP requests of the HSS
// operations. It writes what gen's New...Request functions write for the
// same parameters (TestRequestsMatchGen compares them over random
// parameters), except that a space in the query is %20 rather than '+', as
// the official SDK sends it: a gateway that reads '+' literally would
// otherwise see another query than the one signed. It writes the URL in one
// buffer instead of styling each parameter through reflection and parsing
// the URL three times, which made the generated builder the largest cost of
// a call after the round trip itself.

// urlBuilder writes the target of an HSS request: the escaped path and the
// query, "/v5/{project_id}/event/export?category=host&...".
type urlBuilder struct {
	b   strings.Builder
	sep byte // before the next query parameter: '?' for the first, then '&'
}

// start begins the target with the path's first part.
func (u *urlBuilder) start(path string) {
	u.sep = '?'
	u.b.Grow(512) // a typical export is about 260 bytes
	u.b.WriteString(path)
}

// path appends literal path text, already escaped.
func (u *urlBuilder) path(s string) { u.b.WriteString(s) }

// segment appends a path parameter escaped as one path segment, as gen
// does: url.PathEscape, which allocates only when something needs escaping.
func (u *urlBuilder) segment(s string) { u.b.WriteString(url.PathEscape(s)) }

// key starts a query parameter: "?name=" or "&name=". Parameter names are
// lower-case ASCII with '_', which need no escaping.
func (u *urlBuilder) key(name string) {
	u.b.WriteByte(u.sep)
	u.sep = '&'
	u.b.WriteString(name)
	u.b.WriteByte('=')
}

// value appends a query value escaped as url.QueryEscape does, except that
// a space is %20: every byte outside A-Z a-z 0-9 - _ . ~ becomes %XY.
func (u *urlBuilder) value(s string) {
	const upperHex = "0123456789ABCDEF"
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && queryKeeps(s[j]) {
			j++
		}
		u.b.WriteString(s[i:j])
		if j == len(s) {
			break
		}
		c := s[j]
		u.b.WriteByte('%')
		u.b.WriteByte(upperHex[c>>4])
		u.b.WriteByte(upperHex[c&15])
		i = j + 1
	}
}

// queryKeeps reports whether a query value byte is sent as it is: the RFC
// 3986 unreserved set, which is what url.QueryEscape keeps too.
func queryKeeps(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

func (u *urlBuilder) int(name string, v int64) {
	u.key(name)
	var digits [20]byte
	u.b.Write(strconv.AppendInt(digits[:0], v, 10))
}

func (u *urlBuilder) String() string { return u.b.String() }

// The query parameter kinds of the spec, optional ones as pointers, lists
// exploded as one key per value. An empty list is sent as one empty value
// ("key="), as gen sends it.

func queryString[S ~string](u *urlBuilder, name string, v S) {
	u.key(name)
	u.value(string(v))
}

func queryOptString[S ~string](u *urlBuilder, name string, v *S) {
	if v != nil {
		queryString(u, name, *v)
	}
}

func queryOptInt[I ~int32 | ~int64](u *urlBuilder, name string, v *I) {
	if v != nil {
		u.int(name, int64(*v))
	}
}

func queryOptBool(u *urlBuilder, name string, v *bool) {
	if v != nil {
		u.key(name)
		u.b.WriteString(strconv.FormatBool(*v))
	}
}

func queryOptStrings[S ~string](u *urlBuilder, name string, v *[]S) {
	switch {
	case v == nil:
	case len(*v) == 0:
		u.key(name)
	default:
		for _, s := range *v {
			queryString(u, name, s)
		}
	}
}

func queryOptInts(u *urlBuilder, name string, v *[]int32) {
	switch {
	case v == nil:
	case len(*v) == 0:
		u.key(name)
	default:
		for _, n := range *v {
			u.int(name, int64(n))
		}
	}
}

// exportEventsTarget is the target of POST /v5/{project_id}/event/export, its
// query parameters in the order of api/openapi.yaml.
func exportEventsTarget(projectID string, p *ExportEventsParams) string {
	var u urlBuilder
	u.start("/v5/")
	u.segment(projectID)
	u.path("/event/export")
	queryOptString(&u, "enterprise_project_id", p.EnterpriseProjectId)
	queryOptInt(&u, "last_days", p.LastDays)
	queryOptString(&u, "host_name", p.HostName)
	queryOptString(&u, "host_id", p.HostId)
	queryOptString(&u, "private_ip", p.PrivateIp)
	queryOptString(&u, "container_name", p.ContainerName)
	queryOptInt(&u, "offset", p.Offset)
	queryOptInt(&u, "limit", p.Limit)
	queryOptInt(&u, "export_size", p.ExportSize)
	queryOptInt(&u, "event_type", p.EventType)
	queryOptInts(&u, "event_types", p.EventTypes)
	queryOptString(&u, "handle_status", p.HandleStatus)
	queryOptString(&u, "severity", p.Severity)
	queryString(&u, "category", p.Category)
	queryOptInt(&u, "begin_time", p.BeginTime)
	queryOptInt(&u, "end_time", p.EndTime)
	queryOptStrings(&u, "event_class_ids", p.EventClassIds)
	queryOptStrings(&u, "severity_list", p.SeverityList)
	queryOptString(&u, "attack_tag", p.AttackTag)
	queryOptString(&u, "asset_value", p.AssetValue)
	queryOptStrings(&u, "tag_list", p.TagList)
	queryOptString(&u, "att_ck", p.AttCk)
	queryOptString(&u, "event_name", p.EventName)
	queryOptStrings(&u, "event_id_list", p.EventIdList)
	queryOptBool(&u, "auto_block", p.AutoBlock)
	queryOptString(&u, "cluster_id", p.ClusterId)
	queryString(&u, "event_id", p.EventId)
	queryOptString(&u, "public_ip", p.PublicIp)
	return u.String()
}

// handleEventsTarget is the target of POST /v5/{project_id}/event/operate.
func handleEventsTarget(projectID string, p *HandleEventsParams) string {
	var u urlBuilder
	u.start("/v5/")
	u.segment(projectID)
	u.path("/event/operate")
	queryOptString(&u, "enterprise_project_id", p.EnterpriseProjectId)
	queryOptString(&u, "container_name", p.ContainerName)
	queryOptString(&u, "container_id", p.ContainerId)
	return u.String()
}

// showExportTaskTarget is the target of GET /v5/{project_id}/event/export-task/{task_id}.
func showExportTaskTarget(projectID, taskID, enterpriseProjectID string) string {
	var u urlBuilder
	u.start("/v5/")
	u.segment(projectID)
	u.path("/event/export-task/")
	u.segment(taskID)
	if enterpriseProjectID != "" {
		queryString(&u, "enterprise_project_id", enterpriseProjectID)
	}
	return u.String()
}

// downloadExportedFileTarget is the target of GET /v5/{project_id}/download/{file_id}.
func downloadExportedFileTarget(projectID, fileID, enterpriseProjectID string) string {
	var u urlBuilder
	u.start("/v5/")
	u.segment(projectID)
	u.path("/download/")
	u.segment(fileID)
	if enterpriseProjectID != "" {
		queryString(&u, "enterprise_project_id", enterpriseProjectID)
	}
	return u.String()
}

// newRequest returns the request of an HSS operation to target (which one
// of the ...Target functions above built) on endpoint, bound to ctx, with a
// JSON body's Content-Type when it has one. The body itself is attached per
// attempt by do.
//
// Nothing is parsed: the parts of the URL are known. They are set as
// url.Parse would set them from endpoint+target: the escaped path as
// RawPath only when it is not the path's default encoding, and the host
// without an empty port, as http.NewRequest sets it.
func newRequest(ctx context.Context, method, endpoint, target string, jsonBody bool) (*http.Request, error) {
	scheme, host, ok := strings.Cut(endpoint, "://")
	if !ok {
		return nil, fmt.Errorf("building the request: endpoint %q has no scheme", endpoint)
	}
	escapedPath, query, _ := strings.Cut(target, "?")
	path := escapedPath
	if strings.IndexByte(escapedPath, '%') >= 0 {
		var err error
		if path, err = url.PathUnescape(escapedPath); err != nil {
			return nil, fmt.Errorf("building the request: %w", err)
		}
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && i == len(host)-1 && strings.LastIndexByte(host, ']') < i {
		host = host[:i] // an empty port, which http.NewRequest drops
	}
	req, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, err
	}
	*req.URL = url.URL{Scheme: scheme, Host: host, Path: path, RawQuery: query}
	if req.URL.EscapedPath() != escapedPath {
		req.URL.RawPath = escapedPath
	}
	req.Host = host
	if jsonBody {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	return req, nil
}
