//go:build linux || darwin || freebsd || netbsd || dragonfly

package hss

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openhss/hss-go/internal/fifotest"
)

// TestWriteInPlaceStalledReader: a named pipe whose reader stops reading
// fills, and the write waiting on it ends when the context does, with the
// context's error and what the pipe took counted.
func TestWriteInPlaceStalledReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0) // a reader that never reads
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	big := make([]byte, 8<<20) // more than any pipe holds
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		var n int
		_, err := writeInPlace(ctx, path, -1, "", func() { t.Error("done reported") }, func(w io.Writer) (*ExportTask, error) {
			var err error
			n, err = w.Write(big)
			return &ExportTask{}, err
		})
		done <- result{n, err}
	}()
	res := fifotest.Wait(t, done, "the write still waits for the pipe's reader, past its context's deadline")
	if !errors.Is(res.err, context.DeadlineExceeded) || res.n >= len(big) {
		t.Errorf("wrote %d bytes, err = %v; want part of them (or none, on a slow machine), and the context's deadline", res.n, res.err)
	}
}

// TestOutputTarget: where ExportToFile puts its file, through symbolic
// links resolved as the kernel resolves them (each relative link's ".."
// after the links before it), and which links name an open file.
func TestOutputTarget(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := func(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }
	for _, d := range []string{"real/d", "a", "realdir/sub", "fd"} {
		if err := os.MkdirAll(at(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Skipf("cannot set up: %v", err)
		}
	}
	must(os.Symlink(at("real", "d"), at("a", "sub")))
	must(os.Symlink("sub/../target", at("a", "out")))                  // the kernel: real/target
	must(os.WriteFile(at("a", "target"), nil, 0o600))                  // what a text join would find
	must(syscall.Mkfifo(at("real", "target"), 0o600))                  // what is there
	must(os.Symlink("../out.csv", at("realdir", "sub", "latest.csv"))) // dangles
	must(os.Symlink(at("realdir", "sub"), at("alias")))
	must(os.Symlink("/proc", at("p")))
	must(os.WriteFile(at("file.csv"), nil, 0o600))
	must(os.Symlink("file.csv", at("link.csv")))

	must(os.Symlink("/proc/self/root"+at("file.csv"), at("via-root.csv")))
	ro, err := os.Open(at("file.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	f, err := os.CreateTemp(root, "open-*")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	n := strconv.Itoa(fd)

	for _, c := range []struct {
		path string
		want output
	}{
		{at("a", "out"), output{inPlace: true, fd: -1}},                               // a pipe, through sub/..
		{at("alias", "latest.csv"), output{target: at("realdir", "out.csv"), fd: -1}}, // made where the link leads
		{at("link.csv"), output{target: at("file.csv"), fd: -1}},
		{at("new.csv"), output{target: at("new.csv"), fd: -1}},
		{"/dev/fd/" + n, output{inPlace: true, fd: fd}},
		{"/proc/self/fd/" + n, output{inPlace: true, fd: fd}},
		{at("p", "self", "fd", n), output{inPlace: true, fd: fd}},                                                  // procfs through a link
		{at("fd", n), output{target: at("fd", n), fd: -1}},                                                         // a directory named fd is only that
		{"/proc/self/root" + at("fd", "out.csv"), output{target: "/proc/self/root" + at("fd", "out.csv"), fd: -1}}, // as given: the kernel resolves it
		{at("via-root.csv"), output{target: at("file.csv"), fd: -1}},                                               // procfs's root link: the same directory here
		{"/proc/self/fd/" + strconv.Itoa(int(ro.Fd())), output{inPlace: true, fd: -1}},                             // open only to read: by its path
	} {
		if strings.HasPrefix(c.path, "/proc/") || strings.HasPrefix(c.path, "/dev/fd/") {
			if _, err := os.Stat(filepath.Dir(filepath.Dir(c.path))); err != nil {
				t.Logf("skipped %s: %v", c.path, err) // no procfs, or no /dev/fd
				continue
			}
		}
		got, err := outputTarget(c.path)
		if err != nil || got != c.want {
			t.Errorf("outputTarget(%s) = %+v, %v; want %+v", c.path, got, err, c.want)
		}
	}
	if _, err := outputTarget(at("real", "d")); err == nil {
		t.Error("a directory is not refused")
	}
	// A link into procfs that is not an open file (here the test binary, by
	// /proc/self/exe) is refused: followed by its text, it could lead
	// elsewhere than the kernel's way (a container's root).
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		must(os.Symlink("/proc/self/exe", at("exe-link")))
		if out, err := outputTarget(at("exe-link")); err == nil || !strings.Contains(err.Error(), "only the kernel can follow") {
			t.Errorf("a link to /proc/self/exe: %+v, %v; want it refused", out, err)
		}
	}
	must(os.Symlink("loop", at("loop")))
	if _, err := outputTarget(at("loop")); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("a link to itself: %v", err)
	}
}

// TestOpenInPlaceBlocksUnlessPolled: a descriptor opened non-blocking that
// the runtime does not poll (a file here; a named pipe on macOS) is made
// blocking again, or a write to it would fail with EAGAIN when it is full
// instead of waiting; one it polls (a named pipe on Linux) stays as the
// runtime keeps it, and takes deadlines.
func TestOpenInPlaceBlocksUnlessPolled(t *testing.T) {
	nonblocking := func(f *os.File) bool {
		t.Helper()
		rc, err := f.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var flags uintptr
		var errno syscall.Errno
		if err := rc.Control(func(fd uintptr) {
			flags, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		}); err != nil || errno != 0 {
			t.Fatal(err, errno)
		}
		return flags&syscall.O_NONBLOCK != 0
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := openInPlace(context.Background(), file, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if nonblocking(f) {
		t.Error("a file is left non-blocking, and not polled")
	}
}

// TestWriteInPlaceOwnBlockingPipe: this process's own pipe, blocking as a
// shell makes it (>(gzip > f.gz) is /dev/fd/63), is opened by its path,
// so that the runtime polls it and the context ends a write its reader
// does not take; a duplicate of the blocking descriptor would not.
func TestWriteInPlaceOwnBlockingPipe(t *testing.T) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
	defer r.Close()
	defer w.Close()
	path := "/dev/fd/" + strconv.Itoa(fds[1])
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s here: %v", path, err)
	}
	out, err := outputTarget(path)
	if err != nil || out != (output{inPlace: true, fd: -1}) {
		t.Fatalf("outputTarget(%s) = %+v, %v; want in place, by its path", path, out, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := writeInPlace(ctx, path, out.fd, "", func() {}, func(w io.Writer) (*ExportTask, error) {
			_, err := w.Write(make([]byte, 8<<20)) // more than the pipe holds; nobody reads
			return &ExportTask{}, err
		})
		done <- err
	}()
	if err := fifotest.Wait(t, done, "the write still waits for the pipe's reader, past its context's deadline"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}

// TestWriteFileWholeOverAMountPoint: a file that is a mount point (a file
// bind-mounted into a container) refuses the rename with EBUSY; the file,
// complete, is copied into it, and no temporary file is left.
func TestWriteFileWholeOverAMountPoint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("an older, longer file than the new one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	defer func(r func(string, string) error) { rename = r }(rename)
	rename = func(from, to string) error {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.EBUSY}
	}
	done := 0
	_, err := writeFileWhole(context.Background(), path, "", func() { done++ }, func() error { return nil },
		func(w io.Writer) (*ExportTask, error) {
			_, err := io.WriteString(w, "Alarm ID\n1\n")
			return &ExportTask{}, err
		})
	if err != nil || done != 1 {
		t.Fatalf("err = %v, done reported %d times", err, done)
	}
	if got, _ := os.ReadFile(path); string(got) != "Alarm ID\n1\n" {
		t.Errorf("%s holds %q, want the new file", path, got)
	}
	if after, _ := os.Stat(path); !os.SameFile(before, after) {
		t.Error("the mount point was replaced")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%s holds %d entries, want only the file", dir, len(entries))
	}
}

// TestOutputTargetRefusesASocket: a socket cannot be opened to write a
// file to: refused, naming the path, before anything is sent.
func TestOutputTargetRefusesASocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("no Unix sockets here: %v", err)
	}
	defer l.Close()
	var ve *ValidationError
	if _, err := outputTarget(path); !errors.As(err, &ve) || ve.Field != "path" {
		t.Errorf("err = %v, want a ValidationError of path", err)
	}
}
