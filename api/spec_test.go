package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/openhss/hss-go/gen"
)

// specFile is the contract, relative to this package's directory (the
// working directory of go test).
const specFile = "openapi.yaml"

// seedOperateExample is the example request of seed 004 ("Handling Alarm
// Events"), copied as printed: file_attr is the integer 33261 although the
// seed's own table says String.
const seedOperateExample = `{
"operate_type" : "mark_as_handled",
"handler" : "test",
"operate_event_list" : [ {
"event_class_id" : "rootkit_0001",
"event_id" : "2a71e1e2-60f4-4d56-b314-2038fdc39de6",
"occur_time" : 1672046760353,
"event_type" : 1010,
"operate_detail_list" : [ {
"agent_id" : "c9bed5397db449ebdfba15e85fcfc36accee125c68954daf5cab0528bab59bd8",
"file_hash" : "e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d",
"file_path" : "/usr/test",
"process_pid" : 3123,
"file_attr" : 33261,
"keyword" : "file_path=/usr/test",
"hash" : "e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d",
"login_ip" : "127.0.0.1",
"private_ip" : "127.0.0.2",
"login_user_name" : "root",
"container_id" : "containerid",
"container_name" : "/test"
} ]
} ]
}`

// seedExportExample is the example request of seed 000 ("Submitting a
// Vulnerability Export Request"), copied as printed: three arrays deep,
// although the seed's own table says [[field, title], ...].
const seedExportExample = `[ [ [ "app_name", "Software name" ], [ "version", "Version" ], [ "update_time", "Update time." ], [ "recent_scan_time", "Last scan time." ], [ "container_id", "Container ID" ], [ "container_name", "Container name" ], [ "host_name", "Server name." ], [ "host_ip", "Server IP address." ] ] ]`

// testToken stands for an IAM token; it is no secret.
const testToken = "test-token-not-a-secret"

const (
	projectID  = "0123456789abcdef0123456789abcdef"
	exportPath = "/v5/" + projectID + "/event/export"
	operPath   = "/v5/" + projectID + "/event/operate"
	// validColumns is a well-formed export body.
	validColumns = `[["event_name","Alarm name"],["host_name","Server name"]]`
)

// seedOperateFixed returns the seed's operate example with file_attr as the
// string "33261" (hss-api.md decision 5).
func seedOperateFixed(t *testing.T) string {
	t.Helper()
	const printed, fixed = `"file_attr" : 33261`, `"file_attr" : "33261"`
	if n := strings.Count(seedOperateExample, printed); n != 1 {
		t.Fatalf("the seed's operate example holds %q %d times, want 1", printed, n)
	}
	return strings.Replace(seedOperateExample, printed, fixed, 1)
}

// loadSpec loads the contract from disk and validates it, examples included.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(specFile)
	if err != nil {
		t.Fatalf("load %s: %v", specFile, err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate %s: %v", specFile, err)
	}
	return doc
}

// loadUnvalidated loads the contract from disk without validating it, for the
// checks that must not lean on openapi3.T.Validate.
func loadUnvalidated(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(specFile)
	if err != nil {
		t.Fatalf("load %s: %v", specFile, err)
	}
	return doc
}

// decodeJSON decodes s the way a JSON schema sees it: numbers as float64.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %.40q: %v", s, err)
	}
	return v
}

