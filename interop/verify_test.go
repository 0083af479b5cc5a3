package interop

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The known answer below was computed outside Go, with sha256sum and
// openssl dgst -hmac, from the canonical request written out by hand from
// hss-api.md.
const (
	knownSecret    = "known-answer-secret"
	knownDate      = "20261121T120000Z"
	knownSignature = "c6e94c784dc451119f2587bd500aeade402ac9705df582976eac14f7eac6026f"
	// The pairs sort by decoded value: "x y" < "z" < "é" (0xC3...), where
	// the encoded strings would sort "%C3%A9" first.
	knownCanonical = "POST\n" +
		"/v5/p1/event/export/\n" +
		"a=x%20y&a=z&a=%C3%A9&b=2\n" +
		"content-type:application/json\n" +
		"host:hss.example.com\n" +
		"x-project-id:p1\n" +
		"x-sdk-date:20261121T120000Z\n" +
		"\n" +
		"content-type;host;x-project-id;x-sdk-date\n" +
		"db8992cf941b185a1c5bbcfbdc3f43204fe09d42b1a57ff584f6ad2e5e6dfdbd"
)

func knownRequest() *Recorded {
	return &Recorded{
		Method:      "POST",
		EscapedPath: "/v5/p1/event/export",
		RawQuery:    "b=2&a=x+y&a=%C3%A9&a=z",
		Host:        "hss.example.com",
		Header: http.Header{
			"Content-Type":  {"application/json"},
			"X-Project-Id":  {"p1"},
			"X-Sdk-Date":    {knownDate},
			"User-Agent":    {"test"},
			"Authorization": {"SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=" + knownSignature},
		},
		Body: []byte(`[["a","b"]]`),
	}
}

func knownVerifier() *Verifier {
	at, _ := time.Parse(dateLayout, knownDate)
	return &Verifier{
		Keys: map[string]string{"AK1": knownSecret},
		Now:  func() time.Time { return at.Add(5 * time.Minute) },
	}
}

func TestVerifyKnownAnswer(t *testing.T) {
	v := knownVerifier()
	cr, err := v.CanonicalRequest(knownRequest(), []string{"content-type", "host", "x-project-id", "x-sdk-date"})
	if err != nil {
		t.Fatal(err)
	}
	if cr != knownCanonical {
		t.Errorf("canonical request:\n%s\nwant:\n%s", cr, knownCanonical)
	}
	sig, err := v.Verify(knownRequest())
	if err != nil {
		t.Fatalf("known-good request refused: %v", err)
	}
	if sig.AccessKey != "AK1" || sig.Signature != knownSignature || len(sig.SignedHeaders) != 4 {
		t.Errorf("parsed %+v", sig)
	}
}

func TestVerifyRefusesChanges(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *Recorded, v *Verifier)
		want   string // in the error; "" means the request must still verify
	}{
		{"unsigned header changed", func(r *Recorded, _ *Verifier) { r.Header.Set("User-Agent", "other") }, ""},
		{"query order changed", func(r *Recorded, _ *Verifier) { r.RawQuery = "a=z&a=%C3%A9&b=2&a=x%20y" }, ""},
		{"body", func(r *Recorded, _ *Verifier) { r.Body = []byte(`[["a","c"]]`) }, "mismatch"},
		{"body whitespace", func(r *Recorded, _ *Verifier) { r.Body = append(r.Body, '\n') }, "mismatch"},
		{"method", func(r *Recorded, _ *Verifier) { r.Method = "PUT" }, "mismatch"},
		{"path", func(r *Recorded, _ *Verifier) { r.EscapedPath = "/v5/p2/event/export" }, "mismatch"},
		{"query value", func(r *Recorded, _ *Verifier) { r.RawQuery = "b=3&a=x+y&a=%C3%A9&a=z" }, "mismatch"},
		{"query pair added", func(r *Recorded, _ *Verifier) { r.RawQuery += "&c=1" }, "mismatch"},
		{"query pair dropped", func(r *Recorded, _ *Verifier) { r.RawQuery = "b=2&a=x+y&a=z" }, "mismatch"},
		{"plus read literally", func(_ *Recorded, v *Verifier) { v.LiteralPlus = true }, "mismatch"},
		{"host", func(r *Recorded, _ *Verifier) { r.Host = "hss.example.org" }, "mismatch"},
		{"signed header", func(r *Recorded, _ *Verifier) { r.Header.Set("X-Project-Id", "p2") }, "mismatch"},
		{"signed header sent twice", func(r *Recorded, _ *Verifier) { r.Header.Add("X-Project-Id", "p1") }, "2 values"},
		{"signed header absent", func(r *Recorded, _ *Verifier) { r.Header.Del("Content-Type") }, "0 values"},
		{"wrong secret", func(_ *Recorded, v *Verifier) { v.Keys["AK1"] = "other" }, "mismatch"},
		{"unknown access key", func(_ *Recorded, v *Verifier) { v.Keys = map[string]string{"AK2": knownSecret} }, "unknown access key"},
		{"date too old", func(_ *Recorded, v *Verifier) {
			now := v.Now()
			v.Now = func() time.Time { return now.Add(11 * time.Minute) }
		}, "away from now"},
		{"date in the future", func(_ *Recorded, v *Verifier) {
			now := v.Now()
			v.Now = func() time.Time { return now.Add(-21 * time.Minute) }
		}, "away from now"},
		{"date malformed", func(r *Recorded, _ *Verifier) { r.Header.Set("X-Sdk-Date", "2026-11-21T12:00:00Z") }, "x-sdk-date"},
		{"required header unsigned", func(_ *Recorded, v *Verifier) { v.Require = []string{"X-Security-Token"} }, "x-security-token is not signed"},
		{"date unsigned", func(r *Recorded, _ *Verifier) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-sdk-date", "", 1))
		}, "x-sdk-date is not signed"},
		{"signature altered", func(r *Recorded, _ *Verifier) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=c6", "Signature=c7", 1))
		}, "mismatch"},
		{"no authorization", func(r *Recorded, _ *Verifier) { r.Header.Del("Authorization") }, "algorithm"},
		{"other algorithm", func(r *Recorded, _ *Verifier) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SDK-HMAC-SHA256", "SDK-HMAC-SM3", 1))
		}, "algorithm"},
		{"signed headers unsorted", func(r *Recorded, _ *Verifier) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "content-type;host", "host;content-type", 1))
		}, "not sorted"},
		{"signed header upper case", func(r *Recorded, _ *Verifier) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host", "Host", 1))
		}, "lower-case"},
		{"part given twice", func(r *Recorded, _ *Verifier) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Access=AK1")
		}, "twice"},
		{"part missing", func(r *Recorded, _ *Verifier) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, v := knownRequest(), knownVerifier()
			tt.change(r, v)
			_, err := v.Verify(r)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Errorf("accepted, want an error with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q, want one with %q", err, tt.want)
			}
		})
	}
}

