package interop

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/openhss/hss-go/hss"
)

// gen makes random, valid requests from a seed, so that a failure can be
// replayed. Strings mix plain ASCII, the characters that URL and JSON
// encodings treat specially, and multi-byte UTF-8; bounded strings are
// sometimes exactly as long as the spec allows, in characters.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))} }

// The alphabets strings are drawn from.
var (
	plainRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
	// Every ASCII punctuation mark, space included: the reserved characters
	// of RFC 3986 (+ & = ? # / ; , ...), '%', and what JSON escapes for HTML.
	specialRunes = []rune(" !\"#$%&'()*+,/:;<=>?@[\\]^`{|}")
	// Two-, three- and four-byte UTF-8, a non-breaking space, and U+2028,
	// which encoding/json always escapes.
	wideRunes = []rune("éüßΩЖ中文日本語한🙂🚀\u00a0\u2028")
)

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// text returns 1 to max characters (max 0: up to 40), exactly max one time
// in five.
func (g *gen) text(max int) string {
	limit := max
	if limit == 0 {
		limit = 40
	}
	n := 1 + g.r.IntN(min(limit, 40))
	if max > 0 && g.chance(0.2) {
		n = max
	}
	var b strings.Builder
	for range n {
		switch k := g.r.IntN(10); {
		case k < 5:
			b.WriteRune(pick(g, plainRunes))
		case k < 8:
			b.WriteRune(pick(g, specialRunes))
		default:
			b.WriteRune(pick(g, wideRunes))
		}
	}
	return b.String()
}

// ptext is text as an optional field, present with probability p.
func (g *gen) ptext(p float64, max int) *string {
	if !g.chance(p) {
		return nil
	}
	return hss.Ptr(g.text(max))
}

// list returns 1 to 4 values of f, with a value repeated now and then.
func list[T any](g *gen, f func() T) *[]T {
	out := make([]T, 1+g.r.IntN(4))
	for i := range out {
		if i > 0 && g.chance(0.2) {
			out[i] = out[i-1]
			continue
		}
		out[i] = f()
	}
	return &out
}

var (
	eventTypes = []int32{
		hss.EventMalware, hss.EventRootkit, hss.EventWebshell, hss.EventReverseShell,
		hss.EventRedisExploit, hss.EventKeyFileChange, hss.EventHighRiskCommand,
		hss.EventBruteForce, hss.EventAbnormalLogin, hss.EventPortScan,
		hss.EventAbnormalPod, hss.EventAdvancedThreat,
		99999, // the set is open: a type unknown today must go through
	}
	eventClassIDs = []string{"rootkit_0001", "login_0001", "av_1002", "k8s_1001", "hips_0001", "new_class_9999"}
	severities    = []hss.Severity{hss.SeveritySecurity, hss.SeverityLow, hss.SeverityMedium, hss.SeverityHigh, hss.SeverityCritical}
	attackTags    = []string{hss.AttackSuccess, hss.AttackAttempt, hss.AttackBlocked, hss.AbnormalBehavior, hss.CollapsibleHost, hss.SystemVulnerability, "tag_from_the_future"}
	assetValues   = []string{hss.AssetImportant, hss.AssetCommon, hss.AssetTest}
	attCks        = []string{"Reconnaissance", "Initial Access", "Execution", "Persistence", "Privilege Escalation", "Defense Evasion", "Credential Access", "Command and Control", "Impact"}
	columnFields  = []string{"event_name", "event_type", "severity", "host_name", "private_ip", "occur_time", "handle_status", "event_class_id"}
	fieldKeys     = []string{hss.FieldFileOrProcessHash, hss.FieldFilePath, hss.FieldProcessPath, hss.FieldLoginIP, hss.FieldRegKey, hss.FieldProcessCmdline, hss.FieldUsername}
	operateTypes  = []hss.OperateType{
		hss.MarkAsHandled, hss.Unhandle, hss.Ignore, hss.DoNotIgnore,
		hss.AddToAlarmWhitelist, hss.RemoveFromAlarmWhitelist,
		hss.AddToLoginWhitelist, hss.RemoveFromLoginWhitelist,
		hss.IsolateAndKill, hss.DoNotIsolateOrKill,
	}
)

