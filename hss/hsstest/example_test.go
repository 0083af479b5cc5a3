package hsstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/openhss/hss-go/hss"
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

// ExampleServer_InjectFault is the usual use: the code under test talks to
// the fake through an hss.Client, a fault throttles it once, and the test
// reads what the fake received and the state it keeps.
func ExampleServer_InjectFault() {
	srv := hsstest.NewServer(hsstest.Options{})
	defer srv.Close()
	c, err := hss.New(hss.Config{
		Region:      srv.Region(),
		ProjectID:   srv.ProjectID(),
		Credentials: hss.AccessKey{ID: hsstest.DefaultAccessKey, Secret: hsstest.DefaultSecretKey},
		Endpoint:    srv.URL, // always set: an empty Endpoint is the region's real service
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The next request is answered 429 with Retry-After: 1; the client
	// waits a second and sends it again.
	srv.InjectFault(hsstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	ev := srv.Events()[0]
	err = c.HandleEvents(context.Background(), hss.MarkAsHandledRequest("triage-bot",
		hss.EventRef{ClassID: ev.ClassID, ID: ev.ID, Type: ev.Type, OccurTime: ev.OccurTime}),
		&hss.HandleEventsParams{EnterpriseProjectId: hss.Ptr("all_granted_eps")})
	fmt.Println("handled:", err)

	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path[len("/v5/"+srv.ProjectID()):], r.Status)
	}
	after, _ := srv.Event(ev.ID)
	fmt.Println(after.HandleStatus, after.Handler)
	// Output:
	// handled: <nil>
	// POST /event/operate 429
	// POST /event/operate 200
	// handled triage-bot
}
