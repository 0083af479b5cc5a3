package signer

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkSigningEscaped fails unless s holds only unreserved bytes, %XY escapes
// with upper-case hex, and the bytes in structural.
func checkSigningEscaped(t *testing.T, s, structural string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c), strings.IndexByte(structural, c) >= 0:
		case c == '%' && i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]):
			i += 2
		default:
			t.Fatalf("output %q has %q at %d", s, c, i)
		}
	}
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func FuzzCanonicalQuery(f *testing.F) {
	for _, c := range katCases {
		f.Add(c.query)
	}
	for _, s := range []string{"", "a", "=", "&&", "a=%", "a=%zz&b=%4", "a+b=c+d", "k=中&k=%C3%A9&k=~", "a;b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := CanonicalQuery(raw)
		if again := CanonicalQuery(raw); again != got {
			t.Fatalf("not deterministic: %q then %q", got, again)
		}
		checkSigningEscaped(t, got, "=&")
		if got != "" {
			for _, pair := range strings.Split(got, "&") {
				if strings.Count(pair, "=") != 1 {
					t.Fatalf("pair %q of %q is not key=value", pair, got)
				}
			}
		}
		// The canonical form reads back as the same pairs.
		if again := CanonicalQuery(got); again != got {
			t.Fatalf("not idempotent: %q gives %q, which gives %q", raw, got, again)
		}
		// Where url.ParseQuery accepts the query, both read the same pairs.
		if parsed, err := url.ParseQuery(raw); err == nil {
			var want []string
			for k, vs := range parsed {
				for _, v := range vs {
					want = append(want, signingEscape(k)+"="+signingEscape(v))
				}
			}
			var have []string
			if got != "" {
				have = strings.Split(got, "&")
			}
			slices.Sort(want)
			slices.Sort(have)
			if !slices.Equal(have, want) {
				t.Fatalf("CanonicalQuery(%q) = %q; url.ParseQuery reads pairs %q", raw, got, want)
			}
		}
	})
}

func FuzzCanonicalURI(f *testing.F) {
	for _, c := range katCases {
		f.Add(c.path)
	}
	for _, s := range []string{"", "/", "//", "/a%2Fb", "/%", "/%zz", "/a+b", "/中文/😀", "/a b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		got := CanonicalURI(path)
		if again := CanonicalURI(path); again != got {
			t.Fatalf("not deterministic: %q then %q", got, again)
		}
		checkSigningEscaped(t, got, "/")
		if !strings.HasSuffix(got, "/") {
			t.Fatalf("CanonicalURI(%q) = %q does not end with /", path, got)
		}
		if want := strings.Count(path, "/"); strings.Count(got, "/") != want && strings.Count(got, "/") != want+1 {
			t.Fatalf("CanonicalURI(%q) = %q changed the segments", path, got)
		}
		if again := CanonicalURI(got); again != got {
			t.Fatalf("not idempotent: %q gives %q, which gives %q", path, got, again)
		}
	})
}

func FuzzSignVerify(f *testing.F) {
	for _, c := range katCases {
		f.Add(c.method, c.path, c.query, c.header.Get("Content-Type"), c.header.Get(HeaderProjectID), c.header.Get(HeaderSecurityToken), []byte(c.body), katAccessKey, katSecretKey, katTime.Unix())
	}
	f.Add("", "", "", "", "", "", []byte(nil), "A", "S", int64(0))
	f.Fuzz(func(t *testing.T, method, path, query, contentType, projectID, token string, body []byte, ak, sk string, unix int64) {
		// Keep the time within years 1970-9999, which DateLayout can write.
		const maxUnix = 253402300799 // 9999-12-31T23:59:59Z
		unix %= maxUnix
		if unix < 0 {
			unix = -unix
		}
		at := time.Unix(unix, 0)

		req := &http.Request{
			Method: method,
			URL:    &url.URL{Scheme: "https", Host: "hss.example", Path: path, RawQuery: query},
			Header: http.Header{},
		}
		for name, v := range map[string]string{"Content-Type": contentType, HeaderProjectID: projectID, HeaderSecurityToken: token} {
			if v != "" {
				req.Header[name] = []string{v}
			}
		}
		payloadHash := HashPayload(body)
		key := Key{AccessKey: ak, SecretKey: sk}
		if err := Sign(req, payloadHash, key, at); err != nil {
			if checkKey(key) == nil {
				t.Fatalf("Sign refused a valid key: %v", err)
			}
			return
		}
		// A Signer for the key signs the same.
		signed := req.Header.Get(HeaderAuthorization)
		if s, err := NewSigner(key); err != nil {
			t.Fatalf("NewSigner refused a key Sign took: %v", err)
		} else if err := s.Sign(req, payloadHash, at); err != nil || req.Header.Get(HeaderAuthorization) != signed {
			t.Fatalf("Signer.Sign = %v, Authorization %q; Sign's %q", err, req.Header.Get(HeaderAuthorization), signed)
		}
		lookup := func(got string) (string, bool) { return sk, got == ak }
		gotAK, err := Verify(req, payloadHash, lookup, at, time.Second)
		if err != nil || gotAK != ak {
			t.Fatalf("Verify = %q, %v; want %q, nil\nAuthorization: %s", gotAK, err, ak, req.Header.Get(HeaderAuthorization))
		}
		wrong := func(string) (string, bool) { return sk + "x", true }
		if _, err := Verify(req, payloadHash, wrong, at, time.Second); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("Verify with another secret = %v, want ErrSignatureMismatch", err)
		}
	})
}