// canonicalJSON re-encodes a JSON document, given as bytes, string or a
// decoded value, with object keys sorted and no spaces, so that two
// documents are equal exactly when their canonical bytes are.
func canonicalJSON(t *testing.T, v any) []byte {
	t.Helper()
	var raw []byte
	switch x := v.(type) {
	case []byte:
		raw = x
	case string:
		raw = []byte(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		raw = b
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		t.Fatalf("decode %.60q: %v", raw, err)
	}
	out, err := json.Marshal(tree)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// TestSpecValidates checks that the spec loads and validates with example
// validation on, and that this validation does look at the examples.
func TestSpecValidates(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3 (oapi-codegen's dialect)", doc.OpenAPI)
	}
	if n := doc.Paths.Len(); n != 4 {
		t.Errorf("the spec has %d paths, want 4", n)
	}

	// The same document with one bad schema example must be refused.
	rule := doc.Components.Schemas["EventWhiteRule"].Value
	rule.Example = map[string]any{"event_type": 3015, "field_key": "k", "field_value": "v", "judge_type": "regex"}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err == nil {
		t.Error("Validate accepted a schema example that breaks its schema: example validation is not on")
	}
}

// TestEmbeddedSpecMatchesFile checks that gen was generated from this
// openapi.yaml (run `go generate ./gen` when it fails).
func TestEmbeddedSpecMatchesFile(t *testing.T) {
	disk := loadSpec(t)
	embedded, err := gen.GetSpec()
	if err != nil {
		t.Fatalf("gen.GetSpec: %v", err)
	}
	a, err := json.Marshal(disk)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(embedded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canonicalJSON(t, a), canonicalJSON(t, b)) {
		t.Error("the spec embedded in gen differs from api/openapi.yaml: run go generate ./gen")
	}
}

// exampleCheck walks a document and validates every example it finds against
// the schema next to it.
type exampleCheck struct {
	visited int
	errs    []error
	seen    map[any]bool
}

func newExampleCheck() *exampleCheck { return &exampleCheck{seen: map[any]bool{}} }

// once reports whether p is met for the first time (refs share values).
func (c *exampleCheck) once(p any) bool {
	if c.seen[p] {
		return false
	}
	c.seen[p] = true
	return true
}

func (c *exampleCheck) example(where string, ex any, s *openapi3.SchemaRef) {
	if ex == nil {
		return
	}
	c.visited++
	if s == nil || s.Value == nil {
		c.errs = append(c.errs, fmt.Errorf("%s: an example without a schema", where))
		return
	}
	// A JSON round trip gives what a schema sees on the wire: float64 numbers,
	// map[string]any objects.
	b, err := json.Marshal(ex)
	if err != nil {
		c.errs = append(c.errs, fmt.Errorf("%s: encode example: %w", where, err))
		return
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		c.errs = append(c.errs, fmt.Errorf("%s: decode example: %w", where, err))
		return
	}
	if err := s.Value.VisitJSON(v); err != nil {
		c.errs = append(c.errs, fmt.Errorf("%s: %w", where, err))
	}
}

func (c *exampleCheck) examples(where string, exs openapi3.Examples, s *openapi3.SchemaRef) {
	for _, name := range slices.Sorted(maps.Keys(exs)) {
		if e := exs[name]; e != nil && e.Value != nil && c.once(e.Value) {
			c.example(where+"/examples/"+name, e.Value.Value, s)
		}
	}
}

func (c *exampleCheck) schema(where string, s *openapi3.SchemaRef) {
	if s == nil || s.Value == nil || !c.once(s.Value) {
		return
	}
	v := s.Value
	c.example(where+"/example", v.Example, s)
	for i, ex := range v.Examples {
		c.example(fmt.Sprintf("%s/examples/%d", where, i), ex, s)
	}
	for _, name := range slices.Sorted(maps.Keys(v.Properties)) {
		c.schema(where+"/properties/"+name, v.Properties[name])
	}
	c.schema(where+"/items", v.Items)
	c.schema(where+"/not", v.Not)
	c.schema(where+"/additionalProperties", v.AdditionalProperties.Schema)
	for i, sub := range slices.Concat(v.AllOf, v.AnyOf, v.OneOf) {
		c.schema(fmt.Sprintf("%s/of/%d", where, i), sub)
	}
}

func (c *exampleCheck) content(where string, ct openapi3.Content) {
	for _, mime := range slices.Sorted(maps.Keys(ct)) {
		mt := ct[mime]
		if mt == nil || !c.once(mt) {
			continue
		}
		w := where + "/content/" + mime
		c.example(w+"/example", mt.Example, mt.Schema)
		c.examples(w, mt.Examples, mt.Schema)
		c.schema(w+"/schema", mt.Schema)
	}
}

func (c *exampleCheck) parameter(where string, p *openapi3.Parameter) {
	if p == nil || !c.once(p) {
		return
	}
	c.example(where+"/example", p.Example, p.Schema)
	c.examples(where, p.Examples, p.Schema)
	c.schema(where+"/schema", p.Schema)
	c.content(where, p.Content)
}

func (c *exampleCheck) response(where string, r *openapi3.ResponseRef) {
	if r == nil || r.Value == nil || !c.once(r.Value) {
		return
	}
	c.content(where, r.Value.Content)
	for _, name := range slices.Sorted(maps.Keys(r.Value.Headers)) {
		if h := r.Value.Headers[name]; h != nil && h.Value != nil {
			c.parameter(where+"/headers/"+name, &h.Value.Parameter)
		}
	}
}

func (c *exampleCheck) document(doc *openapi3.T) {
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, p := range item.Parameters {
			c.parameter(path+"/parameters/"+p.Value.Name, p.Value)
		}
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			w := method + " " + path
			for _, p := range op.Parameters {
				c.parameter(w+"/parameters/"+p.Value.Name, p.Value)
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil && c.once(rb.Value) {
				c.content(w+"/requestBody", rb.Value.Content)
			}
			if op.Responses != nil {
				rs := op.Responses.Map()
				for _, code := range slices.Sorted(maps.Keys(rs)) {
					c.response(w+"/responses/"+code, rs[code])
				}
			}
		}
	}
	comp := doc.Components
	if comp == nil {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(comp.Schemas)) {
		c.schema("#/components/schemas/"+name, comp.Schemas[name])
	}
	for _, name := range slices.Sorted(maps.Keys(comp.Parameters)) {
		c.parameter("#/components/parameters/"+name, comp.Parameters[name].Value)
	}
	for _, name := range slices.Sorted(maps.Keys(comp.RequestBodies)) {
		if rb := comp.RequestBodies[name]; rb.Value != nil && c.once(rb.Value) {
			c.content("#/components/requestBodies/"+name, rb.Value.Content)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(comp.Responses)) {
		c.response("#/components/responses/"+name, comp.Responses[name])
	}
	for _, name := range slices.Sorted(maps.Keys(comp.Headers)) {
		if h := comp.Headers[name]; h.Value != nil {
			c.parameter("#/components/headers/"+name, &h.Value.Parameter)
		}
	}
}

// TestEveryExampleMatchesItsSchema validates, independently of
// openapi3.T.Validate, each example of the spec (request and response bodies,
// schemas, parameters, headers) against its schema.
func TestEveryExampleMatchesItsSchema(t *testing.T) {
	doc := loadUnvalidated(t)
	c := newExampleCheck()
	c.document(doc)
	for _, err := range c.errs {
		t.Error(err)
	}
	// The spec holds 9 distinct examples today: the bodies of ExportEvents,
	// its 200 answer, ShowExportTask's 200 answer, HandleEvents' body, the
	// Error response, and the schemas ExportColumn, ExportColumns,
	// ExportEventsResult and EventWhiteRule. A walk that finds fewer is broken
	// or the spec lost examples.
	const floor = 9
	if c.visited < floor {
		t.Errorf("visited %d examples, want at least %d", c.visited, floor)
	}

	// The walk finds a broken example: break one deep inside a body example.
	doc = loadUnvalidated(t)
	ex := doc.Paths.Value("/v5/{project_id}/event/operate").Post.RequestBody.Value.Content.Get("application/json").Example
	events, _ := ex.(map[string]any)["operate_event_list"].([]any)
	if len(events) == 0 {
		t.Fatal("HandleEvents' example has no operate_event_list")
	}
	events[0].(map[string]any)["event_type"] = "1010"
	c = newExampleCheck()
	c.document(doc)
	if len(c.errs) != 1 {
		t.Errorf("with one broken example the walk reports %d errors, want 1: %v", len(c.errs), c.errs)
	}
}

// TestSeedOperateExample: hss-api.md decision 5. The seed's table says
// file_attr is a String; its example sends the integer 33261. The spec
// follows the table, so the example is right only with "33261".
func TestSeedOperateExample(t *testing.T) {
	doc := loadSpec(t)
	schema := doc.Components.Schemas["OperateEventsRequest"].Value
	fixed := seedOperateFixed(t)

	if err := schema.VisitJSON(decodeJSON(t, fixed)); err != nil {
		t.Errorf("the seed's operate example with file_attr \"33261\" does not validate: %v", err)
	}
	err := schema.VisitJSON(decodeJSON(t, seedOperateExample))
	if err == nil {
		t.Error("the seed's operate example as printed (file_attr 33261, an integer) validates; decision 5 says file_attr is a string")
	} else if !strings.Contains(err.Error(), "file_attr") {
		t.Errorf("the error does not name file_attr: %v", err)
	}

	// The generated model agrees.
	var req gen.OperateEventsRequest
	if err := json.Unmarshal([]byte(seedOperateExample), &req); err == nil {
		t.Error("gen.OperateEventsRequest decodes an integer file_attr")
	}
	if err := strictDecode([]byte(fixed), &req); err != nil {
		t.Errorf("gen.OperateEventsRequest does not decode the fixed seed example: %v", err)
	}

	// The spec's own HandleEvents example is the seed's, fixed.
	ex := doc.Paths.Value("/v5/{project_id}/event/operate").Post.RequestBody.Value.Content.Get("application/json").Example
	if got, want := canonicalJSON(t, ex), canonicalJSON(t, fixed); !bytes.Equal(got, want) {
		t.Errorf("HandleEvents' example is not the seed's with file_attr \"33261\":\n got %s\nwant %s", got, want)
	}
}

// TestSeedExportExample: hss-api.md decision 1. The body is an array of
// [field, title] pairs; the seed's example wraps that in one more array.
func TestSeedExportExample(t *testing.T) {
	doc := loadSpec(t)
	schema := doc.Components.Schemas["ExportColumns"].Value
	printed, ok := decodeJSON(t, seedExportExample).([]any)
	if !ok || len(printed) != 1 {
		t.Fatalf("the seed's export example is not one array in an array: %v", printed)
	}
	inner := printed[0]
	if err := schema.VisitJSON(inner); err != nil {
		t.Errorf("the seed's export example without its outer array does not validate: %v", err)
	}
	if err := schema.VisitJSON(any(printed)); err == nil {
		t.Error("the seed's export example as printed (three arrays deep) validates; decision 1 says two")
	}

	var cols gen.ExportColumns
	if err := json.Unmarshal([]byte(seedExportExample), &cols); err == nil {
		t.Error("gen.ExportColumns decodes the triple-nested seed example")
	}
	innerJSON, err := json.Marshal(inner)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(innerJSON, &cols); err != nil || len(cols) != 8 {
		t.Errorf("gen.ExportColumns decodes the inner array to %d columns (err %v), want 8", len(cols), err)
	}
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// authenticate stands for the gateway: a request carries an IAM token or an
// SDK-HMAC-SHA256 Authorization header. It checks the presence, not the
// signature (which is hss/signer's business).
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	switch in.SecuritySchemeName {
	case "AuthToken":
		if h.Get("X-Auth-Token") == "" {
			return errors.New("no X-Auth-Token header")
		}
		return nil
	case "AKSK":
		if !strings.HasPrefix(h.Get("Authorization"), "SDK-HMAC-SHA256 ") {
			return errors.New("no SDK-HMAC-SHA256 Authorization header")
		}
		return nil
	}
	return fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName)
}

// newRouter routes requests to the spec's operations, whatever their host.
func newRouter(t *testing.T, doc *openapi3.T) routers.Router {
	t.Helper()
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return router
}

// validateRequest finds r's operation and validates r against the spec.
func validateRequest(router routers.Router, r *http.Request) (string, error) {
	in, err := requestInput(router, r)
	if err != nil {
		return "", err
	}
	return in.Route.Operation.OperationID, openapi3filter.ValidateRequest(r.Context(), in)
}

func requestInput(router routers.Router, r *http.Request) (*openapi3filter.RequestValidationInput, error) {
	route, pathParams, err := router.FindRoute(r)
	if err != nil {
		return nil, fmt.Errorf("find route of %s %s: %w", r.Method, r.URL.Path, err)
	}
	return &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    &openapi3filter.Options{AuthenticationFunc: authenticate},
	}, nil
}

