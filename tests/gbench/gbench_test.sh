#!/bin/sh
# gbench_test.sh — one test case of the C API over Google Benchmark,
# through gbench_demo:  gbench_test.sh DEMO COMPARE_PY CASE
# (COMPARE_PY: Debian's compare.py, empty if libbenchmark-tools is missing)
set -u
DEMO=$1 COMPARE=$2 CASE=$3
PY=/usr/bin/python3     # Debian's: compare.py needs python3-scipy

T=$(mktemp -d "${TMPDIR:-/tmp}/asilab-gbench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

fail() {
    echo "FAIL [$CASE]: $*"
    for f in stdout stderr a.json b.json compare; do
        [ -e "$T/$f" ] && { echo "--- $f:"; cat "$T/$f"; echo; }
    done
    exit 1
}
# demo ARGS...: the demo with stdout/stderr captured, status in $rc
demo() { "$DEMO" "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?; }
want_rc() { [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"; }
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks: $2"; }
empty() { [ ! -s "$1" ] || fail "$(basename "$1") is not empty"; }
# check FILE NAME_SUFFIX: the JSON of the demo, benchmark names with suffix
check() {
    "$PY" - "$1" "$2" <<'EOF' || fail "$1: JSON content is wrong"
import json, sys
path, suffix = sys.argv[1], sys.argv[2]
with open(path) as f:
    j = json.load(f)
def want(cond, what):
    if not cond:
        sys.exit("%s: %s" % (path, what))
ctx = j["context"]
want(ctx.get("demo_key") == "demo value", "context demo_key: %r" % ctx.get("demo_key"))
want(ctx.get("executable", "").endswith("gbench_demo"), "context executable")
b = j["benchmarks"]
want([x["name"] for x in b] == ["demo/alpha" + suffix.format(4), "demo/beta" + suffix.format(2)],
     "names %r" % [x["name"] for x in b])
want([x["run_name"] for x in b] == [x["name"] for x in b], "run_name differs from name")
a, bb = b
for x, it, rt, ev, label in ((a, 4, 250, 2.5, "alpha label"), (bb, 2, 2000, 0, "beta label")):
    n = x["name"]
    want(x["run_type"] == "iteration", n + ": run_type")
    want(x["iterations"] == it, "%s: iterations %r, expected %d" % (n, x["iterations"], it))
    want(x["time_unit"] == "ns", n + ": time_unit")
    want(abs(x["real_time"] - rt) < 1e-6 * rt,
         "%s: real_time %r, expected %r" % (n, x["real_time"], rt))
    want(x["cpu_time"] > 0, n + ": cpu_time")
    want(x["events"] == ev, "%s: events %r, expected %r" % (n, x.get("events"), ev))
    want(x["label"] == label, n + ": label")
want(abs(a["total"] - 10) < 1e-9, "alpha: total %r, expected 10 (40 / 4 iterations)" % a.get("total"))
want("total" not in bb, "beta has a total counter")
EOF
}

case $CASE in
json)
    # plain names, no console output at all
    demo --benchmark_out="$T/a.json" --benchmark_out_format=json plain console=none
    want_rc 0
    empty "$T/stdout"
    check "$T/a.json" ""
    ;;
names)
    # Google Benchmark's own names, and its default out format (json)
    demo --benchmark_out="$T/a.json"
    want_rc 0
    empty "$T/stdout"
    check "$T/a.json" "/iterations:{}/manual_time"
    # plain names apply to a JSON file only: csv keeps the suffixes
    demo --benchmark_out="$T/a.csv" --benchmark_out_format=csv plain
    want_rc 0
    has "$T/a.csv" '"demo/alpha/iterations:4/manual_time",4,'
    ;;
console)
    demo console=stderr
    want_rc 0
    empty "$T/stdout"
    has "$T/stderr" "demo/alpha/iterations:4/manual_time"
    has "$T/stderr" "events=2.5 total=10 alpha label"
    has "$T/stderr" "demo_key: demo value"
    demo console=stdout --benchmark_out="$T/a.json" plain
    want_rc 0
    has "$T/stdout" "demo/beta/iterations:2/manual_time"
    check "$T/a.json" ""
    ;;
bad_out)
    # an unwritable output file is an error the caller sees, not exit(1)
    demo --benchmark_out="$T/no/such/dir/a.json" plain
    want_rc 1
    has "$T/stderr" "gbench: cannot write '$T/no/such/dir/a.json': No such file or directory"
    ;;
compare)
    [ -n "$COMPARE" ] || { echo "compare.py not found (apt-get install libbenchmark-tools)"; exit 77; }
    "$PY" -c 'import scipy' 2>/dev/null || { echo "$PY lacks scipy (apt-get install python3-scipy)"; exit 77; }
    demo --benchmark_out="$T/a.json" plain
    want_rc 0
    demo --benchmark_out="$T/b.json" plain scale=2
    want_rc 0
    "$PY" "$COMPARE" --no-color benchmarks "$T/a.json" "$T/b.json" >"$T/compare" 2>&1 ||
        fail "compare.py exited with status $?"
    # every time doubled: +1.0000, old and new times in ns
    grep -Eq '^demo/alpha +\+1\.0000 +[-+][0-9.]+ +250 +500 ' "$T/compare" ||
        fail "compare.py: no demo/alpha line with +1.0000 250 500"
    grep -Eq '^demo/beta +\+1\.0000 +[-+][0-9.]+ +2000 +4000 ' "$T/compare" ||
        fail "compare.py: no demo/beta line with +1.0000 2000 4000"
    ;;
*)
    echo "unknown case '$CASE'"
    exit 1
    ;;
esac
echo "ok [$CASE]"
