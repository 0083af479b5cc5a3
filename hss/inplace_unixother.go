//go:build unix && !linux

package hss

import "strings"

// onProcfs says whether dir is under /proc, where the systems that have
// procfs mount it.
func onProcfs(dir string) bool { return strings.HasPrefix(dir, "/proc/") }