// received is what the contract server saw of one request.
type received struct {
	operationID string
	method      string
	path        string
	rawQuery    string
	query       url.Values
	header      http.Header
	body        []byte
	err         error // the request against the spec
	answerErr   error // the server's answer against the spec
}

// contractAnswers are the server's answers, by operation, as the service
// would send them.
var contractAnswers = map[string]struct{ contentType, body string }{
	"ExportEvents":         {"application/json", `{"record_total_num":1,"task_id":"asdwwqdtut01"}`},
	"ShowExportTask":       {"application/json", `{"task_id":"asdwwqdtut01","task_status":"success","file_id":"3f9a4c2e","file_name":"events.csv"}`},
	"DownloadExportedFile": {"application/octet-stream", "event_name,host_name\nrootkit,web-01\n"},
	"HandleEvents":         {"", ""},
}

// newContractServer starts a server that validates each request, and its own
// answer, against doc and reports them on the returned channel.
func newContractServer(t *testing.T, doc *openapi3.T) (*httptest.Server, <-chan received) {
	t.Helper()
	router := newRouter(t, doc)
	seen := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := received{method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery, query: r.URL.Query(), header: r.Header.Clone()}
		var in *openapi3filter.RequestValidationInput
		rec.body, rec.err = io.ReadAll(r.Body)
		if rec.err == nil {
			r.Body = io.NopCloser(bytes.NewReader(rec.body))
			in, rec.err = requestInput(router, r)
		}
		if rec.err == nil {
			rec.operationID = in.Route.Operation.OperationID
			rec.err = openapi3filter.ValidateRequest(r.Context(), in)
		}
		if rec.err != nil {
			seen <- rec
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_code":"HSS.0001","error_msg":"Invalid parameter"}`)
			return
		}
		answer := contractAnswers[rec.operationID]
		header := http.Header{}
		if answer.contentType != "" {
			header.Set("Content-Type", answer.contentType)
		}
		rec.answerErr = openapi3filter.ValidateResponse(r.Context(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in,
			Status:                 http.StatusOK,
			Header:                 header,
			Body:                   io.NopCloser(strings.NewReader(answer.body)),
		})
		seen <- rec
		maps.Copy(w.Header(), header)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, answer.body)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

func receive(t *testing.T, seen <-chan received) received {
	t.Helper()
	select {
	case rec := <-seen:
		return rec
	default:
		t.Fatal("no request reached the server")
		return received{}
	}
}

func newTestClient(t *testing.T, srv *httptest.Server) *gen.Client {
	t.Helper()
	c, err := gen.NewClient(srv.URL, gen.WithHTTPClient(srv.Client()), gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-Auth-Token", testToken)
		return nil
	}))
	if err != nil {
		t.Fatalf("gen.NewClient: %v", err)
	}
	return c
}

func drain(t *testing.T, resp *http.Response, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return body
}

// TestClientExportEventsMatchesSpec sends exports with every filter through
// the generated client and checks that the spec accepts them, that arrays are
// exploded (decision 3), and that the body arrives as written.
func TestClientExportEventsMatchesSpec(t *testing.T) {
	doc := loadSpec(t)
	srv, seen := newContractServer(t, loadSpec(t))
	client := newTestClient(t, srv)

	columns := gen.ExportColumns{
		{"event_name", "Alarm name"}, {"event_type", "Event type"}, {"severity", "Risk level"},
		{"host_name", "Server name"}, {"private_ip", "Server IP address"}, {"occur_time", "Occurred"},
		{"handle_status", "Status"},
	}
	const wantBody = `[["event_name","Alarm name"],["event_type","Event type"],["severity","Risk level"],["host_name","Server name"],["private_ip","Server IP address"],["occur_time","Occurred"],["handle_status","Status"]]`

	// Decision 4: last_days excludes begin_time and end_time, so the 28
	// filters take two requests; the spec cannot say that rule and the
	// validator does not check it (hss checks it before sending).
	window := gen.ExportEventsParams{
		EnterpriseProjectId: ptr("all_granted_eps"),
		HostName:            ptr("web-01"),
		HostId:              ptr("71a15ecc-049f-4cca-bd28-5e90aca1817f"),
		PrivateIp:           ptr("192.168.0.10"),
		ContainerName:       ptr("nginx-7d9"),
		Offset:              ptr[int32](10),
		Limit:               ptr[int32](50),
		ExportSize:          ptr[int32](1000),
		EventType:           ptr[int32](1001),
		EventTypes:          &[]int32{1001, 3015},
		HandleStatus:        ptr(gen.Unhandled),
		Severity:            ptr(gen.High),
		Category:            gen.Host,
		BeginTime:           ptr[int64](1672046760353),
		EndTime:             ptr[int64](1672133160353),
		EventClassIds:       &[]string{"rootkit_0001", "login_0001"},
		SeverityList:        &[]gen.Severity{gen.High, gen.Critical},
		AttackTag:           ptr("attack_success"),
		AssetValue:          ptr("important"),
		TagList:             &[]string{"prod", "web"},
		AttCk:               ptr("Initial Access"),
		EventName:           ptr("Rootkit & co"),
		EventIdList:         &[]string{"2a71e1e2-60f4-4d56-b314-2038fdc39de6", "3b82f2f3-71a5-4e67-c425-3149fdd40ef7"},
		AutoBlock:           ptr(true),
		ClusterId:           ptr("cluster-1"),
		EventId:             "case-0001",
		PublicIp:            ptr("203.0.113.7"),
	}
	days := gen.ExportEventsParams{
		LastDays: ptr[int32](7),
		Category: gen.Container,
		EventId:  "case-0002",
	}
	cases := []struct {
		name      string
		params    gen.ExportEventsParams
		wantQuery url.Values
		exploded  []string
	}{
		{"window", window, url.Values{
			"enterprise_project_id": {"all_granted_eps"},
			"host_name":             {"web-01"},
			"host_id":               {"71a15ecc-049f-4cca-bd28-5e90aca1817f"},
			"private_ip":            {"192.168.0.10"},
			"container_name":        {"nginx-7d9"},
			"offset":                {"10"},
			"limit":                 {"50"},
			"export_size":           {"1000"},
			"event_type":            {"1001"},
			"event_types":           {"1001", "3015"},
			"handle_status":         {"unhandled"},
			"severity":              {"High"},
			"category":              {"host"},
			"begin_time":            {"1672046760353"},
			"end_time":              {"1672133160353"},
			"event_class_ids":       {"rootkit_0001", "login_0001"},
			"severity_list":         {"High", "Critical"},
			"attack_tag":            {"attack_success"},
			"asset_value":           {"important"},
			"tag_list":              {"prod", "web"},
			"att_ck":                {"Initial Access"},
			"event_name":            {"Rootkit & co"},
			"event_id_list":         {"2a71e1e2-60f4-4d56-b314-2038fdc39de6", "3b82f2f3-71a5-4e67-c425-3149fdd40ef7"},
			"auto_block":            {"true"},
			"cluster_id":            {"cluster-1"},
			"event_id":              {"case-0001"},
			"public_ip":             {"203.0.113.7"},
		}, []string{
			"event_types=1001&event_types=3015",
			"event_class_ids=rootkit_0001&event_class_ids=login_0001",
			"severity_list=High&severity_list=Critical",
			"tag_list=prod&tag_list=web",
		}},
		{"last_days", days, url.Values{
			"last_days": {"7"},
			"category":  {"container"},
			"event_id":  {"case-0002"},
		}, nil},
	}
	sent := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := client.ExportEvents(context.Background(), projectID, &tc.params, columns)
			answer := drain(t, resp, err)
			rec := receive(t, seen)
			if rec.err != nil {
				t.Fatalf("the spec refuses the generated client's request: %v", rec.err)
			}
			if rec.answerErr != nil {
				t.Errorf("the spec refuses the server's answer: %v", rec.answerErr)
			}
			if rec.operationID != "ExportEvents" || rec.method != http.MethodPost || rec.path != exportPath {
				t.Errorf("request = %s %s (%s), want POST %s (ExportEvents)", rec.method, rec.path, rec.operationID, exportPath)
			}
			if !reflect.DeepEqual(rec.query, tc.wantQuery) {
				t.Errorf("query = %v\nwant %v", rec.query, tc.wantQuery)
			}
			for _, frag := range tc.exploded {
				if !strings.Contains(rec.rawQuery, frag) {
					t.Errorf("raw query %q does not hold %q (decision 3: one key per value)", rec.rawQuery, frag)
				}
			}
			if ct := rec.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if string(rec.body) != wantBody {
				t.Errorf("body = %s\nwant %s", rec.body, wantBody)
			}
			if !bytes.Equal(canonicalJSON(t, answer), canonicalJSON(t, `{"record_total_num":1,"task_id":"asdwwqdtut01"}`)) {
				t.Errorf("answer = %s", answer)
			}
			for k := range rec.query {
				sent[k] = true
			}
		})
	}

	// Together the two requests sent every query parameter of the spec.
	for _, p := range doc.Paths.Value("/v5/{project_id}/event/export").Post.Parameters {
		if p.Value.In == openapi3.ParameterInQuery && !sent[p.Value.Name] {
			t.Errorf("no request sent query parameter %s", p.Value.Name)
		}
	}
	if len(sent) != 28 {
		t.Errorf("sent %d distinct query parameters, want 28", len(sent))
	}
}

