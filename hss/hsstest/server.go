package hsstest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/openhss/hss-go/gen"
)

// Defaults of Options, and the credentials a zero Options creates. They are
// fake credentials, good only against this package's server.
const (
	// DefaultRegion is the region the fake serves when Options.Region is empty.
	DefaultRegion = "ap-southeast-1"
	// DefaultProjectID is the project id when Options.ProjectID is empty.
	DefaultProjectID = "0b7c3f5e9a2d4c6e8f1a3b5c7d9e2f40"
	// DefaultAccessKey and DefaultSecretKey are the access key pair the fake
	// accepts when Options.AccessKeys, Users and Tokens are all nil. Setting
	// any of them (Tokens alone, or an empty AccessKeys map) turns this pair
	// off.
	DefaultAccessKey = "HSSTESTAKDEFAULT0001"
	// DefaultSecretKey is the secret key of DefaultAccessKey.
	DefaultSecretKey = "hsstestSecretKeyDefault0000000000000001"
	// DefaultDomain, DefaultUser and DefaultPassword are the IAM user the fake
	// accepts when Options has no AccessKeys, Users and Tokens.
	DefaultDomain = "hsstest-domain"
	// DefaultUser is the user name of the default IAM user.
	DefaultUser = "hsstest-user"
	// DefaultPassword is the password of the default IAM user.
	DefaultPassword = "hsstest-Passw0rd"
	// DefaultTokenTTL is how long an issued token lives when Options.TokenTTL is zero.
	DefaultTokenTTL = 24 * time.Hour
	// DefaultExportDuration is how long an export task runs when
	// Options.ExportDuration is zero.
	DefaultExportDuration = 300 * time.Millisecond
)

// MaxSkew is how far X-Sdk-Date may be from Options.Now, either way, as at
// the API gateway.
const MaxSkew = 15 * time.Minute

// maxBody bounds a request body; the real gateway's limit is larger, but no
// request of these operations comes near it.
const maxBody = 8 << 20

// Options configures a Server. The zero value is a working fake with the
// default credentials and the seeded events.
type Options struct {
	// Region is the region the fake serves (IAM's project name); default
	// DefaultRegion.
	Region string
	// ProjectID is the one project of the fake; default DefaultProjectID.
	ProjectID string
	// AccessKeys maps access keys to secret keys.
	AccessKeys map[string]string
	// SecurityTokens makes access keys of AccessKeys temporary: it maps
	// each to the security token that must come with it (X-Security-Token,
	// signed). A request with a key not listed here and a security token
	// is refused, as one with a listed key and a missing or wrong token.
	SecurityTokens map[string]string
	// Users are the IAM users that may ask for a token.
	Users []User
	// Tokens are ready IAM tokens the fake accepts; they never expire.
	Tokens []string
	// TokenTTL is how long a token issued by POST /v3/auth/tokens lives;
	// default DefaultTokenTTL.
	TokenTTL time.Duration
	// Events replaces the seeded events; nil means the seeded set
	// (SeedEvents), an empty non-nil slice means none. An event without a
	// HandleStatus is unhandled; one without an EnterpriseProjectID is in
	// the default enterprise project ("0").
	Events []Event
	// ExportDuration is how long an export task stays running, measured on
	// the real clock so that a client polling with real sleeps finishes even
	// when Now is frozen. Zero means DefaultExportDuration; a negative value
	// means tasks finish at once.
	ExportDuration time.Duration
	// Now is the service's clock: it dates issued tokens, judges X-Sdk-Date
	// and token expiry, dates the seeded events and evaluates last_days.
	// Default time.Now. A client signs with its own clock: set against a
	// Now more than MaxSkew away from it, every AK/SK request is refused as
	// stale (tokens still work).
	Now func() time.Time
	// MaxRequests bounds the requests Requests keeps, dropping the oldest;
	// zero keeps them all (what a test wants). A long-running fake (hss
	// emulator) sets it, as it does MaxTasks.
	MaxRequests int
	// MaxTasks bounds the export tasks kept, with their files, dropping the
	// oldest (whose ids then answer as unknown); zero keeps them all.
	MaxTasks int
	// AnyColumns makes exports take column fields the fake does not know
	// (Event.Field lists those it does), as empty columns. By default such
	// a field is refused (400 HSS.1001 naming the column): a misspelt field
	// would otherwise export an empty column that a test reads as "no
	// value". Set it to export a field the real service has and the fake
	// lacks.
	AnyColumns bool
	// Logf, when set, receives one line per request and reports the fake's
	// own contract violations. It never receives a secret.
	Logf func(format string, args ...any)
}

