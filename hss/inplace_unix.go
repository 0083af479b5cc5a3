//go:build unix

package hss

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// pipeReaderPoll is how often openInPlace tries again to open a named
// pipe that has no reader yet.
const pipeReaderPoll = 20 * time.Millisecond

// maxLinks is how many symbolic links fileTarget follows, as Linux does.
const maxLinks = 40

// fileTarget says where the file at path goes, st being what the kernel
// says path is (a file), or nil (nothing there yet). A path that is not a
// symbolic link is replaced or made as it is: the kernel resolves its
// directories, procfs's included (/proc/PID/root/... is a container's
// file). Through symbolic links, the file they lead to is, followed one by
// one, each relative one from its directory as the kernel finds it: a
// directory resolved by text (filepath.EvalSymlinks) must be the one the
// kernel finds, which procfs's links (a container's root) are not. One of
// them that is a process's open file (/dev/stdout is a link to
// /proc/self/fd/1) is written in place: a rename would replace it and take
// it from the process; it is written through this process's descriptor
// when that is the same file and open for writing (as a shell's >&N: the
// offset shared, so the process's own writes stay in order), else by its
// path, appended to. Another link through procfs is refused, not guessed.
func fileTarget(path string, st os.FileInfo) (output, error) {
	lst, err := os.Lstat(path)
	if err != nil || lst.Mode().Type() != os.ModeSymlink {
		return output{target: path, fd: -1}, nil
	}
	kernelOnly := func(dir string) error {
		return fmt.Errorf("%s leads through %s, which only the kernel can follow: give the file's own path", path, dir)
	}
	p := path
	for links := 0; ; links++ {
		dir, name := filepath.Split(p)
		if dir == "" {
			dir = "."
		}
		if n, ok := openFileLink(dir, name); ok {
			return output{inPlace: true, fd: ownDescriptor(n, st)}, nil
		}
		if onProcfs(dir) {
			return output{}, kernelOnly(dir)
		}
		rdir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return output{}, err
		}
		if a, err := os.Stat(dir); err != nil {
			return output{}, err
		} else if b, err := os.Stat(rdir); err != nil || !os.SameFile(a, b) {
			return output{}, kernelOnly(dir)
		}
		q := filepath.Join(rdir, name)
		lst, err := os.Lstat(q)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return output{target: q, fd: -1}, nil // made there: the dangling link's file
		case err != nil:
			return output{}, err
		case lst.Mode().Type() != os.ModeSymlink:
			return output{target: q, fd: -1}, nil
		case links == maxLinks:
			return output{}, fmt.Errorf("%s: too many levels of symbolic links", path)
		}
		to, err := os.Readlink(q)
		if err != nil {
			return output{}, err
		}
		if !filepath.IsAbs(to) {
			to = rdir + string(filepath.Separator) + to // not cleaned: the next turn resolves its directory
		}
		p = to
	}
}

// openFileLink says whether dir/name is a link to an open file of a
// process, and its descriptor number: a number in /dev/fd (a directory of
// its own on BSDs and macOS; on Linux a link to /proc/self/fd) or in a
// directory named fd on procfs (/proc/PID/fd, /proc/PID/task/TID/fd).
func openFileLink(dir, name string) (int, bool) {
	n, err := strconv.Atoi(name)
	if err != nil || n < 0 || name != strconv.Itoa(n) {
		return -1, false
	}
	clean := filepath.Clean(dir)
	if filepath.Base(clean) != "fd" {
		return -1, false
	}
	return n, clean == "/dev/fd" || onProcfs(dir)
}

// ownDescriptor returns n when this process's descriptor n is open for
// writing on st, a file (whose offset the descriptor's writes share), and
// -1 otherwise: the link then names another process's descriptor, or a
// file this one has open only to read, and the file is opened by its path.
// Whose descriptor a link names, its path cannot say across pid
// namespaces; the file it is open on can. (Where the syscall package
// cannot read a descriptor's flags, OpenBSD, the file is opened by path.)
func ownDescriptor(n int, st os.FileInfo) int {
	if st == nil || !st.Mode().IsRegular() {
		return -1
	}
	var own syscall.Stat_t
	if err := syscall.Fstat(n, &own); err != nil {
		return -1
	}
	want, ok := st.Sys().(*syscall.Stat_t)
	if !ok || uint64(own.Dev) != uint64(want.Dev) || uint64(own.Ino) != uint64(want.Ino) {
		return -1
	}
	flags, err := fcntlFlags(n)
	if err != nil || flags&syscall.O_ACCMODE == syscall.O_RDONLY {
		return -1
	}
	return n
}

// fcntlFlags returns descriptor n's file status flags (F_GETFL).
func fcntlFlags(n int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(n), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
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
