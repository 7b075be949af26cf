#!/bin/sh
# crash_dump.sh HV.elf MODULE.elf: boot the hv with crash=pf and crash=ud
# (faults inside the hv on purpose) and require the crash dump on COM1
# and QEMU's exit status (0x20 + vector) << 1 | 1.
set -u
hv=$1 mod=$2 fails=0
for c in "pf 14 #PF 93" "ud 6 #UD 77"; do
    set -- $c
    out=$(timeout 60 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp 2 \
        -accel tcg -icount shift=0,sleep=off -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$hv" \
        -append "mode=deterministic crash=$1" -initrd "$mod" </dev/null 2>&1)
    rc=$?
    for want in "hv exception $3 (vector $2)" "RIP e008:" "CR2 " "RAX " "R15 " "on CPU apic 0"; do
        case $out in *"$want"*) ;; *) echo "crash=$1: dump lacks '$want'"; fails=1 ;; esac
    done
    [ "$rc" = "$4" ] || { echo "crash=$1: QEMU exit $rc, expected $4"; fails=1; }
done
[ $fails = 0 ] && echo "crash dumps: ok" || echo "$out"
exit $fails
