package hss

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
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
	// RequestID is the X-Request-Id response header, for support tickets.
	RequestID string
	// RetryAfter is the Retry-After response header, when there was one.
	RetryAfter string
	// Body is the raw response body (at most 4 KiB) when it was not an
	// error document of a known shape.
	Body []byte
}

// Error reads "hss: ExportEvents: 400 Bad Request: HSS.1001: message (request id abc)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("hss: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
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

// maxErrorBody bounds how much of an error response is read and kept.
const maxErrorBody = 4 << 10

// newAPIError reads and closes resp.Body and returns the error it describes.
func newAPIError(op string, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	e := decodeAPIError(resp.StatusCode, body)
	e.Operation = op
	e.RequestID = resp.Header.Get("X-Request-Id")
	e.RetryAfter = resp.Header.Get("Retry-After")
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
		Error     *struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &doc); err == nil {
		e.Code, e.Message = doc.ErrorCode, doc.ErrorMsg
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
		e.Body = body
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

// opError wraps a failure that is not an answer of the service (transport,
// decoding) with the operation's name.
func opError(op string, err error) error {
	return fmt.Errorf("hss: %s: %w", op, err)
}
