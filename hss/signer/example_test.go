package signer_test

import (
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

// A Signer keeps the key's HMAC states between signatures: for a program
// that signs many requests with one key, as the hss client does.
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
