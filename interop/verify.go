package interop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm the verifier knows.
const Algorithm = "SDK-HMAC-SHA256"

// dateLayout is the layout of X-Sdk-Date.
const dateLayout = "20060102T150405Z"

// Verifier checks SDK-HMAC-SHA256 signatures as the API gateway does. It is
// written from the algorithm text in shared/docs/hss-api.md alone, and
// imports neither hss/signer nor the official SDK: it is the third
// implementation that both clients must agree with.
//
// Like the gateway, it takes the list of signed headers from the
// Authorization header; Require names the headers that must be in it.
type Verifier struct {
	// Keys maps an access key id to its secret key.
	Keys map[string]string
	// Require lists header names (any case) that must be signed.
	// X-Sdk-Date is always required.
	Require []string
	// MaxSkew bounds the distance between X-Sdk-Date and Now (default 15
	// minutes, as the gateway allows).
	MaxSkew time.Duration
	// Now is the verifier's clock (default time.Now).
	Now func() time.Time
	// LiteralPlus reads a '+' in the query as a literal plus sign, as an
	// RFC 3986 parser does, instead of a space, as HTML form decoding (and
	// Go's url.ParseQuery) does. A request is portable across gateways only
	// if it verifies both ways, which means it never sends a raw '+'.
	LiteralPlus bool
}

// Signature is what an Authorization header says.
type Signature struct {
	AccessKey     string
	SignedHeaders []string // lower case, in the order given
	Signature     string   // lower-case hex
}

// ParseAuthorization reads "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b,
// Signature=hex".
func ParseAuthorization(h string) (Signature, error) {
	var s Signature
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		return s, fmt.Errorf("authorization: want the %s algorithm", Algorithm)
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return s, fmt.Errorf("authorization: malformed part %q", part)
		}
		if seen[k] {
			return s, fmt.Errorf("authorization: %s given twice", k)
		}
		seen[k] = true
		switch k {
		case "Access":
			s.AccessKey = v
		case "SignedHeaders":
			s.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			s.Signature = v
		default:
			return s, fmt.Errorf("authorization: unknown part %q", k)
		}
	}
	if s.AccessKey == "" || s.SignedHeaders == nil || s.Signature == "" {
		return s, errors.New("authorization: Access, SignedHeaders and Signature are all required")
	}
	for i, name := range s.SignedHeaders {
		if name == "" || name != strings.ToLower(name) {
			return s, fmt.Errorf("authorization: signed header %q is not a lower-case name", name)
		}
		if i > 0 && s.SignedHeaders[i-1] >= name {
			return s, fmt.Errorf("authorization: signed headers are not sorted and unique at %q", name)
		}
	}
	return s, nil
}

// Verify checks the signature of r. On success it returns what the
// Authorization header said.
func (v *Verifier) Verify(r *Recorded) (*Signature, error) {
	sig, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	secret, ok := v.Keys[sig.AccessKey]
	if !ok {
		return nil, fmt.Errorf("unknown access key %q", sig.AccessKey)
	}
	for _, name := range append([]string{"x-sdk-date"}, v.Require...) {
		if !slices.Contains(sig.SignedHeaders, strings.ToLower(name)) {
			return nil, fmt.Errorf("header %s is not signed (signed: %s)", strings.ToLower(name), strings.Join(sig.SignedHeaders, ";"))
		}
	}
	date := r.Header.Get("X-Sdk-Date")
	t, err := time.Parse(dateLayout, date)
	if err != nil {
		return nil, fmt.Errorf("x-sdk-date %q: %w", date, err)
	}
	now, skew := time.Now, v.MaxSkew
	if v.Now != nil {
		now = v.Now
	}
	if skew <= 0 {
		skew = 15 * time.Minute
	}
	if d := now().Sub(t); d > skew || d < -skew {
		return nil, fmt.Errorf("x-sdk-date %s is %s away from now", date, d)
	}
	cr, err := v.CanonicalRequest(r, sig.SignedHeaders)
	if err != nil {
		return nil, err
	}
	want := hex.EncodeToString(hmacSHA256([]byte(secret), StringToSign(date, cr)))
	if !hmac.Equal([]byte(want), []byte(sig.Signature)) {
		return nil, fmt.Errorf("signature mismatch; canonical request:\n%s", redactToken(cr))
	}
	return &sig, nil
}

