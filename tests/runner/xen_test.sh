#!/bin/sh
# xen_test.sh — one case of the runner's real-Xen path (--hv xen) against
# fake-xen-qemu.sh, a fake Xen image and a throw-away build dir:
#   xen_test.sh ASILAB FAKE CASE
set -u
ASILAB=$1 FAKE=$2 CASE=$3

T=$(mktemp -d "${TMPDIR:-/tmp}/asilab-xen.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
T=$(cd "$T" && pwd -P)
B=$T/build O=$T/out Q=$T/qemu
mkdir -p "$B/workloads" "$B/xen"
printf 'not an elf\n' >"$B/hv-shared_l4.elf"
for w in hypercall syscall ctxsw gdt_ldt flush procswitch emul gnttab leak exposure layout abi hostile; do
    printf 'dummy\n' >"$B/workloads/$w.elf"
done
cp "$FAKE" "$Q" && chmod +x "$Q"
export FAKE_XEN_LOG="$T/argv.log"
unset FAKE_XEN_END
# mb1 FILE [PREFIX]: a multiboot header (magic, flags 0, checksum) after
# PREFIX's bytes, then Xen's version banner (what xen_image_check wants)
mb1() { { printf "${2:-}"; printf '\002\260\255\033\000\000\000\000\376\117\122\344'; printf 'pad Xen version %%d.%%d%%s (%%s %%s)\000'; } >"$1"; }
mb1 "$B/xen/xen-4.17.elf"

fail() {
    echo "FAIL [$CASE]: $*"
    echo "--- stdout:"; cat "$T/stdout" 2>/dev/null
    echo "--- stderr:"; cat "$T/stderr" 2>/dev/null
    echo "--- records.jsonl:"; cat "$O/records.jsonl" 2>/dev/null
    exit 1
}
run() { "$ASILAB" "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?; }
xen() { run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 10 "$@"; }
want_rc() { [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"; }
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$(basename "$1") has: $2"; }
count() { n=$(grep -cF -- "$2" "$1"); [ "$n" = "$3" ] || fail "$(basename "$1"): '$2' on $n lines, expected $3"; }
no_boot() { [ ! -s "$T/argv.log" ] || fail "QEMU ran: $(head -3 "$T/argv.log")"; }

case $CASE in
pass)
    # two configurations, each its own variant; dom0 halts, the runner
    # stops QEMU at once (not at the timeout) and the boot passes, with
    # Xen's version, changeset and command line in the provenance
    start=$(date +%s)
    xen --hv xen --xen-cmdline "xpti=dom0=false" --xen-cmdline "xpti=dom0=true  pcid=off" \
        --workload hypercall,ctxsw
    want_rc 0
    [ $(($(date +%s) - start)) -lt 8 ] || fail "the runner waited for the timeout"
    has "$T/stdout" "6 boots: 6 passed, 0 failed"
    count "$O/records.jsonl" '"type":"result"' 6
    count "$O/records.jsonl" '"variant":"xen-4.17:xpti=dom0=false"' 10
    count "$O/records.jsonl" '"variant":"xen-4.17:xpti=dom0=true:pcid=off"' 10
    has "$O/records.jsonl" '"xen_version":"Xen version 4.17.7 (Debian 4.17.7+fake) (fake@asilab) (gcc) debug=n"'
    has "$O/records.jsonl" '"xen_changeset":"fake-changeset"'
    has "$O/records.jsonl" '"xen_xpti":"Dom0 disabled, DomU disabled (without PCID)"'
    has "$O/records.jsonl" '"xen_options":"xpti=dom0=true  pcid=off"'
    has "$O/records.jsonl" '"hv":"xen","xen_image":"'"$B"'/xen/xen-4.17.elf"'
    has "$O/records.jsonl" '"image":"xen"'
    # Xen's command line: the console, noreboot, dom0 sized as the workload
    # asks (16 MiB at least; vcpus=2 without spread=1: one pCPU), pinned
    has "$T/argv.log" "console=com1 com1=115200,8n1 noreboot dom0_mem=16M dom0_max_vcpus=1 dom0_vcpus_pin xpti=dom0=false"
    has "$T/argv.log" "dom0_max_vcpus=2 dom0_vcpus_pin maxcpus=1 xpti=dom0=true  pcid=off"
    has "$T/argv.log" "dom0_max_vcpus=2 dom0_vcpus_pin xpti=dom0=false"
    has "$T/argv.log" "$B/workloads/ctxsw.elf mode=same vcpus=2 lab_variant=xen-4.17:xpti=dom0=false lab_mode=deterministic"
    # the boots Xen cannot run: one "skipped" record each, with the reason
    count "$O/records.jsonl" '"type":"skipped"' 8
    has "$O/records.jsonl" '"type":"skipped","variant":"xen-4.17:xpti=dom0=false","workload":"ctxsw","boot":["ctxsw.elf mode=cross domains=2"],"reason":"needs several domains (on Xen the runner builds only dom0)"'
    has "$T/stderr" "xen-4.17:xpti=dom0=false: ctxsw (mode=cross domains=2) skipped: needs several domains"
    has "$T/stdout" "xen-4.17:xpti=dom0=true:pcid=off"
    # results.json: Xen's benchmarks, labelled so
    has "$O/results.json" '"name": "hypercall/null_hypercall/xen-4.17:xpti=dom0=false"'
    has "$O/results.json" "Xen, no events"
    # beside the asilab variants, in one run
    xen --hv asilab --hv xen --variant shared_l4 --workload hypercall
    has "$O/records.jsonl" '"variant":"xen-4.17"'
    has "$O/records.jsonl" '"hv":"asilab"'
    ;;
plot)
    # a result set where Xen ran hypercall but not emul (it skips it):
    # every plot is drawn, emul's without a Xen column (an all-empty
    # column is an error to gnuplot); records from the committed sample
    command -v gnuplot >/dev/null || { echo "no gnuplot: skipped"; exit 0; }
    S=$(ls -d "$(dirname "$0")"/../../results/*-deterministic | head -n 1)/records.jsonl
    mkdir -p "$O"
    grep '"type":"result"' "$S" | grep -E '"workload":"(hypercall|emul)"' |
        grep -E '"variant":"(shared_l4|xen-4.17:xpti=dom0=false)"' >"$O/records.jsonl"
    has "$O/records.jsonl" '"workload":"emul","op":"int_n","variant":"shared_l4"'
    has "$O/records.jsonl" '"workload":"hypercall","op":"null_hypercall","variant":"xen-4.17:xpti=dom0=false"'
    run plot "$O"
    want_rc 0
    [ -s "$O/plots/emul.png" ] && [ -s "$O/plots/hypercall.png" ] || fail "no emul/hypercall plots"
    lacks "$O/plots/emul.dat" "xen-4.17"
    has "$O/plots/hypercall.dat" "xen-4.17:xpti=dom0=false"
    ;;
crashed)
    FAKE_XEN_END=crashed xen --hv xen --workload hypercall
    want_rc 1
    has "$T/stderr" "fail (0 records"
    has "$T/stderr" "Xen: Hardware Dom0 crashed: 'noreboot' set - not rebooting. (dom0, the workload, crashed)"
    has "$T/stderr" '| hypercall: FAIL: something the workload checks'
    has "$O/records.jsonl" '"boot_status":"fail"'
    ;;
panic)
    # a Xen command line dom0 cannot start with: Xen's panic is the reason
    FAKE_XEN_END=panic xen --hv xen --xen-cmdline "dom0_mem=1M" --workload hypercall
    want_rc 1
    has "$T/stderr" "crash (0 records"
    has "$T/stderr" "Xen panic: Could not set up DOM0 guest OS (rc = -12)"
    has "$T/stderr" "| (XEN) Panic on CPU 0:"
    ;;
hang)
    start=$(date +%s)
    FAKE_XEN_END=hang run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 2 \
        --hv xen --workload hypercall
    want_rc 1
    has "$T/stderr" "timeout (1 records"
    has "$T/stderr" "timed out after 2 s (Xen's dom0 neither shut down nor crashed)"
    # what was measured is kept
    count "$O/records.jsonl" '"type":"result"' 1
    [ $(($(date +%s) - start)) -lt 8 ] || fail "the timeout was not 2 s"
    ;;
exit)
    FAKE_XEN_END=exit xen --hv xen --workload hypercall
    want_rc 1
    has "$T/stderr" "crash (1 records"
    has "$T/stderr" "qemu exited with status 0 before Xen's dom0 shut down"
    ;;
bad_image)
    # refused before any boot, one line each, exit 2
    run run --build "$B" --qemu "$Q" --out "$O" --hv xen=/nonexistent/xen --workload hypercall
    want_rc 2
    has "$T/stderr" "asilab: --hv xen=/nonexistent/xen: cannot read '/nonexistent/xen'"
    printf 'x' | gzip >"$T/xen.gz"
    run run --build "$B" --qemu "$Q" --out "$O" --hv "xen=$T/xen.gz" --workload hypercall
    want_rc 2
    has "$T/stderr" "is gzip-compressed: QEMU's multiboot loader needs the ELF"
    printf 'Xen version %%d.%%d%%s but no header\n' >"$T/nomb"
    run run --build "$B" --qemu "$Q" --out "$O" --hv "xen=$T/nomb" --workload hypercall
    want_rc 2
    has "$T/stderr" "has no multiboot header in its first 8192 bytes"
    mb1 "$T/xen64.elf" '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\076\000'
    run run --build "$B" --qemu "$Q" --out "$O" --hv "xen=$T/xen64.elf" --workload hypercall
    want_rc 2
    has "$T/stderr" "is a 64-bit ELF for machine 62: QEMU's multiboot loader takes a 32-bit x86 one"
    printf '\002\260\255\033\000\000\000\000\376\117\122\344 an asilab hv' >"$T/notxen"
    run run --build "$B" --qemu "$Q" --out "$O" --hv "xen=$T/notxen" --workload hypercall
    want_rc 2
    has "$T/stderr" "boots by multiboot but is not Xen"
    rm "$B/xen/xen-4.17.elf"
    run run --build "$B" --qemu "$Q" --out "$O" --hv xen --workload hypercall
    want_rc 2
    has "$T/stderr" "--hv xen: no Xen image at $B/xen/xen-4.17.elf: install Debian's xen-hypervisor-4.17-amd64"
    no_boot
    ;;
bad_args)
    run run --build "$B" --qemu "$Q" --out "$O" --hv xen --xen-cmdline 'a=$(reboot)' --workload hypercall
    want_rc 2
    has "$T/stderr" "bad --xen-cmdline 'a=\$(reboot)': a character '\$' a variant name cannot carry"
    run run --build "$B" --qemu "$Q" --out "$O" --xen-cmdline 'xpti=true' --variant shared_l4 --workload hypercall
    want_rc 2
    has "$T/stderr" "--xen-cmdline needs --hv xen[=PATH]"
    run run --build "$B" --qemu "$Q" --out "$O" --hv xen --variant shared_l4 --workload hypercall
    want_rc 2
    has "$T/stderr" "--variant names asilab images: add --hv asilab"
    run run --build "$B" --qemu "$Q" --out "$O" --hv kvmtool --workload hypercall
    want_rc 2
    has "$T/stderr" "bad --hv 'kvmtool': expected asilab, xen or xen=PATH"
    run run --build "$B" --qemu "$Q" --out "$O" --hv xen --xen-cmdline 'a' --xen-cmdline ' a ' --workload hypercall
    want_rc 2
    has "$T/stderr" "two Xen configurations are both named 'xen-4.17:a'"
    run run --build "$B" --qemu "$Q" --out "$O" --hv xen --xen-cmdline "$(printf 'x%.0s' $(seq 60))" --workload hypercall
    want_rc 2
    has "$T/stderr" "would be longer than 47 characters"
    no_boot
    ;;
perfc)
    # a perfc=y Xen: the events its counters count and its own counters
    # by name reach the records and results.json
    # (an image named xen-4.17-perfc.elf is the build "xen-4.17-perfc")
    cp "$B/xen/xen-4.17.elf" "$B/xen/xen-4.17-perfc.elf"
    FAKE_XEN_PERFC=good xen --hv "xen=$B/xen/xen-4.17-perfc.elf" --workload hypercall
    want_rc 0
    has "$O/records.jsonl" '"variant":"xen-4.17-perfc"'
    has "$O/records.jsonl" '"events_source":"xen_perfc","events":{"ctx_switch":0,"mapcache_map":0'
    has "$O/results.json" '"xen_perfc.hypercalls_17": 1'
    has "$O/results.json" '"ctx_switch": 0'
    has "$O/results.json" "Xen, events from its perf counters"
    # without perf counters: the guest's reason, no events
    xen --hv xen --workload hypercall
    want_rc 0
    has "$O/records.jsonl" '"events_unavailable":"no lab hypercall, no perf counters on this Xen (perfc_op -38)"'
    has "$O/results.json" "Xen, no events"
    # hostile counter names and events without their source are refused
    FAKE_XEN_PERFC=badkey xen --hv xen --workload hypercall
    want_rc 1
    has "$T/stderr" "xen_perfc has a key that is not a safe name"
    FAKE_XEN_PERFC=nosource xen --hv xen --workload hypercall
    want_rc 1
    has "$T/stderr" "missing 'events_source'"
    ;;
list)
    run --build "$B" list
    want_rc 0
    has "$T/stdout" "on Xen (--hv xen): every boot"
    has "$T/stdout" "on Xen (--hv xen): 2 of 6 boots; skipped: (mode=cross domains=2)"
    has "$T/stdout" "on Xen (--hv xen): skipped: checks the asilab hv's own CPUID policy"
    ;;
*)
    echo "unknown case $CASE"; exit 2 ;;
esac
echo "PASS [$CASE]"
