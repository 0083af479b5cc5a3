package hss

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openhss/hss-go/gen"
)

// wantField fails t unless err is a *ValidationError on field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("err = %v (%T), want *ValidationError on %q", err, err, field)
		return
	}
	if ve.Field != field {
		t.Errorf("field = %q (%v), want %q", ve.Field, err, field)
	}
	if want := "hss: invalid " + field + ": "; !strings.HasPrefix(err.Error(), want) || ve.Reason == "" {
		t.Errorf("Error() = %q, want %q and a reason", err.Error(), want+"...")
	}
}

// runes returns n characters of s repeated: runes("é", 3) = "ééé".
func runes(s string, n int) string { return strings.Repeat(s, n) }

// validExport returns the smallest parameters ExportEvents accepts.
func validExport() gen.ExportEventsParams {
	return gen.ExportEventsParams{Category: gen.Host, EventId: "case-1"}
}

// fullExport returns parameters with every field set to a valid value.
func fullExport() gen.ExportEventsParams {
	return gen.ExportEventsParams{
		EnterpriseProjectId: Ptr("all_granted_eps"),
		HostName:            Ptr("web-01"),
		HostId:              Ptr("7d0f1c9e-4b3a-4d7e-9b4f-0d5c1e2a3b4c"),
		PrivateIp:           Ptr("192.168.0.10"),
		ContainerName:       Ptr("nginx"),
		Offset:              Ptr(int32(0)),
		Limit:               Ptr(int32(100)),
		ExportSize:          Ptr(int32(1000)),
		EventType:           Ptr(EventRootkit),
		EventTypes:          &[]int32{EventMalware, EventHighRiskCommand, 99999},
		HandleStatus:        Ptr(gen.Unhandled),
		Severity:            Ptr(gen.High),
		Category:            gen.Container,
		BeginTime:           Ptr(int64(1_700_000_000_000)),
		EndTime:             Ptr(int64(1_700_000_000_000 + 172_800_000)),
		EventClassIds:       &[]string{"rootkit_0001", "some_future_class_9999"},
		SeverityList:        &[]gen.Severity{gen.Security, gen.Low, gen.Medium, gen.High, gen.Critical},
		AttackTag:           Ptr("a_tag_added_next_year"),
		AssetValue:          Ptr("priceless"),
		TagList:             &[]string{"t1"},
		AttCk:               Ptr("Lateral Movement"),
		EventName:           Ptr("Rootkit"),
		EventIdList:         &[]string{"e1", "e2"},
		AutoBlock:           Ptr(true),
		ClusterId:           Ptr("cluster-1"),
		EventId:             "case-1",
		PublicIp:            Ptr("203.0.113.7"),
	}
}

// seedOperate returns the seed's operate example, with file_attr as the
// string the table says (hss-api.md decision 5).
func seedOperate() gen.OperateEventsRequest {
	return gen.OperateEventsRequest{
		OperateType: gen.MarkAsHandled,
		Handler:     Ptr("test"),
		OperateEventList: []gen.OperateEvent{{
			EventClassId: "rootkit_0001",
			EventId:      "2a71e1e2-60f4-4d56-b314-2038fdc39de6",
			OccurTime:    1672046760353,
			EventType:    1010,
			OperateDetailList: []gen.EventDetail{{
				AgentId:       Ptr("c9bed5397db449ebdfba15e85fcfc36accee125c68954daf5cab0528bab59bd8"),
				FileHash:      Ptr("e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d"),
				FilePath:      Ptr("/usr/test"),
				ProcessPid:    Ptr(int32(3123)),
				FileAttr:      Ptr("33261"),
				Keyword:       Ptr("file_path=/usr/test"),
				Hash:          Ptr("e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d"),
				LoginIp:       Ptr("127.0.0.1"),
				PrivateIp:     Ptr("127.0.0.2"),
				LoginUserName: Ptr("root"),
				ContainerId:   Ptr("containerid"),
				ContainerName: Ptr("/test"),
			}},
		}},
	}
}

// withWhiteRules returns the seed request with one valid whitelist rule.
func withWhiteRules() gen.OperateEventsRequest {
	r := seedOperate()
	r.EventWhiteRuleList = &[]gen.EventWhiteRule{{
		EventType: 3015, FieldKey: FieldProcessCmdline, FieldValue: "/usr/bin/backup.sh", JudgeType: gen.Contain,
	}}
	return r
}

