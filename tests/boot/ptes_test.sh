#!/bin/sh
# ptes_test.sh STRATEGY — the two per-domain PTE methods side by side
# (the ASI series' patch 04 against its baseline): STRATEGY (the
# series' populate_perdomain_mapping) and STRATEGY+stashed_l1 (Xen
# 4.17's stashed L1 pointers), both paired (lean costs, counting
# events).  Every op counts the same events on both except
# perdomain_walk, which +stashed_l1 never does (both methods keep the
# same TLB rule); every op that walks on the default costs less with
# +stashed_l1 (yield_to_spinner aside: its cost is the spinner's 10 ms
# slice).
set -u
s=$1
out=${BOOT_TEST_DIR:?}/ptes.$s
rm -rf "$out"
fail() { echo "ptes_test $s: $*"; cat "$out.log" 2>/dev/null; exit 1; }
"${ASILAB:?}" run --variant "$s,$s+stashed_l1" --workload ctxsw,gdt_ldt \
    --image paired --accel tcg -j 2 --timeout 120 --out "$out" >"$out.log" 2>&1 ||
    fail "asilab run exited $?"
/usr/bin/python3 - "$out/results.json" "$out/records.jsonl" "$s" <<'PY' || fail "see above"
import json, sys
s = sys.argv[3]
bm = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
names = set()          # the event names, from the counting records
for l in open(sys.argv[2]):
    r = json.loads(l)
    if r.get("type") == "result" and "events" in r:
        names |= set(r["events"])
def want(c, what):
    if not c:
        sys.exit("ptes_test: " + what)
want("perdomain_walk" in names, "no perdomain_walk event")
ops = sorted({n.rsplit("/", 1)[0] for n in bm})
walked = 0
for op in ops:
    d, t = bm.get("%s/%s" % (op, s)), bm.get("%s/%s+stashed_l1" % (op, s))
    want(d and t, "%s: not on both variants" % op)
    events = sorted(names - {"perdomain_walk"})
    for e in events:
        want(d[e] == t[e], "%s: %s %g (default) vs %g (+stashed_l1)" % (op, e, d[e], t[e]))
    want(t.get("perdomain_walk") == 0, "%s: +stashed_l1 walks (%r)" % (op, t.get("perdomain_walk")))
    if d.get("perdomain_walk", 0) > 0 and not op.endswith("/yield_to_spinner"):
        walked += 1
        want(t["median"] < d["median"], "%s: +stashed_l1 %g not below the walk's %g" %
             (op, t["median"], d["median"]))
want(walked >= 5, "only %d ops walk on the default (the switches should)" % walked)
PY
echo "ok: per-domain PTE methods ($s)"
