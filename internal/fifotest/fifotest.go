//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fifotest

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Reader makes a named pipe at dir/name and reads it whole in the
// background. It returns the pipe's path, and a function that waits for
// what was read (failing the test after 10 s without an end of file). It
// skips the test where named pipes cannot be made.
func Reader(t testing.TB, dir, name string) (string, func() []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(path) // waits for a writer
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	return path, func() []byte {
		t.Helper()
		return Wait(t, got, "the pipe's reader got no end of file")
	}
}

// Wait returns what done brings, failing the test with stuck after 10 s
// without it: for a write or open that must end, and without which the
// test would hang.
func Wait[T any](t testing.TB, done <-chan T, stuck string) T {
	t.Helper()
	select {
	case v := <-done:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal(stuck)
		var zero T
		return zero
	}
}

// IsPipe fails the test unless path is still a named pipe.
func IsPipe(t testing.TB, path string) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil || st.Mode().Type() != os.ModeNamedPipe {
		t.Errorf("%s is no longer a named pipe: %v, %v", path, st, err)
	}
}
