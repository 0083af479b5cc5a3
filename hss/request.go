package hss

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
//
// It is a value, passed and returned, so that its buffer can live on the
// stack of the function that builds the target (a builder behind a pointer
// would be moved to the heap with it); the target is made a string once, at
// its exact length.
type urlBuilder struct {
	b   []byte
	sep byte // before the next query parameter: '?' for the first, then '&'
}

// targetBuffer is the stack buffer of a urlBuilder: a typical export target
// is about 260 bytes; a longer one grows onto the heap.
type targetBuffer [512]byte

// startTarget begins a target in buf with the path's first part.
func startTarget(buf *targetBuffer, path string) urlBuilder {
	return urlBuilder{b: append(buf[:0], path...), sep: '?'}
}

// path appends literal path text, already escaped.
func (u urlBuilder) path(s string) urlBuilder {
	u.b = append(u.b, s...)
	return u
}

// segment appends a path parameter escaped as one path segment, as gen
// does: url.PathEscape, which allocates only when something needs escaping.
func (u urlBuilder) segment(s string) urlBuilder {
	u.b = append(u.b, url.PathEscape(s)...)
	return u
}

// key starts a query parameter: "?name=" or "&name=". Parameter names are
// lower-case ASCII with '_', which need no escaping.
func (u urlBuilder) key(name string) urlBuilder {
	u.b = append(u.b, u.sep)
	u.sep = '&'
	u.b = append(u.b, name...)
	u.b = append(u.b, '=')
	return u
}

// value appends a query value escaped as url.QueryEscape does, except that
// a space is %20: every byte outside A-Z a-z 0-9 - _ . ~ becomes %XY.
func (u urlBuilder) value(s string) urlBuilder {
	const upperHex = "0123456789ABCDEF"
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && queryKeeps(s[j]) {
			j++
		}
		u.b = append(u.b, s[i:j]...)
		if j == len(s) {
			break
		}
		c := s[j]
		u.b = append(u.b, '%', upperHex[c>>4], upperHex[c&15])
		i = j + 1
	}
	return u
}