func TestCheckExportParamsGood(t *testing.T) {
	tests := map[string]func(p *gen.ExportEventsParams){
		"minimal":   func(p *gen.ExportEventsParams) {},
		"container": func(p *gen.ExportEventsParams) { p.Category = gen.Container },
		"full":      func(p *gen.ExportEventsParams) { *p = fullExport() },
		"last_days": func(p *gen.ExportEventsParams) { p.LastDays = Ptr(int32(1)) },
		"time range of zero length": func(p *gen.ExportEventsParams) {
			p.BeginTime, p.EndTime = Ptr(int64(5)), Ptr(int64(5))
		},
		"time range of exactly two days": func(p *gen.ExportEventsParams) {
			p.BeginTime, p.EndTime = Ptr(int64(0)), Ptr(int64(172_800_000))
		},
		"multi-byte at maxLength": func(p *gen.ExportEventsParams) {
			p.EventId = runes("案", 128)
			p.HostName = Ptr(runes("é", 64))
			p.ContainerName = Ptr(runes("🐳", 512))
			p.EnterpriseProjectId = Ptr(runes("ü", 256))
		},
		"open sets take any value": func(p *gen.ExportEventsParams) {
			p.EventType = Ptr(int32(-7))
			p.AttackTag, p.AssetValue, p.AttCk = Ptr("a"), Ptr("not-listed"), Ptr(runes("x", 5000))
			p.EventClassIds = &[]string{"x", runes("x", 5000)}
			p.EventTypes = &[]int32{-1, 0, 99999}
			p.TagList, p.EventIdList = &[]string{"?&= "}, &[]string{runes("x", 5000)}
		},
		"counts at their minimum": func(p *gen.ExportEventsParams) {
			p.Offset, p.Limit, p.ExportSize = Ptr(int32(0)), Ptr(int32(0)), Ptr(int32(0))
		},
	}
	for name, edit := range tests {
		p := validExport()
		edit(&p)
		if err := checkExportParams(&p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckExportParamsBad(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *gen.ExportEventsParams)
		field string
	}{
		{"category missing", func(p *gen.ExportEventsParams) { p.Category = "" }, "category"},
		{"category unknown", func(p *gen.ExportEventsParams) { p.Category = "Host" }, "category"},
		{"event_id missing", func(p *gen.ExportEventsParams) { p.EventId = "" }, "event_id"},
		{"event_id too long", func(p *gen.ExportEventsParams) { p.EventId = runes("案", 129) }, "event_id"},
		{"enterprise_project_id empty", func(p *gen.ExportEventsParams) { p.EnterpriseProjectId = Ptr("") }, "enterprise_project_id"},
		{"enterprise_project_id too long", func(p *gen.ExportEventsParams) { p.EnterpriseProjectId = Ptr(runes("a", 257)) }, "enterprise_project_id"},
		{"host_name too long", func(p *gen.ExportEventsParams) { p.HostName = Ptr(runes("é", 65)) }, "host_name"},
		{"host_id empty", func(p *gen.ExportEventsParams) { p.HostId = Ptr("") }, "host_id"},
		{"private_ip too long", func(p *gen.ExportEventsParams) { p.PrivateIp = Ptr(runes("1", 129)) }, "private_ip"},
		{"container_name too long", func(p *gen.ExportEventsParams) { p.ContainerName = Ptr(runes("c", 513)) }, "container_name"},
		{"event_name too long", func(p *gen.ExportEventsParams) { p.EventName = Ptr(runes("n", 129)) }, "event_name"},
		{"cluster_id too long", func(p *gen.ExportEventsParams) { p.ClusterId = Ptr(runes("c", 65)) }, "cluster_id"},
		{"public_ip empty", func(p *gen.ExportEventsParams) { p.PublicIp = Ptr("") }, "public_ip"},
		{"handle_status unknown", func(p *gen.ExportEventsParams) { p.HandleStatus = Ptr(gen.HandleStatus("done")) }, "handle_status"},
		{"severity unknown", func(p *gen.ExportEventsParams) { p.Severity = Ptr(gen.Severity("high")) }, "severity"},
		{"severity_list item unknown", func(p *gen.ExportEventsParams) {
			p.SeverityList = &[]gen.Severity{gen.Low, gen.Low, "Fatal"}
		}, "severity_list[2]"},
		// An empty query value ("name=") is one the spec refuses: the open
		// sets too, and the lists, which nil leaves out.
		{"attack_tag empty", func(p *gen.ExportEventsParams) { p.AttackTag = Ptr("") }, "attack_tag"},
		{"asset_value empty", func(p *gen.ExportEventsParams) { p.AssetValue = Ptr("") }, "asset_value"},
		{"att_ck empty", func(p *gen.ExportEventsParams) { p.AttCk = Ptr("") }, "att_ck"},
		{"severity_list empty", func(p *gen.ExportEventsParams) { p.SeverityList = &[]gen.Severity{} }, "severity_list"},
		{"severity_list item empty", func(p *gen.ExportEventsParams) { p.SeverityList = &[]gen.Severity{gen.Low, ""} }, "severity_list[1]"},
		{"event_types empty", func(p *gen.ExportEventsParams) { p.EventTypes = &[]int32{} }, "event_types"},
		{"event_class_ids empty", func(p *gen.ExportEventsParams) { p.EventClassIds = &[]string{} }, "event_class_ids"},
		{"event_class_ids item empty", func(p *gen.ExportEventsParams) { p.EventClassIds = &[]string{"a", "b", ""} }, "event_class_ids[2]"},
		{"tag_list empty", func(p *gen.ExportEventsParams) { p.TagList = &[]string{} }, "tag_list"},
		{"tag_list item empty", func(p *gen.ExportEventsParams) { p.TagList = &[]string{""} }, "tag_list[0]"},
		{"event_id_list empty", func(p *gen.ExportEventsParams) { p.EventIdList = &[]string{} }, "event_id_list"},
		{"event_id_list item empty", func(p *gen.ExportEventsParams) { p.EventIdList = &[]string{"x", ""} }, "event_id_list[1]"},
		{"begin_time negative", func(p *gen.ExportEventsParams) { p.BeginTime, p.EndTime = Ptr(int64(-1)), Ptr(int64(0)) }, "begin_time"},
		{"end_time negative", func(p *gen.ExportEventsParams) { p.BeginTime, p.EndTime = Ptr(int64(0)), Ptr(int64(-1)) }, "end_time"},
		{"begin_time without end_time", func(p *gen.ExportEventsParams) { p.BeginTime = Ptr(int64(1)) }, "end_time"},
		{"end_time without begin_time", func(p *gen.ExportEventsParams) { p.EndTime = Ptr(int64(1)) }, "begin_time"},
		{"end before begin", func(p *gen.ExportEventsParams) { p.BeginTime, p.EndTime = Ptr(int64(10)), Ptr(int64(9)) }, "end_time"},
		{"window over two days", func(p *gen.ExportEventsParams) {
			p.BeginTime, p.EndTime = Ptr(int64(1000)), Ptr(int64(1000+172_800_001))
		}, "end_time"},
		{"last_days with begin_time", func(p *gen.ExportEventsParams) {
			p.LastDays, p.BeginTime, p.EndTime = Ptr(int32(1)), Ptr(int64(1)), Ptr(int64(2))
		}, "last_days"},
		{"last_days with end_time only", func(p *gen.ExportEventsParams) { p.LastDays, p.EndTime = Ptr(int32(1)), Ptr(int64(2)) }, "last_days"},
		{"last_days zero", func(p *gen.ExportEventsParams) { p.LastDays = Ptr(int32(0)) }, "last_days"},
		{"last_days negative", func(p *gen.ExportEventsParams) { p.LastDays = Ptr(int32(-3)) }, "last_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fullExport()
			p.BeginTime, p.EndTime = nil, nil
			tt.edit(&p)
			wantField(t, checkExportParams(&p), tt.field)
		})
	}
}

