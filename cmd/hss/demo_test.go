package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss/hsstest"
)

func TestDemoRefusesAMissingDir(t *testing.T) {
	r := runCLI(t, "", "demo", "--dir", filepath.Join(t.TempDir(), "none"))
	if r.code != 2 || !strings.Contains(r.stderr, "--dir") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and --dir named before anything runs", r.code, r.stdout, r.stderr)
	}
}

func TestDemo(t *testing.T) {
	clearEnv(t) // the demo reads no environment
	fake := hsstest.NewServer(hsstest.Options{ExportDuration: 50 * time.Millisecond})
	defer fake.Close()
	dir := t.TempDir()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := demo(ctx, &out, fake, dir); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()

	tasks := fake.Tasks()
	if len(tasks) != 2 {
		t.Fatalf("the fake ran %d export tasks, want 2", len(tasks))
	}
	handled, whitelisted := 0, 0
	for _, e := range fake.Events() {
		if e.Handler == "demo" {
			handled++
		}
		if e.AlarmWhitelisted {
			whitelisted++
		}
	}
	if handled != 1 || whitelisted != 1 {
		t.Errorf("the demo handled %d and whitelisted %d alarms, want 1 and 1", handled, whitelisted)
	}
	for _, want := range []string{
		"project id: " + fake.ProjectID(),
		"task id: " + tasks[0].ID,
		"records: " + strconv.Itoa(tasks[0].Records),
		"before: unhandled", "after:  handled",
		"before: not in the alarm whitelist", "after:  in the alarm whitelist",
		"refused: field last_days", "refused: field operate_event_list[0].operate_detail_list",
		"submitted: task id " + tasks[1].ID,
		filepath.Join(dir, "events.csv"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	// Nothing was sent for the refused inputs.
	if !strings.Contains(text, "requests the fake received: 4 before, 4 after") {
		t.Errorf("the demo does not show that the refused inputs sent nothing:\n%s", text)
	}
	// Every request went signed, and was served.
	for _, r := range fake.Requests() {
		if r.Auth != hsstest.AuthAKSK || r.Status != 200 {
			t.Errorf("%s %s: auth %s, status %d", r.Method, r.Path, r.Auth, r.Status)
		}
	}
	file, err := os.ReadFile(filepath.Join(dir, "events.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fake.ExportCSV(tasks[1].ID)
	if !bytes.Equal(file, want) {
		t.Error("the CSV file is not the export's")
	}
	first, _, _ := strings.Cut(string(file), "\n")
	if !strings.Contains(text, "  "+first+"\n") {
		t.Errorf("the demo does not show the file's first line %q", first)
	}
	if strings.Contains(text, hsstest.DefaultSecretKey) {
		t.Error("the demo prints the secret key")
	}
}

func TestDemoCommand(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	start := time.Now()
	r := runCLI(t, "", "demo", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the demo took %s", took)
	}
	if _, err := os.Stat(filepath.Join(dir, "events.csv")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(r.stdout, "== Export the last 7 days to a CSV file ==") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}
