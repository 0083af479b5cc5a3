package hss

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

// authenticator puts credentials on one attempt of a request.
type authenticator interface {
	// authorize adds the credentials to req. payloadHash is the hex SHA-256
	// of the body, computed only when signsPayload says it is needed.
	authorize(ctx context.Context, c *Client, req *http.Request, payloadHash string) error
	signsPayload() bool
	// slots are the headers authorize sets: do makes room for them with
	// the request's other headers, and authorize fills them in place.
	slots() []string
}

// The slots of the authenticators. The signer sets X-Sdk-Date and
// Authorization itself, in fresh slices (it never writes into a slice that
// might be shared), so they need none.
var (
	signedSlots      []string
	signedTokenSlots = []string{signer.HeaderSecurityToken}
	authTokenSlots   = []string{"X-Auth-Token"}
)

// setHeader sets one value of h, in place when h has a one-value slice for
// it (a slot do made, or the value of an earlier attempt: the request is
// the client's own, built for the call, so no one else holds its slices).
func setHeader(h http.Header, key, value string) {
	if v := h[key]; len(v) == 1 {
		v[0] = value
		return
	}
	h[key] = []string{value}
}

// accessKeyAuth signs each attempt with SDK-HMAC-SHA256.
type accessKeyAuth struct {
	signer        *signer.Signer // the key, with the canonical request beginnings it keeps
	securityToken string
}

func (a *accessKeyAuth) signsPayload() bool { return true }

func (a *accessKeyAuth) slots() []string {
	if a.securityToken != "" {
		return signedTokenSlots
	}
	return signedSlots
}

func (a *accessKeyAuth) authorize(_ context.Context, c *Client, req *http.Request, payloadHash string) error {
	if a.securityToken != "" {
		setHeader(req.Header, signer.HeaderSecurityToken, a.securityToken)
	}
	return a.signer.Sign(req, payloadHash, c.now())
}

// tokenAuth sends a ready IAM token.
type tokenAuth struct{ token string }

func (a *tokenAuth) signsPayload() bool { return false }

func (a *tokenAuth) slots() []string { return authTokenSlots }

func (a *tokenAuth) authorize(_ context.Context, _ *Client, req *http.Request, _ string) error {
	setHeader(req.Header, "X-Auth-Token", a.token)
	return nil
}

// passwordAuth sends a token it obtains from IAM with a user's password,
// cached and renewed before it expires.
type passwordAuth struct {
	creds  Password
	tokens *cached[iamToken]
}

// iamToken is a token with what IAM said about it.
type iamToken struct {
	value       string
	expiresAt   time.Time
	projectID   string
	projectName string // a region's id, or one of its sub-projects' names (region_suffix)
}

func (a *passwordAuth) signsPayload() bool { return false }

func (a *passwordAuth) slots() []string { return authTokenSlots }

func (a *passwordAuth) authorize(ctx context.Context, c *Client, req *http.Request, _ string) error {
	tok, err := a.token(ctx, c)
	if err != nil {
		return err
	}
	setHeader(req.Header, "X-Auth-Token", tok.value)
	return nil
}

func (a *passwordAuth) token(ctx context.Context, c *Client) (iamToken, error) {
	// The cached token first: building the fetch closure costs an
	// allocation per call even when it is not called.
	if tok, ok := a.tokens.fresh(c.now); ok {
		return tok, nil
	}
	return a.tokens.get(ctx, c.now, func(ctx context.Context) (iamToken, time.Time, error) {
		tok, err := c.requestToken(ctx, a.creds)
		if err != nil {
			return iamToken{}, time.Time{}, err
		}
		return tok, refreshTime(c.now(), tok.expiresAt), nil
	})
}

// newTokenCache returns an empty cache of IAM tokens, which expire. A
// background renewal that fails is logged as a warning to logger (nil:
// not logged): calls go on with the current token, and nothing else would
// show that IAM is failing until that token runs out.
func newTokenCache(logger *slog.Logger) *cached[iamToken] {
	c := &cached[iamToken]{expires: func(t iamToken) time.Time { return t.expiresAt }}
	if logger != nil {
		c.renewalFailed = func(ctx context.Context, current iamToken, err error) {
			// The error names the IAM call and IAM's answer, from which do
			// has redacted the password, should the answer echo it
			// (apiError). ctx carries the values (a trace id, say)
			// of the call that started the renewal, as the renewal's own
			// debug records do.
			logger.LogAttrs(ctx, slog.LevelWarn, "hss: renewing the IAM token failed; the current token is still used",
				slog.Time("token_expires", current.expiresAt),
				slog.Duration("next_try_in", retryStale),
				slog.String("error", err.Error()))
		}
	}
	return c
}

