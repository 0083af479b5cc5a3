package hsstest

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openhss/hss-go/gen"
)

// Event is an intrusion event (alarm) held by the fake. Category, Severity
// and HandleStatus take the generated constants (gen.Host, gen.High,
// gen.Unhandled, or hss's re-exports) or plain strings.
type Event struct {
	// ID is the event id (operate's event_id, export's event_id_list).
	ID string
	// ClassID is the event class id, such as "rootkit_0001".
	ClassID string
	// Type is the event type, such as 1010 (rootkit).
	Type int32
	// Name is the alarm name.
	Name string
	// Category is host or container.
	Category gen.EventCategory
	// Severity is the risk level.
	Severity gen.Severity
	// HandleStatus is unhandled (the default) or handled: each operate
	// type that handles an alarm (mark_as_handled, ignore,
	// add_to_alarm_whitelist, add_to_login_whitelist, isolate_and_kill)
	// makes it handled, each of their undos unhandled.
	HandleStatus gen.HandleStatus
	// Handler is the remark (the request's handler) of the operation that
	// handled it.
	Handler string
	// Ignored is set by ignore and cleared by do_not_ignore.
	Ignored bool
	// AlarmWhitelisted is set by add_to_alarm_whitelist and cleared by
	// remove_from_alarm_whitelist.
	AlarmWhitelisted bool
	// LoginWhitelisted is set by add_to_login_whitelist and cleared by
	// remove_from_login_whitelist.
	LoginWhitelisted bool
	// Isolated is set by isolate_and_kill and cleared by do_not_isolate_or_kill.
	Isolated bool

	// HostName is the server name.
	HostName string
	// HostID is the server id.
	HostID string
	// PrivateIP is the server's private IP address.
	PrivateIP string
	// PublicIP is the server's elastic IP address.
	PublicIP string
	// ContainerName is the container instance name (container events).
	ContainerName string
	// ContainerID is the container id (container events).
	ContainerID string
	// ClusterID is the cluster id (container events).
	ClusterID string
	// EnterpriseProjectID is the enterprise project; "0" is the default one,
	// and the one of an event of Options.Events that names none. A call
	// without enterprise_project_id sees the default one only.
	EnterpriseProjectID string
	// AttackTag is the attack tag, such as attack_success.
	AttackTag string
	// AssetValue is the asset importance: important, common or test.
	AssetValue string
	// AttCK is the ATT&CK phase, such as "Initial Access".
	AttCK string
	// Tags are the event's tags (export's tag_list).
	Tags []string
	// AutoBlock says whether the alarm was blocked automatically.
	AutoBlock bool
	// OccurTime is when the event occurred, in milliseconds since 1970.
	OccurTime int64

	// AgentID is the id of the agent on the server.
	AgentID string
	// FileHash is the hash of the file involved.
	FileHash string
	// FilePath is the path of the file involved.
	FilePath string
	// FileAttr is the file's system attributes, such as "33261".
	FileAttr string
	// ProcessPID is the id of the process involved.
	ProcessPID int32
	// Keyword is the alarm keyword (alarm whitelist).
	Keyword string
	// Hash is the alarm hash (alarm whitelist).
	Hash string
	// LoginIP is the login source address (login events).
	LoginIP string
	// LoginUserName is the login user name (login events).
	LoginUserName string
}

// clone returns a copy of e that shares no slice with it.
func (e Event) clone() Event {
	e.Tags = slices.Clone(e.Tags)
	return e
}

