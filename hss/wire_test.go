package hss

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The hand-written JSON in wire.go must match encoding/json byte for byte (the
// encoders) and value for value, error for error (the decoder).

// wireTrickyStrings are strings whose JSON encoding has a catch.
var wireTrickyStrings = func() []string {
	ss := []string{
		"", "a", "task-1", "Event type", " ", "~", "\x7f", "a\x7fb",
		`"`, `\`, `\"`, `"\"`, "/", "'",
		"<", ">", "&", "<script>alert('x')</script>", "a&&b", "&amp;",
		"\b", "\f", "\n", "\r", "\t", "\v", "\x00", "\x1f", "\x1b[0m",
		"\u2028", "\u2029", "a\u2028b\u2029c", "\u2027\u202a", "\u0085", "\u00a0",
		"\xff", "\xfe\xff", "\xc3", "\xc3(", "\xe2\x80", "\xe2\x80\xa8"[:2], "\xf0\x9f\x99", // truncated
		"\xed\xa0\x80", "\xed\xbf\xbf", // UTF-16 surrogates encoded as UTF-8: invalid
		"\xc0\x80", "\xc1\xbf", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", // overlong, above U+10FFFF, 5-byte
		"\ufffd", "é", "日本語", "🙂", "a🙂b<é>\u2028\xff\n",
		strings.Repeat("x", 100), strings.Repeat("<", 40), strings.Repeat("\xff", 9),
	}
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
		ss = append(ss, string(rune(b)), string([]byte{byte(b)}), "ab"+string([]byte{byte(b)})+"cd")
	}
	return append(ss, string(all))
}()

func wireMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%#v): %v", v, err)
	}
	return b
}

func TestAppendJSONString(t *testing.T) {
	// Literal expectations: these document what encoding/json does (Go 1.22
	// and later write \b and \f in short form; before they were \u0008 and
	// \u000c), and fail loudly if it ever changes.
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"task-1", `"task-1"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x0b\x1f", `"\u0000\u0001\u000b\u001f"`},
		{"\x7f", "\"\x7f\""},
		{`"\`, `"\"\\"`},
		{"/", `"/"`},
		{"<a>&", `"\u003ca\u003e\u0026"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"é🙂", `"é🙂"`},
		{"a\xffb", `"a\ufffdb"`},
		{"\xe2\x80", `"\ufffd\ufffd"`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
	} {
		if got := string(wireMarshal(t, c.in)); got != c.want {
			t.Errorf("json.Marshal(%q) = %s, the test expects %s", c.in, got, c.want)
		}
		if got := string(appendJSONString(nil, c.in)); got != c.want {
			t.Errorf("appendJSONString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, s := range wireTrickyStrings {
		wireCheckString(t, s)
	}
	// Every rune class around the boundaries.
	for r := rune(0); r < 0x3000; r++ {
		wireCheckString(t, "x"+string(r)+"y")
	}
	for _, r := range []rune{0xd7ff, 0xe000, 0xfffd, 0xfffe, 0xffff, 0x10000, 0x10ffff} {
		wireCheckString(t, string(r))
	}
}

func wireCheckString(t *testing.T, s string) {
	t.Helper()
	want := wireMarshal(t, s)
	prefix := []byte("prefix:")
	got := appendJSONString(prefix[:len(prefix):len(prefix)], s)
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Errorf("appendJSONString(%q) = %q, want %q", s, got[len(prefix):], want)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range wireTrickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("appendJSONString(%q) = %q, want %q", s, got[1:], want)
		}
		var back string
		if err := json.Unmarshal(want, &back); err != nil || (utf8.ValidString(s) && back != s) {
			t.Fatalf("round trip of %q: %q, %v", s, back, err)
		}
	})
}

