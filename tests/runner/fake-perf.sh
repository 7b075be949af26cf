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
# perf kvm stat record -q -o FILE -- CMD ARGS...  runs CMD, writes FILE;
# perf kvm -i FILE stat report --event=vmexit  prints a VM-EXIT table on
# stderr (as perf does):
#   FAKE_PERF_KVM  exits (default): HLT 12, EXTERNAL_INTERRUPT 3, IO_INSTRUCTION 5
#                  none: the table with 0 samples (no kvm_exit tracepoint hits)
#                  fail: perf kvm stat record fails (tracefs not readable)
if [ -n "${FAKE_PERF_LOG:-}" ]; then
    for a in "$@"; do printf '%s\n' "$a"; done >>"$FAKE_PERF_LOG"
    echo -- >>"$FAKE_PERF_LOG"
fi
kvm=${FAKE_PERF_KVM:-exits}
if [ "${1:-}" = kvm ] && [ "${2:-}" = stat ] && [ "${3:-}" = record ]; then
    [ "$4" = -q ] && [ "$5" = -o ] && [ "$7" = -- ] || { echo "fake perf: bad kvm record argv" >&2; exit 1; }
    if [ "$kvm" = fail ]; then
        echo "fake perf: can't access trace events" >&2
        exit 255
    fi
    f=$6
    shift 7
    "$@"
    rc=$?
    echo "fake perf kvm data" >"$f"
    exit $rc
fi
if [ "${1:-}" = kvm ] && [ "${2:-}" = -i ]; then
    [ "$4 $5 $6" = "stat report --event=vmexit" ] || { echo "fake perf: bad kvm report argv" >&2; exit 1; }
    [ "$(cat "$3")" = "fake perf kvm data" ] || { echo "fake perf: no data in $3" >&2; exit 255; }
    {
        printf '\n\nAnalyze events for all VMs, all VCPUs:\n\n'
        echo "             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time "
        echo
        if [ "$kvm" = exits ]; then
            echo "                 HLT         12    60.00%    90.00%      1.00us    100.00us     30.00us ( +-  10.00% )"
            echo "      IO_INSTRUCTION          5    25.00%     9.00%      1.00us      5.00us      2.00us ( +-  20.00% )"
            echo "  EXTERNAL_INTERRUPT          3    15.00%     1.00%      0.50us      1.00us      0.70us ( +-   5.00% )"
            printf '\nTotal Samples:20, Total events handled time:400.00us.\n\n'
        else
            printf '\nTotal Samples:0, Total events handled time:0.00us.\n\n'
        fi
    } >&2
    exit 0
fi
[ "${1:-}" = stat ] || { echo "fake perf: only 'perf stat' and 'perf kvm stat'" >&2; exit 1; }
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
