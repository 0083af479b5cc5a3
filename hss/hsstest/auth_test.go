package hsstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
	"github.com/openhss/hss-go/hss/signer"
)

// TestAuthRefused checks that requests the gateway would refuse get 401
// APIGW.0301 saying why, and change nothing.
func TestAuthRefused(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	body := mustJSON(t, defaultColumns)
	tamper := func(req *http.Request, b []byte) error {
		if err := signed(defaultKey, t0)(req, b); err != nil {
			return err
		}
		// The body sent differs from the one signed.
		tampered := strings.Replace(string(b), "Alarm name", "Alarm nam3", 1)
		req.Body = readCloser(tampered)
		req.ContentLength = int64(len(tampered))
		return nil
	}
	tests := []struct {
		name string
		auth authFunc
		word string
	}{
		{"unsigned", noAuth, "missing authentication"},
		{"wrong secret key", signed(signer.Key{AccessKey: hsstest.DefaultAccessKey, SecretKey: "not-the-secret-key"}, t0), "signature"},
		{"stale date", signed(defaultKey, t0.Add(-16*time.Minute)), "X-Sdk-Date"},
		{"date in the future", signed(defaultKey, t0.Add(16*time.Minute)), "X-Sdk-Date"},
		{"unknown access key", signed(signer.Key{AccessKey: "UNKNOWNAK0000000000", SecretKey: hsstest.DefaultSecretKey}, t0), "access key"},
		{"tampered body", tamper, "signature"},
		{"unknown token", withToken("MIInot-a-token"), "token"},
		{"malformed authorization", func(req *http.Request, _ []byte) error {
			req.Header.Set("Authorization", "Bearer abc")
			return nil
		}, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), body, tt.auth)
			wantError(t, r, http.StatusUnauthorized, "APIGW.0301", tt.word)
			if strings.Contains(string(r.body), hsstest.DefaultSecretKey) || strings.Contains(string(r.body), "not-the-secret-key") {
				t.Errorf("the error echoes a secret key: %s", r.body)
			}
		})
	}
	if n := len(srv.Tasks()); n != 0 {
		t.Errorf("%d export tasks after refused requests, want 0", n)
	}
	// Within 15 minutes is fine.
	exportResult(t, srv, exportQuery("host", nil), signed(defaultKey, t0.Add(-14*time.Minute)))
}

// TestTemporaryAccessKeys: a temporary key (Options.SecurityTokens) is
// accepted with its own security token, signed, and refused without it,
// with another, or with it unsigned; a permanent key is refused with a
// token; X-Project-Id must be signed when sent.
func TestTemporaryAccessKeys(t *testing.T) {
	const tempAK, sk, sts = "TEMPAK00000000000001", "temp-secret-key", "sts-token-of-the-temp-key"
	srv := newServer(t, hsstest.Options{
		AccessKeys:     map[string]string{tempAK: sk, hsstest.DefaultAccessKey: hsstest.DefaultSecretKey},
		SecurityTokens: map[string]string{tempAK: sts},
	})
	temp := signer.Key{AccessKey: tempAK, SecretKey: sk}
	// with sets headers, signs (which signs the x- headers present), then
	// adds the unsigned ones.
	with := func(key signer.Key, signedHeaders, unsigned map[string]string) authFunc {
		return func(req *http.Request, b []byte) error {
			for k, v := range signedHeaders {
				req.Header.Set(k, v)
			}
			if err := signed(key, t0)(req, b); err != nil {
				return err
			}
			for k, v := range unsigned {
				req.Header.Set(k, v)
			}
			return nil
		}
	}
	body := mustJSON(t, defaultColumns)
	for _, tc := range []struct {
		name string
		auth authFunc
		word string // "" : accepted
	}{
		{"temporary key with its token", with(temp, map[string]string{"X-Security-Token": sts}, nil), ""},
		{"temporary key without a token", with(temp, nil, nil), "missing security token"},
		{"temporary key with another token", with(temp, map[string]string{"X-Security-Token": "another"}, nil), "invalid security token"},
		{"temporary key with its token unsigned", with(temp, nil, map[string]string{"X-Security-Token": sts}), "unsigned X-Security-Token"},
		{"permanent key with a token", with(defaultKey, map[string]string{"X-Security-Token": sts}, nil), "unexpected security token"},
		{"project id signed", with(defaultKey, map[string]string{"X-Project-Id": srv.ProjectID()}, nil), ""},
		{"project id unsigned", with(defaultKey, nil, map[string]string{"X-Project-Id": srv.ProjectID()}), "unsigned X-Project-Id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), body, tc.auth)
			if tc.word == "" {
				if r.status != http.StatusOK {
					t.Fatalf("%d %s", r.status, r.body)
				}
				return
			}
			wantError(t, r, http.StatusUnauthorized, "APIGW.0301", tc.word)
			if strings.Contains(string(r.body), sts) {
				t.Errorf("the error echoes the security token: %s", r.body)
			}
		})
	}
}

