package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Signer signs requests with one key, as Sign does, and faster: it keeps
// HMAC-SHA256 states of the secret key whose key blocks are already
// hashed, so a signature hashes three SHA-256 blocks for its HMAC instead
// of five; and it keeps the SHA-256 states of the beginnings of the last
// few canonical requests it signed more than once (the method, path, query
// and the signed headers that sort before x-sdk-date), so that the next
// call to one of those operations neither writes nor hashes that part
// again. Its signatures are Sign's, byte for byte. A Signer is safe for
// concurrent use; like a Key, it never shows its secret key when printed,
// by value or by pointer, nor when it is a field of another struct. Make
// one with NewSigner: the zero Signer refuses to sign.
type Signer struct {
	st *signerState
}

// signerState is a Signer's key and HMAC states. The secret key is kept in
// a closure: fmt prints a func as an address, whichever verb and however
// deep, so even a Signer printed field by field (by value, in an
// unexported field of another struct) does not show it.
type signerState struct {
	accessKey string
	secretKey func() string
	macs      sync.Pool // of *macState for the secret key
	// plain: crypto/hmac refused the key (in FIPS 140-only mode, keys
	// shorter than 112 bits), so the HMAC is computed as Sign computes it.
	plain bool
	// prefixes are the beginnings of the last canonical requests signed
	// (see canonicalSum), replaced in turn from next; digests are SHA-256
	// states with buffers.
	prefixes [prefixSlots]atomic.Pointer[crPrefix]
	next     atomic.Uint32
	// seen are fingerprints of the beginnings last signed and not kept,
	// replaced in turn from seenNext: a beginning is kept the second time
	// it is seen, so that requests whose beginnings never repeat (a new
	// query each time) cost no copy and push out none that do.
	seen     [prefixSlots]atomic.Uint64
	seenNext atomic.Uint32
	seed     maphash.Seed
	digests  sync.Pool // of *digestState
}

// prefixSlots is how many canonical request beginnings a Signer keeps: a
// program that handles events while it polls an export task alternates
// between two or three operations.
const prefixSlots = 4

// maxPrefixHeaders is how many signed headers may sort before x-sdk-date
// (content-type, host, x-project-id, as sign signs them) for a beginning
// to be kept.
const maxPrefixHeaders = 3

// crPrefix is the beginning of a canonical request that a Signer has
// hashed: everything before the x-sdk-date line, which is all a call's
// signature shares with the next call's to the same operation (method,
// URI, query, and the signed headers that sort before x-sdk-date:
// content-type, host, x-project-id). It keeps what the beginning was made
// from, to tell whether a request has the same, and the SHA-256 state
// after its whole 64-byte blocks, so that the next request with this
// beginning hashes only the rest. One allocation holds it (two or more
// when a header has several values, which are copied); it is never
// written after it is stored. It holds no secret: the key is not in a
// canonical request, and x-security-token sorts after x-sdk-date.
type crPrefix struct {
	method, path, rawPath, query, host string
	n                                  int                        // signed headers before x-sdk-date
	names                              [maxPrefixHeaders]string   // their names
	count                              [maxPrefixHeaders]int      // how many values each had (0 for host)
	one                                [maxPrefixHeaders]string   // the value, when there was one
	many                               [maxPrefixHeaders][]string // a copy of the values, when more
	state                              [128]byte                  // sha256 state after the whole blocks
	stateLen                           int
	tail                               [sha256.BlockSize]byte // the beginning's bytes after them
	tailLen                            int
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
// from these parts, with the SHA-256 state h holds after its whole blocks
// and the bytes after them; nil when it cannot be kept.
func newCRPrefix(method string, u *url.URL, host string, names []string, values [][]string, h hash.Hash, tail []byte) *crPrefix {
	if len(names) > maxPrefixHeaders {
		return nil
	}
	p := &crPrefix{method: method, path: u.Path, rawPath: u.RawPath, query: u.RawQuery, host: host, n: len(names)}
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
	// crypto/sha256 appends its state (108 bytes) in place, into p.state.
	state, err := h.(encoding.BinaryAppender).AppendBinary(p.state[:0])
	if err != nil || len(state) > len(p.state) {
		return nil
	}
	p.stateLen = len(state)
	p.tailLen = copy(p.tail[:], tail) // less than a block
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

// digestState is a SHA-256 with room for what it hashes and its sum: as
// for macState, what goes through the hash.Hash interface escapes.
type digestState struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// macState is one HMAC-SHA256 of the secret key, with room for the message
// and the sum: what goes through the hash.Hash interface escapes, so the
// caller's buffers on the stack are copied here rather than handed over.
type macState struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

// NewSigner returns a Signer for key, or the error Sign would return for
// it: an empty access or secret key, or an access key that is not visible
// ASCII without commas.
func NewSigner(key Key) (*Signer, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	sk := key.SecretKey
	s := &signerState{accessKey: key.AccessKey, secretKey: func() string { return sk }, seed: maphash.MakeSeed()}
	s.digests.New = func() any { return &digestState{h: sha256.New(), buf: make([]byte, 0, 512)} }
	secret := []byte(key.SecretKey)
	newMAC := func() any {
		// hmac.New hashes the padded key blocks; its Reset restores the
		// states after them instead of hashing them again.
		return &macState{h: hmac.New(sha256.New, secret)}
	}
	if first, ok := tryNewMAC(newMAC); ok {
		s.macs.New = newMAC
		s.macs.Put(first)
	} else {
		s.plain = true
	}
	return &Signer{st: s}, nil
}

// tryNewMAC makes one HMAC state, or reports that crypto/hmac panicked, as
// it does for a short key in FIPS 140-only mode (GODEBUG=fips140=only).
func tryNewMAC(newMAC func() any) (m any, ok bool) {
	defer func() {
		if recover() != nil {
			m, ok = nil, false
		}
	}()
	return newMAC(), true
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

// mac returns HMAC-SHA256 of msg under the secret key.
func (s *Signer) mac(msg []byte) [sha256.Size]byte {
	st := s.st
	if st.plain {
		return hmacSHA256(st.secretKey(), msg)
	}
	m := st.macs.Get().(*macState)
	m.h.Reset()
	m.msg = append(m.msg[:0], msg...)
	m.h.Write(m.msg)
	sum := [sha256.Size]byte(m.h.Sum(m.sum[:0]))
	st.macs.Put(m)
	return sum
}

// canonicalSum returns the SHA-256 of req's canonical request, as
// signature computes it, from the state of a kept beginning when req has
// it (see crPrefix): the second and later calls to one operation hash and
// write only what follows the headers before x-sdk-date. A request with a
// new beginning is hashed in full, and its beginning kept. values are the
// signed headers' values as sign reads them (not nil); signedHeaders holds
// x-sdk-date, which sign always signs.
func (s *Signer) canonicalSum(req *http.Request, signedHeaders []string, values [][]string, payloadHash string, sdkDate []byte) [sha256.Size]byte {
	d := s.st.digests.Get().(*digestState)
	sum := s.st.canonicalSumWith(d, req, signedHeaders, values, payloadHash, sdkDate)
	s.st.digests.Put(d)
	return sum
}

// canonicalSumWith is canonicalSum with the digest d, whose buffer it
// leaves cleared.
func (st *signerState) canonicalSumWith(d *digestState, req *http.Request, signedHeaders []string, values [][]string, payloadHash string, sdkDate []byte) [sha256.Size]byte {
	u := req.URL
	method := requestMethod(req)
	host := requestHost(req)
	k := slices.Index(signedHeaders, "x-sdk-date") // sign always signs it
	p := st.lookupPrefix(method, u, host, signedHeaders[:k], values[:k])
	if p != nil && d.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(p.state[:p.stateLen]) == nil {
		d.buf = append(d.buf[:0], p.tail[:p.tailLen]...)
	} else {
		d.h.Reset()
		d.buf = appendCanonicalHead(d.buf[:0], req)
		d.buf = appendCanonicalHeaders(d.buf, req, signedHeaders[:k], values[:k], nil)
		n := len(d.buf) &^ (sha256.BlockSize - 1)
		d.h.Write(d.buf[:n])
		// Kept the second time it is seen; not when another goroutine
		// has kept it meanwhile: a second copy would only push out another.
		if st.seenBefore(d.buf) && st.lookupPrefix(method, u, host, signedHeaders[:k], values[:k]) == nil {
			if p := newCRPrefix(method, u, host, signedHeaders[:k], values[:k], d.h, d.buf[n:]); p != nil {
				st.keepPrefix(p)
			}
		}
		d.buf = append(d.buf[:0], d.buf[n:]...)
	}
	d.buf = appendCanonicalTail(d.buf, req, signedHeaders, values, k, payloadHash, sdkDate)
	d.h.Write(d.buf)
	sum := [sha256.Size]byte(d.h.Sum(d.sum[:0]))
	clear(d.buf) // it held the security token, when there was one
	return sum
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
