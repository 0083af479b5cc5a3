package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	hssv5 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5/model"

	"github.com/openhss/hss-go/hss"
)

// requestsPerOperation is how many random requests of each operation go
// through both clients.
const requestsPerOperation = 200

// seed makes the random requests reproducible; change it to explore.
const seed = 20261121

// Test credentials: fake, and used against the loopback recorder only.
var (
	permanent = Credentials{
		ProjectID: "0123456789abcdef0123456789abcdef",
		AccessKey: "INTEROPAKPERMANENT01",
		SecretKey: "interop-secret-key-permanent",
	}
	temporary = Credentials{
		ProjectID:     "fedcba9876543210fedcba9876543210",
		AccessKey:     "INTEROPAKTEMPORARY01",
		SecretKey:     "interop-secret-key-temporary",
		SecurityToken: "interop-security-token-" + strings.Repeat("x", 64),
	}
)

// clientPair is our client and the official SDK's, with the same
// credentials, both sending to one recorder.
type clientPair struct {
	creds Credentials
	ours  *hss.Client
	sdk   *hssv5.HssClient
}

func newClientPairs(t *testing.T, rec *Recorder) []clientPair {
	t.Helper()
	var pairs []clientPair
	for _, creds := range []Credentials{permanent, temporary} {
		ours, err := NewClient(rec.URL, creds, nil)
		if err != nil {
			t.Fatalf("our client: %v", err)
		}
		sdk, err := NewSDKClient(rec.URL, creds, nil)
		if err != nil {
			t.Fatalf("official sdk client: %v", err)
		}
		pairs = append(pairs, clientPair{creds, ours, sdk})
	}
	return pairs
}

// The headers each client signs. hss-api.md asks for host, x-sdk-date, and
// x-project-id, x-security-token and content-type whenever sent; ours does
// that. The official SDK signs every header it put on the request itself
// except Content-Type (and any name with '_'): never host, which the gateway
// therefore cannot require, but user-agent and the operate call's region
// header. Pinning both sets exactly makes an SDK upgrade that changes them
// visible.
func wantSignedHeaders(sdk bool, creds Credentials, rec *Recorded) []string {
	var h []string
	if sdk {
		h = []string{"user-agent", "x-project-id", "x-sdk-date"}
		if rec.Header.Get("Region") != "" {
			h = append(h, "region")
		}
	} else {
		h = []string{"content-type", "host", "x-project-id", "x-sdk-date"}
	}
	if creds.SecurityToken != "" {
		h = append(h, "x-security-token")
	}
	sort.Strings(h)
	return h
}

// headersOnlyOneSends are the headers whose presence may differ between the
// clients: none today. Headers present in both whose values legitimately
// differ are not compared: Authorization and X-Sdk-Date (each client signs
// at its own second), User-Agent (each names itself), Content-Length (the
// bodies differ in bytes, see compareBodies) and Accept-Encoding (set by
// net/http in both).
var headersOnlyOneSends = map[string]bool{}

// TestSameRequests sends the same random requests through our client and
// the official SDK, and requires the recorder to see the same method, path,
// decoded query and JSON body from both, the same project and token headers,
// and signatures the independent Verifier accepts.
func TestSameRequests(t *testing.T) {
	rec := NewRecorder(RecorderOptions{})
	defer rec.Close()
	pairs := newClientPairs(t, rec)
	report := newDiffReport()
	ctx := context.Background()

	t.Run("export", func(t *testing.T) {
		g := newGen(seed)
		for i := range requestsPerOperation {
			cp := pairs[i%len(pairs)]
			params, cols := g.exportRequest()
			sdkReq, err := toSDKExport(params, cols)
			if err != nil {
				t.Fatalf("export %d: converting to the sdk's request: %v", i, err)
			}
			res, err := cp.ours.ExportEvents(ctx, params, cols)
			if err != nil {
				t.Fatalf("export %d: our client: %v", i, err)
			}
			sdkRes, err := cp.sdk.ExportEventRequest(sdkReq)
			if err != nil {
				t.Fatalf("export %d: official sdk: %v", i, err)
			}
			got := rec.Take()
			if len(got) != 2 {
				t.Fatalf("export %d: recorder saw %d requests, want 2", i, len(got))
			}
			name := fmt.Sprintf("export %d", i)
			compareRequests(t, name, cp.creds, &got[0], &got[1], report)
			// Each client must return what the recorder answered it.
			var want [2]hss.ExportEventsResult
			for k := range got {
				if err := json.Unmarshal(got[k].Answer, &want[k]); err != nil {
					t.Fatalf("%s: recorder answer %q: %v", name, got[k].Answer, err)
				}
			}
			if !reflect.DeepEqual(*res, want[0]) {
				t.Errorf("%s: our client returned %+v, the recorder answered %s", name, *res, got[0].Answer)
			}
			if !reflect.DeepEqual(sdkRes.RecordTotalNum, want[1].RecordTotalNum) || !reflect.DeepEqual(sdkRes.TaskId, want[1].TaskId) {
				t.Errorf("%s: official sdk returned %v, the recorder answered %s", name, sdkRes, got[1].Answer)
			}
		}
	})

	t.Run("operate", func(t *testing.T) {
		g := newGen(seed + 1)
		for i := range requestsPerOperation {
			cp := pairs[i%len(pairs)]
			body, params := g.operateRequest()
			sdkReq, err := toSDKOperate(body, params)
			if err != nil {
				t.Fatalf("operate %d: converting to the sdk's request: %v", i, err)
			}
			if err := cp.ours.HandleEvents(ctx, body, params); err != nil {
				t.Fatalf("operate %d: our client: %v", i, err)
			}
			if _, err := cp.sdk.ChangeEvent(sdkReq); err != nil {
				t.Fatalf("operate %d: official sdk: %v", i, err)
			}
			got := rec.Take()
			if len(got) != 2 {
				t.Fatalf("operate %d: recorder saw %d requests, want 2", i, len(got))
			}
			compareRequests(t, fmt.Sprintf("operate %d", i), cp.creds, &got[0], &got[1], report)
		}
	})

	report.log(t)
}