// StringToSign is "SDK-HMAC-SHA256\nDATE\nhex(sha256(canonical request))".
func StringToSign(date, canonicalRequest string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + date + "\n" + hex.EncodeToString(h[:])
}

// CanonicalRequest builds "METHOD\nURI\nQUERY\nHEADERS\nSIGNED\nhex(sha256(body))"
// from the request as received, with the given signed headers.
func (v *Verifier) CanonicalRequest(r *Recorded, signed []string) (string, error) {
	uri, err := canonicalURI(r.EscapedPath)
	if err != nil {
		return "", err
	}
	query, err := canonicalQuery(r.RawQuery, v.LiteralPlus)
	if err != nil {
		return "", err
	}
	var headers strings.Builder
	for _, name := range signed {
		var value string
		if name == "host" {
			// net/http moves Host out of the header map.
			value = r.Host
		} else {
			vals := r.Header.Values(name)
			if len(vals) != 1 {
				return "", fmt.Errorf("signed header %s has %d values, want 1", name, len(vals))
			}
			value = vals[0]
		}
		headers.WriteString(name + ":" + strings.TrimSpace(value) + "\n")
	}
	body := sha256.Sum256(r.Body)
	return strings.Join([]string{
		r.Method,
		uri,
		query,
		headers.String(),
		strings.Join(signed, ";"),
		hex.EncodeToString(body[:]),
	}, "\n"), nil
}

// canonicalURI decodes each segment of the path as sent and encodes it
// again with Encode, ending with "/".
func canonicalURI(escapedPath string) (string, error) {
	segs := strings.Split(escapedPath, "/")
	for i, s := range segs {
		d, err := url.PathUnescape(s)
		if err != nil {
			return "", fmt.Errorf("path segment %q: %w", s, err)
		}
		segs[i] = Encode(d)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri, nil
}

// canonicalQuery decodes every key=value pair of the raw query, sorts the
// pairs by decoded key and then by decoded value (byte order), and joins them
// encoded with Encode. A pair without '=' has an empty value.
//
// The order is taken on the decoded strings: for non-ASCII text it differs
// from the order of the encoded strings ('%' sorts before letters, a UTF-8
// lead byte after them). The official SDK sorts decoded strings too.
func canonicalQuery(raw string, literalPlus bool) (string, error) {
	type pair struct{ k, v string }
	var pairs []pair
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, val, _ := strings.Cut(piece, "=")
		dk, err := decodeQuery(k, literalPlus)
		if err != nil {
			return "", fmt.Errorf("query key %q: %w", k, err)
		}
		dv, err := decodeQuery(val, literalPlus)
		if err != nil {
			return "", fmt.Errorf("query value %q of %s: %w", val, dk, err)
		}
		pairs = append(pairs, pair{dk, dv})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = Encode(p.k) + "=" + Encode(p.v)
	}
	return strings.Join(out, "&"), nil
}

func decodeQuery(s string, literalPlus bool) (string, error) {
	if literalPlus {
		return url.PathUnescape(s) // PathUnescape keeps '+'
	}
	return url.QueryUnescape(s)
}

// Encode keeps A-Z a-z 0-9 - _ . ~ and writes every other byte as %XY with
// upper-case hex, as hss-api.md says.
func Encode(s string) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdigits[c>>4])
		b.WriteByte(hexdigits[c&15])
	}
	return b.String()
}

// redactToken hides the security token in a canonical request shown in an
// error.
func redactToken(cr string) string {
	lines := strings.Split(cr, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "x-security-token:") {
			lines[i] = "x-security-token:[redacted]"
		}
	}
	return strings.Join(lines, "\n")
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
