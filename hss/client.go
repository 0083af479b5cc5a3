package hss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

// Version is this library's version, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultMaxAttempts is how many times a call is tried when Config.MaxAttempts
// is zero: once, and twice more on throttling (429), a connection that
// failed before the request was sent, or, for a GET, a server or gateway
// error (500, 502, 503, 504).
const DefaultMaxAttempts = 3

// Config configures a Client. The zero value of every optional field is the
// sensible default.
type Config struct {
	// Region is the region id, such as "ap-southeast-1". It selects the HSS
	// and IAM endpoints and the project. Required.
	Region string
	// ProjectID is the project the assets belong to. When empty, the client
	// finds it on first use: from the token for Password and Token
	// credentials, or from IAM's project list for the region with AccessKey.
	ProjectID string
	// Credentials authenticate every request: AccessKey, Token or Password.
	// Required.
	Credentials Credentials
	// Endpoint replaces the HSS endpoint the region implies, for example
	// "https://hss.example.internal". It must be https, except on loopback
	// addresses (127.0.0.0/8, localhost, [::1]), which tests and the fake use.
	// When empty, New takes the region's: the environment variable
	// EndpointEnv(Region) names when it is set (as the official SDKs do),
	// else the region table's (see Endpoint). A test pointing a client at
	// a fake sets Endpoint, so that no variable sends it elsewhere.
	Endpoint string
	// IAMEndpoint replaces the IAM endpoint the region implies; the same
	// URL rules as Endpoint, but no environment variable is read for it.
	IAMEndpoint string
	// HTTPClient sends the requests; nil means a client whose transport has
	// http.DefaultTransport's settings but keeps up to 100 idle connections
	// per host (net/http keeps 2), so goroutines sharing a Client reuse
	// connections. Its Transport is where OpenTelemetry (otelhttp),
	// proxies and custom TLS plug in. Its Timeout, if set, bounds each
	// attempt; the context bounds the whole call. Its CheckRedirect is
	// kept, after the client's own rules: credentials never follow a
	// redirect to another host, a body is never sent again to another
	// host, and a POST is never turned into a GET. A client without a Jar
	// or a Timeout has its requests given to its Transport directly, which
	// is what
	// http.Client.Do would do for it, minus a copy of every request's
	// headers; redirects are still followed by http.Client.
	HTTPClient *http.Client
	// Logger receives debug records of each attempt (method, URL, status,
	// duration, request id), and a WARN record when a background renewal of
	// the IAM token (Password credentials) fails while the current token is
	// still used, which no call sees (attributes error, token_expires and
	// next_try_in, the earliest retry); never a request header or body,
	// nor a secret. Nil means no logging.
	Logger *slog.Logger
	// MaxAttempts bounds the tries of one call (default DefaultMaxAttempts).
	// 1 disables retries.
	MaxAttempts int
	// UserAgent is put before this library's own product token.
	UserAgent string
}

// String describes the configuration without its secrets.
func (c Config) String() string {
	creds := "none"
	if cv, err := credentialValue(c.Credentials); err != nil {
		creds = "nil"
	} else if cv != nil {
		creds = cv.kind()
	}
	return fmt.Sprintf("hss.Config{Region: %q, ProjectID: %q, Credentials: %s, Endpoint: %q, IAMEndpoint: %q}",
		c.Region, c.ProjectID, creds, redactEndpoint(c.Endpoint), redactEndpoint(c.IAMEndpoint))
}

// redactEndpoint is an endpoint as a Config prints it: user information,
// query and fragment masked (New refuses all three, but a configuration is
// often printed to find out why New failed, and they may hold a password or
// a token), and "[unparsable]" for what does not parse, which may be
// anything.
func redactEndpoint(e string) string {
	if e == "" {
		return ""
	}
	u, err := url.Parse(e)
	if err != nil {
		return "[unparsable]"
	}
	if u.Opaque != "" || u.Host == "" {
		// Not an absolute URL: "user:pass@host" parses as a scheme and an
		// opaque part, which String would print whole.
		return "[not an absolute URL]"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "REDACTED", false
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = "REDACTED", ""
	}
	return u.String()
}