// TestProjectAndRoute checks the project of the path and unknown APIs.
func TestProjectAndRoute(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	auth := signed(defaultKey, t0)
	r := call(t, srv, http.MethodPost, "/v5/0123456789abcdef0123456789abcdef/event/export", exportQuery("host", nil), mustJSON(t, defaultColumns), auth)
	wantError(t, r, http.StatusForbidden, "HSS.1003", "project_id")

	r = call(t, srv, http.MethodGet, "/v5/"+srv.ProjectID()+"/no/such/api", nil, nil, auth)
	wantError(t, r, http.StatusNotFound, "APIGW.0101")

	r = call(t, srv, http.MethodGet, exportPath(srv), exportQuery("host", nil), nil, auth)
	wantError(t, r, http.StatusMethodNotAllowed, "APIGW.0101")
}

// TestTokenFlow gets a token from the fake's IAM and uses it; it expires
// with the controllable clock.
func TestTokenFlow(t *testing.T) {
	clk := &clock{now: t0}
	srv := newServer(t, hsstest.Options{Now: clk.Now, TokenTTL: time.Hour, Tokens: []string{"ready-made-token"},
		Users: []hsstest.User{{Domain: "acme", Name: "alice", Password: "s3cret-pw"}}})

	tokenBody := func(domain, user, pw, project string) []byte {
		return []byte(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user +
			`","password":"` + pw + `","domain":{"name":"` + domain + `"}}}},"scope":{"project":{"name":"` + project + `"}}}}`)
	}
	r := call(t, srv, http.MethodPost, "/v3/auth/tokens", url.Values{"nocatalog": {"true"}}, tokenBody("acme", "alice", "s3cret-pw", srv.Region()), noAuth)
	if r.status != http.StatusCreated {
		t.Fatalf("POST /v3/auth/tokens: %d %s", r.status, r.body)
	}
	tok := r.header.Get("X-Subject-Token")
	if tok == "" {
		t.Fatal("no X-Subject-Token")
	}
	var doc struct {
		Token struct {
			ExpiresAt time.Time `json:"expires_at"`
			IssuedAt  time.Time `json:"issued_at"`
			Project   struct{ ID, Name string }
			User      struct {
				Name   string
				Domain struct{ Name string }
			}
		} `json:"token"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Token.ExpiresAt.Equal(t0.Add(time.Hour)) || !doc.Token.IssuedAt.Equal(t0) {
		t.Errorf("issued_at %v, expires_at %v; want %v and an hour later", doc.Token.IssuedAt, doc.Token.ExpiresAt, t0)
	}
	if doc.Token.Project.ID != srv.ProjectID() || doc.Token.Project.Name != srv.Region() || doc.Token.User.Name != "alice" || doc.Token.User.Domain.Name != "acme" {
		t.Errorf("token document %+v", doc.Token)
	}
	if strings.Contains(string(r.body), "s3cret-pw") {
		t.Error("the token document holds the password")
	}

	exportResult(t, srv, exportQuery("host", nil), withToken(tok))
	exportResult(t, srv, exportQuery("host", nil), withToken("ready-made-token"))

	// Validate a token: learn its project.
	r = call(t, srv, http.MethodGet, "/v3/auth/tokens", nil, nil, func(req *http.Request, _ []byte) error {
		req.Header.Set("X-Auth-Token", "ready-made-token")
		req.Header.Set("X-Subject-Token", "ready-made-token")
		return nil
	})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), srv.ProjectID()) {
		t.Errorf("GET /v3/auth/tokens: %d %s", r.status, r.body)
	}

	// Wrong password, wrong domain: IAM's nested error.
	for _, body := range [][]byte{
		tokenBody("acme", "alice", "wrong", srv.Region()),
		tokenBody("other", "alice", "s3cret-pw", srv.Region()),
		tokenBody("acme", "bob", "s3cret-pw", srv.Region()),
	} {
		r = call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, body, noAuth)
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if r.status != http.StatusUnauthorized || json.Unmarshal(r.body, &e) != nil || e.Error.Code != 401 || e.Error.Message == "" {
			t.Errorf("bad credentials: %d %s", r.status, r.body)
		}
		if r.header.Get("X-Subject-Token") != "" {
			t.Error("bad credentials got a token")
		}
	}
	r = call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, tokenBody("acme", "alice", "s3cret-pw", "cn-north-4"), noAuth)
	if r.status != http.StatusBadRequest {
		t.Errorf("token for another region: %d %s", r.status, r.body)
	}

	// An hour later the issued token has expired; the ready-made one has not.
	clk.Advance(time.Hour)
	r = call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), withToken(tok))
	wantError(t, r, http.StatusUnauthorized, "APIGW.0301", "expired")
	exportResult(t, srv, exportQuery("host", nil), withToken("ready-made-token"))
}

// TestProjects lists the project of the region, signed.
func TestProjects(t *testing.T) {
	srv := newServer(t, hsstest.Options{Region: "af-south-1", ProjectID: "11112222333344445555666677778888"})
	auth := signed(defaultKey, t0)
	list := func(name string, auth authFunc) (int, []string) {
		r := call(t, srv, http.MethodGet, "/v3/projects", url.Values{"name": {name}}, nil, auth)
		var doc struct {
			Projects []struct{ ID, Name string } `json:"projects"`
		}
		if r.status == http.StatusOK {
			if err := json.Unmarshal(r.body, &doc); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		for _, p := range doc.Projects {
			ids = append(ids, p.ID+"/"+p.Name)
		}
		return r.status, ids
	}
	if st, ids := list("af-south-1", auth); st != http.StatusOK || len(ids) != 1 || ids[0] != "11112222333344445555666677778888/af-south-1" {
		t.Errorf("projects of af-south-1: %d %v", st, ids)
	}
	if st, ids := list("ap-southeast-1", auth); st != http.StatusOK || len(ids) != 0 {
		t.Errorf("projects of another region: %d %v, want none", st, ids)
	}
	if st, _ := list("af-south-1", noAuth); st != http.StatusUnauthorized {
		t.Errorf("unsigned project list: %d, want 401", st)
	}
	if st, _ := list("af-south-1", withToken(srv.IssueToken())); st != http.StatusOK {
		t.Errorf("project list with a token: %d", st)
	}
}

// TestDefaultCredentialsOnlyWhenUnconfigured checks that configuring any
// credentials drops the default ones.
func TestDefaultCredentialsOnlyWhenUnconfigured(t *testing.T) {
	key := signer.Key{AccessKey: "MYAK0000000000000001", SecretKey: "my-secret-key"}
	srv := newServer(t, hsstest.Options{AccessKeys: map[string]string{key.AccessKey: key.SecretKey}})
	exportResult(t, srv, exportQuery("host", nil), signed(key, t0))
	r := call(t, srv, http.MethodPost, exportPath(srv), exportQuery("host", nil), mustJSON(t, defaultColumns), signed(defaultKey, t0))
	wantError(t, r, http.StatusUnauthorized, "APIGW.0301", "access key")
}

// TestTokenScope: a token request names its project by id or by name; an
// id, when given, is what counts, as Keystone reads a scope.
func TestTokenScope(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	body := func(project string) []byte {
		return []byte(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + hsstest.DefaultUser +
			`","password":"` + hsstest.DefaultPassword + `","domain":{"name":"` + hsstest.DefaultDomain + `"}}}},"scope":{"project":` + project + `}}}`)
	}
	for project, want := range map[string]int{
		`{"name":"` + srv.Region() + `"}`:                                        http.StatusCreated,
		`{"id":"` + srv.ProjectID() + `"}`:                                       http.StatusCreated,
		`{"id":"` + srv.ProjectID() + `","name":"elsewhere"}`:                    http.StatusCreated,
		`{"id":"` + strings.Repeat("f", 32) + `","name":"` + srv.Region() + `"}`: http.StatusBadRequest,
		`{"name":"cn-north-4"}`:                                                  http.StatusBadRequest,
	} {
		if r := call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, body(project), noAuth); r.status != want {
			t.Errorf("scope %s: %d %s, want %d", project, r.status, r.body, want)
		}
	}
}

