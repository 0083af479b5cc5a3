package hss

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// outgoing is the memory of one request: the request, its URL, its header
// map and values, its JSON body and the reader that sends it. A call keeps
// them in one allocation, and a client on its own transport (Config
// without an HTTPClient) gives them to its next call once net/http is done
// with them (release), so that a call allocates little beyond what
// net/http itself allocates: fewer collections, and less work per call.
//
// net/http says when that is. A RoundTripper "may read fields of the
// request in a separate goroutine. Callers should not mutate or reuse the
// request until the Response's Body has been closed", and its body "even
// after RoundTrip returns", until the transport closes it. net/http's HTTP/1
// transport writes the request, headers then body, in one goroutine, then
// calls the httptrace hook WroteRequest: the outgoing's hook records a
// write that succeeded in an atomic, so a call that finds it set knows that
// the writer is done with the request, body and headers alike (the
// transport's reader goroutine is done with it once the answer's body is
// closed). The body stays an io.NopCloser around a *bytes.Reader, which
// net/http recognizes as memory and sends with the headers in one system
// call (TestOneWritePerRequest); a body of our own type would cost a
// second. So an outgoing is reused only when
//
//   - the client's transport is its own *http.Transport, whose behaviour is
//     known (a program's RoundTripper may keep requests, as a test recorder
//     does), and the call's context carries no httptrace of the program's;
//   - the answer came over HTTP/1 (the HTTP/2 transport finishes a stream in
//     goroutines of its own);
//   - the last attempt's request was written whole, and no body was made by
//     GetBody (which the transport calls to resend on a new connection, and
//     whose readers are not tracked);
//   - no redirect was followed (http.Client made requests of its own);
//   - the call succeeded and its answer's body was closed.
//
// Anything else leaves it to the garbage collector, as every request was
// before.
type outgoing struct {
	req     http.Request
	url     url.URL
	header  http.Header
	vals    [8]string // the header values (setHeaders); one slot each
	payload []byte    // the JSON body; nil for none
	reader  bytes.Reader
	body    io.ReadCloser          // io.NopCloser(&reader), made once
	trace   *httptrace.ClientTrace // made once, on first reuse; WroteRequest sets wrote
	sent    bool                   // an attempt was made
	wrote   atomic.Bool
	spoiled atomic.Bool // net/http may still hold memory of this request

	getBody func() (io.ReadCloser, error) // made once
}

// outgoings keeps outgoing values between calls of clients that reuse them.
var outgoings = sync.Pool{New: func() any { return new(outgoing) }}

// maxPooledPayload bounds the body buffer kept for the next call: an
// unusually large request (a long whitelist) should not pin its memory.
const maxPooledPayload = 64 << 10

// newOutgoing returns the memory for a request: reused when the client
// reuses it, new otherwise.
func (c *Client) newOutgoing() *outgoing {
	if c.reuse {
		return outgoings.Get().(*outgoing)
	}
	return new(outgoing)
}

// release gives o to a later call when nothing can read it any more (see
// outgoing), and says whether it did. resp is the call's answer, whose body
// the caller has closed.
func (c *Client) release(o *outgoing, resp *http.Response) bool {
	if !c.reuse || o.spoiled.Load() || !o.wrote.Load() || resp == nil || resp.ProtoMajor != 1 ||
		cap(o.payload) > maxPooledPayload {
		return false
	}
	// Forget the call (its context, strings and headers) but keep the
	// memory: the header map's table, the body buffer, GetBody.
	o.req = http.Request{}
	o.url = url.URL{}
	clear(o.header)
	o.vals = [len(o.vals)]string{}
	o.payload = o.payload[:0]
	o.reader.Reset(nil)
	o.sent = false
	o.wrote.Store(false)
	outgoings.Put(o)
	return true
}

// forRequest makes an outgoing of a request built elsewhere (the IAM
// calls), with body as its payload (nil for none). It is never reused.
func forRequest(req *http.Request, body []byte) *outgoing {
	o := &outgoing{payload: body}
	o.req = *req
	o.spoiled.Store(true)
	return o
}

// init builds the request of an HSS operation to target (which one of the
// ...Target functions built) on endpoint, bound to ctx, in o. Its headers,
// Content-Type among them, and body are added by do; the body it sends is
// o.payload.
//
// Nothing is parsed: the parts of the URL are known. They are set as
// url.Parse would set them from endpoint+target: the escaped path as
// RawPath only when it is not the path's default encoding, and the host
// without an empty port, as http.NewRequest sets it.
func (o *outgoing) init(ctx context.Context, method, endpoint, target string) (*http.Request, error) {
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
	o.url = url.URL{Scheme: scheme, Host: host, Path: escapedPath, RawQuery: query}
	// Without a '%', the path is as sent: the targets escape everything a
	// path escapes (url.PathEscape escapes more), so the default encoding
	// of the path is the path itself and RawPath stays empty.
	if strings.IndexByte(escapedPath, '%') >= 0 {
		var err error
		if o.url.Path, err = url.PathUnescape(escapedPath); err != nil {
			return nil, fmt.Errorf("building the request: %w", err)
		}
		if o.url.EscapedPath() != escapedPath {
			o.url.RawPath = escapedPath
		}
	}
	if o.header == nil {
		o.header = make(http.Header, len(o.vals)) // the most a request of this client has: room from the start
	}
	// What http.NewRequestWithContext sets, without its parse of a URL
	// string. WithContext is the only way to set the context; its copy
	// stays on the stack.
	o.req = *(&http.Request{
		Method:     method,
		URL:        &o.url,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     o.header,
		Host:       host,
	}).WithContext(ctx)
	return &o.req, nil
}

// watch returns ctx with o's WroteRequest hook, which records that the
// transport has written the request; o is not reused when ctx already
// traces the requests (joining our hook to the program's would change the
// program's ClientTrace).
func (o *outgoing) watch(ctx context.Context) context.Context {
	if httptrace.ContextClientTrace(ctx) != nil {
		o.spoiled.Store(true)
		return ctx
	}
	if o.trace == nil {
		// Made once and never written again: a dial the transport started
		// for this request may read it after the call. (WithClientTrace
		// writes to it only to join a trace already in the context.)
		o.trace = &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err != nil {
				o.spoiled.Store(true)
				return
			}
			o.wrote.Store(true)
		}}
	}
	return httptrace.WithClientTrace(ctx, o.trace)
}

// startAttempt prepares o for an attempt: after an attempt whose request
// the transport has not confirmed written whole, o is not reused (the
// attempt's writer may still read it).
func (o *outgoing) startAttempt() {
	if o.sent && !o.wrote.Load() {
		o.spoiled.Store(true)
	}
	o.sent = true
	o.wrote.Store(false)
}

// nextBody is the body of an attempt: o's own reader, rewound, unless o may
// still be read by an earlier attempt; a new reader then.
func (o *outgoing) nextBody() io.ReadCloser {
	if o.spoiled.Load() {
		return newBody(o.payload)
	}
	o.reader.Reset(o.payload)
	if o.body == nil {
		o.body = io.NopCloser(&o.reader)
	}
	return o.body
}

// bodyFunc is the request's GetBody: a new reader of the payload, after
// which o is not reused. It is made once per outgoing.
func (o *outgoing) bodyFunc() func() (io.ReadCloser, error) {
	if o.getBody == nil {
		o.getBody = func() (io.ReadCloser, error) {
			o.spoiled.Store(true)
			return newBody(o.payload), nil
		}
	}
	return o.getBody
}