func TestAppendExportColumnsJSON(t *testing.T) {
	cases := []ExportColumns{
		nil,
		{},
		{nil},
		{{}},
		{nil, {}, {"a"}},
		{{"event_type", "Event type"}, {"event_name", "Alarm name"}},
		{{"a", "b", "c"}, {"<&>", "\u2028\xff\x00"}},
	}
	for _, s := range wireTrickyStrings {
		cases = append(cases, ExportColumns{{s, s}, {"x", s}})
	}
	for _, cols := range cases {
		wireCheckColumns(t, cols)
	}
}

func wireCheckColumns(t testing.TB, cols ExportColumns) {
	t.Helper()
	want := wireMarshal(t, cols)
	if got := appendExportColumnsJSON([]byte("p"), cols); !bytes.Equal(got[1:], want) {
		t.Fatalf("appendExportColumnsJSON(%#v)\n got %s\nwant %s", cols, got[1:], want)
	}
}

func wireCheckOperate(t testing.TB, r *OperateEventsRequest) {
	t.Helper()
	want := wireMarshal(t, r)
	if got := appendOperateEventsRequestJSON([]byte("p"), r); !bytes.Equal(got[1:], want) {
		t.Fatalf("appendOperateEventsRequestJSON(%#v)\n got %s\nwant %s", r, got[1:], want)
	}
	if r != nil {
		// The value form, as the client marshals it (json.Marshal(&req)).
		if v := wireMarshal(t, *r); !bytes.Equal(v, want) {
			t.Fatalf("json.Marshal of the value differs from the pointer: %s", v)
		}
	}
}

func TestAppendOperateEventsRequestJSON(t *testing.T) {
	s := func(v string) *string { return &v }
	pid := int32(-7)
	nilRules := []EventWhiteRule(nil)
	ptrOf := func(r OperateEventsRequest) *OperateEventsRequest { return &r }
	cases := []*OperateEventsRequest{
		nil,
		{},
		{OperateEventList: []OperateEvent{}},
		{OperateEventList: []OperateEvent{{}}},
		{OperateEventList: []OperateEvent{{OperateDetailList: []EventDetail{}}}},
		{OperateEventList: []OperateEvent{{OperateDetailList: []EventDetail{{}, {ProcessPid: &pid}, {AgentId: s("")}}}}},
		{EventWhiteRuleList: &nilRules, Handler: s("")},
		{EventWhiteRuleList: &[]EventWhiteRule{}},
		{EventWhiteRuleList: &[]EventWhiteRule{{}, {EventType: math.MinInt32, FieldKey: "<k>", FieldValue: "\u2028", JudgeType: "contain"}}},
		ptrOf(seedOperate()),
		ptrOf(withWhiteRules()),
		wireBenchOperate(),
	}
	for _, r := range cases {
		wireCheckOperate(t, r)
	}
	full := wireBenchOperate()
	full.OperateEventList[0].OccurTime = math.MinInt64
	full.OperateEventList[1].OccurTime = math.MaxInt64
	full.OperateEventList[0].EventType = math.MaxInt32
	full.OperateEventList[0].OperateDetailList = []EventDetail{{
		AgentId: s("a"), ContainerId: s("b"), ContainerName: s("c"), FileAttr: s("33261"),
		FileHash: s("h"), FilePath: s("/p<>"), Hash: s("x"), Keyword: s("k"), LoginIp: s("1.2.3.4"),
		LoginUserName: s("root"), PrivateIp: s("10.0.0.1"), ProcessPid: &pid,
	}}
	wireCheckOperate(t, full)
}

// wireGen fills any value of the generated types with random data by walking
// it with reflect, so a field added to gen is filled without changing this
// code, and the encoders' tests then fail until wire.go writes the field.
type wireGen struct {
	r    *rand.Rand
	strs []string
	full bool // no nil pointers and no empty slices
}

func (g *wireGen) str() string {
	switch g.r.IntN(3) {
	case 0:
		return g.strs[g.r.IntN(len(g.strs))]
	case 1:
		b := make([]byte, g.r.IntN(12))
		for i := range b {
			b[i] = byte(g.r.Uint32())
		}
		return string(b)
	default:
		var sb strings.Builder
		for range g.r.IntN(4) {
			sb.WriteString(g.strs[g.r.IntN(len(g.strs))])
		}
		return sb.String()
	}
}

