package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// TestHMACMatchesCryptoHMAC compares the stack-buffer HMAC of Sign with
// crypto/hmac over keys shorter than, as long as and longer than the block,
// and messages that fit the stack buffer and that do not.
func TestHMACMatchesCryptoHMAC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	for _, keyLen := range []int{0, 1, 31, 63, 64, 65, 128, 200} {
		for _, msgLen := range []int{0, 1, 97, 255, 256, 257, 1000} {
			key, msg := bytes(keyLen), bytes(msgLen)
			mac := hmac.New(sha256.New, key)
			mac.Write(msg)
			want := mac.Sum(nil)
			if got := hmacSHA256(string(key), msg); !hmac.Equal(got[:], want) {
				t.Errorf("key %d bytes, message %d bytes: %x, want %x", keyLen, msgLen, got, want)
			}
			if got := hmacSHA256(string(key), string(msg)); !hmac.Equal(got[:], want) {
				t.Errorf("key %d bytes, string message %d bytes: %x, want %x", keyLen, msgLen, got, want)
			}
		}
	}
}

// TestSignAllocations pins what signing costs in allocations: the one
// string the date and Authorization values share, and the one slice that
// holds both.
func TestSignAllocations(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "https://hss.example.com/v5/p/event/export?category=host&severity_list=High&severity_list=Critical", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	if err := Sign(req, EmptyPayloadHash, key, katTime); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		if err := Sign(req, EmptyPayloadHash, key, katTime); err != nil {
			t.Fatal(err)
		}
	})
	if n > 2 {
		t.Errorf("Sign allocates %v times per call, want at most 2", n)
	}
}

// TestSignLeavesSharedHeaderSlicesAlone: signing a request whose header
// slices another request shares (a template copied with maps.Copy) sets
// its own headers only, as Header.Set would.
func TestSignLeavesSharedHeaderSlicesAlone(t *testing.T) {
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	template, _ := http.NewRequest(http.MethodPost, "https://hss.example.com/v5/p/event/export", nil)
	if err := Sign(template, EmptyPayloadHash, key, katTime); err != nil {
		t.Fatal(err)
	}
	before := template.Header.Clone()
	req, _ := http.NewRequest(http.MethodPost, "https://hss.example.com/v5/p/event/operate", nil)
	maps.Copy(req.Header, template.Header) // shares the slices
	if err := Sign(req, EmptyPayloadHash, key, katTime.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(template.Header, before) {
		t.Errorf("signing another request changed the template's headers:\n%v\nwas\n%v", template.Header, before)
	}
	if req.Header.Get(HeaderAuthorization) == before.Get(HeaderAuthorization) {
		t.Error("the request was not signed anew")
	}
}

// TestAppendDate compares appendDate with time's own formatting over
// random instants across the years it formats by hand, and outside them.
func TestAppendDate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	loc := time.FixedZone("UTC+8", 8*3600)
	for i := range 20000 {
		sec := r.Int64N(int64(10000*366*24*3600)) - int64(1970*365*24*3600)
		tm := time.Unix(sec, r.Int64N(1e9))
		if i%2 == 0 {
			tm = tm.In(loc)
		}
		want := tm.UTC().Format(DateLayout)
		if got := string(appendDate(nil, tm)); got != want {
			t.Fatalf("appendDate(%v) = %q, want %q", tm, got, want)
		}
	}
	for _, tm := range []time.Time{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), {}} {
		if got, want := string(appendDate(nil, tm)), tm.UTC().Format(DateLayout); got != want {
			t.Errorf("appendDate(%v) = %q, want %q", tm, got, want)
		}
	}
}
