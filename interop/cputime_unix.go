//go:build unix

package interop

import (
	"syscall"
	"time"
)

// ProcessCPUTime is the CPU time this process has used so far, user and
// system, in all its threads. On Linux it leaves out the time the
// hypervisor stole from the process's vCPUs, so that a CPU time per call
// measures what a call costs, however crowded the host. ok is false when
// it cannot be read.
func ProcessCPUTime() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
