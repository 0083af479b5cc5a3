// Package signer signs and verifies Huawei Cloud API gateway requests with
// the AK/SK algorithm SDK-HMAC-SHA256.
//
// Sign is a pure function of the request, the payload hash, the key and
// the time: it reads no clock and keeps no state, so a known-answer test
// pins it down. A Signer (NewSigner) signs the same with one key, with
// less work: it keeps the part of a canonical request that repeated calls
// to one operation share, between signatures.
// The canonical pieces (CanonicalURI, CanonicalQuery, CanonicalRequest,
// StringToSign, Signature) are exported for such tests and for Verify,
// which checks a request as the gateway would and backs the fake server in
// hss/hsstest.
//
// The algorithm, as signed here:
//
//	CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//	StringToSign     = SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
//	Signature        = hex(hmac-sha256(SecretKey, StringToSign))
//	Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=SIG
//
// See the API Request Signing Guide,
// https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html.
package signer

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Algorithm is the name of the signing algorithm, the scheme of the
// Authorization header and the first line of the string to sign.
const Algorithm = "SDK-HMAC-SHA256"

// DateLayout is the time layout of the X-Sdk-Date header, in UTC.
const DateLayout = "20060102T150405Z"

// Header names the signer reads or writes, in http.Header's canonical form.
const (
	// HeaderDate carries the signing time; always signed.
	HeaderDate = "X-Sdk-Date"
	// HeaderAuthorization carries the algorithm, access key, signed headers and signature.
	HeaderAuthorization = "Authorization"
	// HeaderSecurityToken carries the token of temporary credentials; signed when present.
	HeaderSecurityToken = "X-Security-Token"
	// HeaderProjectID carries the project id; signed when present.
	HeaderProjectID = "X-Project-Id"
)

// EmptyPayloadHash is hex(sha256("")), the payload hash of a request without a body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Key is an access key pair. Its String, GoString and Format methods never
// show the secret key, so a Key is safe to print or log with fmt. (fmt
// cannot call them on an unexported field of another struct: a struct that
// keeps a Key in one should redact it itself, as Signer does.)
type Key struct {
	// AccessKey is the access key id (AK); it is sent in the Authorization header.
	AccessKey string
	// SecretKey is the secret access key (SK); it never leaves the process.
	SecretKey string
}

// redactedSecret is what a printed Key shows instead of a set secret key.
func (k Key) redactedSecret() string {
	if k.SecretKey == "" {
		return `""`
	}
	return "[redacted]"
}

// String returns the key with its secret redacted, such as
// "signer.Key{AccessKey: AK, SecretKey: [redacted]}".
func (k Key) String() string {
	return "signer.Key{AccessKey: " + k.AccessKey + ", SecretKey: " + k.redactedSecret() + "}"
}

// GoString returns the key in Go syntax with its secret redacted, for %#v.
func (k Key) GoString() string {
	return "signer.Key{AccessKey:" + strconv.Quote(k.AccessKey) + ", SecretKey:" + strconv.Quote(k.redactedSecret()) + "}"
}

// Format prints the key for every verb and flag without its secret: %#v is
// GoString, anything else is String (quoted for %q).
func (k Key) Format(f fmt.State, verb rune) {
	var s string
	switch {
	case verb == 'v' && f.Flag('#'):
		s = k.GoString()
	case verb == 'q':
		s = strconv.Quote(k.String())
	default:
		s = k.String()
	}
	_, _ = f.Write([]byte(s))
}

// HashPayload returns the lower-case hex SHA-256 of body, the payload hash
// Sign and Verify take.
func HashPayload(body []byte) string {
	sum := sha256.Sum256(body)
	var out [2 * sha256.Size]byte
	hexSum(&out, &sum)
	return string(out[:])
}

// signable lists the headers Sign considers, sorted by lower-case name so
// the signed headers need no sorting. host and x-sdk-date are always signed.
var signable = [...]struct {
	lower, key string
	always     bool
}{
	{"content-type", "Content-Type", false},
	{"host", "Host", true},
	{"x-project-id", HeaderProjectID, false},
	{"x-sdk-date", HeaderDate, true},
	{"x-security-token", HeaderSecurityToken, false},
}

// Sign signs req with key at time t: it sets X-Sdk-Date to t in UTC
// (DateLayout) and sets Authorization. payloadHash is the hex SHA-256 of the
// body (HashPayload; EmptyPayloadHash for none); Sign does not read the body.
//
// The signed headers are host (req.Host if set, else req.URL.Host) and
// x-sdk-date always, and x-project-id, x-security-token and content-type
// when req.Header has them (under their canonical keys, as Header.Set
// stores them). The path and query are signed as they will be sent:
// req.URL.EscapedPath() and req.URL.RawQuery.
//
// Sign returns an error, which never contains the secret key, when the access
// key or secret key is empty, the access key is not visible ASCII without
// commas, or payloadHash is not 64 lower-case hex digits.
func Sign(req *http.Request, payloadHash string, key Key, t time.Time) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return sign(req, payloadHash, key, nil, t)
}

