package interop

import (
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5/model"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// TestSDKAgainstTheFake: the official SDK's calls, signed its own way
// (neither host nor content-type signed), are served by hss/hsstest as the
// service serves them: an export, its task read, and marking an alarm
// handled, with a permanent key and with a temporary one. A fake that
// refused them would fail tests of code that the service accepts.
func TestSDKAgainstTheFake(t *testing.T) {
	for _, temporary := range []bool{false, true} {
		opts := hsstest.Options{}
		creds := Credentials{ProjectID: hsstest.DefaultProjectID, AccessKey: hsstest.DefaultAccessKey, SecretKey: hsstest.DefaultSecretKey}
		if temporary {
			opts = hsstest.Options{AccessKeys: map[string]string{"TMPAK0001": "tmp-secret"}, SecurityTokens: map[string]string{"TMPAK0001": "security-token"}}
			creds = Credentials{ProjectID: hsstest.DefaultProjectID, AccessKey: "TMPAK0001", SecretKey: "tmp-secret", SecurityToken: "security-token"}
		}
		fake := hsstest.NewServer(opts)
		defer fake.Close()
		c, err := NewSDKClient(fake.URL, creds, nil)
		if err != nil {
			t.Fatal(err)
		}
		days := int32(7)
		res, err := c.ExportEventRequest(&model.ExportEventRequestRequest{Category: "host", EventId: "sdk", LastDays: &days,
			Body: &[][]string{{"event_name", "Alarm name"}}})
		if err != nil || res.TaskId == nil {
			t.Fatalf("temporary %t: export: %v, %v", temporary, res, err)
		}
		if _, err := c.ShowExportTask(&model.ShowExportTaskRequest{TaskId: *res.TaskId}); err != nil {
			t.Errorf("temporary %t: task read: %v", temporary, err)
		}
		var ev hsstest.Event
		for _, e := range fake.Events() {
			if e.EnterpriseProjectID == "0" && e.HandleStatus == hss.Unhandled {
				ev = e
				break
			}
		}
		req, err := toSDKOperate(hss.MarkAsHandledRequest("sdk", hss.EventRef{ClassID: ev.ClassID, ID: ev.ID, Type: ev.Type, OccurTime: ev.OccurTime}), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ChangeEvent(req); err != nil {
			t.Errorf("temporary %t: ChangeEvent: %v", temporary, err)
		}
		if after, _ := fake.Event(ev.ID); after.HandleStatus != hss.Handled {
			t.Errorf("temporary %t: the alarm is %s after ChangeEvent", temporary, after.HandleStatus)
		}
		for _, r := range fake.Requests() {
			if r.Status != 200 || strings.Contains(r.Auth, ";host;") {
				t.Errorf("temporary %t: %s %s answered %d (Authorization %s); want 200, and the SDK's own signed headers", temporary, r.Method, r.Path, r.Status, r.Auth)
			}
		}
	}
}
