package signer

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"time"
)

// Signer signs requests with one key, as Sign does, and with less work
// per call: it keeps the beginnings of the last few canonical requests it
// signed more than once (the method, path, query and the signed headers
// that sort before x-sdk-date), so that the next call to one of those
// operations copies that part instead of writing it again. Everything else
// is Sign's: the canonical request is built and hashed in a buffer on the
// stack, and the HMAC computed as Sign computes it. A signature touches
// little memory besides the request, which is what a call pays for when
// the caches are cold, as they are between the calls of a program that
// does other work (interop/PERFORMANCE.md). Its signatures are Sign's,
// byte for byte. A Signer is safe for concurrent use; like a Key, it never
// shows its secret key when printed, by value or by pointer, nor when it
// is a field of another struct. Make one with NewSigner: the zero Signer
// refuses to sign.
type Signer struct {
	st *signerState
}

// signerState is a Signer's key and kept beginnings. The secret key is kept
// in a closure: fmt prints a func as an address, whichever verb and however
// deep, so even a Signer printed field by field (by value, in an
// unexported field of another struct) does not show it.
type signerState struct {
	accessKey string
	// secretKey is the HMAC key: the secret key, or its SHA-256 when it is
	// longer than a block, which HMAC would hash first (RFC 2104): the
	// same signatures, without hashing it again for each one.
	secretKey func() string
	// prefixes are the beginnings of the last canonical requests signed
	// (see appendCanonical), replaced in turn from next.
	prefixes [prefixSlots]atomic.Pointer[crPrefix]
	next     atomic.Uint32
	// seen are fingerprints of the beginnings last signed and not kept,
	// replaced in turn from seenNext: a beginning is kept the second time
	// it is seen, so that requests whose beginnings never repeat (a new
	// query each time) cost no copy and push out none that do.
	seen     [prefixSlots]atomic.Uint64
	seenNext atomic.Uint32
	seed     maphash.Seed
}

// prefixSlots is how many canonical request beginnings a Signer keeps: a
// program that handles events while it polls an export task alternates
// between two or three operations.
const prefixSlots = 4

// maxPrefixHeaders is how many signed headers may sort before x-sdk-date
// (content-type, host, x-project-id, as sign signs them) for a beginning
// to be kept.
const maxPrefixHeaders = 3

// crPrefix is the beginning of a canonical request that a Signer keeps:
// everything before the x-sdk-date line, which is all a call's canonical
// request shares with the next call's to the same operation (method, URI,
// query, and the signed headers that sort before x-sdk-date:
// content-type, host, x-project-id). It keeps what the beginning was made
// from, to tell whether a request has the same, and the beginning's text,
// which the next request with it copies instead of writing. It is never
// written after it is stored. It holds no secret: the key is not in a
// canonical request, and x-security-token sorts after x-sdk-date.
type crPrefix struct {
	method, path, rawPath, query, host string
	n                                  int                        // signed headers before x-sdk-date
	names                              [maxPrefixHeaders]string   // their names
	count                              [maxPrefixHeaders]int      // how many values each had (0 for host)
	one                                [maxPrefixHeaders]string   // the value, when there was one
	many                               [maxPrefixHeaders][]string // a copy of the values, when more
	text                               string                     // the beginning, as written
}

// same reports whether req, with these signed headers and values before
// x-sdk-date, has the canonical request beginning p was made from.
func (p *crPrefix) same(method string, u *url.URL, host string, names []string, values [][]string) bool {
	if p.method != method || p.path != u.Path || p.rawPath != u.RawPath || p.query != u.RawQuery || p.host != host ||
		p.n != len(names) {
		return false
	}
	for i, n := range names {
		v := values[i]
		if p.names[i] != n || p.count[i] != len(v) {
			return false
		}
		switch len(v) {
		case 0:
		case 1:
			if p.one[i] != v[0] {
				return false
			}
		default:
			if !slices.Equal(p.many[i], v) {
				return false
			}
		}
	}
	return true
}

// newCRPrefix returns the beginning of a canonical request to keep, made
// from these parts, whose text is text; nil when it cannot be kept.
func newCRPrefix(method string, u *url.URL, host string, names []string, values [][]string, text []byte) *crPrefix {
	if len(names) > maxPrefixHeaders {
		return nil
	}
	p := &crPrefix{method: method, path: u.Path, rawPath: u.RawPath, query: u.RawQuery, host: host, n: len(names), text: string(text)}
	for i, n := range names {
		v := values[i]
		p.names[i], p.count[i] = n, len(v)
		switch len(v) {
		case 0:
		case 1:
			p.one[i] = v[0]
		default:
			p.many[i] = slices.Clone(v) // the caller may write into its slice later
		}
	}
	return p
}

