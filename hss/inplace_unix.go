//go:build unix

package hss

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pipeReaderPoll is how often openInPlace tries again to open a named
// pipe that has no reader yet.
const pipeReaderPoll = 20 * time.Millisecond

// openFileLink says whether dir/name, dir resolved, is a link to an open
// file of a process: name a descriptor number, in /dev/fd or in a process's
// fd directory on procfs. fd is the descriptor when the process is this
// one (/dev/fd, /proc/self/fd and /proc/PID/fd all resolve to it), -1 for
// another process's.
func openFileLink(dir, name string) (fd int, ok bool) {
	n, err := strconv.Atoi(name)
	if err != nil || n < 0 || name != strconv.Itoa(n) || filepath.Base(dir) != "fd" {
		return -1, false
	}
	if dir == "/dev/fd" { // a directory of its own (BSDs, macOS): this process's
		return n, true
	}
	if !onProcfs(dir) {
		return -1, false
	}
	// dir is resolved: /proc/self is /proc/PID, /proc/thread-self
	// /proc/PID/task/TID.
	pid := strconv.Itoa(os.Getpid())
	if strings.HasSuffix(dir, "/"+pid+"/fd") || strings.Contains(dir, "/"+pid+"/task/") {
		return n, true
	}
	return -1, true
}

// openInPlace opens path to write in place: a duplicate of this process's
// descriptor fd when fd is one, else path, to append to it.
//
// path is opened without blocking: a named pipe without a reader refuses
// that (ENXIO), and is tried again until it has one or ctx ends, where a
// blocking open would wait for the reader whatever ctx says. A descriptor
// the runtime can poll (a pipe or terminal, on Linux) stays non-blocking
// and takes deadlines; any other is made blocking again, or its writes
// would fail when it is full instead of waiting.
func openInPlace(ctx context.Context, path string, fd int) (*os.File, error) {
	if fd >= 0 {
		syscall.ForkLock.RLock()
		nfd, err := syscall.Dup(fd)
		if err == nil {
			syscall.CloseOnExec(nfd)
		}
		syscall.ForkLock.RUnlock()
		if err != nil {
			return nil, &os.PathError{Op: "dup", Path: path, Err: err}
		}
		return os.NewFile(uintptr(nfd), path), nil
	}
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|syscall.O_NONBLOCK, 0)
		if err == nil {
			if err := blockUnlessPolled(f); err != nil {
				f.Close()
				return nil, err
			}
			return f, nil
		}
		if !errors.Is(err, syscall.ENXIO) {
			return nil, err
		}
		if st, serr := os.Stat(path); serr != nil || st.Mode().Type() != os.ModeNamedPipe {
			return nil, err // a socket, or a device without its driver
		}
		t := time.NewTimer(pipeReaderPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// blockUnlessPolled makes f's descriptor blocking unless the runtime polls
// it: a descriptor opened non-blocking that the runtime does not poll (a
// named pipe on macOS, a file) would have its writes fail with EAGAIN.
func blockUnlessPolled(f *os.File) error {
	if err := f.SetWriteDeadline(time.Time{}); !errors.Is(err, os.ErrNoDeadline) {
		return nil // polled: it waits in the runtime, and takes deadlines
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
