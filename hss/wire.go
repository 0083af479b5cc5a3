package hss

// Hand-written JSON for the hot request and answer bodies.
//
// Benchmarks showed encoding/json's reflection to be a major part of the
// client's own CPU per call: json.Marshal of the export columns and of the
// operate body, and json.Unmarshal of the export answer. The functions here
// produce, without reflection, exactly what encoding/json produces for these
// types; wire_test.go proves it with table tests, fuzz targets and a
// reflect-driven random generator that fails when gen grows a field that the
// encoders below do not know.

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// wireSafe[b] is true for the bytes that encoding/json copies into a string
// unchanged with its default HTML escaping: ASCII 0x20..0x7f except '"', '\\',
// '<', '>' and '&'. Bytes >= 0x80 are false: they need a UTF-8 check.
var wireSafe = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range `"\<>&` {
		t[b] = false
	}
	return t
}()

const wireHex = "0123456789abcdef"

// appendJSONString appends s as a JSON string, byte for byte as
// json.Marshal(s) writes it (with its default HTML escaping): '"' and '\\'
// backslash-escaped; \b, \f, \n, \r and \t in their short forms; the other
// bytes below 0x20 and '<', '>', '&' as \u00XX (lower-case hex); U+2028 and
// U+2029 as \u2028 and \u2029; each byte of invalid UTF-8 as \ufffd. 0x7f and
// other valid UTF-8 are copied unchanged.
//
// It exists for speed: encoding/json's reflection was measured as a major part
// of the client's per-call CPU. Runs of safe ASCII are copied with one append.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if wireSafe[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other controls, '<', '>', '&'
				dst = append(dst, '\\', 'u', '0', '0', wireHex[b>>4], wireHex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			// As encoding/json (v1) writes it. Built with
			// GOEXPERIMENT=jsonv2, encoding/json writes a raw U+FFFD
			// instead: the same string once decoded, but not the same
			// bytes, and the byte-for-byte tests of wire_test.go fail.
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', wireHex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendExportColumnsJSON appends cols byte for byte as json.Marshal(cols)
// writes it: a nil list or a nil column is null, an empty one is [].
//
// It exists for speed: encoding/json's reflection was measured as a major part
// of the client's per-call CPU.
func appendExportColumnsJSON(dst []byte, cols ExportColumns) []byte {
	if cols == nil {
		return append(dst, "null"...)
	}
	// One growth up front: the size without escapes.
	n := 2
	for _, col := range cols {
		n += 5
		for _, s := range col {
			n += len(s) + 3
		}
	}
	dst = slices.Grow(dst, n)
	dst = append(dst, '[')
	for i, col := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		if col == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = append(dst, '[')
		for j, s := range col {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, s)
		}
		dst = append(dst, ']')
	}
	return append(dst, ']')
}

// appendOperateEventsRequestJSON appends r byte for byte as json.Marshal(r)
// writes it, for every value: a nil r is null; fields in struct order; an
// omitempty pointer is left out only when nil (so a non-nil pointer to a nil
// rule list gives "event_white_rule_list":null); slices without omitempty
// (operate_event_list, operate_detail_list) are null when nil; strings as
// appendJSONString.
//
// It exists for speed: encoding/json's reflection was measured as a major part
// of the client's per-call CPU. A field added to gen must be added here too;
// TestAppendOperateEventsRequestJSONRandom fails until it is.
func appendOperateEventsRequestJSON(dst []byte, r *OperateEventsRequest) []byte {
	if r == nil {
		return append(dst, "null"...)
	}
	dst = slices.Grow(dst, operateSizeHint(r))
	dst = append(dst, '{')
	if r.EventWhiteRuleList != nil {
		dst = append(dst, `"event_white_rule_list":`...)
		dst = appendJSONArray(dst, *r.EventWhiteRuleList, appendEventWhiteRuleJSON)
		dst = append(dst, ',')
	}
	if r.Handler != nil {
		dst = append(dst, `"handler":`...)
		dst = appendJSONString(dst, *r.Handler)
		dst = append(dst, ',')
	}
	dst = append(dst, `"operate_event_list":`...)
	dst = appendJSONArray(dst, r.OperateEventList, appendOperateEventJSON)
	dst = append(dst, `,"operate_type":`...)
	dst = appendJSONString(dst, string(r.OperateType))
	return append(dst, '}')
}