// Field returns the value of e for an export column field, as the CSV
// cell holds it, and whether the field is known. Known fields: event_id,
// event_class_id, event_type, event_name, category, severity,
// handle_status, handler, host_name, host_id, private_ip (also host_ip),
// public_ip, container_name, container_id, cluster_id,
// enterprise_project_id, attack_tag, asset_value, att_ck, tag_list (tags
// joined by ","), auto_block ("true"/"false"), occur_time (milliseconds
// since 1970), agent_id, file_hash, file_path, file_attr, process_pid,
// keyword, hash, login_ip, login_user_name.
func (e Event) Field(name string) (string, bool) {
	switch name {
	case "event_id":
		return e.ID, true
	case "event_class_id":
		return e.ClassID, true
	case "event_type":
		return strconv.FormatInt(int64(e.Type), 10), true
	case "event_name":
		return e.Name, true
	case "category", "event_category":
		return string(e.Category), true
	case "severity":
		return string(e.Severity), true
	case "handle_status":
		return string(e.HandleStatus), true
	case "handler":
		return e.Handler, true
	case "host_name":
		return e.HostName, true
	case "host_id":
		return e.HostID, true
	case "private_ip", "host_ip":
		return e.PrivateIP, true
	case "public_ip":
		return e.PublicIP, true
	case "container_name":
		return e.ContainerName, true
	case "container_id":
		return e.ContainerID, true
	case "cluster_id":
		return e.ClusterID, true
	case "enterprise_project_id":
		return e.EnterpriseProjectID, true
	case "attack_tag":
		return e.AttackTag, true
	case "asset_value":
		return e.AssetValue, true
	case "att_ck":
		return e.AttCK, true
	case "tag_list":
		return strings.Join(e.Tags, ","), true
	case "auto_block":
		return strconv.FormatBool(e.AutoBlock), true
	case "occur_time":
		return strconv.FormatInt(e.OccurTime, 10), true
	case "agent_id":
		return e.AgentID, true
	case "file_hash":
		return e.FileHash, true
	case "file_path":
		return e.FilePath, true
	case "file_attr":
		return e.FileAttr, true
	case "process_pid":
		return strconv.FormatInt(int64(e.ProcessPID), 10), true
	case "keyword":
		return e.Keyword, true
	case "hash":
		return e.Hash, true
	case "login_ip":
		return e.LoginIP, true
	case "login_user_name":
		return e.LoginUserName, true
	}
	return "", false
}

// sortEvents orders events as the service lists them: newest first, then
// by id.
func sortEvents(events []Event) {
	slices.SortFunc(events, func(a, b Event) int {
		if c := cmp.Compare(b.OccurTime, a.OccurTime); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// Events returns a copy of the events, newest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	out := make([]Event, 0, len(s.events))
	for _, e := range s.events {
		out = append(out, e.clone())
	}
	s.mu.Unlock()
	sortEvents(out)
	return out
}

// Event returns a copy of the event with the given id.
func (s *Server) Event(id string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if !ok {
		return Event{}, false
	}
	return e.clone(), true
}

// hexID derives a stable 32-hex-digit id from a seed string.
func hexID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:16])
}

