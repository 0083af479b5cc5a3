package hsstest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
	"github.com/openhss/hss-go/hss/signer"
)

// ExampleNewServer starts the fake, submits an export of the critical host
// events of every enterprise project signed with the default access key, and
// inspects what the fake received.
func ExampleNewServer() {
	srv := hsstest.NewServer(hsstest.Options{})
	defer srv.Close()

	body := []byte(`[["event_name","Alarm name"],["host_name","Server name"]]`)
	url := srv.URL + "/v5/" + srv.ProjectID() + "/event/export?category=host&enterprise_project_id=all_granted_eps&event_id=case-1&severity=Critical"
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	key := signer.Key{AccessKey: hsstest.DefaultAccessKey, SecretKey: hsstest.DefaultSecretKey}
	if err := signer.Sign(req, signer.HashPayload(body), key, time.Now()); err != nil {
		fmt.Println(err)
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var result struct {
		RecordTotalNum int `json:"record_total_num"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&result)
	fmt.Println(resp.Status, "records:", result.RecordTotalNum)

	r := srv.Requests()[0]
	fmt.Println(r.Method, r.Auth, r.Status)
	// Output:
	// 200 OK records: 3
	// POST aksk 200
}
