#!/bin/sh
# console_ring.sh HV.elf CONSOLE.elf: boot console.elf as dom0 and as a
# domU (the domU writes through its PV console ring, the hv its backend)
# and require the guests' COM1 lines exactly: the ring's lines with the
# "(d1) " prefix (one longer than the ring, one across the index wrap),
# a result record through the ring and one through console_io, dom0
# woken by VIRQ_DOM_EXC when the domU stops, a clean end.  Then again
# with domu_console_io=0 (a release Xen: console_io is -EPERM for a
# domU, which checks it), where only the ring's output remains, the domU
# on pCPU 1 (dom0's VIRQ_DOM_EXC wake-up crosses pCPUs).
set -u
hv=$1 mod=$2 fails=0
long=$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%c", 97 + i % 26 }')
expect() {
    printf '%s\n' "(d0) console: dom0 ok" "(d1) ring: first line" \
        "(d1) ring: second line, in two writes" \
        "(d1) ring: a CR and a tab? are what console_io makes of them" \
        "(d1) $long" "(d1) ring: across the index wrap, in order" \
        "(d1) ring: still served after the guest unmapped and remapped it" \
        '@asilab {"type":"result","workload":"console","op":"via_ring"}'
    [ "$1" = debug ] && echo '@asilab {"type":"result","workload":"console","op":"notify_empty",'
    echo "(d1) ring: done"
    echo "(d0) console: dom0 saw a domain stop"
    echo '@asilab {"type":"end","status":"pass","records":'
}
for mode in debug release; do
    hvargs="mode=deterministic" domu=$mod
    [ $mode = release ] && hvargs="$hvargs domu_console_io=0" domu="$mod release=1 pcpu=1"
    out=$(timeout 120 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp 2 \
        -accel tcg -icount shift=0,sleep=off -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$hv" \
        -append "$hvargs" -initrd "$mod,$domu" </dev/null 2>&1)
    rc=$?
    got=$(printf '%s\n' "$out" | tr -d '\r' |
          grep -E '^\(d[0-9]+\) |^@asilab \{"type":"(result|end)"' |
          sed -E 's/^(@asilab \{"type":"result","workload":"console","op":"notify_empty",).*/\1/;
                  s/^(@asilab \{"type":"end","status":"pass","records":).*/\1/')
    if [ "$got" != "$(expect $mode)" ]; then
        echo "$mode: COM1 lines differ (want, got):"
        expect $mode | cut -c1-120; echo ---; printf '%s\n' "$got" | cut -c1-120
        fails=1
    fi
    [ "$rc" = 1 ] || { echo "$mode: QEMU exit $rc, expected 1 (pass)"; fails=1; }
done
[ $fails = 0 ] && echo "console ring: ok" || echo "$out" | tail -20
exit $fails
