//go:build unix

package hss

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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
		_, err := writeInPlace(ctx, path, "", func() { t.Error("done reported") }, func(w io.Writer) (*ExportTask, error) {
			var err error
			n, err = w.Write(big)
			return &ExportTask{}, err
		})
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		if !errors.Is(res.err, context.DeadlineExceeded) || res.n == 0 || res.n >= len(big) {
			t.Errorf("wrote %d bytes, err = %v; want part of them, and the context's deadline", res.n, res.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write still waits for the pipe's reader, past its context's deadline")
	}
}
