#!/bin/sh
# syscalls.sh counts, per call, the system calls, futex calls and context
# switches of benchmarks: what the kernel and the Go scheduler do for each
# call, which a profile of CPU time does not show. Each count is the
# difference between a run of SHORT and a run of LONG iterations, divided
# by LONG - SHORT, so that the process's start, the server's and the
# benchmark's setup cancel out. Each round runs every pattern once, in a
# shuffled order; it prints each round's counts, then their medians.
#
#	sh syscalls.sh ROUNDS PATTERN...
#
# It needs Linux perf with the kernel's syscall tracepoints (run as root);
# SHORT and LONG are 10000 and 30000 unless SYSCALLS_SHORT and
# SYSCALLS_LONG say otherwise. A PATTERN is a -test.bench expression
# matching one benchmark. For example (interop/PERFORMANCE.md, "The tenth
# session", has these and the FloorPlusWork/handle levels):
#
#	sh syscalls.sh 3 'Handle/floor/aksk$' 'Handle/ours/aksk$' \
#		'Handle/ours/token$' 'Handle/sdk/aksk$'
set -eu
if [ $# -lt 2 ]; then
	echo "usage: sh syscalls.sh ROUNDS PATTERN..." >&2
	exit 2
fi
rounds=$1
shift
short=${SYSCALLS_SHORT:-10000} long=${SYSCALLS_LONG:-30000}
for n in "$rounds" "$short" "$long"; do
	case $n in
	'' | *[!0-9]*) echo "syscalls.sh: ROUNDS, SYSCALLS_SHORT and SYSCALLS_LONG are counts" >&2; exit 2 ;;
	esac
done
if [ "$rounds" -lt 1 ] || [ "$short" -ge "$long" ]; then
	echo "syscalls.sh: want ROUNDS >= 1 and SYSCALLS_SHORT < SYSCALLS_LONG" >&2
	exit 2
fi
if ! command -v perf > /dev/null; then
	echo "syscalls.sh: needs perf (linux-perf)" >&2
	exit 1
fi
if ! perf stat -e raw_syscalls:sys_enter -e syscalls:sys_enter_futex -e context-switches true > /dev/null 2>&1; then
	echo "syscalls.sh: perf cannot count the syscall tracepoints here (run as root, with tracefs)" >&2
	exit 1
fi
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/benchbuild.sh"

# count PATTERN N prints the run's counts: system calls, futex calls,
# context switches.
count() {
	perf stat -x, -o "$tmp/stat" -e raw_syscalls:sys_enter -e syscalls:sys_enter_futex -e context-switches \
		"$tmp/bench.test" -test.run '^$' -test.bench "$1" -test.benchtime "$2x" < /dev/null > "$tmp/out" 2>&1 || {
		cat "$tmp/out" >&2
		echo "syscalls.sh: $1 failed" >&2
		exit 1
	}
	n=$(grep -c '^Benchmark' "$tmp/out" || true)
	if [ "$n" -ne 1 ]; then
		echo "syscalls.sh: $1 matched $n benchmarks; want 1" >&2
		exit 1
	fi
	# perf's CSV: value,unit,event,... ; "<not supported>" when it cannot count.
	awk -F, '/^[0-9]/ { printf "%s ", $1; n++ } END { if (n != 3) exit 1; print "" }' "$tmp/stat" || {
		cat "$tmp/stat" >&2
		echo "syscalls.sh: perf could not count the events (root and the syscall tracepoints are needed)" >&2
		exit 1
	}
}

printf '%-32s %5s %10s %8s %10s\n' pattern round syscalls futex switches
r=1
while [ "$r" -le "$rounds" ]; do
	shuf "$tmp/patterns" > "$tmp/order"
	while IFS= read -r p; do
		a=$(count "$p" "$short")
		b=$(count "$p" "$long")
		echo "$p $r $a $b" | awk -v d=$((long - short)) '{
			printf "%-32s %5d %10.2f %8.2f %10.2f\n", $1, $2, ($6 - $3) / d, ($7 - $4) / d, ($8 - $5) / d
		}' | tee -a "$tmp/results"
	done < "$tmp/order"
	r=$((r + 1))
done
echo
echo "medians over the rounds, per call:"
printf '%-32s %10s %8s %10s\n' pattern syscalls futex switches
cut -d' ' -f1 "$tmp/results" | sort -u | while IFS= read -r name; do
	med() {
		awk -v n="$name" -v c="$1" '$1 == n { print $c }' "$tmp/results" | sort -g |
			awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
	}
	printf '%-32s %10s %8s %10s\n' "$name" "$(med 3)" "$(med 4)" "$(med 5)"
done