// TestClientHandleEventsMatchesSpec sends the seed's operate example (file_attr
// fixed) with a whitelist rule, and every query and header parameter.
func TestClientHandleEventsMatchesSpec(t *testing.T) {
	srv, seen := newContractServer(t, loadSpec(t))
	client := newTestClient(t, srv)

	const rule = `{"event_type":3015,"field_key":"process_cmdline","field_value":"/usr/bin/backup.sh","judge_type":"contain"}`
	want := decodeJSON(t, seedOperateFixed(t)).(map[string]any)
	want["event_white_rule_list"] = []any{decodeJSON(t, rule)}
	wantJSON := canonicalJSON(t, want)

	var body gen.OperateEventsRequest
	if err := strictDecode(wantJSON, &body); err != nil {
		t.Fatalf("gen.OperateEventsRequest cannot hold the seed example: %v", err)
	}
	params := gen.HandleEventsParams{
		EnterpriseProjectId: ptr("xxx"),
		ContainerName:       ptr("/test"),
		ContainerId:         ptr("containerid"),
		Region:              ptr("ap-southeast-1"),
	}
	resp, err := client.HandleEvents(context.Background(), projectID, &params, body)
	drain(t, resp, err)
	rec := receive(t, seen)
	if rec.err != nil {
		t.Fatalf("the spec refuses the generated client's request: %v", rec.err)
	}
	if rec.answerErr != nil {
		t.Errorf("the spec refuses the server's answer: %v", rec.answerErr)
	}
	if rec.operationID != "HandleEvents" || rec.method != http.MethodPost || rec.path != operPath {
		t.Errorf("request = %s %s (%s), want POST %s (HandleEvents)", rec.method, rec.path, rec.operationID, operPath)
	}
	wantQuery := url.Values{"enterprise_project_id": {"xxx"}, "container_name": {"/test"}, "container_id": {"containerid"}}
	if !reflect.DeepEqual(rec.query, wantQuery) {
		t.Errorf("query = %v, want %v", rec.query, wantQuery)
	}
	if got := rec.header.Get("region"); got != "ap-southeast-1" {
		t.Errorf("region header = %q, want ap-southeast-1", got)
	}
	if ct := rec.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if got := canonicalJSON(t, rec.body); !bytes.Equal(got, wantJSON) {
		t.Errorf("body = %s\nwant %s", got, wantJSON)
	}
}

// TestClientExportTaskAndDownloadMatchSpec reads a task and downloads its file.
func TestClientExportTaskAndDownloadMatchSpec(t *testing.T) {
	srv, seen := newContractServer(t, loadSpec(t))
	client := newTestClient(t, srv)
	ctx := context.Background()

	resp, err := client.ShowExportTask(ctx, projectID, "asdwwqdtut01", &gen.ShowExportTaskParams{EnterpriseProjectId: ptr("0")})
	answer := drain(t, resp, err)
	rec := receive(t, seen)
	if rec.err != nil || rec.answerErr != nil {
		t.Errorf("the spec refuses ShowExportTask: request: %v; answer: %v", rec.err, rec.answerErr)
	}
	if want := "/v5/" + projectID + "/event/export-task/asdwwqdtut01"; rec.operationID != "ShowExportTask" || rec.method != http.MethodGet || rec.path != want {
		t.Errorf("request = %s %s (%s), want GET %s (ShowExportTask)", rec.method, rec.path, rec.operationID, want)
	}
	if rec.rawQuery != "enterprise_project_id=0" || len(rec.body) != 0 {
		t.Errorf("query %q, body %q; want enterprise_project_id=0 and no body", rec.rawQuery, rec.body)
	}
	var task gen.ExportTask
	if err := json.Unmarshal(answer, &task); err != nil || task.FileId == nil || *task.FileId != "3f9a4c2e" {
		t.Errorf("answer %s decodes to %+v (err %v)", answer, task, err)
	}

	resp, err = client.DownloadExportedFile(ctx, projectID, "3f9a4c2e", &gen.DownloadExportedFileParams{EnterpriseProjectId: ptr("0")})
	file := drain(t, resp, err)
	rec = receive(t, seen)
	if rec.err != nil || rec.answerErr != nil {
		t.Errorf("the spec refuses DownloadExportedFile: request: %v; answer: %v", rec.err, rec.answerErr)
	}
	if want := "/v5/" + projectID + "/download/3f9a4c2e"; rec.operationID != "DownloadExportedFile" || rec.method != http.MethodGet || rec.path != want {
		t.Errorf("request = %s %s (%s), want GET %s (DownloadExportedFile)", rec.method, rec.path, rec.operationID, want)
	}
	if rec.rawQuery != "enterprise_project_id=0" || len(rec.body) != 0 {
		t.Errorf("query %q, body %q; want enterprise_project_id=0 and no body", rec.rawQuery, rec.body)
	}
	if string(file) != "event_name,host_name\nrootkit,web-01\n" {
		t.Errorf("file = %q", file)
	}
}

// Raw requests for the rule tests.

func authed(r *http.Request) *http.Request {
	r.Header.Set("X-Auth-Token", testToken)
	return r
}

