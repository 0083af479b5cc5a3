package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkExport/ours/aksk-2     1000   60000 ns/op   9000 B/op   120 allocs/op
BenchmarkExport/ours/aksk-2     1000   80000 ns/op   9000 B/op   122 allocs/op
BenchmarkExport/ours/aksk-2     1000   70000 ns/op   9000 B/op   121 allocs/op
BenchmarkExport/floor/aksk-2    1000   50000 ns/op   40000 cpu-ns/op   7000 B/op    60 allocs/op
BenchmarkExport/sdk/aksk-2      1000  200000 ns/op  28000 B/op   390 allocs/op
BenchmarkSign/export-2        100000    6000 ns/op   3000 cpu-ns/op   12.5 steal%   1000 B/op    11 allocs/op
BenchmarkExport/sdk/aksk-2      1000  200000 ns/op   0.5 steal%  28000 B/op   390 allocs/op
BenchmarkConcurrent/ours/token/g=64-2  5000  40000 ns/op  25000 req/s  64.00 conns  0 new-conns  1.000 tokens  9000 B/op  104 allocs/op
BenchmarkConcurrent/ours/token/g=4-2   5000  50000 ns/op  20000 req/s   4.00 conns  4 new-conns  1.000 tokens  9000 B/op  104 allocs/op
BenchmarkExport/ours/aksk-2   --- FAIL: a log line
PASS
`

// parsed is the benchmark output in input, read.
func parsed(t *testing.T, input string) map[string]*samples {
	t.Helper()
	res := map[string]*samples{}
	if err := parse(strings.NewReader(input), res); err != nil {
		t.Fatal(err)
	}
	return res
}

// table is write's output for res.
func table(res map[string]*samples) string {
	var out strings.Builder
	write(&out, res)
	return out.String()
}

// assertHas fails t for each of wants that s lacks.
func assertHas(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(s, want) {
			t.Errorf("the table lacks %q:\n%s", want, s)
		}
	}
}

func TestTable(t *testing.T) {
	res := parsed(t, sample)
	if got := res["Export/ours/aksk"].values["ns/op"]; len(got) != 3 {
		t.Fatalf("read %v for Export/ours/aksk, want 3 runs", got)
	}
	s := table(res)
	assertHas(t, s,
		// The median of 60000, 80000 and 70000, and its ratios.
		"| ExportEvents | this client, AK/SK | 3 | 70000 |  | 9000 | 121 | 1.40× (1.40×) | 0.35× (0.35×) | +61 |",
		"| ExportEvents | net/http floor, AK/SK | 1 | 50000 | 40000 | 7000 | 60 |  | 0.25× (0.25×) |  |",
		"time 1.40× the floor (target ≤ 1.3×) **missed**",
		"allocations: the floor+61 (target ≤ +50) **missed**",
		"time 0.35× the official SDK (target ≤ 0.5×) ok; for the same bytes, the net/http floor is 0.25×\n",
		"3000 ns of CPU time (6000 ns of wall time, 12% steal) (target ≤ 5000) ok",
		"| this client, token | 4 | 1 | 20000 | 50000 | 104 | 4 | 4 | 1 |",
		"| this client, token | 64 | 1 | 25000 | 40000 | 104 | 64 | 0 | 1 |",
		"2 target(s) missed.\n", // a quiet host: no warning
		"median 6.5%, at most 12.5%; 1 of 2 runs above 10%.",
	)
	if strings.Index(s, "| 4 | 1 |") > strings.Index(s, "| 64 | 1 |") {
		t.Errorf("goroutine counts out of order:\n%s", s)
	}
}

// TestSDKBound checks the wire's row and the bound that the floor and the
// wire put on the ratio to the official SDK: when this client missed the
// target and the floor itself is above it, the verdict says so.
func TestSDKBound(t *testing.T) {
	const rounds = `