// errorer is the part of testing.T the comparisons use, so that a test can
// check that they do fail.
type errorer interface {
	Helper()
	Errorf(format string, args ...any)
}

// compareRequests checks that ours and sdk, one request sent by each client,
// say the same thing, and notes where their bytes differ.
func compareRequests(t errorer, name string, creds Credentials, ours, sdk *Recorded, report *diffReport) {
	t.Helper()
	if ours.Method != sdk.Method {
		t.Errorf("%s: method: ours %s, sdk %s", name, ours.Method, sdk.Method)
	}
	if ours.EscapedPath != sdk.EscapedPath {
		t.Errorf("%s: path: ours %s, sdk %s", name, ours.EscapedPath, sdk.EscapedPath)
	}
	if ours.Host != sdk.Host {
		t.Errorf("%s: host: ours %s, sdk %s", name, ours.Host, sdk.Host)
	}
	compareQueries(t, name, ours.RawQuery, sdk.RawQuery, report)
	compareBodies(t, name, ours.Body, sdk.Body, report)

	for _, h := range []string{"Content-Type"} {
		om, _, err1 := mime.ParseMediaType(ours.Header.Get(h))
		sm, _, err2 := mime.ParseMediaType(sdk.Header.Get(h))
		if err1 != nil || err2 != nil || om != "application/json" || sm != om {
			t.Errorf("%s: %s: ours %q, sdk %q, want application/json", name, h, ours.Header.Get(h), sdk.Header.Get(h))
		}
	}
	for h, want := range map[string]string{
		"X-Project-Id":     creds.ProjectID,
		"X-Security-Token": creds.SecurityToken, // "" means absent
		"Region":           sdk.Header.Get("Region"),
	} {
		if o, s := ours.Header.Values(h), sdk.Header.Values(h); !slices.Equal(o, s) || (want != "" && !slices.Equal(o, []string{want})) || (want == "" && len(o) != 0) {
			t.Errorf("%s: header %s: ours %d values, sdk %d values, equal %t; want %q", name, h, len(o), len(s), slices.Equal(o, s), redacted(h, want))
		}
	}
	for h := range ours.Header {
		if _, ok := sdk.Header[h]; !ok && !headersOnlyOneSends[h] {
			t.Errorf("%s: only ours sends header %s", name, h)
		}
	}
	for h := range sdk.Header {
		if _, ok := ours.Header[h]; !ok && !headersOnlyOneSends[h] {
			t.Errorf("%s: only the sdk sends header %s", name, h)
		}
	}

	for _, c := range []struct {
		who string
		sdk bool
		rec *Recorded
	}{{"ours", false, ours}, {"sdk", true, sdk}} {
		want := wantSignedHeaders(c.sdk, creds, c.rec)
		v := &Verifier{Keys: map[string]string{creds.AccessKey: creds.SecretKey}, Require: want}
		sig, err := v.Verify(c.rec)
		if err != nil {
			t.Errorf("%s: %s signature refused by the verifier: %v", name, c.who, err)
			continue
		}
		if sig.AccessKey != creds.AccessKey {
			t.Errorf("%s: %s signed with access key %q, want %q", name, c.who, sig.AccessKey, creds.AccessKey)
		}
		if !slices.Equal(sig.SignedHeaders, want) {
			t.Errorf("%s: %s signed %v, want %v", name, c.who, sig.SignedHeaders, want)
		}
		// A gateway that reads '+' in a query as a literal plus (RFC 3986)
		// rather than a space (HTML forms) computes another canonical query
		// when a client sends '+' for a space.
		strict := *v
		strict.LiteralPlus = true
		if _, err := strict.Verify(c.rec); err != nil {
			report.note(c.who+": signature refused when '+' in the query is read as a literal plus", name)
		}
	}
}