// User is an IAM user of the fake.
type User struct {
	// Domain is the account (domain) name.
	Domain string
	// Name is the user name.
	Name string
	// Password is the user's password.
	Password string
}

// Server is the fake HSS and IAM service. All its methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the running server, such as
	// "http://127.0.0.1:41234", for both the HSS and the IAM endpoint. It is
	// empty for a Server made by NewUnstarted until you set it.
	URL string

	region         string
	projectID      string
	accessKeys     map[string]string
	securityTokens map[string]string // never written after NewUnstarted
	users          []User
	tokenTTL       time.Duration
	exportDuration time.Duration
	maxRequests    int
	maxTasks       int
	anyColumns     bool
	now            func() time.Time
	logf           func(format string, args ...any)

	router routers.Router
	api    http.Handler // the generated std-http router over service
	ts     *httptest.Server

	done      chan struct{} // closed by Close: ends silent and delayed answers
	closeOnce sync.Once

	mu         sync.Mutex
	events     map[string]*Event
	tokens     map[string]tokenInfo
	tasks      map[string]*exportTask
	taskOrder  []string
	files      map[string]string // file id -> task id
	whiteRules []gen.EventWhiteRule
	faults     []*Fault
	failNext   int
	requests   []*Request
}

// tokenInfo is what the fake knows about a token it accepts.
type tokenInfo struct {
	user      User
	issuedAt  time.Time
	expiresAt time.Time // zero: never (Options.Tokens)
}

// specRouter routes requests to the operations of the embedded spec on any
// host: the spec's servers are the real regional endpoints.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := gen.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded spec: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	return gorillamux.NewRouter(doc)
})

// NewUnstarted returns a Server configured by opts without starting it
// (named after httptest.NewUnstartedServer, but it has no Start): serve
// s.Handler() yourself (the CLI's
// emulator does, with http.Server), and set s.URL to where it is served
// before handing it to a client (an hss.Config with an empty Endpoint
// goes to the region's real service). Call Close when done so that silent
// and delayed answers end. NewUnstarted panics if opts is inconsistent
// (duplicate event ids).
func NewUnstarted(opts Options) *Server {
	router, err := specRouter()
	if err != nil {
		panic("hsstest: " + err.Error())
	}
	s := &Server{
		region:         opts.Region,
		projectID:      opts.ProjectID,
		accessKeys:     map[string]string{},
		users:          append([]User(nil), opts.Users...),
		tokenTTL:       opts.TokenTTL,
		exportDuration: opts.ExportDuration,
		maxRequests:    opts.MaxRequests,
		maxTasks:       opts.MaxTasks,
		anyColumns:     opts.AnyColumns,
		now:            opts.Now,
		logf:           opts.Logf,
		router:         router,
		done:           make(chan struct{}),
		events:         map[string]*Event{},
		tokens:         map[string]tokenInfo{},
		tasks:          map[string]*exportTask{},
		files:          map[string]string{},
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.projectID == "" {
		s.projectID = DefaultProjectID
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.exportDuration == 0 {
		s.exportDuration = DefaultExportDuration
	}
	if s.now == nil {
		s.now = time.Now
	}
	for ak, sk := range opts.AccessKeys {
		s.accessKeys[ak] = sk
	}
	s.securityTokens = maps.Clone(opts.SecurityTokens)
	if opts.AccessKeys == nil && opts.Users == nil && opts.Tokens == nil {
		s.accessKeys[DefaultAccessKey] = DefaultSecretKey
		s.users = []User{{Domain: DefaultDomain, Name: DefaultUser, Password: DefaultPassword}}
	}
	for _, tok := range opts.Tokens {
		s.tokens[tok] = tokenInfo{user: s.tokenOwner(), issuedAt: s.now()}
	}
	events := opts.Events
	if events == nil {
		events = SeedEvents(s.now())
	}
	for _, e := range events {
		if e.ID == "" {
			panic("hsstest: Options.Events: an event has no ID")
		}
		if _, dup := s.events[e.ID]; dup {
			panic("hsstest: Options.Events: duplicate event ID " + e.ID)
		}
		e = e.clone()
		if e.HandleStatus == "" {
			e.HandleStatus = gen.Unhandled
		}
		if e.EnterpriseProjectID == "" {
			e.EnterpriseProjectID = "0" // the default enterprise project
		}
		s.events[e.ID] = &e
	}
	s.api = gen.HandlerWithOptions(service{s}, gen.StdHTTPServerOptions{
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			// The spec check has already passed, so a binding error means the
			// generated code and the spec disagree.
			s.fakeBug(w, fmt.Errorf("binding parameters: %w", err))
		},
	})
	return s
}

// NewServer starts a Server configured by opts on a loopback port, like
// httptest.NewServer. Close it when done.
func NewServer(opts Options) *Server {
	s := NewUnstarted(opts)
	s.ts = httptest.NewServer(s.Handler())
	s.URL = s.ts.URL
	return s
}

// Handler serves the fake: HSS under /v5/ and IAM under /v3/.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// Close ends silent and delayed answers and, for a Server started by
// NewServer, stops it and waits for the requests in flight.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	if s.ts != nil {
		s.ts.Close()
	}
}

