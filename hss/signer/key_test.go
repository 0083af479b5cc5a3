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
