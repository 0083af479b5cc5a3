package hsstest

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/openhss/hss-go/gen"
	"github.com/openhss/hss-go/internal/jsonkeys"
)

// checkStrict refuses what the spec check lets through but the fake would
// read otherwise than it was checked, so that a request is carried out as
// it was validated. It returns the reason, or "".
//
//   - A single-value query parameter given more than once (the generated
//     binding would fail on it).
//   - A body key that is not one of the spec's but equals one ignoring
//     case: the spec check matches keys exactly and passes over
//     "OPERATE_TYPE", while encoding/json, which the handlers decode with,
//     reads it (or "operate_event_li\u017ft", by Unicode folding) as
//     operate_type, the last one winning.
//   - A key given twice in one object: which one counts is up to the
//     parser.
//   - Anything after the body's JSON value, which neither check reads.
//
// A key the spec does not know at all is left alone, as a service that
// ignores unknown fields would.
func checkStrict(query url.Values, route *routers.Route, body []byte) string {
	// Both lists read in place: appending one to the other could write into
	// the shared spec's array, from concurrent requests.
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
				continue
			}
			if s := p.Value.Schema; s != nil && s.Value != nil && s.Value.Type.Is(openapi3.TypeArray) {
				continue
			}
			if len(query[p.Value.Name]) > 1 {
				return "invalid query parameter " + p.Value.Name + ": given more than once"
			}
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	return checkBodyKeys(body, specKeys())
}

// checkBodyKeys walks the JSON in body for checkStrict. A syntax error is
// left to the spec check, which reports it.
func checkBodyKeys(body []byte, known map[string]bool) string {
	reason, trailing := jsonkeys.Walk(body, func(key string, dup bool) string {
		if r := checkKey(key, dup, known); r != "" {
			return "invalid body: key " + strconv.Quote(key) + ": " + r
		}
		return ""
	})
	if reason == "" && trailing {
		return "invalid body: anything after the JSON value"
	}
	return reason
}

// checkKey says why key may not be read as it was checked, or "".
func checkKey(key string, dup bool, known map[string]bool) string {
	if dup {
		return "given twice in one object"
	}
	if known[key] {
		return ""
	}
	for k := range known {
		if strings.EqualFold(k, key) {
			return "keys are matched exactly: the spec's is " + strconv.Quote(k)
		}
	}
	return ""
}

// specKeys is the set of the property names in the spec's request bodies.
var specKeys = sync.OnceValue(func() map[string]bool {
	keys := map[string]bool{}
	doc, err := gen.GetSpec()
	if err != nil {
		panic("hsstest: loading the embedded spec: " + err.Error())
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		for name, p := range s.Properties {
			keys[name] = true
			walk(p)
		}
		walk(s.Items)
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, sub := range list {
				walk(sub)
			}
		}
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema)
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for _, mt := range op.RequestBody.Value.Content {
				walk(mt.Schema)
			}
		}
	}
	return keys
})