// operateSizeHint is about the size of r's JSON without escapes, so that
// appendOperateEventsRequestJSON grows its buffer once.
func operateSizeHint(r *OperateEventsRequest) int {
	n := 64 + len(r.OperateType)
	if r.Handler != nil {
		n += 12 + len(*r.Handler)
	}
	if r.EventWhiteRuleList != nil {
		n += 26
		for i := range *r.EventWhiteRuleList {
			w := &(*r.EventWhiteRuleList)[i]
			n += 75 + len(w.FieldKey) + len(w.FieldValue) + len(w.JudgeType)
		}
	}
	for i := range r.OperateEventList {
		e := &r.OperateEventList[i]
		n += 120 + len(e.EventClassId) + len(e.EventId)
		for j := range e.OperateDetailList {
			n += 2 + eventDetailSizeHint(&e.OperateDetailList[j])
		}
	}
	return n
}

func eventDetailSizeHint(d *EventDetail) int {
	n := 2
	for _, p := range [...]*string{d.AgentId, d.ContainerId, d.ContainerName, d.FileAttr, d.FileHash, d.FilePath, d.Hash, d.Keyword, d.LoginIp, d.LoginUserName, d.PrivateIp} {
		if p != nil {
			n += 20 + len(*p)
		}
	}
	if d.ProcessPid != nil {
		n += 26
	}
	return n
}

// appendEventWhiteRuleJSON appends a rule as json.Marshal does (no omitempty).
// appendJSONArray appends list as a JSON array of its elements, each
// appended by elem; a nil list is null, as encoding/json writes it.
func appendJSONArray[T any](dst []byte, list []T, elem func([]byte, *T) []byte) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = elem(dst, &list[i])
	}
	return append(dst, ']')
}

func appendEventWhiteRuleJSON(dst []byte, w *EventWhiteRule) []byte {
	dst = append(dst, `{"event_type":`...)
	dst = strconv.AppendInt(dst, int64(w.EventType), 10)
	dst = append(dst, `,"field_key":`...)
	dst = appendJSONString(dst, w.FieldKey)
	dst = append(dst, `,"field_value":`...)
	dst = appendJSONString(dst, w.FieldValue)
	dst = append(dst, `,"judge_type":`...)
	dst = appendJSONString(dst, string(w.JudgeType))
	return append(dst, '}')
}

// appendOperateEventJSON appends an event as json.Marshal does (no omitempty:
// a nil detail list is null).
func appendOperateEventJSON(dst []byte, e *OperateEvent) []byte {
	dst = append(dst, `{"event_class_id":`...)
	dst = appendJSONString(dst, e.EventClassId)
	dst = append(dst, `,"event_id":`...)
	dst = appendJSONString(dst, e.EventId)
	dst = append(dst, `,"event_type":`...)
	dst = strconv.AppendInt(dst, int64(e.EventType), 10)
	dst = append(dst, `,"occur_time":`...)
	dst = strconv.AppendInt(dst, e.OccurTime, 10)
	dst = append(dst, `,"operate_detail_list":`...)
	dst = appendJSONArray(dst, e.OperateDetailList, appendEventDetailJSON)
	return append(dst, '}')
}

// appendEventDetailJSON appends a detail as json.Marshal does: every field is
// an omitempty pointer, left out when nil, so an all-nil detail is {}.
func appendEventDetailJSON(dst []byte, d *EventDetail) []byte {
	dst = append(dst, '{')
	dst = appendOptJSONString(dst, `"agent_id":`, d.AgentId)
	dst = appendOptJSONString(dst, `"container_id":`, d.ContainerId)
	dst = appendOptJSONString(dst, `"container_name":`, d.ContainerName)
	dst = appendOptJSONString(dst, `"file_attr":`, d.FileAttr)
	dst = appendOptJSONString(dst, `"file_hash":`, d.FileHash)
	dst = appendOptJSONString(dst, `"file_path":`, d.FilePath)
	dst = appendOptJSONString(dst, `"hash":`, d.Hash)
	dst = appendOptJSONString(dst, `"keyword":`, d.Keyword)
	dst = appendOptJSONString(dst, `"login_ip":`, d.LoginIp)
	dst = appendOptJSONString(dst, `"login_user_name":`, d.LoginUserName)
	dst = appendOptJSONString(dst, `"private_ip":`, d.PrivateIp)
	if d.ProcessPid != nil {
		dst = append(dst, `"process_pid":`...)
		dst = strconv.AppendInt(dst, int64(*d.ProcessPid), 10)
		dst = append(dst, ',')
	}
	// Each present field ended with ','; the last one becomes the '}'.
	if dst[len(dst)-1] == ',' {
		dst[len(dst)-1] = '}'
		return dst
	}
	return append(dst, '}')
}

