//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/openhss/hss-go/internal/fifotest"
)

// TestExportOutputToAPipe: --output at a named pipe (as /dev/null or a
// shell's >(gzip > f.gz)) writes into it and leaves it a pipe, and prints
// the file's size, which a pipe cannot be asked for afterwards.
func TestExportOutputToAPipe(t *testing.T) {
	useCredentials(t, credToken)
	s := newFake(t)
	dir := t.TempDir()
	pipe, read := fifotest.Reader(t, dir, "pipe")
	r := runCLI(t, "", append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "case-5", "--output", pipe, "--poll-interval", "20ms")...)
	if r.code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", r.code, r.stderr)
	}
	file := read()
	var res exportResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	want, _ := s.ExportCSV(res.TaskID)
	if len(want) == 0 || string(file) != string(want) || res.Bytes != int64(len(want)) || res.Output != pipe {
		t.Errorf("printed %+v, the reader got %d bytes; want the file's %d bytes", res, len(file), len(want))
	}
	fifotest.IsPipe(t, pipe)
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only the pipe", len(entries))
	}
}

// TestExportOutputIsStandardOutput: an --output that names the file standard
// output is (/dev/stdout, /dev/fd/1, or its name) is --output -: the file,
// whole, and no JSON answer after it in the same stream.
func TestExportOutputIsStandardOutput(t *testing.T) {
	useCredentials(t, credToken)
	s := newFake(t)
	name := filepath.Join(t.TempDir(), "out.csv")
	stdout, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	output := "/dev/fd/" + strconv.Itoa(int(stdout.Fd()))
	if _, err := os.Stat(output); err != nil {
		t.Skipf("no %s here: %v", output, err)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), append(append([]string{"export"}, at(s)...),
		"--category", "host", "--event-id", "case-5", "--output", output, "--poll-interval", "20ms"),
		strings.NewReader(""), stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr.String())
	}
	tasks := s.Tasks()
	if len(tasks) != 1 {
		t.Fatalf("the fake has %d tasks", len(tasks))
	}
	want, _ := s.ExportCSV(tasks[0].ID)
	if got, _ := os.ReadFile(name); len(want) == 0 || string(got) != string(want) {
		t.Errorf("standard output holds %q, want only the file %q", got, want)
	}
}