func TestCheckExportColumns(t *testing.T) {
	good := []gen.ExportColumns{
		{{"event_name", "Alarm name"}},
		{{"event_name", "Alarm name"}, {"host_name", "服务器名称"}, {"x", runes("y", 5000)}},
	}
	for _, cols := range good {
		if err := checkExportColumns(cols); err != nil {
			t.Errorf("checkExportColumns(%q): %v", cols, err)
		}
	}
	bad := []struct {
		cols  gen.ExportColumns
		field string
	}{
		{nil, "columns"},
		{gen.ExportColumns{}, "columns"},
		{gen.ExportColumns{{"a", "b"}, {"c"}}, "columns[1]"},
		{gen.ExportColumns{{"a", "b", "c"}}, "columns[0]"},
		{gen.ExportColumns{nil}, "columns[0]"},
		{gen.ExportColumns{{"a", "b"}, {"c", "d"}, {"e", ""}}, "columns[2][1]"},
		{gen.ExportColumns{{"", "Alarm name"}}, "columns[0][0]"},
	}
	for _, tt := range bad {
		wantField(t, checkExportColumns(tt.cols), tt.field)
	}
}

// TestCheckExportColumnsSeedSlip pins hss-api.md decision 1: the seed's
// example wraps the columns in one more array, which does not decode into
// the body type; the body is the unwrapped list.
func TestCheckExportColumnsSeedSlip(t *testing.T) {
	var cols gen.ExportColumns
	if err := json.Unmarshal([]byte(`[[["event_name","Alarm name"]]]`), &cols); err == nil {
		t.Fatal("the seed's triple-nested example decoded into ExportColumns; decision 1 says it is a slip")
	}
	if err := json.Unmarshal([]byte(`[["event_name","Alarm name"]]`), &cols); err != nil {
		t.Fatal(err)
	}
	if err := checkExportColumns(cols); err != nil {
		t.Fatal(err)
	}
}