// appendOptJSONString appends key (`"name":`), *p and a ',' when p is not nil.
func appendOptJSONString(dst []byte, key string, p *string) []byte {
	if p == nil {
		return dst
	}
	dst = append(dst, key...)
	dst = appendJSONString(dst, *p)
	return append(dst, ',')
}

// decodeExportEventsResult decodes an export answer into out with exactly the
// result of json.Unmarshal(data, out): the same values, the same error, the
// same partial fill, and the same reuse of pointers already set in out.
//
// It exists for speed: encoding/json's reflection was measured as a major part
// of the client's per-call CPU, and the answer is almost always the flat
// {"record_total_num":123,"task_id":"task-1"}. A fast path decodes that shape:
// JSON whitespace anywhere, the two keys (exact lower case) in either order,
// each at most once (either may be absent), an integer in JSON grammar
// (-?(0|[1-9][0-9]*)) that fits int32, and a string of bytes 0x20..0x7f other
// than '"' and '\\'. Anything else (another key, a case variant, escapes,
// non-ASCII, null, fractions, exponents, duplicates, nesting, trailing data,
// empty input, a nil out ...) is handed to json.Unmarshal.
func decodeExportEventsResult(data []byte, out *ExportEventsResult) error {
	if out != nil && fastDecodeExportEventsResult(data, out) {
		return nil
	}
	return json.Unmarshal(data, out)
}

// exportEventsResultValues holds both values of an answer so that one
// allocation backs both of ExportEventsResult's pointers.
type exportEventsResultValues struct {
	n int32
	s string
}

// fastDecodeExportEventsResult is decodeExportEventsResult's fast path. It
// reports whether it decoded data; when it did not, out is unchanged.
func fastDecodeExportEventsResult(data []byte, out *ExportEventsResult) bool {
	const (
		numKey = "record_total_num"
		strKey = "task_id"
	)
	var (
		n            int64
		s            []byte
		haveN, haveS bool
		i            = wireSkipSpace(data, 0)
		isNum        bool
	)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = wireSkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			// Key.
			if i >= len(data) || data[i] != '"' {
				return false
			}
			k := i + 1
			j := k
			for j < len(data) && data[j] != '"' {
				j++
			}
			if j >= len(data) {
				return false
			}
			switch key := data[k:j]; string(key) {
			case numKey:
				if haveN {
					return false
				}
				haveN, isNum = true, true
			case strKey:
				if haveS {
					return false
				}
				haveS, isNum = true, false
			default:
				return false
			}
			i = wireSkipSpace(data, j+1)
			if i >= len(data) || data[i] != ':' {
				return false
			}
			i = wireSkipSpace(data, i+1)
			if i >= len(data) {
				return false
			}
			// Value.
			if isNum {
				neg := data[i] == '-'
				if neg {
					i++
				}
				d := i
				if i < len(data) && data[i] == '0' {
					i++
				} else {
					for i < len(data) && '0' <= data[i] && data[i] <= '9' && i-d < 11 {
						n = n*10 + int64(data[i]-'0')
						i++
					}
				}
				if i == d || i-d > 10 {
					return false
				}
				if neg {
					n = -n
				}
				if n < -1<<31 || n > 1<<31-1 {
					return false
				}
			} else {
				if data[i] != '"' {
					return false
				}
				v := i + 1
				j := v
				for j < len(data) && data[j] >= 0x20 && data[j] < utf8.RuneSelf && data[j] != '"' && data[j] != '\\' {
					j++
				}
				if j >= len(data) || data[j] != '"' {
					return false
				}
				s = data[v:j]
				i = j + 1
			}
			// ',' or '}'.
			i = wireSkipSpace(data, i)
			if i >= len(data) {
				return false
			}
			if data[i] == '}' {
				i++
				break
			}
			if data[i] != ',' {
				return false
			}
			i = wireSkipSpace(data, i+1)
		}
	}
	if wireSkipSpace(data, i) != len(data) {
		return false
	}

	// Commit, as json.Unmarshal would: write through pointers already set,
	// allocate the others.
	if haveN && haveS && out.RecordTotalNum == nil && out.TaskId == nil {
		v := &exportEventsResultValues{n: int32(n), s: string(s)}
		out.RecordTotalNum, out.TaskId = &v.n, &v.s
		return true
	}
	if haveN {
		if out.RecordTotalNum == nil {
			out.RecordTotalNum = new(int32)
		}
		*out.RecordTotalNum = int32(n)
	}
	if haveS {
		if out.TaskId == nil {
			out.TaskId = new(string)
		}
		*out.TaskId = string(s)
	}
	return true
}

// wireSkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (space, \t, \n, \r).
func wireSkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