func (g *wireGen) int(bits int) int64 {
	lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
	switch g.r.IntN(6) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return int64(g.r.IntN(3)) - 1
	case 3:
		return g.r.Int64N(100000)
	default:
		return g.r.Int64() >> (64 - bits) // any value in range
	}
}

func (g *wireGen) fill(t testing.TB, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(g.str())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(g.int(v.Type().Bits()))
	case reflect.Pointer:
		if !g.full && g.r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		g.fill(t, p.Elem(), path+".*")
		v.Set(p)
	case reflect.Slice:
		n := 1 + g.r.IntN(3)
		if !g.full {
			switch g.r.IntN(4) {
			case 0:
				v.SetZero() // nil
				return
			case 1:
				n = 0 // empty, not nil
			}
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			g.fill(t, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			g.fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	default:
		t.Fatalf("wireGen: %s has kind %s, which the generator (and likely wire.go) does not handle", path, v.Kind())
	}
}

func newWireGen(seed1, seed2 uint64, extra ...string) *wireGen {
	return &wireGen{r: rand.New(rand.NewPCG(seed1, seed2)), strs: append(wireTrickyStrings[:len(wireTrickyStrings):len(wireTrickyStrings)], extra...)}
}

func TestAppendOperateEventsRequestJSONRandom(t *testing.T) {
	g := newWireGen(20240601, 42)
	for i := range 3000 {
		g.full = i%4 == 0
		var r OperateEventsRequest
		g.fill(t, reflect.ValueOf(&r).Elem(), "OperateEventsRequest")
		wireCheckOperate(t, &r)
	}
}

func TestAppendExportColumnsJSONRandom(t *testing.T) {
	g := newWireGen(7, 11)
	for i := range 3000 {
		g.full = i%4 == 0
		var cols ExportColumns
		g.fill(t, reflect.ValueOf(&cols).Elem(), "ExportColumns")
		wireCheckColumns(t, cols)
	}
}

// FuzzWireEncoders drives the random generator with fuzzed seeds and a fuzzed
// string added to the string pool.
func FuzzWireEncoders(f *testing.F) {
	f.Add(uint64(1), uint64(2), "")
	f.Add(uint64(3), uint64(4), "<\u2028\xff>")
	f.Add(uint64(5), uint64(6), "\b\f\x7f\x00")
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64, s string) {
		g := newWireGen(seed1, seed2, s, s+s, "a"+s)
		for i := range 8 {
			g.full = i%2 == 0
			var r OperateEventsRequest
			g.fill(t, reflect.ValueOf(&r).Elem(), "OperateEventsRequest")
			wireCheckOperate(t, &r)
			var cols ExportColumns
			g.fill(t, reflect.ValueOf(&cols).Elem(), "ExportColumns")
			wireCheckColumns(t, cols)
		}
		wireCheckColumns(t, ExportColumns{{s, s}})
	})
}

// TestWireTypeShapes pins the shapes wire.go was written for. When gen grows
// a field this fails first: update wire.go (the random tests show where),
// then the counts here.
func TestWireTypeShapes(t *testing.T) {
	want := map[string]int{
		"OperateEventsRequest": 4,
		"EventWhiteRule":       4,
		"OperateEvent":         5,
		"EventDetail":          12,
		"ExportEventsResult":   2,
	}
	got := map[string]int{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice:
			walk(ty.Elem())
		case reflect.Struct:
			if _, seen := got[ty.Name()]; seen {
				return
			}
			got[ty.Name()] = ty.NumField()
			for i := range ty.NumField() {
				walk(ty.Field(i).Type)
			}
		}
	}
	walk(reflect.TypeFor[OperateEventsRequest]())
	walk(reflect.TypeFor[ExportEventsResult]())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("struct field counts = %v, wire.go was written for %v", got, want)
	}
	if ty := reflect.TypeFor[ExportColumns](); ty != reflect.TypeFor[[][]string]() {
		t.Errorf("ExportColumns is %s, wire.go was written for [][]string", ty)
	}
	// None of the types may gain its own JSON methods behind our back.
	for _, v := range []any{OperateEventsRequest{}, OperateEvent{}, EventDetail{}, EventWhiteRule{}, ExportEventsResult{}, OperateType(""), JudgeType("")} {
		p := reflect.New(reflect.TypeOf(v)).Interface()
		if _, ok := p.(json.Marshaler); ok {
			t.Errorf("%T implements json.Marshaler", v)
		}
		if _, ok := p.(json.Unmarshaler); ok {
			t.Errorf("%T implements json.Unmarshaler", v)
		}
	}
}

