package hss

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

// Retry timing. A throttled call waits as long as Retry-After says; without
// it, the wait doubles from retryBase up to retryMax, with jitter.
const (
	retryBase = 200 * time.Millisecond
	retryMax  = 5 * time.Second
	// retryAfterMax bounds the Retry-After the client agrees to wait when the
	// context has no deadline.
	retryAfterMax = time.Minute
)

// do sends req with body, authenticated by auth (nil: none), and retries as
// the client's policy says. It returns the response of a 2xx answer, whose
// body the caller closes, or an error: *APIError for a 4xx or 5xx answer,
// *ValidationError never (checks run before), a wrapped transport or context
// error otherwise.
func (c *Client) do(ctx context.Context, op string, req *http.Request, body []byte, auth authenticator) (*http.Response, error) {
	var payloadHash string
	if auth != nil && auth.signsPayload() {
		payloadHash = signer.HashPayload(body)
	}
	req = req.WithContext(ctx)
	req.Header["User-Agent"] = []string{c.userAgent}
	if body != nil {
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		if auth != nil {
			if err := auth.authorize(ctx, c, req, payloadHash); err != nil {
				if ctx.Err() != nil {
					return nil, opError(op, err)
				}
				return nil, err // already names the IAM call that failed
			}
		}
		start := time.Now()
		resp, err := c.http.Do(req)
		c.logAttempt(ctx, op, req, attempt, resp, err, time.Since(start))
		if err != nil {
			if ctx.Err() == nil && attempt < c.maxAttempts && failedBeforeSending(err) {
				if werr := sleep(ctx, backoff(attempt)); werr != nil {
					return nil, opError(op, err)
				}
				continue
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
				discard(resp)
				if err := sleep(ctx, wait); err != nil {
					return nil, opError(op, err)
				}
				continue
			}
		}
		return nil, newAPIError(op, resp)
	}
}

// retryable says whether an answer is worth another attempt: throttling
// always; a gateway or availability error only for a GET, which repeats safely.
func retryable(status int, method string) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return method == http.MethodGet
	}
	return false
}

// retryWait is how long to wait before the next attempt: what Retry-After
// says (seconds or an HTTP date), or the backoff. ok is false when the
// server asks for more than retryAfterMax.
func retryWait(retryAfter string, attempt int, now time.Time) (time.Duration, bool) {
	if retryAfter == "" {
		return backoff(attempt), true
	}
	var d time.Duration
	if secs, err := strconv.Atoi(retryAfter); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(retryAfter); err == nil {
		d = t.Sub(now)
	} else {
		return backoff(attempt), true
	}
	if d < 0 {
		d = 0
	}
	return d, d <= retryAfterMax
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

// discard drains a little of an unwanted body, so the connection can be
// reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, maxErrorBody)
	_ = resp.Body.Close()
}

// logAttempt writes one debug record per attempt: never a header or a body,
// so never a secret.
func (c *Client) logAttempt(ctx context.Context, op string, req *http.Request, attempt int, resp *http.Response, err error, took time.Duration) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", op),
		slog.String("method", req.Method),
		slog.String("url", req.URL.Redacted()),
		slog.Int("attempt", attempt),
		slog.Duration("took", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", resp.Header.Get("X-Request-Id")))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "hss request", attrs...)
}
