//go:build !unix

package hss

import (
	"context"
	"os"
	"path/filepath"
)

// fileTarget says where the file at path goes: where its symbolic links
// lead, when it is one. These systems have no links to open files.
func fileTarget(path string, _ os.FileInfo) (output, error) {
	if lst, err := os.Lstat(path); err != nil || lst.Mode().Type() != os.ModeSymlink {
		return output{target: path, fd: -1}, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return output{}, err
	}
	return output{target: target, fd: -1}, nil
}

// openInPlace opens path to append to it.
func openInPlace(_ context.Context, path string, _ int) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
}
