package hss_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// The examples run against the in-memory fake; against the real service,
// leave Endpoint and IAMEndpoint empty and the region picks them.

func ExampleNew_accessKey() {
	fake := hsstest.NewServer(hsstest.Options{})
	defer fake.Close()

	c, err := hss.New(hss.Config{
		Region:      "ap-southeast-1",
		Credentials: hss.AccessKey{ID: hsstest.DefaultAccessKey, Secret: hsstest.DefaultSecretKey},
		Endpoint:    fake.URL, // omit for the real service
		IAMEndpoint: fake.URL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// No ProjectID in the config: the client asks IAM for the region's project.
	pid, err := c.ProjectID(context.Background())
	fmt.Println(pid == fake.ProjectID(), err)
	// Output: true <nil>
}

func ExampleNew_token() {
	const token = "MIIxToken..." // from IAM's X-Subject-Token header, or HUAWEICLOUD_SDK_AUTH_TOKEN
	fake := hsstest.NewServer(hsstest.Options{Tokens: []string{token}})
	defer fake.Close()

	c, err := hss.New(hss.Config{
		Region:      "ap-southeast-1",
		ProjectID:   fake.ProjectID(),
		Credentials: hss.Token(token),
		Endpoint:    fake.URL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v\n", hss.Token(token)) // credentials never print their secret
	err = c.HandleEvents(context.Background(), hss.SimpleRequest(hss.Ignore, firstEvent(fake)), nil)
	fmt.Println(err)
	// Output:
	// hss.Token([redacted])
	// <nil>
}

func ExampleNew_password() {
	fake := hsstest.NewServer(hsstest.Options{})
	defer fake.Close()

	// The client exchanges the password for a token, caches it, renews it
	// before it expires, and learns the project from it.
	c, err := hss.New(hss.Config{
		Region:      "ap-southeast-1",
		Credentials: hss.Password{Domain: hsstest.DefaultDomain, User: hsstest.DefaultUser, Password: hsstest.DefaultPassword},
		Endpoint:    fake.URL,
		IAMEndpoint: fake.URL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.HandleEvents(context.Background(), hss.MarkAsHandledRequest("triaged", firstEvent(fake)), nil)
	fmt.Println(err)
	// Output: <nil>
}

func ExampleConfigFromEnv() {
	// This example's environment only: the variables ConfigFromEnv reads
	// are put back as they were afterwards.
	vars := []string{hss.EnvAccessKey, hss.EnvSecretKey, hss.EnvSecurityToken, hss.EnvProjectID, hss.EnvAuthToken,
		hss.EnvRegion, hss.EnvIAMEndpoint, hss.EnvDomainName, hss.EnvUserName, hss.EnvPassword, hss.EndpointEnv("cn-north-4")}
	for _, v := range vars {
		if old, ok := os.LookupEnv(v); ok {
			defer os.Setenv(v, old)
		} else {
			defer os.Unsetenv(v)
		}
		os.Unsetenv(v)
	}
	os.Setenv(hss.EnvAccessKey, "AK-EXAMPLE")
	os.Setenv(hss.EnvSecretKey, "sk-example-secret")
	os.Setenv(hss.EnvRegion, "cn-north-4")

	cfg, err := hss.ConfigFromEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := hss.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg)
	fmt.Println(c.Endpoint())
	// Output:
	// hss.Config{Region: "cn-north-4", ProjectID: "", Credentials: access key, Endpoint: "", IAMEndpoint: ""}
	// https://hss.cn-north-4.myhuaweicloud.com
}

func ExampleClient_ExportEvents() {
	c, fake := exampleClient()
	defer fake.Close()

	res, err := c.ExportEvents(context.Background(),
		hss.ExportEventsParams{
			Category:     hss.CategoryHost,
			EventId:      "weekly-report",
			LastDays:     hss.Ptr[int32](7),
			SeverityList: &[]hss.Severity{hss.SeverityCritical, hss.SeverityHigh},
			// Every enterprise project; without it, the default one only.
			EnterpriseProjectId: hss.Ptr("all_granted_eps"),
		},
		hss.ExportColumns{{"event_name", "Alarm name"}, {"host_name", "Server"}, {"occur_time", "Occurred"}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*res.RecordTotalNum, *res.TaskId != "")
	// Output: 8 true
}

func ExampleClient_ExportToFile() {
	c, fake := exampleClient()
	defer fake.Close()
	dir, _ := os.MkdirTemp("", "hss-example")
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "events.csv")
	_, err := c.ExportToFile(context.Background(), path,
		hss.ExportEventsParams{Category: hss.CategoryContainer, EventId: "c1", SeverityList: &[]hss.Severity{hss.SeverityCritical}},
		hss.ExportColumns{{"event_name", "Alarm name"}, {"container_name", "Container"}},
		&hss.ExportOptions{PollInterval: 50 * time.Millisecond},
	)
	data, _ := os.ReadFile(path)
	fmt.Print(string(data), err)
	// Output:
	// Alarm name,Container
	// Mining program,batch-worker-6f5d7
	// <nil>
}

// ExportTo streams the file into any io.Writer, here standard output. A
// writer cannot be taken back: should the download fail half way, the
// *ExportError says how much of the file it already holds (Written).
func ExampleClient_ExportTo() {
	c, fake := exampleClient()
	defer fake.Close()

	var records int32
	task, err := c.ExportTo(context.Background(), os.Stdout,
		hss.ExportEventsParams{Category: hss.CategoryContainer, EventId: "c2", SeverityList: &[]hss.Severity{hss.SeverityCritical}},
		hss.ExportColumns{{"container_name", "Container"}, {"event_name", "Alarm name"}},
		&hss.ExportOptions{PollInterval: 50 * time.Millisecond, Progress: func(p hss.ExportProgress) {
			if p.Stage == hss.StageSubmitted {
				records = p.Records
			}
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(records, "record(s), task", *task.TaskStatus)
	// Output:
	// Container,Alarm name
	// batch-worker-6f5d7,Mining program
	// 1 record(s), task success
}

// Isolating a process and killing it needs the process's details, which
// an export of the event gives (agent_id, file_hash, file_path,
// process_pid: 0 for an alarm about a file with no running process);
// DoNotIsolateOrKillRequest undoes it.
func ExampleIsolateAndKillRequest() {
	c, fake := exampleClient()
	defer fake.Close()
	var ev hsstest.Event
	for _, e := range fake.Events() {
		if e.ProcessPID != 0 && e.EnterpriseProjectID == "0" {
			ev = e
			break
		}
	}

	req := hss.IsolateAndKillRequest(
		hss.EventRef{ClassID: ev.ClassID, ID: ev.ID, Type: ev.Type, OccurTime: ev.OccurTime},
		hss.ProcessDetails{AgentID: ev.AgentID, FileHash: ev.FileHash, FilePath: ev.FilePath, PID: ev.ProcessPID})
	err := c.HandleEvents(context.Background(), req, nil)
	after, _ := fake.Event(ev.ID)
	fmt.Println(err, after.Isolated)

	// An alarm about a file names no process: its PID is 0, and the file is
	// isolated all the same.
	for _, e := range fake.Events() {
		if e.ProcessPID == 0 && e.FileHash != "" && e.EnterpriseProjectID == "0" {
			req = hss.IsolateAndKillRequest(hss.EventRef{ClassID: e.ClassID, ID: e.ID, Type: e.Type, OccurTime: e.OccurTime},
				hss.ProcessDetails{AgentID: e.AgentID, FileHash: e.FileHash, FilePath: e.FilePath, PID: e.ProcessPID})
			err = c.HandleEvents(context.Background(), req, nil)
			after, _ = fake.Event(e.ID)
			fmt.Println(err, after.Isolated)
			break
		}
	}
	// Output:
	// <nil> true
	// <nil> true
}

func ExampleClient_HandleEvents() {
	c, fake := exampleClient()
	defer fake.Close()
	ev := fake.Events()[0]

	// Each builder asks for exactly the details its operate type needs.
	req := hss.AddToAlarmWhitelistRequest(
		hss.EventRef{ClassID: ev.ClassID, ID: ev.ID, Type: ev.Type, OccurTime: ev.OccurTime},
		hss.AlarmDetails{Keyword: "file_path=/tmp/.x/xmrig", Hash: "e8b50f0b91e3dce0885ccc5902846b139d28108a0a7976c9b8d43154c5dbc44d"})
	// The event may be in any enterprise project the caller may see;
	// without the parameter, it would have to be in the default one.
	err := c.HandleEvents(context.Background(), req, &hss.HandleEventsParams{EnterpriseProjectId: hss.Ptr("all_granted_eps")})
	after, _ := fake.Event(ev.ID)
	fmt.Println(err, after.AlarmWhitelisted)
	// Output: <nil> true
}

func ExampleValidationError() {
	c, fake := exampleClient()
	defer fake.Close()

	// last_days and begin_time exclude each other: refused before sending.
	_, err := c.ExportEvents(context.Background(),
		hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "x", LastDays: hss.Ptr[int32](1), BeginTime: hss.Ptr[int64](0), EndTime: hss.Ptr[int64](1)},
		hss.ExportColumns{{"event_name", "Alarm name"}})
	var ve *hss.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, len(fake.Requests()))
	// Output: true last_days 0
}

// ExampleCheckExport validates input before there is a client: a
// pipeline can refuse a bad job before it reads credentials or queues it.
func ExampleCheckExport() {
	err := hss.CheckExport(
		hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "nightly", SeverityList: &[]hss.Severity{}},
		hss.ExportColumns{{"event_name", "Alarm name"}})
	fmt.Println(err)
	err = hss.CheckHandle(hss.SimpleRequest(hss.Ignore, hss.EventRef{ClassID: "login_0001", ID: "e1", Type: hss.EventBruteForce}), nil)
	fmt.Println(err)
	// Output:
	// hss: invalid severity_list: must not be empty (nil leaves the filter out)
	// <nil>
}

func ExampleAPIError() {
	c, fake := exampleClient()
	defer fake.Close()
	fake.InjectFault(hsstest.Fault{Status: 403, Body: `{"error_code":"HSS.0004","error_msg":"insufficient permission"}`})

	err := c.HandleEvents(context.Background(), hss.SimpleRequest(hss.Ignore, firstEvent(fake)), nil)
	var apiErr *hss.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID != "")
	}
	// Output: 403 HSS.0004 insufficient permission true
}

func ExampleAnswerError() {
	c, fake := exampleClient()
	defer fake.Close()
	// A 200 whose body is a maintenance page, not the export's answer.
	fake.InjectFault(hsstest.Fault{Status: 200, Body: "<html>down for maintenance</html>"})

	_, err := c.ExportEvents(context.Background(),
		hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "weekly", LastDays: hss.Ptr[int32](7)},
		hss.ExportColumns{{"event_name", "Alarm name"}})
	var bad *hss.AnswerError
	if errors.As(err, &bad) {
		// The service may have started an export: look before sending it again.
		fmt.Println(bad.Operation, bad.StatusCode, bad.Reason, bad.RequestID != "")
	}
	// Output: ExportEvents 200 decoding the answer true
}

func exampleClient() (*hss.Client, *hsstest.Server) {
	fake := hsstest.NewServer(hsstest.Options{ExportDuration: 100 * time.Millisecond})
	c, err := hss.New(hss.Config{
		Region:      fake.Region(),
		ProjectID:   fake.ProjectID(),
		Credentials: hss.AccessKey{ID: hsstest.DefaultAccessKey, Secret: hsstest.DefaultSecretKey},
		Endpoint:    fake.URL,
	})
	if err != nil {
		panic(err)
	}
	return c, fake
}

// firstEvent is the newest event of the default enterprise project, which
// a call without enterprise_project_id handles.
func firstEvent(fake *hsstest.Server) hss.EventRef {
	for _, ev := range fake.Events() {
		if ev.EnterpriseProjectID == "0" {
			return hss.EventRef{ClassID: ev.ClassID, ID: ev.ID, Type: ev.Type, OccurTime: ev.OccurTime}
		}
	}
	panic("the fake holds no event of the default enterprise project")
}

func ExampleClient_ShowExportTask() {
	c, fake := exampleClient()
	defer fake.Close()
	ctx := context.Background()

	res, _ := c.ExportEvents(ctx, hss.ExportEventsParams{Category: hss.CategoryContainer, EventId: "c2", SeverityList: &[]hss.Severity{hss.SeverityCritical}},
		hss.ExportColumns{{"container_name", "Container"}})
	// ExportTo and ExportToFile do this polling for you, with backoff.
	task, err := c.ShowExportTask(ctx, *res.TaskId, "")
	for err == nil && *task.TaskStatus == hss.TaskRunning {
		time.Sleep(50 * time.Millisecond)
		task, err = c.ShowExportTask(ctx, *res.TaskId, "")
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*task.TaskStatus)
	_, err = c.DownloadExportedFile(ctx, *task.FileId, "", os.Stdout)
	fmt.Println(err)
	// Output:
	// success
	// Container
	// batch-worker-6f5d7
	// <nil>
}

// An export whose task could not be followed to the end (here, its status
// reads kept failing) is resumed, not submitted again: the *ExportError
// names the task. (ResumeExportToFile does the same for a file.)
func ExampleExportError() {
	c, fake := exampleClient()
	defer fake.Close()
	ctx := context.Background()
	fake.InjectFault(hsstest.Fault{Path: "/v5/" + fake.ProjectID() + "/event/export-task/", Status: 500, Count: hss.DefaultMaxAttempts})

	opts := &hss.ExportOptions{PollInterval: 50 * time.Millisecond}
	_, err := c.ExportTo(ctx, os.Stdout, hss.ExportEventsParams{Category: hss.CategoryContainer, EventId: "c3", SeverityList: &[]hss.Severity{hss.SeverityCritical}},
		hss.ExportColumns{{"container_name", "Container"}}, opts)
	var ee *hss.ExportError
	if !errors.As(err, &ee) {
		fmt.Println(err)
		return
	}
	fmt.Println("stopped while", ee.Stage, "resumable:", ee.Resumable())
	_, err = c.ResumeExportTo(ctx, os.Stdout, ee.TaskID, ee.EnterpriseProjectID, opts)
	fmt.Println(err)
	// Output:
	// stopped while running resumable: true
	// Container
	// batch-worker-6f5d7
	// <nil>
}

// Many events of one operate type are handled in one call: the builders'
// requests, merged.
func ExampleBatchRequests() {
	c, fake := exampleClient()
	defer fake.Close()
	var reqs []hss.OperateEventsRequest
	for _, ev := range fake.Events()[:3] {
		reqs = append(reqs, hss.MarkAsHandledRequest("triaged by the bot",
			hss.EventRef{ClassID: ev.ClassID, ID: ev.ID, Type: ev.Type, OccurTime: ev.OccurTime}))
	}
	batch, err := hss.BatchRequests(reqs...)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.HandleEvents(context.Background(), batch, &hss.HandleEventsParams{EnterpriseProjectId: hss.Ptr("all_granted_eps")})
	fmt.Println(len(batch.OperateEventList), "events, one call:", err)
	for _, ev := range fake.Events()[:3] {
		fmt.Println(ev.HandleStatus, ev.Handler)
	}
	// Output:
	// 3 events, one call: <nil>
	// handled triaged by the bot
	// handled triaged by the bot
	// handled triaged by the bot
}
