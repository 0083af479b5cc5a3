package hss

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

// Retry timing. A throttled call waits as long as Retry-After says; without
// it, the wait doubles from retryBase up to retryMax, with jitter.
const (
	retryBase = 200 * time.Millisecond
	retryMax  = 5 * time.Second
	// retryAfterMax bounds the Retry-After the client agrees to wait, with
	// or without a deadline: a longer one returns the 429 (its RetryDelay
	// says when to come back) rather than hold the call for minutes.
	retryAfterMax = time.Minute
)

// maxIdleConnsPerHost is how many idle connections to one host the default
// transport keeps: enough for the goroutines a program typically shares one
// client between. net/http keeps 2, so that 64 goroutines sharing a client
// open a new connection for most requests and close it after.
const maxIdleConnsPerHost = 100

// defaultTransport is the transport of the clients configured without an
// HTTPClient: http.DefaultTransport's settings (proxy from the environment,
// timeouts, HTTP/2), keeping maxIdleConnsPerHost idle connections per host.
// It is shared, as http.DefaultTransport is, so that clients made one after
// another do not each keep a pool of their own.
//
// It is made on first use, so that a program that replaces
// http.DefaultTransport at the start of main (to trace it, say) has its
// transport's settings copied, or, when it is not an *http.Transport, used.
var defaultTransport = sync.OnceValue(newDefaultTransport)

func newDefaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport // replaced by the program: its choice
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	if t.MaxIdleConns < maxIdleConnsPerHost {
		t.MaxIdleConns = maxIdleConnsPerHost
	}
	return t
}

// do sends req with body, authenticated by auth (nil: none), and retries as
// the client's policy says. It returns the response of a 2xx answer, whose
// body the caller closes, or an error: *APIError for a 4xx or 5xx answer,
// *ValidationError never (checks run before), a wrapped transport or context
// error otherwise.
//
// headers are added to req's, with User-Agent and room for what auth sets.
// bodySecret is a secret that body carries (the password of an IAM token
// request; "" for none): like the secret headers' values, it is kept out
// of the *APIError of an answer that echoes the request.
func (c *Client) do(ctx context.Context, op string, req *http.Request, body []byte, bodySecret string, auth authenticator, headers ...header) (*http.Response, error) {
	var payloadHash string
	if auth != nil && auth.signsPayload() {
		payloadHash = signer.HashPayload(body)
	}
	if req.Context() != ctx {
		req = req.WithContext(ctx) // the requests built here already carry it
	}
	c.setHeaders(req.Header, auth, body != nil, headers)
	if body != nil {
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return newBody(body), nil }
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		if body != nil {
			req.Body = newBody(body)
		}
		if auth != nil {
			if err := auth.authorize(ctx, c, req, payloadHash); err != nil {
				if ctx.Err() != nil {
					return nil, opError(op, err)
				}
				return nil, err // already names the IAM call that failed
			}
		}
		logging := c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug)
		var start time.Time
		if logging {
			start = time.Now()
		}
		resp, err := c.sendOnce(req)
		if err != nil {
			// A redirect's URL (in the *url.Error of a refused or failed
			// one, and in net/http's text for a Location it cannot parse)
			// comes from the answer, which may echo a secret.
			var ue *url.Error
			if errors.As(err, &ue) {
				secrets := requestSecrets(req, bodySecret)
				ue.URL = redactText(ue.URL, secrets[:])
				if ue.Err != nil {
					if text := ue.Err.Error(); redactText(text, secrets[:]) != text {
						ue.Err = errors.New(redactText(text, secrets[:])) // its chain is net/http's, not the caller's
					}
				}
			}
		}
		if logging {
			c.logAttempt(ctx, op, req, bodySecret, attempt, resp, err, time.Since(start))
		}
		if err != nil {
			if ctx.Err() == nil && attempt < c.maxAttempts && failedBeforeSending(err) {
				// As for a 429: a wait that would pass the deadline is not
				// started; the dial's error is the answer, now.
				wait := backoff(attempt)
				if deadline, has := ctx.Deadline(); !has || time.Now().Add(wait).Before(deadline) {
					if werr := sleep(ctx, wait); werr != nil {
						// The context ended while waiting: say so (errors.Is
						// finds it), with the failure that made us wait.
						return nil, opError(op, fmt.Errorf("%w (while waiting to retry after: %w)", werr, err))
					}
					continue
				}
			}
			return nil, opError(op, err)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && !refreshed {
			if pa, ok := auth.(*passwordAuth); ok {
				// The token may have been revoked or expired early: renew it
				// once and try once more, outside the attempt budget.
				refreshed = true
				sent := req.Header.Get("X-Auth-Token")
				discard(resp)
				pa.tokens.invalidate(func(t iamToken) bool { return t.value == sent })
				attempt--
				continue
			}
		}
		if attempt < c.maxAttempts && retryable(resp.StatusCode, req.Method) {
			wait, ok := retryWait(resp.Header.Get("Retry-After"), attempt, time.Now())
			if deadline, has := ctx.Deadline(); ok && (!has || time.Now().Add(wait).Before(deadline)) {
				// Read now, which frees the connection; kept for a wait
				// that the context cuts short.
				answer := apiError(op, req, resp, bodySecret)
				if err := sleep(ctx, wait); err != nil {
					// Say so (errors.Is finds it), with the answer that made
					// us wait (errors.As finds it).
					return nil, opError(op, fmt.Errorf("%w (while waiting to retry after: %w)", err, answer))
				}
				continue
			}
		}
		return nil, apiError(op, req, resp, bodySecret)
	}
}

