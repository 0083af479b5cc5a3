package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
)

// benchExportRequest is a typical export call: POST, eight query parameters
// with a repeated key, four headers besides the ones Sign sets.
func benchExportRequest(b *testing.B) *http.Request {
	b.Helper()
	req, err := http.NewRequest(http.MethodPost,
		"https://hss.ap-southeast-1.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/event/export"+
			"?enterprise_project_id=all_granted_eps&category=host&severity_list=High&severity_list=Critical"+
			"&severity_list=Medium&handle_status=unhandled&begin_time=1704067200000&end_time=1704153600000", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set(HeaderProjectID, "0123456789abcdef0123456789abcdef")
	req.Header.Set(HeaderSecurityToken, "gQpzZWN1cml0eS10b2tlbi1leGFtcGxlZ1FwelpXTjFjbWwwZVMxMGIydGxiaTFsZUdGdGNHeGw")
	req.Header.Set("User-Agent", "hss-go")
	return req
}

// benchHandleRequest is a handle call's request as the client sends it:
// one query pair, the client's headers, no security token.
func benchHandleRequest(b *testing.B) *http.Request {
	b.Helper()
	req, err := http.NewRequest(http.MethodPost,
		"https://hss.ap-southeast-1.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/event/operate?enterprise_project_id=all_granted_eps", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderProjectID, "0123456789abcdef0123456789abcdef")
	req.Header.Set("User-Agent", "hss-go")
	return req
}

// benchSign signs req with Sign, b.N times.
func benchSign(b *testing.B, key Key, payloadHash string, req *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		if err := Sign(req, payloadHash, key, katTime); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSigner signs reqs in turn with one Signer for key, b.N times.
func benchSigner(b *testing.B, key Key, payloadHash string, reqs ...*http.Request) {
	s, err := NewSigner(key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, req := range reqs {
			if err := s.Sign(req, payloadHash, katTime); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkSign(b *testing.B) {
	key := Key{AccessKey: katAccessKey, SecretKey: katSecretKey}
	payloadHash := HashPayload([]byte(`{"export_headers":[["event_type","Event type"],["event_name","Event name"]]}`))
	b.Run("export", func(b *testing.B) { benchSign(b, key, payloadHash, benchExportRequest(b)) })
	// The same signature from a Signer, which keeps the canonical request's beginning.
	b.Run("signer", func(b *testing.B) { benchSigner(b, key, payloadHash, benchExportRequest(b)) })
	// A handle call's request, by Sign and by a Signer.
	b.Run("handle", func(b *testing.B) {
		req := benchHandleRequest(b)
		b.Run("Sign", func(b *testing.B) { benchSign(b, key, payloadHash, req) })
		b.Run("Signer", func(b *testing.B) { benchSigner(b, key, payloadHash, req) })
	})
	// Two operations in turn with one Signer, as a program that handles
	// events while it polls an export does: the export request, then the
	// handle call's.
	b.Run("alternate", func(b *testing.B) {
		benchSigner(b, key, payloadHash, benchExportRequest(b), benchHandleRequest(b))
	})
	// The same signature from the exported string-returning pieces, each
	// allocating its own result: what Sign's single buffer saves.
	b.Run("pieces", func(b *testing.B) {
		req := benchExportRequest(b)
		signed := []string{"content-type", "host", "x-project-id", "x-sdk-date", "x-security-token"}
		req.Header.Set(HeaderDate, katDate)
		b.ReportAllocs()
		for b.Loop() {
			sum := sha256.Sum256([]byte(CanonicalRequest(req, signed, payloadHash)))
			_ = Signature(katSecretKey, StringToSign(hex.EncodeToString(sum[:]), katDate))
		}
	})
	// The floor: one HMAC-SHA256, what any signer pays at least.
	b.Run("hmac-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Signature(katSecretKey, katWant["export"].stringToSign)
		}
	})
}

func BenchmarkCanonicalQuery(b *testing.B) {
	raw := benchExportRequest(b).URL.RawQuery
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendCanonicalQuery(buf[:0], raw)
	}
}
