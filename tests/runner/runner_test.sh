#!/bin/sh
# runner_test.sh — one test case of the asilab runner, run against
# fake-qemu.sh and a throw-away build dir:  runner_test.sh ASILAB FAKE CASE
# (fake-perf.sh, next to FAKE, stands in for perf)
set -u
ASILAB=$1 FAKE=$2 CASE=$3

T=$(mktemp -d "${TMPDIR:-/tmp}/asilab-runner.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
T=$(cd "$T" && pwd -P)
B=$T/build O=$T/out Q=$T/qemu
mkdir -p "$B/workloads"
printf 'not an elf\n' >"$B/hv-shared_l4.elf"
for w in hypercall syscall ctxsw gdt_ldt flush procswitch emul gnttab leak exposure layout abi hostile; do printf 'dummy\n' >"$B/workloads/$w.elf"; done
cp "$FAKE" "$Q" && chmod +x "$Q"
export FAKE_QEMU_LOG="$T/argv.log"
unset FAKE_QEMU_LINES FAKE_QEMU_EXIT FAKE_QEMU_LEAN_EXIT FAKE_QEMU_HANG FAKE_QEMU_PIDFILE FAKE_QEMU_CALIB \
    FAKE_QEMU_STDERR FAKE_QEMU_SLEEP FAKE_QEMU_HYPERVISOR FAKE_QEMU_SYSCALL_CPL FAKE_QEMU_KVM_ERROR \
    FAKE_QEMU_PCID
for v in $(env | sed -n 's/^\(FAKE_QEMU_SLEEP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset ASILAB_KVM_DEVICE FAKE_PERF FAKE_PERF_LOG
# the host's KVM backend, as the runner sees it: kvm_intel with VT-x unless
# a case says otherwise
mkdir -p "$T/sysmod/kvm_intel"
printf 'processor\t: 0\nflags\t\t: fpu vmx lm\n' >"$T/cpuinfo"
export ASILAB_SYSFS_MODULE="$T/sysmod" ASILAB_CPUINFO="$T/cpuinfo"
# fake_perf: the fake perf first in PATH
fake_perf() { mkdir -p "$T/bin"; cp "$(dirname "$FAKE")/fake-perf.sh" "$T/bin/perf"; chmod +x "$T/bin/perf"; PATH="$T/bin:$PATH"; }
# nobin: a PATH directory without perf (only what fake-qemu.sh needs)
nobin() { mkdir -p "$T/nobin"; for t in cat sed; do ln -sf "$(command -v $t)" "$T/nobin/$t"; done; }
EV='{"cr3_load":2,"tlb_flush":1,"invlpg":0.5,"ipi_sent":0,"l4_copy":0,"stack_zero_bytes":0,"gdt_load":3,"ldt_load":0,"ctx_switch":4}'
PLAT='@asilab {"type":"platform","workload":"hv","variant":"@VARIANT@","mode":"@MODE@","hypervisor":"@HYPERVISOR@","syscall_cpl":@SYSCALL_CPL@,"pcid":"@PCID@","invpcid":false}'
CAL='@asilab {"type":"calibration","op":"empty_loop","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1000,"samples":16,"min":3,"median":3,"max":3}'
RES='"op":"null_hypercall","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":100,"samples":32'

fail() {
    echo "FAIL [$CASE]: $*"
    echo "--- stdout:"; cat "$T/stdout" 2>/dev/null
    echo "--- stderr:"; cat "$T/stderr" 2>/dev/null
    echo "--- records.jsonl:"; cat "$O/records.jsonl" 2>/dev/null
    exit 1
}
# run ARGS...: the runner with stdout/stderr captured, status in $rc
run() { "$ASILAB" "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?; }
# tcg ARGS...: a run against the test build dir and the fake QEMU
tcg() { run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 10 "$@"; }
want_rc() { [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"; }
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$(basename "$1") has: $2"; }
want_file() { printf '%s\n' "$2" | cmp -s - "$1" || fail "$(basename "$1") is not exactly: $2"; }
count() { n=$(grep -cF -- "$2" "$1"); [ "$n" = "$3" ] || fail "$(basename "$1"): '$2' on $n lines, expected $3"; }
countx() { n=$(grep -cxF -- "$2" "$1"); [ "$n" = "$3" ] || fail "$(basename "$1"): line '$2' $n times, expected $3"; }
lines() { n=$(wc -l <"$1"); [ "$n" -eq "$2" ] || fail "$(basename "$1"): $n lines, expected $2"; }
squeeze() { tr -s ' ' <"$1"; }
canned() { cat >"$T/lines"; export FAKE_QEMU_LINES="$T/lines"; }
# gb FILE: check Google Benchmark JSON FILE with Python from stdin, which
# has want(cond, what), near(a, e), benchmarks b, context ctx, by name n
gb() {
    { cat <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
def want(cond, what):
    if not cond:
        sys.exit("results.json: " + what)
def near(a, e):
    return abs(a - e) <= 1e-9 * max(1, abs(e))
b, ctx = j["benchmarks"], j["context"]
n = {x["name"]: x for x in b}
EOF
      cat; } >"$T/check.py"
    /usr/bin/python3 "$T/check.py" "$1" || fail "$(basename "$1") is wrong (see above)"
}

# one_result_boot: the fake QEMU prints one passing result (5 insns, one
# sample) and the end record (the plot cases)
one_result_boot() {
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":5,"p10":5,"median":5,"p90":5,"max":5,"events":@EVENTS@,"values":[5]'
    canned <<END
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R}
@asilab {"type":"end","status":"pass","records":1}
END
}

case $CASE in
out_exists)
    # a result set is never overwritten by accident: a non-empty --out is
    # refused before any boot (the QEMU argv log stays empty), kept byte
    # for byte; an empty one is used; --force writes into a full one
    mkdir -p "$O" && printf 'old records\n' >"$O/records.jsonl"
    run run --build "$B" --qemu "$Q" --out "$O" --accel tcg --variant shared_l4 --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: output directory '$O' exists and is not empty: choose a new --out or add --force"
    want_file "$O/records.jsonl" "old records"
    [ ! -s "$T/argv.log" ] || fail "QEMU ran: $(cat "$T/argv.log")"
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    lines "$O/records.jsonl" 3
    rm -rf "$O" && mkdir "$O"
    run run --build "$B" --qemu "$Q" --out "$O" --accel tcg --variant shared_l4 --workload hypercall
    want_rc 0
    # unwritable output: a clear error before anything runs
    rm -f "$T/argv.log"
    printf 'x\n' >"$T/file"
    run run --build "$B" --qemu "$Q" --out "$T/file/sub" --accel tcg --variant shared_l4 --workload hypercall
    want_rc 2
    has "$T/stderr" "asilab: cannot create output directory '$T/file/sub': Not a directory"
    [ ! -s "$T/argv.log" ] || fail "QEMU ran: $(cat "$T/argv.log")"
    mkdir -p "$T/ro" && chmod 555 "$T/ro"
    if [ ! -w "$T/ro" ]; then      # (root writes anywhere)
        run run --build "$B" --qemu "$Q" --out "$T/ro" --accel tcg --variant shared_l4 --workload hypercall
        want_rc 2
        has "$T/stderr" "asilab: cannot write '$T/ro/records.jsonl': Permission denied"
    fi
    ;;
reps)
    # --reps 2: every boot twice (rep 1 of all, then rep 2), records with
    # "rep", results.json repeating each benchmark under the same name
    printf 'x\n' >"$B/hv-per_vcpu_l4.elf"
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":100,"samples":4,"min":120,"p10":120,"median":121,"p90":125,"max":130,"events":@EVENTS@,"values":[120,121,125,130]}
@asilab {"type":"end","status":"pass","records":2}
END
    tcg --variant all --workload hypercall --reps 2
    want_rc 0
    count "$O/records.jsonl" '"rep":1,' 6
    count "$O/records.jsonl" '"rep":2,' 6
    has "$T/stderr" "[1/4] per_vcpu_l4 hypercall [rep 1] ... pass"
    has "$T/stderr" "[3/4] per_vcpu_l4 hypercall [rep 2] ... pass"
    has "$T/stderr" "[4/4] shared_l4 hypercall [rep 2] ... pass"
    has "$T/stdout" "4 boots: 4 passed, 0 failed"
    grep -o '"variant":"[a-z_0-9]*","workload":"hypercall","build_id":"[^"]*","image":"counting","git_rev":"[^"]*","date":"[^"]*","boot":\[[^]]*\],"rep":[12]' "$O/records.jsonl" \
        | sed 's/,"build_id.*"rep":/ rep /' | uniq >"$T/order"
    want_file "$T/order" '"variant":"per_vcpu_l4","workload":"hypercall" rep 1
"variant":"shared_l4","workload":"hypercall" rep 1
"variant":"per_vcpu_l4","workload":"hypercall" rep 2
"variant":"shared_l4","workload":"hypercall" rep 2'
    gb "$O/results.json" <<EOF
want([x["name"] for x in b] == ["hypercall/null_hypercall/per_vcpu_l4",
    "hypercall/null_hypercall/shared_l4"] * 2, "names %r" % [x["name"] for x in b])
EOF
    if command -v gnuplot >/dev/null; then    # the plots: one bar per boot, not per rep
        run plot "$O"
        want_rc 0
        want_file "$O/plots/hypercall.dat" "op shared_l4 p10 p90 per_vcpu_l4 p10 p90
null_hypercall 121 120 125 121 120 125"
    fi
    # without --reps: no "rep" at all
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    lacks "$O/records.jsonl" '"rep":'
    tcg --variant shared_l4 --workload hypercall --reps 0
    want_rc 2
    want_file "$T/stderr" "asilab: bad --reps '0': expected an integer 1..64"
    ;;
pass)
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    lines "$O/records.jsonl" 3
    count "$O/records.jsonl" ',"provenance":{"host_cpu":' 3
    count "$O/records.jsonl" '"boot_status":"pass"}}' 3
    count "$O/records.jsonl" '"qemu_version":"QEMU emulator version 7.2.99 (asilab fake)"' 3
    count "$O/records.jsonl" "\"build_id\":\"sha256:$(sha256sum <"$B/hv-shared_l4.elf" | cut -d' ' -f1)\"" 3
    count "$O/records.jsonl" "\"boot\":[\"$B/workloads/hypercall.elf\"]" 3
    count "$O/records.jsonl" '"accel":"tcg","mode":"deterministic","variant":"shared_l4","workload":"hypercall"' 3
    count "$O/records.jsonl" "\"qemu_cmdline\":\"$Q -nodefaults -machine pc -cpu max -m 256M -smp 2 -accel tcg -icount shift=0,sleep=off -display none -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $B/hv-shared_l4.elf -append mode=deterministic -initrd $B/workloads/hypercall.elf\"" 3
    # records are kept verbatim, provenance spliced in before the last brace
    has "$O/records.jsonl" "{\"type\":\"result\",\"workload\":\"hypercall\",\"op\":\"null_hypercall\",\"variant\":\"shared_l4\",\"mode\":\"deterministic\",\"unit\":\"insns\",\"ops\":100,\"samples\":32,\"min\":120,\"p10\":120,\"median\":121,\"p90\":125,\"max\":130,\"events\":$EV,\"provenance\":{"
    has "$O/records.jsonl" '{"type":"end","status":"pass","records":2,"provenance":{'
    printf '%s\n' "$Q" -nodefaults -machine pc -cpu max -m 256M -smp 2 -accel tcg \
        -icount shift=0,sleep=off -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$B/hv-shared_l4.elf" \
        -append mode=deterministic -initrd "$B/workloads/hypercall.elf" -- >"$T/want"
    cmp -s "$T/want" "$T/argv.log" || fail "qemu argv differs: $(diff "$T/want" "$T/argv.log")"
    has "$T/stderr" "accel: tcg (deterministic icount) — requested with --accel tcg"
    has "$T/stderr" "[1/1] shared_l4 hypercall ... pass (2 records, "
    squeeze "$T/stdout" >"$T/table"
    want_file "$T/table" "variant workload op unit image min median max counted cr3_load tlb_flush invlpg ctx_switch gdt_load note
shared_l4 hypercall null_hypercall insns counting 120 121 130 - 2 1 0.50 4 3
1 boots: 1 passed, 0 failed"
    ;;
all)
    tcg --variant all --workload all --smp 1
    want_rc 0
    has "$T/stderr" "[1/16] shared_l4 hypercall ... pass (2 records, "
    has "$T/stderr" ", ETA "
    has "$T/stderr" "[3/16] shared_l4 ctxsw (mode=same vcpus=2) ... pass"
    has "$T/stderr" "[4/16] shared_l4 ctxsw (mode=cross domains=2) ... pass"
    has "$T/stderr" "[5/16] shared_l4 ctxsw (mode=cross domains=2 runstate=inpage) ... pass"
    has "$T/stderr" "[6/16] shared_l4 ctxsw (mode=cross domains=2 runstate=straddle) ... pass"
    has "$T/stderr" "[7/16] shared_l4 ctxsw (mode=preempt domains=2 samples=3) ... pass"
    lacks "$T/argv.log" "mode=wake"     # needs -smp 2
    has "$T/stderr" "[8/16] shared_l4 gdt_ldt (vcpus=2) ... pass"
    has "$T/stderr" "[9/16] shared_l4 flush (ops=local) ... pass"
    lacks "$T/argv.log" hostile
    has "$T/stderr" "[12/16] shared_l4 gnttab (random=1000 peer=1) +gnttab ... pass"
    count "$T/argv.log" "$B/workloads/ctxsw.elf mode=cross domains=2" 3
    count "$T/argv.log" "$B/workloads/syscall.elf" 1
    lines "$O/records.jsonl" 48
    has "$T/stdout" "16 boots: 16 passed, 0 failed"
    ;;
