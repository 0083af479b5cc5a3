# benchbuild.sh is read by interleave.sh and syscalls.sh (with ".", after
# they set dir to this directory and check their arguments): it makes a
# temporary directory, $tmp, removed when the script ends however it ends,
# builds this package's benchmarks into $tmp/bench.test, and writes the
# script's patterns ("$@"), one a line, to $tmp/patterns.
tmp=$(mktemp -d)
# dash runs the EXIT trap on exit only, not when a signal ends it: the
# signals exit, which runs it.
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
(cd "$dir" && go test -c -o "$tmp/bench.test" .)
for p in "$@"; do printf '%s\n' "$p"; done > "$tmp/patterns"