// compareQueries requires the same multiset of decoded key/value pairs and
// notes how the raw encodings differ.
func compareQueries(t errorer, name, ours, sdk string, report *diffReport) {
	t.Helper()
	op, err1 := decodedPairs(ours)
	sp, err2 := decodedPairs(sdk)
	if err1 != nil || err2 != nil {
		t.Errorf("%s: undecodable query: ours %v, sdk %v", name, err1, err2)
		return
	}
	if !slices.Equal(op, sp) {
		t.Errorf("%s: decoded queries differ:\nours %q\nsdk  %q\nours raw %s\nsdk  raw %s", name, op, sp, ours, sdk)
		return
	}
	if c, err := canonicalQuery(sdk, false); err == nil {
		encodedOrder := strings.Split(c, "&")
		slices.Sort(encodedOrder)
		if strings.Join(encodedOrder, "&") != c {
			report.note("query: sorting the encoded pairs would give another canonical query than sorting the decoded ones (both clients sort decoded)", name)
		}
	}
	if ours == sdk {
		return
	}
	report.note("query: raw encodings differ", name)
	oPieces, sPieces := rawPieces(ours), rawPieces(sdk)
	if !slices.Equal(strings.Split(ours, "&"), slices.Sorted(slices.Values(strings.Split(ours, "&")))) {
		report.note("query: ours is not in key order (the sdk sorts by key)", name)
	}
	if strings.Contains(ours, "+") {
		report.note("query: ours writes a space as '+' (the sdk as %20)", name)
	}
	for _, p := range sPieces {
		if !strings.Contains(p, "=") {
			report.note("query: the sdk writes an empty value as a bare key ('k', not 'k=')", name)
			break
		}
	}
	norm := func(ps []string, plus bool) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			if plus {
				p = strings.ReplaceAll(p, "+", "%20")
			}
			if !strings.Contains(p, "=") {
				p += "="
			}
			out[i] = p
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(norm(oPieces, true), norm(sPieces, false)) {
		report.note("query: other raw differences (after order, '+' and bare keys)", name+": ours "+ours+" sdk "+sdk)
	}
}

// decodedPairs decodes a raw query into sorted "key=value" strings, as Go's
// url.ParseQuery reads it ('+' is a space).
func decodedPairs(raw string) ([]string, error) {
	var out []string
	for _, piece := range rawPieces(raw) {
		k, v, _ := strings.Cut(piece, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		out = append(out, dk+"="+dv)
	}
	slices.Sort(out)
	return out, nil
}

func rawPieces(raw string) []string {
	var out []string
	for p := range strings.SplitSeq(raw, "&") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// compareBodies requires the same JSON value (numbers compared exactly, not
// as float64) and notes how the bytes differ.
func compareBodies(t errorer, name string, ours, sdk []byte, report *diffReport) {
	t.Helper()
	ov, err1 := decodeJSON(ours)
	sv, err2 := decodeJSON(sdk)
	if err1 != nil || err2 != nil {
		t.Errorf("%s: undecodable body: ours %v, sdk %v", name, err1, err2)
		return
	}
	if !reflect.DeepEqual(ov, sv) {
		t.Errorf("%s: bodies differ:\nours %s\nsdk  %s", name, ours, sdk)
		return
	}
	if bytes.Equal(ours, sdk) {
		return
	}
	report.note("body: bytes differ", name)
	if bytes.HasSuffix(sdk, []byte("\n")) && !bytes.HasSuffix(ours, []byte("\n")) {
		report.note("body: the sdk ends the body with a newline (json.Encoder)", name)
	}
	if bytes.Contains(ours, []byte(`\u003c`)) || bytes.Contains(ours, []byte(`\u003e`)) || bytes.Contains(ours, []byte(`\u0026`)) {
		report.note("body: ours escapes < > & as \\u003c \\u003e \\u0026 (the sdk sends them raw)", name)
	}
	if !slices.Equal(objectKeys(ours), objectKeys(sdk)) {
		report.note("body: the clients write object keys in another order (ours alphabetical, the sdk in its struct order)", name)
	}
}

// objectKeys lists the object keys of a JSON document in the order written.
func objectKeys(b []byte) []string {
	type frame struct{ object, wantKey bool }
	var stack []frame
	var keys []string
	afterValue := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			afterValue()
		default:
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				keys = append(keys, tok.(string))
				stack[n-1].wantKey = false
				continue
			}
			afterValue()
		}
	}
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