hostile)
    canned <<END
@asilab {"type":"result","workload":"hypercall",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":$EV}
@asilab {"type":"robustness","workload":"hostile","calls":500,"errors":{"-22":480,"-1":20},"invariant_failures":0,"survived":true}
(d2) hostile: crashing on purpose
@asilab {"type":"end","status":"fail","records":2,"domains":[{"domid":1,"name":"hypercall","state":"shutdown","reason":"poweroff"},{"domid":2,"name":"hostile","state":"crashed","reason":"#GP in guest kernel"}]}
END
    export FAKE_QEMU_EXIT=3
    tcg --variant shared_l4 --workload hostile
    want_rc 0
    has "$T/stderr" "[1/2] shared_l4 hostile (random=10000 seed=1 vcpus=2) +hypercall ... pass (2 records, "
    has "$T/stderr" "[2/2] shared_l4 hostile (crash=iret vcpus=2) +hypercall ... pass (2 records, "
    has "$T/argv.log" "$B/workloads/hostile.elf random=10000 seed=1 vcpus=2,$B/workloads/hypercall.elf"
    has "$T/argv.log" "$B/workloads/hostile.elf crash=iret vcpus=2,$B/workloads/hypercall.elf pcpu=1"
    export FAKE_QEMU_EXIT=1
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "[1/2] shared_l4 hostile (random=10000 seed=1 vcpus=2) +hypercall ... fail (2 records, "
    has "$T/stderr" "): hv code 0 (pass), but workload 'hostile' is expected to fail with hv code 1"
    lacks "$T/stderr" "(+"
    ;;
exposure)
    # exposure and probe records get their own tables after the results
    printf 'x\n' >"$B/hv-per_vcpu_l4.elf"
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"exposure","workload":"@WORKLOAD@","variant":"@VARIANT@","mode":"@MODE@","space":"guest","pcpu":0,"domid":0,"vcpu":0,"bytes":{"own_domain":8392704,"other_domain":2097152,"hv_private":1536,"this_pcpu_stack":32768,"other_pcpu_stack":0,"other_vcpu_window":4096},"via_directmap":{"own_domain":8392704,"other_domain":0,"hv_private":0,"this_pcpu_stack":0,"other_pcpu_stack":0,"other_vcpu_window":0}}
@asilab {"type":"exposure","workload":"@WORKLOAD@","variant":"@VARIANT@","mode":"@MODE@","space":"hv","pcpu":0,"domid":0,"vcpu":0,"bytes":{"own_domain":16777216,"other_domain":16777216,"hv_private":1048576,"this_pcpu_stack":32768,"other_pcpu_stack":32768,"other_vcpu_window":8192},"via_directmap":{"own_domain":16777216,"other_domain":16777216,"hv_private":1048576,"this_pcpu_stack":32768,"other_pcpu_stack":32768,"other_vcpu_window":1023}}
@asilab {"type":"probe","workload":"@WORKLOAD@","op":"stack_pattern_after_switch","variant":"@VARIANT@","mode":"@MODE@","found":3,"stack_zero":false}
@asilab {"type":"end","status":"pass","records":5}
END
    tcg --variant all --workload leak
    want_rc 0
    has "$T/stderr" "[1/2] per_vcpu_l4 leak (domains=2) ... pass (5 records, "
    has "$T/stderr" "[2/2] shared_l4 leak (domains=2) ... pass (5 records, "
    count "$O/records.jsonl" '{"type":"exposure",' 4
    count "$O/records.jsonl" '{"type":"probe",' 2
    squeeze "$T/stdout" >"$T/table"
    want_file "$T/table" "variant workload op unit image min median max counted cr3_load tlb_flush invlpg ctx_switch gdt_load note
per_vcpu_l4 leak null_hypercall insns counting 1 1 1 - 2 1 0.50 4 3
shared_l4 leak null_hypercall insns counting 1 1 1 - 2 1 0.50 4 3

variant space own_domain other_domain hv_private this_pcpu_stack other_pcpu_stack other_vcpu_window other_domain_shared mapcache via_directmap
per_vcpu_l4 guest 8196 2048 1 32 0 4 0 0 0
per_vcpu_l4 hv 16384 16384 1024 32 32 8 0 0 16416
shared_l4 guest 8196 2048 1 32 0 4 0 0 0
shared_l4 hv 16384 16384 1024 32 32 8 0 0 16416

variant workload op found stack_zero
per_vcpu_l4 leak stack_pattern_after_switch 3 false
shared_l4 leak stack_pattern_after_switch 3 false
2 boots: 2 passed, 0 failed"
    # the numbers are right-aligned under their headers
    has "$T/stdout" "per_vcpu_l4  hv          16384         16384        1024               32                32                  8                    0         0          16416"
    # several spaces of one (variant, space) show the largest of each class
    canned <<END
$CAL
@asilab {"type":"exposure","workload":"@WORKLOAD@","variant":"@VARIANT@","mode":"@MODE@","space":"guest","pcpu":0,"domid":1,"vcpu":0,"bytes":{"own_domain":4096,"other_domain":0,"hv_private":2048,"this_pcpu_stack":0,"other_pcpu_stack":8192,"other_vcpu_window":0,"other_domain_shared":4096,"mapcache":12288},"via_directmap":{"own_domain":0,"other_domain":0,"hv_private":0,"this_pcpu_stack":0,"other_pcpu_stack":8192,"other_vcpu_window":0,"other_domain_shared":4096,"mapcache":0}}
@asilab {"type":"exposure","workload":"@WORKLOAD@","variant":"@VARIANT@","mode":"@MODE@","space":"guest","pcpu":1,"domid":2,"vcpu":0,"bytes":{"own_domain":8192,"other_domain":0,"hv_private":1024,"this_pcpu_stack":0,"other_pcpu_stack":0,"other_vcpu_window":0},"via_directmap":{"own_domain":0,"other_domain":0,"hv_private":0,"this_pcpu_stack":0,"other_pcpu_stack":0,"other_vcpu_window":0}}
@asilab {"type":"probe","workload":"@WORKLOAD@","op":"stack_pattern_after_switch","variant":"@VARIANT@","mode":"@MODE@","found":0,"stack_zero":true}
@asilab {"type":"end","status":"pass","records":4}
END
    tcg --variant shared_l4 --workload leak
    want_rc 0
    squeeze "$T/stdout" >"$T/table"
    want_file "$T/table" "(no result records)

variant space own_domain other_domain hv_private this_pcpu_stack other_pcpu_stack other_vcpu_window other_domain_shared mapcache via_directmap
shared_l4 guest 8 0 2 0 8 0 4 12 12

variant workload op found stack_zero
shared_l4 leak stack_pattern_after_switch 0 true
1 boots: 1 passed, 0 failed"
    ;;
unknown_variant)
    printf 'x\n' >"$B/hv-per_vcpu_l4+stackzero.elf"
    tcg --variant shared_l4,nope --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: unknown variant 'nope' (valid: per_vcpu_l4+stackzero, shared_l4)"
    [ ! -e "$T/argv.log" ] || fail "qemu was started"
    # a pattern (fnmatch) that matches nothing lists the variants
    tcg --variant '*+sparse' --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: no variant matches '*+sparse' (valid: per_vcpu_l4+stackzero, shared_l4)"
    [ ! -e "$T/argv.log" ] || fail "qemu was started"
    # one that matches boots each match once, in the order of the list
    tcg --variant '*+stackzero,per_*,shared_l4' --workload hypercall
    want_rc 0
    has "$T/stderr" "[1/2] per_vcpu_l4+stackzero hypercall ... pass"
    has "$T/stderr" "[2/2] shared_l4 hypercall ... pass"
    ;;
unknown_workload)
    tcg --variant shared_l4 --workload hypercall,bogus
    want_rc 2
    want_file "$T/stderr" "asilab: unknown workload 'bogus' (valid: hypercall, syscall, ctxsw, gdt_ldt, flush, procswitch, emul, gnttab, leak, exposure, layout, abi, hostile, hostile_fuzz)"
    rm "$B/workloads/syscall.elf"
    tcg --variant shared_l4 --workload syscall
    want_rc 2
    want_file "$T/stderr" "asilab: workload 'syscall' is not built: $B/workloads/syscall.elf missing"
    [ ! -e "$T/argv.log" ] || fail "qemu was started"
    ;;
bad_numbers)
    for a in "--smp 0" "--smp two" "--smp 65" "--smp 2x" "--timeout 0" \
             "--timeout abc" "--timeout -3" "--accel xen" "--frobnicate" "--smp" \
             "-j 0" "--jobs 65" "-j two" "--jobs 1.5" "-j" "--reps 0" "--reps 65" \
             "-r x" "--reps"; do
        # shellcheck disable=SC2086
        tcg --variant shared_l4 --workload hypercall $a
        want_rc 2
        lines "$T/stderr" 1
        has "$T/stderr" "asilab: "
    done
    tcg --variant shared_l4 --workload hypercall --smp two
    want_file "$T/stderr" "asilab: bad --smp 'two': expected an integer 1..8 (the hv runs at most 8 CPUs, its NR_CPUS)"
    tcg --variant shared_l4 --workload hypercall --timeout abc
    want_file "$T/stderr" "asilab: bad --timeout 'abc': expected seconds, > 0 and <= 86400"
    tcg --variant shared_l4 --workload hypercall --jobs 0
    want_file "$T/stderr" "asilab: bad --jobs '0': expected an integer 1..64"
    run run --force --build "$B" --variant shared_l4
    want_rc 2
    want_file "$T/stderr" "asilab: run needs --variant (or --hv xen) and --workload or --series (see asilab --help)"
    [ ! -e "$T/argv.log" ] || fail "qemu was started"
    ;;
qemu_missing)
    run run --force --build "$B" --out "$O" --qemu "$T/nonexistent" --variant shared_l4 --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: qemu-system-x86_64 not found: '$T/nonexistent' is not an executable file; install it with 'apt-get install qemu-system-x86'"
    mkdir "$T/emptybin"
    env PATH="$T/emptybin" "$ASILAB" run --force --build "$B" --out "$O" --variant shared_l4 --workload hypercall \
        >"$T/stdout" 2>"$T/stderr"
    rc=$?
    want_rc 2
    want_file "$T/stderr" "asilab: qemu-system-x86_64 not found: install it with 'apt-get install qemu-system-x86'"
    ;;
timeout)
    canned <<END
fake hv: booting
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
fake hv: vCPU 1 spinning forever
END
    # (the fake hangs 60 s; ctest's 20 s limit fails the case if the
    # runner waits for it instead of killing it)
    export FAKE_QEMU_HANG=1 FAKE_QEMU_PIDFILE="$T/sleep.pid"
    tcg --variant shared_l4 --workload hypercall --timeout 2
    want_rc 1
    lines "$O/records.jsonl" 2
    count "$O/records.jsonl" '"boot_status":"timeout"}}' 2
    has "$T/stderr" "[1/1] shared_l4 hypercall ... timeout (2 records, "
    has "$T/stderr" "): timed out after 2 s"
    has "$T/stderr" "    | fake hv: vCPU 1 spinning forever"
    has "$T/stdout" "1 boots: 0 passed, 1 failed"
    # killed means gone or a zombie (nobody may have reaped it yet)
    pid=$(cat "$T/sleep.pid")
    state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ] || { kill "$pid"; fail "QEMU's child $pid survived the timeout (state $state)"; }
    ;;
timeout_stubborn)
    # a QEMU that ignores SIGTERM gets SIGKILL after the grace period
    export FAKE_QEMU_HANG=stubborn FAKE_QEMU_PIDFILE="$T/sleep.pid"
    tcg --variant shared_l4 --workload hypercall --timeout 1
    want_rc 1
    count "$O/records.jsonl" '"boot_status":"timeout"}}' 3
    has "$T/stderr" "): timed out after 1 s"
    pid=$(cat "$T/sleep.pid")
    state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ] || { kill -9 "$pid"; fail "QEMU's child $pid survived SIGKILL (state $state)"; }
    ;;
invalid_record)
    canned <<END
fake hv: booting
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":90,"p10":95,"median":99,"p90":125,"max":100,"events":@EVENTS@}
@asilab {"type":"end","status":"pass","records":2}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "[1/1] shared_l4 hypercall ... fail (2 records, "
    has "$T/stderr" "): line 3: result record: p90 > max (125 > 100) (+1 more)"
    has "$T/stderr" "    also: no valid result record"
    lines "$O/records.jsonl" 3
    count "$O/records.jsonl" '"record_error":"line 3: result record: p90 > max (125 > 100)"' 1
    count "$O/records.jsonl" '"boot_status":"fail"' 3
    has "$T/stdout" "(no result records)"
    ;;