// TestRepeatedCredentialHeaders: a credential header sent twice is refused,
// 401, even when the signature covers both values: read by its first value,
// a second one would pass unseen.
func TestRepeatedCredentialHeaders(t *testing.T) {
	srv := newServer(t, hsstest.Options{Tokens: []string{"ready-made-token"}})
	for name, auth := range map[string]authFunc{
		"X-Auth-Token": func(req *http.Request, _ []byte) error {
			req.Header["X-Auth-Token"] = []string{"ready-made-token", "another"}
			return nil
		},
		"X-Project-Id": func(req *http.Request, body []byte) error {
			req.Header["X-Project-Id"] = []string{srv.ProjectID(), strings.Repeat("e", 32)}
			return signed(defaultKey, t0)(req, body)
		},
	} {
		r := call(t, srv, http.MethodGet, taskPath(srv, "x"), allProjects, nil, auth)
		wantError(t, r, http.StatusUnauthorized, "APIGW.0301", "repeated "+name)
	}
}

// TestTokenByDomainID: the user's account may be named by its id, which
// a token's document gives, as IAM takes it.
func TestTokenByDomainID(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	body := func(domain string) []byte {
		return []byte(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + hsstest.DefaultUser +
			`","password":"` + hsstest.DefaultPassword + `","domain":` + domain + `}}},"scope":{"project":{"name":"` + srv.Region() + `"}}}}`)
	}
	r := call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, body(`{"name":"`+hsstest.DefaultDomain+`"}`), noAuth)
	var doc struct {
		Token struct {
			User struct{ Domain struct{ ID string } }
		}
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.Token.User.Domain.ID == "" {
		t.Fatalf("token by domain name: %d %s", r.status, r.body)
	}
	if r := call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, body(`{"id":"`+doc.Token.User.Domain.ID+`"}`), noAuth); r.status != http.StatusCreated {
		t.Errorf("by the domain's id: %d %s, want 201", r.status, r.body)
	}
	if r := call(t, srv, http.MethodPost, "/v3/auth/tokens", nil, body(`{"id":"0000"}`), noAuth); r.status != http.StatusUnauthorized {
		t.Errorf("by another id: %d %s, want 401", r.status, r.body)
	}
}