func TestCheckOperateRequestGood(t *testing.T) {
	ev := EventRef{ClassID: "login_0001", ID: "e1", Type: EventBruteForce, OccurTime: 1}
	tests := map[string]gen.OperateEventsRequest{
		"seed example":   seedOperate(),
		"with whitelist": withWhiteRules(),
		"empty details for ignore": {
			OperateType:      gen.Ignore,
			OperateEventList: []gen.OperateEvent{{EventClassId: "c", EventId: "e", OperateDetailList: []gen.EventDetail{}}},
		},
		"empty detail objects for unhandle": {
			OperateType:      gen.Unhandle,
			OperateEventList: []gen.OperateEvent{{EventClassId: "c", EventId: "e", OperateDetailList: []gen.EventDetail{{}, {}}}},
		},
		"multi-byte at maxLength": {
			OperateType: gen.AddToLoginWhitelist,
			Handler:     Ptr(runes("处", 256)),
			OperateEventList: []gen.OperateEvent{{
				EventClassId: runes("类", 1000), EventId: runes("é", 64), OccurTime: 0, EventType: -1,
				OperateDetailList: []gen.EventDetail{{
					AgentId: Ptr(runes("a", 64)), FileHash: Ptr(runes("ĥ", 256)), FilePath: Ptr(runes("路", 256)),
					FileAttr: Ptr(runes("ä", 256)), Keyword: Ptr(runes("k", 256)), Hash: Ptr(runes("h", 256)),
					LoginIp: Ptr(runes("ł", 256)), PrivateIp: Ptr(runes("p", 128)), LoginUserName: Ptr(runes("用", 256)),
					ProcessPid: Ptr(int32(2147483647)), ContainerId: Ptr(runes("x", 5000)), ContainerName: Ptr(""),
				}},
			}},
		},
		"open field_key and event_type": {
			OperateType:        gen.AddToAlarmWhitelist,
			OperateEventList:   []gen.OperateEvent{ev.operateEvent(EventDetail{Keyword: Ptr("k"), Hash: Ptr("h")})},
			EventWhiteRuleList: &[]gen.EventWhiteRule{{EventType: 424242, FieldKey: "a_field_added_later", FieldValue: "v", JudgeType: gen.Equal}},
		},
		"empty whitelist rule list": {
			OperateType:        gen.DoNotIgnore,
			OperateEventList:   []gen.OperateEvent{ev.operateEvent()},
			EventWhiteRuleList: &[]gen.EventWhiteRule{},
		},
		"pid 0 where no process is acted on": {
			OperateType: gen.Ignore,
			OperateEventList: []gen.OperateEvent{ev.operateEvent(EventDetail{
				AgentId: Ptr("a"), FileHash: Ptr("h"), FilePath: Ptr("/p"), ProcessPid: Ptr(int32(0)),
			})},
		},
		"isolating a file, with no process (pid 0)": {
			OperateType: gen.IsolateAndKill,
			OperateEventList: []gen.OperateEvent{ev.operateEvent(EventDetail{
				AgentId: Ptr("a"), FileHash: Ptr("h"), FilePath: Ptr("/p"), ProcessPid: Ptr(int32(0)),
			})},
		},
		"undoing it": {
			OperateType: gen.DoNotIsolateOrKill,
			OperateEventList: []gen.OperateEvent{ev.operateEvent(EventDetail{
				AgentId: Ptr("a"), FileHash: Ptr("h"), FilePath: Ptr("/p"), ProcessPid: Ptr(int32(0)),
			})},
		},
	}
	for name, r := range tests {
		if err := checkOperateRequest(&r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckOperateRequestBad(t *testing.T) {
	ev0 := "operate_event_list[0]."
	d0 := ev0 + "operate_detail_list[0]."
	tests := []struct {
		name  string
		edit  func(r *gen.OperateEventsRequest)
		field string
	}{
		{"operate_type missing", func(r *gen.OperateEventsRequest) { r.OperateType = "" }, "operate_type"},
		{"operate_type unknown", func(r *gen.OperateEventsRequest) { r.OperateType = "delete" }, "operate_type"},
		{"handler empty", func(r *gen.OperateEventsRequest) { r.Handler = Ptr("") }, "handler"},
		{"handler too long", func(r *gen.OperateEventsRequest) { r.Handler = Ptr(runes("处", 257)) }, "handler"},
		{"no events (nil)", func(r *gen.OperateEventsRequest) { r.OperateEventList = nil }, "operate_event_list"},
		{"no events (empty)", func(r *gen.OperateEventsRequest) { r.OperateEventList = []gen.OperateEvent{} }, "operate_event_list"},
		{"event_class_id empty", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].EventClassId = "" }, ev0 + "event_class_id"},
		{"event_id empty", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].EventId = "" }, ev0 + "event_id"},
		{"event_id too long", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].EventId = runes("é", 65) }, ev0 + "event_id"},
		{"occur_time negative", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].OccurTime = -1 }, ev0 + "occur_time"},
		{"detail list nil", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].OperateDetailList = nil }, ev0 + "operate_detail_list"},
		{"second event bad", func(r *gen.OperateEventsRequest) {
			second := r.OperateEventList[0]
			second.EventId = ""
			r.OperateEventList = append(r.OperateEventList, second)
		}, "operate_event_list[1].event_id"},
		{"agent_id too long", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList[0].AgentId = Ptr(runes("a", 65))
		}, d0 + "agent_id"},
		{"process_pid negative", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList[0].ProcessPid = Ptr(int32(-1))
		}, d0 + "process_pid"},
		{"file_hash empty", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].OperateDetailList[0].FileHash = Ptr("") }, d0 + "file_hash"},
		{"file_path too long", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList[0].FilePath = Ptr(runes("/", 257))
		}, d0 + "file_path"},
		{"file_attr empty", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].OperateDetailList[0].FileAttr = Ptr("") }, d0 + "file_attr"},
		{"keyword too long", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList[0].Keyword = Ptr(runes("k", 257))
		}, d0 + "keyword"},
		{"hash empty", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].OperateDetailList[0].Hash = Ptr("") }, d0 + "hash"},
		{"private_ip too long", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList[0].PrivateIp = Ptr(runes("1", 129))
		}, d0 + "private_ip"},
		{"login_ip too long", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList[0].LoginIp = Ptr(runes("ł", 257))
		}, d0 + "login_ip"},
		{"login_user_name empty", func(r *gen.OperateEventsRequest) { r.OperateEventList[0].OperateDetailList[0].LoginUserName = Ptr("") }, d0 + "login_user_name"},
		{"second detail bad", func(r *gen.OperateEventsRequest) {
			r.OperateEventList[0].OperateDetailList = append(r.OperateEventList[0].OperateDetailList, gen.EventDetail{Keyword: Ptr("")})
		}, ev0 + "operate_detail_list[1].keyword"},

		// hss-api.md decision 8: the details each operate type needs.
		{"isolate without pid", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.IsolateAndKill
			r.OperateEventList[0].OperateDetailList[0].ProcessPid = nil
		}, d0 + "process_pid"},
		{"undo isolation with a negative pid", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.DoNotIsolateOrKill
			r.OperateEventList[0].OperateDetailList[0].ProcessPid = Ptr(int32(-1))
		}, d0 + "process_pid"},
		{"alarm whitelist without details", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.AddToAlarmWhitelist
			r.OperateEventList[0].OperateDetailList = []gen.EventDetail{}
		}, ev0 + "operate_detail_list"},
		{"alarm whitelist with nil details", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.RemoveFromAlarmWhitelist
			r.OperateEventList[0].OperateDetailList = nil
		}, ev0 + "operate_detail_list"},
		{"alarm whitelist without keyword", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.AddToAlarmWhitelist
			r.OperateEventList[0].OperateDetailList[0].Keyword = nil
		}, d0 + "keyword"},
		{"alarm whitelist without hash", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.RemoveFromAlarmWhitelist
			r.OperateEventList[0].OperateDetailList[0].Hash = nil
		}, d0 + "hash"},
		{"alarm whitelist, second entry empty", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.AddToAlarmWhitelist
			r.OperateEventList[0].OperateDetailList = append(r.OperateEventList[0].OperateDetailList, gen.EventDetail{})
		}, ev0 + "operate_detail_list[1].keyword"},
		{"login whitelist without details", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.AddToLoginWhitelist
			r.OperateEventList[0].OperateDetailList = []gen.EventDetail{}
		}, ev0 + "operate_detail_list"},
		{"login whitelist without login_ip", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.AddToLoginWhitelist
			r.OperateEventList[0].OperateDetailList[0].LoginIp = nil
		}, d0 + "login_ip"},
		{"login whitelist without private_ip", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.RemoveFromLoginWhitelist
			r.OperateEventList[0].OperateDetailList[0].PrivateIp = nil
		}, d0 + "private_ip"},
		{"login whitelist without login_user_name", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.AddToLoginWhitelist
			r.OperateEventList[0].OperateDetailList[0].LoginUserName = nil
		}, d0 + "login_user_name"},
		{"isolate without details", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.IsolateAndKill
			r.OperateEventList[0].OperateDetailList = []gen.EventDetail{}
		}, ev0 + "operate_detail_list"},
		{"isolate without agent_id", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.IsolateAndKill
			r.OperateEventList[0].OperateDetailList[0].AgentId = nil
		}, d0 + "agent_id"},
		{"isolate without file_hash", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.DoNotIsolateOrKill
			r.OperateEventList[0].OperateDetailList[0].FileHash = nil
		}, d0 + "file_hash"},
		{"isolate without file_path", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.IsolateAndKill
			r.OperateEventList[0].OperateDetailList[0].FilePath = nil
		}, d0 + "file_path"},
		{"isolate without process_pid", func(r *gen.OperateEventsRequest) {
			r.OperateType = gen.IsolateAndKill
			r.OperateEventList[0].OperateDetailList[0].ProcessPid = nil
		}, d0 + "process_pid"},

		// hss-api.md decision 9: whitelist rules.
		{"white rule field_key empty", func(r *gen.OperateEventsRequest) { (*r.EventWhiteRuleList)[0].FieldKey = "" }, "event_white_rule_list[0].field_key"},
		{"white rule field_value empty", func(r *gen.OperateEventsRequest) { (*r.EventWhiteRuleList)[0].FieldValue = "" }, "event_white_rule_list[0].field_value"},
		{"white rule judge_type missing", func(r *gen.OperateEventsRequest) { (*r.EventWhiteRuleList)[0].JudgeType = "" }, "event_white_rule_list[0].judge_type"},
		{"white rule judge_type unknown", func(r *gen.OperateEventsRequest) { (*r.EventWhiteRuleList)[0].JudgeType = "regex" }, "event_white_rule_list[0].judge_type"},
		{"second white rule bad", func(r *gen.OperateEventsRequest) {
			*r.EventWhiteRuleList = append(*r.EventWhiteRuleList, gen.EventWhiteRule{FieldKey: "k", FieldValue: "v"})
		}, "event_white_rule_list[1].judge_type"},
		// A pointer to a nil list would go out as null, which the spec refuses.
		{"white rules a nil list", func(r *gen.OperateEventsRequest) { *r.EventWhiteRuleList = nil }, "event_white_rule_list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := withWhiteRules()
			if err := checkOperateRequest(&r); err != nil {
				t.Fatalf("base request refused: %v", err)
			}
			tt.edit(&r)
			wantField(t, checkOperateRequest(&r), tt.field)
		})
	}
}

