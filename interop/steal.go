package interop

import (
	"bytes"
	"os"
	"strconv"
)

// CPUTimes is the machine's CPU time so far, from the first line of
// /proc/stat, in clock ticks: Steal is the time the hypervisor ran something
// else on this virtual machine's CPUs while they had work; Total is every
// kind of time, steal included.
type CPUTimes struct {
	Steal, Total uint64
}

// ReadCPUTimes reads /proc/stat. ok is false where there is none (outside
// Linux) or it cannot be read.
func ReadCPUTimes() (t CPUTimes, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
	}
	return ParseCPUTimes(b)
}

// ParseCPUTimes reads the aggregate "cpu" line of a /proc/stat text:
//
//	cpu  user nice system idle iowait irq softirq steal guest guest_nice
//
// guest and guest_nice are already counted in user and nice, so Total
// leaves them out. ok is false when the line is missing or malformed; a
// kernel that shows no steal column counts no steal.
func ParseCPUTimes(stat []byte) (t CPUTimes, ok bool) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 5 || string(f[0]) != "cpu" {
		return t, false
	}
	for i, field := range f[1:] {
		if i >= 8 {
			break // guest, guest_nice
		}
		v, err := strconv.ParseUint(string(field), 10, 64)
		if err != nil {
			return CPUTimes{}, false
		}
		t.Total += v
		if i == 7 {
			t.Steal = v
		}
	}
	return t, true
}

// StealPercent is the share of the CPU time from a to b that was stolen,
// in percent; ok is false when no time passed.
func StealPercent(a, b CPUTimes) (pct float64, ok bool) {
	if b.Total <= a.Total || b.Steal < a.Steal {
		return 0, false
	}
	return 100 * float64(b.Steal-a.Steal) / float64(b.Total-a.Total), true
}
