package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestHexSum compares hexSum with hex.Encode: every byte value at every
// position of a digest, and random digests.
func TestHexSum(t *testing.T) {
	check := func(sum [sha256.Size]byte) {
		t.Helper()
		var got [2 * sha256.Size]byte
		hexSum(&got, &sum)
		if want := hex.EncodeToString(sum[:]); string(got[:]) != want {
			t.Fatalf("hexSum(%x) = %s", sum, got)
		}
	}
	for pos := range sha256.Size {
		for b := range 256 {
			var sum [sha256.Size]byte
			sum[pos] = byte(b)
			sum[(pos+7)%sha256.Size] = byte(255 - b)
			check(sum)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		var sum [sha256.Size]byte
		for i := range sum {
			sum[i] = byte(r.Uint32())
		}
		check(sum)
	}
}

// BenchmarkHexSum is hexSum beside hex.Encode, which it replaced, on a
// digest.
func BenchmarkHexSum(b *testing.B) {
	sum := sha256.Sum256([]byte("hex"))
	var out [2 * sha256.Size]byte
	b.Run("hexSum", func(b *testing.B) {
		for b.Loop() {
			hexSum(&out, &sum)
		}
	})
	b.Run("hex.Encode", func(b *testing.B) {
		for b.Loop() {
			hex.Encode(out[:], sum[:])
		}
	})
}
