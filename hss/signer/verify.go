package signer

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Reasons Verify refuses a request; its errors wrap exactly one of them, so
// errors.Is tells them apart.
var (
	// ErrMissingSignature: the request has no Authorization header.
	ErrMissingSignature = errors.New("signer: request is not signed")
	// ErrMalformedAuthorization: the Authorization or X-Sdk-Date header cannot be read,
	// or does not sign host and x-sdk-date.
	ErrMalformedAuthorization = errors.New("signer: malformed authorization")
	// ErrUnknownAccessKey: the lookup does not know the access key.
	ErrUnknownAccessKey = errors.New("signer: unknown access key")
	// ErrStaleDate: X-Sdk-Date is further from now than the allowed skew.
	ErrStaleDate = errors.New("signer: request date out of range")
	// ErrSignatureMismatch: the signature does not match the request.
	ErrSignatureMismatch = errors.New("signer: signature mismatch")
)

// authorization is a parsed SDK-HMAC-SHA256 Authorization header.
type authorization struct {
	accessKey     string
	signedHeaders []string
	signature     string
}

// Verify checks a signed request as the API gateway would and returns its
// access key. payloadHash is the hex SHA-256 of the body received.
//
// It parses "SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=SIG"
// (the three fields in any order, white space around them ignored), requires
// the signed headers to be lower case, sorted, unique, and to include host
// and x-sdk-date, requires X-Sdk-Date to be within maxSkew of now (either
// way), looks the secret key up with lookup, recomputes the signature over
// the signed headers the request names and compares it in constant time.
//
// Errors wrap ErrMissingSignature, ErrMalformedAuthorization,
// ErrUnknownAccessKey, ErrStaleDate or ErrSignatureMismatch, and never
// contain a secret key or the expected signature.
func Verify(req *http.Request, payloadHash string, lookup func(accessKey string) (secretKey string, ok bool), now time.Time, maxSkew time.Duration) (accessKey string, err error) {
	values := req.Header.Values(HeaderAuthorization)
	switch {
	case len(values) == 0 || len(values) == 1 && values[0] == "":
		return "", fmt.Errorf("%w: no %s header", ErrMissingSignature, HeaderAuthorization)
	case len(values) > 1:
		return "", fmt.Errorf("%w: %d %s headers", ErrMalformedAuthorization, len(values), HeaderAuthorization)
	}
	auth, err := parseAuthorization(values[0])
	if err != nil {
		return "", err
	}

	dates := req.Header.Values(HeaderDate)
	if len(dates) != 1 {
		return "", fmt.Errorf("%w: want one %s header, got %d", ErrMalformedAuthorization, HeaderDate, len(dates))
	}
	// time.Parse also takes fractional seconds the layout lacks: the
	// length pins the layout exactly.
	signedAt, err := time.Parse(DateLayout, dates[0])
	if err != nil || len(dates[0]) != len(DateLayout) {
		return "", fmt.Errorf("%w: %s %q is not in layout %s", ErrMalformedAuthorization, HeaderDate, dates[0], DateLayout)
	}
	if skew := now.Sub(signedAt); skew > maxSkew || skew < -maxSkew {
		return "", fmt.Errorf("%w: %s %s is %s from now, more than %s", ErrStaleDate, HeaderDate, dates[0], skew.Round(time.Second), maxSkew)
	}

	var secretKey string
	var ok bool
	if lookup != nil {
		secretKey, ok = lookup(auth.accessKey)
	}
	if !ok || secretKey == "" {
		return "", fmt.Errorf("%w: %q", ErrUnknownAccessKey, auth.accessKey)
	}

	for _, name := range auth.signedHeaders {
		if name != "host" && len(req.Header[headerKey(name)]) == 0 {
			return "", fmt.Errorf("%w: signed header %q is not in the request", ErrSignatureMismatch, name)
		}
	}
	want := signature(secretKey, nil, req, auth.signedHeaders, nil, payloadHash, []byte(dates[0]))
	if !hmac.Equal(want[:], []byte(auth.signature)) {
		return "", fmt.Errorf("%w: access key %q", ErrSignatureMismatch, auth.accessKey)
	}
	return auth.accessKey, nil
}

// parseAuthorization reads an Authorization header value; its errors wrap
// ErrMalformedAuthorization.
func parseAuthorization(value string) (authorization, error) {
	var a authorization
	rest, ok := strings.CutPrefix(value, Algorithm+" ")
	if !ok {
		scheme, _, _ := strings.Cut(value, " ")
		return a, fmt.Errorf("%w: scheme %q is not %s", ErrMalformedAuthorization, scheme, Algorithm)
	}
	var signedHeaders string
	seen := map[string]bool{}
	for _, field := range strings.Split(rest, ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok || v == "" {
			return a, fmt.Errorf("%w: field %q is not name=value", ErrMalformedAuthorization, name)
		}
		if seen[name] {
			return a, fmt.Errorf("%w: field %s repeated", ErrMalformedAuthorization, name)
		}
		seen[name] = true
		switch name {
		case "Access":
			a.accessKey = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			a.signature = v
		default:
			return a, fmt.Errorf("%w: unknown field %q", ErrMalformedAuthorization, name)
		}
	}
	for _, name := range []string{"Access", "SignedHeaders", "Signature"} {
		if !seen[name] {
			return a, fmt.Errorf("%w: field %s missing", ErrMalformedAuthorization, name)
		}
	}
	if !isHexSHA256(a.signature) {
		return a, fmt.Errorf("%w: Signature is not 64 lower-case hex digits", ErrMalformedAuthorization)
	}

	a.signedHeaders = strings.Split(signedHeaders, ";")
	date := false
	for i, name := range a.signedHeaders {
		if !isLowerToken(name) {
			return a, fmt.Errorf("%w: SignedHeaders entry %q is not a lower-case header name", ErrMalformedAuthorization, name)
		}
		if i > 0 && a.signedHeaders[i-1] >= name {
			return a, fmt.Errorf("%w: SignedHeaders %q is not sorted and unique", ErrMalformedAuthorization, signedHeaders)
		}
		date = date || name == "x-sdk-date"
	}
	// x-sdk-date only: the gateway takes the official SDK's signatures,
	// which sign neither host nor content-type (user-agent, x-project-id,
	// x-sdk-date; region on operate). What is signed is checked.
	if !date {
		return a, fmt.Errorf("%w: SignedHeaders %q must include x-sdk-date", ErrMalformedAuthorization, signedHeaders)
	}
	return a, nil
}

// isLowerToken reports whether s is a non-empty HTTP field name (RFC 9110
// token) without upper-case letters.
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
