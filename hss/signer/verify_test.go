package signer

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testMaxSkew = 15 * time.Minute

func katLookup(ak string) (string, bool) {
	if ak == katAccessKey {
		return katSecretKey, true
	}
	return "", false
}

// signedExport returns the signed export request of the known-answer tests
// and its payload hash.
func signedExport(t *testing.T) (*http.Request, string) {
	t.Helper()
	c := katCases[0]
	req := newKATRequest(t, c)
	req.Header[HeaderSecurityToken] = []string{"token"}
	payloadHash := HashPayload([]byte(c.body))
	if err := Sign(req, payloadHash, Key{AccessKey: katAccessKey, SecretKey: katSecretKey}, katTime); err != nil {
		t.Fatal(err)
	}
	return req, payloadHash
}

func TestVerify(t *testing.T) {
	setAuth := func(v string) func(*http.Request, *string, *time.Time) {
		return func(r *http.Request, _ *string, _ *time.Time) { r.Header.Set(HeaderAuthorization, v) }
	}
	editAuth := func(old, new string) func(*http.Request, *string, *time.Time) {
		return func(r *http.Request, _ *string, _ *time.Time) {
			r.Header.Set(HeaderAuthorization, strings.Replace(r.Header.Get(HeaderAuthorization), old, new, 1))
		}
	}
	tests := []struct {
		name      string
		modify    func(req *http.Request, payloadHash *string, now *time.Time)
		lookup    func(string) (string, bool)
		nilLookup bool
		wantErr   error
	}{
		{name: "as signed"},
		{name: "unsigned header added", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Set("X-Request-Id", "1") }},
		{name: "same query, other escaping", modify: func(r *http.Request, _ *string, _ *time.Time) {
			r.URL.RawQuery = strings.ReplaceAll(r.URL.RawQuery, "_", "%5F") + "&&"
		}},
		{name: "exactly max skew late", modify: func(_ *http.Request, _ *string, now *time.Time) { *now = now.Add(testMaxSkew) }},
		{name: "exactly max skew early", modify: func(_ *http.Request, _ *string, now *time.Time) { *now = now.Add(-testMaxSkew) }},

		{name: "no authorization", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Del(HeaderAuthorization) }, wantErr: ErrMissingSignature},
		{name: "empty authorization", modify: setAuth(""), wantErr: ErrMissingSignature},
		{name: "two authorizations", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Add(HeaderAuthorization, "x") }, wantErr: ErrMalformedAuthorization},
		{name: "other scheme", modify: setAuth("Bearer abc"), wantErr: ErrMalformedAuthorization},
		{name: "other algorithm", modify: editAuth("SDK-HMAC-SHA256 ", "SDK-HMAC-SM3 "), wantErr: ErrMalformedAuthorization},
		{name: "no signature field", modify: editAuth(", Signature=", ", Sig="), wantErr: ErrMalformedAuthorization},
		{name: "no access field", modify: editAuth("Access=", "AK="), wantErr: ErrMalformedAuthorization},
		{name: "empty access", modify: editAuth("Access="+katAccessKey, "Access="), wantErr: ErrMalformedAuthorization},
		{name: "repeated field", modify: editAuth(", Signature=", ", Access=x, Signature="), wantErr: ErrMalformedAuthorization},
		{name: "signature not hex", modify: editAuth("Signature=", "Signature=zz"), wantErr: ErrMalformedAuthorization},
		{name: "signature upper case", modify: func(r *http.Request, _ *string, _ *time.Time) {
			v := r.Header.Get(HeaderAuthorization)
			i := strings.Index(v, "Signature=") + len("Signature=")
			r.Header.Set(HeaderAuthorization, v[:i]+strings.ToUpper(v[i:]))
		}, wantErr: ErrMalformedAuthorization},
		{name: "host struck from the signed headers", modify: editAuth("content-type;host;", "content-type;"), wantErr: ErrSignatureMismatch},
		{name: "date not signed", modify: editAuth(";x-sdk-date", ""), wantErr: ErrMalformedAuthorization},
		{name: "signed headers unsorted", modify: editAuth("content-type;host", "host;content-type"), wantErr: ErrMalformedAuthorization},
		{name: "signed headers upper case", modify: editAuth("content-type", "Content-Type"), wantErr: ErrMalformedAuthorization},
		{name: "signed headers empty entry", modify: editAuth("content-type;", "content-type;;"), wantErr: ErrMalformedAuthorization},
		{name: "no date", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Del(HeaderDate) }, wantErr: ErrMalformedAuthorization},
		{name: "date in other layout", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Set(HeaderDate, katTime.Format(time.RFC3339)) }, wantErr: ErrMalformedAuthorization},
		{name: "date with fractional seconds", modify: func(r *http.Request, _ *string, _ *time.Time) {
			r.Header.Set(HeaderDate, strings.Replace(r.Header.Get(HeaderDate), "Z", ".5Z", 1)) // time.Parse takes it
		}, wantErr: ErrMalformedAuthorization},

		{name: "unknown access key", lookup: func(string) (string, bool) { return "", false }, wantErr: ErrUnknownAccessKey},
		{name: "empty secret", lookup: func(string) (string, bool) { return "", true }, wantErr: ErrUnknownAccessKey},
		{name: "nil lookup", nilLookup: true, wantErr: ErrUnknownAccessKey},

		{name: "stale", modify: func(_ *http.Request, _ *string, now *time.Time) { *now = now.Add(testMaxSkew + time.Second) }, wantErr: ErrStaleDate},
		{name: "from the future", modify: func(_ *http.Request, _ *string, now *time.Time) { *now = now.Add(-testMaxSkew - time.Second) }, wantErr: ErrStaleDate},

		{name: "wrong secret", lookup: func(string) (string, bool) { return katSecretKey + "x", true }, wantErr: ErrSignatureMismatch},
		{name: "body hash", modify: func(_ *http.Request, h *string, _ *time.Time) { *h = EmptyPayloadHash }, wantErr: ErrSignatureMismatch},
		{name: "method", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Method = http.MethodPut }, wantErr: ErrSignatureMismatch},
		{name: "path", modify: func(r *http.Request, _ *string, _ *time.Time) { r.URL.Path += "x" }, wantErr: ErrSignatureMismatch},
		{name: "path trailing slash", modify: func(r *http.Request, _ *string, _ *time.Time) { r.URL.Path = "/" + r.URL.Path }, wantErr: ErrSignatureMismatch},
		{name: "query value", modify: func(r *http.Request, _ *string, _ *time.Time) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "limit=200", "limit=201", 1)
		}, wantErr: ErrSignatureMismatch},
		{name: "query added", modify: func(r *http.Request, _ *string, _ *time.Time) { r.URL.RawQuery += "&x" }, wantErr: ErrSignatureMismatch},
		{name: "query removed", modify: func(r *http.Request, _ *string, _ *time.Time) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "&severity_list=High", "", 1)
		}, wantErr: ErrSignatureMismatch},
		{name: "host", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Host = "evil.example" }, wantErr: ErrSignatureMismatch},
		{name: "project header", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Set(HeaderProjectID, "other") }, wantErr: ErrSignatureMismatch},
		{name: "token header", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Set(HeaderSecurityToken, "other") }, wantErr: ErrSignatureMismatch},
		{name: "content type header", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Set("Content-Type", "text/plain") }, wantErr: ErrSignatureMismatch},
		{name: "signed header removed", modify: func(r *http.Request, _ *string, _ *time.Time) { r.Header.Del(HeaderProjectID) }, wantErr: ErrSignatureMismatch},
		{name: "date changed", modify: func(r *http.Request, _ *string, _ *time.Time) {
			r.Header.Set(HeaderDate, katTime.Add(time.Second).UTC().Format(DateLayout))
		}, wantErr: ErrSignatureMismatch},
		{name: "signature changed", modify: func(r *http.Request, _ *string, _ *time.Time) {
			v := r.Header.Get(HeaderAuthorization)
			flipped := "0"
			if strings.HasSuffix(v, "0") {
				flipped = "1"
			}
			r.Header.Set(HeaderAuthorization, v[:len(v)-1]+flipped)
		}, wantErr: ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, payloadHash := signedExport(t)
			now := katTime
			if tt.modify != nil {
				tt.modify(req, &payloadHash, &now)
			}
			lookup := katLookup
			if tt.lookup != nil {
				lookup = tt.lookup
			}
			if tt.nilLookup {
				lookup = nil
			}
			ak, err := Verify(req, payloadHash, lookup, now, testMaxSkew)
			if tt.wantErr == nil {
				if err != nil || ak != katAccessKey {
					t.Fatalf("Verify = %q, %v; want %q, nil", ak, err, katAccessKey)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if ak != "" {
				t.Errorf("Verify returned access key %q with an error", ak)
			}
			for _, sentinel := range []error{ErrMissingSignature, ErrMalformedAuthorization, ErrUnknownAccessKey, ErrStaleDate, ErrSignatureMismatch} {
				if sentinel != tt.wantErr && errors.Is(err, sentinel) {
					t.Errorf("Verify error %v also matches %v", err, sentinel)
				}
			}
			if strings.Contains(err.Error(), katSecretKey) {
				t.Errorf("Verify error contains the secret key: %v", err)
			}
		})
	}
}