func TestCheckHandleParams(t *testing.T) {
	good := []gen.HandleEventsParams{
		{},
		{EnterpriseProjectId: Ptr("0"), ContainerName: Ptr("?&= "), ContainerId: Ptr(runes("x", 5000)), Region: Ptr("ap-southeast-1")},
		{EnterpriseProjectId: Ptr(runes("é", 256))},
	}
	for _, p := range good {
		if err := checkHandleParams(&p); err != nil {
			t.Errorf("checkHandleParams(%+v): %v", p, err)
		}
	}
	wantField(t, checkHandleParams(&gen.HandleEventsParams{EnterpriseProjectId: Ptr("")}), "enterprise_project_id")
	wantField(t, checkHandleParams(&gen.HandleEventsParams{EnterpriseProjectId: Ptr(runes("é", 257))}), "enterprise_project_id")
	wantField(t, checkHandleParams(&gen.HandleEventsParams{ContainerName: Ptr("")}), "container_name")
	wantField(t, checkHandleParams(&gen.HandleEventsParams{ContainerId: Ptr("")}), "container_id")
	// Spaces alone arrive as an empty header, which the spec refuses.
	wantField(t, checkHandleParams(&gen.HandleEventsParams{Region: Ptr("  ")}), "region")
	wantField(t, checkHandleParams(&gen.HandleEventsParams{Region: Ptr(" \t ")}), "region")
}

