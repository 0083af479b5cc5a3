package hss

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"

	"github.com/openhss/hss-go/gen"
)

// TestChecksRefuseWhatTheSpecRefuses builds export and handle calls whose
// query parameters are a valid call's with one to three of them changed at
// random (to values at and past every bound of the spec, empty values,
// empty lists, enum slips), and asks both the spec's own validator
// (kin-openapi, as the fake and hsstest use it) and the checks. Whatever
// the spec refuses, the checks must refuse before sending, naming a field;
// what the spec accepts, the checks may refuse only by the rules of
// hss-api.md it cannot state (decision 4: the time range).
func TestChecksRefuseWhatTheSpecRefuses(t *testing.T) {
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 8))
	strs := []string{"", "x", "?&= +%é", runes("a", 64), runes("é", 65), runes("a", 128), runes("a", 129),
		runes("é", 256), runes("a", 257), runes("a", 512), runes("é", 513),
		"host", "container", "unhandled", "handled", "High", "Critical", "Security", "high", "Fatal"}
	ints := []int64{-1, 0, 1, 5, 1001, 2147483647, 172_800_000, 172_800_001, 1 << 40}
	lists := [][]string{{}, {""}, {"x"}, {"x", ""}, {"High", "Low"}, {"Fatal"}}
	// value returns a random value of type ty (a field of the params).
	var value func(ty reflect.Type) reflect.Value
	value = func(ty reflect.Type) reflect.Value {
		v := reflect.New(ty).Elem()
		switch ty.Kind() {
		case reflect.Pointer:
			if r.IntN(5) > 0 {
				v.Set(reflect.New(ty.Elem()))
				v.Elem().Set(value(ty.Elem()))
			}
		case reflect.String:
			v.SetString(strs[r.IntN(len(strs))])
		case reflect.Int32, reflect.Int64:
			n := ints[r.IntN(len(ints))]
			if v.OverflowInt(n) {
				n = -1
			}
			v.SetInt(n)
		case reflect.Bool:
			v.SetBool(r.IntN(2) == 0)
		case reflect.Slice:
			l := lists[r.IntN(len(lists))]
			v.Set(reflect.MakeSlice(ty, len(l), len(l)))
			for i, s := range l {
				if ty.Elem().Kind() == reflect.String {
					v.Index(i).SetString(s)
				} else {
					v.Index(i).SetInt(int64(3000 + len(s)))
				}
			}
		}
		return v
	}
	mutate := func(p any) {
		s := reflect.ValueOf(p).Elem()
		for range 1 + r.IntN(3) {
			f := s.Field(r.IntN(s.NumField()))
			f.Set(value(f.Type()))
		}
	}
	exportBody := []byte(`[["event_type","Event type"]]`)
	operateBody := []byte(`{"operate_type":"ignore","operate_event_list":[{"event_class_id":"c","event_id":"e","event_type":1001,"occur_time":1,"operate_detail_list":[]}]}`)
	send := func(target string, body []byte, region *string) error {
		req, err := newRequest(context.Background(), http.MethodPost, "http://127.0.0.1", target)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if region != nil {
			req.Header.Set("Region", *region)
		}
		req.Body = http.NoBody
		req.Body, req.ContentLength = readCloser{bytes.NewReader(body)}, int64(len(body))
		route, pathParams, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: %v", req.URL, err)
		}
		return specRefuses(req, route, pathParams)
	}
	timeRule := map[string]bool{"begin_time": true, "end_time": true, "last_days": true}
	var both, spec, ours int
	judge := func(what string, target string, specErr, ourErr error) {
		t.Helper()
		var ve *ValidationError
		switch {
		case specErr != nil && ourErr == nil:
			t.Errorf("%s: the spec refuses it (%.300v), the checks let it go: %s", what, specErr, target)
		case ourErr != nil && !errors.As(ourErr, &ve):
			t.Errorf("%s: not a *ValidationError: %v", what, ourErr)
		case ourErr != nil && specErr == nil && !timeRule[ve.Field]:
			t.Errorf("%s %s: the spec accepts it, the checks refuse it: %v", what, target, ourErr)
		case specErr != nil:
			spec++
		case ourErr != nil:
			ours++
		default:
			both++
		}
	}
	for range 4000 {
		p := fullExport()
		p.BeginTime, p.EndTime = nil, nil
		mutate(&p)
		target := exportEventsTarget("p", &p)
		judge("export", target, send(target, exportBody, nil), checkExportParams(&p))
	}
	for range 500 {
		p := gen.HandleEventsParams{EnterpriseProjectId: Ptr("0"), ContainerName: Ptr("c"), ContainerId: Ptr("i")}
		mutate(&p)
		target := handleEventsTarget("p", &p)
		judge("handle", target, send(target, operateBody, p.Region), checkHandleParams(&p))
	}
	t.Logf("accepted by both: %d; refused by the spec (and the checks): %d; by the time rules only: %d", both, spec, ours)
	if both < 500 || spec < 500 || ours < 50 {
		t.Errorf("the cases do not cover both sides: %d accepted, %d refused by the spec, %d by the time rules", both, spec, ours)
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