// exportRequest returns random export filters (each optional one present
// with probability 0.4, the time range in one of its three shapes) and
// 1 to 8 columns.
func (g *gen) exportRequest() (hss.ExportEventsParams, hss.ExportColumns) {
	const p = 0.4
	category := hss.CategoryHost
	if g.chance(0.5) {
		category = hss.CategoryContainer
	}
	ps := hss.ExportEventsParams{
		Category:            category,
		EventId:             g.text(128),
		EnterpriseProjectId: g.ptext(p, 256),
		HostName:            g.ptext(p, 64),
		HostId:              g.ptext(p, 256),
		PrivateIp:           g.ptext(p, 128),
		ContainerName:       g.ptext(p, 512),
		EventName:           g.ptext(p, 128),
		ClusterId:           g.ptext(p, 64),
		PublicIp:            g.ptext(p, 128),
	}
	if g.chance(p) {
		ps.Offset = hss.Ptr(g.r.Int32N(10000))
	}
	if g.chance(p) {
		ps.Limit = hss.Ptr(1 + g.r.Int32N(200))
	}
	if g.chance(p) {
		ps.ExportSize = hss.Ptr(1 + g.r.Int32N(200000))
	}
	if g.chance(p) {
		ps.EventType = hss.Ptr(pick(g, eventTypes))
	}
	if g.chance(p) {
		ps.EventTypes = list(g, func() int32 { return pick(g, eventTypes) })
	}
	if g.chance(p) {
		ps.HandleStatus = hss.Ptr(pick(g, []hss.HandleStatus{hss.Unhandled, hss.Handled}))
	}
	if g.chance(p) {
		ps.Severity = hss.Ptr(pick(g, severities))
	}
	if g.chance(p) {
		ps.SeverityList = list(g, func() hss.Severity { return pick(g, severities) })
	}
	if g.chance(p) {
		ps.EventClassIds = list(g, func() string { return g.listItem(eventClassIDs) })
	}
	if g.chance(p) {
		ps.TagList = list(g, func() string { return g.listItem(nil) })
	}
	if g.chance(p) {
		ps.EventIdList = list(g, func() string { return g.listItem(nil) })
	}
	if g.chance(p) {
		ps.AttackTag = hss.Ptr(pick(g, attackTags))
	}
	if g.chance(p) {
		ps.AssetValue = hss.Ptr(pick(g, assetValues))
	}
	if g.chance(p) {
		ps.AttCk = hss.Ptr(pick(g, attCks))
	}
	if g.chance(p) {
		ps.AutoBlock = hss.Ptr(g.chance(0.5))
	}
	switch g.r.IntN(3) {
	case 1:
		ps.LastDays = hss.Ptr(1 + g.r.Int32N(30))
	case 2:
		now := time.Now().UnixMilli()
		begin := now - g.r.Int64N(30*24*3600*1000)
		ps.BeginTime = &begin
		ps.EndTime = hss.Ptr(begin + g.r.Int64N(2*24*3600*1000+1))
	}
	cols := make(hss.ExportColumns, 1+g.r.IntN(8))
	for i := range cols {
		field := pick(g, columnFields)
		if g.chance(0.2) {
			field = g.text(0)
		}
		cols[i] = hss.ExportColumn{field, g.text(0)}
	}
	return ps, cols
}

// listItem is a known value or random text. Never empty: the spec refuses
// an empty query value (the decision next to event_types).
func (g *gen) listItem(known []string) string {
	switch k := g.r.IntN(10); {
	case k < 4 && known != nil:
		return pick(g, known)
	default:
		return g.text(0)
	}
}

