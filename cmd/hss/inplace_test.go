//go:build unix

package main

import (
	"encoding/json"
	"os"
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