// GoString is String, so %#v hides the secrets too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb: without it, %d, %t or %e of a
// Config would print the struct field by field, endpoints unredacted.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// MarshalJSON writes the configuration without its secrets: the credentials
// redacted, the endpoints as String prints them, and neither the HTTP
// client nor the logger.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Region, ProjectID     string
		Credentials           Credentials `json:",omitempty"`
		Endpoint, IAMEndpoint string      `json:",omitempty"`
		MaxAttempts           int         `json:",omitempty"`
		UserAgent             string      `json:",omitempty"`
	}{c.Region, c.ProjectID, c.Credentials, redactEndpoint(c.Endpoint), redactEndpoint(c.IAMEndpoint), c.MaxAttempts, c.UserAgent})
}

// Client calls HSS. It is safe for concurrent use; share one per
// region, project and credentials.
type Client struct {
	region      string
	endpoint    string // no trailing slash
	iamEndpoint string
	http        *http.Client
	// direct is http's transport when http.Client would add nothing to
	// a request but copies (no cookie jar, no timeout): see sendOnce.
	direct      http.RoundTripper
	logger      *slog.Logger
	maxAttempts int
	userAgent   string
	auth        authenticator
	project     *cached[string]
	// projectID is the configured project id ("": found through IAM),
	// which a token is scoped to.
	projectID string
	now       func() time.Time
}

// New returns a Client for cfg. It checks the configuration but sends nothing:
// credentials and the project are first used by the first call.
func New(cfg Config) (*Client, error) {
	if cfg.Region == "" {
		return nil, &ValidationError{Field: "region", Reason: "required"}
	}
	if cfg.Credentials == nil {
		return nil, &ValidationError{Field: "credentials", Reason: "required"}
	}
	var err error
	if cfg.Credentials, err = credentialValue(cfg.Credentials); err != nil {
		return nil, err
	}
	if err := cfg.Credentials.check(); err != nil {
		return nil, err
	}
	c := &Client{
		region:      cfg.Region,
		logger:      cfg.Logger,
		maxAttempts: cfg.MaxAttempts,
		userAgent:   "hss-go/" + Version,
		now:         time.Now,
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	if cfg.UserAgent != "" {
		c.userAgent = strings.TrimSpace(cfg.UserAgent) + " " + c.userAgent
	}
	if cfg.Endpoint != "" {
		u, err := CheckEndpoint(cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		c.endpoint = u.String()
	} else if c.endpoint, err = Endpoint(cfg.Region); err != nil {
		return nil, err
	}
	if cfg.IAMEndpoint != "" {
		u, err := CheckEndpoint(cfg.IAMEndpoint)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				ve.Field = "iam_endpoint"
			}
			return nil, err
		}
		c.iamEndpoint = u.String()
	} else {
		c.iamEndpoint = IAMEndpoint(cfg.Region)
	}
	if cfg.ProjectID != "" {
		if err := checkProjectID(cfg.ProjectID); err != nil {
			return nil, err
		}
	}
	if cfg.MaxAttempts < 0 {
		return nil, &ValidationError{Field: "max_attempts", Reason: "must not be negative (0: the default)"}
	}
	// What goes into a header must be something a header can carry: say so
	// now rather than fail every call. (The project id is sent as
	// X-Project-Id; the credentials' own checks cover theirs.)
	if err := checkHeaderValue("project_id", cfg.ProjectID); err != nil {
		return nil, err
	}
	if err := checkHeaderValue("user_agent", cfg.UserAgent); err != nil {
		return nil, err
	}
	c.http = safeRedirects(cfg.HTTPClient)
	if c.http.Jar == nil && c.http.Timeout == 0 {
		c.direct = c.http.Transport
		if c.direct == nil {
			c.direct = http.DefaultTransport // what http.Client uses then
		}
	}
	c.project = &cached[string]{}
	if cfg.ProjectID != "" {
		c.project.set(cfg.ProjectID, time.Time{})
		c.projectID = cfg.ProjectID
	}
	switch cr := cfg.Credentials.(type) {
	case AccessKey:
		s, err := signer.NewSigner(signer.Key{AccessKey: cr.ID, SecretKey: cr.Secret})
		if err != nil {
			// Empty keys were refused above; what is left is an id the
			// Authorization header cannot carry.
			return nil, &ValidationError{Field: "credentials.ID", Reason: strings.TrimPrefix(err.Error(), "signer: ")}
		}
		c.auth = &accessKeyAuth{signer: s, securityToken: cr.SecurityToken}
	case Token:
		c.auth = &tokenAuth{token: string(cr)}
	case Password:
		c.auth = &passwordAuth{creds: cr, tokens: newTokenCache(cfg.Logger)}
	default:
		return nil, &ValidationError{Field: "credentials", Reason: fmt.Sprintf("unsupported kind %T", cfg.Credentials)}
	}
	return c, nil
}