// wireDecodeSeeds are export answers, good and bad.
var wireDecodeSeeds = []string{
	`{"record_total_num":123,"task_id":"task-1"}`,
	`{"task_id":"task-1","record_total_num":123}`,
	`{"record_total_num":12345,"task_id":"task-00000001"}`,
	" \t\r\n{ \t\r\n\"record_total_num\" \n:\r 1 \t, \"task_id\"\n:\t\"x\" \r}\n\t ",
	`{}`, ` { } `, `{"record_total_num":0}`, `{"task_id":""}`, `{"task_id":"~\u007f"}`,
	"{\"task_id\":\"\x7f\"}",
	`{"record_total_num":-0}`, `{"record_total_num":-1}`,
	`{"record_total_num":2147483647}`, `{"record_total_num":-2147483648}`,
	`{"record_total_num":2147483648}`, `{"record_total_num":-2147483649}`,
	`{"record_total_num":9999999999}`, `{"record_total_num":99999999999}`,
	`{"record_total_num":123456789012345678901234567890}`, `{"record_total_num":00}`,
	`{"record_total_num":01}`, `{"record_total_num":-}`, `{"record_total_num":+1}`,
	`{"record_total_num":1.0}`, `{"record_total_num":1e3}`, `{"record_total_num":1E3}`,
	`{"record_total_num":0.5,"task_id":"x"}`, `{"record_total_num":"1"}`,
	`{"record_total_num":null}`, `{"task_id":null}`, `null`, ``, ` `, `{`, `}`, `[]`, `1`, `"x"`,
	`{"record_total_num":1,"record_total_num":2}`, `{"task_id":"a","task_id":"b"}`,
	`{"Task_ID":"x"}`, `{"TASK_ID":"x","Record_Total_Num":5}`, `{"task_id":"a","Task_id":"b"}`,
	`{"tas\u006b_id":"x"}`, "{\"tas\u212a_id\":\"x\"}", "{\"task_\u017fd\":\"x\"}", // Kelvin sign folds to k, long s to s
	`{"task_id":"a\"b"}`, `{"task_id":"a\\b"}`, `{"task_id":"\u00e9"}`, `{"task_id":"é"}`,
	"{\"task_id\":\"a\tb\"}", "{\"task_id\":\"\xff\"}", `{"task_id":123}`, `{"task_id":true}`,
	`{"other":1}`, `{"other":1,"task_id":"x"}`, `{"task_id":"x","other":{"a":[1,2]}}`,
	`{"task_id":"x"} `, `{"task_id":"x"}x`, `{"task_id":"x"}{}`, `{"task_id":"x",}`, `{,}`,
	`{"task_id":"x" "record_total_num":1}`, `{"task_id" "x"}`, `{"task_id":}`, `{"task_id"`,
	`{"task_id":"x`, `{"record_total_num":1`, `{"record_total_num":1 `, `{"record_total_num"`,
	"\xef\xbb\xbf{\"task_id\":\"x\"}", "{\"task_id\":\"x\"}\x00", "\v{}", "{\f}",
	`{"record_total_num":2147483648,"task_id":"partial"}`, `{"task_id":"partial","record_total_num":1.5}`,
	`{"task_id":"partial","record_total_num":"z"}`, `{"task_id":"partial",` + `"record_total_num":1}x`,
}