// refreshTime is when a token that expires at exp should be renewed: five
// minutes early, or a tenth of its life early for short-lived tokens.
func refreshTime(now, exp time.Time) time.Time {
	margin := 5 * time.Minute
	if life := exp.Sub(now); life/10 < margin {
		margin = life / 10
	}
	return exp.Add(-margin)
}

// cached holds one value that is expensive to get (a token, a project id),
// fetching it at most once at a time however many callers wait for it.
//
// A value that expires (expires is set) is renewed ahead of time: once it is
// due for renewal, callers keep getting it, without waiting, while one
// renewal runs in the background, until staleMargin before it expires. A
// renewal that fails (IAM down or slow) so fails no call while the value
// lasts; the next is tried retryStale later. Only a caller without a usable
// value waits for the fetch, and gets its error.
type cached[T any] struct {
	mu        sync.Mutex
	val       T
	ok        bool
	refreshAt time.Time // zero: never
	call      *fetchCall[T]
	// expires returns when a value stops being usable; nil: never.
	expires func(T) time.Time
	// nextTry is when a failed renewal of a still usable value is tried
	// again.
	nextTry time.Time
	// renewalFailed, when set, is told of a background renewal that
	// failed: no caller waits for one to see its error.
	renewalFailed func(ctx context.Context, current T, err error)
}

// staleMargin is how long before a value expires it stops being handed
// out while its renewal runs: a token must outlive the request it is on.
const staleMargin = 30 * time.Second

// retryStale is how long after a failed renewal the next one starts, while
// the value it was to replace is still usable.
const retryStale = 10 * time.Second

type fetchCall[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// fetchTimeout bounds one fetch. The fetch runs on a context detached from
// the caller that started it, so one caller giving up does not fail the
// others waiting for the same value.
const fetchTimeout = 30 * time.Second

func (c *cached[T]) set(v T, refreshAt time.Time) {
	c.mu.Lock()
	c.val, c.ok, c.refreshAt = v, true, refreshAt
	c.mu.Unlock()
}

// fresh returns the cached value when there is one not yet due for renewal.
// The clock is read only when the answer depends on it: a value that is
// never renewed and never expires (a configured project id) is handed out
// without, as a clock read costs about 0.1 µs here, on every call.
func (c *cached[T]) fresh(now func() time.Time) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && c.refreshAt.IsZero() && c.expires == nil {
		return c.val, true
	}
	if c.current(now()) {
		return c.val, true
	}
	var zero T
	return zero, false
}

// current says whether the cached value is handed out as it is at t: not
// due for renewal, and usable. c.mu is held.
func (c *cached[T]) current(t time.Time) bool {
	return c.ok && (c.refreshAt.IsZero() || t.Before(c.refreshAt)) && c.usable(t)
}

// usable says whether the cached value may still be sent at t: it never
// expires, or not within staleMargin (a short-lived token's renewal time
// may fall later than that). c.mu is held.
func (c *cached[T]) usable(t time.Time) bool {
	return c.expires == nil || t.Before(c.expires(c.val).Add(-staleMargin))
}

