#!/bin/sh
# interleave.sh runs benchmarks interleaved: each round runs every pattern
# once, in a shuffled order, each in a process of its own, so that a slow
# minute on a shared host falls on all of them alike instead of on whichever
# ran then. It prints each benchmark's median ns/op, cpu-ns/op and steal%
# over the rounds. With INTERLEAVE_RAW set to a file name, every run's line
# is appended to that file as well, in the order run.
#
#	sh interleave.sh ROUNDS ITERATIONS PATTERN...
#
# ITERATIONS is each run's -test.benchtime count; a PATTERN is a -test.bench
# expression matching one benchmark. For example, the measurement of
# interop/PERFORMANCE.md, "The ninth session":
#
#	sh interleave.sh 10 8000 'Handle/ours/aksk$' 'Handle/ours/token$' \
#		'Handle/floor/aksk$' 'FloorPlusWork/handle/work=0us$' \
#		'FloorPlusWork/handle/work=4us$' 'FloorPlusWork/handle/work=8us$'
set -eu
if [ $# -lt 3 ]; then
	echo "usage: sh interleave.sh ROUNDS ITERATIONS PATTERN..." >&2
	exit 2
fi
rounds=$1 iterations=$2
shift 2
for n in "$rounds" "$iterations"; do
	case $n in
	'' | *[!0-9]*) echo "interleave.sh: ROUNDS and ITERATIONS are counts" >&2; exit 2 ;;
	esac
done
if [ "$rounds" -lt 1 ] || [ "$iterations" -lt 1 ]; then
	echo "interleave.sh: ROUNDS and ITERATIONS are counts" >&2
	exit 2
fi
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/benchbuild.sh"
r=1
while [ "$r" -le "$rounds" ]; do
	shuf "$tmp/patterns" > "$tmp/order"
	while IFS= read -r p; do
		out=$("$tmp/bench.test" -test.run '^$' -test.bench "$p" -test.benchtime "${iterations}x" -test.benchmem < /dev/null 2>&1) || {
			printf '%s\n' "$out" >&2
			echo "interleave.sh: $p failed in round $r" >&2
			exit 1
		}
		n=$(printf '%s\n' "$out" | grep -c '^Benchmark' || true)
		if [ "$n" -ne 1 ]; then
			echo "interleave.sh: $p matched $n benchmarks; want 1" >&2
			exit 1
		fi
		printf '%s\n' "$out" | grep '^Benchmark' >> "$tmp/results"
		if [ -n "${INTERLEAVE_RAW:-}" ]; then
			printf '%s\n' "$out" | grep '^Benchmark' >> "$INTERLEAVE_RAW"
		fi
	done < "$tmp/order"
	echo "interleave.sh: round $r of $rounds done" >&2
	r=$((r + 1))
done
# One line per result: name, then the value before each unit.
awk '{
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
	# A metric the benchmark does not report is "-".
	print name, ("ns/op" in v ? v["ns/op"] : "-"), ("cpu-ns/op" in v ? v["cpu-ns/op"] : "-"), ("steal%" in v ? v["steal%"] : "-")
	delete v
}' "$tmp/results" > "$tmp/values"
printf '%-40s %6s %12s %12s %8s\n' benchmark runs "ns/op" "cpu-ns/op" "steal%"
cut -d' ' -f1 "$tmp/values" | sort -u | while IFS= read -r name; do
	# median COLUMN FORMAT prints the median of a column with FORMAT, or "-".
	median() {
		awk -v n="$name" -v c="$1" '$1 == n && $c != "-" { print $c }' "$tmp/values" | sort -g |
			awk -v f="$2" '{ a[NR] = $1 } END {
				if (NR == 0) print "-"
				else printf f "\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			}'
	}
	runs=$(awk -v n="$name" '$1 == n' "$tmp/values" | wc -l)
	printf '%-40s %6d %12s %12s %8s\n' "$name" "$runs" "$(median 2 %.0f)" "$(median 3 %.0f)" "$(median 4 %.1f)"
done
