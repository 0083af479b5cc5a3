//go:build unix

package hss

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// pipeReaderPoll is how often openInPlace tries again to open a named
// pipe that has no reader yet.
const pipeReaderPoll = 20 * time.Millisecond

// openInPlace opens path to append to it. It opens without blocking: a
// named pipe without a reader refuses that (ENXIO), and is tried again
// until it has one or ctx ends, where a blocking open would wait for the
// reader whatever ctx says. The descriptor stays non-blocking, so a pipe
// or terminal is written through the runtime's poller, and takes the
// deadline that ends a write when ctx ends.
func openInPlace(ctx context.Context, path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|syscall.O_NONBLOCK, 0)
		if err == nil || !errors.Is(err, syscall.ENXIO) {
			return f, err
		}
		st, serr := os.Stat(path)
		if serr != nil || st.Mode().Type() != os.ModeNamedPipe {
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