BenchmarkHandle/ours/aksk-2   1000   66000 ns/op   7600 B/op   84 allocs/op
BenchmarkHandle/sdk/aksk-2    1000  100000 ns/op  19000 B/op  236 allocs/op
BenchmarkHandle/floor/aksk-2  1000   60000 ns/op   6400 B/op   77 allocs/op
BenchmarkHandle/wire/aksk-2   1000   45000 ns/op   2800 B/op   30 allocs/op
`
	assertHas(t, table(parsed(t, rounds)),
		"| HandleEvents | net/http floor, AK/SK | 1 | 60000 |  | 6400 | 77 |  | 0.60× (0.60×) |  |",
		"| HandleEvents | the wire, no HTTP client, AK/SK | 1 | 45000 |  | 2800 | 30 | 0.75× (0.75×) | 0.45× (0.45×) | -47 |",
		"time 0.66× the official SDK (target ≤ 0.5×) **missed**; for the same bytes, the net/http floor is 0.60× and the wire 0.45×: the floor is above 0.5× too, so a client sending these requests through net/http's transport should not expect to meet it here\n",
	)

	// A client that met the target is not told it could not.
	assertHas(t, table(parsed(t, strings.Replace(rounds, "66000 ns/op", "49000 ns/op", 1))),
		"time 0.49× the official SDK (target ≤ 0.5×) ok; for the same bytes, the net/http floor is 0.60× and the wire 0.45×\n")
}

// TestCrowdedHostVerdict: with a median steal above stealNoisy, the
// verdict says it is not reliable.
func TestCrowdedHostVerdict(t *testing.T) {
	res := parsed(t, strings.ReplaceAll(sample, "0.5 steal%", "30 steal%"))
	var out strings.Builder
	write(&out, res)
	if want := "2 target(s) missed. On a crowded host (median steal 21%): the verdicts are not reliable"; !strings.Contains(out.String(), want) {
		t.Errorf("the verdict lacks %q:\n%s", want, out.String())
	}
}

// TestPairedRatio checks that benchmarks run in every round are compared
// round by round: the median of the per-round ratios, not the ratio of the
// medians, which mixes rounds run under different loads.
func TestPairedRatio(t *testing.T) {
	const rounds = `