// wirePrefill sets out to one of four starting states, so that the
// write-through of pointers already set is compared too.
func wirePrefill(out *ExportEventsResult, mode uint8) {
	*out = ExportEventsResult{}
	if mode&1 != 0 {
		n := int32(7)
		out.RecordTotalNum = &n
	}
	if mode&2 != 0 {
		s := "old"
		out.TaskId = &s
	}
}

func wireCheckDecode(t testing.TB, data []byte, mode uint8) {
	t.Helper()
	var want, got ExportEventsResult
	wirePrefill(&want, mode)
	wirePrefill(&got, mode)
	wantN, wantS, gotN, gotS := want.RecordTotalNum, want.TaskId, got.RecordTotalNum, got.TaskId
	buf := bytes.Clone(data)
	wantErr := json.Unmarshal(data, &want)
	gotErr := decodeExportEventsResult(buf, &got)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("decode(%q, mode %d): error %v, json.Unmarshal: %v", data, mode, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q, mode %d) = %s, json.Unmarshal: %s", data, mode, wireShow(got), wireShow(want))
	}
	if (got.RecordTotalNum == gotN) != (want.RecordTotalNum == wantN) || (got.TaskId == gotS) != (want.TaskId == wantS) {
		t.Fatalf("decode(%q, mode %d): pointer reuse differs from json.Unmarshal", data, mode)
	}
	// The result must not alias the input.
	for i := range buf {
		buf[i] = '#'
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q, mode %d): the result aliases the input", data, mode)
	}
}

func wireShow(r ExportEventsResult) string {
	s := "{"
	if r.RecordTotalNum != nil {
		s += fmt.Sprintf("n=%d ", *r.RecordTotalNum)
	}
	if r.TaskId != nil {
		s += fmt.Sprintf("s=%q", *r.TaskId)
	}
	return s + "}"
}

func TestDecodeExportEventsResult(t *testing.T) {
	for _, s := range wireDecodeSeeds {
		for mode := range uint8(4) {
			wireCheckDecode(t, []byte(s), mode)
		}
	}
	if err := decodeExportEventsResult([]byte(`{}`), nil); err == nil || err.Error() != json.Unmarshal([]byte(`{}`), (*ExportEventsResult)(nil)).Error() {
		t.Errorf("nil out: %v", err)
	}
	// Every prefix and every one-byte change of a good answer.
	good := []byte(` {"record_total_num" : -2147483648 , "task_id" : "t-1~\x7f" } `)
	for i := range good {
		wireCheckDecode(t, good[:i], 0)
		for _, b := range []byte{' ', '"', '\\', ',', ':', '{', '}', '0', '9', '-', '.', 'e', 'T', 'x', 0, 0x1f, 0x80, 0xff} {
			mod := bytes.Clone(good)
			mod[i] = b
			for mode := range uint8(4) {
				wireCheckDecode(t, mod, mode)
			}
		}
	}
}

