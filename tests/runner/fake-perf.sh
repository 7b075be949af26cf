#!/bin/sh
# fake-perf.sh — stands in for perf in the runner tests (copied as "perf"
# into a directory put first in PATH):  perf stat [-x,] [-e EVENTS] [-o FILE]
# [--] CMD ARGS...  runs CMD, then writes canned CSV counts to FILE (default
# stderr) and exits with CMD's status, as perf stat does.
#   FAKE_PERF      unsupported (default): "<not supported>" counts
#                  notcounted: "<not counted>" counts
#                  numbers: cycles:u 1234567, instructions:u 2345678
#                  fail: an error on stderr, exit 255, CMD not run
#   FAKE_PERF_LOG  append argv here, one argument per line, then "--"
if [ -n "${FAKE_PERF_LOG:-}" ]; then
    for a in "$@"; do printf '%s\n' "$a"; done >>"$FAKE_PERF_LOG"
    echo -- >>"$FAKE_PERF_LOG"
fi
[ "${1:-}" = stat ] || { echo "fake perf: only 'perf stat'" >&2; exit 1; }
shift
out= events=cycles
while [ $# -gt 0 ]; do
    case $1 in
    -o) out=$2; shift 2 ;;
    -e) events=$2; shift 2 ;;
    -x*) shift ;;
    --) shift; break ;;
    *) break ;;
    esac
done
mode=${FAKE_PERF:-unsupported}
if [ "$mode" = fail ]; then
    echo "fake perf: Access to performance monitoring is restricted" >&2
    exit 255
fi
"$@"
rc=$?
counts() {
    printf '# started on Thu Jan  1 00:00:00 1970\n\n'
    for ev in $(echo "$events" | tr , ' '); do
        case $mode:$ev in
        numbers:cycles) echo "1234567,,cycles:u,1000,100.00,," ;;
        numbers:instructions) echo "2345678,,instructions:u,1000,100.00,1.90,insn per cycle" ;;
        notcounted:*) echo "<not counted>,,$ev,0,0.00,," ;;
        *) echo "<not supported>,,$ev,0,100.00,," ;;
        esac
    done
}
if [ -n "$out" ]; then counts >"$out"; else counts >&2; fi
exit $rc
