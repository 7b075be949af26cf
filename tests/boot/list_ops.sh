#!/bin/sh
# list_ops.sh ASILAB OUTDIR: the ops `asilab list` names for each workload
# are exactly the result ops a real run of every workload records
# ("touch_<P>" standing for touch_1, touch_8, ...; "ops: (none ...)" for a
# workload without result records); those expected to fail (hostile,
# hostile_fuzz) are not in 'all'.
set -u
asilab=$1 out=$2
rm -rf "$out"
"$asilab" list >"$out.list" 2>&1 || { echo "list failed"; cat "$out.list"; exit 1; }
"$asilab" run --variant shared_l4 --workload all --accel tcg --smp 2 -j 2 --out "$out" \
    >"$out.log" 2>&1 || { echo "run failed"; cat "$out.log"; exit 1; }
exec python3 - "$out.list" "$out/records.jsonl" <<'PY'
import json, re, sys
listed, xfail, cur = {}, set(), None
for line in open(sys.argv[1]):
    m = re.match(r"  (\w+) +\d+ boots? ", line)
    if m:
        cur = m.group(1)
        if "[expected to fail" in line:
            xfail.add(cur)
    m = re.match(r" +ops: (.*)$", line)
    if m and cur:
        listed[cur] = [] if m.group(1).startswith("(none") else m.group(1).split()
        cur = None
seen = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    w = r["provenance"]["workload"]
    seen.setdefault(w, set())
    if r.get("type") == "result":
        seen[w].add(r["op"])
bad = 0
if sorted(seen) != sorted(w for w in listed if w not in xfail) or "hostile" not in xfail:
    print("workloads run %s, listed %s" % (sorted(seen), sorted(listed))); bad = 1
for w, pats in listed.items():
    if w not in seen:
        continue
    rx = [re.compile("^" + re.sub(r"<[A-Z]>", r"[0-9]+", p) + "$") for p in pats]
    for op in sorted(seen[w]):
        if not any(x.match(op) for x in rx):
            print("%s: op %s recorded, not listed" % (w, op)); bad = 1
    for p, x in zip(pats, rx):
        if not any(x.match(op) for op in seen[w]):
            print("%s: op %s listed, not recorded" % (w, p)); bad = 1
print("ok: %d workloads, %d ops" % (len(seen), sum(len(v) for v in seen.values())) if not bad else "FAIL")
sys.exit(bad)
PY