// requestID is resp's X-Request-Id, for support tickets, with the secrets
// of the request it answers (and bodySecret) redacted: an answer may echo
// them in any header. Only errors and debug records read it; a request id
// shorter than the secrets costs no redaction.
func requestID(req *http.Request, resp *http.Response, bodySecret string) string {
	secrets := requestSecrets(req, bodySecret)
	return redactText(resp.Header.Get("X-Request-Id"), secrets[:])
}

// secretHeaders are the request headers whose values are secrets (a token,
// a security token) that an answer, a log record or a redirect must not
// carry. (X-Subject-Token, sent with X-Auth-Token, has the same value.)
var secretHeaders = [...]string{"X-Auth-Token", signer.HeaderSecurityToken}

// requestSecrets are the secrets req carries, in its secretHeaders and in
// bodySecret, which errors must not show.
func requestSecrets(req *http.Request, bodySecret string) [len(secretHeaders) + 1]string {
	return [...]string{req.Header.Get(secretHeaders[0]), req.Header.Get(secretHeaders[1]), bodySecret}
}

// apiError is the *APIError of a 4xx or 5xx answer to req, with req's
// secrets redacted. The answer to a request whose body carries a secret
// (the IAM token request's password) keeps no Body beyond its error
// document's fields: a page that echoes the request may escape the password
// in a way no redaction foresees.
func apiError(op string, req *http.Request, resp *http.Response, bodySecret string) *APIError {
	secrets := requestSecrets(req, bodySecret)
	e := newAPIError(op, resp, secrets[:])
	if bodySecret != "" {
		e.Body = nil
	}
	return e
}