func TestCheckPathIDs(t *testing.T) {
	for _, id := range []string{".", "..", "a/b", "/", "a/"} {
		wantField(t, checkPathID("task_id", id), "task_id")
		wantField(t, checkProjectID(id), "project_id")
	}
	for _, id := range []string{"...", ".a", "a.."} {
		if err := checkPathID("file_id", id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
	}
}

func TestCheckIDs(t *testing.T) {
	if err := checkProjectID(runes("項", 256)); err != nil {
		t.Errorf("256-character project id: %v", err)
	}
	wantField(t, checkProjectID(""), "project_id")
	wantField(t, checkProjectID(runes("項", 257)), "project_id")
	for _, field := range []string{"task_id", "file_id"} {
		if err := checkID(field, "abc"); err != nil {
			t.Errorf("checkID(%s): %v", field, err)
		}
		wantField(t, checkID(field, ""), field)
		wantField(t, checkID(field, runes("x", 257)), field)
	}
}

// TestValidationErrorHidesFreeText checks that reasons never repeat free
// text, and quote only short enum values.
func TestValidationErrorHidesFreeText(t *testing.T) {
	secret := "hunter2-" + runes("s", 300)
	p := validExport()
	p.HostName = Ptr(secret)
	r := seedOperate()
	r.OperateEventList[0].OperateDetailList[0].Keyword = Ptr(secret)
	long := validExport()
	long.Category = gen.EventCategory(secret)
	for _, err := range []error{checkExportParams(&p), checkOperateRequest(&r), checkExportParams(&long)} {
		if err == nil {
			t.Fatal("accepted")
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error repeats the value: %q", err)
		}
	}
	short := validExport()
	short.Category = "hots"
	if err := checkExportParams(&short); err == nil || !strings.Contains(err.Error(), `"hots"`) || !strings.Contains(err.Error(), "host, container") {
		t.Errorf("enum error %v should quote the short value and list the valid ones", err)
	}
}

// BenchmarkCheckExport measures the checks of a fully populated export,
// beside encoding the same request as a baseline.
func BenchmarkCheckExport(b *testing.B) {
	p := fullExport()
	cols := gen.ExportColumns{{"event_name", "Alarm name"}, {"event_type", "Event type"}, {"severity", "Risk level"},
		{"host_name", "Server name"}, {"private_ip", "Server IP address"}, {"occur_time", "Occurred"}, {"handle_status", "Status"}}
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := checkExportParams(&p); err != nil {
				b.Fatal(err)
			}
			if err := checkExportColumns(cols); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline=encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gen.NewExportEventsRequest("https://hss.example.com", "p", &p, cols); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckOperate measures the checks of the seed's request with 10
// events and a whitelist rule, beside encoding it as a baseline.
func BenchmarkCheckOperate(b *testing.B) {
	r := withWhiteRules()
	for range 9 {
		r.OperateEventList = append(r.OperateEventList, r.OperateEventList[0])
	}
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := checkOperateRequest(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline=json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCheckAllocs pins the benchmarks' promise: the success path allocates
// nothing.
func TestCheckAllocs(t *testing.T) {
	p := fullExport()
	r := withWhiteRules()
	h := gen.HandleEventsParams{EnterpriseProjectId: Ptr("0")}
	cols := gen.ExportColumns{{"event_name", "Alarm name"}}
	n := testing.AllocsPerRun(100, func() {
		if checkExportParams(&p) != nil || checkExportColumns(cols) != nil || checkOperateRequest(&r) != nil ||
			checkHandleParams(&h) != nil || checkProjectID("p") != nil || checkID("task_id", "t") != nil {
			panic("refused")
		}
	})
	if n != 0 {
		t.Errorf("checks allocate %v times on success, want 0", n)
	}
}

// The spec walk: every bound api/openapi.yaml states must be enforced by the
// checks, on the right field, and nothing the spec allows refused. When the
// spec gains a bound, a parameter or a property, this test fails until the
// checks follow.

// setJSONField sets the field of the struct target points to whose JSON
// name is name, to v (a string or an int64), allocating a pointer for
// optional fields; a slice field gets v as its one item. It reports whether the struct has such a field.
func setJSONField(target any, name string, v any) bool {
	s := reflect.ValueOf(target).Elem()
	for i := range s.NumField() {
		tag, _, _ := strings.Cut(s.Type().Field(i).Tag.Get("json"), ",")
		if tag != name {
			continue
		}
		f := s.Field(i)
		if f.Kind() == reflect.Pointer {
			f.Set(reflect.New(f.Type().Elem()))
			f = f.Elem()
		}
		if f.Kind() == reflect.Slice { // an array parameter: one item
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			f = f.Index(0)
		}
		switch x := v.(type) {
		case string:
			f.SetString(x)
		case int64:
			if f.OverflowInt(x) {
				panic(fmt.Sprintf("%d overflows %s", x, name))
			}
			f.SetInt(x)
		}
		return true
	}
	return false
}

// boundCase is one value tried on one parameter or property.
type boundCase struct {
	v      any
	refuse bool // whether the check must refuse it, naming the field
	why    string
}

// boundCases returns the values that probe schema s: at and beyond each
// stated bound, and values no bound forbids.
func boundCases(s *openapi3.Schema) []boundCase {
	var cs []boundCase
	switch {
	case s.Type.Is("string") && len(s.Enum) > 0:
		for _, e := range s.Enum {
			cs = append(cs, boundCase{e.(string), false, "enum member"})
		}
		cs = append(cs, boundCase{"not-a-member", true, "enum"})
	case s.Type.Is("string"):
		if s.MinLength >= 1 {
			cs = append(cs, boundCase{"", true, "minLength"})
		} else {
			cs = append(cs, boundCase{"", false, "no minLength"})
		}
		if s.MaxLength != nil {
			n := int(*s.MaxLength)
			cs = append(cs,
				boundCase{runes("é", n), false, "maxLength in characters"},
				boundCase{runes("a", n), false, "maxLength"},
				boundCase{runes("é", n+1), true, "maxLength"},
				boundCase{runes("a", n+1), true, "maxLength"})
		} else {
			cs = append(cs, boundCase{runes("x", 10000), false, "no maxLength"})
		}
	case s.Type.Is("integer"):
		if s.Min != nil {
			cs = append(cs, boundCase{int64(*s.Min), false, "minimum"}, boundCase{int64(*s.Min) - 1, true, "minimum"})
		} else {
			cs = append(cs, boundCase{int64(-1), false, "no minimum"})
		}
		if s.Max != nil {
			cs = append(cs, boundCase{int64(*s.Max), false, "maximum"})
			// The Go type may not hold Max+1 (process_pid: int32).
		}
	}
	return cs
}

// paramCheck returns a function that checks operation op with parameter
// name set to v, or nil when there is no such parameter in Go.
func paramCheck(op, in, name string, v any) func() error {
	switch {
	case name == "project_id":
		s, _ := v.(string)
		return func() error { return checkProjectID(s) }
	case in == "path":
		s, _ := v.(string)
		return func() error { return checkPathID(name, s) }
	case op == "ShowExportTask", op == "DownloadExportedFile":
		// The enterprise_project_id of the two GETs is checked with
		// checkID (see export.go).
		s, _ := v.(string)
		return func() error { return checkID(name, s) }
	case op == "ExportEvents":
		p := validExport()
		if !setJSONField(&p, name, v) {
			return nil
		}
		// begin_time and end_time come together (decision 4): give the
		// other one the same value, or 0 when v is out of range.
		other := map[string]string{"begin_time": "end_time", "end_time": "begin_time"}[name]
		if n, ok := v.(int64); ok && other != "" {
			setJSONField(&p, other, max(n, 0))
		}
		return func() error { return checkExportParams(&p) }
	case op == "HandleEvents":
		p := gen.HandleEventsParams{}
		if !setJSONField(&p, name, v) {
			return nil
		}
		return func() error { return checkHandleParams(&p) }
	}
	return nil
}

// deliberate lists the values the checks refuse although the spec allows
// them, and why.
var deliberate = map[string]string{
	"ExportEvents last_days": "decision 4: at least 1 day (see checkExportParams)",
}

func TestCheckSpecParameters(t *testing.T) {
	sw, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for path, item := range sw.Paths.Map() {
		for _, op := range item.Operations() {
			for _, pref := range op.Parameters {
				p := pref.Value
				s := p.Schema.Value
				if s.Type.Is("array") {
					s = s.Items.Value // items of an exploded form array
				}
				// OpenAPI 3.0: a query parameter refuses an empty value
				// ("name=") unless it sets allowEmptyValue.
				emptyRefused := p.In == "query" && !p.AllowEmptyValue
				if emptyRefused && p.Schema.Value.Type.Is("array") && op.OperationID == "ExportEvents" {
					// An empty list goes out as "name=" too.
					q := validExport()
					if !setJSONSlice(&q, p.Name, true) {
						t.Errorf("%s: array parameter %s has no Go field", op.OperationID, p.Name)
					}
					checked++
					var ve *ValidationError
					if err := checkExportParams(&q); !errors.As(err, &ve) || ve.Field != p.Name {
						t.Errorf("%s %s: an empty list passed or named another field: %v", op.OperationID, p.Name, err)
					}
				}
				for _, c := range boundCases(s) {
					if v, ok := c.v.(string); ok && v == "" && emptyRefused {
						c.refuse, c.why = true, "empty query value"
					}
					check := paramCheck(op.OperationID, p.In, p.Name, c.v)
					if check == nil {
						if p.In == "header" || s.Type.Is("array") {
							continue
						}
						t.Errorf("%s %s: parameter %s has no Go field", op.OperationID, path, p.Name)
						break
					}
					checked++
					err := check()
					switch {
					case c.refuse:
						field := p.Name
						if p.Schema.Value.Type.Is("array") {
							field += "[0]"
						}
						var ve *ValidationError
						if !errors.As(err, &ve) || ve.Field != field {
							t.Errorf("%s %s (%s): a value past the bound passed or named another field: %v", op.OperationID, p.Name, c.why, err)
						}
					case err != nil && deliberate[op.OperationID+" "+p.Name] == "":
						t.Errorf("%s %s (%s): a value the spec allows was refused: %v", op.OperationID, p.Name, c.why, err)
					}
				}
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d parameter cases checked: the walk lost its way", checked)
	}
}

// setJSONSlice sets the slice field of target whose JSON name is name to
// an empty (not nil) slice, or to nil when empty is false.
func setJSONSlice(target any, name string, empty bool) bool {
	s := reflect.ValueOf(target).Elem()
	for i := range s.NumField() {
		tag, _, _ := strings.Cut(s.Type().Field(i).Tag.Get("json"), ",")
		if tag != name {
			continue
		}
		f := s.Field(i)
		if !empty {
			f.SetZero()
			return true
		}
		if f.Kind() == reflect.Pointer {
			f.Set(reflect.New(f.Type().Elem()))
			f = f.Elem()
		}
		f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		return true
	}
	return false
}

// TestCheckSpecBodies walks the request schemas of HandleEvents the way
// TestCheckSpecParameters walks the parameters.
func TestCheckSpecBodies(t *testing.T) {
	sw, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	targets := []struct {
		schema string
		prefix string // the field path of the object in the request
		pick   func(r *gen.OperateEventsRequest) any
	}{
		{"OperateEventsRequest", "", func(r *gen.OperateEventsRequest) any { return r }},
		{"OperateEvent", "operate_event_list[0].", func(r *gen.OperateEventsRequest) any { return &r.OperateEventList[0] }},
		{"EventDetail", "operate_event_list[0].operate_detail_list[0].", func(r *gen.OperateEventsRequest) any {
			return &r.OperateEventList[0].OperateDetailList[0]
		}},
		{"EventWhiteRule", "event_white_rule_list[0].", func(r *gen.OperateEventsRequest) any { return &(*r.EventWhiteRuleList)[0] }},
	}
	walked := map[string]bool{"ExportColumns": true, "ExportColumn": true} // TestCheckSpecColumns
	checked := 0
	for _, tg := range targets {
		walked[tg.schema] = true
		ref := sw.Components.Schemas[tg.schema]
		if ref == nil {
			t.Fatalf("no schema %s in the spec", tg.schema)
		}
		required := map[string]bool{}
		for _, name := range ref.Value.Required {
			required[name] = true
		}
		for name, prop := range ref.Value.Properties {
			s := prop.Value
			field := tg.prefix + name
			try := func(why string, refuse bool, set func(target any) bool) {
				t.Helper()
				r := withWhiteRules()
				if !set(tg.pick(&r)) {
					t.Errorf("%s.%s has no Go field", tg.schema, name)
					return
				}
				checked++
				err := checkOperateRequest(&r)
				var ve *ValidationError
				switch {
				case refuse && (!errors.As(err, &ve) || ve.Field != field):
					t.Errorf("%s (%s): a value past the bound passed or named another field: %v", field, why, err)
				case !refuse && err != nil:
					t.Errorf("%s (%s): a value the spec allows was refused: %v", field, why, err)
				}
			}
			if s.Type.Is("array") {
				if required[name] {
					try("required", true, func(x any) bool { return setJSONSlice(x, name, false) })
				}
				try("minItems", s.MinItems >= 1, func(x any) bool { return setJSONSlice(x, name, true) })
				continue
			}
			for _, c := range boundCases(s) {
				try(c.why, c.refuse, func(x any) bool { return setJSONField(x, name, c.v) })
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d property cases checked: the walk lost its way", checked)
	}

	// Every object or array schema with a bound is a request schema walked
	// here, or a response schema (which the client does not check).
	responses := map[string]bool{"ExportEventsResult": true, "ExportTask": true, "Error": true}
	for name, ref := range sw.Components.Schemas {
		if len(ref.Value.Enum) > 0 || walked[name] || responses[name] {
			continue
		}
		t.Errorf("schema %s is neither walked by this test nor a known response: add it", name)
	}
}

// TestCheckSpecColumns walks the ExportColumns and ExportColumn schemas.
func TestCheckSpecColumns(t *testing.T) {
	sw, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	list := sw.Components.Schemas["ExportColumns"].Value
	col := sw.Components.Schemas["ExportColumn"].Value
	item := col.Items.Value
	if list.MinItems != 1 || col.MinItems != 2 || col.MaxItems == nil || *col.MaxItems != 2 || item.MinLength != 1 {
		t.Fatalf("the spec's column bounds changed (minItems %d, %d..%v, item minLength %d): update checkExportColumns and this test",
			list.MinItems, col.MinItems, col.MaxItems, item.MinLength)
	}
	pair := func(n int) gen.ExportColumn {
		c := make(gen.ExportColumn, n)
		for i := range c {
			c[i] = "f"
		}
		return c
	}
	wantField(t, checkExportColumns(make(gen.ExportColumns, list.MinItems-1)), "columns")
	wantField(t, checkExportColumns(gen.ExportColumns{pair(int(col.MinItems) - 1)}), "columns[0]")
	wantField(t, checkExportColumns(gen.ExportColumns{pair(int(*col.MaxItems) + 1)}), "columns[0]")
	wantField(t, checkExportColumns(gen.ExportColumns{{"f", ""}}), "columns[0][1]")
	if item.MaxLength == nil {
		if err := checkExportColumns(gen.ExportColumns{{"f", runes("t", 10000)}}); err != nil {
			t.Errorf("no maxLength in the spec, but a long title was refused: %v", err)
		}
	}
}

// TestCheckSpecExamples checks that the spec's own request examples pass.
func TestCheckSpecExamples(t *testing.T) {
	sw, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	decode := func(v, into any) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("example %s: %v", b, err)
		}
	}
	for _, op := range []*openapi3.Operation{
		sw.Paths.Find("/v5/{project_id}/event/export").Post,
		sw.Paths.Find("/v5/{project_id}/event/operate").Post,
	} {
		ex := op.RequestBody.Value.Content.Get("application/json").Example
		if ex == nil {
			t.Fatalf("%s: no request example", op.OperationID)
		}
		switch op.OperationID {
		case "ExportEvents":
			var cols gen.ExportColumns
			decode(ex, &cols)
			if err := checkExportColumns(cols); err != nil {
				t.Errorf("ExportEvents example: %v", err)
			}
		case "HandleEvents":
			var r gen.OperateEventsRequest
			decode(ex, &r)
			if err := checkOperateRequest(&r); err != nil {
				t.Errorf("HandleEvents example: %v", err)
			}
			if got := *r.OperateEventList[0].OperateDetailList[0].FileAttr; got != "33261" {
				t.Errorf("example file_attr = %q", got)
			}
		}
	}
	var rule gen.EventWhiteRule
	decode(sw.Components.Schemas["EventWhiteRule"].Value.Example, &rule)
	r := seedOperate()
	r.EventWhiteRuleList = &[]gen.EventWhiteRule{rule}
	if err := checkOperateRequest(&r); err != nil {
		t.Errorf("EventWhiteRule example: %v", err)
	}
}

// TestKnownValuesInTheSpec: the constants of the open sets (attack tags,
// asset values, ATT&CK phases) are the known values the spec lists.
func TestKnownValuesInTheSpec(t *testing.T) {
	sw, err := gen.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	op := sw.Paths.Find("/v5/{project_id}/event/export").Post
	for param, values := range map[string][]string{
		"attack_tag":  {AttackSuccess, AttackAttempt, AttackBlocked, AbnormalBehavior, CollapsibleHost, SystemVulnerability},
		"asset_value": {AssetImportant, AssetCommon, AssetTest},
		"att_ck": {AttCKReconnaissance, AttCKInitialAccess, AttCKExecution, AttCKPersistence, AttCKPrivilegeEscalation,
			AttCKDefenseEvasion, AttCKCredentialAccess, AttCKCommandAndControl, AttCKImpact},
	} {
		p := op.Parameters.GetByInAndName("query", param)
		if p == nil {
			t.Fatalf("no parameter %s", param)
		}
		for _, v := range values {
			if !strings.Contains(p.Description, "`"+v+"`") {
				t.Errorf("%s: %q is not among the known values of the spec: %s", param, v, p.Description)
			}
		}
	}
}
