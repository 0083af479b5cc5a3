package hss

import "github.com/openhss/hss-go/gen"

// The generated request and response types, re-exported so that users import
// hss alone. Their fields follow api/openapi.yaml; optional fields are pointers
// (see Ptr).
type (
	// ExportEventsParams holds the query filters of an export (28 of them).
	// Category and EventId are required. EventId is what the API reference
	// calls a case code, without saying more; this client takes it for a
	// label of the caller's choice, not an alarm id: the alarms to export by
	// id go in EventIdList.
	ExportEventsParams = gen.ExportEventsParams
	// ExportColumn is one column of an exported table: [field, column title].
	ExportColumn = gen.ExportColumn
	// ExportColumns is the table header of an export: at least one column.
	ExportColumns = gen.ExportColumns
	// ExportEventsResult is the service's answer to an export: the task id
	// and the number of records.
	ExportEventsResult = gen.ExportEventsResult
	// ExportTask is the state of an export task.
	ExportTask = gen.ExportTask
	// ExportTaskStatus is running, success or failure.
	ExportTaskStatus = gen.ExportTaskStatus
	// HandleEventsParams holds the query and header parameters of a handle call.
	HandleEventsParams = gen.HandleEventsParams
	// OperateEventsRequest is the body of a handle call.
	OperateEventsRequest = gen.OperateEventsRequest
	// OperateEvent is one event to handle.
	OperateEvent = gen.OperateEvent
	// EventDetail holds the details an operate type needs for one event.
	EventDetail = gen.EventDetail
	// EventWhiteRule is a user-defined alarm whitelist rule.
	EventWhiteRule = gen.EventWhiteRule
	// OperateType says how events are handled.
	OperateType = gen.OperateType
	// EventCategory is host or container.
	EventCategory = gen.EventCategory
	// HandleStatus is unhandled or handled.
	HandleStatus = gen.HandleStatus
	// Severity is a risk level.
	Severity = gen.Severity
	// JudgeType says how a whitelist rule compares its value.
	JudgeType = gen.JudgeType
)

// Operate types (a closed set: any other value is refused before sending).
const (
	MarkAsHandled            OperateType = gen.MarkAsHandled
	Unhandle                 OperateType = gen.Unhandle
	Ignore                   OperateType = gen.Ignore
	DoNotIgnore              OperateType = gen.DoNotIgnore
	AddToAlarmWhitelist      OperateType = gen.AddToAlarmWhitelist
	RemoveFromAlarmWhitelist OperateType = gen.RemoveFromAlarmWhitelist
	AddToLoginWhitelist      OperateType = gen.AddToLoginWhitelist
	RemoveFromLoginWhitelist OperateType = gen.RemoveFromLoginWhitelist
	IsolateAndKill           OperateType = gen.IsolateAndKill
	DoNotIsolateOrKill       OperateType = gen.DoNotIsolateOrKill
)

// Event categories.
const (
	CategoryHost      EventCategory = gen.Host
	CategoryContainer EventCategory = gen.Container
)

// Handling states.
const (
	Unhandled HandleStatus = gen.Unhandled
	Handled   HandleStatus = gen.Handled
)

// Risk levels.
const (
	SeveritySecurity Severity = gen.Security
	SeverityLow      Severity = gen.Low
	SeverityMedium   Severity = gen.Medium
	SeverityHigh     Severity = gen.High
	SeverityCritical Severity = gen.Critical
)

// Whitelist rule comparisons.
const (
	JudgeEqual   JudgeType = gen.Equal
	JudgeContain JudgeType = gen.Contain
)

// Export task states.
const (
	TaskRunning ExportTaskStatus = gen.Running
	TaskSuccess ExportTaskStatus = gen.Success
	TaskFailure ExportTaskStatus = gen.Failure
)

// Attack tags known today. The set is open: the service adds values, and
// the client sends any string.
const (
	AttackSuccess       = "attack_success"
	AttackAttempt       = "attack_attempt"
	AttackBlocked       = "attack_blocked"
	AbnormalBehavior    = "abnormal_behavior"
	CollapsibleHost     = "collapsible_host"
	SystemVulnerability = "system_vulnerability"
)

// Asset importance values known today (an open set).
const (
	AssetImportant = "important"
	AssetCommon    = "common"
	AssetTest      = "test"
)

// ATT&CK phases known today, for ExportEventsParams.AttCk (an open set).
const (
	AttCKReconnaissance      = "Reconnaissance"
	AttCKInitialAccess       = "Initial Access"
	AttCKExecution           = "Execution"
	AttCKPersistence         = "Persistence"
	AttCKPrivilegeEscalation = "Privilege Escalation"
	AttCKDefenseEvasion      = "Defense Evasion"
	AttCKCredentialAccess    = "Credential Access"
	AttCKCommandAndControl   = "Command and Control"
	AttCKImpact              = "Impact"
)

// Whitelist rule fields known today (an open set).
const (
	FieldFileOrProcessHash = "file/process hash"
	FieldFilePath          = "file_path"
	FieldProcessPath       = "process_path"
	FieldLoginIP           = "login_ip"
	FieldRegKey            = "reg_key"
	FieldProcessCmdline    = "process_cmdline"
	FieldUsername          = "username"
)

// HSS event type numbers, for EventRef.Type, ExportEventsParams.EventType
// and EventTypes, and EventWhiteRule.EventType. The set is open: these are
// the common ones, and any int32 is sent.
const (
	EventMalware               int32 = 1001
	EventVirus                 int32 = 1002
	EventWorm                  int32 = 1003
	EventTrojan                int32 = 1004
	EventBotnet                int32 = 1005
	EventBackdoor              int32 = 1006
	EventRootkit               int32 = 1010
	EventRansomware            int32 = 1011
	EventHackerTool            int32 = 1012
	EventWebshell              int32 = 1015
	EventMining                int32 = 1016
	EventReverseShell          int32 = 1017
	EventVulnerabilityExploit  int32 = 2001
	EventRemoteCodeExecution   int32 = 2012
	EventRedisExploit          int32 = 2047
	EventHadoopExploit         int32 = 2048
	EventMySQLExploit          int32 = 2049
	EventFilePrivilegeEscal    int32 = 3002
	EventProcessPrivilegeEscal int32 = 3003
	EventKeyFileChange         int32 = 3004
	EventFileDirectoryChange   int32 = 3005
	EventAbnormalProcess       int32 = 3007
	EventHighRiskCommand       int32 = 3015
	EventAbnormalShell         int32 = 3018
	EventSuspiciousCrontab     int32 = 3027
	EventProtectionDisabled    int32 = 3029
	EventBackupDeletion        int32 = 3030
	EventSuspiciousRegistry    int32 = 3031
	EventContainerImageBlocked int32 = 3036
	EventBruteForce            int32 = 4002
	EventAbnormalLogin         int32 = 4004
	EventInvalidSystemAccount  int32 = 4006
	EventUserAccountAdded      int32 = 4014
	EventPasswordTheft         int32 = 4020
	EventPortScan              int32 = 6002
	EventHostScan              int32 = 6003
	EventK8sEventDeletion      int32 = 13001
	EventAbnormalPod           int32 = 13002
	EventUserEnumeration       int32 = 13003
	EventClusterRoleBinding    int32 = 13004
	EventAdvancedThreat        int32 = 11001 // seen in exports (hss-api.md); not one to whitelist
)

// Ptr returns a pointer to v, for the optional fields of the generated types:
// hss.ExportEventsParams{HostName: hss.Ptr("web-01")}.
func Ptr[T any](v T) *T { return &v }