// sendOnce sends req once, as c.http.Do(req) would, following redirects
// as it does.
//
// For a client without a cookie jar or a timeout, http.Client.Do adds
// nothing to a request: it only prepares for what might come. It copies all
// of the request's headers before sending, in case the answer is a
// redirect, and (as the request names its Host) clones the URL for cookies:
// together about a tenth of the client's own work and a quarter of the
// memory it allocates per call. So such a client's requests go to the
// transport directly. A redirect, which HSS does not send but a proxy or
// gateway might, is handed to http.Client with the answer already in hand
// (answeredTransport), so it is followed by net/http's own rules and
// c.http's CheckRedirect (safeRedirects), exactly as before.
func (c *Client) sendOnce(req *http.Request) (*http.Response, error) {
	if c.direct == nil {
		return c.http.Do(req)
	}
	resp, err := c.direct.RoundTrip(req)
	if err == nil && resp == nil {
		// What http.Client says of such a transport, where this would panic.
		err = fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", c.direct)
	}
	if err == nil && resp.Body == nil && resp.ContentLength > 0 && req.Method != http.MethodHead {
		err = fmt.Errorf("http: RoundTripper implementation (%T) returned a *Response with content length %d but a nil Body", c.direct, resp.ContentLength)
	}
	if err != nil {
		// What http.Client makes of a transport error.
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) && string(rh.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch
		}
		return nil, &url.Error{Op: urlErrorOp(req.Method), URL: req.URL.Redacted(), Err: err}
	}
	if resp.Body == nil {
		resp.Body = http.NoBody // as http.Client guarantees
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		hc := *c.http
		hc.Transport = &answeredTransport{resp: resp, next: c.direct}
		return hc.Do(req)
	}
	return resp, nil
}

// answeredTransport answers its first request with resp, the answer
// sendOnce already received for it, and sends the next ones (the redirects
// http.Client follows) with next.
type answeredTransport struct {
	mu   sync.Mutex
	resp *http.Response
	next http.RoundTripper
}

func (t *answeredTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	resp := t.resp
	t.resp = nil
	t.mu.Unlock()
	if resp != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a transport closes the body it is given
		}
		return resp, nil
	}
	return t.next.RoundTrip(req)
}

