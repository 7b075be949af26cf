#!/bin/sh
# bad_args.sh BUILD: workload parameters that are wrong (unknown keys,
# values out of range, more target pCPUs than exist) must fail the run
# with a clear message on the console, never measure: QEMU exits with
# the hv's fail code (1 -> status 3) and no result record appears.
set -u
b=$1 fails=0
check() {   # smp "module args" "expected console text"
    out=$(timeout 60 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp "$1" \
        -accel tcg -icount shift=0,sleep=off -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$b/hv-shared_l4.elf" \
        -append "mode=deterministic" -initrd "$b/workloads/$2" </dev/null 2>&1)
    rc=$?
    case $out in *"$3"*) ;; *) echo "'$2': console lacks '$3'"; fails=1 ;; esac
    case $out in *'"type":"result"'*) echo "'$2': measured anyway"; fails=1 ;; esac
    [ "$rc" = 3 ] || { echo "'$2': QEMU exit $rc, expected 3"; fails=1; }
}
check 1 "hypercall.elf bogus=1" "unknown or malformed argument 'bogus=1'"
check 1 "procswitch.elf pages=9999" "pages=9999: a comma-separated list of 1..256"
check 1 "procswitch.elf pages=8,,x" "pages=8,x: a comma-separated list"   # ,, is one comma to QEMU
check 1 "flush.elf refill=0" "refill=0: page counts must be 1.."
check 2 "flush.elf ops=remote vcpus=4 spread=1" "vcpus=4 spread=1 needs 4 pCPUs, there are 2"
check 1 "ctxsw.elf mode=cross domains=1" "mode=cross needs domains=2..8"
check 1 "ctxsw.elf mode=sideways" "mode=same, cross, wake or preempt expected"
[ $fails = 0 ] && echo "bad workload arguments: all refused"
exit $fails