missing_events)
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":{"cr3_load":1,"tlb_flush":1,"invlpg":0,"ipi_sent":0,"l4_copy":0,"stack_zero_bytes":0,"gdt_load":0,"ldt_load":0}}
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1}
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"result","workload":"syscall",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"result", "bad json"
@asilab {"type":"end","status":"pass","records":6}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "): line 2: result record: events missing 'ctx_switch' (+3 more)"
    has "$T/stderr" "    also: line 3: result record: missing 'events'"
    has "$T/stderr" "    also: line 5: result record: 'workload' is \"syscall\", expected \"hypercall\""
    has "$T/stderr" "    also: line 6: invalid JSON: "
    count "$O/records.jsonl" '{"type":"unparsed","line":6,"raw":"{\"type\":\"result\", \"bad json\"","provenance":{' 1
    ;;
nonutf8)
    # bytes that are not UTF-8 (or NULs) in a record, a console line, the
    # end record and QEMU's stderr: no crash, the record rejected with its
    # line number, its raw text kept escaped, records.jsonl valid JSON
    # lines, the summary printed
    printf '%s\n' "$CAL" >"$T/lines"
    printf '@asilab {"type":"result","workload":"hyp\377ercall",%s,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}\n' "$RES" >>"$T/lines"
    printf 'fake hv: noise \376\033[2J here\n' >>"$T/lines"
    printf '@asilab {"type":"result","workload":"@WORKLOAD@",%s,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}\n' "$RES" >>"$T/lines"
    printf '@asilab {"type":"result","workload":"a\\b\000c"}\n' >>"$T/lines"
    printf '@asilab {"type":"end","status":"pa\300\257ss","records":4}\n' >>"$T/lines"
    export FAKE_QEMU_LINES="$T/lines" FAKE_QEMU_STDERR="$(printf 'qemu: odd \377 byte')"
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "[1/1] shared_l4 hypercall ... fail (5 records, "
    has "$T/stderr" "): line 2: not valid UTF-8 at byte 33 of the record: rejected (+3 more)"
    has "$T/stderr" "    also: line 5: a NUL byte at byte 33 of the record: rejected"
    has "$T/stderr" "    also: line 6: not valid UTF-8 at byte 27 of the record: rejected"
    has "$T/stderr" '    also: no end record; qemu: qemu: odd \xff byte'
    has "$T/stderr" '    | fake hv: noise \xfe\x1b[2J here'
    has "$T/stderr" '    | qemu: odd \xff byte'
    has "$T/stdout" "1 boots: 0 passed, 1 failed"
    lines "$O/records.jsonl" 5
    /usr/bin/python3 - "$O/records.jsonl" <<'EOF' || fail "records.jsonl is not valid JSON lines"
import json, sys
raw = open(sys.argv[1], "rb").read()
recs = [json.loads(l) for l in raw.decode("utf-8").split("\n") if l]
assert [r["type"] for r in recs] == ["calibration", "unparsed", "result", "unparsed", "unparsed"], recs
r = recs[1]
assert r["line"] == 2 and r["raw_escaped"] is True, r
assert r["raw"].startswith('{"type":"result","workload":"hyp\\xffercall","op":"null_hypercall"'), r["raw"]
assert r["provenance"]["record_error"] == "line 2: not valid UTF-8 at byte 33 of the record: rejected"
assert recs[3]["raw"] == '{"type":"result","workload":"a\\\\b\\x00c"}', recs[3]["raw"]
assert recs[4]["raw"] == '{"type":"end","status":"pa\\xc0\\xafss","records":4}', recs[4]["raw"]
assert "record_error" not in recs[2]["provenance"]
EOF
    ;;
record_strings)
    # strings a guest sends that could reach a file name, a plot or a shell
    # are held to the catalog (workload), to [a-z0-9_]{1,64} (op) or to
    # what was booted (variant, mode, unit); a record that fails is
    # rejected with its line number and kept verbatim
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@,"values":[1]'
    long=$(printf 'o%.0s' $(seq 65))
    canned <<END
$CAL
@asilab {"type":"result","workload":"\$(touch $T/pwned)","op":"null_hypercall",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"\$(touch $T/pwned)",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"../../evil",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"a'b",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"$long",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"yield_cross_domain_x4",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"flush_remote_3",$R}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"tlb_flush_local_touch_512",$R}
@asilab {"type":"exposure","workload":"@WORKLOAD@","variant":"@VARIANT@","mode":"timing","space":"guest","bytes":{"own_domain":1,"other_domain":0,"hv_private":0,"this_pcpu_stack":0,"other_pcpu_stack":0,"other_vcpu_window":0}}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall","variant":"@VARIANT@","mode":"@MODE@","unit":"tsc_ticks","ops":1,"samples":1,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"probe","workload":"@WORKLOAD@","op":"x y","variant":"@VARIANT@","mode":"@MODE@","found":0,"stack_zero":true}
@asilab {"type":"calibration","op":"Empty_loop","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":1,"median":1,"max":1}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall","variant":"../x","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"end","status":"pass","records":14}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "): line 2: result record: 'workload' is \"\$(touch $T/pwned)\", expected \"hypercall\" (+9 more)"
    has "$T/stderr" "    also: line 3: result record: 'op' \"\$(touch $T/pwned)\" is not a name ([a-z0-9_], 1..64 characters)"
    has "$T/stderr" "    also: line 4: result record: 'op' \"../../evil\" is not a name ([a-z0-9_], 1..64 characters)"
    has "$T/stderr" "    also: line 5: result record: 'op' \"a'b\" is not a name ([a-z0-9_], 1..64 characters)"
    has "$T/stderr" "    also: line 6: result record: 'op' \"$long\" is not a name ([a-z0-9_], 1..64 characters)"
    has "$T/stderr" "    also: line 10: exposure record: 'mode' is \"timing\", expected \"deterministic\""
    has "$T/stderr" "    also: line 11: result record: 'unit' is \"tsc_ticks\", expected \"insns\""
    has "$T/stderr" "    also: line 12: probe record: 'op' \"x y\" is not a name ([a-z0-9_], 1..64 characters)"
    has "$T/stderr" "    also: line 13: calibration record: 'op' \"Empty_loop\" is not a name ([a-z0-9_], 1..64 characters)"
    has "$T/stderr" "    also: line 14: result record: 'variant' is \"../x\", expected \"shared_l4\""
    lacks "$T/stderr" "line 7:"
    lacks "$T/stderr" "line 8:"
    lacks "$T/stderr" "line 9:"
    count "$O/records.jsonl" '"record_error":"line ' 10
    has "$O/records.jsonl" "{\"type\":\"result\",\"workload\":\"hypercall\",\"op\":\"\$(touch $T/pwned)\",\"variant\":\"shared_l4\","
    has "$O/records.jsonl" "{\"type\":\"result\",\"workload\":\"hypercall\",\"op\":\"a'b\",\"variant\":\"shared_l4\","
    [ ! -e "$T/pwned" ] || fail "a record string ran as a command"
    ;;
stats_checks)
    # statistics: finite, ordered, >= 0; values: numbers >= 0, one per sample
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"events":@EVENTS@'
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@","op":"a",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":2,"values":[1,2]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"b",$R,"samples":2,"min":-1,"p10":1,"median":2,"p90":2,"max":2}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"c",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":2,"values":[1]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"d",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":2,"values":[1,-5]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"e",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":2,"values":["1",2]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"f",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":1e999}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"g",$R,"samples":2,"min":1,"p10":1,"median":NaN,"p90":2,"max":2}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"h",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":2,"overhead":-0.5}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"i",$R,"samples":0,"min":1,"p10":1,"median":2,"p90":2,"max":2}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"j",$R,"samples":2,"min":1,"p10":1,"median":2,"p90":2,"max":2,"values":{"0":1}}
@asilab {"type":"calibration","op":"k","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":-2,"median":1,"max":1}
@asilab {"type":"end","status":"pass","records":12}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "): line 3: result record: 'min' is -1, must be >= 0 (+9 more)"
    has "$T/stderr" "    also: line 4: result record: 'values' has 1 entries, 'samples' is 2"
    has "$T/stderr" "    also: line 5: result record: values[1] is -5, must be >= 0"
    has "$T/stderr" "    also: line 6: result record: values[0] is not a number"
    has "$T/stderr" "    also: line 7: invalid JSON: real number overflow"
    has "$T/stderr" "    also: line 8: invalid JSON: "
    has "$T/stderr" "    also: line 9: result record: 'overhead' is -0.5, must be >= 0"
    has "$T/stderr" "    also: line 10: result record: 'samples' is 0, must be >= 1"
    has "$T/stderr" "    also: line 11: result record: 'values' is not an array"
    has "$T/stderr" "    also: line 12: calibration record: 'min' is -2, must be >= 0"
    lacks "$T/stderr" "line 2:"
    count "$O/records.jsonl" '"record_error":"line ' 10
    ;;
plot_no_shell)
    # asilab plot runs gnuplot without a shell: names from an edited
    # records.jsonl ($(...), ', ../) never run or create anything, are
    # skipped and counted; a hostname with quotes only ever is a title
    command -v gnuplot >/dev/null || exit 77
    one_result_boot
    P="$T/o'ut \$(touch $T/pwned_dir)"
    O=$P tcg --variant shared_l4 --workload hypercall
    want_rc 0
    /usr/bin/python3 - "$P/records.jsonl" "$T" <<'EOF' || fail "cannot edit records.jsonl"
import json, sys
path, t = sys.argv[1], sys.argv[2]
good = json.loads(open(path).readline())
out = []
for k, v in (("workload", "$(touch %s/pwned_w)" % t), ("workload", "../../evil"),
             ("op", "a'b; system(\"touch %s/pwned_op\")" % t), ("variant", "x y"),
             ("variant", "'`touch %s/pwned_v`'" % t), ("unit", "';!touch %s/pwned_u" % t)):
    r = json.loads(json.dumps(good))
    r[k] = v
    out.append(r)
good["provenance"]["hostname"] = "h'; system(\"touch %s/pwned_h\"); '$(touch %s/pwned_h2)\n" % (t, t)
out.append(good)
with open(path, "w") as f:
    for r in out:
        f.write(json.dumps(r) + "\n")
EOF
    run plot "$P"
    want_rc 0
    want_file "$T/stderr" "plot: skipped 6 of 7 records: 6 with names that are not safe"
    has "$T/stdout" "plots: $P/plots (1 workloads, 1 variants, deterministic mode)"
    ls "$T" | grep pwned && fail "a record string ran as a command"
    [ ! -e "$T/evil.dat" ] && [ ! -e "$T/evil.png" ] || fail "a file was written outside the plots folder"
    [ -s "$P/plots/hypercall.png" ] && [ -s "$P/plots/hypercall.svg" ] || fail "no hypercall plot"
    want_file "$P/plots/hypercall.dat" "op shared_l4 p10 p90
null_hypercall 5 5 5"
    ls "$P/plots" | grep -v -e '^hypercall' -e '^events_hypercall' -e '^exposure.dat$' -e '^isolation_deltas.dat$' && fail "unexpected files in plots/"
    has "$P/plots/hypercall.svg" "<text>hypercall: insns per op, counting images, deterministic mode, h'; system(\"touch $T/pwned_h\"); '\$(touch $T/pwned_h2)?</text>"
    # gnuplot is looked up in PATH, not through a shell
    nobin
    (PATH="$T/nobin"; export PATH; "$ASILAB" plot "$P" >"$T/stdout" 2>"$T/stderr")
    rc=$?
    want_rc 2
    want_file "$T/stderr" "plot: skipped 6 of 7 records: 6 with names that are not safe
asilab: gnuplot not found: install it with 'apt-get install gnuplot-nox'"
    grep -n "system" "$(dirname "$FAKE")/../../plots/"*.gp && fail "a gnuplot script runs a shell"
    ;;
plot_accept)
    # plot takes the records results.json takes: a failed boot's, an
    # invalid one's and an unreadable line stay out, counted on one line
    command -v gnuplot >/dev/null || exit 77
    one_result_boot
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    /usr/bin/python3 - "$O/records.jsonl" <<'EOF' || fail "cannot edit records.jsonl"
import json, sys
path = sys.argv[1]
good = json.loads(open(path).readline())
def variant(op, **kw):
    r = json.loads(json.dumps(good))
    r["op"] = op
    for k, v in kw.items():
        if k in ("boot_status", "record_error"):
            r["provenance"][k] = v
        else:
            r[k] = v
    return json.dumps(r)
lines = [json.dumps(good), variant("failed_boot", boot_status="fail"),
         variant("interrupted_boot", boot_status="interrupted"),
         variant("bad_record", record_error="line 3: result record: ..."),
         variant("bad_timing", valid=False), "{not json", json.dumps(dict(good, type="calibration"))]
open(path, "w").write("\n".join(lines) + "\n")
EOF
    run plot "$O"
    want_rc 0
    want_file "$T/stderr" "plot: skipped 5 of 6 records: 2 from boots that did not pass, 2 invalid (timing or record), 1 not JSON"
    want_file "$O/plots/hypercall.dat" "op shared_l4 p10 p90
null_hypercall 5 5 5"
    ;;