// TestDecodeExportEventsResultFastPath checks which answers take the fast
// path, and that the usual one costs two allocations (the string, and one
// block for both values).
func TestDecodeExportEventsResultFastPath(t *testing.T) {
	for s, fast := range map[string]bool{
		`{"record_total_num":123,"task_id":"task-1"}`:              true,
		`{"task_id":"task-1","record_total_num":123}`:              true,
		" {\n\"task_id\" : \"a\" ,\t\"record_total_num\":-0\r}\n ": true,
		`{}`: true, `{"task_id":""}`: true, `{"record_total_num":-2147483648}`: true,
		`{"record_total_num":2147483648}`: false, `{"Task_id":"x"}`: false, `{"task_id":"\u0041"}`: false,
		`{"task_id":"é"}`: false, `{"task_id":null}`: false, `{"record_total_num":1.0}`: false,
		`{"task_id":"a","task_id":"b"}`: false, `{"x":1}`: false, ``: false, `{"task_id":"a"}{}`: false,
	} {
		var out ExportEventsResult
		if got := fastDecodeExportEventsResult([]byte(s), &out); got != fast {
			t.Errorf("fast path for %q = %v, want %v", s, got, fast)
		}
		if !fast && out != (ExportEventsResult{}) {
			t.Errorf("refused %q but changed out", s)
		}
	}
	data := []byte(`{"record_total_num":12345,"task_id":"task-00000001"}`)
	allocs := testing.AllocsPerRun(100, func() {
		var out ExportEventsResult
		if err := decodeExportEventsResult(data, &out); err != nil || *out.RecordTotalNum != 12345 || *out.TaskId != "task-00000001" {
			t.Fatalf("decode: %v %s", err, wireShow(out))
		}
	})
	// out itself escapes (through json.Unmarshal on the slow path): 1, plus
	// the string and the block holding both values: 2.
	if allocs > 3 {
		t.Errorf("decode allocates %v times, want at most 3", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		var out ExportEventsResult
		if !fastDecodeExportEventsResult(data, &out) {
			t.Fatal("slow path")
		}
	})
	if allocs > 2 {
		t.Errorf("the fast path allocates %v times, want at most 2", allocs)
	}
	buf := make([]byte, 0, 1024)
	cols := wireBenchColumns()
	req := wireBenchOperate()
	if a := testing.AllocsPerRun(100, func() {
		buf = appendExportColumnsJSON(buf[:0], cols)
		buf = appendOperateEventsRequestJSON(buf[:0], req)
	}); a != 0 {
		t.Errorf("encoding into a large enough buffer allocates %v times", a)
	}
}

func FuzzDecodeExportEventsResult(f *testing.F) {
	for i, s := range wireDecodeSeeds {
		f.Add([]byte(s), uint8(i%4))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		wireCheckDecode(t, data, mode%4)
	})
}

func wireBenchColumns() ExportColumns {
	return ExportColumns{
		{"event_type", "Event type"},
		{"event_name", "Alarm name"},
		{"host_name", "Server name"},
		{"severity", "Risk level"},
		{"occur_time", "Occurred"},
	}
}

func wireBenchOperate() *OperateEventsRequest {
	h := "benchmark"
	return &OperateEventsRequest{
		Handler:     &h,
		OperateType: MarkAsHandled,
		OperateEventList: []OperateEvent{
			{EventClassId: "rootkit_0001", EventId: "2a71e1e2-60f4-4d56-b314-2038fdf00a4b", EventType: 1010, OccurTime: 1700000000000, OperateDetailList: []EventDetail{}},
			{EventClassId: "login_0001", EventId: "9b7ad6f0-1c3e-4a8e-8d8b-6a2b8c1d0e7f", EventType: 4004, OccurTime: 1700000001234, OperateDetailList: []EventDetail{}},
		},
	}
}

// BenchmarkWire compares encoding/json with wire.go on typical values.
// "wire" starts from a nil buffer (allocating the result, as json.Marshal
// does); "wire_reuse" appends into a reused buffer.
func BenchmarkWire(b *testing.B) {
	cols := wireBenchColumns()
	req := wireBenchOperate()
	answer := []byte(`{"record_total_num":12345,"task_id":"task-00000001"}`)
	var sink []byte
	buf := make([]byte, 0, 1024)

	b.Run("ExportColumns/encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = json.Marshal(cols)
		}
	})
	b.Run("ExportColumns/wire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = appendExportColumnsJSON(nil, cols)
		}
	})
	b.Run("ExportColumns/wire_reuse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = appendExportColumnsJSON(buf[:0], cols)
		}
	})
	b.Run("OperateRequest/encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = json.Marshal(req)
		}
	})
	b.Run("OperateRequest/wire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = appendOperateEventsRequestJSON(nil, req)
		}
	})
	b.Run("OperateRequest/wire_reuse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = appendOperateEventsRequestJSON(buf[:0], req)
		}
	})
	b.Run("ExportResult/encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out ExportEventsResult
			if err := json.Unmarshal(answer, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ExportResult/wire", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out ExportEventsResult
			if err := decodeExportEventsResult(answer, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	_ = sink
}
