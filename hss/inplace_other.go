//go:build !unix

package hss

import (
	"context"
	"os"
)

// openInPlace opens path to append to it.
func openInPlace(_ context.Context, path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
}