// queryKeeps reports whether a query value byte is sent as it is: the RFC
// 3986 unreserved set, which is what url.QueryEscape keeps too.
func queryKeeps(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

func (u urlBuilder) int(name string, v int64) urlBuilder {
	u = u.key(name)
	u.b = strconv.AppendInt(u.b, v, 10)
	return u
}

func (u urlBuilder) String() string { return string(u.b) }

// The query parameter kinds of the spec, optional ones as pointers, lists
// exploded as one key per value. An empty list is sent as one empty value
// ("key="), as gen sends it.

func queryString[S ~string](u urlBuilder, name string, v S) urlBuilder {
	return u.key(name).value(string(v))
}

func queryOptString[S ~string](u urlBuilder, name string, v *S) urlBuilder {
	if v != nil {
		u = queryString(u, name, *v)
	}
	return u
}

func queryOptInt[I ~int32 | ~int64](u urlBuilder, name string, v *I) urlBuilder {
	if v != nil {
		u = u.int(name, int64(*v))
	}
	return u
}

func queryOptBool(u urlBuilder, name string, v *bool) urlBuilder {
	if v != nil {
		u = u.key(name)
		u.b = strconv.AppendBool(u.b, *v)
	}
	return u
}

// A list's values are written sorted, as its keys are (see
// exportEventsTarget): the signature canonicalizes a query by key, then by
// value, and a query already in that order is copied as it is rather than
// sorted (0.3-0.5 µs less for a typical export's query, in a
// microbenchmark). The service reads a list as a set of values.

func queryOptStrings[S ~string](u urlBuilder, name string, v *[]S) urlBuilder {
	switch {
	case v == nil:
	case len(*v) == 0:
		u = u.key(name)
	default:
		vals := *v
		if !slices.IsSorted(vals) {
			// Byte order of the values is the order of their escaped forms
			// for the values the signer copies (unreserved bytes only).
			var a [8]S
			vals = append(a[:0], vals...)
			slices.Sort(vals)
		}
		for _, s := range vals {
			u = queryString(u, name, s)
		}
	}
	return u
}

func queryOptInts(u urlBuilder, name string, v *[]int32) urlBuilder {
	switch {
	case v == nil:
	case len(*v) == 0:
		u = u.key(name)
	default:
		vals := *v
		if !slices.IsSortedFunc(vals, compareDecimal) {
			var a [8]int32
			vals = append(a[:0], vals...)
			slices.SortFunc(vals, compareDecimal)
		}
		for _, n := range vals {
			u = u.int(name, int64(n))
		}
	}
	return u
}

// compareDecimal orders two integers as their decimal texts sort, the
// order of a query's values: 1010 before 999.
func compareDecimal(a, b int32) int {
	var x, y [12]byte
	return bytes.Compare(strconv.AppendInt(x[:0], int64(a), 10), strconv.AppendInt(y[:0], int64(b), 10))
}

// exportEventsTarget is the target of POST /v5/{project_id}/event/export.
//
// The query parameters are written sorted by name: the order in which the
// AK/SK signature canonicalizes them, so the signer copies the query
// instead of sorting it, which was a third of the time it took to sign a
// typical export. The server reads parameters by name, in any order.
func exportEventsTarget(projectID string, p *ExportEventsParams) string {
	var buf targetBuffer
	u := startTarget(&buf, "/v5/")
	u = u.segment(projectID)
	u = u.path("/event/export")
	u = queryOptString(u, "asset_value", p.AssetValue)
	u = queryOptString(u, "att_ck", p.AttCk)
	u = queryOptString(u, "attack_tag", p.AttackTag)
	u = queryOptBool(u, "auto_block", p.AutoBlock)
	u = queryOptInt(u, "begin_time", p.BeginTime)
	u = queryString(u, "category", p.Category)
	u = queryOptString(u, "cluster_id", p.ClusterId)
	u = queryOptString(u, "container_name", p.ContainerName)
	u = queryOptInt(u, "end_time", p.EndTime)
	u = queryOptString(u, "enterprise_project_id", p.EnterpriseProjectId)
	u = queryOptStrings(u, "event_class_ids", p.EventClassIds)
	u = queryString(u, "event_id", p.EventId)
	u = queryOptStrings(u, "event_id_list", p.EventIdList)
	u = queryOptString(u, "event_name", p.EventName)
	u = queryOptInt(u, "event_type", p.EventType)
	u = queryOptInts(u, "event_types", p.EventTypes)
	u = queryOptInt(u, "export_size", p.ExportSize)
	u = queryOptString(u, "handle_status", p.HandleStatus)
	u = queryOptString(u, "host_id", p.HostId)
	u = queryOptString(u, "host_name", p.HostName)
	u = queryOptInt(u, "last_days", p.LastDays)
	u = queryOptInt(u, "limit", p.Limit)
	u = queryOptInt(u, "offset", p.Offset)
	u = queryOptString(u, "private_ip", p.PrivateIp)
	u = queryOptString(u, "public_ip", p.PublicIp)
	u = queryOptString(u, "severity", p.Severity)
	u = queryOptStrings(u, "severity_list", p.SeverityList)
	u = queryOptStrings(u, "tag_list", p.TagList)
	return u.String()
}

// handleEventsTarget is the target of POST /v5/{project_id}/event/operate,
// its query parameters sorted by name as exportEventsTarget's are.
func handleEventsTarget(projectID string, p *HandleEventsParams) string {
	var buf targetBuffer
	u := startTarget(&buf, "/v5/")
	u = u.segment(projectID)
	u = u.path("/event/operate")
	u = queryOptString(u, "container_id", p.ContainerId)
	u = queryOptString(u, "container_name", p.ContainerName)
	u = queryOptString(u, "enterprise_project_id", p.EnterpriseProjectId)
	return u.String()
}

// showExportTaskTarget is the target of GET /v5/{project_id}/event/export-task/{task_id}.
func showExportTaskTarget(projectID, taskID, enterpriseProjectID string) string {
	var buf targetBuffer
	u := startTarget(&buf, "/v5/")
	u = u.segment(projectID)
	u = u.path("/event/export-task/")
	u = u.segment(taskID)
	if enterpriseProjectID != "" {
		u = queryString(u, "enterprise_project_id", enterpriseProjectID)
	}
	return u.String()
}

// downloadExportedFileTarget is the target of GET /v5/{project_id}/download/{file_id}.
func downloadExportedFileTarget(projectID, fileID, enterpriseProjectID string) string {
	var buf targetBuffer
	u := startTarget(&buf, "/v5/")
	u = u.segment(projectID)
	u = u.path("/download/")
	u = u.segment(fileID)
	if enterpriseProjectID != "" {
		u = queryString(u, "enterprise_project_id", enterpriseProjectID)
	}
	return u.String()
}

// newRequest returns the request of an HSS operation to target (which one
// of the ...Target functions above built) on endpoint, bound to ctx. Its
// headers, Content-Type among them, and body are added by do.
//
// Nothing is parsed: the parts of the URL are known. They are set as
// url.Parse would set them from endpoint+target: the escaped path as
// RawPath only when it is not the path's default encoding, and the host
// without an empty port, as http.NewRequest sets it.
func newRequest(ctx context.Context, method, endpoint, target string) (*http.Request, error) {
	if ctx == nil {
		return nil, errors.New("building the request: nil Context") // as http.NewRequestWithContext refuses it
	}
	scheme, host, ok := strings.Cut(endpoint, "://")
	if !ok {
		return nil, fmt.Errorf("building the request: endpoint %q has no scheme", endpoint)
	}
	escapedPath, query, _ := strings.Cut(target, "?")
	if i := strings.LastIndexByte(host, ':'); i >= 0 && i == len(host)-1 && strings.LastIndexByte(host, ']') < i {
		host = host[:i] // an empty port, which http.NewRequest drops
	}
	u := &url.URL{Scheme: scheme, Host: host, Path: escapedPath, RawQuery: query}
	// Without a '%', the path is as sent: the targets escape everything a
	// path escapes (url.PathEscape escapes more), so the default encoding
	// of the path is the path itself and RawPath stays empty.
	if strings.IndexByte(escapedPath, '%') >= 0 {
		var err error
		if u.Path, err = url.PathUnescape(escapedPath); err != nil {
			return nil, fmt.Errorf("building the request: %w", err)
		}
		if u.EscapedPath() != escapedPath {
			u.RawPath = escapedPath
		}
	}
	// What http.NewRequestWithContext sets, without its parse of a URL
	// string. The literal stays on the stack: WithContext copies it.
	req := (&http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, 8), // the most a request of this client has: room from the start
		Host:       host,
	}).WithContext(ctx)
	return req, nil
}
