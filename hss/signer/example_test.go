package signer_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/openhss/hss-go/hss/signer"
)

func ExampleSign() {
	req, err := http.NewRequest(http.MethodGet,
		"https://hss.ap-southeast-1.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/event/export-task/task-1?enterprise_project_id=0", nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set(signer.HeaderProjectID, "0123456789abcdef0123456789abcdef")

	key := signer.Key{AccessKey: "HPUAEXAMPLEAK0000001", SecretKey: "ExampleSecretKey/with+chars=0123456789ab"}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := signer.Sign(req, signer.EmptyPayloadHash, key, at); err != nil {
		panic(err)
	}
	fmt.Println(signer.HeaderDate+":", req.Header.Get(signer.HeaderDate))
	fmt.Println(signer.HeaderAuthorization+":", req.Header.Get(signer.HeaderAuthorization))
	fmt.Println(key)
	// Output:
	// X-Sdk-Date: 20240102T030405Z
	// Authorization: SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-project-id;x-sdk-date, Signature=f3cfa53d5b01d37499e19d4abdee853ec078f0280c9028cc95ad971836eef1ec
	// signer.Key{AccessKey: HPUAEXAMPLEAK0000001, SecretKey: [redacted]}
}

// A Signer signs with one key, keeping what repeated calls to one
// operation share between signatures: for a program that signs many
// requests with one key, as the hss client does.
func ExampleNewSigner() {
	s, err := signer.NewSigner(signer.Key{AccessKey: "HPUAEXAMPLEAK0000001", SecretKey: "ExampleSecretKey/with+chars=0123456789ab"})
	if err != nil {
		panic(err)
	}
	req, err := http.NewRequest(http.MethodGet,
		"https://hss.ap-southeast-1.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/event/export-task/task-1?enterprise_project_id=0", nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set(signer.HeaderProjectID, "0123456789abcdef0123456789abcdef")
	if err := s.Sign(req, signer.EmptyPayloadHash, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		panic(err)
	}
	fmt.Println(signer.HeaderAuthorization+":", req.Header.Get(signer.HeaderAuthorization))
	fmt.Println(s)
	// Output:
	// Authorization: SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-project-id;x-sdk-date, Signature=f3cfa53d5b01d37499e19d4abdee853ec078f0280c9028cc95ad971836eef1ec
	// signer.Signer{signer.Key{AccessKey: HPUAEXAMPLEAK0000001, SecretKey: [redacted]}}
}

// Verify checks a request as the API gateway would: here one signed a
// minute ago, then the same request with its body changed after signing.
func ExampleVerify() {
	keys := map[string]string{"HPUAEXAMPLEAK0000001": "ExampleSecretKey/with+chars=0123456789ab"}
	lookup := func(ak string) (string, bool) { sk, ok := keys[ak]; return sk, ok }
	now := time.Date(2024, 1, 2, 3, 5, 5, 0, time.UTC)

	body := []byte(`{"operate_type":"ignore"}`)
	req, err := http.NewRequest(http.MethodPost, "https://hss.ap-southeast-1.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/event/operate", nil)
	if err != nil {
		panic(err)
	}
	key := signer.Key{AccessKey: "HPUAEXAMPLEAK0000001", SecretKey: keys["HPUAEXAMPLEAK0000001"]}
	if err := signer.Sign(req, signer.HashPayload(body), key, now.Add(-time.Minute)); err != nil {
		panic(err)
	}

	ak, err := signer.Verify(req, signer.HashPayload(body), lookup, now, 15*time.Minute)
	fmt.Println(ak, err)
	_, err = signer.Verify(req, signer.HashPayload([]byte(`{"operate_type":"mark_as_handled"}`)), lookup, now, 15*time.Minute)
	fmt.Println(errors.Is(err, signer.ErrSignatureMismatch))
	// Output:
	// HPUAEXAMPLEAK0000001 <nil>
	// true
}
