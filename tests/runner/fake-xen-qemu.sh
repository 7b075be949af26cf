#!/bin/sh
# fake-xen-qemu.sh — stands in for qemu-system-x86_64 booting a Xen image in
# the runner's Xen tests (xen_test.sh): prints Xen's console lines (version,
# changeset, command line from -append), then the dom0 workload's records
# (its variant from the module's lab_variant=), then how dom0 ended, and
# hangs as QEMU does after Xen halts the machine.
#   FAKE_XEN_END   halted (default), crashed, panic, hang (nothing: dom0
#                  never ends), exit (QEMU exits by itself, status 0)
#   FAKE_XEN_PERFC a perfc=y Xen's records: good (events from its
#                  counters), badkey (a counter name that is not a safe
#                  key), nosource (events without "events_source")
#   FAKE_XEN_LOG   append argv here, one argument per line, then "--"
if [ "${1:-}" = --version ]; then
    echo "QEMU emulator version 7.2.99 (asilab fake)"
    exit 0
fi
[ -n "${FAKE_XEN_LOG:-}" ] && { for a in "$0" "$@"; do printf '%s\n' "$a"; done; echo --; } >>"$FAKE_XEN_LOG"
append= initrd=
while [ $# -gt 0 ]; do
    case $1 in
    -append) append=$2; shift ;;
    -initrd) initrd=$2; shift ;;
    esac
    shift
done
w=${initrd%% *}; w=${w##*/}; workload=${w%.elf}
variant=${initrd##*lab_variant=}; variant=${variant%% *}
mode=${initrd##*lab_mode=}; mode=${mode%% *}
unit=insns
[ "$mode" = timing ] && unit=tsc_ticks
echo "(XEN) Xen version 4.17.7 (Debian 4.17.7+fake) (fake@asilab) (gcc) debug=n"
echo "(XEN) Latest ChangeSet: fake-changeset"
echo "(XEN) Command line: $append"
echo "(XEN)   XPTI (64-bit PV only): Dom0 disabled, DomU disabled (without PCID)"
echo "(XEN) Freed 656kB init memory"
end=${FAKE_XEN_END:-halted}
if [ "$end" = panic ]; then
    echo "(XEN) ****************************************"
    echo "(XEN) Panic on CPU 0:"
    echo "(XEN) Could not set up DOM0 guest OS (rc = -12)"
    echo "(XEN) ****************************************"
    echo "(XEN) "
    echo "(XEN) Manual reset required ('noreboot' specified)"
    exec sleep 60
fi
R="\"variant\":\"$variant\",\"mode\":\"$mode\",\"unit\":\"$unit\",\"ops\":10,\"samples\":3,\"min\":281,\"p10\":281,\"median\":281,\"p90\":281,\"max\":281"
if [ "$end" = crashed ]; then
    echo "$workload: FAIL: something the workload checks"
    echo '@asilab {"type":"end","status":"fail","records":0,"hv":"xen"}'
    echo "(XEN) Hardware Dom0 crashed: 'noreboot' set - not rebooting."
    exec sleep 60
fi
EV='"events_unavailable":"no lab hypercall, no perf counters on this Xen (perfc_op -38)"'
case ${FAKE_XEN_PERFC:-} in
good) EV='"events_source":"xen_perfc","events":{"ctx_switch":0,"mapcache_map":0,"mapcache_flush":0},"remote_events":{"ctx_switch":0,"mapcache_map":0,"mapcache_flush":0},"xen_perfc":{"hypercalls_17":1,"ipis":0.5}' ;;
badkey) EV='"events_source":"xen_perfc","events":{"ctx_switch":0},"xen_perfc":{"sched: context switches":1}' ;;
nosource) EV='"events":{"ctx_switch":0}' ;;
esac
echo "@asilab {\"type\":\"result\",\"workload\":\"$workload\",\"op\":\"null_hypercall\",$R,\"image\":\"xen\",$EV,\"values\":[281,281,281]}"
[ "$end" = hang ] && exec sleep 60
echo '@asilab {"type":"end","status":"pass","records":1,"hv":"xen"}'
[ "$end" = exit ] && exit 0
echo "(XEN) Hardware Dom0 halted: halting machine"
exec sleep 60