force_atomic)
    # --force replaces a result set: the old results.json and plots/ go
    # before records.jsonl is rewritten, so a run killed (kill -9) while it
    # boots leaves no old file next to the new records.jsonl
    old() {
        rm -rf "$O" && mkdir -p "$O/plots/sub"
        printf 'old records\n' >"$O/records.jsonl"
        printf '{"old": true}\n' >"$O/results.json"
        printf 'old\n' >"$O/plots/hypercall.png"
        printf 'old\n' >"$O/plots/sub/x"
        ln -s "$T/keep" "$O/plots/link"
    }
    printf 'not to be removed\n' >"$T/keep"
    old
    export FAKE_QEMU_HANG=1 FAKE_QEMU_PIDFILE="$T/sleep.pid"
    "$ASILAB" run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 30 \
        --variant shared_l4 --workload hypercall >"$T/stdout" 2>"$T/stderr" &
    apid=$!
    i=0
    while [ ! -s "$T/sleep.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ $i -lt 100 ] || { kill "$apid"; fail "QEMU did not start"; }
    kill -9 "$apid"
    wait "$apid" 2>/dev/null
    kill "$(cat "$T/sleep.pid")" 2>/dev/null
    [ ! -e "$O/results.json" ] || fail "old results.json left next to the new records.jsonl"
    [ ! -e "$O/plots" ] || fail "old plots left next to the new records.jsonl: $(ls -R "$O/plots")"
    lacks "$O/records.jsonl" "old records"
    want_file "$T/keep" "not to be removed"
    # a run that completes: its own results.json, no old plots
    unset FAKE_QEMU_HANG
    old
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":5,"p10":5,"median":5,"p90":5,"max":5,"events":@EVENTS@,"values":[5]'
    canned <<END
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R}
@asilab {"type":"end","status":"pass","records":1}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    [ ! -e "$O/plots" ] || fail "old plots left: $(ls -R "$O/plots")"
    lacks "$O/results.json" '"old"'
    has "$O/results.json" '"name": "hypercall/null_hypercall/shared_l4"'
    lines "$O/records.jsonl" 2
    ;;
smp_limit)
    # --smp is what the hv can run: 1..NR_CPUS (8); more is refused with
    # one line before anything boots
    tcg --variant shared_l4 --workload hypercall --smp 8
    want_rc 0
    countx "$T/argv.log" 8 1
    rm -f "$T/argv.log"
    for n in 9 16 64; do
        tcg --variant shared_l4 --workload hypercall --smp $n
        want_rc 2
        want_file "$T/stderr" "asilab: bad --smp '$n': expected an integer 1..8 (the hv runs at most 8 CPUs, its NR_CPUS)"
    done
    [ ! -e "$T/argv.log" ] || fail "qemu was started"
    ;;
series_fit)
    # every series value accepted fits the hv; the boundary boots, one past
    # it is refused with one line saying why, before any boot
    initrd() { awk 'p { print; p = 0 } $0 == "-initrd" { p = 1 }' "$T/argv.log" >"$1"; }
    tcg --variant shared_l4 --series ctxsw_vcpus=8 --series flush_targets --series refill_pages=512 --smp 8
    want_rc 0
    initrd "$T/initrd"
    want_file "$T/initrd" "$B/workloads/ctxsw.elf mode=cross domains=8
$B/workloads/flush.elf ops=remote vcpus=8 spread=1
$B/workloads/flush.elf ops=local refill=512"
    rm -f "$T/argv.log"
    tcg --variant shared_l4 --series ctxsw_vcpus=2,9
    want_rc 2
    want_file "$T/stderr" "asilab: bad --series ctxsw_vcpus value '9': expected integers 2..8 (K domains: the hv builds at most 8)"
    tcg --variant shared_l4 --series refill_pages=513
    want_rc 2
    want_file "$T/stderr" "asilab: bad --series refill_pages value '513': expected integers 1..512 (pages of the guest's 4 MiB domain)"
    # flush_targets boots one vCPU per pCPU in one domain: --smp 9 would be
    # 9 vCPUs (the hv's limit is 8 per domain, and it panics on more)
    tcg --variant shared_l4 --series flush_targets --smp 9
    want_rc 2
    lines "$T/stderr" 1
    has "$T/stderr" "asilab: bad --smp '9': "
    [ ! -e "$T/argv.log" ] || fail "qemu was started: $(cat "$T/argv.log")"
    ;;
interrupted_label)
    # a boot cut short by SIGTERM (or ^C) to the runner is "interrupted",
    # in the progress line, the summary and records.jsonl, not "fail"
    export FAKE_QEMU_HANG=1 FAKE_QEMU_PIDFILE="$T/sleep.pid"
    "$ASILAB" run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 30 \
        --variant shared_l4 --workload hypercall,syscall >"$T/stdout" 2>"$T/stderr" &
    apid=$!
    i=0
    while [ ! -s "$T/sleep.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ $i -lt 100 ] || { kill "$apid"; fail "QEMU did not start"; }
    kill -TERM "$apid"
    wait "$apid"
    rc=$?
    want_rc 130
    has "$T/stderr" "[1/2] shared_l4 hypercall ... interrupted (2 records, "
    has "$T/stderr" "): interrupted"
    lacks "$T/stderr" "[2/2]"
    has "$T/stderr" "asilab: interrupted after 1 of 2 boots"
    has "$T/stdout" "1 boots: 0 passed, 0 failed, 1 interrupted"
    lines "$O/records.jsonl" 3
    count "$O/records.jsonl" '"boot_status":"interrupted"}}' 3
    lacks "$O/records.jsonl" '"boot_status":"fail"'
    ;;
pdeathsig)
    # QEMU dies with the runner: after a kill -9 of the runner (which can
    # clean up nothing), no QEMU is left running (parent-death signal)
    export FAKE_QEMU_HANG=exec FAKE_QEMU_PIDFILE="$T/qemu.pid"
    "$ASILAB" run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 30 -j 2 \
        --variant shared_l4 --workload hypercall,syscall >"$T/stdout" 2>"$T/stderr" &
    apid=$!
    i=0
    while [ "$(cat "$T/qemu.pid" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ $i -lt 100 ] || { kill "$apid"; fail "2 QEMUs did not start"; }
    kill -9 "$apid"
    wait "$apid" 2>/dev/null
    # gone or a zombie (whoever inherited it may not have reaped it yet);
    # waiting for the kernel to deliver the signal, at most 5 s
    for pid in $(cat "$T/qemu.pid"); do
        i=0
        while state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) &&
              [ -n "$state" ] && [ "$state" != Z ] && [ $i -lt 50 ]; do
            sleep 0.1; i=$((i + 1))
        done
        [ -z "$state" ] || [ "$state" = Z ] || { kill -9 "$pid"; fail "QEMU $pid outlived the runner (state $state)"; }
    done
    ;;
robustness_required)
    # an expected-to-fail (hostile) boot passes only with exactly one valid
    # robustness record (survived, 0 invariant failures): a hostile domain
    # that died before reporting fails the boot
    export FAKE_QEMU_EXIT=3
    END_FAIL='@asilab {"type":"end","status":"fail","records":@N@,"domains":[{"domid":0,"name":"hostile","state":"crashed","reason":"crash"},{"domid":1,"name":"hypercall","state":"shutdown","reason":"poweroff"}]}'
    HC="@asilab {\"type\":\"result\",\"workload\":\"hypercall\",$RES,\"min\":1,\"p10\":1,\"median\":1,\"p90\":1,\"max\":1,\"events\":$EV}"
    ROB='@asilab {"type":"robustness","workload":"hostile","calls":500,"errors":{"-22":480},"invariant_failures":0,"survived":true}'
    # rob N [RECORD]: N copies of the robustness record (or RECORD)
    rob() {
        { echo "$HC"; i=0; while [ $i -lt "$1" ]; do echo "${2:-$ROB}"; i=$((i + 1)); done
          echo "$END_FAIL" | sed "s/@N@/$(($1 + 1))/"; } >"$T/lines"
        export FAKE_QEMU_LINES="$T/lines"
    }
    rob 0
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "[1/2] shared_l4 hostile (random=10000 seed=1 vcpus=2) +hypercall ... fail (1 records, "
    has "$T/stderr" "): 0 valid robustness records (survived, 0 invariant failures), expected exactly 1"
    has "$T/stdout" "2 boots: 0 passed, 2 failed"
    count "$O/records.jsonl" '"boot_status":"fail"' 4
    rob 2
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "): 2 valid robustness records (survived, 0 invariant failures), expected exactly 1"
    rob 1 '@asilab {"type":"robustness","workload":"hostile","calls":500,"errors":{},"invariant_failures":3,"survived":true}'
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "): line 2: robustness: hv survived, 3 invariant failures (+1 more)"
    has "$T/stderr" "    also: 0 valid robustness records (survived, 0 invariant failures), expected exactly 1"
    rob 1 '@asilab {"type":"robustness","workload":"hostile","calls":500,"errors":{},"invariant_failures":0,"survived":false}'
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "): line 2: robustness: hv did not survive, 0 invariant failures (+1 more)"
    rob 1
    tcg --variant shared_l4 --workload hostile
    want_rc 0
    has "$T/stdout" "2 boots: 2 passed, 0 failed"
    # workloads without the flag need none
    export FAKE_QEMU_EXIT=1
    unset FAKE_QEMU_LINES
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    ;;
audit_violations)
    # the hv's own MMU audit, in the end record, fails the boot whatever
    # the (hostile) guest reported; a malformed count is a bad record
    export FAKE_QEMU_EXIT=3
    HC="@asilab {\"type\":\"result\",\"workload\":\"hypercall\",$RES,\"min\":1,\"p10\":1,\"median\":1,\"p90\":1,\"max\":1,\"events\":$EV}"
    ROB='@asilab {"type":"robustness","workload":"hostile","calls":500,"errors":{"-22":480},"invariant_failures":0,"survived":true}'
    # endrec V: the end record with d0's audit_violations V
    endrec() {
        printf '%s\n%s\n%s\n' "$HC" "$ROB" '@asilab {"type":"end","status":"fail","records":2,"domains":[{"domid":0,"name":"hostile","state":"crashed","reason":"crash","audits":10018,"audit_violations":'"$1"'},{"domid":1,"name":"hypercall","state":"shutdown","reason":"poweroff","audits":0,"audit_violations":0}]}' >"$T/lines"
        export FAKE_QEMU_LINES="$T/lines"
    }
    endrec 0
    tcg --variant shared_l4 --workload hostile
    want_rc 0
    has "$T/stdout" "2 boots: 2 passed, 0 failed"
    endrec 3
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "): line 3: end: the hv's MMU audit found 3 violations in d0"
    has "$T/stdout" "2 boots: 0 passed, 2 failed"
    endrec '"3"'
    tcg --variant shared_l4 --workload hostile
    want_rc 1
    has "$T/stderr" "domains[0].audit_violations is not an integer >= 0"
    ;;
hostile_fuzz_catalog)
    # hostile_fuzz: the hostile boot with 10^5 random calls, seeds 1..4;
    # expected to fail like hostile, not in 'all', listed
    run --build "$B" list
    want_rc 0
    squeeze "$T/stdout" >"$T/squeezed"
    has "$T/squeezed" " hostile_fuzz 4 boots built hostile with 10^5 seeded random calls, seeds 1..4 (crashes on purpose) [expected to fail; not in 'all']"
    tcg --variant shared_l4 --workload all --smp 2
    want_rc 0
    lacks "$T/argv.log" "hostile"
    rm -f "$T/argv.log"
    canned <<END
@asilab {"type":"result","workload":"hypercall",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":$EV}
@asilab {"type":"robustness","workload":"hostile","calls":100097,"errors":{"-22":56196},"invariant_failures":0,"survived":true}
@asilab {"type":"end","status":"fail","records":2,"domains":[{"domid":0,"name":"hostile","state":"crashed","reason":"crash"},{"domid":1,"name":"hypercall","state":"shutdown","reason":"poweroff"}]}
END
    export FAKE_QEMU_EXIT=3
    tcg --variant shared_l4 --workload hostile_fuzz
    want_rc 0
    for s in 1 2 3 4; do
        has "$T/stderr" "[$s/4] shared_l4 hostile_fuzz (random=100000 seed=$s vcpus=2) +hypercall ... pass (2 records, "
        countx "$T/argv.log" "$B/workloads/hostile.elf random=100000 seed=$s vcpus=2,$B/workloads/hypercall.elf" 1
    done
    has "$T/stdout" "4 boots: 4 passed, 0 failed"
    count "$O/records.jsonl" '"workload":"hostile_fuzz","build_id"' 12
    # like hostile: a boot that passes (hv code 0) is a failure
    export FAKE_QEMU_EXIT=1
    tcg --variant shared_l4 --workload hostile_fuzz
    want_rc 1
    has "$T/stderr" "): hv code 0 (pass), but workload 'hostile_fuzz' is expected to fail with hv code 1"
    ;;
count_mismatch)
    canned <<END