// TestVerifyOverLoopback sends signed requests through a real HTTP server
// and verifies them as received: the server sees the path, query and Host
// as they went over the wire, not the client's url.URL.
func TestVerifyOverLoopback(t *testing.T) {
	type result struct {
		ak  string
		err error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			results <- result{err: err}
			return
		}
		ak, err := Verify(r, HashPayload(body), katLookup, katTime.Add(time.Minute), testMaxSkew)
		results <- result{ak, err}
	}))
	defer srv.Close()

	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	for _, target := range []string{
		"/v5/p/event/export?enterprise_project_id=0&severity_list=High&severity_list=Critical",
		"/v5/a%20b/c+d/%E4%B8%AD/%F0%9F%98%80?q=a+b&q=a%2Bb&zh=%E4%B8%AD&emoji=%F0%9F%98%80&empty=&novalue",
		"/v5/a%2Fb/?x=%26%3D%25",
		"",
		"/?",
	} {
		t.Run(target, func(t *testing.T) {
			body := `{"a":"中"}`
			req, err := http.NewRequest(http.MethodPost, srv.URL+target, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(HeaderProjectID, katProject)
			req.Header.Set(HeaderSecurityToken, "token")
			if err := Sign(req, HashPayload([]byte(body)), key, katTime); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := <-results; got.err != nil || got.ak != katAccessKey {
				t.Errorf("server Verify = %q, %v; want %q, nil", got.ak, got.err, katAccessKey)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	const secret = "VerySecretKey0123456789"
	req := func() *http.Request {
		r, err := http.NewRequest(http.MethodGet, "https://h.example/", nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name        string
		req         *http.Request
		payloadHash string
		key         Key
		wantInErr   string
	}{
		{"empty access key", req(), EmptyPayloadHash, Key{SecretKey: secret}, "access key"},
		{"empty secret key", req(), EmptyPayloadHash, Key{AccessKey: "AK"}, "secret key"},
		{"access key with comma", req(), EmptyPayloadHash, Key{AccessKey: "A,K", SecretKey: secret}, "access key"},
		{"access key with space", req(), EmptyPayloadHash, Key{AccessKey: "A K", SecretKey: secret}, "access key"},
		{"access key not ASCII", req(), EmptyPayloadHash, Key{AccessKey: "AKé", SecretKey: secret}, "access key"},
		{"empty payload hash", req(), "", Key{AccessKey: "AK", SecretKey: secret}, "payload hash"},
		{"upper-case payload hash", req(), strings.ToUpper(EmptyPayloadHash), Key{AccessKey: "AK", SecretKey: secret}, "payload hash"},
		{"payload hash is the body", req(), secret, Key{AccessKey: "AK", SecretKey: secret}, "payload hash"},
		{"nil request", nil, EmptyPayloadHash, Key{AccessKey: "AK", SecretKey: secret}, "URL"},
		{"no URL", &http.Request{}, EmptyPayloadHash, Key{AccessKey: "AK", SecretKey: secret}, "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Sign(tt.req, tt.payloadHash, tt.key, katTime)
			if err == nil {
				t.Fatal("Sign succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not name %q", err, tt.wantInErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error contains the secret key: %q", err)
			}
			if tt.req != nil && tt.req.Header.Get(HeaderAuthorization) != "" {
				t.Error("Sign set Authorization despite the error")
			}
		})
	}
}

func TestSignNilHeader(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://h.example/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = nil
	if err := Sign(req, EmptyPayloadHash, Key{AccessKey: "AK", SecretKey: "SK"}, katTime); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(req.Header.Get(HeaderAuthorization), Algorithm+" Access=AK, SignedHeaders=host;x-sdk-date, Signature=") {
		t.Errorf("Authorization = %q", req.Header.Get(HeaderAuthorization))
	}
}
