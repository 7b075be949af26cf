#!/bin/sh
# lean_test.sh VARIANT — the lean image (build/lean/hv-V.elf, the hv
# without the lab's counters), paired with the counting one in one run
# (--image paired): its boots pass, its results say "image":"lean" and
# carry no events, results.json takes each op's cost from the lean boot
# and its events from the counting one, the lab hypercall answers "no
# counters", and no op costs more than on the counting image; an op
# whose path counts nothing costs exactly the same on both (a workload's
# ldt_selector_reload never enters the hv), and per_pcpu_l4's null
# hypercall exactly 13 instructions less (its two COUNT_CR3_LOADs, 2
# each, and exit_to_guest's check that no transient map is held, 9).
set -u
v=$1
out=${BOOT_TEST_DIR:?}/lean.$v
rm -rf "$out"
fail() { echo "lean_test $v: $*"; cat "$out.log" 2>/dev/null; exit 1; }
# one run, every boot on both images (--image paired)
"${ASILAB:?}" run --variant "$v" --workload hypercall,syscall,ctxsw,gdt_ldt,hostile \
    --image paired --accel tcg -j 2 --timeout 120 --out "$out" >"$out.log" 2>&1 ||
    fail "asilab run --image paired exited $?"
/usr/bin/python3 - "$out/records.jsonl" "$out/results.json" "$v" <<'PY' || fail "see above"
import json, sys
lean, cnt, v = {}, {}, sys.argv[3]
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("type") == "result":
        k = (r["workload"], r["op"], " ".join(r["provenance"]["boot"]).split("/")[-1])
        (lean if r["provenance"]["image"] == "lean" else cnt)[k] = r
def want(c, what):
    if not c:
        sys.exit("lean_test: " + what)
want(lean and set(lean) == set(cnt), "the two images ran different ops")
for k, r in lean.items():
    want(r.get("image") == "lean" and "events" not in r and "remote_events" not in r,
         "%s/%s: not a lean record" % k[:2])
    want(cnt[k].get("image") == "counting" and "events" in cnt[k], "%s/%s: counting record" % k[:2])
    want(r["median"] <= cnt[k]["median"], "%s/%s: lean %g > counting %g" %
         (k[0], k[1], r["median"], cnt[k]["median"]))
# results.json: one benchmark per pair, the lean cost, the counting events
bm = {b["name"]: b for b in json.load(open(sys.argv[2]))["benchmarks"]}
for k, r in lean.items():
    b = bm.get("%s/%s/%s" % (k[0], k[1], v))
    want(b, "%s/%s: no benchmark" % k[:2])
    want(b["median"] == r["median"] and b["counting_median"] == cnt[k]["median"],
         "%s/%s: benchmark median %r / counting_median %r" % (k[0], k[1], b["median"],
                                                             b.get("counting_median")))
    want(all(b[e] == n for e, n in cnt[k]["events"].items()), "%s/%s: events" % k[:2])
sel = [k for k in lean if k[1] == "ldt_selector_reload"][0]
want(lean[sel]["median"] == cnt[sel]["median"], "an op that never enters the hv differs")
hc = [k for k in lean if k[1] == "null_hypercall"][0]
if v.split("+")[0] == "per_pcpu_l4":
    want(cnt[hc]["median"] - lean[hc]["median"] == 13,
         "per_pcpu_l4 null_hypercall: counting - lean = %g, expected 13" %
         (cnt[hc]["median"] - lean[hc]["median"]))
PY
nl=$(grep -c '"type":"robustness".*"image":"lean"' "$out/records.jsonl")
nc=$(grep -c '"type":"robustness".*"image":"counting"' "$out/records.jsonl")
[ "$nl" -ge 1 ] && [ "$nl" = "$nc" ] || fail "robustness records: $nl from lean boots, $nc from counting ones"
echo "ok: lean image ($v)"
