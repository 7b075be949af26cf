#!/bin/sh
# lean_test.sh VARIANT — the lean image (build/lean/hv-V.elf, the hv
# without the lab's counters): its boots pass, its results say
# "image":"lean" and carry no events, the lab hypercall answers "no
# counters", and no op costs more than on the counting image; an op
# whose path counts nothing costs exactly the same on both (a workload's
# ldt_selector_reload never enters the hv), and per_pcpu_l4's null
# hypercall exactly 8 instructions less (its two COUNT_CR3_LOADs).
set -u
v=$1
out=${BOOT_TEST_DIR:?}/lean.$v
rm -rf "$out.lean" "$out.counting"
fail() { echo "lean_test $v: $*"; cat "$out.log" 2>/dev/null; exit 1; }
for img in lean counting; do
    "${ASILAB:?}" run --variant "$v" --workload hypercall,syscall,ctxsw,gdt_ldt,hostile \
        --image "$img" --accel tcg -j 2 --timeout 120 --out "$out.$img" >"$out.log" 2>&1 ||
        fail "asilab run --image $img exited $?"
done
/usr/bin/python3 - "$out.lean/records.jsonl" "$out.counting/records.jsonl" "$v" <<'PY' || fail "see above"
import json, sys
def load(p):
    d = {}
    for l in open(p):
        r = json.loads(l)
        if r.get("type") == "result":
            k = (r["workload"], r["op"], " ".join(r["provenance"]["boot"]).split("/")[-1])
            d[k] = r
    return d
lean, cnt, v = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
def want(c, what):
    if not c:
        sys.exit("lean_test: " + what)
want(lean and set(lean) == set(cnt), "the two images ran different ops")
for k, r in lean.items():
    want(r.get("image") == "lean" and "events" not in r and "remote_events" not in r,
         "%s/%s: not a lean record" % k[:2])
    want(r["provenance"]["image"] == "lean", "%s/%s: provenance image" % k[:2])
    want(cnt[k].get("image") == "counting" and "events" in cnt[k], "%s/%s: counting record" % k[:2])
    want(r["median"] <= cnt[k]["median"], "%s/%s: lean %g > counting %g" %
         (k[0], k[1], r["median"], cnt[k]["median"]))
sel = [k for k in lean if k[1] == "ldt_selector_reload"][0]
want(lean[sel]["median"] == cnt[sel]["median"], "an op that never enters the hv differs")
hc = [k for k in lean if k[1] == "null_hypercall"][0]
if v.split("+")[0] == "per_pcpu_l4":
    want(cnt[hc]["median"] - lean[hc]["median"] == 8,
         "per_pcpu_l4 null_hypercall: counting - lean = %g, expected 8" %
         (cnt[hc]["median"] - lean[hc]["median"]))
PY
grep -q '"type":"robustness"' "$out.lean/records.jsonl" || fail "the hostile boot's robustness record is missing"
echo "ok: lean image ($v)"
