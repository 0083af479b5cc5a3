//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package hss_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
	"github.com/openhss/hss-go/internal/fifotest"
)

// TestExportToFileWritesAPipeInPlace: a path that is not a file (a named
// pipe here; /dev/null, /dev/stdout, a shell's >(...) alike) is written as
// the file streams, and stays what it was: a rename would have replaced it
// with a file that nobody reads (as root, even /dev/null), and the pipe's
// reader would have waited for ever.
func TestExportToFileWritesAPipeInPlace(t *testing.T) {
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	cols := hss.ExportColumns{{"event_id", "Alarm ID"}, {"event_name", "Alarm name"}}

	t.Run("export", func(t *testing.T) {
		c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
		dir := t.TempDir()
		path, read := fifotest.Reader(t, dir, "pipe")
		var done []int64
		task, err := c.ExportToFile(context.Background(), path, params, cols, &hss.ExportOptions{
			PollInterval: time.Millisecond,
			Progress: func(p hss.ExportProgress) {
				if p.Stage == hss.StageDone {
					done = append(done, p.Bytes)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := read()
		want, _ := s.ExportCSV(*task.TaskId)
		if string(got) != string(want) || !strings.HasPrefix(string(got), "Alarm ID,Alarm name\n") {
			t.Errorf("the pipe's reader got %q, want the file %q", got, want)
		}
		if len(done) != 1 || done[0] != int64(len(want)) {
			t.Errorf("StageDone reports %v, want one of %d bytes", done, len(want))
		}
		fifotest.IsPipe(t, path)
		assertOnlyFile(t, dir, "pipe")
	})

	t.Run("resume, cut off", func(t *testing.T) {
		c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
		res, err := c.ExportEvents(context.Background(), params, cols)
		if err != nil {
			t.Fatal(err)
		}
		s.InjectFault(hsstest.Fault{Path: "/v5/" + s.ProjectID() + "/download/", CutAfter: 10})
		dir := t.TempDir()
		path, read := fifotest.Reader(t, dir, "pipe")
		_, err = c.ResumeExportToFile(context.Background(), path, *res.TaskId, "", &hss.ExportOptions{PollInterval: time.Millisecond})
		var ee *hss.ExportError
		if !errors.As(err, &ee) || ee.TaskID != *res.TaskId || ee.Stage != hss.StageDownloading {
			t.Fatalf("err = %v, want an ExportError of task %s while downloading", err, *res.TaskId)
		}
		// What went into the pipe cannot be taken back: Written says so.
		if got := read(); ee.Written != 10 || len(got) != 10 {
			t.Errorf("Written = %d, the reader got %d bytes; want 10 and 10", ee.Written, len(got))
		}
		fifotest.IsPipe(t, path)
		assertOnlyFile(t, dir, "pipe")
	})
}

// TestExportToFileThroughASymlink: a symbolic link to a file has the file
// replaced, and stays a link.
func TestExportToFileThroughASymlink(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	dir, other := t.TempDir(), t.TempDir()
	target := filepath.Join(other, "events.csv")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	task, err := c.ExportToFile(context.Background(), link, params, hss.ExportColumns{{"event_id", "Alarm ID"}},
		&hss.ExportOptions{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode().Type() != os.ModeSymlink {
		t.Errorf("%s is no longer a symbolic link: %v, %v", link, st, err)
	}
	got, _ := os.ReadFile(target)
	want, _ := s.ExportCSV(*task.TaskId)
	if string(got) != string(want) {
		t.Errorf("the link's file holds %q, want %q", got, want)
	}
	assertOnlyFile(t, dir, "latest.csv")
	assertOnlyFile(t, other, "events.csv")
}

// TestExportToFileOpenFileOfAProcess: /dev/fd/N (as /dev/stdout, a link to
// /proc/self/fd/1, and a shell's >(...)) names a file a process has open.
// When that is a file, it is written in place, not replaced: a rename
// would put a new file at its name and leave the process writing to the
// old one, with what it held before gone.
func TestExportToFileOpenFileOfAProcess(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	name := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(name, []byte("an earlier line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Open only to read: the file is opened by its path, and appended to
	// (this process's own writable descriptor is written through; see
	// TestExportToFileOwnDescriptor).
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, _ := f.Stat()
	path := "/dev/fd/" + strconv.Itoa(int(f.Fd()))
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s here: %v", path, err)
	}
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	task, err := c.ExportToFile(context.Background(), path, params, hss.ExportColumns{{"event_id", "Alarm ID"}},
		&hss.ExportOptions{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.ExportCSV(*task.TaskId)
	got, _ := os.ReadFile(name)
	if string(got) != "an earlier line\n"+string(want) {
		t.Errorf("%s holds %q, want the earlier line and then the file", name, got)
	}
	if after, err := os.Stat(name); err != nil || !os.SameFile(before, after) || after.Mode() != before.Mode() {
		t.Errorf("%s was replaced: %v, %v (was %v)", name, after, err, before)
	}
}

// TestExportToFileOwnDescriptor: /dev/fd/N of this process's own
// descriptor is written through it, where the process's own writes go (a
// shell's >&N), not from a new offset of the file: a file opened without
// append (a shell's >) gets what was written before, the file, and what
// the process writes after, in that order.
func TestExportToFileOwnDescriptor(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	name := filepath.Join(t.TempDir(), "out.txt")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path := "/dev/fd/" + strconv.Itoa(int(f.Fd()))
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s here: %v", path, err)
	}
	if _, err := f.WriteString("before\n"); err != nil {
		t.Fatal(err)
	}
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	task, err := c.ExportToFile(context.Background(), path, params, hss.ExportColumns{{"event_id", "Alarm ID"}},
		&hss.ExportOptions{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("after\n"); err != nil {
		t.Fatal(err)
	}
	want, _ := s.ExportCSV(*task.TaskId)
	if got, _ := os.ReadFile(name); string(got) != "before\n"+string(want)+"after\n" {
		t.Errorf("%s holds %q, want the line before, the file, the line after", name, got)
	}
	if _, err := f.Stat(); err != nil {
		t.Errorf("the descriptor was closed: %v", err)
	}
}

// TestExportToFileDanglingSymlink: a link to a file that does not exist yet
// has that file made, as a shell's > makes it, and stays a link.
func TestExportToFileDanglingSymlink(t *testing.T) {
	c, _ := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	dir, other := t.TempDir(), t.TempDir()
	link := filepath.Join(dir, "latest.csv")
	if err := os.Symlink(filepath.Join("..", filepath.Base(other), "events.csv"), link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	params := hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"}
	if _, err := c.ExportToFile(context.Background(), link, params, hss.ExportColumns{{"event_id", "Alarm ID"}},
		&hss.ExportOptions{PollInterval: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode().Type() != os.ModeSymlink {
		t.Errorf("%s is no longer a symbolic link: %v, %v", link, st, err)
	}
	if got, err := os.ReadFile(filepath.Join(other, "events.csv")); err != nil || !strings.HasPrefix(string(got), "Alarm ID\n") {
		t.Errorf("the link's file: %q, %v", got, err)
	}
}

// TestExportToFilePipeWithoutReader: a named pipe nobody reads is waited
// for up to the context's end, and nothing is sent.
func TestExportToFilePipeWithoutReader(t *testing.T) {
	c, s := fakeClient(t, hsstest.Options{ExportDuration: -1}, nil)
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.ExportToFile(ctx, path, hss.ExportEventsParams{Category: hss.CategoryHost, EventId: "case-1"},
			hss.ExportColumns{{"event_id", "Alarm ID"}}, nil)
		done <- err
	}()
	if err := fifotest.Wait(t, done, "ExportToFile still waits for the pipe's reader, past its context's deadline"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	fifotest.IsPipe(t, path)
}
