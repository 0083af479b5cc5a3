#!/usr/bin/env python3
"""perfgroup.py: where two benchmarks' CPU time per call differs, by part of the process.

Each benchmark is recorded with Linux perf's software clock (this host's hypervisor exposes no
hardware counters), kernel included, for example:

    cd interop && go test -c -o /tmp/bench.test .
    perf record -F 4999 -e cpu-clock -o /tmp/aksk.data /tmp/bench.test \
        -test.run '^$' -test.bench 'Handle/ours/aksk$' -test.benchtime 40000x

The samples of each recording are counted in groups (the kernel and its modules; SHA-256 and the
rest of crypto; github.com/openhss/..., which is our client and also the benchmark's own loop,
floor and server code in interop; the Go runtime; net/http with net/textproto, bufio and net; the
vDSO; the rest), and each group's share of the recording's samples is turned into ns per call
with the run's cpu-ns/op, which the benchmark prints:

    python3 perfgroup.py /tmp/aksk.data 87221 /tmp/token.data 72961

It prints, per group, the first recording's ns per call minus the second's, and both; the groups
of each recording add up to its cpu-ns/op.
"""
import subprocess
import sys


def group(dso, sym):
    if dso == "[vdso]":
        return "vdso"
    if dso.startswith("["):  # [kernel.kallsyms] and the kernel's modules
        return "kernel"
    if sym.startswith("github.com/openhss/"):
        return "ours"
    if "crypto" in sym or "sha256" in sym:
        return "crypto"
    if (sym.startswith(("runtime.", "internal/runtime", "gcWrite"))
            or sym in ("aeshashbody", "memeqbody", "indexbytebody")):
        return "runtime"
    if sym.startswith(("net/http", "net/textproto", "bufio", "net.")):
        return "net/http"
    return "other"


def shares(path):
    """Each group's share of the recording's samples, from perf's sample counts."""
    out = subprocess.run(
        ["perf", "report", "-i", path, "--no-children", "--sort", "dso,sym",
         "-g", "none", "-q", "-n", "--percent-limit", "0"],
        capture_output=True, text=True, check=True).stdout
    counts, total = {}, 0
    for line in out.splitlines():
        # percent, samples, dso, [k] or [.], and the symbol, which may have
        # spaces (Go's generic instantiations do).
        fields = line.split(None, 4)
        if len(fields) < 5 or not fields[0].endswith("%") or not fields[1].isdigit():
            continue
        n = int(fields[1])
        g = group(fields[2], fields[4].strip())
        counts[g] = counts.get(g, 0) + n
        total += n
    if total == 0:
        sys.exit("perfgroup.py: no samples in " + path)
    return {g: n / total for g, n in counts.items()}


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    a, b = shares(argv[1]), shares(argv[3])
    ca, cb = float(argv[2]), float(argv[4])
    print("%-10s %10s %10s %10s" % ("group", "difference", "first", "second"))
    total = 0.0
    for g in sorted(set(a) | set(b)):
        x, y = a.get(g, 0.0) * ca, b.get(g, 0.0) * cb
        total += x - y
        print("%-10s %10.0f %10.0f %10.0f" % (g, x - y, x, y))
    print("%-10s %10.0f %10.0f %10.0f" % ("all", total, ca, cb))


if __name__ == "__main__":
    main(sys.argv)