fake hv: booting
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@",$RES,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"end","status":"pass","records":5}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "[1/1] shared_l4 hypercall ... fail (2 records, "
    has "$T/stderr" "): end record: hv forwarded 5 records, runner received 2"
    has "$T/stderr" "    | fake hv: booting"
    has "$T/stdout" "1 boots: 0 passed, 1 failed"
    ;;
exit_status)
    export FAKE_QEMU_EXIT=5
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "... crash (2 records, "
    has "$T/stderr" "): hv code 2 (hv panic)"
    count "$O/records.jsonl" '"boot_status":"crash"' 3
    export FAKE_QEMU_EXIT=93
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "): hv code 0x2e (unexpected exception #PF, vector 14, inside the hv)"
    export FAKE_QEMU_EXIT=3
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "... fail (2 records, "
    has "$T/stderr" "): hv code 1 (fail: a domain crashed or did not shut down cleanly)"
    export FAKE_QEMU_EXIT=0
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "): qemu exited with status 0 without isa-debug-exit (guest reset or triple fault?)"
    canned </dev/null
    export FAKE_QEMU_EXIT=1 FAKE_QEMU_STDERR="qemu-system-x86_64: could not load kernel"
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "... fail (0 records, "
    has "$T/stderr" "): no end record; qemu: qemu-system-x86_64: could not load kernel (+1 more)"
    ;;
accel_auto)
    export ASILAB_KVM_DEVICE="$T/nokvm"
    run run --force --build "$B" --qemu "$Q" --out "$O" --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/stderr" "accel: tcg (deterministic icount) — $T/nokvm not usable: No such file or directory"
    count "$T/argv.log" "mode=deterministic" 1
    : >"$T/kvm"
    rm "$T/argv.log"
    export FAKE_QEMU_CALIB=1234 ASILAB_KVM_DEVICE="$T/kvm"
    run run --force --build "$B" --qemu "$Q" --out "$O" --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/stderr" "accel: tcg (deterministic icount) — $T/kvm emulates ring 0: 1234 cycles/iter"
    sed -n '1,/^--$/p' "$T/argv.log" >"$T/probe"
    has "$T/probe" "mode=timing"
    countx "$T/probe" "host" 1
    countx "$T/probe" "kvm" 1
    count "$T/argv.log" "mode=deterministic" 1
    lines "$O/records.jsonl" 3
    count "$O/records.jsonl" '"mode":"deterministic"' 3
    export FAKE_QEMU_CALIB=1.5
    run run --force --build "$B" --qemu "$Q" --out "$O" --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/stderr" "accel: kvm (timing) — $T/kvm runs ring 0 natively: 1.50 cycles/iter"
    count "$O/records.jsonl" '"mode":"timing","unit":"tsc_ticks"' 2
    count "$O/records.jsonl" '"accel":"kvm","mode":"timing"' 4
    count "$O/records.jsonl" '"kvm_module":"kvm_intel","cpu_virt":"vmx"' 4
    lacks "$O/records.jsonl" '"valid":false'
    # the probe's own platform record: SYSCALL at CPL 3 means tcg
    export FAKE_QEMU_SYSCALL_CPL=3
    run run --force --build "$B" --qemu "$Q" --out "$O" --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/stderr" "accel: tcg (deterministic icount) — kvm probe boot gave no calibration record: SYSCALL from ring 3 arrived at CPL 3: this KVM does not switch CPL on SYSCALL (host defect)"
    count "$O/records.jsonl" '"mode":"deterministic"' 3
    unset FAKE_QEMU_SYSCALL_CPL
    # kvm_pvm alone, no VT-x/AMD-V: tcg without a probe boot
    rm -rf "$T/sysmod/kvm_intel" "$T/argv.log" && mkdir "$T/sysmod/kvm_pvm"
    printf 'processor\t: 0\nflags\t\t: fpu hypervisor lm\n' >"$T/cpuinfo"
    run run --force --build "$B" --qemu "$Q" --out "$O" --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/stderr" "accel: tcg (deterministic icount) — $T/kvm is kvm_pvm and the CPU flags show no VT-x/AMD-V: it runs the hv's ring 0 in ring 3 and SYSCALL stays at CPL 3 (--accel kvm tries it anyway)"
    count "$T/argv.log" "mode=timing" 0
    count "$O/records.jsonl" '"kvm_module":"kvm_pvm","cpu_virt":"none"' 3
    ;;
accel_kvm_invalid)
    : >"$T/kvm"
    export FAKE_QEMU_CALIB=1234 ASILAB_KVM_DEVICE="$T/kvm"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall -j 3
    want_rc 0
    has "$T/stderr" "asilab: -j 3 ignored: kvm (timing) boots run one at a time"
    has "$T/stderr" 'asilab: warning: timings are not real cycles here (kvm emulates ring 0 (calibration loop); hypervisor kvm, SYSCALL at CPL 0, calibration 1234 cycles/iter): timing results are marked "valid": false with that "invalid_reason"'
    has "$T/stderr" "... pass (3 records, "
    has "$T/stderr" ", timings invalid)"
    count "$O/records.jsonl" '"valid":false' 1
    count "$O/records.jsonl" '"events":{"cr3_load":2,"tlb_flush":1,"invlpg":0.5,"ipi_sent":0,"l4_copy":0,"stack_zero_bytes":0,"gdt_load":3,"ldt_load":0,"ctx_switch":4},"valid":false,"invalid_reason":"kvm emulates ring 0 (calibration loop)","provenance":{' 1
    has "$T/stdout" "invalid timing"
    # a native loop but the hv sees no KVM signature, or SYSCALL at CPL 3
    export FAKE_QEMU_CALIB=1.5 FAKE_QEMU_HYPERVISOR=unknown
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 0
    count "$O/records.jsonl" '"valid":false,"invalid_reason":"the hv does not see KVM (hypervisor signature)"' 1
    export FAKE_QEMU_HYPERVISOR=kvm FAKE_QEMU_SYSCALL_CPL=3
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 0
    count "$O/records.jsonl" '"valid":false,"invalid_reason":"SYSCALL did not arrive at CPL 0 (host defect)"' 1
    # a platform record a guest could not have chosen: one the hv does not name
    export FAKE_QEMU_HYPERVISOR=qnx
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "platform record: 'hypervisor' is \"qnx\", not one the hv names"
    unset FAKE_QEMU_HYPERVISOR FAKE_QEMU_SYSCALL_CPL
    export ASILAB_KVM_DEVICE="$T/nokvm"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: --accel kvm: $T/nokvm not usable: No such file or directory"
    ;;
jobs)
    # -j 4 writes the same records, table and results.json as -j 1 (boots
    # finishing out of order: hypercall last of its batch; leak timing out)
    printf 'not an elf either\n' >"$B/hv-per_vcpu_l4.elf"
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@"'
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"ops":100,"samples":4,"min":120,"p10":120,"median":121,"p90":125,"max":130,"events":@EVENTS@,"values":[120,121,125,130]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"set_gdt_1",$R,"ops":8,"samples":2,"min":10,"p10":10,"median":20,"p90":20,"max":20,"events":@EVENTS@,"values":[10,20]}
@asilab {"type":"end","status":"pass","records":3}
END
    export FAKE_QEMU_SLEEP_hypercall=0.5 FAKE_QEMU_SLEEP_ctxsw=0.1 FAKE_QEMU_SLEEP_leak=5
    for j in 1 4; do
        tcg --variant all --workload all --timeout 1 -j $j
        want_rc 1
        has "$T/stdout" "36 boots: 34 passed, 2 failed"
        sed 's/"date":"[^"]*"/"date":""/' "$O/records.jsonl" >"$T/records.$j"
        /usr/bin/python3 -c 'import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    print(b["name"], b["iterations"], b["real_time"], b.get("label"))' "$O/results.json" \
            >"$T/results.$j" || fail "no results.json"
        cp "$T/stdout" "$T/stdout.$j"
        cp "$T/stderr" "$T/stderr.$j"
    done
    lines "$T/records.1" 136
    lines "$T/results.1" 68
    cmp -s "$T/records.1" "$T/records.4" || fail "records.jsonl differs: $(diff "$T/records.1" "$T/records.4" | head -5)"
    cmp -s "$T/stdout.1" "$T/stdout.4" || fail "table differs: $(diff "$T/stdout.1" "$T/stdout.4")"
    cmp -s "$T/results.1" "$T/results.4" || fail "results.json differs: $(diff "$T/results.1" "$T/results.4" | head -5)"
    for k in $(seq 1 36); do count "$T/stderr.4" "[$k/36] " 1; done
    has "$T/stderr.4" "[15/36] per_vcpu_l4 leak (domains=2) ... timeout (0 records, "
    has "$T/stderr.4" "[33/36] shared_l4 leak (domains=2) ... timeout (0 records, "
    # progress in completion order: the slow first boot is not reported first
    first=$(grep -m1 '^\[' "$T/stderr.4")
    case $first in "[1/36] "*) fail "boots did not overlap: $first first" ;; esac
    first=$(grep -m1 '^\[' "$T/stderr.1")
    case $first in "[1/36] per_vcpu_l4 hypercall ... pass"*) ;; *) fail "-j 1: $first first" ;; esac
    ;;
jobs_speed)
    # -j 4 runs 4 boots at the same time: each fake QEMU waits at a barrier
    # until all 4 have started (one at a time, the first would never pass)
    export FAKE_QEMU_BARRIER="$T/barrier:4"
    tcg --variant shared_l4 --workload hypercall,syscall,gdt_ldt,procswitch -j 4
    want_rc 0
    has "$T/stdout" "4 boots: 4 passed, 0 failed"
    lines "$O/records.jsonl" 12
    lines "$T/barrier" 4
    # and -j 3 cannot pass a barrier of 4 (the check can fail)
    rm -f "$T/barrier"
    export FAKE_QEMU_BARRIER="$T/barrier:4"
    tcg --variant shared_l4 --workload hypercall,syscall,gdt_ldt -j 3
    want_rc 1
    has "$T/stdout" "3 boots: 0 passed, 3 failed"
    ;;
jobs_interrupt)
    # ^C kills every running QEMU, writes their records, starts no more
    export FAKE_QEMU_HANG=1 FAKE_QEMU_PIDFILE="$T/sleep.pid"
    "$ASILAB" run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --timeout 30 -j 2 \
        --variant shared_l4 --workload hypercall,syscall,gdt_ldt >"$T/stdout" 2>"$T/stderr" &
    apid=$!
    i=0
    while [ "$(cat "$T/sleep.pid" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ $i -lt 100 ] || { kill "$apid"; fail "2 QEMUs did not start"; }
    sleep 0.3
    kill -INT "$apid"
    wait "$apid"
    rc=$?
    want_rc 130
    count "$T/argv.log" "--" 2
    lines "$O/records.jsonl" 6
    has "$O/records.jsonl" '"workload":"hypercall"'
    has "$O/records.jsonl" '"workload":"syscall"'
    has "$T/stdout" "2 boots: 0 passed, 0 failed, 2 interrupted"
    count "$O/records.jsonl" '"boot_status":"interrupted"' 6
    has "$T/stderr" "interrupted after 2 of 3 boots"
    for pid in $(cat "$T/sleep.pid"); do
        state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
        [ -z "$state" ] || [ "$state" = Z ] || { kill "$pid"; fail "QEMU's child $pid survived ^C (state $state)"; }
    done
    ;;
build_id)
    printf '.globl _start\n_start: ret\n' >"$T/t.S"
    ${CC:-cc} -nostdlib -static -no-pie -Wl,--build-id=sha1 -o "$T/t64.elf" "$T/t.S" &&
        objcopy -O elf32-i386 "$T/t64.elf" "$B/hv-shared_l4.elf" || exit 77
    id=$(readelf -n "$T/t64.elf" | awk '/Build ID:/ { print $3 }')
    [ -n "$id" ] || fail "no build id from readelf"
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    count "$O/records.jsonl" "\"build_id\":\"$id\"" 3
    ;;
list_help)
    rm "$B/workloads/syscall.elf"
    run --build "$B" list
    want_rc 0
    has "$T/stdout" "variants (hv-<variant>.elf in $B):"
    countx "$T/stdout" "  shared_l4" 1
    # what each built variant is, from the configure's build/variants.tsv
    printf '# variant\tstrategy\tflavours\twhat\nshared_l4x\tx\t-\tnot this one\nshared_l4\tshared_l4\t-\tthe baseline; no isolation\n' >"$B/variants.tsv"
    run --build "$B" list
    want_rc 0
    sed -n '/^  shared_l4$/{n;p}' "$T/stdout" >"$T/what"
    want_file "$T/what" "      the baseline; no isolation"
    lacks "$T/stdout" "not this one"
    squeeze "$T/stdout" >"$T/squeezed"
    has "$T/squeezed" " hypercall 1 boot built null hypercall"
    has "$T/squeezed" " syscall 1 boot missing "
    has "$T/squeezed" " ctxsw 6 boots built "
    has "$T/squeezed" "[expected to fail; not in 'all']"
    has "$T/stdout" "series (run --series NAME[=VALUES], default values shown):"
    has "$T/stdout" "  ctxsw_vcpus=2,3,4,5,6,7,8"
    countx "$T/stdout" "  flush_targets" 1
    has "$T/stdout" "  refill_pages=1,2,4,8,16,32,64,128,256,512"
    run --help
    want_rc 0
    has "$T/stdout" "usage: asilab run --variant NAMES --workload NAMES [options]"
    has "$T/stdout" "       asilab run --variant NAMES --series NAME[=VALUES] ... [options]"
    has "$T/stdout" "      --series NAME[=VALUES]"
    run
    want_rc 2
    has "$T/stderr" "usage: asilab run"
    run frobnicate
    want_rc 2
    want_file "$T/stderr" "asilab: unknown command 'frobnicate' (expected run, list, image, ingest, lava, history, plot, env or compare; see asilab --help)"
    run --help
    has "$T/stdout" "       asilab env [--build DIR] [--qemu PATH] [--kvm-cpu MODEL]"
    has "$T/stdout" "       asilab compare A B "
    has "$T/stdout" "      --perf            run each QEMU under 'perf stat -e cycles,instructions'"
    ;;