// sign is Sign after the key's checks, with the kept beginnings of s when s
// is not nil.
func sign(req *http.Request, payloadHash string, key Key, s *Signer, t time.Time) error {
	if !isHexSHA256(payloadHash) {
		// The value is not echoed: a caller who passed the body by mistake
		// may have passed a password.
		return fmt.Errorf("signer: payload hash is not 64 lower-case hex digits (got %d bytes)", len(payloadHash))
	}
	if req == nil || req.URL == nil {
		return errors.New("signer: request has no URL")
	}
	if req.Header == nil {
		req.Header = make(http.Header, 2)
	}

	// The optional headers' values are kept as they are looked up, so the
	// canonical headers need not read the map again.
	var signedBuf [len(signable)]string
	var valuesBuf [len(signable)][]string
	signed, headerValues := signedBuf[:0], valuesBuf[:0]
	for _, h := range signable {
		var v []string
		if !h.always {
			if v = req.Header[h.key]; len(v) == 0 {
				continue
			}
		}
		signed = append(signed, h.lower)
		headerValues = append(headerValues, v)
	}

	// The date and the Authorization value are written into one buffer and
	// made one string, which both header values share: one allocation, and
	// one more for the slice that holds both.
	var buf [len(DateLayout) + len(Algorithm) + 128 + 64]byte
	b := appendDate(buf[:0], t)
	dateLen := len(b)
	sig := signature(key.SecretKey, s, req, signed, headerValues, payloadHash, b[:dateLen])
	b = append(b, Algorithm+" Access="...)
	b = append(b, key.AccessKey...)
	b = append(b, ", SignedHeaders="...)
	b = appendSignedHeaders(b, signed)
	b = append(b, ", Signature="...)
	b = append(b, sig[:]...)
	values := string(b)
	// Fresh slices, as Header.Set would: the request's own may be shared
	// with another request (a template's, copied with maps.Copy), which
	// writing into them would sign too. One allocation holds both.
	vals := []string{values[:dateLen], values[dateLen:]}
	req.Header[HeaderDate] = vals[0:1:1]
	req.Header[HeaderAuthorization] = vals[1:2:2]
	return nil
}

// appendDate appends t in UTC in DateLayout, as t.UTC().AppendFormat does
// but without interpreting the layout.
func appendDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, DateLayout)
	}
	hour, minute, sec := t.Clock()
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	dst = two(dst, year/100)
	dst = two(dst, year%100)
	dst = two(dst, int(month))
	dst = two(dst, day)
	dst = append(dst, 'T')
	dst = two(dst, hour)
	dst = two(dst, minute)
	dst = two(dst, sec)
	return append(dst, 'Z')
}

// signature computes the hex signature of req: the canonical request is
// built in one buffer on the stack (for a typical request), hashed and
// cleared, and the string to sign built in another.
//
// values are the signed headers' values (nil: read from req.Header; only
// without a Signer). With a Signer s, the canonical request starts from a
// kept beginning when req has one (signerState.appendCanonical); the
// signature is the same.
func signature(secretKey string, s *Signer, req *http.Request, signedHeaders []string, values [][]string, payloadHash string, sdkDate []byte) [64]byte {
	var crBuf [1024]byte
	var cr []byte
	if s != nil { // sign's call, which passes the values it read
		cr = s.st.appendCanonical(crBuf[:0], req, signedHeaders, values, payloadHash, sdkDate)
	} else {
		cr = appendCanonicalRequest(crBuf[:0], req, signedHeaders, values, payloadHash, sdkDate)
	}
	crSum := sumAndClear(cr)
	var crHex [64]byte
	hexSum(&crHex, &crSum)

	var stsBuf [len(Algorithm) + 1 + len(DateLayout) + 1 + 64]byte
	sts := appendStringToSign(stsBuf[:0], crHex[:], sdkDate)

	sum := hmacSHA256(secretKey, sts)
	var out [64]byte
	hexSum(&out, &sum)
	return out
}

// sumAndClear returns the SHA-256 of a canonical request and clears the
// bytes it was in, for Sign and a Signer alike: they held the security
// token, when there was one.
// appendCanonicalTail makes room before writing it, so that no earlier
// array of the buffer keeps a copy.
func sumAndClear(cr []byte) [sha256.Size]byte {
	sum := sha256.Sum256(cr)
	clear(cr)
	return sum
}