// lookupPrefix returns the kept beginning that req has, or nil.
func (st *signerState) lookupPrefix(method string, u *url.URL, host string, names []string, values [][]string) *crPrefix {
	for i := range st.prefixes {
		if p := st.prefixes[i].Load(); p != nil && p.same(method, u, host, names, values) {
			return p
		}
	}
	return nil
}

// seenBefore reports whether the beginning b was signed lately without
// being kept, and remembers it when not. A fingerprint that two beginnings
// share only makes one of them kept early: lookupPrefix compares the parts.
func (st *signerState) seenBefore(b []byte) bool {
	fp := maphash.Bytes(st.seed, b)
	for i := range st.seen {
		if st.seen[i].Load() == fp {
			return true
		}
	}
	st.seen[st.seenNext.Add(1)%prefixSlots].Store(fp)
	return false
}

// keepPrefix keeps p in place of the oldest kept beginning.
func (st *signerState) keepPrefix(p *crPrefix) {
	st.prefixes[st.next.Add(1)%prefixSlots].Store(p)
}

// NewSigner returns a Signer for key, or the error Sign would return for
// it: an empty access or secret key, or an access key that is not visible
// ASCII without commas.
func NewSigner(key Key) (*Signer, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	sk := key.SecretKey
	if len(sk) > sha256.BlockSize {
		sum := sha256.Sum256([]byte(sk))
		sk = string(sum[:])
	}
	return &Signer{st: &signerState{accessKey: key.AccessKey, secretKey: func() string { return sk }, seed: maphash.MakeSeed()}}, nil
}

// Sign signs req at time t, as the package's Sign does with the Signer's
// key: the same headers are set to the same values.
func (s *Signer) Sign(req *http.Request, payloadHash string, t time.Time) error {
	if s == nil || s.st == nil {
		return errors.New("signer: the Signer has no key: make it with NewSigner")
	}
	return sign(req, payloadHash, s.key(), s, t)
}

// key is the Signer's key pair.
func (s *Signer) key() Key {
	return Key{AccessKey: s.st.accessKey, SecretKey: s.st.secretKey()}
}

// appendCanonical appends req's canonical request to buf, as signature
// builds it, starting from a kept beginning when req has one (see
// crPrefix): the second and later calls to one operation write only what
// follows the headers before x-sdk-date. A new beginning is written in
// full, and kept the second time it is seen. values are the signed
// headers' values as sign reads them (not nil); signedHeaders holds
// x-sdk-date, which sign always signs. Only the beginning, which holds no secret, is ever in an
// array that the buffer leaves when it grows: appendCanonicalTail makes
// room before writing the rest.
func (st *signerState) appendCanonical(buf []byte, req *http.Request, signedHeaders []string, values [][]string, payloadHash string, sdkDate []byte) []byte {
	u := req.URL
	method := requestMethod(req)
	host := requestHost(req)
	k := slices.Index(signedHeaders, "x-sdk-date") // sign always signs it
	if p := st.lookupPrefix(method, u, host, signedHeaders[:k], values[:k]); p != nil {
		buf = append(buf, p.text...)
	} else {
		buf = appendCanonicalHead(buf, req)
		buf = appendCanonicalHeaders(buf, req, signedHeaders[:k], values[:k], nil)
		// Kept the second time it is seen; not when another goroutine
		// has kept it meanwhile: a second copy would only push out another.
		if st.seenBefore(buf) && st.lookupPrefix(method, u, host, signedHeaders[:k], values[:k]) == nil {
			if p := newCRPrefix(method, u, host, signedHeaders[:k], values[:k], buf); p != nil {
				st.keepPrefix(p)
			}
		}
	}
	return appendCanonicalTail(buf, req, signedHeaders, values, k, payloadHash, sdkDate)
}

// String describes the Signer with its secret key redacted.
func (s Signer) String() string {
	if s.st == nil {
		return "signer.Signer{}"
	}
	return "signer.Signer{" + Key{AccessKey: s.st.accessKey, SecretKey: "-"}.String() + "}"
}

// GoString is String, so that %#v hides the secret key too.
func (s Signer) GoString() string { return s.String() }

// Format writes String for every verb, so that no verb shows the secret key.
func (s Signer) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }
