package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"sync"
	"time"
)

// Signer signs requests with one key, as Sign does, and faster: it keeps
// HMAC-SHA256 states of the secret key whose key blocks are already
// hashed, so a signature hashes three SHA-256 blocks for its HMAC instead of
// five. Its signatures are Sign's, byte for byte. A Signer is safe for
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
	s := &signerState{accessKey: key.AccessKey, secretKey: func() string { return sk }}
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