// get returns the cached value, or fetches it when there is none or it is due
// for renewal. fetch returns the value and when to renew it (zero: never).
func (c *cached[T]) get(ctx context.Context, now func() time.Time, fetch func(context.Context) (T, time.Time, error)) (T, error) {
	c.mu.Lock()
	t := now()
	if c.current(t) {
		v := c.val
		c.mu.Unlock()
		return v, nil
	}
	// Due for renewal, but still usable: hand it out and renew it in the
	// background (unless a renewal just failed).
	if c.ok && c.expires != nil && c.usable(t) {
		v := c.val
		if c.call == nil && !t.Before(c.nextTry) {
			c.start(ctx, now, fetch, true)
		}
		c.mu.Unlock()
		return v, nil
	}
	call := c.call
	if call == nil {
		call = c.start(ctx, now, fetch, false)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.val, call.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// start starts a fetch; c.mu is held. background says that it renews a
// value callers go on using meanwhile, so that none waits for its result.
// Such a renewal that fails is reported to renewalFailed when the value it
// was to replace is still usable: a caller joins a running fetch (get) only
// when the value is not (invalidated after a 401, or too close to its
// expiry), and then gets the error itself. The report comes before the
// waiters are released, which are then none.
func (c *cached[T]) start(ctx context.Context, now func() time.Time, fetch func(context.Context) (T, time.Time, error), background bool) *fetchCall[T] {
	call := &fetchCall[T]{done: make(chan struct{})}
	c.call = call
	go func() {
		dctx := context.WithoutCancel(ctx)
		fctx, cancel := context.WithTimeout(dctx, fetchTimeout)
		v, refreshAt, err := fetch(fctx)
		cancel()
		c.mu.Lock()
		if err == nil {
			c.val, c.ok, c.refreshAt = v, true, refreshAt
		} else {
			c.nextTry = now().Add(retryStale)
		}
		current := c.val
		report := background && err != nil && c.renewalFailed != nil && c.ok && c.usable(now())
		c.call = nil
		call.val, call.err = v, err
		c.mu.Unlock()
		if report {
			c.renewalFailed(dctx, current, err)
		}
		close(call.done)
	}()
	return call
}

// invalidate forgets the value if bad says it is the bad one, so the next get
// fetches anew; a value another caller already renewed is kept.
func (c *cached[T]) invalidate(bad func(T) bool) {
	c.mu.Lock()
	if c.ok && bad(c.val) {
		c.ok = false
	}
	c.mu.Unlock()
}

// requestToken exchanges a user's password for a token scoped to the
// region's project (IAM: POST /v3/auth/tokens).
func (c *Client) requestToken(ctx context.Context, p Password) (iamToken, error) {
	var doc struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
						Domain   struct {
							Name string `json:"name"`
						} `json:"domain"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope struct {
				Project struct {
					ID   string `json:"id,omitempty"`
					Name string `json:"name,omitempty"`
				} `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	doc.Auth.Identity.Methods = []string{"password"}
	doc.Auth.Identity.Password.User.Name = p.User
	doc.Auth.Identity.Password.User.Password = p.Password
	doc.Auth.Identity.Password.User.Domain.Name = p.Domain
	// The token is for the project the calls name: the configured one, by
	// its id (a region's sub-project, such as ap-southeast-1_dev, is not
	// the project named after the region), or else the region's.
	if c.projectID != "" {
		doc.Auth.Scope.Project.ID = c.projectID
	} else {
		doc.Auth.Scope.Project.Name = c.region
	}
	body, err := json.Marshal(&doc)
	if err != nil {
		return iamToken{}, opError(opIAMToken, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.iamEndpoint+"/v3/auth/tokens?nocatalog=true", nil)
	if err != nil {
		return iamToken{}, opError(opIAMToken, err)
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	resp, err := c.do(ctx, opIAMToken, req, body, p.Password, nil)
	if err != nil {
		return iamToken{}, err
	}
	tok, err := decodeToken(opIAMToken, req, resp, p.Password)
	if err != nil {
		return iamToken{}, err
	}
	if tok.value == "" {
		return iamToken{}, unusableAnswer(opIAMToken, req, resp, p.Password, "IAM answered without an X-Subject-Token header", nil)
	}
	if c.projectID != "" && tok.projectID != "" && tok.projectID != c.projectID {
		// Every call would carry a token the service refuses for the
		// project in its path.
		return iamToken{}, unusableAnswer(opIAMToken, req, resp, p.Password,
			fmt.Sprintf("IAM scoped the token to project %q, not the configured %q", tok.projectID, c.projectID), nil)
	}
	if now := c.now(); !tok.expiresAt.After(now) {
		// No expires_at, or one already past by this machine's clock (off
		// by more than the token's life): assume assumedTokenLife rather
		// than renew on every call. A 401 renews it sooner.
		tok.expiresAt = now.Add(assumedTokenLife)
	}
	return tok, nil
}

// assumedTokenLife is the life of a token whose expiry IAM did not say (IAM
// tokens last 24 hours).
const assumedTokenLife = time.Hour

// decodeToken reads IAM's token document, the answer of op to req, and
// closes the body. bodySecret is the request's (the password).
func decodeToken(op string, req *http.Request, resp *http.Response, bodySecret string) (iamToken, error) {
	defer resp.Body.Close()
	var doc struct {
		Token struct {
			ExpiresAt time.Time `json:"expires_at"`
			Project   struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"token"`
	}
	if err := decodeIAMAnswer(op, req, resp, bodySecret, "the token document", &doc); err != nil {
		return iamToken{}, err
	}
	return iamToken{value: resp.Header.Get("X-Subject-Token"), expiresAt: doc.Token.ExpiresAt,
		projectID: doc.Token.Project.ID, projectName: doc.Token.Project.Name}, nil
}

// decodeIAMAnswer reads IAM's answer of op to req, of at most maxAnswer
// bytes, as the HSS answers are read, and decodes it into v; what names
// the answer in a failure (see readFailure).
func decodeIAMAnswer(op string, req *http.Request, resp *http.Response, bodySecret, what string, v any) error {
	buf := getBuffer()
	defer putBuffer(buf)
	data, err := readAnswer(buf, resp.Body)
	if err != nil {
		return readFailure(op, req, resp, bodySecret, what, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return unusableAnswer(op, req, resp, bodySecret, "decoding "+what, err)
	}
	return nil
}

// discoverProject finds the project of the configured region: from the token
// (Password, Token) or from IAM's project list (AccessKey).
func (c *Client) discoverProject(ctx context.Context) (string, time.Time, error) {
	var (
		id   string
		req  *http.Request  // IAM's request and its answer, when one was made here
		resp *http.Response // (Password credentials take the token's project)
	)
	switch a := c.auth.(type) {
	case *passwordAuth:
		tok, err := a.token(ctx, c)
		if err != nil {
			return "", time.Time{}, err
		}
		id = tok.projectID
	case *tokenAuth:
		// IAM's "validate a token" answers the token's own document.
		var err error
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, c.iamEndpoint+"/v3/auth/tokens?nocatalog=true", nil)
		if err != nil {
			return "", time.Time{}, opError(opIAMProject, err)
		}
		req.Header["X-Subject-Token"] = []string{a.token}
		resp, err = c.do(ctx, opIAMProject, req, nil, "", a)
		if err != nil {
			return "", time.Time{}, err
		}
		tok, err := decodeToken(opIAMProject, req, resp, "")
		if err != nil {
			return "", time.Time{}, err
		}
		// A project is named after its region (ap-southeast-1), or is one
		// of its sub-projects (ap-southeast-1_dev). A token of another
		// region's project would be refused by every call here.
		if n := tok.projectName; n != "" && n != c.region && !strings.HasPrefix(n, c.region+"_") {
			return "", time.Time{}, unusableAnswer(opIAMProject, req, resp, "",
				fmt.Sprintf("the token is scoped to project %q, not one of region %s", n, c.region), nil)
		}
		id = tok.projectID
	case *accessKeyAuth:
		var err error
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, c.iamEndpoint+"/v3/projects?name="+url.QueryEscape(c.region), nil)
		if err != nil {
			return "", time.Time{}, opError(opIAMProject, err)
		}
		resp, err = c.do(ctx, opIAMProject, req, nil, "", a)
		if err != nil {
			return "", time.Time{}, err
		}
		defer resp.Body.Close()
		var doc struct {
			Projects []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"projects"`
		}
		if err := decodeIAMAnswer(opIAMProject, req, resp, "", "the project list", &doc); err != nil {
			return "", time.Time{}, err
		}
		if len(doc.Projects) != 1 {
			return "", time.Time{}, unusableAnswer(opIAMProject, req, resp, "",
				fmt.Sprintf("IAM lists %d projects named %q, want exactly 1: set the project id", len(doc.Projects), c.region), nil)
		}
		id = doc.Projects[0].ID
	}
	if err := checkProjectID(id); err != nil {
		reason := fmt.Sprintf("IAM answered no usable project id for region %q", c.region)
		if resp == nil {
			return "", time.Time{}, &AnswerError{Operation: opIAMProject, Reason: reason}
		}
		return "", time.Time{}, unusableAnswer(opIAMProject, req, resp, "", reason, nil)
	}
	return id, time.Time{}, nil
}

// Operation names used in errors and logs.
const (
	opIAMToken           = "IAM token"
	opIAMProject         = "IAM project"
	opExportEvents       = "ExportEvents"
	opHandleEvents       = "HandleEvents"
	opShowExportTask     = "ShowExportTask"
	opDownloadExportFile = "DownloadExportedFile"
)
