//go:build !unix

package hss

import (
	"context"
	"os"
)

// openFileLink reports no link to an open file: these systems have none
// that a path names.
func openFileLink(dir, name string) (fd int, ok bool) { return -1, false }

// openInPlace opens path to append to it.
func openInPlace(_ context.Context, path string, _ int) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
}
