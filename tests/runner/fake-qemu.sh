#!/bin/sh
# fake-qemu.sh — stands in for qemu-system-x86_64 in the runner tests: prints
# canned COM1 lines (placeholders filled in from its own argv) and exits.
#   FAKE_QEMU_LINES    file of lines to print (default: a passing boot)
#   FAKE_QEMU_EXIT     exit status (default 1 = isa-debug-exit code 0, pass)
#   FAKE_QEMU_LEAN_EXIT  the same, for a lean image only
#   FAKE_QEMU_HANG     1: hang after printing (in a child, like a stuck vCPU);
#                      stubborn: the same, ignoring SIGTERM; exec: the fake
#                      itself hangs (one process, as QEMU is)
#   FAKE_QEMU_PIDFILE  where to append the hanging child's pid (exec: the
#                      fake's own)
#   FAKE_QEMU_CALIB    calibration median (default 3)
#   FAKE_QEMU_HYPERVISOR  the platform record's hypervisor (default kvm
#                      under -accel kvm, else tcg)
#   FAKE_QEMU_SYSCALL_CPL the platform record's syscall_cpl (default 0)
#   FAKE_QEMU_KVM_ERROR 1: print QEMU's "KVM internal error" dump on
#                      stderr after the lines, then hang (as QEMU does)
#   FAKE_QEMU_STDERR   one line to print on stderr
#   FAKE_QEMU_LOG      append argv here, one argument per line, then "--"
#   FAKE_QEMU_SLEEP    seconds to sleep before printing (default 0);
#                      FAKE_QEMU_SLEEP_<workload> overrides it for that workload
#   FAKE_QEMU_BARRIER  FILE:N: append a line to FILE, then wait (up to 5 s)
#                      until FILE has N lines; if it never does, print no
#                      records and fail (N boots were not running at once)
# Placeholders: @VARIANT@ @WORKLOAD@ @MODE@ @UNIT@ @CALIB@ @EVENTS@
#   @HYPERVISOR@ @SYSCALL_CPL@ @PCID@ (FAKE_QEMU_PCID, else "unavailable"
#   for a +pcid variant, "off" for others); @IMAGE@ (a -kernel .../lean/hv-V.elf: lean,
#   else counting), @IMAGE_EVENTS@ ("image":"lean" on lean, else
#   "image":"counting","events":EVENTS), @COST@ (lean 5, counting 7)
# The default lines have a platform record in timing mode only.

if [ "${1:-}" = --version ]; then
    echo "QEMU emulator version 7.2.99 (asilab fake)"
    exit 0
fi
if [ -n "${FAKE_QEMU_LOG:-}" ]; then
    for a in "$0" "$@"; do printf '%s\n' "$a"; done >>"$FAKE_QEMU_LOG"
    echo -- >>"$FAKE_QEMU_LOG"
fi

