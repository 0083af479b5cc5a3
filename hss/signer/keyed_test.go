package signer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSignerKnownAnswers signs every known-answer case with a Signer: the
// same Authorization as the published algorithm's, three times in a row
// (the beginning new, kept the second time, and copied the third).
func TestSignerKnownAnswers(t *testing.T) {
	s, err := NewSigner(Key{AccessKey: katAccessKey, SecretKey: katSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range katCases {
		for round := range 3 {
			req := newKATRequest(t, c)
			if err := s.Sign(req, HashPayload([]byte(c.body)), katTime); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got, want := req.Header.Get(HeaderAuthorization), katWant[c.name].authorization; got != want {
				t.Errorf("%s, round %d: Authorization\n got %q\nwant %q", c.name, round, got, want)
			}
			if got := req.Header.Get(HeaderDate); got != katDate {
				t.Errorf("%s: X-Sdk-Date = %q, want %q", c.name, got, katDate)
			}
		}
	}
}

// TestSignerMatchesSignConcurrently signs different requests from
// goroutines sharing one Signer (under -race in make test) and compares
// each signature with Sign's, for secret keys shorter than, as long as and
// longer than a SHA-256 block (HMAC hashes a longer key first).
func TestSignerMatchesSignConcurrently(t *testing.T) {
	for _, secret := range []string{"s", katSecretKey, strings.Repeat("k", 64), strings.Repeat("long-secret-", 10)} {
		key := Key{AccessKey: katAccessKey, SecretKey: secret}
		s, err := NewSigner(key)
		if err != nil {
			t.Fatal(err)
		}
		inGoroutines(t, 8, func(g int) string {
			for i := range 50 {
				target := "https://hss.example/v5/p/event/operate?id=" + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				body := []byte(strings.Repeat("b", g*i))
				at := katTime.Add(time.Duration(i) * time.Second)
				a, _ := http.NewRequest(http.MethodPost, target, nil)
				b, _ := http.NewRequest(http.MethodPost, target, nil)
				if err := Sign(a, HashPayload(body), key, at); err != nil {
					return err.Error()
				}
				if err := s.Sign(b, HashPayload(body), at); err != nil {
					return err.Error()
				}
				if a.Header.Get(HeaderAuthorization) != b.Header.Get(HeaderAuthorization) {
					return fmt.Sprintf("secret of %d bytes, %s: Signer %q, Sign %q", len(secret), target, b.Header.Get(HeaderAuthorization), a.Header.Get(HeaderAuthorization))
				}
			}
			return ""
		})
	}
}

// inGoroutines runs f(0) to f(n-1) at once and fails t with every message
// they return ("" for none).
func inGoroutines(t *testing.T, n int, f func(g int) string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if msg := f(g); msg != "" {
				errs <- msg
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestNewSignerRejects refuses the keys Sign refuses, without the secret in
// the error; a Signer refuses a bad payload hash as Sign does.
func TestNewSignerRejects(t *testing.T) {
	const secret = "VerySecretKey0123456789"
	for _, key := range []Key{{SecretKey: secret}, {AccessKey: "AK"}, {AccessKey: "A,K", SecretKey: secret}, {AccessKey: "A K", SecretKey: secret}} {
		_, err := NewSigner(key)
		if err == nil || !strings.Contains(err.Error(), "key") || strings.Contains(err.Error(), secret) {
			t.Errorf("NewSigner(%v) = %v, want an error naming the key, without the secret", key, err)
		}
		if signErr := Sign(&http.Request{}, EmptyPayloadHash, key, katTime); err == nil || signErr == nil || err.Error() != signErr.Error() {
			t.Errorf("NewSigner(%v) = %v, Sign says %v", key, err, signErr)
		}
	}
	s, err := NewSigner(Key{AccessKey: "AK", SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://h.example/", nil)
	if err := s.Sign(req, secret, katTime); err == nil || strings.Contains(err.Error(), secret) || req.Header.Get(HeaderAuthorization) != "" {
		t.Errorf("Signer.Sign with the body as payload hash = %v, Authorization %q", err, req.Header.Get(HeaderAuthorization))
	}
}

func TestSignerNeverPrintsSecret(t *testing.T) {
	const secret = "s3cr3t-SK-value"
	s, err := NewSigner(Key{AccessKey: "HPUAEXAMPLE", SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	type holder struct{ S *Signer }
	// By value too, and in an unexported field, where fmt cannot call the
	// Signer's own methods and prints its fields.
	type hidden struct{ s Signer }
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, arg := range []any{s, holder{s}, &holder{s}, []*Signer{s}, *s, hidden{*s}, &hidden{*s}} {
			if got := fmt.Sprintf(format, arg); strings.Contains(got, secret) || strings.Contains(got, fmt.Sprintf("%x", secret)) {
				t.Errorf("Sprintf(%q, %T) = %q shows the secret", format, arg, got)
			}
		}
	}
	want := "signer.Signer{signer.Key{AccessKey: HPUAEXAMPLE, SecretKey: [redacted]}}"
	// Every verb prints String, not the Signer's fields (its key's closure
	// and kept beginnings).
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
		if got := fmt.Sprintf(format, s); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", format, got, want)
		}
	}
}

// TestZeroSignerRefuses: a Signer not made by NewSigner says so instead of
// panicking.
func TestZeroSignerRefuses(t *testing.T) {
	req := newKATRequest(t, katCases[0])
	for _, s := range []*Signer{{}, nil} {
		if err := s.Sign(req, EmptyPayloadHash, katTime); err == nil || !strings.Contains(err.Error(), "NewSigner") {
			t.Errorf("%v: err = %v", s, err)
		}
	}
	if got := fmt.Sprint(Signer{}); got != "signer.Signer{}" {
		t.Errorf("the zero Signer prints %q", got)
	}
}

// TestSignerAllocations: a Signer allocates what Sign does, the one string
// of the two header values and the one slice of both.
func TestSignerAllocations(t *testing.T) {
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	req := newKATRequest(t, katCases[0])
	hash := HashPayload([]byte(katCases[0].body))
	_ = s.Sign(req, hash, katTime)
	_ = s.Sign(req, hash, katTime) // its beginning kept
	if n := testing.AllocsPerRun(200, func() { _ = s.Sign(req, hash, katTime) }); n > 2 {
		t.Errorf("Signer.Sign allocates %v times per call, want at most 2", n)
	}
	// A secret longer than a block is hashed once, in NewSigner.
	long, err := NewSigner(Key{AccessKey: katAccessKey, SecretKey: strings.Repeat("long-secret-", 10)})
	if err != nil {
		t.Fatal(err)
	}
	_ = long.Sign(req, hash, katTime)
	if n := testing.AllocsPerRun(200, func() { _ = long.Sign(req, hash, katTime) }); n > 2 {
		t.Errorf("Signer.Sign with a 120-byte secret allocates %v times per call, want at most 2", n)
	}
}

// TestSignerInFIPSOnlyMode runs itself again with GODEBUG=fips140=only, in
// which crypto/hmac refuses keys shorter than 112 bits: a Signer for such a
// key still signs, as Sign does (neither uses crypto/hmac), instead of
// panicking in the middle of a call.
func TestSignerInFIPSOnlyMode(t *testing.T) {
	if os.Getenv("SIGNER_FIPS_CHILD") == "1" {
		for _, secret := range []string{"short", katSecretKey} {
			key := Key{AccessKey: katAccessKey, SecretKey: secret}
			s, err := NewSigner(key)
			if err != nil {
				t.Fatal(err)
			}
			a, b := newKATRequest(t, katCases[0]), newKATRequest(t, katCases[0])
			hash := HashPayload([]byte(katCases[0].body))
			if err := Sign(a, hash, key, katTime); err != nil {
				t.Fatal(err)
			}
			if err := s.Sign(b, hash, katTime); err != nil {
				t.Fatal(err)
			}
			if a.Header.Get(HeaderAuthorization) != b.Header.Get(HeaderAuthorization) {
				t.Errorf("secret of %d bytes: Signer %q, Sign %q", len(secret), b.Header.Get(HeaderAuthorization), a.Header.Get(HeaderAuthorization))
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignerInFIPSOnlyMode$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIGNER_FIPS_CHILD=1", "GODEBUG=fips140=only")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("in FIPS 140-only mode: %v\n%s", err, out)
	}
}

// TestSignerPrefixMatchesSign: a Signer writes the beginning of a canonical
// request once and copies it into the next request that shares it
// (crPrefix). Every part of that beginning is changed here, one at a time,
// between two signatures of one Signer, and each signature is compared with
// Sign's: a part the Signer did not tell apart would sign the next request
// with the previous one's prefix. The prefix must also not change when the
// caller reuses the header slices it was read from.
func TestSignerPrefixMatchesSign(t *testing.T) {
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	base := func() *http.Request {
		req, err := http.NewRequest(http.MethodPost, "https://hss.ap-southeast-1.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/event/operate?enterprise_project_id=all_granted_eps", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderProjectID, "0123456789abcdef0123456789abcdef")
		return req
	}
	long := strings.Repeat("x", 150)
	// A beginning longer than the Signer's buffer on the stack, which the
	// copy of a kept one makes grow.
	longer := strings.Repeat("y", 1100)
	variants := []struct {
		name string
		edit func(*http.Request)
	}{
		{"the same request", func(*http.Request) {}},
		{"method", func(r *http.Request) { r.Method = http.MethodPut }},
		{"empty method (GET)", func(r *http.Request) { r.Method = "" }},
		{"GET", func(r *http.Request) { r.Method = http.MethodGet }},
		{"path", func(r *http.Request) { r.URL.Path = "/v5/0123456789abcdef0123456789abcdef/event/export" }},
		{"path, long", func(r *http.Request) { r.URL.Path = "/v5/" + long + "/event/operate" }},
		{"raw path", func(r *http.Request) {
			r.URL.Path = "/v5/a b/event/operate"
			r.URL.RawPath = "/v5/a%20b/event/operate"
		}},
		{"raw path, other escape", func(r *http.Request) {
			r.URL.Path = "/v5/a b/event/operate"
			r.URL.RawPath = ""
		}},
		{"query", func(r *http.Request) { r.URL.RawQuery = "enterprise_project_id=0" }},
		{"no query", func(r *http.Request) { r.URL.RawQuery = "" }},
		{"query, long", func(r *http.Request) { r.URL.RawQuery = "a=" + long + "&b=" + long }},
		{"query, longer than the buffer", func(r *http.Request) { r.URL.RawQuery = "a=" + longer }},
		{"query, longer than the buffer, with a token", func(r *http.Request) {
			r.URL.RawQuery = "a=" + longer
			r.Header.Set(HeaderSecurityToken, strings.Repeat("t", 1200))
		}},
		{"host from URL", func(r *http.Request) { r.URL.Host = "hss.eu-west-101.myhuaweicloud.eu" }},
		{"host from Host", func(r *http.Request) { r.Host = "hss.example.internal:8443" }},
		{"host with spaces", func(r *http.Request) { r.Host = " hss.ap-southeast-1.myhuaweicloud.com " }},
		{"content type", func(r *http.Request) { r.Header.Set("Content-Type", "application/json;charset=UTF-8") }},
		{"no content type", func(r *http.Request) { r.Header.Del("Content-Type") }},
		{"content type twice", func(r *http.Request) { r.Header.Add("Content-Type", "text/plain") }},
		{"project id", func(r *http.Request) { r.Header.Set(HeaderProjectID, "fedcba9876543210fedcba9876543210") }},
		{"project id, long", func(r *http.Request) { r.Header.Set(HeaderProjectID, long) }},
		{"no project id", func(r *http.Request) { r.Header.Del(HeaderProjectID) }},
		{"security token", func(r *http.Request) { r.Header.Set(HeaderSecurityToken, "token-1") }},
		{"unsigned header", func(r *http.Request) { r.Header.Set("User-Agent", "other") }},
	}
	sign := func(name string, req *http.Request, at time.Time) {
		t.Helper()
		want := req.Clone(context.Background())
		hash := HashPayload([]byte(name))
		if err := Sign(want, hash, key, at); err != nil {
			t.Fatal(err)
		}
		if err := s.Sign(req, hash, at); err != nil {
			t.Fatal(err)
		}
		if got, want := req.Header.Get(HeaderAuthorization), want.Header.Get(HeaderAuthorization); got != want {
			t.Errorf("%s: Signer %q, Sign %q", name, got, want)
		}
	}
	at := katTime
	for _, v := range variants {
		// base, the variant twice (kept the second time), the variant again
		// (from its own prefix), base.
		sign("base before "+v.name, base(), at)
		for i := range 3 {
			req := base()
			v.edit(req)
			at = at.Add(time.Second)
			sign(v.name+" "+strconv.Itoa(i), req, at)
		}
		sign("base after "+v.name, base(), at)
	}

	// Two paths that differ only in how they are escaped, one after the
	// other: "/" as a separator, then as %2F in a segment.
	for _, raw := range []string{"", "/v5/a%2Fb/event/operate", ""} {
		req := base()
		req.URL.Path, req.URL.RawPath = "/v5/a/b/event/operate", raw
		sign("path escaped as "+req.URL.EscapedPath(), req, at)
	}

	// Several values, then others: one, another two, two written in place
	// after signing, and one empty value (signed, as an empty line).
	for _, vs := range [][]string{{"text/plain", "application/json"}, {""}, {"text/plain", "application/json"}, {"text/plain", "text/csv"}} {
		req := base()
		req.Header["Content-Type"] = vs
		sign("content types "+strings.Join(vs, "|"), req, at)
		sign("content types "+strings.Join(vs, "|")+", kept", req, at)
	}
	req := base()
	req.Header["Content-Type"] = []string{"text/plain", "text/xml"}
	sign("two content types", req, at)
	sign("two content types, kept", req, at)
	req.Header["Content-Type"][1] = "text/yaml" // a value no kept beginning has
	sign("two content types, one written in place", req, at)

	// A header slice the prefix was read from (a request the Signer had not
	// seen), written in place afterwards.
	req = base()
	req.Header.Set(HeaderProjectID, "11111111111111111111111111111111")
	sign("shared slices", req, at)
	sign("shared slices, kept", req, at)
	req.Header[HeaderProjectID][0] = "fedcba9876543210fedcba9876543210"
	req.Header["Content-Type"][0] = "text/plain"
	sign("shared slices, written in place", req, at)
	other := base()
	sign("base after shared slices", other, at)
}

// keeps reports whether s keeps the canonical request beginning of r, a
// request with a Content-Type and an X-Project-Id.
func keeps(s *Signer, r *http.Request) bool {
	values := [][]string{r.Header["Content-Type"], nil, r.Header[HeaderProjectID]}
	return s.st.lookupPrefix(r.Method, r.URL, r.URL.Host, []string{"content-type", "host", "x-project-id"}, values) != nil
}

// TestSignerKeepsWhatRepeats: a Signer keeps a beginning the second time
// it signs it, not the first; requests whose beginnings never repeat (a
// new query each time) allocate no more than Sign and push out none of the
// kept beginnings.
func TestSignerKeepsWhatRepeats(t *testing.T) {
	s, err := NewSigner(Key{AccessKey: katAccessKey, SecretKey: katSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	req := func(query string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "https://hss.example/v5/p/event/export?"+query, nil)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(HeaderProjectID, "p")
		return r
	}
	repeated := req("category=host")
	_ = s.Sign(repeated, EmptyPayloadHash, katTime)
	if keeps(s, repeated) {
		t.Error("a beginning signed once is kept")
	}
	_ = s.Sign(repeated, EmptyPayloadHash, katTime)
	if !keeps(s, repeated) {
		t.Fatal("a beginning signed twice is not kept")
	}
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	i := 0
	base := testing.AllocsPerRun(64, func() {
		i++
		_ = Sign(req("offset="+strconv.Itoa(i)), EmptyPayloadHash, key, katTime)
	})
	first := i + 1 // the first offset the Signer signs
	n := testing.AllocsPerRun(64, func() {
		i++
		_ = s.Sign(req("offset="+strconv.Itoa(i)), EmptyPayloadHash, katTime)
	})
	if !keeps(s, repeated) {
		t.Error("beginnings signed once each pushed out a kept one")
	}
	for _, o := range []int{first, i} {
		if keeps(s, req("offset="+strconv.Itoa(o))) {
			t.Errorf("offset=%d, signed once by the Signer, is kept", o)
		}
	}
	if n > base {
		t.Errorf("new beginnings: %v allocations a request and signature, Sign's %v", n, base)
	}
}

// TestSignerPrefixesAlternate: a Signer keeps the beginnings of several
// operations' canonical requests, so requests that alternate between them
// (handling events while an export is polled) are signed from their own
// kept beginnings without allocating more than Sign; more operations than
// it keeps still sign as Sign does. 8 goroutines then sign a mix of kept and
// new beginnings, some with a security token, at once (under -race in make
// test).
func TestSignerPrefixesAlternate(t *testing.T) {
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	req := func(i int) *http.Request {
		r, err := http.NewRequest(http.MethodPost, "https://hss.example/v5/p/event/op"+strconv.Itoa(i)+"?q="+strconv.Itoa(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(HeaderProjectID, "p")
		if i%2 == 1 {
			r.Header.Set(HeaderSecurityToken, "token-"+strconv.Itoa(i))
		}
		return r
	}
	check := func(r *http.Request, at time.Time) string {
		want := r.Clone(context.Background())
		if err := Sign(want, EmptyPayloadHash, key, at); err != nil {
			return err.Error()
		}
		if err := s.Sign(r, EmptyPayloadHash, at); err != nil {
			return err.Error()
		}
		if got, want := r.Header.Get(HeaderAuthorization), want.Header.Get(HeaderAuthorization); got != want {
			return fmt.Sprintf("%s: Signer %q, Sign %q", r.URL, got, want)
		}
		return ""
	}
	// More operations than kept beginnings, in turn, twice over.
	for round := range 2 {
		for i := range prefixSlots + 2 {
			if msg := check(req(i), katTime.Add(time.Duration(round)*time.Second)); msg != "" {
				t.Error(msg)
			}
		}
	}

	// Two operations in turn: both signed from kept beginnings.
	a, b := req(0), req(1)
	for range 2 { // kept the second time
		_, _ = s.Sign(a, EmptyPayloadHash, katTime), s.Sign(b, EmptyPayloadHash, katTime)
	}
	for _, r := range []*http.Request{a, b} {
		if !keeps(s, r) {
			t.Errorf("%s: its beginning is not kept after two operations in turn", r.URL)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		_ = s.Sign(a, EmptyPayloadHash, katTime)
		_ = s.Sign(b, EmptyPayloadHash, katTime)
	}); n > 4 {
		t.Errorf("two operations in turn: %v allocations for two signatures, want at most 4 (Sign's)", n)
	}

	inGoroutines(t, 8, func(g int) string {
		for i := range 40 {
			if msg := check(req((g+i)%7), katTime.Add(time.Duration(i)*time.Second)); msg != "" {
				return msg
			}
		}
		return ""
	})
}

// tokenRequest is an operate request dated date with a security token of n
// bytes, all 'Z': no other "ZZZZ" is in its canonical request.
func tokenRequest(date string, n int) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, "https://hss.example/v5/p/event/operate", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderProjectID, "p")
	req.Header.Set(HeaderDate, date)
	req.Header.Set(HeaderSecurityToken, strings.Repeat("Z", n))
	return req
}

// TestSignerForgetsTheToken: the buffer a Signer hashes a canonical
// request in is left without the security token it held, for a new
// beginning and a kept one, and with tokens long enough to make the
// buffer grow (a grown buffer's first array must not keep a copy).
func TestSignerForgetsTheToken(t *testing.T) {
	const date = "20240102T030405Z"
	signed := []string{"content-type", "host", "x-project-id", "x-sdk-date", "x-security-token"}
	for n := 4; n <= 1500; n += 7 {
		req := tokenRequest(date, n)
		values := [][]string{req.Header["Content-Type"], nil, req.Header[HeaderProjectID], nil, req.Header[HeaderSecurityToken]}
		want := sha256.Sum256([]byte(CanonicalRequest(req, signed, EmptyPayloadHash)))
		// A Signer of its own for each length, so that the token goes
		// through each branch: a beginning seen first (not kept), seen
		// again (kept now), and kept.
		s, err := NewSigner(Key{AccessKey: katAccessKey, SecretKey: katSecretKey})
		if err != nil {
			t.Fatal(err)
		}
		for _, kept := range []string{"new", "new, kept now", "kept"} {
			if got := keeps(s, req); got != (kept == "kept") {
				t.Fatalf("token of %d bytes, %s beginning: kept is %v", n, kept, got)
			}
			// What signature does, with the array the buffer grew into
			// (which holds the token when it is long) in sight.
			buf := make([]byte, 0, 512)
			first := buf[:cap(buf)]
			cr := s.st.appendCanonical(buf, req, signed, values, EmptyPayloadHash, []byte(date))
			if got := sumAndClear(cr); got != want {
				t.Fatalf("token of %d bytes, %s beginning: not the canonical request's hash", n, kept)
			}
			if bytes.Contains(first, []byte("ZZZZ")) || bytes.Contains(cr[:cap(cr)], []byte("ZZZZ")) {
				t.Errorf("token of %d bytes, %s beginning: the buffer still holds the security token", n, kept)
			}
		}
	}
}

// TestSignForgetsTheToken: the buffer Sign (and Verify) hash a canonical
// request in is left without the security token it held, whether the
// values come read (Sign's) or not (Verify's), with or without x-sdk-date
// among the signed headers, and with tokens long enough to make the buffer
// grow (its first array, Sign's on the stack, must not keep a copy).
func TestSignForgetsTheToken(t *testing.T) {
	const date = "20240102T030405Z"
	withDate := []string{"content-type", "host", "x-project-id", "x-sdk-date", "x-security-token"}
	noDate := []string{"content-type", "host", "x-project-id", "x-security-token"}
	for n := 4; n <= 1500; n += 7 {
		req := tokenRequest(date, n)
		read := [][]string{req.Header["Content-Type"], nil, req.Header[HeaderProjectID], nil, req.Header[HeaderSecurityToken]}
		for _, c := range []struct {
			name   string
			signed []string
			values [][]string
		}{
			{"Sign's", withDate, read},
			{"Verify's", withDate, nil},
			{"Verify's without x-sdk-date", noDate, nil},
		} {
			want := sha256.Sum256([]byte(CanonicalRequest(req, c.signed, EmptyPayloadHash)))
			// What signature does, with the array the buffer grew into
			// in sight.
			buf := make([]byte, 0, 512)
			first := buf[:cap(buf)]
			cr := appendCanonicalRequest(buf, req, c.signed, c.values, EmptyPayloadHash, []byte(date))
			if got := sumAndClear(cr); got != want {
				t.Fatalf("token of %d bytes, %s values: not the canonical request's hash", n, c.name)
			}
			if bytes.Contains(first, []byte("ZZZZ")) || bytes.Contains(cr[:cap(cr)], []byte("ZZZZ")) {
				t.Errorf("token of %d bytes, %s values: the buffer still holds the security token", n, c.name)
			}
		}
	}
}
