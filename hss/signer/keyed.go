package signer

import (
	"crypto/hmac"
	"crypto/sha256"
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
// concurrent use; like a Key, it never shows its secret key when printed.
type Signer struct {
	key  Key
	macs sync.Pool // of *macState for key.SecretKey
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
	s := &Signer{key: key}
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
	return s, nil
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
	return sign(req, payloadHash, s.key, s, t)
}

// mac returns HMAC-SHA256 of msg under the secret key.
func (s *Signer) mac(msg []byte) [sha256.Size]byte {
	if s.plain {
		return hmacSHA256(s.key.SecretKey, msg)
	}
	m := s.macs.Get().(*macState)
	m.h.Reset()
	m.msg = append(m.msg[:0], msg...)
	m.h.Write(m.msg)
	sum := [sha256.Size]byte(m.h.Sum(m.sum[:0]))
	s.macs.Put(m)
	return sum
}

// String describes the Signer with its secret key redacted.
func (s *Signer) String() string { return "signer.Signer{" + s.key.String() + "}" }

// GoString is String, so that %#v hides the secret key too.
func (s *Signer) GoString() string { return s.String() }

// Format writes String for every verb, so that no verb shows the secret key.
func (s *Signer) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }
