package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openhss/hss-go/gen"
	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// The credentials of the tests. The fake is configured with them, never
// with its defaults, so that every output can be searched for them.
const (
	testAK            = "CLITESTAK0000000001"
	testTempAK        = "CLITESTAKTEMPORARY01" // comes with testSecurityToken
	testSK            = "cliTestSecretKey-0123456789abcdefSECRET"
	testSecurityToken = "cliTestSecurityToken-SECRET-0001"
	testToken         = "MIIcliTestToken-SECRET-0123456789abcdef"
	testDomain        = "cli-domain"
	testUser          = "cli-user"
	testPassword      = "cliTest-Passw0rd-SECRET"
)

// secrets must never appear in any output.
var secrets = []string{testSK, testSecurityToken, testToken, testPassword}

// envVars are all the variables the client reads.
var envVars = []string{
	hss.EnvAccessKey, hss.EnvSecretKey, hss.EnvSecurityToken, hss.EnvProjectID, hss.EnvAuthToken,
	hss.EnvRegion, hss.EnvIAMEndpoint, hss.EnvDomainName, hss.EnvUserName, hss.EnvPassword,
	hss.EndpointEnv(hsstest.DefaultRegion),
}

// clearEnv empties every variable the client reads, for the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, v := range envVars {
		t.Setenv(v, "")
	}
}

// credential kinds, set in the environment by useCredentials.
const (
	credAKSK     = "aksk"
	credAKSKTemp = "aksk+security token"
	credToken    = "token"
	credPassword = "password"
)

var credKinds = []string{credAKSK, credAKSKTemp, credToken, credPassword}

// useCredentials puts credentials of the given kind (and only those) in
// the environment.
func useCredentials(t *testing.T, kind string) {
	t.Helper()
	clearEnv(t)
	switch kind {
	case credAKSK:
		t.Setenv(hss.EnvAccessKey, testAK)
		t.Setenv(hss.EnvSecretKey, testSK)
	case credAKSKTemp:
		t.Setenv(hss.EnvAccessKey, testTempAK)
		t.Setenv(hss.EnvSecretKey, testSK)
		t.Setenv(hss.EnvSecurityToken, testSecurityToken)
	case credToken:
		t.Setenv(hss.EnvAuthToken, testToken)
	case credPassword:
		t.Setenv(hss.EnvDomainName, testDomain)
		t.Setenv(hss.EnvUserName, testUser)
		t.Setenv(hss.EnvPassword, testPassword)
	default:
		t.Fatalf("unknown credential kind %q", kind)
	}
}

// newFake starts the fake with the tests' credentials and short export
// tasks.
func newFake(t *testing.T) *hsstest.Server {
	t.Helper()
	s := hsstest.NewServer(hsstest.Options{
		AccessKeys:     map[string]string{testAK: testSK, testTempAK: testSK},
		SecurityTokens: map[string]string{testTempAK: testSecurityToken},
		Users:          []hsstest.User{{Domain: testDomain, Name: testUser, Password: testPassword}},
		Tokens:         []string{testToken},
		ExportDuration: 60 * time.Millisecond,
		Logf:           t.Logf,
	})
	t.Cleanup(s.Close)
	return s
}

// at returns the flags that point the CLI at the fake. The project id is
// left out on purpose: the client finds it through the fake's IAM, so a
// check that runs too late shows up as a recorded IAM request.
func at(s *hsstest.Server) []string {
	return []string{"--region", s.Region(), "--endpoint", s.URL, "--iam-endpoint=" + s.URL}
}

// result is what one run of the CLI did.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs hss with args, stdin as standard input, and checks that no
// secret appears in its output.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), stdin, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	checkNoSecret(t, r.stdout+r.stderr)
	return r
}

func checkNoSecret(t *testing.T, out string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a secret (%.6s...) appears in the output:\n%s", s, out)
		}
	}
}

// writeFile writes content to a new file in a temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	s := newFake(t)
	// A valid operate request, and variations of it.
	ev := s.Events()[0]
	operate := func(opType, details string) string {
		return `{"operate_type":"` + opType + `","operate_event_list":[{"event_class_id":"` + ev.ClassID +
			`","event_id":"` + ev.ID + `","event_type":1010,"occur_time":1,"operate_detail_list":` + details + `}]}`
	}
	export := func(extra ...string) []string {
		return append(append([]string{"export"}, at(s)...), append([]string{"--category", "host", "--event-id", "c1"}, extra...)...)
	}
	handle := func(body string, extra ...string) []string {
		return append(append([]string{"handle"}, at(s)...), append([]string{"--body", writeFile(t, "op.json", body)}, extra...)...)
	}
	now := time.Now().UnixMilli()
	ms := itoa

	cases := []struct {
		name  string
		args  []string
		stdin string
		env   func(t *testing.T) // default: AK/SK credentials
		want  []string           // all in stderr
	}{
		{name: "missing category", args: append(append([]string{"export"}, at(s)...), "--event-id", "c1"), want: []string{"--category", "required"}},
		{name: "category not in the set", args: append(append([]string{"export"}, at(s)...), "--category=vm", "--event-id", "c1"), want: []string{"--category", `"vm"`}},
		{name: "missing event id", args: append(append([]string{"export"}, at(s)...), "--category", "host"), want: []string{"--event-id"}},
		{name: "host name of 65 characters", args: export("--host-name", strings.Repeat("h", 65)), want: []string{"--host-name", "64"}},
		{name: "last days not an integer", args: export("--last-days=abc"), want: []string{"--last-days", "not an integer"}},
		{name: "last days in hex", args: export("--last-days=0x10"), want: []string{"--last-days", "not an integer"}},
		{name: "last days out of range", args: export("--last-days=99999999999"), want: []string{"--last-days", "out of range"}},
		{name: "last days with begin time", args: export("--last-days", "3", "--begin-time", ms(now-1000), "--end-time", ms(now)), want: []string{"--last-days", "begin_time"}},
		{name: "begin time without end time", args: export("--begin-time", ms(now)), want: []string{"--end-time", "required"}},
		{name: "end before begin", args: export("--begin-time", ms(now), "--end-time", ms(now-1)), want: []string{"--end-time", "earlier"}},
		{name: "window over two days", args: export("--begin-time", ms(now-2*86400000-1), "--end-time", ms(now)), want: []string{"--end-time", "two days"}},
		{name: "begin time not a time", args: export("--begin-time", "yesterday", "--end-time", ms(now)), want: []string{"--begin-time"}},
		{name: "times in seconds", args: export("--begin-time", "1732060800", "--end-time", "1732147200"), want: []string{"--begin-time", "seconds"}},
		{name: "event types not integers", args: export("--event-types=x"), want: []string{"--event-types", `"x"`}},
		{name: "event types with an empty item", args: export("--event-types=1010,,4004"), want: []string{"--event-types", "empty"}},
		{name: "severity list not in the set", args: export("--severity-list", "High,Severe"), want: []string{"--severity-list", `"Severe"`}},
		{name: "handle status not in the set", args: export("--handle-status", "done"), want: []string{"--handle-status"}},
		{name: "negative offset", args: export("--offset=-1"), want: []string{"--offset", "negative"}},
		{name: "auto block not a boolean", args: export("--auto-block=maybe"), want: []string{"--auto-block"}},
		{name: "timeout not a duration", args: export("--timeout=soon"), want: []string{"--timeout", "duration"}},
		{name: "timeout not positive", args: export("--timeout=0s"), want: []string{"--timeout", "positive"}},
		{name: "max attempts zero", args: export("--max-attempts=0"), want: []string{"--max-attempts"}},
		{name: "empty region", args: export("--region="), want: []string{"--region", "empty"}},
		{name: "empty project id", args: export("--project-id", ""), want: []string{"--project-id", "empty"}},
		{name: "unknown flag", args: export("--colour", "red"), want: []string{"--colour", "not defined"}},
		{name: "flag without its value", args: export("--host-name"), want: []string{"--host-name", "argument"}},
		{name: "positional argument", args: export("web-01"), want: []string{`"web-01"`, "unexpected"}},
		{name: "boolean flag with a separate value", args: export("--auto-block", "false"), want: []string{`"false"`, "--auto-block=false"}},
		{name: "empty attack tag", args: export("--attack-tag="), want: []string{"--attack-tag", "empty"}},
		{name: "handle empty container id", args: handle(operate("ignore", "[]"), "--container-id="), want: []string{"--container-id", "empty"}},
		{name: "column without =", args: export("--column", "event_name"), want: []string{"--column", "field=Title"}},
		{name: "column with an empty title", args: export("--column", "event_name="), want: []string{"--column (the title of column 1)", "empty"}},
		{name: "column and body together", args: export("--column", "a=b", "--body", writeFile(t, "c.json", `[["a","b"]]`)), want: []string{"--column", "--body"}},
		{name: "columns body not JSON", args: export("--body", writeFile(t, "c.json", `[["a","b"],`)), want: []string{"--body", "JSON"}},
		{name: "columns body of three strings", args: export("--body", writeFile(t, "c.json", `[["a","b","c"]]`)), want: []string{"--body element [0]", "2 strings"}},
		{name: "columns body empty", args: export("--body", writeFile(t, "c.json", " \n")), want: []string{"--body", "empty"}},
		{name: "body file missing", args: export("--body", filepath.Join(t.TempDir(), "none.json")), want: []string{"--body"}},
		{name: "wait without output", args: export("--wait"), want: []string{"--wait", "--output"}},
		{name: "no wait with output", args: export("--wait=false", "--output", filepath.Join(t.TempDir(), "e.csv")), want: []string{"--wait=false", "--output"}},
		{name: "single-value flag given twice", args: export("--severity", "High", "--severity", "Critical"), want: []string{"--severity", `"High"`, "--severity-list"}},
		{name: "event type given twice", args: export("--event-type", "1010", "--event-type=4004"), want: []string{"--event-type", `"1010"`, "--event-types"}},
		{name: "output given twice", args: export("--output", "a.csv", "--output", "b.csv"), want: []string{"--output", `"a.csv"`, "one value"}},
		{name: "empty output", args: export("--output="), want: []string{"--output", "empty"}},
		{name: "columns body an empty array", args: export("--body", writeFile(t, "c.json", "[]")), want: []string{"invalid --body: at least one column"}},
		{name: "output in a missing directory", args: export("--output", filepath.Join(t.TempDir(), "no", "e.csv")), want: []string{"--output"}},
		{name: "output is a directory", args: export("--output", t.TempDir()), want: []string{"--output", "directory"}},
		{name: "plain http endpoint off loopback", args: []string{"export", "--region", s.Region(), "--endpoint", "http://hss.example.com", "--category", "host", "--event-id", "c1"}, want: []string{"--endpoint", "https"}},
		{name: "iam endpoint with a path", args: []string{"export", "--region", s.Region(), "--endpoint", s.URL, "--iam-endpoint", s.URL + "/v3", "--category", "host", "--event-id", "c1"}, want: []string{"--iam-endpoint", "path"}},
		{name: "unknown region without endpoint", args: []string{"export", "--region", "xx-nowhere-1", "--category", "host", "--event-id", "c1"}, want: []string{"--region", "xx-nowhere-1"}},
		{name: "no region", args: []string{"export", "--endpoint", s.URL, "--category", "host", "--event-id", "c1"}, want: []string{"--region", hss.EnvRegion}},
		{name: "no credentials", args: export(), env: clearEnv, want: []string{hss.EnvAccessKey, hss.EnvAuthToken}},
		// The input is checked before the credentials are looked for.
		{name: "bad input and no credentials", args: export("--last-days", "3", "--begin-time", ms(now-1000), "--end-time", ms(now)), env: clearEnv, want: []string{"--last-days", "begin_time"}},
		{name: "bad operate and no credentials", args: handle(operate("add_to_alarm_whitelist", `[]`)), env: clearEnv, want: []string{"--body", "keyword and hash"}},
		{name: "half an access key pair", args: export(), env: func(t *testing.T) { clearEnv(t); t.Setenv(hss.EnvAccessKey, testAK) }, want: []string{hss.EnvSecretKey}},
		{name: "IAM user without domain", args: export(), env: func(t *testing.T) {
			clearEnv(t)
			t.Setenv(hss.EnvUserName, testUser)
			t.Setenv(hss.EnvPassword, testPassword)
		}, want: []string{hss.EnvDomainName}},

		{name: "handle without body", args: append([]string{"handle"}, at(s)...), want: []string{"--body", "required"}},
		{name: "operate body not JSON", args: handle(`{"operate_type": mark_as_handled}`), want: []string{"--body", "line 1, column"}},
		{name: "operate body cut short", args: handle(`{"operate_type":"mark_as_handled"`), want: []string{"--body", "ends too early"}},
		{name: "operate body with an unknown field", args: handle(`{"operate_type":"ignore","operate_event_list":[],"note":"x"}`), want: []string{"--body", `"note"`}},
		{name: "operate body with an unknown nested field", args: handle(operate("add_to_alarm_whitelist", `[{"keyword":"k","hash":"h","colour":"red"}]`)), want: []string{"--body", `"colour"`}},
		{name: "operate body with a wrong type", args: handle(`{"operate_type":"ignore","operate_event_list":[{"event_type":"rootkit"}]}`), want: []string{"--body", "operate_event_list.event_type", "a number"}},
		{name: "operate body of two values", args: handle(operate("ignore", "[]") + operate("ignore", "[]")), want: []string{"--body", "more than one"}},
		{name: "operate type not in the set", args: handle(operate("delete", "[]")), want: []string{"--body", "operate_type", `"delete"`}},
		{name: "empty operate event list", args: handle(`{"operate_type":"mark_as_handled","operate_event_list":[]}`), want: []string{"--body", "operate_event_list", "at least one"}},
		{name: "alarm whitelist without keyword", args: handle(operate("add_to_alarm_whitelist", `[{"hash":"h"}]`)), want: []string{"--body", "operate_event_list[0].operate_detail_list[0].keyword"}},
		{name: "alarm whitelist without details", args: handle(operate("add_to_alarm_whitelist", `[]`)), want: []string{"--body", "operate_event_list[0].operate_detail_list", "keyword and hash"}},
		// Whole numbers the spec requires: a missing one would be sent as 0.
		{name: "operate event without event_type", args: handle(strings.Replace(operate("ignore", "[]"), `"event_type":1010,`, ``, 1)), want: []string{"--body field operate_event_list[0].event_type", "required"}},
		{name: "operate event with a null occur_time", args: handle(strings.Replace(operate("ignore", "[]"), `"occur_time":1`, `"occur_time":null`, 1)), want: []string{"--body field operate_event_list[0].occur_time", "required"}},
		{name: "whitelist rule without event_type", args: handle(strings.TrimSuffix(operate("add_to_alarm_whitelist", `[{"keyword":"k","hash":"h"}]`), "}") +
			`,"event_white_rule_list":[{"event_type":1010,"field_key":"k","field_value":"v","judge_type":"equal"},{"field_key":"k","field_value":"v","judge_type":"equal"}]}`),
			want: []string{"--body field event_white_rule_list[1].event_type", "required"}},
		{name: "isolate without process pid", args: handle(operate("isolate_and_kill", `[{"agent_id":"a","file_hash":"h","file_path":"/p"}]`)), want: []string{"process_pid"}},
		{name: "operate body from empty standard input", args: append(append([]string{"handle"}, at(s)...), "--body", "-"), stdin: "", want: []string{"--body", "empty"}},
		{name: "handle enterprise project empty", args: handle(operate("ignore", "[]"), "--enterprise-project-id="), want: []string{"--enterprise-project-id"}},
		{name: "operate body key not in lower case", args: handle(strings.Replace(operate("ignore", "[]"), `"operate_type"`, `"OPERATE_TYPE"`, 1)), want: []string{"--body", `"OPERATE_TYPE"`, "lower case"}},
		{name: "operate body key folding to another", args: handle(strings.Replace(operate("ignore", "[]"), `{"operate_type"`, `{"operate_event_liſt":[],"operate_type"`, 1)), want: []string{"--body", "operate_event_liſt", "a-z, 0-9 and _"}},
		{name: "operate body key given twice", args: handle(strings.Replace(operate("isolate_and_kill", "[]"), `{"operate_type"`, `{"operate_type":"do_not_isolate_or_kill","operate_type"`, 1)), want: []string{"--body", `"operate_type"`, "twice"}},
		{name: "operate body larger than 8 MiB", args: append(append([]string{"handle"}, at(s)...), "--body", "-"), stdin: operate("ignore", "[]") + strings.Repeat(" ", 8<<20), want: []string{"--body", "larger than 8 MiB"}},
		{name: "handle unknown flag", args: handle(operate("ignore", "[]"), "--category", "host"), want: []string{"--category", "not defined"}},
		{name: "handle timeout not a duration", args: handle(operate("ignore", "[]"), "--timeout", "10"), want: []string{"--timeout"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != nil {
				tc.env(t)
			} else {
				useCredentials(t, credAKSK)
			}
			s.ResetRequests()
			r := runCLI(t, tc.stdin, tc.args...)
			if r.code != 2 {
				t.Errorf("exit status %d, want 2; stderr:\n%s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not name %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty: %q", r.stdout)
			}
			if got := s.Requests(); len(got) != 0 {
				t.Errorf("the fake received %d requests, want none; first: %s %s", len(got), got[0].Method, got[0].Path)
			}
		})
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// parseQuery parses a recorded query string.
func parseQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("query %q: %v", raw, err)
	}
	return q
}

func TestServiceErrorIsExit1WithTheDetails(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Status: http.StatusInternalServerError, Body: `{"error_code":"HSS.5001","error_msg":"the export service is down"}`})
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1")...)
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	reqs := s.Requests()
	requestID := reqs[len(reqs)-1].RequestID
	for _, want := range []string{"500", "Internal Server Error", "HSS.5001", "the export service is down", requestID, "ExportEvents"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout is not empty: %q", r.stdout)
	}
}

func TestThrottledThenServed(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	start := time.Now()
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1")...)
	if r.code != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", r.code, r.stderr)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("took %s: the Retry-After of 1s was not honoured", took)
	}
	var statuses []int
	for _, req := range s.Requests() {
		if strings.HasSuffix(req.Path, "/event/export") {
			statuses = append(statuses, req.Status)
		}
	}
	if !reflect.DeepEqual(statuses, []int{429, 200}) {
		t.Errorf("export answers %v, want [429 200]", statuses)
	}
	if !strings.Contains(r.stdout, `"task_id"`) {
		t.Errorf("stdout lacks the answer: %q", r.stdout)
	}
}

// TestInterruptWhileWaitingOutA429: Ctrl-C during a wait for a 429's
// Retry-After is an interrupt (130), and the 429 it waited out is named.
func TestInterruptWhileWaitingOutA429(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "30"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	var stdout, stderr bytes.Buffer
	code := run(ctx, append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1"), strings.NewReader(""), &stdout, &stderr)
	if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stderr.String(), "429") {
		t.Errorf("exit %d, stderr %q; want %d, interrupted and the 429", code, stderr.String(), exitInterrupted)
	}
}

// TestInterruptWhileReadingStandardInput: Ctrl-C (the context ending)
// ends a command waiting for its --body on standard input, which nothing
// writes or closes.
func TestInterruptWhileReadingStandardInput(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := run(ctx, append(append([]string{"handle"}, at(s)...), "--body", "-"), pr, &stdout, &stderr)
		done <- result{code, stdout.String(), stderr.String()}
	}()
	select {
	case r := <-done:
		if r.code != exitInterrupted || !strings.Contains(r.stderr, "interrupted") || r.stdout != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want %d and interrupted", r.code, r.stdout, r.stderr, exitInterrupted)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the command still waits on standard input 5 s after the interrupt")
	}
}

// TestOutputToStandardOutputIsWholeOrNothing: a download cut off midway
// writes nothing to standard output, rather than part of the CSV.
func TestOutputToStandardOutputIsWholeOrNothing(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/download/", CutAfter: 40})
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1", "--output", "-", "--poll-interval", "20ms")...)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "cut off") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing on stdout", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", append(append([]string{"export"}, at(s)...), "--category", "host", "--event-id", "c1", "--output", "-", "--poll-interval", "20ms")...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Event ID,") {
		t.Errorf("without the fault: exit %d, stdout %.80q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestTimeoutAgainstASilentServer(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	s.InjectFault(hsstest.Fault{Silent: true, Count: -1})
	// The outer bound turns a --timeout that does not work into a failure
	// rather than a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	r := runCLIContext(t, ctx, "", append(append([]string{"export"}, at(s)...), "--project-id", s.ProjectID(), "--timeout", "1s", "--category", "host", "--event-id", "c1")...)
	took := time.Since(start)
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if took < time.Second || took > 2*time.Second {
		t.Errorf("took %s, want about the --timeout of 1s", took)
	}
	if !strings.Contains(r.stderr, "--timeout of 1s") {
		t.Errorf("stderr does not blame the timeout:\n%s", r.stderr)
	}
}

// TestRedirectToAnotherHostCarriesNoCredential: an export (a POST)
// redirected to another host is refused, with nothing sent there: a 307
// would send it the body, a 302 would turn the export into a GET that
// exports nothing. (The library's tests cover a GET followed without the
// credential headers.)
func TestRedirectToAnotherHostCarriesNoCredential(t *testing.T) {
	for _, kind := range []string{credAKSKTemp, credToken} {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
			t.Run(fmt.Sprintf("%s/%d", kind, status), func(t *testing.T) {
				useCredentials(t, kind)
				var (
					mu  sync.Mutex
					got []http.Header
				)
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					got = append(got, r.Header.Clone())
					mu.Unlock()
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"record_total_num":0,"task_id":"elsewhere"}`))
				}))
				defer other.Close()
				first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+r.URL.RequestURI(), status)
				}))
				defer first.Close()

				r := runCLI(t, "", "export", "--region", hsstest.DefaultRegion, "--endpoint", first.URL,
					"--project-id", hsstest.DefaultProjectID, "--category", "host", "--event-id", "c1")
				mu.Lock()
				defer mu.Unlock()
				if r.code != 1 || !strings.Contains(r.stderr, "refused a redirect") || len(got) != 0 {
					t.Fatalf("exit status %d, %d requests to the other host; stderr:\n%s", r.code, len(got), r.stderr)
				}
			})
		}
	}
}

func TestNoSecretInAnyOutput(t *testing.T) {
	for _, kind := range credKinds {
		t.Run(kind, func(t *testing.T) {
			useCredentials(t, kind)
			s := newFake(t)
			ev := unhandledEvents(t, s, 1)[0]
			body := writeFile(t, "op.json", `{"operate_type":"ignore","operate_event_list":[{"event_class_id":"`+ev.ClassID+
				`","event_id":"`+ev.ID+`","event_type":`+itoa(int64(ev.Type))+`,"occur_time":`+itoa(ev.OccurTime)+`,"operate_detail_list":[]}]}`)
			dir := t.TempDir()
			runs := [][]string{
				append([]string{"export", "--debug", "--category", "host", "--event-id", "c1"}, at(s)...),
				append([]string{"export", "--debug", "--category", "host", "--event-id", "c1", "--output", filepath.Join(dir, "e.csv"), "--poll-interval", "20ms"}, at(s)...),
				append([]string{"handle", "--debug", "--body", body}, at(s)...),
				append([]string{"export", "--category", "vm", "--event-id", "c1"}, at(s)...),
			}
			var debug string
			for _, args := range runs {
				r := runCLI(t, "", args...) // checks the output for secrets
				if r.code != 0 && args[1] == "--debug" {
					t.Errorf("%v: exit status %d; stderr:\n%s", args[:2], r.code, r.stderr)
				}
				debug += r.stderr
			}
			// The failures: the service refuses, and the credentials are wrong.
			s.InjectFault(hsstest.Fault{Status: http.StatusInternalServerError})
			runCLI(t, "", append([]string{"export", "--debug", "--category", "host", "--event-id", "c1"}, at(s)...)...)
			wrong := newWrongCredentialsFake(t)
			r := runCLI(t, "", append([]string{"export", "--debug", "--category", "host", "--event-id", "c1"}, at(wrong)...)...)
			if r.code != 1 {
				t.Errorf("with credentials the service refuses: exit status %d, want 1; stderr:\n%s", r.code, r.stderr)
			}
			// The check above would pass on silence: make sure --debug spoke.
			if !strings.Contains(debug, "hss request") || !strings.Contains(debug, "/event/export") {
				t.Errorf("--debug logged no request:\n%s", debug)
			}
		})
	}
}

// newWrongCredentialsFake starts a fake that knows none of the tests'
// credentials, so that every call is refused.
func newWrongCredentialsFake(t *testing.T) *hsstest.Server {
	t.Helper()
	s := hsstest.NewServer(hsstest.Options{AccessKeys: map[string]string{"OTHERAK": "other-secret"}})
	t.Cleanup(s.Close)
	return s
}

func TestEveryQueryParameterIsAFlag(t *testing.T) {
	var c exportCmd
	f := c.flags()
	typ := reflect.TypeFor[gen.ExportEventsParams]()
	if typ.NumField() != 28 {
		t.Errorf("ExportEventsParams has %d fields, want the 28 query parameters", typ.NumField())
	}
	for field := range typ.Fields() {
		name, _, _ := strings.Cut(field.Tag.Get("form"), ",")
		if f.fs.Lookup(strings.ReplaceAll(name, "_", "-")) == nil {
			t.Errorf("query parameter %s has no flag --%s", name, strings.ReplaceAll(name, "_", "-"))
		}
	}
}

func TestEveryFilterFlagReachesTheQuery(t *testing.T) {
	useCredentials(t, credAKSK)
	s := newFake(t)
	now := time.Now()
	common := []string{
		"--category", "host", "--event-id", "case-7", "--enterprise-project-id", "all_granted_eps",
		"--host-name", "web-01", "--host-id=h1", "--private-ip", "192.168.0.11", "--public-ip", "119.8.10.21",
		"--container-name", "c", "--cluster-id", "k", "--offset", "0", "--limit", "10", "--export-size", "10",
		"--event-type", "1010", "--event-types", "1010", "--event-class-ids", "rootkit_0001", "--event-id-list", "e1",
		"--event-name", "Rootkit detected", "--handle-status", "unhandled", "--severity", "Critical",
		"--severity-list", "Critical", "--attack-tag", "attack_success", "--asset-value", "important",
		"--tag-list", "rootkit", "--att-ck", "Persistence", "--auto-block=false",
	}
	runs := [][]string{
		append(common, "--last-days", "7"),
		append(common, "--begin-time", now.Add(-time.Hour).UTC().Format(time.RFC3339), "--end-time", itoa(now.UnixMilli())),
	}
	seen := map[string]bool{}
	for _, args := range runs {
		s.ResetRequests()
		r := runCLI(t, "", append(append([]string{"export"}, at(s)...), args...)...)
		if r.code != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
		}
		for _, req := range s.Requests() {
			if strings.HasSuffix(req.Path, "/event/export") {
				for k := range parseQuery(t, req.RawQuery) {
					seen[k] = true
				}
			}
		}
	}
	for field := range reflect.TypeFor[gen.ExportEventsParams]().Fields() {
		name, _, _ := strings.Cut(field.Tag.Get("form"), ",")
		if !seen[name] {
			t.Errorf("query parameter %s was never sent", name)
		}
	}
}

func TestHelpVersionRegions(t *testing.T) {
	clearEnv(t)
	r := runCLI(t, "", "version")
	if r.code != 0 || !strings.Contains(r.stdout, "hss "+hss.Version) {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}

	r = runCLI(t, "", "regions")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != len(hss.Regions())+1 {
		t.Errorf("regions: exit %d, %d lines for %d regions:\n%s", r.code, len(lines), len(hss.Regions()), r.stdout)
	}
	if !strings.Contains(r.stdout, "https://hss.eu-west-101.myhuaweicloud.eu") || !strings.Contains(r.stdout, "AP-Singapore") {
		t.Errorf("regions lacks a known row:\n%s", r.stdout)
	}
	t.Setenv(hss.EndpointEnv("ap-southeast-1"), "https://hss.example.internal")
	if r = runCLI(t, "", "regions"); !strings.Contains(r.stdout, "https://hss.example.internal") {
		t.Errorf("regions ignores %s:\n%s", hss.EndpointEnv("ap-southeast-1"), r.stdout)
	}

	for _, args := range [][]string{{"help", "export"}, {"export", "--help"}, {"export", "-h"}} {
		r = runCLI(t, "", args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, want := range []string{"Usage: hss export", "--host-name", "--event-types", "--auto-block", "--column FIELD=TITLE", "--timeout"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v lacks %q", args, want)
			}
		}
	}
	r = runCLI(t, "", "help")
	for _, c := range commands {
		if !strings.Contains(r.stdout, "  "+c.name+" ") {
			t.Errorf("help does not list %s", c.name)
		}
	}
	for _, name := range []string{"handle", "regions", "emulator", "demo", "version", "help"} {
		if r = runCLI(t, "", "help", name); r.code != 0 || !strings.Contains(r.stdout, "Usage: hss "+name) {
			t.Errorf("help %s: exit %d:\n%s", name, r.code, r.stdout)
		}
	}
	for _, args := range [][]string{{}, {"nope"}, {"help", "nope"}, {"regions", "--all"}, {"version", "x"}} {
		if r = runCLI(t, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, r.code, r.stderr)
		}
	}
	if r = runCLI(t, "", "--region", "x", "export"); r.code != 2 || !strings.Contains(r.stderr, "flags come after") {
		t.Errorf("a flag before the command: exit %d, stderr %q; want 2 and where flags go", r.code, r.stderr)
	}
}
