#!/bin/sh
# pcid_test.sh STRATEGY — the +pcid flavour's fallback, side by side with
# its strategy: STRATEGY and STRATEGY+pcid, paired (lean costs, counting
# events), under TCG, whose CPU has neither PCID nor INVPCID.  The +pcid
# image must say so: its platform record and every record's provenance
# say pcid "unavailable" (STRATEGY's say "off"), its results.json labels
# say "pcid unavailable"; it runs the untagged code, so every op costs
# and counts exactly what STRATEGY does, with no no-flush CR3 load and
# no INVPCID.  (A CPU with PCID would say "on": then the tagged path must
# show, at least one no-flush load per null syscall round trip.)
set -u
s=$1
out=${BOOT_TEST_DIR:?}/pcid.$s
rm -rf "$out"
fail() { echo "pcid_test $s: $*"; cat "$out.log" 2>/dev/null; exit 1; }
"${ASILAB:?}" run --variant "$s,$s+pcid" --workload hypercall,syscall,ctxsw,gdt_ldt,flush \
    --smp 2 --image paired --accel tcg -j 2 --timeout 120 --out "$out" >"$out.log" 2>&1 ||
    fail "asilab run exited $?"
/usr/bin/python3 - "$out/results.json" "$out/records.jsonl" "$s" <<'PY' || fail "see above"
import json, sys
s = sys.argv[3]
p = s + "+pcid"
def want(c, what):
    if not c:
        sys.exit("pcid_test: " + what)
plat, prov = {}, {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    v = r["provenance"]["variant"]
    prov.setdefault(v, set()).add(r["provenance"].get("pcid"))
    if r.get("type") == "platform":
        plat.setdefault(v, set()).add((r["pcid"], r["invpcid"]))
want(plat.get(s) == {("off", False)}, "%s: platform says %r" % (s, plat.get(s)))
state = {x[0] for x in plat.get(p, set())}
want(len(state) == 1 and state <= {"on", "unavailable"}, "%s: platform says %r" % (p, plat.get(p)))
state = state.pop()
want(prov.get(s) == {"off"}, "%s: provenance pcid %r" % (s, prov.get(s)))
want(prov.get(p) == {state}, "%s: provenance pcid %r, platform %s" % (p, prov.get(p), state))
bm = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
ops = sorted({n.rsplit("/", 1)[0] for n in bm})
want(len(ops) >= 20, "only %d ops" % len(ops))
for op in ops:
    a, b = bm.get("%s/%s" % (op, s)), bm.get("%s/%s" % (op, p))
    want(a and b, "%s: not on both variants" % op)
    want(("pcid " + state) in b["label"], "%s: label %r does not say pcid %s" % (op, b["label"], state))
    want("pcid" not in a["label"], "%s: label %r" % (op, a["label"]))
    if state == "unavailable":
        for k in sorted(set(a) | set(b)):
            if k in ("name", "run_name", "label", "family_index", "per_family_instance_index",
                     "repetition_index", "threads", "iterations", "real_time", "cpu_time",
                     "time_unit", "run_type", "repetitions"):
                continue
            want(a.get(k) == b.get(k), "%s: %s %r (%s) vs %r (+pcid, untagged)" %
                 (op, k, a.get(k), s, b.get(k)))
        want(b.get("cr3_load_noflush", 0) == 0 and b.get("invpcid", 0) == 0,
             "%s: untagged but tagged events" % op)
    elif op == "syscall/null_syscall":
        want(b.get("cr3_load_noflush", 0) >= 1, "%s: pcid on, no no-flush load" % op)
print("pcid %s: %d ops compared" % (state, len(ops)))
PY
echo "ok: +pcid beside $s"