func exportRequest(mod func(url.Values), body string) *http.Request {
	q := url.Values{"category": {"host"}, "event_id": {"case-0001"}}
	if mod != nil {
		mod(q)
	}
	r := httptest.NewRequest(http.MethodPost, exportPath+"?"+q.Encode(), strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return authed(r)
}

// exportQuery is a valid export whose query mod changes.
func exportQuery(mod func(url.Values)) *http.Request { return exportRequest(mod, validColumns) }

// exportBody is an export with a valid query and the given body.
func exportBody(body string) *http.Request { return exportRequest(nil, body) }

func set(key string, values ...string) func(url.Values) {
	return func(q url.Values) { q[key] = values }
}

func del(key string) func(url.Values) {
	return func(q url.Values) { q.Del(key) }
}

// operateBase is the fixed seed example plus one whitelist rule, decoded.
func operateBase(t *testing.T) map[string]any {
	m := decodeJSON(t, seedOperateFixed(t)).(map[string]any)
	m["event_white_rule_list"] = []any{map[string]any{
		"event_type": 3015.0, "field_key": "process_cmdline", "field_value": "/usr/bin/backup.sh", "judge_type": "contain",
	}}
	return m
}

func event(m map[string]any) map[string]any {
	return m["operate_event_list"].([]any)[0].(map[string]any)
}

func detail(m map[string]any) map[string]any {
	return event(m)["operate_detail_list"].([]any)[0].(map[string]any)
}

func rule(m map[string]any) map[string]any {
	return m["event_white_rule_list"].([]any)[0].(map[string]any)
}

func operateRequest(t *testing.T, query string, mod func(map[string]any)) *http.Request {
	m := operateBase(t)
	if mod != nil {
		mod(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	target := operPath
	if query != "" {
		target += "?" + query
	}
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return authed(r)
}

// operateBody is a valid operate whose body mod changes.
func operateBody(t *testing.T, mod func(map[string]any)) *http.Request {
	return operateRequest(t, "", mod)
}

type ruleCase struct {
	name    string
	req     *http.Request
	mention string // a field the error must name; "" when not checked
}

// TestSpecRefusesBrokenRequests checks that each kind of rule the spec
// states (required, length, type, closed set, bounds, items) is enforced by
// its validation.
func TestSpecRefusesBrokenRequests(t *testing.T) {
	router := newRouter(t, loadSpec(t))
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []ruleCase{
		// Required (decision 2 for category and event_id).
		{"export without category", exportQuery(del("category")), "category"},
		{"export without event_id", exportQuery(del("event_id")), "event_id"},
		{"export without body", exportBody(""), ""},
		{"operate without operate_type", operateBody(t, func(m map[string]any) { delete(m, "operate_type") }), "operate_type"},
		{"operate without operate_event_list", operateBody(t, func(m map[string]any) { delete(m, "operate_event_list") }), "operate_event_list"},
		{"event without event_id", operateBody(t, func(m map[string]any) { delete(event(m), "event_id") }), "event_id"},
		{"event without event_class_id", operateBody(t, func(m map[string]any) { delete(event(m), "event_class_id") }), "event_class_id"},
		{"event without event_type", operateBody(t, func(m map[string]any) { delete(event(m), "event_type") }), "event_type"},
		{"event without occur_time", operateBody(t, func(m map[string]any) { delete(event(m), "occur_time") }), "occur_time"},
		{"event without operate_detail_list", operateBody(t, func(m map[string]any) { delete(event(m), "operate_detail_list") }), "operate_detail_list"},
		{"rule without event_type", operateBody(t, func(m map[string]any) { delete(rule(m), "event_type") }), "event_type"},
		{"rule without field_key", operateBody(t, func(m map[string]any) { delete(rule(m), "field_key") }), "field_key"},
		{"rule without field_value", operateBody(t, func(m map[string]any) { delete(rule(m), "field_value") }), "field_value"},
		{"rule without judge_type", operateBody(t, func(m map[string]any) { delete(rule(m), "judge_type") }), "judge_type"},
		{"no credentials", func() *http.Request { r := exportBody(validColumns); r.Header.Del("X-Auth-Token"); return r }(), ""},

		// Length, in characters (decision 10).
		{"host_name 65", exportQuery(set("host_name", long(65))), "host_name"},
		{"host_name empty", exportQuery(set("host_name", "")), "host_name"},
		{"host_id 257", exportQuery(set("host_id", long(257))), "host_id"},
		{"private_ip 129", exportQuery(set("private_ip", long(129))), "private_ip"},
		{"container_name 513", exportQuery(set("container_name", long(513))), "container_name"},
		{"event_name 129", exportQuery(set("event_name", long(129))), "event_name"},
		{"event_name 129 runes", exportQuery(set("event_name", strings.Repeat("é", 129))), "event_name"},
		{"cluster_id 65", exportQuery(set("cluster_id", long(65))), "cluster_id"},
		{"event_id 129", exportQuery(set("event_id", long(129))), "event_id"},
		{"public_ip 129", exportQuery(set("public_ip", long(129))), "public_ip"},
		{"export enterprise_project_id 257", exportQuery(set("enterprise_project_id", long(257))), "enterprise_project_id"},
		{"operate enterprise_project_id 257", operateRequest(t, "enterprise_project_id="+long(257), nil), "enterprise_project_id"},
		{"operate container_name empty", operateRequest(t, "container_name=", nil), "container_name"},
		{"operate container_id empty", operateRequest(t, "container_id=", nil), "container_id"},
		{"handler 257", operateBody(t, func(m map[string]any) { m["handler"] = long(257) }), "handler"},
		{"handler empty", operateBody(t, func(m map[string]any) { m["handler"] = "" }), "handler"},
		{"event_id 65", operateBody(t, func(m map[string]any) { event(m)["event_id"] = long(65) }), "event_id"},
		{"event_class_id empty", operateBody(t, func(m map[string]any) { event(m)["event_class_id"] = "" }), "event_class_id"},
		{"agent_id 65", operateBody(t, func(m map[string]any) { detail(m)["agent_id"] = long(65) }), "agent_id"},
		{"file_hash 257", operateBody(t, func(m map[string]any) { detail(m)["file_hash"] = long(257) }), "file_hash"},
		{"file_path 257", operateBody(t, func(m map[string]any) { detail(m)["file_path"] = long(257) }), "file_path"},
		{"file_attr 257", operateBody(t, func(m map[string]any) { detail(m)["file_attr"] = long(257) }), "file_attr"},
		{"keyword 257", operateBody(t, func(m map[string]any) { detail(m)["keyword"] = long(257) }), "keyword"},
		{"hash 257", operateBody(t, func(m map[string]any) { detail(m)["hash"] = long(257) }), "hash"},
		{"detail private_ip 129", operateBody(t, func(m map[string]any) { detail(m)["private_ip"] = long(129) }), "private_ip"},
		{"login_ip 257", operateBody(t, func(m map[string]any) { detail(m)["login_ip"] = long(257) }), "login_ip"},
		{"login_user_name 257", operateBody(t, func(m map[string]any) { detail(m)["login_user_name"] = long(257) }), "login_user_name"},
		{"field_value empty", operateBody(t, func(m map[string]any) { rule(m)["field_value"] = "" }), "field_value"},

		// Type.
		{"last_days abc", exportQuery(set("last_days", "abc")), "last_days"},
		{"begin_time 1.5", exportQuery(set("begin_time", "1.5")), "begin_time"},
		{"end_time abc", exportQuery(set("end_time", "abc")), "end_time"},
		{"event_types x", exportQuery(set("event_types", "x")), "event_types"},
		{"event_types 1001,x", exportQuery(set("event_types", "1001", "x")), "event_types"},
		// No empty query value (the decision next to event_types).
		{"event_types empty", exportQuery(set("event_types", "")), "event_types"},
		{"event_class_ids with an empty one", exportQuery(set("event_class_ids", "a", "")), "event_class_ids"},
		{"tag_list empty", exportQuery(set("tag_list", "")), "tag_list"},
		{"event_id_list empty", exportQuery(set("event_id_list", "")), "event_id_list"},
		{"severity_list empty", exportQuery(set("severity_list", "")), "severity_list"},
		{"attack_tag empty", exportQuery(set("attack_tag", "")), "attack_tag"},
		{"asset_value empty", exportQuery(set("asset_value", "")), "asset_value"},
		{"att_ck empty", exportQuery(set("att_ck", "")), "att_ck"},
		{"event_type abc", exportQuery(set("event_type", "abc")), "event_type"},
		{"event_type beyond int32", exportQuery(set("event_type", "2147483648")), "event_type"},
		{"offset abc", exportQuery(set("offset", "abc")), "offset"},
		{"limit 1.5", exportQuery(set("limit", "1.5")), "limit"},
		{"export_size abc", exportQuery(set("export_size", "abc")), "export_size"},
		{"auto_block maybe", exportQuery(set("auto_block", "maybe")), "auto_block"},
		{"process_pid as string", operateBody(t, func(m map[string]any) { detail(m)["process_pid"] = "3123" }), "process_pid"},
		{"file_attr as integer (the seed as printed)", operateBody(t, func(m map[string]any) { detail(m)["file_attr"] = 33261.0 }), "file_attr"},
		{"event_type as string", operateBody(t, func(m map[string]any) { event(m)["event_type"] = "1010" }), "event_type"},
		{"occur_time as string", operateBody(t, func(m map[string]any) { event(m)["occur_time"] = "1672046760353" }), "occur_time"},
		{"occur_time 1.5", operateBody(t, func(m map[string]any) { event(m)["occur_time"] = 1.5 }), "occur_time"},
		{"operate_event_list as object", operateBody(t, func(m map[string]any) { m["operate_event_list"] = event(m) }), "operate_event_list"},
		{"rule event_type as string", operateBody(t, func(m map[string]any) { rule(m)["event_type"] = "3015" }), "event_type"},
		{"export body an object", exportBody(`{"event_name":"Alarm name"}`), ""},
		{"export body as text/plain", func() *http.Request {
			r := exportBody(validColumns)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), ""},

		// Closed sets.
		{"category vm", exportQuery(set("category", "vm")), "category"},
		{"severity Severe", exportQuery(set("severity", "Severe")), "severity"},
		{"severity high (case)", exportQuery(set("severity", "high")), "severity"},
		{"severity_list Severe", exportQuery(set("severity_list", "High", "Severe")), "severity_list"},
		{"handle_status done", exportQuery(set("handle_status", "done")), "handle_status"},
		{"operate_type delete", operateBody(t, func(m map[string]any) { m["operate_type"] = "delete" }), "operate_type"},
		{"judge_type regex", operateBody(t, func(m map[string]any) { rule(m)["judge_type"] = "regex" }), "judge_type"},

		// Bounds.
		{"process_pid -1", operateBody(t, func(m map[string]any) { detail(m)["process_pid"] = -1.0 }), "process_pid"},
		{"process_pid 2147483648", operateBody(t, func(m map[string]any) { detail(m)["process_pid"] = 2147483648.0 }), "process_pid"},
		{"occur_time -1", operateBody(t, func(m map[string]any) { event(m)["occur_time"] = -1.0 }), "occur_time"},
		{"begin_time -1", exportQuery(set("begin_time", "-1")), "begin_time"},
		{"end_time -1", exportQuery(set("end_time", "-1")), "end_time"},

		// Items (decisions 1 and 12).
		{"column of 1", exportBody(`[["event_name"]]`), ""},
		{"column of 3", exportBody(`[["event_name","Alarm name","extra"]]`), ""},
		{"no columns", exportBody(`[]`), ""},
		{"empty column field", exportBody(`[["","Alarm name"]]`), ""},
		{"column title a number", exportBody(`[["event_name",1]]`), ""},
		{"the seed's triple-nested body", exportBody(seedExportExample), ""},
		{"empty operate_event_list", operateBody(t, func(m map[string]any) { m["operate_event_list"] = []any{} }), "operate_event_list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := validateRequest(router, tc.req)
			if err == nil {
				t.Fatal("the spec accepts the request")
			}
			t.Logf("refused: %v", err)
			if tc.mention != "" && !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("the error does not name %s: %v", tc.mention, err)
			}
		})
	}
}

// TestSpecAcceptsOpenValues checks that values of open sets pass (the service
// adds event types, classes, tags and keys over time), and that each limit
// refused above is exact: its edge passes.
func TestSpecAcceptsOpenValues(t *testing.T) {
	router := newRouter(t, loadSpec(t))
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []ruleCase{
		{"the base export", exportQuery(nil), ""},
		{"the base operate", operateBody(t, nil), ""},
		{"attack_tag new_tag", exportQuery(set("attack_tag", "new_tag")), ""},
		{"asset_value priceless", exportQuery(set("asset_value", "priceless")), ""},
		{"att_ck New Phase", exportQuery(set("att_ck", "New Phase")), ""},
		{"event_type 99999", exportQuery(set("event_type", "99999")), ""},
		{"event_types 99999", exportQuery(set("event_types", "1001", "99999")), ""},
		{"event_class_ids zz_9999", exportQuery(set("event_class_ids", "zz_9999")), ""},
		{"tag_list anything", exportQuery(set("tag_list", "anything")), ""},
		{"category container", exportQuery(set("category", "container")), ""},
		{"severity_list all", exportQuery(set("severity_list", "Security", "Low", "Medium", "High", "Critical")), ""},
		{"host_name 64", exportQuery(set("host_name", long(64))), ""},
		{"event_name 128 runes", exportQuery(set("event_name", strings.Repeat("é", 128))), ""},
		{"container_name 512", exportQuery(set("container_name", long(512))), ""},
		{"event_id 128", exportQuery(set("event_id", long(128))), ""},
		{"begin_time 0", exportQuery(set("begin_time", "0")), ""},
		{"begin_time beyond int32", exportQuery(set("begin_time", "4102444800000")), ""},
		{"AK/SK instead of a token", func() *http.Request {
			r := exportQuery(nil)
			r.Header.Del("X-Auth-Token")
			r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00")
			return r
		}(), ""},
		{"event event_class_id zz_9999", operateBody(t, func(m map[string]any) { event(m)["event_class_id"] = "zz_9999" }), ""},
		{"event event_type 99999", operateBody(t, func(m map[string]any) { event(m)["event_type"] = 99999.0 }), ""},
		{"rule field_key new_key", operateBody(t, func(m map[string]any) { rule(m)["field_key"] = "new_key" }), ""},
		{"rule event_type 99999", operateBody(t, func(m map[string]any) { rule(m)["event_type"] = 99999.0 }), ""},
		{"handler 256", operateBody(t, func(m map[string]any) { m["handler"] = long(256) }), ""},
		{"agent_id 64", operateBody(t, func(m map[string]any) { detail(m)["agent_id"] = long(64) }), ""},
		{"event_id 64", operateBody(t, func(m map[string]any) { event(m)["event_id"] = long(64) }), ""},
		{"process_pid 0", operateBody(t, func(m map[string]any) { detail(m)["process_pid"] = 0.0 }), ""},
		{"process_pid 2147483647", operateBody(t, func(m map[string]any) { detail(m)["process_pid"] = 2147483647.0 }), ""},
		{"occur_time 0", operateBody(t, func(m map[string]any) { event(m)["occur_time"] = 0.0 }), ""},
		{"empty detail objects (decision 8)", operateBody(t, func(m map[string]any) { event(m)["operate_detail_list"] = []any{map[string]any{}} }), ""},
		{"no whitelist rules", operateBody(t, func(m map[string]any) { delete(m, "event_white_rule_list") }), ""},
		{"operate query and region", func() *http.Request {
			r := operateRequest(t, "enterprise_project_id=0&container_name=c&container_id=id", nil)
			r.Header.Set("region", "cn-north-4")
			return r
		}(), ""},
		{"one column", exportBody(`[["event_name","Alarm name"]]`), ""},
	}
	for _, op := range []string{
		"mark_as_handled", "ignore", "add_to_alarm_whitelist", "add_to_login_whitelist", "isolate_and_kill",
		"unhandle", "do_not_ignore", "remove_from_alarm_whitelist", "remove_from_login_whitelist", "do_not_isolate_or_kill",
	} {
		cases = append(cases, ruleCase{"operate_type " + op, operateBody(t, func(m map[string]any) { m["operate_type"] = op }), ""})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := validateRequest(router, tc.req); err != nil {
				t.Errorf("the spec refuses the request: %v", err)
			}
		})
	}
}