// Region returns the region the fake serves.
func (s *Server) Region() string { return s.region }

// ProjectID returns the fake's project id.
func (s *Server) ProjectID() string { return s.projectID }

// IssueToken issues a token for the first user (as POST /v3/auth/tokens
// would), living Options.TokenTTL from Now, and returns it.
func (s *Server) IssueToken() string {
	tok := randomToken()
	now := s.now()
	s.mu.Lock()
	s.addToken(tok, tokenInfo{user: s.tokenOwner(), issuedAt: now, expiresAt: now.Add(s.tokenTTL)}, now)
	s.mu.Unlock()
	return tok
}

// addToken keeps an issued token, and drops the issued ones that have
// expired, so that a long-running fake does not keep every token it ever
// issued. s.mu is held.
func (s *Server) addToken(tok string, info tokenInfo, now time.Time) {
	for t, old := range s.tokens {
		if !old.expiresAt.IsZero() && !now.Before(old.expiresAt) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = info
}

// tokenOwner is the user a token not issued for a password belongs to.
func (s *Server) tokenOwner() User {
	if len(s.users) > 0 {
		return User{Domain: s.users[0].Domain, Name: s.users[0].Name}
	}
	return User{Domain: DefaultDomain, Name: DefaultUser}
}

// serve is the front door: it numbers, records and (if a fault says so)
// disturbs every request, then hands it to IAM or HSS.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	requestID := randomHex(16)
	w.Header().Set("X-Request-Id", requestID)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		// Recorded and logged like any request, without its body: 413 for
		// one over the limit, 400 for one that did not arrive whole.
		status := http.StatusBadRequest
		if tooLarge := new(*http.MaxBytesError); errors.As(err, tooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		rec := s.record(r, nil, requestID)
		writeJSON(w, status, hssError("HSS.1001", "reading the request body: "+err.Error()))
		s.finish(rec, status)
		if s.logf != nil {
			s.logf("hsstest: %s %s -> %d (request id %s)", r.Method, r.URL.Path, status, requestID)
		}
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	isIAM := strings.HasPrefix(r.URL.Path, "/v3/")
	rec := s.record(r, body, requestID)

	var fault Fault
	faulty := s.takeFault(r.URL.Path, isIAM, &fault)
	if faulty && (fault.Silent || fault.Delay > 0) {
		d := fault.Delay
		if fault.Silent {
			d = -1
		}
		if !s.wait(r, d) {
			// Drop the connection rather than let net/http answer an empty 200.
			panic(http.ErrAbortHandler)
		}
	}

	resp := newRecorder()
	switch {
	case faulty && fault.Status != 0:
		fault.answer(resp, isIAM)
	case isIAM:
		s.serveIAM(resp, r, body)
	default:
		s.serveHSS(resp, r, body)
	}
	if faulty && fault.RetryAfter != "" {
		resp.header.Set("Retry-After", fault.RetryAfter)
	}
	s.finish(rec, resp.status)
	if s.logf != nil {
		s.logf("hsstest: %s %s -> %d (request id %s)", r.Method, r.URL.Path, resp.status, requestID)
	}
	cutAfter := -1
	if faulty && fault.CutAfter > 0 {
		cutAfter = fault.CutAfter
	}
	resp.flush(w, cutAfter)
}

// wait blocks for d (forever when d < 0) and reports whether it ran its
// course: false when the client gave up or the server closed first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// serveHSS authenticates, checks and answers one HSS request, and checks the
// answer against the spec.
func (s *Server) serveHSS(w *recorder, r *http.Request, body []byte) {
	route, pathParams, err := s.router.FindRoute(r)
	if err != nil {
		status, msg := http.StatusNotFound, "the API does not exist or has not been published in the environment"
		if err == routers.ErrMethodNotAllowed {
			status, msg = http.StatusMethodNotAllowed, "the method is not allowed for this API"
		}
		writeJSON(w, status, hssError("APIGW.0101", msg))
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		},
	}
	s.answerHSS(w, r, body, in)
	s.checkResponse(w, in)
}