env)
    # key VALUE-PREFIX...: stdout has the line "key: VALUE..."
    key() { grep -q "^$1: " "$T/stdout" || fail "no '$1: ' line"; }
    fake_perf
    export FAKE_PERF=unsupported ASILAB_KVM_DEVICE="$T/nokvm"
    run env --build "$B" --qemu "$Q"
    want_rc 0
    for k in cpu "cpu family" "cpu model" "cpu stepping" microcode kernel hostname \
             qemu kvm "kvm module" "cpu virtualization" "kvm timing" pmu; do key "$k"; done
    lines "$T/stdout" 13
    countx "$T/stdout" "kvm module: kvm_intel" 1
    countx "$T/stdout" "cpu virtualization: vmx (VT-x)" 1
    countx "$T/stdout" "qemu: QEMU emulator version 7.2.99 (asilab fake) ($Q)" 1
    countx "$T/stdout" "kvm: absent ($T/nokvm)" 1
    countx "$T/stdout" "kvm timing: unavailable ($T/nokvm absent)" 1
    countx "$T/stdout" "pmu: unavailable (instructions <not supported>)" 1
    [ ! -e "$T/argv.log" ] || fail "qemu booted without kvm"
    # a kvm probe boot of the first variant decides whether timings are valid
    : >"$T/kvm"
    export ASILAB_KVM_DEVICE="$T/kvm" FAKE_QEMU_CALIB=1.5 FAKE_PERF=numbers
    run env --build "$B" --qemu "$Q" --kvm-cpu host,-arch-capabilities
    want_rc 0
    countx "$T/stdout" "kvm: present ($T/kvm)" 1
    countx "$T/stdout" "kvm timing: valid (1.50 cycles/iter)" 1
    countx "$T/stdout" "pmu: available" 1
    countx "$T/argv.log" "host,-arch-capabilities" 1
    countx "$T/argv.log" "mode=timing" 1
    countx "$T/argv.log" "$B/workloads/hypercall.elf" 1
    export FAKE_QEMU_CALIB=1234
    run env --build "$B" --qemu "$Q"
    want_rc 0
    countx "$T/stdout" "kvm timing: invalid: emulating (1234 cycles/iter)" 1
    # the kvm_pvm backend without VT-x/AMD-V, and the probe's SYSCALL check
    rm -r "$T/sysmod/kvm_intel" && mkdir "$T/sysmod/kvm_pvm"
    printf 'processor\t: 0\nflags\t\t: fpu hypervisor lm\n' >"$T/cpuinfo"
    export FAKE_QEMU_CALIB=1.5 FAKE_QEMU_SYSCALL_CPL=3
    run env --build "$B" --qemu "$Q"
    want_rc 0
    countx "$T/stdout" "kvm module: kvm_pvm" 1
    countx "$T/stdout" "cpu virtualization: none (no vmx/svm flag)" 1
    countx "$T/stdout" "kvm timing: unavailable (probe boot of shared_l4 hypercall: SYSCALL from ring 3 arrived at CPL 3: this KVM does not switch CPL on SYSCALL (host defect))" 1
    unset FAKE_QEMU_SYSCALL_CPL
    export FAKE_QEMU_EXIT=0 FAKE_QEMU_LINES=/dev/null FAKE_QEMU_STDERR="qemu: failed to set MSR"
    run env --build "$B" --qemu "$Q"
    want_rc 0
    countx "$T/stdout" "kvm timing: unavailable (probe boot of shared_l4 hypercall: qemu: failed to set MSR)" 1
    run env --build "$T/nodir" --qemu "$Q"
    want_rc 0
    countx "$T/stdout" "kvm timing: unavailable (build directory '$T/nodir': No such file or directory)" 1
    # no QEMU, no perf: still exit 0
    nobin
    (PATH="$T/nobin"; export PATH; "$ASILAB" env --build "$B" --qemu "$T/none" >"$T/stdout" 2>"$T/stderr")
    rc=$?
    want_rc 0
    countx "$T/stdout" "qemu: missing: '$T/none' is not an executable file; apt-get install qemu-system-x86" 1
    countx "$T/stdout" "kvm timing: unavailable (no QEMU)" 1
    countx "$T/stdout" "pmu: unavailable (perf not installed: apt-get install linux-perf)" 1
    ;;
compare)
    run compare "$T/a" "$T/nope"
    want_rc 2
    want_file "$T/stderr" "asilab: no results.json in $T/a"
    mkdir "$T/a"
    run compare "$T/a" "$T/a"
    want_rc 2
    want_file "$T/stderr" "asilab: no results.json in $T/a"
    run compare "$T/a"
    want_rc 2
    has "$T/stderr" "asilab: compare needs two result directories or results.json files"
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import scipy' 2>/dev/null &&
        { [ -r /usr/share/benchmark/compare.py ] ||
          dpkg -L libbenchmark-tools 2>/dev/null | grep -q '/compare\.py$'; } || exit 77
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":100,"samples":4,"min":120,"p10":120,"median":121,"p90":125,"max":130,"events":@EVENTS@'
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"values":[120,121,125,130]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"set_gdt_1",$R,"values":[10,20,20,20]}
@asilab {"type":"end","status":"pass","records":3}
END
    O=$T/a tcg --variant shared_l4 --workload hypercall
    want_rc 0
    sed -i 's/"values":\[120,121,125,130\]/"values":[240,242,250,260]/' "$T/lines"
    O=$T/b tcg --variant shared_l4 --workload hypercall
    want_rc 0
    run compare "$T/a" "$T/b/results.json"
    want_rc 0
    has "$T/stdout" "Comparing $T/a/results.json to $T/b/results.json"
    has "$T/stdout" "hypercall/null_hypercall/shared_l4 "
    has "$T/stdout" "hypercall/set_gdt_1/shared_l4 "
    lacks "$T/stdout" "$(printf '\033')"      # no colours into a file
    # two identical runs: no difference in either column (cpu_time is the
    # measured time, not the runner's own CPU time)
    O=$T/c tcg --variant shared_l4 --workload hypercall
    want_rc 0
    run compare "$T/b" "$T/c"
    want_rc 0
    grep '^hypercall/' "$T/stdout" >"$T/rows"
    lines "$T/rows" 2
    ! grep -Ev '^hypercall/[a-z_0-9]+/shared_l4 +[+-]0\.0000 +[+-]0\.0000 ' "$T/rows" ||
        fail "identical runs differ: $(cat "$T/rows")"
    ;;
perf_kvm)
    # run --perf on kvm: QEMU also under perf kvm stat record, its VM exits
    # by reason in "perf_kvm"; 0 samples or a failing perf kvm: "unavailable"
    fake_perf
    : >"$T/kvm"
    export FAKE_PERF=numbers FAKE_PERF_LOG="$T/perf.log" TMPDIR="$T/tmp" \
        FAKE_QEMU_CALIB=3 ASILAB_KVM_DEVICE="$T/kvm"
    mkdir "$T/tmp"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall --perf
    want_rc 0
    has "$T/stderr" "perf kvm: and under $T/bin/perf kvm stat record (VM exits by reason)"
    count "$O/records.jsonl" '"boot_status":"pass","perf_kvm":{"exits":20,"by_reason":{"HLT":12,"IO_INSTRUCTION":5,"EXTERNAL_INTERRUPT":3}},"perf":{"cycles":1234567,"instructions":2345678}}}' 4
    # the prechecks (perf stat, perf kvm stat record of true), the boot
    # under both, the report
    f=$(sed -n 6p "$T/perf.log") k=$(sed -n 15p "$T/perf.log")
    case $k in "$T/tmp/asilab-perf-kvm."*) ;; *) fail "perf kvm -o '$k' not in TMPDIR" ;; esac
    { sed -n '10,44p' "$T/perf.log" | tr '\n' ' '; echo; } >"$T/calls"
    want_file "$T/calls" "kvm stat record -q -o $k -- true -- kvm stat record -q -o $k -- $T/bin/perf stat -x, -e cycles,instructions -o $f -- $Q -nodefaults -machine pc -cpu host -m 256M -smp 2 -accel "
    [ -z "$(ls -A "$T/tmp")" ] || fail "perf output left behind: $(ls "$T/tmp")"
    export FAKE_PERF_KVM=none
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall --perf
    want_rc 0
    count "$O/records.jsonl" '"perf_kvm":"unavailable","perf_kvm_reason":"no kvm_exit events recorded (perf kvm stat report: 0 samples)","perf":{' 4
    export FAKE_PERF_KVM=fail
    rm -f "$T/perf.log"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall --perf
    want_rc 0
    has "$T/stderr" "perf kvm: unavailable (perf kvm stat record failed: fake perf: can't access trace events)"
    count "$O/records.jsonl" '"perf_kvm":"unavailable","perf_kvm_reason":"perf kvm stat record failed: fake perf: can'"'"'t access trace events","perf":{"cycles":1234567' 4
    # the boot itself then runs under perf stat only (record: the precheck)
    countx "$T/perf.log" "record" 1
    # tcg boots: no perf kvm at all
    tcg --variant shared_l4 --workload hypercall --perf
    lacks "$O/records.jsonl" "perf_kvm"
    ;;
perf)
    # run --perf: QEMU under perf stat; counts (or why not) in provenance
    fake_perf
    export FAKE_PERF=unsupported FAKE_PERF_LOG="$T/perf.log" TMPDIR="$T/tmp"
    mkdir "$T/tmp"
    tcg --variant shared_l4 --workload hypercall --perf
    want_rc 0
    has "$T/stderr" "perf: each QEMU runs under $T/bin/perf stat -e cycles,instructions"
    has "$T/stderr" "[1/1] shared_l4 hypercall ... pass (2 records, "
    count "$O/records.jsonl" '"boot_status":"pass","perf":"unavailable","perf_reason":"cycles <not supported>"}}' 3
    count "$O/records.jsonl" "\"qemu_cmdline\":\"$Q -nodefaults " 3
    head -n 1 "$T/argv.log" >"$T/argv0"
    want_file "$T/argv0" "$Q"
    # the precheck (perf stat ... -- true), then the boot, with one -o FILE
    f=$(sed -n 6p "$T/perf.log")
    case $f in "$T/tmp/asilab-perf."*) ;; *) fail "perf -o '$f' not in TMPDIR" ;; esac
    head -n 19 "$T/perf.log" >"$T/pre"
    want_file "$T/pre" "stat
-x,
-e
cycles,instructions
-o
$f
--
true
--
stat
-x,
-e
cycles,instructions
-o
$f
--
$Q
-nodefaults
-machine"
    [ -z "$(ls -A "$T/tmp")" ] || fail "perf output left behind: $(ls "$T/tmp")"
    export FAKE_PERF=numbers
    tcg --variant shared_l4 --workload hypercall --perf
    want_rc 0
    count "$O/records.jsonl" '"boot_status":"pass","perf":{"cycles":1234567,"instructions":2345678}}}' 3
    # perf passes QEMU's exit status through
    export FAKE_QEMU_EXIT=3
    tcg --variant shared_l4 --workload hypercall --perf
    want_rc 1
    has "$T/stderr" "): hv code 1 (fail: a domain crashed or did not shut down cleanly)"
    count "$O/records.jsonl" '"boot_status":"fail","perf":{"cycles":1234567,' 3
    export FAKE_QEMU_EXIT=1 FAKE_PERF=notcounted
    tcg --variant shared_l4 --workload hypercall --perf
    want_rc 0
    count "$O/records.jsonl" '"perf":"unavailable","perf_reason":"cycles <not counted>"}}' 3
    # a perf that cannot count at all: QEMU runs without it
    export FAKE_PERF=fail
    rm "$T/argv.log"
    tcg --variant shared_l4 --workload hypercall --perf
    want_rc 0
    has "$T/stderr" "perf: unavailable (perf stat failed: fake perf: Access to performance monitoring is restricted)"
    count "$O/records.jsonl" '"perf":"unavailable","perf_reason":"perf stat failed: fake perf: Access to performance monitoring is restricted"}}' 3
    count "$T/argv.log" "-nodefaults" 1
    # no perf at all
    nobin
    (PATH="$T/nobin"; export PATH
     "$ASILAB" run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --perf \
         --variant shared_l4 --workload hypercall >"$T/stdout" 2>"$T/stderr")
    rc=$?
    want_rc 0
    count "$O/records.jsonl" '"perf":"unavailable","perf_reason":"perf not installed: apt-get install linux-perf"}}' 3
    # without --perf, no perf in provenance
    tcg --variant shared_l4 --workload hypercall
    want_rc 0
    lacks "$O/records.jsonl" '"perf"'
    [ -z "$(ls -A "$T/tmp")" ] || fail "perf output left behind: $(ls "$T/tmp")"
    ;;
