package hss

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// APIError is a 4xx or 5xx answer from HSS, its API gateway or IAM. Use
// errors.As to reach it:
//
//	var apiErr *hss.APIError
//	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound { ... }
type APIError struct {
	// Operation is the call that failed, such as "ExportEvents".
	Operation string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the service's error code, such as "HSS.1001" or "APIGW.0301".
	Code string
	// Message is the service's error message.
	Message string
	// RequestID is the X-Request-Id response header, for support tickets,
	// or the error document's request_id when the header is missing.
	RequestID string
	// RetryAfter is the Retry-After response header, when there was one.
	RetryAfter string
	// Body is the response body (at most 4 KiB) when it was not an error
	// document of a known shape; none for the IAM token call, whose request
	// carries the password. A token of the request that the answer echoes
	// reads [REDACTED] here, as in the other fields.
	Body []byte
}

// Error reads "hss: ExportEvents: 400 Bad Request: HSS.1001: message (request id abc)".
func (e *APIError) Error() string {
	var b strings.Builder
	writeOperation(&b, e.Operation)
	writeStatus(&b, e.StatusCode)
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if len(e.Body) > 0 {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(string(e.Body)))
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// writeOperation starts an error's text: "hss: " and the operation's name.
func writeOperation(b *strings.Builder, op string) {
	b.WriteString("hss: ")
	if op != "" {
		b.WriteString(op)
		b.WriteString(": ")
	}
}

// writeAnswerNote writes what identifies an answer, " (status 200 OK,
// request id "abc")", leaving out what is unknown (status 0, id "").
func writeAnswerNote(b *strings.Builder, status int, requestID string) {
	if status == 0 && requestID == "" {
		return
	}
	b.WriteString(" (")
	if status != 0 {
		b.WriteString("status ")
		writeStatus(b, status)
	}
	if requestID != "" {
		if status != 0 {
			b.WriteString(", ")
		}
		b.WriteString("request id ")
		b.WriteString(strconv.Quote(requestID))
	}
	b.WriteByte(')')
}

// writeStatus writes an HTTP status as "404 Not Found".
func writeStatus(b *strings.Builder, code int) {
	b.WriteString(strconv.Itoa(code))
	if t := http.StatusText(code); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
}

// redacted stands in an error for a secret that an answer echoed.
const redacted = "[REDACTED]"

// secretForms are the forms in which an answer may echo a secret of the
// request it refused: as sent; as encoding/json writes it inside a string
// (how a request body carries it), and that with its slashes escaped too;
// HTML-escaped (an error page); and URL-escaped (a query, a Location).
// Longest first, so that a longer form is not left half replaced.
func secretForms(sec string) []string {
	forms := []string{sec, html.EscapeString(sec), url.QueryEscape(sec), url.PathEscape(sec)}
	if j, err := json.Marshal(sec); err == nil {
		js := string(j[1 : len(j)-1])
		forms = append(forms, js, strings.ReplaceAll(js, "/", `\/`))
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(forms)
}

// redactString returns s with every form of each secret (those "" aside)
// replaced by redacted.
func redactString(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec == "" || len(sec) > len(s) {
			continue // every form is at least as long as sec
		}
		for _, f := range secretForms(sec) {
			s = strings.ReplaceAll(s, f, redacted)
		}
	}
	return s
}

// redactText is s, a text an answer may have echoed (a field of an error,
// a request id, a URL), with secrets redacted: their forms replaced
// (redactString), or s redacted whole when it still carries one in an
// escape of its own (carriesEscaped).
func redactText(s string, secrets []string) string {
	if s = redactString(s, secrets); carriesEscaped(s, secrets) {
		return redacted
	}
	return s
}

// carriesEscaped says whether text, with its secrets' forms already
// redacted, still carries one of them once unescaped: as HTML, as URL
// escapes (of either case, a stray '%' aside), or as JSON escapes, in a
// JSON document or not (an encoder may escape any character, "+" as
// \u002B, say).
func carriesEscaped(text string, secrets []string) bool {
	if !slices.ContainsFunc(secrets, func(sec string) bool { return sec != "" && len(sec) <= len(text) }) {
		return false // unescaping only shortens a text
	}
	variants := []string{html.UnescapeString(text), percentDecode(text), jsonDecode(text)}
	var doc any
	if json.Unmarshal([]byte(text), &doc) == nil {
		var b strings.Builder
		collectJSONStrings(&b, doc)
		variants = append(variants, b.String())
	}
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, v := range variants {
			if strings.Contains(v, sec) {
				return true
			}
		}
	}
	return false
}

// percentDecode decodes each valid %XX escape of s (either case), leaving
// the rest as it is: a stray '%' does not stop the others being read.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// jsonDecode decodes each valid JSON string escape of s (\uXXXX, surrogate
// pairs included, and \/ \" \\ \b \f \n \r \t), leaving the rest as it is.
func jsonDecode(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			b.WriteByte(c)
			i++
		case 'b', 'f', 'n', 'r', 't':
			b.WriteByte("\b\f\n\r\t"[strings.IndexByte("bfnrt", c)])
			i++
		case 'u':
			r, n := jsonRune(s[i:])
			if n == 0 {
				b.WriteByte(s[i])
				continue
			}
			b.WriteRune(r)
			i += n - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// jsonRune reads \uXXXX (and a low surrogate's \uXXXX after a high one) at
// the start of s: the rune and the bytes read, 0 when there is none.
func jsonRune(s string) (rune, int) {
	r1, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r1) {
		if r2, ok := hex4(s[6:]); ok {
			if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
				return r, 12
			}
		}
	}
	return r1, 6
}