// answerHSS writes the answer to an HSS request that matched an operation.
func (s *Server) answerHSS(w *recorder, r *http.Request, body []byte, in *openapi3filter.RequestValidationInput) {
	if _, err := s.authenticate(r, body); err != nil {
		writeJSON(w, http.StatusUnauthorized, hssError("APIGW.0301", err.Error()))
		return
	}
	if p := in.PathParams["project_id"]; p != s.projectID {
		writeJSON(w, http.StatusForbidden, hssError("HSS.1003", fmt.Sprintf("project_id %q is not a project of this account in region %s", p, s.region)))
		return
	}
	if p := r.Header.Get("X-Project-Id"); p != "" && p != s.projectID {
		writeJSON(w, http.StatusForbidden, hssError("HSS.1003", "X-Project-Id does not match the project_id of the path"))
		return
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		writeJSON(w, http.StatusBadRequest, hssError("HSS.1001", describeRequestError(err)))
		return
	}
	if reason := checkStrict(r.URL.Query(), in.Route, body); reason != "" {
		writeJSON(w, http.StatusBadRequest, hssError("HSS.1001", reason))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.api.ServeHTTP(w, r)
}

// checkResponse validates the answer in w against the spec and replaces it
// with a 500 HSS.FAKE if it breaks it.
func (s *Server) checkResponse(w *recorder, in *openapi3filter.RequestValidationInput) {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 w.status,
		Header:                 w.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(w.body.Bytes())
	if err := openapi3filter.ValidateResponse(in.Request.Context(), out); err != nil {
		w.reset()
		s.fakeBug(w, fmt.Errorf("%s %s: the answer breaks the spec: %w", in.Request.Method, in.Route.Path, err))
	}
}

// fakeBug answers 500 HSS.FAKE for a mistake of the fake itself, and
// reports it.
func (s *Server) fakeBug(w http.ResponseWriter, err error) {
	if s.logf != nil {
		s.logf("hsstest: BUG: %v", err)
	}
	writeJSON(w, http.StatusInternalServerError, hssError("HSS.FAKE", "hsstest bug: "+err.Error()))
}

// service implements the generated gen.ServerInterface; it is reached only
// after authentication and the spec check.
type service struct{ s *Server }

var _ gen.ServerInterface = service{}

// hssError is an error document of HSS and its gateway.
func hssError(code, msg string) gen.Error {
	return gen.Error{ErrorCode: &code, ErrorMsg: &msg}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error_code":"HSS.FAKE","error_msg":"hsstest bug: encoding the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// recorder holds an answer until it is checked against the spec.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(p)
}

func (rec *recorder) reset() {
	rec.header = http.Header{}
	rec.status = 0
	rec.body.Reset()
}

// flush sends the held answer. With cutAfter >= 0 it declares the whole
// length (at least cutAfter+1 bytes), sends cutAfter bytes at most and
// drops the connection, as a connection lost midway would.
func (rec *recorder) flush(w http.ResponseWriter, cutAfter int) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	body := rec.body.Bytes()
	if cutAfter < 0 {
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
		return
	}
	declared := max(len(body), cutAfter+1)
	w.Header().Set("Content-Length", strconv.Itoa(declared))
	w.WriteHeader(rec.status)
	_, _ = w.Write(body[:min(cutAfter, len(body))])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// randomToken returns a new token, shaped like IAM's (long, opaque).
func randomToken() string {
	return "MIIhsstest" + randomHex(48)
}