// FuzzSignerPrefix signs two requests twice each with one Signer (a
// beginning is kept the second time), the second built from the first with
// the fuzzed parts replaced, then the first again, and compares every
// signature with Sign's: a request starts from a kept canonical request
// beginning only when that beginning is truly the same (crPrefix).
func FuzzSignerPrefix(f *testing.F) {
	f.Add("POST", "/v5/p/event/operate", "", "enterprise_project_id=0", "hss.example", "application/json", "p1", "")
	f.Add("GET", "/v5/p/a b", "/v5/p/a%20b", "", "hss.example:8443", "", "", "tok")
	f.Add("", "/v5/p/a/b", "/v5/p/a%2Fb", "x=1&x=2", " hss.example ", "text/plain", strings.Repeat("x", 70), "")
	// The first request's beginning again (an empty Host is the URL's), and
	// the same but for one part: each must be told from the kept one.
	f.Add("POST", "/v5/p/event/operate", "", "enterprise_project_id=0", "", "application/json", "p1", "")
	f.Add("POST", "/v5/p/event/operate", "/v5/p%2Fevent/operate", "enterprise_project_id=0", "", "application/json", "p1", "")
	f.Add("PUT", "/v5/p/event/operate", "", "enterprise_project_id=0", "", "application/json", "p1", "")
	f.Add("POST", "/v5/p/event/operate", "", "enterprise_project_id=0", "", "application/json", "p1", "tok")
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	f.Fuzz(func(t *testing.T, method, path, rawPath, query, host, contentType, projectID, token string) {
		s, err := NewSigner(key)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := http.NewRequest(http.MethodPost, "https://hss.ap-southeast-1.myhuaweicloud.com/v5/p/event/operate?enterprise_project_id=0", nil)
		first.Header.Set("Content-Type", "application/json")
		first.Header.Set(HeaderProjectID, "p1")
		second := first.Clone(first.Context())
		second.Method = method
		second.URL.Path, second.URL.RawPath, second.URL.RawQuery = path, rawPath, query
		second.Host = host
		for k, v := range map[string]string{"Content-Type": contentType, HeaderProjectID: projectID, HeaderSecurityToken: token} {
			if v == "" {
				second.Header.Del(k)
			} else {
				second.Header[k] = []string{v}
			}
		}
		hash := HashPayload([]byte(query))
		// Each twice (a beginning is kept the second time it is signed),
		// then the first again, from its kept beginning.
		again := func(r *http.Request) *http.Request { return r.Clone(r.Context()) }
		for i, req := range []*http.Request{first, again(first), second, again(second), again(first)} {
			want := req.Clone(req.Context())
			signErr := Sign(want, hash, key, katTime)
			err := s.Sign(req, hash, katTime)
			if (err == nil) != (signErr == nil) {
				t.Fatalf("request %d: Signer: %v, Sign: %v", i, err, signErr)
			}
			if got, want := req.Header.Get(HeaderAuthorization), want.Header.Get(HeaderAuthorization); got != want {
				t.Fatalf("request %d: Signer %q, Sign %q", i, got, want)
			}
		}
	})
}