// urlErrorOp is the Op of http.Client's *url.Error for a method: "Post"
// for POST.
func urlErrorOp(method string) string {
	switch method {
	case http.MethodGet:
		return "Get"
	case http.MethodPost:
		return "Post"
	case "":
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// header is one header of a request.
type header struct{ key, value string }

// setHeaders adds User-Agent, the JSON Content-Type when the request has a
// body (every body this client sends is JSON) and h has none, headers, and a
// one-value slot for each header auth sets (which it fills in place), to h,
// with one allocation for all the values: an HSS request has five or six
// headers, and a slice for each was a tenth of the allocations of a call.
func (c *Client) setHeaders(h http.Header, auth authenticator, jsonBody bool, headers []header) {
	var slots []string
	if auth != nil {
		slots = auth.slots()
	}
	vals := make([]string, 0, 2+len(headers)+len(slots))
	put := func(key, value string) {
		vals = append(vals, value)
		h[key] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	put("User-Agent", c.userAgent)
	if _, ok := h["Content-Type"]; jsonBody && !ok {
		put("Content-Type", "application/json")
	}
	for _, hd := range headers {
		put(hd.key, hd.value)
	}
	for _, key := range slots {
		if _, ok := h[key]; !ok {
			put(key, "")
		}
	}
}

// retryable says whether an answer is worth another attempt: throttling
// always; a server, gateway or availability error only for a GET (task
// status, download), which repeats safely: a failed poll would otherwise
// end an export whose task is still running.
func retryable(status int, method string) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return method == http.MethodGet
	}
	return false
}

// retryWait is how long to wait before the next attempt: what Retry-After
// says (seconds or an HTTP date), or the backoff. ok is false when the
// server asks for more than retryAfterMax.
func retryWait(retryAfter string, attempt int, now time.Time) (time.Duration, bool) {
	d, ok := parseRetryAfter(retryAfter, now)
	if !ok {
		return backoff(attempt), true // none, or one that cannot be read
	}
	if d > retryAfterMax {
		return retryAfterMax, false
	}
	return d, true
}

// backoff is retryBase doubled per attempt, capped at retryMax, with half of
// it random ("equal jitter") so that clients throttled together spread out.
func backoff(attempt int) time.Duration {
	d := retryBase << (attempt - 1)
	if d > retryMax || d <= 0 {
		d = retryMax
	}
	return d/2 + rand.N(d/2+1)
}

// failedBeforeSending says whether err means the request never left: the
// connection could not be made, so a retry cannot repeat its effect.
func failedBeforeSending(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newBody returns a request body reading payload. It must stay an
// io.NopCloser around a *bytes.Reader: net/http recognizes that as a body
// in memory and writes it with the headers in one system call; any other
// type has the headers flushed first, costing a second write per request.
func newBody(payload []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(payload)) }

// maxAnswer bounds the JSON answer of a successful call that the client
// reads: the answers of this API are a few hundred bytes.
const maxAnswer = 1 << 20

// buffers hold answers while they are read and decoded.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

// putBuffer returns a buffer to the pool, unless an unusually large answer
// grew it: the pool should not pin that memory.
func putBuffer(b *[]byte) {
	if cap(*b) <= 64<<10 {
		buffers.Put(b)
	}
}

// errLongAnswer is readAnswer's error for an answer longer than maxAnswer.
var errLongAnswer = fmt.Errorf("the answer is longer than %d bytes", maxAnswer)

// readFailure is the error of readAnswer on what, an answer to req ("the
// answer", "the token document"): an *AnswerError when it is longer than
// maxAnswer; else the transport's, wrapped with op, as reading failed part
// way (a connection cut, the context's end). bodySecret is the request's
// body secret (see unusableAnswer). An answer the decoder refuses is
// unusableAnswer's, "decoding" what.
func readFailure(op string, req *http.Request, resp *http.Response, bodySecret, what string, err error) error {
	if errors.Is(err, errLongAnswer) {
		return unusableAnswer(op, req, resp, bodySecret, "reading "+what, err)
	}
	var b strings.Builder
	b.WriteString("reading ")
	b.WriteString(what)
	writeAnswerNote(&b, resp.StatusCode, requestID(req, resp, bodySecret))
	return opError(op, fmt.Errorf("%s: %w", b.String(), err))
}

// unusableAnswer is the *AnswerError of op's answer resp to req: reason
// says what is wrong with it, err (nil: none) what refused it. A secret
// of the request (its token, its security token, bodySecret) that the
// answer echoed reads [REDACTED] in the request id, the reason and the
// error's text; an error whose text held one is replaced by its redacted
// text.
func unusableAnswer(op string, req *http.Request, resp *http.Response, bodySecret, reason string, err error) *AnswerError {
	secrets := requestSecrets(req, bodySecret)
	if err != nil {
		if text := redactText(err.Error(), secrets[:]); text != err.Error() {
			err = errors.New(text)
		}
	}
	return &AnswerError{Operation: op, StatusCode: resp.StatusCode, RequestID: redactText(resp.Header.Get("X-Request-Id"), secrets[:]),
		Reason: redactText(reason, secrets[:]), Err: err}
}

// readAnswer reads r to the end into buf's memory and returns what it read,
// or errLongAnswer when the answer is longer than maxAnswer.
func readAnswer(buf *[]byte, r io.Reader) ([]byte, error) {
	b := (*buf)[:0]
	if cap(b) < 512 {
		b = make([]byte, 0, 512)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		*buf = b
		if len(b) > maxAnswer {
			return nil, errLongAnswer
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// discard drains a little of an unwanted body, so the connection can be
// reused, and closes it.
func discard(resp *http.Response) {
	buf := getBuffer()
	b := *buf
	if cap(b) < 512 {
		b = make([]byte, 512)
		*buf = b
	}
	b = b[:cap(b)]
	for n := 0; n < maxErrorBody; {
		m, err := resp.Body.Read(b)
		n += m
		if err != nil {
			break
		}
	}
	putBuffer(buf)
	_ = resp.Body.Close()
}

// logAttempt writes one debug record per attempt: never a header but the
// answer's request id, never a body, and no secret of the request (see
// requestID). do calls it only when the logger is enabled for debug
// records, so that a call without logging does not read the clock for it.
func (c *Client) logAttempt(ctx context.Context, op string, req *http.Request, bodySecret string, attempt int, resp *http.Response, err error, took time.Duration) {
	attrs := []slog.Attr{
		slog.String("op", op),
		slog.String("method", req.Method),
		slog.String("url", req.URL.Redacted()),
		slog.Int("attempt", attempt),
		slog.Duration("took", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", requestID(req, resp, bodySecret)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "hss request", attrs...)
}