// operateRequest returns a random operate request: a random type, 1 to 4
// events with the details that type needs (and random optional ones), an
// optional handler and whitelist rules, and random query and header
// parameters (nil one time in four).
func (g *gen) operateRequest() (hss.OperateEventsRequest, *hss.HandleEventsParams) {
	t := pick(g, operateTypes)
	req := hss.OperateEventsRequest{OperateType: t, Handler: g.ptext(0.5, 256)}
	req.OperateEventList = make([]hss.OperateEvent, 1+g.r.IntN(4))
	for i := range req.OperateEventList {
		ev := hss.OperateEvent{
			EventClassId:      g.listItem(eventClassIDs),
			EventId:           g.text(64),
			EventType:         pick(g, eventTypes),
			OccurTime:         g.occurTime(),
			OperateDetailList: []hss.EventDetail{},
		}
		if ev.EventClassId == "" {
			ev.EventClassId = "rootkit_0001" // required, at least one character
		}
		n := g.r.IntN(3)
		if needsDetails(t) {
			n++
		}
		for range n {
			ev.OperateDetailList = append(ev.OperateDetailList, g.detail(t))
		}
		req.OperateEventList[i] = ev
	}
	if g.chance(0.3) {
		rules := make([]hss.EventWhiteRule, 1+g.r.IntN(3))
		for i := range rules {
			key := pick(g, fieldKeys)
			if g.chance(0.1) {
				key = g.text(0) // an open set
			}
			rules[i] = hss.EventWhiteRule{
				EventType:  pick(g, eventTypes),
				FieldKey:   key,
				FieldValue: g.text(0),
				JudgeType:  pick(g, []hss.JudgeType{hss.JudgeEqual, hss.JudgeContain}),
			}
		}
		req.EventWhiteRuleList = &rules
	}
	if g.chance(0.25) {
		return req, nil
	}
	params := &hss.HandleEventsParams{
		EnterpriseProjectId: g.ptext(0.4, 256),
		ContainerName:       g.ptext(0.4, 0),
		ContainerId:         g.ptext(0.4, 0),
	}
	if g.chance(0.3) {
		params.Region = hss.Ptr(Region)
	}
	return req, params
}

func needsDetails(t hss.OperateType) bool {
	switch t {
	case hss.AddToAlarmWhitelist, hss.RemoveFromAlarmWhitelist,
		hss.AddToLoginWhitelist, hss.RemoveFromLoginWhitelist,
		hss.IsolateAndKill, hss.DoNotIsolateOrKill:
		return true
	}
	return false
}

// detail returns the details operate type t needs, plus random optional
// ones (each with probability 0.3).
func (g *gen) detail(t hss.OperateType) hss.EventDetail {
	const p = 0.3
	d := hss.EventDetail{
		AgentId:       g.ptext(p, 64),
		FileHash:      g.ptext(p, 256),
		FilePath:      g.ptext(p, 256),
		FileAttr:      g.ptext(p, 256),
		Keyword:       g.ptext(p, 256),
		Hash:          g.ptext(p, 256),
		PrivateIp:     g.ptext(p, 128),
		LoginIp:       g.ptext(p, 256),
		LoginUserName: g.ptext(p, 256),
		ContainerId:   g.ptext(p, 0),
		ContainerName: g.ptext(p, 0),
	}
	if g.chance(p) {
		d.ProcessPid = hss.Ptr(g.pid())
	}
	if g.chance(0.5) && d.FileAttr != nil {
		d.FileAttr = hss.Ptr("33261") // the seed's example, as the string the table says
	}
	switch t {
	case hss.AddToAlarmWhitelist, hss.RemoveFromAlarmWhitelist:
		d.Keyword = hss.Ptr("file_path=" + g.text(200))
		d.Hash = hss.Ptr(g.text(256))
	case hss.AddToLoginWhitelist, hss.RemoveFromLoginWhitelist:
		d.LoginIp = hss.Ptr(g.text(256))
		d.PrivateIp = hss.Ptr(g.text(128))
		d.LoginUserName = hss.Ptr(g.text(256))
	case hss.IsolateAndKill, hss.DoNotIsolateOrKill:
		d.AgentId = hss.Ptr(g.text(64))
		d.FileHash = hss.Ptr(g.text(256))
		d.FilePath = hss.Ptr("/" + g.text(255))
		d.ProcessPid = hss.Ptr(g.pid()) // 0 too: an alarm about a file names no process
	}
	return d
}

// pid is 0, 1, the int32 maximum, or anything between.
func (g *gen) pid() int32 {
	switch g.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return 1<<31 - 1
	}
	return g.r.Int32N(1 << 22)
}

// occurTime is a recent millisecond timestamp, 0, or a number beyond 2^53,
// which a float64 cannot hold exactly.
func (g *gen) occurTime() int64 {
	switch g.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return 1<<62 + g.r.Int64N(1<<40)
	}
	return time.Now().UnixMilli() - g.r.Int64N(365*24*3600*1000)
}
