#!/bin/sh
# timing_test.sh VARIANT — the timing path under plain TCG: a mode=timing
# boot (--accel tcg-timing) passes, its records are well formed, the hv's
# platform record says what it runs on (QEMU TCG's signature, SYSCALL at
# CPL 0), and every timing result is marked invalid for that reason; a
# deterministic boot carries the same platform record in its mode.
set -u
v=$1
out=${BOOT_TEST_DIR:?}/timing.$v
rm -rf "$out" "$out.det"
fail() { echo "timing_test $v: $*"; cat "$out.log"; exit 1; }
"${ASILAB:?}" run --variant "$v" --workload hypercall,syscall --accel tcg-timing \
    --timeout 120 --out "$out" >"$out.log" 2>&1 || fail "asilab run exited $?"
r=$out/records.jsonl
n() { grep -cF -- "$1" "$r"; }
[ "$(n '{"type":"platform","workload":"hv","variant":"'"$v"'","mode":"timing","hypervisor":"tcg","syscall_cpl":0,')" = 2 ] ||
    fail "no platform record (tcg, SYSCALL at CPL 0) per boot"
[ "$(n '"type":"result"')" = 3 ] || fail "expected 3 result records"
[ "$(n '"mode":"timing","unit":"tsc_ticks"')" -ge 2 ] || fail "results not in timing mode"
[ "$(n '"valid":false,"invalid_reason":"tcg: the TSC is QEMU'"'"'s virtual clock, not CPU cycles"')" = 3 ] ||
    fail "timing results not marked invalid with the tcg reason"
grep -q 'record_error' "$r" && fail "a record was rejected"
grep -qF 'warning: timings are not real cycles here (tcg: the TSC is' "$out.log" ||
    fail "no warning on stderr"
"$ASILAB" run --variant "$v" --workload hypercall --accel tcg --timeout 120 \
    --out "$out.det" >"$out.log" 2>&1 || fail "deterministic boot exited $?"
grep -qF '{"type":"platform","workload":"hv","variant":"'"$v"'","mode":"deterministic","hypervisor":"tcg","syscall_cpl":0,' \
    "$out.det/records.jsonl" || fail "no platform record in the deterministic boot"
grep -q '"valid":false' "$out.det/records.jsonl" && fail "a deterministic record marked invalid"
echo "ok: timing path under tcg ($v)"
