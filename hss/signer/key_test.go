package signer

import (
	"fmt"
	"strings"
	"testing"
)

func TestKeyNeverPrintsSecret(t *testing.T) {
	const secret = "s3cr3t-SK-value"
	key := Key{AccessKey: "HPUAEXAMPLE", SecretKey: secret}
	type holder struct {
		Name string
		Key  Key
		Ptr  *Key
	}
	h := holder{Name: "n", Key: key, Ptr: &key}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%-v"} {
		for _, arg := range []any{key, &key, h, &h, []Key{key}, map[string]Key{"k": key}} {
			got := fmt.Sprintf(format, arg)
			if strings.Contains(got, secret) || strings.Contains(got, fmt.Sprintf("%x", secret)) || strings.Contains(got, fmt.Sprintf("%X", secret)) {
				t.Errorf("Sprintf(%q, %T) = %q shows the secret", format, arg, got)
			}
		}
	}
	if got, want := fmt.Sprintf("%v", key), "signer.Key{AccessKey: HPUAEXAMPLE, SecretKey: [redacted]}"; got != want {
		t.Errorf("%%v = %q, want %q", got, want)
	}
	if got, want := fmt.Sprintf("%#v", key), `signer.Key{AccessKey:"HPUAEXAMPLE", SecretKey:"[redacted]"}`; got != want {
		t.Errorf("%%#v = %q, want %q", got, want)
	}
	if got, want := fmt.Sprint(Key{AccessKey: "AK"}), `signer.Key{AccessKey: AK, SecretKey: ""}`; got != want {
		t.Errorf("empty secret prints %q, want %q", got, want)
	}
}

// TestChecksMatchTheirRules compares the table-driven checks of Sign with
// the rules written out, for every byte at every position of a payload hash
// and of an access key.
func TestChecksMatchTheirRules(t *testing.T) {
	for pos := 0; pos < 64; pos++ {
		for c := 0; c < 256; c++ {
			b := []byte(EmptyPayloadHash)
			b[pos] = byte(c)
			want := '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
			if got := isHexSHA256(string(b)); got != want {
				t.Fatalf("isHexSHA256 with %q at %d = %v, want %v", byte(c), pos, got, want)
			}
		}
	}
	for _, s := range []string{"", "0", EmptyPayloadHash[1:], EmptyPayloadHash + "0"} {
		if isHexSHA256(s) {
			t.Errorf("isHexSHA256(%q) = true for %d digits", s, len(s))
		}
	}
	for pos := 0; pos < 3; pos++ {
		for c := 0; c < 256; c++ {
			ak := []byte("AKX")
			ak[pos] = byte(c)
			want := c > ' ' && c < 0x7f && c != ','
			if got := checkKey(Key{AccessKey: string(ak), SecretKey: "sk"}) == nil; got != want {
				t.Fatalf("checkKey with %q at %d accepted = %v, want %v", byte(c), pos, got, want)
			}
		}
	}
}