func hex4(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		if !ishex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, true
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// collectJSONStrings writes every string in a decoded JSON value, keys
// included, to b, one per line.
func collectJSONStrings(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(v)
		b.WriteByte('\n')
	case []any:
		for _, x := range v {
			collectJSONStrings(b, x)
		}
	case map[string]any:
		for k, x := range v {
			b.WriteString(k)
			b.WriteByte('\n')
			collectJSONStrings(b, x)
		}
	}
}

// redact redacts the secrets (redactText) in e's fields that were decoded
// from the answer or read from its headers (Code, Message, RequestID,
// RetryAfter): an error page of a proxy or gateway may echo the request it
// refused, with the password or token that request carried, and an error
// never shows a secret. newAPIError redacts the body itself.
func (e *APIError) redact(secrets []string) {
	for _, f := range []*string{&e.Code, &e.Message, &e.RequestID, &e.RetryAfter} {
		*f = redactText(*f, secrets)
	}
}

// RetryDelay is how long the service asked to wait before trying again:
// RetryAfter read as seconds or as an HTTP date (counted from now). ok is
// false when there was no Retry-After or it is neither. The client itself
// retries a throttled call only within a minute (and the context's
// deadline); past that it returns the *APIError, and this says when to
// come back.
func (e *APIError) RetryDelay(now time.Time) (d time.Duration, ok bool) {
	return parseRetryAfter(e.RetryAfter, now)
}

// parseRetryAfter reads a Retry-After value: seconds, or an HTTP date
// counted from now. A time in the past is 0; a number of seconds too large
// for a Duration is its maximum.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		switch {
		case secs <= 0:
			return 0, true
		case secs > int64(math.MaxInt64/time.Second):
			return math.MaxInt64, true // and secs * time.Second would overflow
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// maxErrorDoc bounds how much of an error response is read and decoded: an
// error document is small, but a 403 may carry a long
// encoded_authorization_message beside its code and message.
const maxErrorDoc = 64 << 10

// maxErrorBody bounds how much of an error response that is not an error
// document is kept in APIError.Body.
const maxErrorBody = 4 << 10

// newAPIError reads and closes resp.Body and returns the error it describes,
// with the request's secrets redacted: in the body as read, before it is
// decoded or cut to maxErrorBody, so that no part of a secret stays at the
// cut (and the body dropped when it still carries one in an escape of its
// own), and in what was decoded from it and from the headers (redact).
// The request id is the X-Request-Id header's, or the document's request_id
// when the header is missing.
func newAPIError(op string, resp *http.Response, secrets []string) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorDoc))
	_ = resp.Body.Close()
	text := redactString(string(body), secrets)
	e := decodeAPIError(resp.StatusCode, []byte(text))
	if len(e.Body) > 0 && carriesEscaped(text, secrets) {
		e.Body = nil // a secret in an escape no form names: keep none of it
	}
	e.Operation = op
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		e.RequestID = id
	}
	e.RetryAfter = resp.Header.Get("Retry-After")
	e.redact(secrets)
	return e
}

// decodeAPIError understands both error shapes the service and its gateways
// answer with: {"error_code","error_msg"} and {"error":{"code","message"}}.
// A body of neither shape is kept raw.
func decodeAPIError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	var doc struct {
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
		RequestID string `json:"request_id"`
		Error     *struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &doc); err == nil {
		e.Code, e.Message, e.RequestID = doc.ErrorCode, doc.ErrorMsg, doc.RequestID
		if doc.Error != nil {
			if e.Code == "" {
				e.Code = rawCode(doc.Error.Code)
			}
			if e.Message == "" {
				e.Message = doc.Error.Message
			}
		}
	}
	if e.Code == "" && e.Message == "" && len(body) > 0 {
		e.Body = bytes.Clone(body[:min(len(body), maxErrorBody)]) // not the whole 64 KiB read
	}
	return e
}

// rawCode accepts a code sent as a JSON string or number (IAM sends numbers).
func rawCode(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// AnswerError is an answer that the client cannot use although its status
// was not an error: a body that does not decode, a 2xx without what the
// operation needs (a task id, a token, a file's length), a task in a state
// the spec does not name. Use errors.As to reach it:
//
//	var bad *hss.AnswerError
//	if errors.As(err, &bad) { log.Print(bad.Operation, bad.RequestID) }
//
// The request reached the service, which may have acted on it: an export
// answered without a task id may still have started one, so sending the
// call again may repeat what it did.
type AnswerError struct {
	// Operation is the call whose answer it was, such as "ExportEvents".
	Operation string
	// StatusCode is the answer's HTTP status; 0 when what is wrong was
	// found after the answer had been decoded and handed on (a task's
	// state, an export's task id).
	StatusCode int
	// RequestID is the X-Request-Id response header, for support tickets;
	// "" when the answer had none, or as for StatusCode 0.
	RequestID string
	// Reason says what is wrong with the answer. A secret of the request
	// that the answer echoed reads [REDACTED] here, in RequestID and in
	// Err's text, as in an *APIError.
	Reason string
	// Err is the error under Reason, such as a JSON decoding error, or nil.
	// When its text held a secret of the request, it is replaced by an
	// error of its redacted text, which errors.As no longer sees through.
	Err error
}

// Error reads "hss: ExportEvents: decoding the answer (status 200 OK,
// request id "abc"): unexpected end of JSON input".
func (e *AnswerError) Error() string {
	var b strings.Builder
	writeOperation(&b, e.Operation)
	b.WriteString(e.Reason)
	writeAnswerNote(&b, e.StatusCode, e.RequestID)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *AnswerError) Unwrap() error { return e.Err }

// opError wraps a failure that is not an answer of the service (the
// transport's, building the request) with the operation's name.
func opError(op string, err error) error {
	return fmt.Errorf("hss: %s: %w", op, err)
}