func TestVerifyErrorHidesSecurityToken(t *testing.T) {
	r, v := knownRequest(), knownVerifier()
	r.Header.Set("X-Security-Token", "very-secret-token")
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-sdk-date", "x-sdk-date;x-security-token", 1))
	_, err := v.Verify(r)
	if err == nil {
		t.Fatal("a request signed without its token verified")
	}
	if strings.Contains(err.Error(), "very-secret-token") || strings.Contains(err.Error(), knownSecret) {
		t.Errorf("error shows a secret: %v", err)
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw, form, literal string
	}{
		{"", "", ""},
		{"a=x+y&a=x%20y", "a=x%20y&a=x%20y", "a=x%20y&a=x%2By"},
		{"k&k=", "k=&k=", "k=&k="}, // a bare key has an empty value
		{"&&b=1&", "b=1", "b=1"},   // empty pieces are skipped
		{"b=%7e&a=%2a%2F", "a=%2A%2F&b=~", "a=%2A%2F&b=~"},
		{"k=%F0%9F%99%82&k=~&k=%C3%A9", "k=~&k=%C3%A9&k=%F0%9F%99%82", "k=~&k=%C3%A9&k=%F0%9F%99%82"},
		{"a%20b=1", "a%20b=1", "a%20b=1"},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			literal bool
			want    string
		}{{false, tt.form}, {true, tt.literal}} {
			got, err := canonicalQuery(tt.raw, c.literal)
			if err != nil || got != c.want {
				t.Errorf("canonicalQuery(%q, literalPlus %t) = %q, %v; want %q", tt.raw, c.literal, got, err, c.want)
			}
		}
	}
	if _, err := canonicalQuery("a=%zz", false); err == nil {
		t.Error("a malformed escape was accepted")
	}
}

func TestCanonicalURI(t *testing.T) {
	for raw, want := range map[string]string{
		"":                "/",
		"/":               "/",
		"/v5/p1/x":        "/v5/p1/x/",
		"/v5/p1/x/":       "/v5/p1/x/",
		"/a%2Fb/c":        "/a%2Fb/c/", // an escaped slash stays in its segment
		"/a%20b/%C3%A9+~": "/a%20b/%C3%A9%2B~/",
		"/a%7e":           "/a~/",
	} {
		got, err := canonicalURI(raw)
		if err != nil || got != want {
			t.Errorf("canonicalURI(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

func TestEncode(t *testing.T) {
	var all bytes.Buffer
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	got := Encode(all.String())
	// 66 unreserved bytes stay, the other 190 become three characters.
	if len(got) != 66+190*3 {
		t.Errorf("Encode of every byte is %d characters long", len(got))
	}
	for in, want := range map[string]string{
		"AZaz09-_.~": "AZaz09-_.~",
		" +/=&%":     "%20%2B%2F%3D%26%25",
		"é🙂":         "%C3%A9%F0%9F%99%82",
		"\x00\xff":   "%00%FF",
	} {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
	}
}