BenchmarkHandle/ours/aksk-2   1000   60000 ns/op   9000 B/op   90 allocs/op
BenchmarkHandle/floor/aksk-2  1000   50000 ns/op   7000 B/op   77 allocs/op
BenchmarkHandle/ours/aksk-2   1000   80000 ns/op   9000 B/op   90 allocs/op
BenchmarkHandle/floor/aksk-2  1000   70000 ns/op   7000 B/op   77 allocs/op
BenchmarkHandle/floor/aksk-2  1000   45000 ns/op   7000 B/op   77 allocs/op
BenchmarkHandle/ours/aksk-2   1000   70000 ns/op   9000 B/op   90 allocs/op
`
	res := parsed(t, rounds)
	// Per round: 1.20, 1.14, 1.56; median 1.20. Medians: 70000 / 50000 = 1.40.
	if r, ok := ratio(res, "Handle/ours/aksk", "Handle/floor/aksk"); !ok || r != 1.2 {
		t.Errorf("ratio = %v, %v; want 1.2, true", r, ok)
	}
	assertHas(t, table(res),
		"| HandleEvents | this client, AK/SK | 3 | 70000 |  | 9000 | 90 | 1.20× (1.40×) |  | +13 |",
		"time 1.20× the floor (rounds 1.14-1.56×, 2 of 3 within; target ≤ 1.3×) ok",
	)
	if _, ok := ratio(res, "Handle/ours/aksk", "Handle/sdk/aksk"); ok {
		t.Error("a ratio to a benchmark that did not run")
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{4, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestConcurrencyChecks: the verdicts on the concurrency benchmark, for
// this client's runs only, each failing on its own.
func TestConcurrencyChecks(t *testing.T) {
	// One run per goroutine count: g, requests/s, connections opened,
	// tokens fetched.
	runs := func(client string, rows ...[4]string) string {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString("BenchmarkConcurrent/" + client + "/g=" + r[0] + "-2  5000  40000 ns/op  " + r[1] + " req/s  1 conns  " + r[2] + " new-conns  " + r[3] + " tokens  9000 B/op  100 allocs/op\n")
		}
		return b.String()
	}
	good := runs("ours/token", [4]string{"1", "10000", "1", "1"}, [4]string{"4", "15000", "4", "1"}, [4]string{"16", "16000", "20", "1"}, [4]string{"64", "13000", "80", "1"})
	for _, c := range []struct {
		name, input string
		want        []string // lines of the Targets list
	}{
		{"held", good, []string{
			"goroutines sharing this client, token: connections opened 1, 4, 20, 80 for 1, 4, 16, 64 goroutines (target ≤ 2 per goroutine) ok",
			"goroutines sharing this client, token: tokens fetched 1, 1, 1, 1 for 1, 4, 16, 64 goroutines (at most in a run; target 1) ok",
			"goroutines sharing this client, token: requests/s 10000, 15000, 16000, 13000 for 1, 4, 16, 64 goroutines; per round, 16 goroutines carry 1.60× one goroutine's, and 64 keep 81% of that (target ≥ 1.2×, ≥ 80%) ok",
		}},
		{"a connection per request", strings.Replace(good, "80 new-conns", "3000 new-conns", 1), []string{
			"connections opened 1, 4, 20, 3000 for 1, 4, 16, 64 goroutines (target ≤ 2 per goroutine) **missed**",
		}},
		{"a second token in one run", good + runs("ours/token", [4]string{"4", "15000", "4", "2"}), []string{
			"tokens fetched 1, 2, 1, 1 for 1, 4, 16, 64 goroutines (at most in a run; target 1) **missed**",
		}},
		{"a token for an AK/SK client", runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"4", "15000", "4", "1"}), []string{
			"goroutines sharing this client, AK/SK: tokens fetched 0, 1 for 1, 4 goroutines (at most in a run; target 0) **missed**",
		}},
		{"throughput that falls", strings.Replace(good, "13000 req/s", "12000 req/s", 1), []string{
			"16 goroutines carry 1.60× one goroutine's, and 64 keep 75% of that (target ≥ 1.2×, ≥ 80%) **missed**",
		}},
		{"throughput that does not grow", runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"4", "11000", "4", "0"}), []string{
			"requests/s 10000, 11000 for 1, 4 goroutines; per round, 4 goroutines carry 1.10× one goroutine's, and no more goroutines ran (target ≥ 1.2×, ≥ 80%) **missed**",
		}},
		// Three rounds whose load drifts: the medians (20000 at 16
		// goroutines, 9500 at 64) would say 48% kept; round by round, 64
		// goroutines kept 95%, 48% and 95% of 16's.
		{"rounds that drift", runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"16", "20000", "16", "0"}, [4]string{"64", "19000", "64", "0"}) +
			runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"16", "20000", "16", "0"}, [4]string{"64", "9500", "64", "0"}) +
			runs("ours/aksk", [4]string{"1", "5000", "1", "0"}, [4]string{"16", "10000", "16", "0"}, [4]string{"64", "9500", "64", "0"}), []string{
			"requests/s 10000, 20000, 9500 for 1, 16, 64 goroutines; per round, 16 goroutines carry 2.00× one goroutine's, and 64 keep 95% of that (target ≥ 1.2×, ≥ 80%) ok",
		}},
		// Medians of per-round ratios need not order as the medians do:
		// 64 goroutines keep 103% of 16's best.
		{"a larger count above the best", runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"16", "20000", "16", "0"}, [4]string{"64", "19000", "64", "0"}) +
			runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"16", "18000", "16", "0"}, [4]string{"64", "18540", "64", "0"}) +
			runs("ours/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"16", "20000", "16", "0"}, [4]string{"64", "20600", "64", "0"}), []string{
			"per round, 16 goroutines carry 2.00× one goroutine's, and 64 keep 103% of that (target ≥ 1.2×, ≥ 80%) ok",
		}},
		{"no run with one goroutine", runs("ours/aksk", [4]string{"4", "10000", "4", "0"}, [4]string{"16", "11000", "16", "0"}), []string{
			"per round, 16 goroutines carry 1.10× 4 goroutines', and no more goroutines ran (target ≥ 1.2×, ≥ 80%) **missed**",
		}},
		{"the SDK is not judged", good + runs("sdk/aksk", [4]string{"1", "10000", "1", "0"}, [4]string{"4", "4000", "900", "0"}), []string{
			"Every target met.",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := parsed(t, c.input)
			var out strings.Builder
			write(&out, res)
			for _, want := range c.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