// schemaWant is what a seed table (with the decisions of hss-api.md) says of
// one value.
type schemaWant struct {
	typ, format string
	minLength   uint64
	maxLength   uint64 // 0: no maximum
	min, max    *float64
	enum        []string // a closed set; nil: an open one, no enum
	minItems    uint64
	maxItems    uint64 // 0: no maximum
	items       *schemaWant
	ref         string // the component the schema refers to; checked when set
}

var (
	severities = []string{"Security", "Low", "Medium", "High", "Critical"}
	operTypes  = []string{
		"mark_as_handled", "ignore", "add_to_alarm_whitelist", "add_to_login_whitelist", "isolate_and_kill",
		"unhandle", "do_not_ignore", "remove_from_alarm_whitelist", "remove_from_login_whitelist", "do_not_isolate_or_kill",
	}
	str    = schemaWant{typ: "string"}
	int32s = schemaWant{typ: "integer", format: "int32"}
	zero   = 0.0
	one    = 1.0
	maxPID = 2147483647.0
	strLen = func(lo, hi uint64) schemaWant { return schemaWant{typ: "string", minLength: lo, maxLength: hi} }
	// Decision (not in the seeds): no empty query value. OpenAPI 3.0 refuses
	// one without allowEmptyValue; minLength and minItems say so where a
	// validator sees it (kin-openapi checks only arrays for it).
	nonEmpty = strLen(1, 0)
	arrayOf  = func(w schemaWant) schemaWant { return schemaWant{typ: "array", items: &w} }
	listOf   = func(w schemaWant) schemaWant { return schemaWant{typ: "array", minItems: 1, items: &w} }
)

