//go:build !unix

package interop

import "time"

// ProcessCPUTime is not measured outside Unix: ok is always false.
func ProcessCPUTime() (d time.Duration, ok bool) { return 0, false }