variant=? workload=? mode=? hyp=tcg image=counting
while [ $# -gt 0 ]; do
    case $1 in
    -accel) [ "$2" = kvm ] && hyp=kvm; shift ;;
    -kernel) v=${2##*/hv-}; variant=${v%.elf}
        case $2 in */lean/hv-*) image=lean ;; esac; shift ;;
    -append) mode=${2#mode=}; shift ;;
    -initrd) w=${2%%,*}; w=${w%% *}; w=${w##*/}; workload=${w%.elf}; shift ;;
    esac
    shift
done
unit=insns
nap=${FAKE_QEMU_SLEEP:-0}
case $workload in *[!A-Za-z0-9_]*) ;; *) eval "nap=\${FAKE_QEMU_SLEEP_$workload:-$nap}" ;; esac
[ "$nap" = 0 ] || sleep "$nap"
if [ -n "${FAKE_QEMU_BARRIER:-}" ]; then
    bf=${FAKE_QEMU_BARRIER%:*} bn=${FAKE_QEMU_BARRIER##*:} i=0
    echo "$workload" >>"$bf"
    while [ "$(wc -l <"$bf")" -lt "$bn" ]; do
        i=$((i + 1))
        if [ $i -gt 50 ]; then echo "fake qemu: barrier $bn not reached"; exit 1; fi
        sleep 0.1
    done
fi
[ "$mode" = timing ] && unit=tsc_ticks
events='{"cr3_load":2,"tlb_flush":1,"invlpg":0.5,"ipi_sent":0,"l4_copy":0,"stack_zero_bytes":0,"gdt_load":3,"ldt_load":0,"ctx_switch":4}'
image_events="\"image\":\"counting\",\"events\":$events" cost=7
[ $image = lean ] && image_events='"image":"lean"' cost=5

default_lines() {
    echo "fake hv: booting"
    [ "$mode" = timing ] &&
        echo '@asilab {"type":"platform","workload":"hv","variant":"@VARIANT@","mode":"@MODE@","hypervisor":"@HYPERVISOR@","syscall_cpl":@SYSCALL_CPL@,"pcid":"@PCID@","invpcid":false}'
    n=2
    [ "$mode" = timing ] && n=3
    cat <<END
@asilab {"type":"calibration","op":"empty_loop","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1000,"samples":16,"min":@CALIB@,"median":@CALIB@,"max":@CALIB@}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":100,"samples":32,"min":120,"p10":120,"median":121,"p90":125,"max":130,"events":@EVENTS@}
fake hv: all domains shut down
@asilab {"type":"end","status":"pass","records":$n}
END
}

case "$variant" in
*+pcid|*+pcid+*) pcid=unavailable ;;
*) pcid=off ;;
esac
if [ -n "${FAKE_QEMU_LINES:-}" ]; then cat "$FAKE_QEMU_LINES"; else default_lines; fi |
    sed -e "s|@VARIANT@|$variant|g" -e "s|@WORKLOAD@|$workload|g" \
        -e "s|@MODE@|$mode|g" -e "s|@UNIT@|$unit|g" \
        -e "s|@CALIB@|${FAKE_QEMU_CALIB:-3}|g" -e "s|@EVENTS@|$events|g" \
        -e "s|@IMAGE@|$image|g" -e "s|@IMAGE_EVENTS@|$image_events|g" -e "s|@COST@|$cost|g" \
        -e "s|@HYPERVISOR@|${FAKE_QEMU_HYPERVISOR:-$hyp}|g" \
        -e "s|@SYSCALL_CPL@|${FAKE_QEMU_SYSCALL_CPL:-0}|g" \
        -e "s|@PCID@|${FAKE_QEMU_PCID:-$pcid}|g"
if [ "${FAKE_QEMU_KVM_ERROR:-0}" = 1 ]; then
    {
        echo "KVM internal error. Suberror: 1"
        echo "extra data[0]: 0x0000000000000001"
        echo "emulation failure"
        echo "RAX=0000000000000000 RBX=ffff82d040127f08 RCX=0000000000000000 RDX=0000000000000000"
        echo "RIP=ffff82d04010489f RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0"
        echo "Code=87 70 12 00 00 0f b7 97 72 12 00 00 f7 d0 21 d0 a8 3f 75 2b <db> e2 dd c7"
    } >&2
    exec sleep 60
fi
[ -n "${FAKE_QEMU_STDERR:-}" ] && echo "$FAKE_QEMU_STDERR" >&2
if [ "${FAKE_QEMU_HANG:-0}" = exec ]; then
    [ -n "${FAKE_QEMU_PIDFILE:-}" ] && echo $$ >>"$FAKE_QEMU_PIDFILE"
    exec sleep 60
fi
[ "${FAKE_QEMU_HANG:-0}" = stubborn ] && trap '' TERM
if [ "${FAKE_QEMU_HANG:-0}" != 0 ]; then
    sleep 60 &
    [ -n "${FAKE_QEMU_PIDFILE:-}" ] && echo $! >>"$FAKE_QEMU_PIDFILE"
    wait
fi
[ $image = lean ] && exit "${FAKE_QEMU_LEAN_EXIT:-${FAKE_QEMU_EXIT:-1}}"
exit "${FAKE_QEMU_EXIT:-1}"