// sha256Hex is the hex SHA-256 of a seed string, a stand-in file hash.
func sha256Hex(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// uuidID derives a stable UUID-shaped id from a seed string.
func uuidID(seed string) string {
	h := hexID(seed)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// seedHost is a server of the seeded set.
type seedHost struct {
	name, privateIP, publicIP, ep, assetValue string
}

// The enterprise project of the seeded ops servers (the others are in "0").
const seedOpsEnterpriseProject = "5b8e7f0a-3c2d-4e1f-9a6b-7c8d9e0f1a2b"

// The seeded cluster's id.
const seedClusterID = "3c1f8a52-6d0e-11ef-9b7a-0255ac100041"

var seedHosts = map[string]seedHost{
	"web-01":      {"web-01", "192.168.0.11", "119.8.10.21", "0", "important"},
	"web-02":      {"web-02", "192.168.0.12", "119.8.10.22", "0", "common"},
	"db-01":       {"db-01", "192.168.1.21", "", "0", "important"},
	"bastion-01":  {"bastion-01", "192.168.2.5", "119.8.10.30", seedOpsEnterpriseProject, "important"},
	"build-01":    {"build-01", "192.168.3.8", "", seedOpsEnterpriseProject, "test"},
	"cce-node-01": {"cce-node-01", "192.168.10.4", "", "0", "important"},
	"cce-node-02": {"cce-node-02", "192.168.10.5", "", "0", "common"},
}

// SeedEvents returns the default event set, dated relative to now: 21
// events over the last six days on five servers and on five containers of
// one two-node cluster, with a spread of event types (rootkit, web shell, mining, reverse
// shell, high-risk command, brute force, abnormal login, abnormal pod, ...),
// severities, attack tags, asset values and ATT&CK phases; a few handled,
// one ignored. Its ids are stable across runs; its times move with now.
func SeedEvents(now time.Time) []Event {
	type seed struct {
		ago       time.Duration
		typ       int32
		class     string
		name      string
		host      string
		container string // container events only
		severity  gen.Severity
		attackTag string
		attck     string
		tags      []string
		handled   bool
		ignored   bool
		autoBlock bool
		filePath  string
		pid       int32
		loginIP   string
		loginUser string
	}
	seeds := []seed{
		{ago: 2 * time.Hour, typ: 1010, class: "rootkit_0001", name: "Rootkit detected", host: "web-01", severity: gen.Critical,
			attackTag: "attack_success", attck: "Persistence", tags: []string{"rootkit", "kernel_module"}, filePath: "/lib/modules/5.10.0/extra/diamorphine.ko", pid: 0},
		{ago: 5 * time.Hour, typ: 1015, class: "webshell_0001", name: "Web shell detected", host: "web-02", severity: gen.High,
			attackTag: "attack_success", attck: "Persistence", tags: []string{"webshell"}, handled: true, filePath: "/var/www/html/uploads/img.php", pid: 2211},
		{ago: 26 * time.Hour, typ: 1016, class: "av_1016", name: "Mining program", host: "build-01", severity: gen.Critical,
			attackTag: "attack_success", attck: "Impact", tags: []string{"mining"}, filePath: "/tmp/.x/xmrig", pid: 31337},
		{ago: 1 * time.Hour, typ: 3015, class: "hips_0001", name: "High-risk command execution", host: "db-01", severity: gen.High,
			attackTag: "abnormal_behavior", attck: "Execution", tags: []string{"high_risk_command"}, filePath: "/usr/bin/curl", pid: 4412},
		{ago: 30 * time.Hour, typ: 3015, class: "hips_0001", name: "High-risk command execution", host: "web-01", severity: gen.Medium,
			attackTag: "attack_attempt", attck: "Execution", tags: []string{"high_risk_command"}, ignored: true, filePath: "/usr/bin/wget", pid: 5120},
		{ago: 3 * time.Hour, typ: 4002, class: "login_0002", name: "Brute-force attack", host: "bastion-01", severity: gen.High,
			attackTag: "attack_attempt", attck: "Credential Access", tags: []string{"brute_force", "ssh"}, autoBlock: true, loginIP: "45.83.64.12", loginUser: "root"},
		{ago: 50 * time.Hour, typ: 4002, class: "login_0002", name: "Brute-force attack", host: "web-02", severity: gen.Medium,
			attackTag: "attack_blocked", attck: "Credential Access", tags: []string{"brute_force", "ssh"}, handled: true, autoBlock: true, loginIP: "185.220.101.7", loginUser: "admin"},
		{ago: 40 * time.Minute, typ: 4004, class: "login_0001", name: "Abnormal login", host: "bastion-01", severity: gen.High,
			attackTag: "attack_success", attck: "Initial Access", tags: []string{"abnormal_login", "ssh"}, loginIP: "103.152.1.9", loginUser: "admin"},
		{ago: 70 * time.Hour, typ: 4004, class: "login_0001", name: "Abnormal login", host: "db-01", severity: gen.Medium,
			attackTag: "attack_success", attck: "Initial Access", tags: []string{"abnormal_login"}, loginIP: "10.20.0.7", loginUser: "dba"},
		{ago: 4 * time.Hour, typ: 13002, class: "k8s_1002", name: "Abnormal pod behavior", host: "cce-node-01", container: "nginx-7d9f8c6b5-x2lqp", severity: gen.High,
			attackTag: "abnormal_behavior", attck: "Execution", tags: []string{"k8s", "pod"}, pid: 1},
		{ago: 28 * time.Hour, typ: 13002, class: "k8s_1002", name: "Abnormal pod behavior", host: "cce-node-01", container: "redis-0", severity: gen.Medium,
			attackTag: "abnormal_behavior", attck: "Execution", tags: []string{"k8s", "pod"}, handled: true, pid: 7},
		{ago: 90 * time.Minute, typ: 1016, class: "av_1016", name: "Mining program", host: "cce-node-02", container: "batch-worker-6f5d7", severity: gen.Critical,
			attackTag: "attack_success", attck: "Impact", tags: []string{"mining", "k8s"}, filePath: "/usr/local/bin/kdevtmpfsi", pid: 88},
		{ago: 6*24*time.Hour - time.Hour, typ: 3015, class: "hips_0001", name: "High-risk command execution", host: "cce-node-02", container: "payment-api-5c8d9b7f4-hq7zt", severity: gen.Low,
			attackTag: "abnormal_behavior", attck: "Execution", tags: []string{"high_risk_command", "k8s"}, filePath: "/bin/nc", pid: 230},
		{ago: 12 * time.Hour, typ: 1017, class: "hips_0012", name: "Reverse shell", host: "web-01", severity: gen.Critical,
			attackTag: "attack_success", attck: "Command and Control", tags: []string{"reverse_shell"}, filePath: "/bin/bash", pid: 6001},
		{ago: 96 * time.Hour, typ: 3002, class: "hips_0004", name: "File privilege escalation", host: "web-02", severity: gen.High,
			attackTag: "attack_attempt", attck: "Privilege Escalation", tags: []string{"privilege_escalation"}, filePath: "/usr/bin/pkexec", pid: 7310},
		{ago: 8 * time.Hour, typ: 6002, class: "scan_0001", name: "Port scan", host: "bastion-01", severity: gen.Low,
			attackTag: "attack_attempt", attck: "Reconnaissance", tags: []string{"scan"}, loginIP: "45.83.64.12"},
		{ago: 5 * 24 * time.Hour, typ: 1002, class: "av_1002", name: "Virus", host: "build-01", severity: gen.Medium,
			attackTag: "attack_blocked", attck: "Execution", tags: []string{"virus"}, handled: true, autoBlock: true, filePath: "/home/ci/cache/setup.exe"},
		{ago: 20 * time.Hour, typ: 3005, class: "fim_0001", name: "File/Directory change", host: "db-01", severity: gen.Security,
			attackTag: "abnormal_behavior", attck: "Defense Evasion", tags: []string{"file_change"}, filePath: "/etc/ssh/sshd_config"},
		{ago: 36 * time.Hour, typ: 4014, class: "login_0014", name: "User account added", host: "db-01", severity: gen.Medium,
			attackTag: "abnormal_behavior", attck: "Persistence", tags: []string{"account"}, loginUser: "backup2"},
		{ago: 48*time.Hour + 30*time.Minute, typ: 13001, class: "k8s_1001", name: "Kubernetes event deletion", host: "cce-node-01", container: "kube-apiserver-audit", severity: gen.Low,
			attackTag: "abnormal_behavior", attck: "Defense Evasion", tags: []string{"k8s"}},
		{ago: 54 * time.Hour, typ: 3018, class: "hips_0018", name: "Abnormal shell", host: "cce-node-01", container: "nginx-7d9f8c6b5-x2lqp", severity: gen.High,
			attackTag: "attack_success", attck: "Execution", tags: []string{"k8s", "shell"}, filePath: "/bin/sh", pid: 42},
	}
	events := make([]Event, 0, len(seeds))
	for i, sd := range seeds {
		h := seedHosts[sd.host]
		occur := now.Add(-sd.ago).Add(-time.Duration(i*7919%60000) * time.Millisecond)
		e := Event{
			ID:                  uuidID("hsstest-event-" + strconv.Itoa(i)),
			ClassID:             sd.class,
			Type:                sd.typ,
			Name:                sd.name,
			Category:            gen.Host,
			Severity:            sd.severity,
			HandleStatus:        gen.Unhandled,
			Ignored:             sd.ignored, // and handled, below
			HostName:            h.name,
			HostID:              uuidID("hsstest-host-" + h.name),
			PrivateIP:           h.privateIP,
			PublicIP:            h.publicIP,
			EnterpriseProjectID: h.ep,
			AttackTag:           sd.attackTag,
			AssetValue:          h.assetValue,
			AttCK:               sd.attck,
			Tags:                slices.Clone(sd.tags),
			AutoBlock:           sd.autoBlock,
			OccurTime:           occur.UnixMilli(),
			AgentID:             sha256Hex("hsstest-agent-" + h.name),
			FilePath:            sd.filePath,
			ProcessPID:          sd.pid,
			LoginIP:             sd.loginIP,
			LoginUserName:       sd.loginUser,
		}
		if sd.handled || sd.ignored {
			e.HandleStatus, e.Handler = gen.Handled, "secops"
		}
		if sd.container != "" {
			e.Category = gen.Container
			e.ContainerName = sd.container
			e.ContainerID = sha256Hex("hsstest-container-" + sd.container)
			e.ClusterID = seedClusterID
		}
		if sd.filePath != "" {
			e.FileHash = sha256Hex("hsstest-file-" + sd.filePath)
			e.FileAttr = "33261"
			e.Keyword = "file_path=" + sd.filePath
			e.Hash = e.FileHash
		}
		if sd.loginIP != "" {
			e.Keyword = "login_ip=" + sd.loginIP
			e.Hash = sha256Hex("hsstest-login-" + sd.loginIP + sd.loginUser)
		}
		events = append(events, e)
	}
	sortEvents(events)
	return events
}
