#!/bin/sh
# history_test.sh — one case of `asilab history` (the results history in
# SQLite):  history_test.sh ASILAB FAKE-QEMU CASE.  Result sets come from
# real runs against the fake QEMU; later "commits" of the same set are that
# set with its git revision, date and costs edited, as a later run of a
# changed hv would write them.
set -u
ASILAB=$1 FAKE=$2 CASE=$3

T=$(mktemp -d "${TMPDIR:-/tmp}/asilab-history.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
T=$(cd "$T" && pwd -P)
B=$T/build Q=$T/qemu DB=$T/h.sqlite
mkdir -p "$B/workloads"
printf 'not an elf\n' >"$B/hv-shared_l4.elf"
printf 'not an elf\n' >"$B/hv-per_pcpu_l4.elf"
printf 'dummy\n' >"$B/workloads/hypercall.elf"
cp "$FAKE" "$Q" && chmod +x "$Q"
export FAKE_QEMU_LOG="$T/argv.log"
unset FAKE_QEMU_EXIT FAKE_QEMU_LEAN_EXIT FAKE_QEMU_HANG FAKE_QEMU_PIDFILE FAKE_QEMU_CALIB \
    FAKE_QEMU_STDERR FAKE_QEMU_SLEEP FAKE_QEMU_HYPERVISOR FAKE_QEMU_SYSCALL_CPL FAKE_QEMU_KVM_ERROR \
    FAKE_QEMU_PCID ASILAB_KVM_DEVICE
mkdir -p "$T/sysmod/kvm_intel"
printf 'processor\t: 0\nflags\t\t: fpu vmx lm\n' >"$T/cpuinfo"
export ASILAB_SYSFS_MODULE="$T/sysmod" ASILAB_CPUINFO="$T/cpuinfo"

fail() {
    echo "FAIL [$CASE]: $*"
    echo "--- stdout:"; cat "$T/stdout" 2>/dev/null
    echo "--- stderr:"; cat "$T/stderr" 2>/dev/null
    exit 1
}
run() { "$ASILAB" "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?; }
want_rc() { [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"; }
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$(basename "$1") has: $2"; }
count() { n=$(grep -cF -- "$2" "$1"); [ "$n" = "$3" ] || fail "$(basename "$1"): '$2' on $n lines, expected $3"; }
squeeze() { tr -s ' ' <"$1"; }
# canned RESULT-MEMBERS: a boot with a platform and calibration record,
# one null_hypercall result with those members, and the end record
canned() {
    cat >"$T/lines" <<END
@asilab {"type":"platform","workload":"hv","variant":"@VARIANT@","mode":"@MODE@","hypervisor":"@HYPERVISOR@","syscall_cpl":@SYSCALL_CPL@,"pcid":"@PCID@","invpcid":false}
@asilab {"type":"calibration","op":"empty_loop","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":1000,"samples":16,"min":@CALIB@,"median":@CALIB@,"max":@CALIB@}
@asilab {"type":"result","workload":"@WORKLOAD@","op":"null_hypercall","variant":"@VARIANT@","mode":"@MODE@","unit":"@UNIT@","ops":100,$1,"events":@EVENTS@}
@asilab {"type":"end","status":"pass","records":3}
END
    export FAKE_QEMU_LINES="$T/lines"
}
# dated SET DATE: SET's run re-dated to DATE (the live run too, so that the
# order of the runs never depends on today's date)
dated() {
    sed -e "s/\"date\":\"[^\"]*\"/\"date\":\"$2\"/g" "$1/records.jsonl" >"$1/records.tmp" &&
        mv "$1/records.tmp" "$1/records.jsonl"
}
# later SRC DST REV DATE [SED]: DST is SRC as a run at git REV on DATE
# (and SED applied: a changed cost) would have written it
later() {
    mkdir -p "$2"
    sed -e "s/\"git_rev\":\"[^\"]*\"/\"git_rev\":\"$3\"/g" ${5:+-e "$5"} \
        "$1/records.jsonl" >"$2/records.jsonl" && dated "$2" "$4"
}

case $CASE in
deterministic)
    # three commits of two variants in deterministic mode: any change from
    # the previous run is flagged (icount repeats a run exactly); a set
    # added twice is kept once; the op's table, --changes, the list of ops
    # and the filters
    canned '"samples":2,"min":5,"p10":5,"median":5,"p90":5,"max":5,"values":[5,5]'
    run run --build "$B" --qemu "$Q" --out "$T/r1" --accel tcg --variant shared_l4,per_pcpu_l4 --workload hypercall
    want_rc 0
    dated "$T/r1" 2026-12-03T10:00:00Z
    later "$T/r1" "$T/r2" bbbbbbbbbbbb 2026-12-04T10:00:00Z
    later "$T/r1" "$T/r3" cccccccccccc 2026-12-05T10:00:00Z \
        '/"variant":"per_pcpu_l4"/s/"min":5,"p10":5,"median":5,"p90":5,"max":5,"values":\[5,5\]/"min":6,"p10":6,"median":6,"p90":6,"max":6,"values":[6,6]/'
    run history add --db "$DB" "$T/r1" "$T/r2"
    want_rc 0
    has "$T/stdout" "history: $T/r1 added as set 1: 2 results"
    has "$T/stdout" "history: $T/r2 added as set 2: 2 results"
    run history add --db "$DB" "$T/r3" "$T/r1"
    want_rc 0
    has "$T/stdout" "history: $T/r3 added as set 3: 2 results"
    has "$T/stdout" "history: $T/r1 is already set 1 (same records.jsonl)"
    run history --db "$DB" --op hypercall/null_hypercall
    want_rc 0
    squeeze "$T/stdout" >"$T/sq"
    has "$T/sq" "hypercall/null_hypercall per_pcpu_l4 [counting] on "
    has "$T/sq" " 3 2026-12-05T10:00:00Z cccccccccccc "
    count "$T/stdout" "changed from" 1
    has "$T/sq" " 6.000 changed from 5.000: +1.000 (+20.00%)"
    has "$T/sq" "history: 2 series, 6 runs over 3 result sets, 1 change flagged"
    # the run's git revision and build id are columns: the build id is the
    # variant image's, the same in every run here
    id=$(sed -n 's/.*"variant":"shared_l4".*"build_id":"\([^"]\{12\}\).*/\1/p' "$T/r1/records.jsonl" | head -1)
    [ -n "$id" ] || fail "no build id in r1"
    count "$T/stdout" "  $id  " 6
    run history --db "$DB" --changes
    want_rc 0
    squeeze "$T/stdout" >"$T/sq"
    has "$T/sq" "hypercall/null_hypercall per_pcpu_l4 [counting] on "
    has "$T/sq" "run 3 (2026-12-05T10:00:00Z, cccccccccccc): 6.000 insns/op, changed from 5.000: +1.000 (+20.00%)"
    has "$T/sq" "history: 1 change in 1 of 2 series over 3 result sets"
    run history --db "$DB"
    want_rc 0
    squeeze "$T/stdout" >"$T/sq"
    has "$T/sq" "hypercall/null_hypercall 2 6 1"
    run history --db "$DB" --op null_hypercall --variant 'shared_*'
    want_rc 0
    lacks "$T/stdout" "per_pcpu_l4"
    has "$T/stdout" "1 series, 3 runs over 3 result sets, 0 changes flagged"
    run history --db "$DB" --op null_hypercall --mode timing
    want_rc 1
    has "$T/stderr" "no runs of null_hypercall, mode timing"
    run history --db "$DB" --op hypercall/null_hypercall#2
    want_rc 1
    if command -v gnuplot >/dev/null; then
        run history --db "$DB" --op hypercall/null_hypercall --plot "$T/trend"
        want_rc 0
        for f in trend.png trend.svg trend.dat; do [ -s "$T/$f" ] || fail "no $f"; done
        [ "$(grep -c '^"' "$T/trend.dat")" = 2 ] || fail "trend.dat: not 2 series"
        has "$T/trend.dat" "$(printf '3\t6\t6\t6\tcccccccc')"
    fi
    ;;
timing)
    # timing mode: a run is flagged when its median is outside the p10..p90
    # of all the previous runs' samples pooled, not for noise inside it;
    # hosts are separate series
    : >"$T/kvm"
    export ASILAB_KVM_DEVICE="$T/kvm" FAKE_QEMU_CALIB=1.5
    canned '"samples":5,"min":1000,"p10":1000,"median":1200,"p90":1400,"max":1400,"tsc_khz":2000000,"tsc_invariant":true,"values":[1000,1100,1200,1300,1400]'
    run run --build "$B" --qemu "$Q" --out "$T/r1" --accel kvm --variant shared_l4 --workload hypercall
    want_rc 0
    has "$T/r1/records.jsonl" '"mode":"timing"'
    dated "$T/r1" 2026-12-03T10:00:00Z
    later "$T/r1" "$T/r2" bbbbbbbbbbbb 2026-12-04T10:00:00Z 's/"median":1200/"median":1350/'
    later "$T/r1" "$T/r3" cccccccccccc 2026-12-05T10:00:00Z 's/"median":1200/"median":1900/'
    later "$T/r1" "$T/r4" dddddddddddd 2026-12-06T10:00:00Z \
        's/"median":1200/"median":1900/; s/"hostname":"[^"]*"/"hostname":"board2"/'
    run history add --db "$DB" "$T/r1" "$T/r2" "$T/r3" "$T/r4"
    want_rc 0
    run history --db "$DB" --op null_hypercall
    want_rc 0
    squeeze "$T/stdout" >"$T/sq"
    grep -q ' 1350\.000$' "$T/sq" || fail "run 2 (inside the spread) flagged or missing"
    has "$T/sq" " 1900.000 outside p10..p90 1000.000..1400.000 of the 2 previous runs"
    count "$T/stdout" "outside" 1
    has "$T/sq" "shared_l4 [counting] on board2 ("
    has "$T/sq" "history: 2 series, 4 runs over 4 result sets, 1 change flagged"
    run history --db "$DB" --op null_hypercall --host board2
    want_rc 0
    has "$T/stdout" "1 series, 1 runs over 1 result sets, 0 changes flagged"
    ;;
bad)
    # bad input: nothing is changed and the message says why
    canned '"samples":1,"min":5,"p10":5,"median":5,"p90":5,"max":5,"values":[5]'
    run run --build "$B" --qemu "$Q" --out "$T/r1" --accel tcg --variant shared_l4 --workload hypercall
    want_rc 0
    run history --db "$DB"
    want_rc 1
    has "$T/stderr" "asilab: history $DB: No such file or directory (add result sets with 'asilab history add DIR')"
    run history add --db "$DB"
    want_rc 2
    run history --db "$DB" --op 'x;rm'
    want_rc 2
    has "$T/stderr" "bad --op 'x;rm'"
    run history --db "$DB" --plot "$T/p"
    want_rc 2
    has "$T/stderr" "history --plot needs --op"
    run history add --db "$DB" "$T/nope"
    want_rc 1
    has "$T/stderr" "cannot read $T/nope/records.jsonl"
    # a set with no usable result (its boot failed): refused, not half-added
    mkdir -p "$T/failed"
    sed 's/"boot_status":"pass"/"boot_status":"fail"/' "$T/r1/records.jsonl" >"$T/failed/records.jsonl"
    run history add --db "$DB" "$T/failed" "$T/r1"
    want_rc 1
    has "$T/stderr" "has no result records to keep (1 skipped"
    has "$T/stdout" "history: $T/r1 added as set 1: 1 results"
    run history --db "$DB" --op null_hypercall
    want_rc 0
    has "$T/stdout" "1 series, 1 runs over 1 result sets"
    # a newer schema is refused with its version, the file untouched
    cp "$DB" "$T/newer.sqlite"
    /usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 7'); c.commit()" "$T/newer.sqlite" \
        || fail "python3 sqlite3"
    sum=$(sha256sum <"$T/newer.sqlite")
    run history add --db "$T/newer.sqlite" "$T/r1"
    want_rc 2
    has "$T/stderr" "asilab: history $T/newer.sqlite: schema version 7, newer than this asilab's 1: use the asilab that wrote it (nothing was changed)"
    run history --db "$T/newer.sqlite"
    want_rc 2
    [ "$(sha256sum <"$T/newer.sqlite")" = "$sum" ] || fail "the newer database was changed"
    # not an asilab database: someone else's SQLite, or not SQLite at all
    /usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t (x)'); c.commit()" "$T/other.sqlite"
    run history add --db "$T/other.sqlite" "$T/r1"
    want_rc 2
    has "$T/stderr" "not an asilab history database"
    printf 'hello, not a database at all, but long enough to have a header..........\n' >"$T/text.sqlite"
    run history --db "$T/text.sqlite"
    want_rc 2
    has "$T/stderr" "not a database asilab can read"
    ;;
*)
    echo "unknown case '$CASE'"
    exit 1
    ;;
esac
echo "ok [$CASE]"