// Region is the region the client was configured for.
func (c *Client) Region() string { return c.region }

// Endpoint is the HSS endpoint the client sends to.
func (c *Client) Endpoint() string { return c.endpoint }

// ProjectID returns the project the client works in, finding it through IAM
// on first use when the configuration did not give it.
func (c *Client) ProjectID(ctx context.Context) (string, error) {
	if id, ok := c.project.fresh(c.now); ok {
		return id, nil // without building the fetch closure
	}
	return c.project.get(ctx, c.now, c.discoverProject)
}

// safeRedirects returns a copy of hc (or a new client) whose redirects never
// carry credentials to another host (or scheme). net/http already drops
// Authorization between unrelated domains, but not X-Auth-Token or
// X-Security-Token, and it keeps Authorization for subdomains.
//
// Nor do they carry a body there: a 307 or 308 makes net/http send the
// request again with its body, and the body of an IAM token request holds
// the user's password. Such a redirect to another host is refused.
//
// And a redirect that turns a POST into a GET (a 301, 302 or 303, as
// net/http follows them) is refused wherever it goes: the GET would not do
// what the POST asked (export, operate, a token), and its answer would read
// as success. A GET (task status, download) follows redirects, without the
// credential headers to another host.
func safeRedirects(hc *http.Client) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else {
		out.Transport = defaultTransport()
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 {
			// A Location that carries the request's token would send it
			// in the URL, where no header rule protects it.
			for _, h := range secretHeaders {
				if v := via[0].Header.Get(h); v != "" && urlCarries(req.URL, v) {
					return fmt.Errorf("refused a redirect to %s://%s: its URL carries the request's %s", req.URL.Scheme, req.URL.Host, h)
				}
			}
		}
		if len(via) > 0 && req.Method != via[0].Method {
			return fmt.Errorf("refused a redirect to %s://%s: it would turn the %s into a %s, which would not do what was asked", req.URL.Scheme, req.URL.Host, via[0].Method, req.Method)
		}
		if len(via) > 0 && (req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme) {
			if req.GetBody != nil || (req.Body != nil && req.Body != http.NoBody) {
				return fmt.Errorf("refused a redirect to %s://%s: it would send the request body to another host", req.URL.Scheme, req.URL.Host)
			}
			for _, h := range credentialHeaders {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		return nil
	}
	return &out
}

// urlCarries says whether u carries secret, as redactText finds one: in
// the forms secretForms names, or once unescaped (a Location may escape
// what it carries in its own way: lower-case hex, a letter escaped).
func urlCarries(u *url.URL, secret string) bool {
	s := u.String()
	return redactText(s, []string{secret}) != s
}

// credentialHeaders are the headers that carry or prove a secret.
var credentialHeaders = []string{"Authorization", "X-Auth-Token", "X-Security-Token", "X-Subject-Token", signer.HeaderDate}