series)
    # initrd FILE: the -initrd argument of each boot in the fake's argv log
    initrd() { awk 'p { print; p = 0 } $0 == "-initrd" { p = 1 }' "$T/argv.log" >"$1"; }
    tcg --variant shared_l4 --series ctxsw_vcpus=2,4
    want_rc 0
    initrd "$T/initrd"
    want_file "$T/initrd" "$B/workloads/ctxsw.elf mode=cross domains=2
$B/workloads/ctxsw.elf mode=cross domains=4"
    has "$T/stderr" "[1/2] shared_l4 ctxsw (mode=cross domains=2) ... pass (2 records, "
    has "$T/stderr" "[2/2] shared_l4 ctxsw (mode=cross domains=4) ... pass (2 records, "
    count "$O/records.jsonl" '"variant":"shared_l4","workload":"ctxsw","build_id"' 6
    count "$O/records.jsonl" "\"boot\":[\"$B/workloads/ctxsw.elf mode=cross domains=4\"]" 3
    has "$T/stdout" "2 boots: 2 passed, 0 failed"
    # one boot with the whole list; a comma inside a module is ",," for -initrd
    rm "$T/argv.log"
    tcg --variant shared_l4 --series refill_pages=1,8
    want_rc 0
    initrd "$T/initrd"
    want_file "$T/initrd" "$B/workloads/flush.elf ops=local refill=1,,8"
    has "$T/stderr" "[1/1] shared_l4 flush (ops=local refill=1,8) ... pass (2 records, "
    count "$O/records.jsonl" "\"boot\":[\"$B/workloads/flush.elf ops=local refill=1,8\"]" 3
    count "$O/records.jsonl" "-initrd '$B/workloads/flush.elf ops=local refill=1,,8'\"" 3
    # defaults; flush_targets takes N from --smp; with --workload both run
    rm "$T/argv.log"
    tcg --variant shared_l4 --workload hypercall --series ctxsw_vcpus \
        --series flush_targets --series refill_pages --smp 3
    want_rc 0
    initrd "$T/initrd"
    want_file "$T/initrd" "$B/workloads/hypercall.elf
$B/workloads/ctxsw.elf mode=cross domains=2
$B/workloads/ctxsw.elf mode=cross domains=3
$B/workloads/ctxsw.elf mode=cross domains=4
$B/workloads/ctxsw.elf mode=cross domains=5
$B/workloads/ctxsw.elf mode=cross domains=6
$B/workloads/ctxsw.elf mode=cross domains=7
$B/workloads/ctxsw.elf mode=cross domains=8
$B/workloads/flush.elf ops=remote vcpus=3 spread=1
$B/workloads/flush.elf ops=local refill=1,,2,,4,,8,,16,,32,,64,,128,,256,,512"
    countx "$T/argv.log" "-smp" 10
    has "$T/stderr" "[1/10] shared_l4 hypercall ... pass"
    has "$T/stderr" "[8/10] shared_l4 ctxsw (mode=cross domains=8) ... pass"
    has "$T/stderr" "[9/10] shared_l4 flush (ops=remote vcpus=3 spread=1) ... pass"
    has "$T/stderr" "[10/10] shared_l4 flush (ops=local refill=1,2,4,8,16,32,64,128,256,512) ... pass"
    has "$T/stdout" "10 boots: 10 passed, 0 failed"
    ;;
series_errors)
    tcg --variant shared_l4 --series flush_targets --smp 1
    want_rc 2
    want_file "$T/stderr" "asilab: --series flush_targets needs --smp 2 or more"
    tcg --variant shared_l4 --series bogus
    want_rc 2
    want_file "$T/stderr" "asilab: unknown series 'bogus' (valid: ctxsw_vcpus, flush_targets, refill_pages)"
    tcg --variant shared_l4 --series refill_pages=0
    want_rc 2
    want_file "$T/stderr" "asilab: bad --series refill_pages value '0': expected integers 1..512 (pages of the guest's 4 MiB domain)"
    tcg --variant shared_l4 --workload hypercall --series ctxsw_vcpus=2,9
    want_rc 2
    want_file "$T/stderr" "asilab: bad --series ctxsw_vcpus value '9': expected integers 2..8 (K domains: the hv builds at most 8)"
    tcg --variant shared_l4 --series ctxsw_vcpus=3,3
    want_file "$T/stderr" "asilab: --series ctxsw_vcpus: value 3 given twice"
    tcg --variant shared_l4 --series refill_pages=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
    want_file "$T/stderr" "asilab: --series refill_pages: at most 16 values"
    tcg --variant shared_l4 --series flush_targets=4
    want_file "$T/stderr" "asilab: --series flush_targets takes no values (it uses --smp)"
    for a in "" = bogus=2 refill_pages= refill_pages=513 refill_pages=1,,2 refill_pages=1, \
             refill_pages=,1 refill_pages=x refill_pages=-1 refill_pages=+1 refill_pages=1.5 \
             ctxsw_vcpus=1 ctxsw_vcpus=99999999999999999999 Ctxsw_vcpus; do
        tcg --variant shared_l4 --series "$a"
        want_rc 2
        lines "$T/stderr" 1
        has "$T/stderr" "asilab: "
    done
    tcg --variant shared_l4 --series
    want_rc 2
    want_file "$T/stderr" "asilab: option '--series' needs a value"
    rm "$B/workloads/flush.elf"
    tcg --variant shared_l4 --series refill_pages
    want_rc 2
    want_file "$T/stderr" "asilab: series 'refill_pages' is not built: $B/workloads/flush.elf missing"
    [ ! -e "$T/argv.log" ] || fail "qemu was started"
    ;;
gbench)
    # results.json: a benchmark per usable result record, samples as
    # manual iteration times (1 insn = 1 ns), events and stats as counters
    printf 'x\n' >"$B/hv-per_vcpu_l4.elf"
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@"'
    canned <<END
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"ops":100,"samples":4,"min":120,"p10":120,"median":121,"p90":125,"max":130,"overhead":3.5,"multimodal":false,"events":@EVENTS@,"values":[120,121,125,130]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"set_gdt_1",$R,"ops":8,"samples":2,"min":10,"p10":10,"median":20,"p90":20,"max":20,"multimodal":true,"events":{"cr3_load":0,"tlb_flush":0,"invlpg":2,"ipi_sent":0,"l4_copy":0,"stack_zero_bytes":0,"gdt_load":0,"ldt_load":0,"ctx_switch":0,"pte_write":2},"values":[10,20]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"no_values",$R,"ops":1,"samples":1,"min":1,"p10":1,"median":1,"p90":1,"max":1,"events":@EVENTS@}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"ops":1,"samples":1,"min":200,"p10":200,"median":200,"p90":200,"max":200,"events":@EVENTS@,"values":[200]}
@asilab {"type":"end","status":"pass","records":5}
END
    tcg --variant all --workload hypercall
    want_rc 0
    has "$T/stderr" "benchmarks: $O/results.json (6 benchmarks, 2 result records skipped: 2 without usable values)"
    # stdout is the table as before, nothing from Google Benchmark
    squeeze "$T/stdout" >"$T/table"
    want_file "$T/table" "variant workload op unit image min median max counted cr3_load tlb_flush invlpg ctx_switch gdt_load note
per_vcpu_l4 hypercall null_hypercall insns counting 120 121 130 - 2 1 0.50 4 3
per_vcpu_l4 hypercall set_gdt_1 insns counting 10 20 20 - 0 0 2 0 0
per_vcpu_l4 hypercall no_values insns counting 1 1 1 - 2 1 0.50 4 3
per_vcpu_l4 hypercall null_hypercall insns counting 200 200 200 - 2 1 0.50 4 3
shared_l4 hypercall null_hypercall insns counting 120 121 130 - 2 1 0.50 4 3
shared_l4 hypercall set_gdt_1 insns counting 10 20 20 - 0 0 2 0 0
shared_l4 hypercall no_values insns counting 1 1 1 - 2 1 0.50 4 3
shared_l4 hypercall null_hypercall insns counting 200 200 200 - 2 1 0.50 4 3
2 boots: 2 passed, 0 failed"
    rev=$(grep -o '"git_rev":"[^"]*"' "$O/records.jsonl" | head -1 | cut -d'"' -f4)
    date=$(grep -o '"date":"[^"]*"' "$O/records.jsonl" | head -1 | cut -d'"' -f4)
    gb "$O/results.json" <<EOF
want([x["name"] for x in b] == ["hypercall/null_hypercall/per_vcpu_l4",
    "hypercall/set_gdt_1/per_vcpu_l4", "hypercall/null_hypercall/per_vcpu_l4#2",
    "hypercall/null_hypercall/shared_l4", "hypercall/set_gdt_1/shared_l4",
    "hypercall/null_hypercall/shared_l4#2"], "names %r" % [x["name"] for x in b])
for v in ("per_vcpu_l4", "shared_l4"):
    h = n["hypercall/null_hypercall/" + v]
    g = n["hypercall/set_gdt_1/" + v]
    h2 = n["hypercall/null_hypercall/%s#2" % v]
    for x, it, rt in ((h, 4, 124), (g, 2, 15), (h2, 1, 200)):
        want(x["run_name"] == x["name"], x["name"] + ": run_name")
        want(x["iterations"] == it, "%s: iterations %r" % (x["name"], x["iterations"]))
        want(x["time_unit"] == "ns", x["name"] + ": time_unit")
        want(near(x["real_time"], rt), "%s: real_time %r, expected %r" % (x["name"], x["real_time"], rt))
    for k, e in (("cr3_load", 2), ("tlb_flush", 1), ("invlpg", 0.5), ("ipi_sent", 0),
                 ("l4_copy", 0), ("stack_zero_bytes", 0), ("gdt_load", 3), ("ldt_load", 0),
                 ("ctx_switch", 4), ("min", 120), ("p10", 120), ("median", 121),
                 ("p90", 125), ("max", 130), ("overhead", 3.5)):
        want(k in h and near(h[k], e), "%s: counter %s %r, expected %r" % (h["name"], k, h.get(k), e))
    want(near(g["pte_write"], 2) and near(g["invlpg"], 2) and near(g["median"], 20),
         g["name"] + ": counters")
    want("overhead" not in g, g["name"] + ": overhead counter without overhead")
    want(h["label"] == "insns/op, 4 samples x 100 ops, counting image", "label %r" % h["label"])
    want(g["label"] == "insns/op, 2 samples x 8 ops, multimodal, counting image", "label %r" % g["label"])
for k, e in (("accel", "tcg"), ("mode", "deterministic"), ("variants", "per_vcpu_l4, shared_l4"),
             ("workloads", "hypercall"), ("skipped_records", "2"), ("records", "records.jsonl"),
             ("qemu_version", "QEMU emulator version 7.2.99 (asilab fake)"),
             ("git_rev", "$rev"), ("run_date", "$date")):
    want(ctx.get(k) == e, "context %s %r, expected %r" % (k, ctx.get(k), e))
for k in ("host_cpu", "host_kernel", "hostname"):
    want(ctx.get(k), "context %s missing" % k)
want(ctx["build_ids"].startswith("per_vcpu_l4=sha256:") and ", shared_l4=sha256:" in ctx["build_ids"],
     "context build_ids %r" % ctx.get("build_ids"))
want("1 instruction reported as 1 ns" in ctx["time_unit_note"], "time_unit_note")
want(ctx["executable"] == "asilab", "context executable")
EOF
    # a boot that fails: skipped, and no stale results.json
    export FAKE_QEMU_EXIT=3
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "benchmarks: $O/results.json not written: all 4 result records skipped (4 from boots that did not pass)"
    [ ! -e "$O/results.json" ] || fail "stale results.json left"
    # no result records: no results.json, no message
    export FAKE_QEMU_EXIT=1
    canned <<END
$CAL
@asilab {"type":"probe","workload":"@WORKLOAD@","op":"stack_pattern_after_switch","variant":"@VARIANT@","mode":"@MODE@","found":0,"stack_zero":true}
@asilab {"type":"end","status":"pass","records":2}
END
    tcg --variant shared_l4 --workload leak
    want_rc 0
    lacks "$T/stderr" "benchmarks:"
    [ ! -e "$O/results.json" ] || fail "results.json without result records"
    # an unwritable results.json is an error
    mkdir -p "$O/results.json"
    canned <<END
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"ops":1,"samples":1,"min":200,"p10":200,"median":200,"p90":200,"max":200,"events":@EVENTS@,"values":[200]}
@asilab {"type":"end","status":"pass","records":1}
END
    tcg --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "gbench: cannot write '$O/results.json': Is a directory"
    has "$T/stderr" "asilab: error writing '$O/results.json'"
    ;;
gbench_timing)
    # timing mode: cycles / (tsc_khz * 1000) seconds; invalid timings skipped
    : >"$T/kvm"
    export ASILAB_KVM_DEVICE="$T/kvm" FAKE_QEMU_CALIB=1.5
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":64,"samples":2,"min":2000,"p10":2000,"median":4000,"p90":4000,"max":4000'
    canned <<END
