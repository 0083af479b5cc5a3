package interop

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/openhss/hss-go/hss"
)

// collector is an errorer that keeps the messages.
type collector struct{ msgs []string }

func (c *collector) Helper() {}

func (c *collector) Errorf(format string, args ...any) {
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

func clone(r Recorded) Recorded {
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	return r
}

// TestComparisonsCatchDifferences feeds compareRequests one request sent by
// both clients, then copies of it with one thing changed, and requires it to
// report each change (and nothing for the unchanged pair).
func TestComparisonsCatchDifferences(t *testing.T) {
	rec := NewRecorder(RecorderOptions{})
	defer rec.Close()
	cp := newClientPairs(t, rec)[1] // the pair with a security token
	params := hss.ExportEventsParams{
		Category: hss.CategoryHost,
		EventId:  "case 1",
		HostName: hss.Ptr("web 01/é&=+"),
		TagList:  &[]string{"a", "a", "b"},
	}
	cols := hss.ExportColumns{{"event_name", "Alarm <name> & co"}}
	sdkReq, err := toSDKExport(params, cols)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cp.ours.ExportEvents(context.Background(), params, cols); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.sdk.ExportEventRequest(sdkReq); err != nil {
		t.Fatal(err)
	}
	got := rec.Take()
	if len(got) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(got))
	}

	tests := []struct {
		name   string
		change func(ours, sdk *Recorded)
		want   string // in one of the messages; "" means no message at all
	}{
		{"unchanged", func(_, _ *Recorded) {}, ""},
		// Ours does not sign User-Agent; the sdk does.
		{"unsigned header changed", func(o, _ *Recorded) { o.Header.Set("User-Agent", "x") }, ""},
		{"method", func(_, s *Recorded) { s.Method = "PUT" }, "method"},
		{"path", func(_, s *Recorded) { s.EscapedPath = strings.Replace(s.EscapedPath, "export", "Export", 1) }, "path"},
		{"host", func(o, _ *Recorded) { o.Host = "127.0.0.2:1" }, "host"},
		{"query value", func(_, s *Recorded) { s.RawQuery = strings.Replace(s.RawQuery, "web", "wab", 1) }, "decoded queries differ"},
		{"repeated value dropped", func(o, _ *Recorded) { o.RawQuery = strings.Replace(o.RawQuery, "tag_list=a&", "", 1) }, "decoded queries differ"},
		{"body", func(_, s *Recorded) { s.Body = bytes.Replace(s.Body, []byte("co"), []byte("Co"), 1) }, "bodies differ"},
		{"body not json", func(o, _ *Recorded) { o.Body = []byte("[") }, "undecodable body"},
		{"content type", func(o, _ *Recorded) { o.Header.Set("Content-Type", "text/plain") }, "Content-Type"},
		{"project header", func(o, _ *Recorded) { o.Header.Set("X-Project-Id", "other") }, "X-Project-Id"},
		{"token missing", func(_, s *Recorded) { s.Header.Del("X-Security-Token") }, "X-Security-Token"},
		{"extra header", func(_, s *Recorded) { s.Header.Set("X-Extra", "1") }, "only the sdk sends header X-Extra"},
		{"signed header changed", func(_, s *Recorded) { s.Header.Set("User-Agent", "x") }, "sdk signature refused"},
		{"access key", func(o, _ *Recorded) {
			o.Header.Set("Authorization", strings.Replace(o.Header.Get("Authorization"), temporary.AccessKey, permanent.AccessKey, 1))
		}, "ours signature refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, sdk := clone(got[0]), clone(got[1])
			tt.change(&ours, &sdk)
			var c collector
			compareRequests(&c, tt.name, temporary, &ours, &sdk, newDiffReport())
			if tt.want == "" {
				if len(c.msgs) > 0 {
					t.Errorf("reported %q", c.msgs)
				}
				return
			}
			for _, m := range c.msgs {
				if strings.Contains(m, tt.want) {
					return
				}
			}
			t.Errorf("no message with %q among %q", tt.want, c.msgs)
		})
	}
}

// TestWrongSecretIsRefused sends through an official SDK client whose secret
// key differs from the one the verifier knows.
func TestWrongSecretIsRefused(t *testing.T) {
	bad := permanent
	bad.SecretKey = "not-the-secret"
	rec := NewRecorder(RecorderOptions{})
	defer rec.Close()
	sdk, err := NewSDKClient(rec.URL, bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := NewClient(rec.URL, permanent, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := hss.MarkAsHandledRequest("", hss.EventRef{ClassID: "rootkit_0001", ID: "e1", Type: hss.EventRootkit})
	sdkReq, err := toSDKOperate(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ours.HandleEvents(context.Background(), body, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.ChangeEvent(sdkReq); err != nil {
		t.Fatal(err)
	}
	got := rec.Take()
	var c collector
	compareRequests(&c, "wrong secret", permanent, &got[0], &got[1], newDiffReport())
	if len(c.msgs) != 1 || !strings.Contains(c.msgs[0], "sdk signature refused") {
		t.Errorf("messages %q, want one that refuses the sdk's signature", c.msgs)
	}
}