// hmacSHA256 returns HMAC-SHA256(key, msg) as RFC 2104 defines it:
//
//	H((K' xor opad) || H((K' xor ipad) || msg))
//
// where K' is the key, hashed first when longer than the 64-byte block, and
// zero-padded to the block. It is crypto/hmac's result (the tests compare
// them) computed with sha256.Sum256 over buffers on the stack, so that
// signing a request allocates nothing for it: hmac.New allocates two hash
// states and two pads per call.
func hmacSHA256[S string | []byte](key string, msg S) [sha256.Size]byte {
	const block = 64
	var k [block]byte
	if len(key) > block {
		sum := sha256.Sum256([]byte(key))
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	// Inner hash: the padded key and the message in one buffer, on the
	// stack for a message of up to 256 bytes (a string to sign is 97).
	// The pads are XORed in eight bytes at a time.
	var innerBuf [block + 256]byte
	var outer [block + sha256.Size]byte
	for i := 0; i < block; i += 8 {
		w := binary.LittleEndian.Uint64(k[i:])
		binary.LittleEndian.PutUint64(innerBuf[i:], w^0x3636363636363636)
		binary.LittleEndian.PutUint64(outer[i:], w^0x5c5c5c5c5c5c5c5c)
	}
	inner := append(innerBuf[:block], msg...)
	innerSum := sha256.Sum256(inner)
	copy(outer[block:], innerSum[:])
	return sha256.Sum256(outer[:])
}

func checkKey(key Key) error {
	switch {
	case key.AccessKey == "":
		return errors.New("signer: access key is empty")
	case key.SecretKey == "":
		return errors.New("signer: secret key is empty")
	}
	// The access key goes into the Authorization header between ", "
	// separators, so it must be one visible ASCII word without a comma.
	ok := uint8(1)
	for i := 0; i < len(key.AccessKey); i++ {
		ok &= accessKeyBits[key.AccessKey[i]]
	}
	if ok == 0 {
		return errors.New("signer: access key must be visible ASCII without commas")
	}
	return nil
}

// accessKeyBits is 1 for the bytes an access key may hold: visible ASCII
// but the comma. Sign checks the key on every call, so the check ANDs table
// entries instead of branching on each byte.
var accessKeyBits = func() (bits [256]uint8) {
	for c := '!'; c <= '~'; c++ {
		bits[c] = 1
	}
	bits[','] = 0
	return bits
}()

// lowerHexBits is 1 for the lower-case hex digits.
var lowerHexBits = func() (bits [256]uint8) {
	for _, c := range []byte("0123456789abcdef") {
		bits[c] = 1
	}
	return bits
}()

// isHexSHA256 reports whether s looks like a payload hash: 64 lower-case hex
// digits. It ANDs the digits' table entries four at a time, without a branch
// per byte: Sign checks its payload hash on every call.
func isHexSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	s = s[:2*sha256.Size] // lets the compiler drop the bounds checks below
	ok := uint8(1)
	for i := 0; i < len(s); i += 4 {
		ok &= lowerHexBits[s[i]] & lowerHexBits[s[i+1]] & lowerHexBits[s[i+2]] & lowerHexBits[s[i+3]]
	}
	return ok == 1
}

// StringToSign returns the string to sign for a canonical request:
//
//	SDK-HMAC-SHA256 \n sdkDate \n canonicalRequestHash
//
// It takes the hex SHA-256 of the canonical request, not the request itself,
// so Sign can hash the canonical request where it builds it; sdkDate is the
// X-Sdk-Date value.
func StringToSign(canonicalRequestHash, sdkDate string) string {
	return string(appendStringToSign(nil, canonicalRequestHash, sdkDate))
}

func appendStringToSign[S string | []byte](dst []byte, canonicalRequestHash, sdkDate S) []byte {
	dst = append(dst, Algorithm+"\n"...)
	dst = append(dst, sdkDate...)
	dst = append(dst, '\n')
	return append(dst, canonicalRequestHash...)
}

// Signature returns hex(hmac-sha256(secretKey, stringToSign)).
func Signature(secretKey, stringToSign string) string {
	sum := hmacSHA256(secretKey, stringToSign)
	return hex.EncodeToString(sum[:])
}

// MarshalJSON hides the secret key from encoding/json, which does not use
// Format.
func (k Key) MarshalJSON() ([]byte, error) {
	return []byte(`{"AccessKey":` + strconv.Quote(k.AccessKey) + `,"SecretKey":"[redacted]"}`), nil
}
