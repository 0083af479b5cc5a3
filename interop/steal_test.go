package interop

import (
	"math"
	"runtime"
	"testing"
	"time"
)

func TestParseCPUTimes(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want CPUTimes
		ok   bool
	}{
		{"with guest columns", "cpu  100 2 30 400 5 0 6 70 9 1\ncpu0 1 2 3 4\n", CPUTimes{Steal: 70, Total: 613}, true},
		{"no steal column", "cpu  100 0 30 400\n", CPUTimes{Total: 530}, true},
		{"per-cpu line only", "cpu0 1 2 3 4 5 6 7 8\n", CPUTimes{}, false},
		{"not a number", "cpu  1 x 3 4 5\n", CPUTimes{}, false},
		{"empty", "", CPUTimes{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseCPUTimes([]byte(tt.stat))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: ParseCPUTimes = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStealPercent(t *testing.T) {
	a := CPUTimes{Steal: 100, Total: 1000}
	if pct, ok := StealPercent(a, CPUTimes{Steal: 150, Total: 1200}); !ok || math.Abs(pct-25) > 1e-9 {
		t.Errorf("StealPercent = %v, %v; want 25, true", pct, ok)
	}
	if _, ok := StealPercent(a, a); ok {
		t.Error("StealPercent over no time is ok")
	}
	// Where the benchmarks run (Linux), the machine's times must be
	// readable, or every run would silently lose its steal%.
	if runtime.GOOS == "linux" {
		if ct, ok := ReadCPUTimes(); !ok || ct.Total == 0 {
			t.Errorf("ReadCPUTimes on Linux = %+v, %v; want the times of /proc/stat", ct, ok)
		}
	}
}

func TestProcessCPUTime(t *testing.T) {
	before, ok := ProcessCPUTime()
	if !ok {
		if runtime.GOOS == "linux" {
			t.Fatal("ProcessCPUTime is not readable on Linux")
		}
		t.Skip("no process CPU time on " + runtime.GOOS)
	}
	// Busy work must show as CPU time: 5 ms of it within 5 s of wall time.
	x := 0
	deadline := time.Now().Add(5 * time.Second)
	for after := before; after-before < 5*time.Millisecond; after, _ = ProcessCPUTime() {
		if time.Now().After(deadline) {
			t.Fatalf("ProcessCPUTime went from %v to %v in 5 s of busy work", before, after)
		}
		for i := range 100000 {
			x += i
		}
	}
	_ = x
}