$PLAT
$CAL
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"tsc_khz":2000000,"tsc_invariant":true,"events":@EVENTS@,"values":[2000,4000]}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"no_tsc",$R,"events":@EVENTS@,"values":[2000,4000]}
@asilab {"type":"end","status":"pass","records":4}
END
    sed -i 's/"min":3,"median":3,"max":3/"min":@CALIB@,"median":@CALIB@,"max":@CALIB@/' "$T/lines"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/stderr" "benchmarks: $O/results.json (1 benchmark, 1 result record skipped: 1 without usable values)"
    gb "$O/results.json" <<'EOF'
want([x["name"] for x in b] == ["hypercall/null_hypercall/shared_l4"], "names")
x = b[0]
want(x["iterations"] == 2 and x["time_unit"] == "ns", "iterations/time_unit")
want(near(x["real_time"], 1500), "real_time %r, expected 1500 ns (2000, 4000 cycles at 2 GHz)" % x["real_time"])
want(near(x["median"], 4000) and near(x["min"], 2000), "min/median counters in cycles")
want(x["label"] == "tsc_ticks/op, 2 samples x 64 ops, counting image", "label %r" % x["label"])
want(ctx["accel"] == "kvm" and ctx["mode"] == "timing", "context accel/mode")
want("TSC ticks (unit tsc_ticks) converted to ns with each record's tsc_khz" in ctx["time_unit_note"], "time_unit_note")
want("1 instruction" not in ctx["time_unit_note"], "time_unit_note mentions instructions")
EOF
    export FAKE_QEMU_CALIB=1234
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 0
    count "$O/records.jsonl" '"valid":false' 2
    has "$T/stderr" "benchmarks: $O/results.json not written: all 2 result records skipped (2 invalid (timing or record))"
    [ ! -e "$O/results.json" ] || fail "stale results.json left"
    ;;
image_lean)
    # --image lean boots build/lean/hv-V.elf; its results say "image":"lean"
    # and carry no events (one that does is rejected); provenance says
    # which image; no lean image: one line, exit 2, nothing booted
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":5,"p10":5,"median":5,"p90":5,"max":5'
    canned <<END
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,"image":"lean","values":[5]}
@asilab {"type":"end","status":"pass","records":1}
END
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --image lean --variant shared_l4 --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: --image lean: no $B/lean/hv-shared_l4.elf (build the lean images: cmake --build)"
    [ ! -s "$T/argv.log" ] || fail "QEMU ran"
    mkdir -p "$B/lean" && printf 'lean\n' >"$B/lean/hv-shared_l4.elf"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --image lean --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/argv.log" "$B/lean/hv-shared_l4.elf"
    count "$O/records.jsonl" '"image":"lean","values":[5],"provenance":{' 1
    count "$O/records.jsonl" '"image":"lean","git_rev"' 2
    squeeze "$T/stdout" >"$T/sq"
    has "$T/sq" "shared_l4 hypercall null_hypercall insns lean 5 5 5 - - - - - -"
    has "$T/stderr" "benchmarks: $O/results.json (1 benchmark, 0 result records skipped)"
    # a counting record on a lean boot, or events from a lean image: rejected
    sed -i 's/"image":"lean"/"image":"lean","events":@EVENTS@/' "$T/lines"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --image lean --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "result record: a lean image has no events"
    sed -i 's/"image":"lean","events":@EVENTS@/"image":"counting","events":@EVENTS@/' "$T/lines"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --image lean --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "result record: 'image' is \"counting\", expected \"lean\""
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg --image fat --variant shared_l4 --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: bad --image 'fat': expected counting, lean or paired"
    ;;
image_paired)
    # --image paired: every boot on the lean image, then on the counting
    # one; each record says its image; the table, results.json and the
    # plots take the lean cost (5) with the counting events and median (7)
    R='"variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1,"samples":1,"min":@COST@,"p10":@COST@,"median":@COST@,"p90":@COST@,"max":@COST@'
    canned <<END
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall",$R,@IMAGE_EVENTS@,"values":[@COST@]}
@asilab {"type":"end","status":"pass","records":1}
END
    printf 'x\n' >"$B/hv-per_vcpu_l4.elf"
    mkdir -p "$B/lean" && printf 'lean\n' >"$B/lean/hv-shared_l4.elf"
    tcg --image paired --variant all --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: --image paired: no $B/lean/hv-per_vcpu_l4.elf (build the lean images: cmake --build)"
    [ ! -s "$T/argv.log" ] || fail "QEMU ran"
    printf 'lean x\n' >"$B/lean/hv-per_vcpu_l4.elf"
    tcg --image paired --variant all --workload hypercall --reps 2 -j 2
    want_rc 0
    has "$T/stdout" "8 boots: 8 passed, 0 failed"
    for k in lean/hv-per_vcpu_l4.elf hv-per_vcpu_l4.elf lean/hv-shared_l4.elf hv-shared_l4.elf; do
        countx "$T/argv.log" "$B/$k" 2
    done
    has "$T/stderr" "[1/8] per_vcpu_l4 hypercall [lean] [rep 1] ... pass"
    has "$T/stderr" "[2/8] per_vcpu_l4 hypercall [counting] [rep 1] ... pass"
    has "$T/stderr" "[8/8] shared_l4 hypercall [counting] [rep 2] ... pass"
    count "$O/records.jsonl" '"image":"lean","values":[5],"provenance":{' 4
    count "$O/records.jsonl" '"image":"lean","git_rev"' 8
    count "$O/records.jsonl" '"image":"counting","git_rev"' 8
    squeeze "$T/stdout" >"$T/sq"
    has "$T/sq" "variant workload op unit image min median max counted cr3_load tlb_flush invlpg ctx_switch gdt_load note"
    count "$T/sq" "shared_l4 hypercall null_hypercall insns lean 5 5 5 7 2 1 0.50 4 3" 2
    count "$T/sq" "per_vcpu_l4 hypercall null_hypercall insns lean 5 5 5 7 2 1 0.50 4 3" 2
    count "$T/sq" " counting " 0
    has "$T/stderr" "benchmarks: $O/results.json (4 benchmarks, 4 of them lean costs with the counting image's events, 0 result records skipped)"
    gb "$O/results.json" <<'EOF'
want([x["name"] for x in b] == ["hypercall/null_hypercall/per_vcpu_l4",
    "hypercall/null_hypercall/shared_l4"] * 2, "names %r" % [x["name"] for x in b])
for x in b:
    want(near(x["real_time"], 5) and near(x["median"], 5), "lean cost %r" % x["real_time"])
    want(near(x["counting_median"], 7), "counting_median %r" % x.get("counting_median"))
    want(near(x["cr3_load"], 2) and near(x["ctx_switch"], 4), "counting events")
    want(x["label"] == "insns/op, 1 samples x 1 ops, lean image, events from the counting image",
         "label %r" % x["label"])
want(ctx["images"] == "lean, counting", "images %r" % ctx["images"])
ids = ctx["build_ids"].split(", ")
want(len(ids) == 4 and any(i.startswith("shared_l4[lean]=sha256:") for i in ids) and
     any(i.startswith("shared_l4=sha256:") for i in ids), "build_ids %r" % ids)
EOF
    if command -v gnuplot >/dev/null; then    # lean costs, counting events
        run plot "$O"
        want_rc 0
        want_file "$O/plots/hypercall.dat" "op shared_l4 p10 p90 per_vcpu_l4 p10 p90
null_hypercall 5 5 5 5 5 5"
        has "$O/plots/events_hypercall.dat" "2"
        has "$O/plots/hypercall.svg" "hypercall: insns per op, lean images, deterministic mode"
        want_file "$O/plots/isolation_deltas.dat" "op per_vcpu_l4
hypercall/null_hypercall 0"
    fi
    # a lean boot that fails: its counting boot's result stands alone
    # (the counting cost, its own events), the table says which
    export FAKE_QEMU_LEAN_EXIT=7
    tcg --image paired --variant shared_l4 --workload hypercall
    want_rc 1
    squeeze "$T/stdout" >"$T/sq"
    has "$T/sq" "shared_l4 hypercall null_hypercall insns lean 5 5 5 - - - - - - crash"
    has "$T/sq" "shared_l4 hypercall null_hypercall insns counting 7 7 7 - 2 1 0.50 4 3"
    has "$T/stderr" "benchmarks: $O/results.json (1 benchmark, 1 result record skipped"
    ;;
accel_tcg_timing)
    # --accel tcg-timing: plain TCG (no icount), mode=timing, -j honoured;
    # every timing result marked invalid, with the reason
    printf 'x\n' >"$B/hv-per_vcpu_l4.elf"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg-timing --variant all --workload hypercall -j 2
    want_rc 0
    has "$T/stderr" "accel: tcg, mode=timing (no icount) — requested with --accel tcg-timing: timing results are marked invalid"
    lacks "$T/stderr" "-j 2 ignored"
    count "$T/argv.log" "mode=timing" 2
    count "$T/argv.log" "-icount" 0
    countx "$T/argv.log" "tcg" 2
    count "$O/records.jsonl" '"valid":false,"invalid_reason":"tcg: the TSC is QEMU'"'"'s virtual clock, not CPU cycles","provenance":{' 2
    count "$O/records.jsonl" '"type":"platform","workload":"hv","variant":"shared_l4","mode":"timing","hypervisor":"tcg","syscall_cpl":0' 1
    count "$O/records.jsonl" '"accel":"tcg","mode":"timing"' 8
    has "$T/stderr" "benchmarks: $O/results.json not written: all 2 result records skipped (2 invalid (timing or record))"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg-timng --variant all --workload hypercall
    want_rc 2
    want_file "$T/stderr" "asilab: bad --accel 'tcg-timng': expected auto, tcg, kvm or tcg-timing"
    ;;
platform_pcid)
    # the platform record's pcid goes into every record's provenance; a
    # +pcid variant that ran untagged ("unavailable") says so in its
    # table rows and results.json labels; a pcid state a variant cannot
    # have is a record error
    printf 'x\n' >"$B/hv-per_pcpu_l4+pcid.elf"
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg-timing \
        --variant shared_l4,per_pcpu_l4+pcid --workload hypercall
    want_rc 0
    count "$O/records.jsonl" '"syscall_cpl":0,"pcid":"off","invpcid":false,' 1
    count "$O/records.jsonl" '"syscall_cpl":0,"pcid":"unavailable","invpcid":false,' 1
    count "$O/records.jsonl" '"variant":"shared_l4","workload":"hypercall",' 4
    count "$O/records.jsonl" '"pcid":"off","boot_status":"pass"' 4
    count "$O/records.jsonl" '"pcid":"unavailable","boot_status":"pass"' 4
    count "$T/stdout" "pcid unavailable" 1
    lacks "$O/records.jsonl" "record_error"
    export FAKE_QEMU_PCID=on
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg-timing \
        --variant shared_l4 --workload hypercall
    has "$O/records.jsonl" "'pcid' is \\\"on\\\", expected \\\"off\\\" (not a +pcid variant)"
    export FAKE_QEMU_PCID=off
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel tcg-timing \
        --variant per_pcpu_l4+pcid --workload hypercall
    has "$O/records.jsonl" "'pcid' is \\\"off\\\", expected \\\"on\\\" or \\\"unavailable\\\" for a +pcid variant"
    unset FAKE_QEMU_PCID
    ;;
kvm_host_defect)
    # the hv's SYSCALL check fails (hv code 3): a crash that says so, with
    # the boot's own verdict on this KVM next to it
    : >"$T/kvm"
    export ASILAB_KVM_DEVICE="$T/kvm" FAKE_QEMU_EXIT=7 FAKE_QEMU_SYSCALL_CPL=3
    canned <<END
$PLAT
hv: SYSCALL from ring 3 arrived at CPL 3 (vector 14 at ffff82d040103067): this KVM does not switch CPL on SYSCALL (host defect); no PV guest can run here
END
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 1
    has "$T/stderr" "... crash (1 records, "
    has "$T/stderr" "hv code 3 (host defect: SYSCALL from ring 3 did not arrive at CPL 0; this KVM does not switch CPL on SYSCALL) (+2 more)"
    has "$T/stderr" "    kvm verdict: hypervisor kvm, SYSCALL at CPL 3, no calibration"
    count "$O/records.jsonl" '"type":"platform"' 1
    ;;
kvm_internal_error)
    # QEMU's "KVM internal error" dump, then QEMU waits for ever: the boot
    # ends at the dump (not at the timeout) as a crash naming it
    : >"$T/kvm"
    export ASILAB_KVM_DEVICE="$T/kvm" FAKE_QEMU_KVM_ERROR=1
    start=$(date +%s)
    run run --force --build "$B" --qemu "$Q" --out "$O" --accel kvm --variant shared_l4 --workload hypercall --timeout 15
    want_rc 1
    [ $(($(date +%s) - start)) -lt 10 ] || fail "the boot waited for its timeout"
    has "$T/stderr" "... crash (3 records, "
    has "$T/stderr" ": KVM internal error. Suberror: 1 at RIP=ffff82d04010489f: KVM could not run the hv's ring-0 code (host defect)"
    has "$T/stderr" "    kvm verdict: hypervisor kvm, SYSCALL at CPL 0, calibration 3 cycles/iter"
    lacks "$T/stderr" "timed out"
    ;;
*)
    echo "unknown case '$CASE'"
    exit 1
    ;;
esac
echo "ok [$CASE]"