func checkSchema(t *testing.T, where string, ref *openapi3.SchemaRef, w schemaWant) {
	t.Helper()
	if ref == nil || ref.Value == nil {
		t.Errorf("%s: no schema", where)
		return
	}
	if w.ref != "" && ref.Ref != "#/components/schemas/"+w.ref {
		t.Errorf("%s: refers to %q, want #/components/schemas/%s", where, ref.Ref, w.ref)
	}
	s := ref.Value
	if s.Type == nil || !s.Type.Is(w.typ) {
		t.Errorf("%s: type %v, want %s", where, s.Type, w.typ)
	}
	if s.Format != w.format {
		t.Errorf("%s: format %q, want %q", where, s.Format, w.format)
	}
	if s.MinLength != w.minLength {
		t.Errorf("%s: minLength %d, want %d", where, s.MinLength, w.minLength)
	}
	if got := deref(s.MaxLength); got != w.maxLength {
		t.Errorf("%s: maxLength %d, want %d (0: none)", where, got, w.maxLength)
	}
	if !sameBound(s.Min, w.min) || !sameBound(s.Max, w.max) {
		t.Errorf("%s: bounds [%v, %v], want [%v, %v]", where, show(s.Min), show(s.Max), show(w.min), show(w.max))
	}
	if s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() {
		t.Errorf("%s: exclusive bounds, want none", where)
	}
	var enum []string
	for _, v := range s.Enum {
		enum = append(enum, fmt.Sprint(v))
	}
	if !slices.Equal(enum, w.enum) {
		t.Errorf("%s: enum %q, want %q", where, enum, w.enum)
	}
	if s.MinItems != w.minItems || deref(s.MaxItems) != w.maxItems {
		t.Errorf("%s: items %d..%d, want %d..%d", where, s.MinItems, deref(s.MaxItems), w.minItems, w.maxItems)
	}
	if (s.Items != nil) != (w.items != nil) {
		t.Errorf("%s: has items %t, want %t", where, s.Items != nil, w.items != nil)
	} else if w.items != nil {
		checkSchema(t, where+"[]", s.Items, *w.items)
	}
}

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func sameBound(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func show(p *float64) string {
	if p == nil {
		return "none"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

type paramWant struct {
	name, in string
	required bool
	schemaWant
}

// projectIDWant: both seeds; the export page gives 1 to 256 characters.
var projectIDWant = paramWant{"project_id", "path", true, strLen(1, 256)}

// exportParams transcribes the export seed's two tables (path and query).
var exportParams = []paramWant{
	projectIDWant,
	{"enterprise_project_id", "query", false, strLen(1, 256)},
	// Decision (not in the seed): at least one day; counts are not negative.
	{"last_days", "query", false, schemaWant{typ: "integer", format: "int32", min: &one}},
	{"host_name", "query", false, strLen(1, 64)},
	{"host_id", "query", false, strLen(1, 256)},
	{"private_ip", "query", false, strLen(1, 128)},
	{"container_name", "query", false, strLen(1, 512)},
	{"offset", "query", false, schemaWant{typ: "integer", format: "int32", min: &zero}},
	{"limit", "query", false, schemaWant{typ: "integer", format: "int32", min: &zero}},
	{"export_size", "query", false, schemaWant{typ: "integer", format: "int32", min: &zero}},
	{"event_type", "query", false, int32s},
	{"event_types", "query", false, listOf(int32s)},
	{"handle_status", "query", false, schemaWant{typ: "string", enum: []string{"unhandled", "handled"}, ref: "HandleStatus"}},
	{"severity", "query", false, schemaWant{typ: "string", enum: severities, ref: "Severity"}},
	{"category", "query", true, schemaWant{typ: "string", enum: []string{"host", "container"}, ref: "EventCategory"}},
	// Long, a millisecond timestamp: never negative.
	{"begin_time", "query", false, schemaWant{typ: "integer", format: "int64", min: &zero}},
	{"end_time", "query", false, schemaWant{typ: "integer", format: "int64", min: &zero}},
	{"event_class_ids", "query", false, listOf(nonEmpty)},
	{"severity_list", "query", false, listOf(schemaWant{typ: "string", enum: severities, ref: "Severity"})},
	{"attack_tag", "query", false, nonEmpty},
	{"asset_value", "query", false, nonEmpty},
	{"tag_list", "query", false, listOf(nonEmpty)},
	{"att_ck", "query", false, nonEmpty},
	{"event_name", "query", false, strLen(1, 128)},
	{"event_id_list", "query", false, listOf(nonEmpty)},
	{"auto_block", "query", false, schemaWant{typ: "boolean"}},
	{"cluster_id", "query", false, strLen(1, 64)},
	{"event_id", "query", true, strLen(1, 128)},
	{"public_ip", "query", false, strLen(1, 128)},
}

// operateParams transcribes the operate seed's path, query and header tables
// (X-Auth-Token excepted: decision 6).
var operateParams = []paramWant{
	projectIDWant,
	// The operate page gives no range; it is the export page's id, 1 to 256.
	{"enterprise_project_id", "query", false, strLen(1, 256)},
	{"container_name", "query", false, nonEmpty},
	{"container_id", "query", false, nonEmpty},
	{"region", "header", false, nonEmpty}, // decision 7
}

// TestSeedParametersInSpec compares the seeds' parameter tables with the
// spec: location, type, format, required-ness, bounds, array style, and that
// the spec has no parameter the tables lack.
func TestSeedParametersInSpec(t *testing.T) {
	doc := loadSpec(t)
	check := func(t *testing.T, op *openapi3.Operation, want []paramWant) {
		byName := map[string]*openapi3.Parameter{}
		for _, p := range op.Parameters {
			if byName[p.Value.Name] != nil {
				t.Errorf("parameter %s appears twice", p.Value.Name)
			}
			byName[p.Value.Name] = p.Value
		}
		for _, w := range want {
			p := byName[w.name]
			if p == nil {
				t.Errorf("parameter %s is missing", w.name)
				continue
			}
			delete(byName, w.name)
			if p.In != w.in || p.Required != w.required {
				t.Errorf("%s: in %s, required %t; want in %s, required %t", w.name, p.In, p.Required, w.in, w.required)
			}
			checkSchema(t, w.name, p.Schema, w.schemaWant)
			if w.typ == "array" {
				// Decision 3: form style, exploded.
				sm, err := p.SerializationMethod()
				if err != nil || sm.Style != openapi3.SerializationForm || !sm.Explode {
					t.Errorf("%s: serialized as %+v (err %v), want form, exploded", w.name, sm, err)
				}
			}
		}
		for name := range byName {
			t.Errorf("parameter %s is in the spec but not in the seed's table", name)
		}
	}
	t.Run("ExportEvents", func(t *testing.T) {
		op := doc.Paths.Value("/v5/{project_id}/event/export").Post
		check(t, op, exportParams)
		query := 0
		for _, p := range op.Parameters {
			if p.Value.In == openapi3.ParameterInQuery {
				query++
			}
		}
		if query != 28 {
			t.Errorf("ExportEvents has %d query parameters, want the seed's 28", query)
		}
	})
	t.Run("HandleEvents", func(t *testing.T) {
		check(t, doc.Paths.Value("/v5/{project_id}/event/operate").Post, operateParams)
	})
}

// TestSpecAuthentication: decision 6. The token is a security scheme, never
// an operation parameter, and AK/SK signing is the alternative.
func TestSpecAuthentication(t *testing.T) {
	doc := loadSpec(t)
	want := openapi3.SecurityRequirements{{"AuthToken": {}}, {"AKSK": {}}}
	if !reflect.DeepEqual(doc.Security, want) {
		t.Errorf("security = %v, want %v", doc.Security, want)
	}
	for name, header := range map[string]string{"AuthToken": "X-Auth-Token", "AKSK": "Authorization"} {
		s := doc.Components.SecuritySchemes[name]
		if s == nil || s.Value.Type != "apiKey" || s.Value.In != "header" || s.Value.Name != header {
			t.Errorf("security scheme %s is not an apiKey in header %s", name, header)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil {
				t.Errorf("%s %s overrides the document's security", method, path)
			}
			for _, p := range op.Parameters {
				if strings.EqualFold(p.Value.Name, "X-Auth-Token") || strings.EqualFold(p.Value.Name, "Authorization") {
					t.Errorf("%s %s takes %s as a parameter", method, path, p.Value.Name)
				}
			}
		}
	}
}

type fieldWant struct {
	name     string
	required bool
	schemaWant
}

// bodyFields transcribes the seeds' body and response tables, with
// decisions 5 (file_attr), 8 (details), 9 (whitelist rules) and 12.
var bodyFields = map[string][]fieldWant{
	"OperateEventsRequest": {
		{"operate_type", true, schemaWant{typ: "string", enum: operTypes, ref: "OperateType"}},
		{"handler", false, strLen(1, 256)},
		{"operate_event_list", true, schemaWant{typ: "array", minItems: 1, items: &schemaWant{typ: "object", ref: "OperateEvent"}}},
		{"event_white_rule_list", false, arrayOf(schemaWant{typ: "object", ref: "EventWhiteRule"})},
	},
	"OperateEvent": {
		// The seed gives no range; a required id has at least one character.
		{"event_class_id", true, strLen(1, 0)},
		{"event_id", true, strLen(1, 64)},
		{"event_type", true, int32s},
		// 0 to 9223372036854775807: int64 says the top.
		{"occur_time", true, schemaWant{typ: "integer", format: "int64", min: &zero}},
		{"operate_detail_list", true, arrayOf(schemaWant{typ: "object", ref: "EventDetail"})},
	},
	"EventDetail": {
		{"agent_id", false, strLen(1, 64)},
		{"process_pid", false, schemaWant{typ: "integer", format: "int32", min: &zero, max: &maxPID}},
		{"file_hash", false, strLen(1, 256)},
		{"file_path", false, strLen(1, 256)},
		{"file_attr", false, strLen(1, 256)},
		{"keyword", false, strLen(1, 256)},
		{"hash", false, strLen(1, 256)},
		{"private_ip", false, strLen(1, 128)},
		{"login_ip", false, strLen(1, 256)},
		{"login_user_name", false, strLen(1, 256)},
		{"container_id", false, str},
		{"container_name", false, str},
	},
	"EventWhiteRule": {
		{"event_type", true, int32s},
		{"field_key", true, strLen(1, 0)},
		{"field_value", true, strLen(1, 0)},
		{"judge_type", true, schemaWant{typ: "string", enum: []string{"equal", "contain"}, ref: "JudgeType"}},
	},
	"ExportEventsResult": {
		{"record_total_num", false, int32s},
		{"task_id", false, str},
	},
}

// TestSeedBodyFieldsInSpec compares the seeds' body tables with the spec's
// schemas, and the export body's shape with decision 1.
func TestSeedBodyFieldsInSpec(t *testing.T) {
	doc := loadSpec(t)
	for _, name := range slices.Sorted(maps.Keys(bodyFields)) {
		t.Run(name, func(t *testing.T) {
			ref := doc.Components.Schemas[name]
			if ref == nil || ref.Value == nil {
				t.Fatalf("no schema %s", name)
			}
			s := ref.Value
			if s.Type == nil || !s.Type.Is("object") {
				t.Errorf("type %v, want object", s.Type)
			}
			var required []string
			for _, f := range bodyFields[name] {
				checkSchema(t, name+"."+f.name, s.Properties[f.name], f.schemaWant)
				if f.required {
					required = append(required, f.name)
				}
			}
			if got := slices.Sorted(slices.Values(s.Required)); !slices.Equal(got, slices.Sorted(slices.Values(required))) {
				t.Errorf("required %q, want %q", got, required)
			}
			if len(s.Properties) != len(bodyFields[name]) {
				t.Errorf("%d properties, want the table's %d: %q", len(s.Properties), len(bodyFields[name]), slices.Sorted(maps.Keys(s.Properties)))
			}
		})
	}
	column := schemaWant{typ: "array", minItems: 2, maxItems: 2, items: &schemaWant{typ: "string", minLength: 1}, ref: "ExportColumn"}
	checkSchema(t, "ExportColumns", doc.Components.Schemas["ExportColumns"], schemaWant{typ: "array", minItems: 1, items: &column})

	bodies := map[string]string{
		"/v5/{project_id}/event/export":  "ExportColumns",
		"/v5/{project_id}/event/operate": "OperateEventsRequest",
	}
	for path, schema := range bodies {
		rb := doc.Paths.Value(path).Post.RequestBody
		if rb == nil || !rb.Value.Required {
			t.Errorf("POST %s: the body is not required", path)
			continue
		}
		mt := rb.Value.Content.Get("application/json")
		if mt == nil || len(rb.Value.Content) != 1 || mt.Schema.Ref != "#/components/schemas/"+schema {
			t.Errorf("POST %s: the body is not application/json %s alone", path, schema)
		}
	}
}
