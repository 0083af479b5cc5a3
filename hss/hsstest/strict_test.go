package hsstest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openhss/hss-go/hss/hsstest"
)

// TestReadAsChecked: a request that the spec check would pass but the
// fake would read otherwise than it checked is refused with 400 HSS.1001
// naming what is wrong, and changes nothing; a body key the spec does not
// know is ignored, as before.
func TestReadAsChecked(t *testing.T) {
	srv := newServer(t, hsstest.Options{})
	var ev hsstest.Event
	for _, e := range srv.Events() {
		if e.HandleStatus == "unhandled" {
			ev = e
			break
		}
	}
	if ev.ID == "" {
		t.Fatal("no unhandled event in the seed")
	}
	item := string(mustJSON(t, operateEvent(ev)))
	operateBody := func(head string) []byte {
		return []byte(`{` + head + `"operate_event_list":[` + item + `]}`)
	}
	cols := string(mustJSON(t, defaultColumns))
	for _, tc := range []struct {
		name  string
		path  string
		query url.Values
		body  []byte
		words []string
	}{
		{"key in upper case", operatePath(srv), allProjects, operateBody(`"operate_type":"unhandle","OPERATE_TYPE":"ignore",`), []string{`"OPERATE_TYPE"`, `"operate_type"`, "exactly"}},
		{"key folding to another", operatePath(srv), allProjects, operateBody(`"operate_type":"ignore","operate_event_li\u017ft":[],`), []string{"operate_event_li\u017ft", `"operate_event_list"`}},
		{"nested key in another case", operatePath(srv), allProjects, []byte(`{"operate_type":"add_to_alarm_whitelist","operate_event_list":[` +
			strings.Replace(item, `"operate_detail_list":[]`, `"operate_detail_list":[{"KEYWORD":"k","HASH":"h","keyword":"k","hash":"h"}]`, 1) + `]}`), []string{`"KEYWORD"`}},
		{"key given twice", operatePath(srv), allProjects, operateBody(`"operate_type":"unhandle","operate_type":"ignore",`), []string{`"operate_type"`, "twice"}},
		{"operate body with trailing data", operatePath(srv), allProjects, append(operateBody(`"operate_type":"ignore",`), " garbage"...), []string{"after the JSON value"}},
		{"export body with trailing data", exportPath(srv), exportQuery("host", nil), []byte(cols + ` junk`), []string{"after the JSON value"}},
		{"export body with a bracket too many", exportPath(srv), exportQuery("host", nil), []byte(cols + `]`), []string{"after the JSON value"}},
		{"single-value query parameter twice", exportPath(srv), exportQuery("host", url.Values{"category": {"host", "container"}}), []byte(cols), []string{"category", "more than once"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			r := call(t, srv, http.MethodPost, tc.path, tc.query, tc.body, signed(defaultKey, t0))
			wantError(t, r, http.StatusBadRequest, "HSS.1001", tc.words...)
			for _, e := range srv.Events() {
				if e.ID == ev.ID && e.HandleStatus != "unhandled" {
					t.Fatalf("the event is %s after a refused request", e.HandleStatus)
				}
			}
		})
	}

	// What stays accepted: a list parameter given more than once, a key the
	// spec does not know, whitespace after the value.
	q := exportQuery("host", url.Values{"severity_list": {"High", "Critical"}})
	if r := call(t, srv, http.MethodPost, exportPath(srv), q, []byte(cols+" \n"), signed(defaultKey, t0)); r.status != http.StatusOK {
		t.Errorf("export with a repeated list parameter: %d %s", r.status, r.body)
	}
	if r := call(t, srv, http.MethodPost, operatePath(srv), allProjects, operateBody(`"operate_type":"ignore","note":"x",`), signed(defaultKey, t0)); r.status != http.StatusOK {
		t.Errorf("operate with an unknown key: %d %s", r.status, r.body)
	}
}