func redacted(header, v string) string {
	if header == "X-Security-Token" && v != "" {
		return "[redacted]"
	}
	return v
}

// diffReport counts the kinds of byte-level difference seen, with the first
// request that showed each.
type diffReport struct {
	counts map[string]int
	first  map[string]string
}

func newDiffReport() *diffReport {
	return &diffReport{counts: map[string]int{}, first: map[string]string{}}
}

func (r *diffReport) note(kind, example string) {
	if r.counts[kind] == 0 {
		r.first[kind] = example
	}
	r.counts[kind]++
}

func (r *diffReport) log(t *testing.T) {
	kinds := slices.Sorted(func(yield func(string) bool) {
		for k := range r.counts {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range kinds {
		ex := r.first[k]
		if len(ex) > 300 {
			ex = ex[:300] + "..."
		}
		t.Logf("%4d × %s (first: %s)", r.counts[k], k, ex)
	}
}

// toSDKExport converts our export request into the SDK's through JSON: the
// fields of both are named by the query parameter names, so no filter can be
// forgotten, and a field the SDK does not know fails the conversion.
func toSDKExport(p hss.ExportEventsParams, cols hss.ExportColumns) (*model.ExportEventRequestRequest, error) {
	var out model.ExportEventRequestRequest
	if err := convert(p, &out); err != nil {
		return nil, err
	}
	body := [][]string(cols)
	out.Body = &body
	return &out, nil
}

// toSDKOperate converts our operate request and parameters into the SDK's,
// through JSON as toSDKExport does.
func toSDKOperate(body hss.OperateEventsRequest, params *hss.HandleEventsParams) (*model.ChangeEventRequest, error) {
	var out model.ChangeEventRequest
	if params != nil {
		if err := convert(params, &out); err != nil {
			return nil, err
		}
	}
	var info model.ChangeEventRequestInfo
	if err := convert(body, &info); err != nil {
		return nil, err
	}
	out.Body = &info
	return &out, nil
}

func convert(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(out)
}

// TestReservedCharactersInProjectID sends one export with a project id full
// of characters the path encodings treat differently. Real project ids are
// 32 hex digits; this pins down the path corner of the canonicalisation.
// The clients escape the path differently (ours escapes ',' and ';', the
// SDK leaves them), but it decodes to the same path and both signatures
// verify. The SDK does not escape '/' in a path parameter at all, so a
// project id with '/' reaches another path; that case is left out.
func TestReservedCharactersInProjectID(t *testing.T) {
	rec := NewRecorder(RecorderOptions{})
	defer rec.Close()
	creds := temporary
	creds.ProjectID = "p+1:@!$&'()*,;=é ~%x"
	ours, err := NewClient(rec.URL, creds, nil)
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := NewSDKClient(rec.URL, creds, nil)
	if err != nil {
		t.Fatal(err)
	}
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "x"}
	cols := hss.ExportColumns{{"event_name", "Alarm name"}}
	sdkReq, err := toSDKExport(params, cols)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ours.ExportEvents(context.Background(), params, cols); err != nil {
		t.Fatalf("our client: %v", err)
	}
	if _, err := sdk.ExportEventRequest(sdkReq); err != nil {
		t.Fatalf("official sdk: %v", err)
	}
	got := rec.Take()
	if len(got) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(got))
	}
	want := "/v5/" + creds.ProjectID + "/event/export"
	for i, r := range got {
		if p, err := url.PathUnescape(r.EscapedPath); err != nil || p != want {
			t.Errorf("request %d: path %s decodes to %q, want %q", i, r.EscapedPath, p, want)
		}
		v := &Verifier{Keys: map[string]string{creds.AccessKey: creds.SecretKey}}
		if _, err := v.Verify(&r); err != nil {
			t.Errorf("request %d: %v", i, err)
		}
		if h := r.Header.Get("X-Project-Id"); h != creds.ProjectID {
			t.Errorf("request %d: X-Project-Id %q", i, h)
		}
	}
}
