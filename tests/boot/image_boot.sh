#!/bin/sh
# image_boot.sh — asilab image and asilab ingest end to end: an ISO of four
# boots (shared_l4 and per_pcpu_l4, hypercall, lean and counting), booted
# under QEMU TCG icount from SeaBIOS as a bare machine boots it: GRUB's
# default entry chains the boots through CMOS and resets, the last entry
# halts (QEMU exits by itself).  The captured serial log, ingested, must
# be a complete set whose results are exactly those of the same boots
# under `asilab run` (same instruction counts: the loader changes
# nothing the ops measure), with the log's own provenance.  Then the bad
# logs: one cut inside boot 3 (two boots kept, one incomplete, one
# missing: exit 1), one with a garbled record and noise (that record kept
# with its line number, the rest valid), and a manifest of another version
# (exit 2).
set -u
out=${BOOT_TEST_DIR:?}/image
rm -rf "$out"
mkdir -p "$out"
fail() { echo "image_boot: $*"; exit 1; }
A=${ASILAB:?}
"$A" image --variant shared_l4,per_pcpu_l4 --workload hypercall --image paired \
    --mode deterministic --menu-timeout 0 --out "$out/img" >"$out/image.log" 2>&1 ||
    { cat "$out/image.log"; fail "asilab image exited $?"; }
[ -s "$out/img/asilab.iso" ] && [ -s "$out/img/tftp/boot/grub/i386-pc/core.0" ] &&
    [ -s "$out/img/tftp/boot/grub/grub.cfg" ] || fail "no ISO or PXE folder"
timeout 300 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp 2 \
    -accel tcg -icount shift=0,sleep=off -display none -serial "file:$out/serial.log" \
    -cdrom "$out/img/asilab.iso" -boot d >"$out/qemu.log" 2>&1 ||
    { cat "$out/qemu.log"; fail "QEMU did not power off by itself ($?)"; }
"$A" ingest --manifest "$out/img/manifest.json" --host qemu-tcg --out "$out/ing" \
    "$out/serial.log" >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log"; fail "ingest exited $?"; }
"$A" run --variant shared_l4,per_pcpu_l4 --workload hypercall --image paired --accel tcg \
    --out "$out/direct" >"$out/direct.log" 2>&1 || { cat "$out/direct.log"; fail "run exited $?"; }

# The bad logs: cut inside boot 3; a garbled record and noise in boot 1.
cut=$(grep -an '@asilab-boot 3/4' "$out/serial.log" | cut -d: -f1)
head -n $((cut + 12)) "$out/serial.log" >"$out/cut.log"
"$A" ingest --manifest "$out/img/manifest.json" --out "$out/ing-cut" "$out/cut.log" \
    >"$out/ingest-cut.log" 2>&1
[ $? = 1 ] || { cat "$out/ingest-cut.log"; fail "a cut log: exit status not 1"; }
res=$(grep -an '"type":"result"' "$out/serial.log" | head -n 1 | cut -d: -f1)
awk -v n="$res" 'NR == n { print "@asilab {\"type\":\"result\",\"workload\":"; print "kernel: noise"; next } { print }' \
    "$out/serial.log" >"$out/garbled.log"
"$A" ingest --manifest "$out/img/manifest.json" --out "$out/ing-garbled" "$out/garbled.log" \
    >"$out/ingest-garbled.log" 2>&1
[ $? = 1 ] || { cat "$out/ingest-garbled.log"; fail "a garbled log: exit status not 1"; }
"$A" image --variant shared_l4 --workload hypercall --cmos 0x90 --out "$out/bad" >"$out/bad.log" 2>&1
[ $? = 2 ] && grep -q "bad --cmos" "$out/bad.log" || { cat "$out/bad.log"; fail "--cmos 0x90 not refused"; }
sed 's/"asilab_image": 1/"asilab_image": 2/' "$out/img/manifest.json" >"$out/v2.json"
"$A" ingest --manifest "$out/v2.json" --out "$out/ing-v2" "$out/serial.log" >"$out/v2.log" 2>&1
[ $? = 2 ] && grep -q "version 1" "$out/v2.log" || { cat "$out/v2.log"; fail "manifest v2 not refused"; }

/usr/bin/python3 - "$out" "$res" <<'PY' || fail "see above"
import json, sys
out, garbled_line = sys.argv[1], int(sys.argv[2])
def recs(d):
    return [json.loads(l) for l in open(d + "/records.jsonl")]
def results(d):
    return {(r["variant"], r["provenance"]["image"], r["op"]): r
            for r in recs(d) if r["type"] == "result"}
def want(c, what):
    if not c:
        sys.exit("image_boot: " + what)
s = json.load(open(out + "/ing/ingest.json"))
want(s["complete"] and s["boots_read"] == 4 and s["boots_passed"] == 4 and s["campaign_end_seen"],
     "ingest.json: %s" % s)
ing, direct = results(out + "/ing"), results(out + "/direct")
want(len(ing) == 4 and set(ing) == set(direct), "results %s vs %s" % (sorted(ing), sorted(direct)))
for k, r in ing.items():
    d = direct[k]
    want(r["values"] == d["values"] and r["median"] == d["median"],
         "%s: median %s from the ISO, %s from asilab run" % (k, r["median"], d["median"]))
    p = r["provenance"]
    want(p["source"]["kind"] == "log" and p["hostname"] == "qemu-tcg" and p["accel"] == "tcg"
         and p["boot_status"] == "pass" and p["mode"] == "deterministic"
         and p["boot"] == ["/asilab/workloads/hypercall.elf"]
         and p["host_cpu"] == "QEMU TCG CPU version 2.5+" and p["cpu_family"] is not None,
         "%s: provenance %s" % (k, p))
    want(p["build_id"] == d["provenance"]["build_id"], "%s: build id" % (k,))
g = json.load(open(out + "/ing/results.json"))
want(len(g["benchmarks"]) == 2, "results.json: %d benchmarks, expected 2 (paired)" % len(g["benchmarks"]))

c = json.load(open(out + "/ing-cut/ingest.json"))
want(not c["complete"] and c["boots_read"] == 3 and c["boots_passed"] == 2
     and c["boots_missing"] == 1, "cut log: %s" % c)
cr = results(out + "/ing-cut")
want(len(cr) == 2 and all(r["provenance"]["boot_status"] == "pass" for r in cr.values()),
     "cut log: the two whole boots' results kept (%s)" % sorted(cr))
want(any("boot 4/4" in p and "in no log" in p for p in c["problems"]), "cut log: %s" % c["problems"])
want(any("incomplete" in p and "3/4" in p for p in c["problems"]), "cut log: %s" % c["problems"])

b = json.load(open(out + "/ing-garbled/ingest.json"))
want(b["complete"] and b["boots_read"] == 4 and b["boots_passed"] == 3, "garbled log: %s" % b)
bad = [r for r in recs(out + "/ing-garbled") if "record_error" in r["provenance"]]
want(len(bad) == 1 and bad[0]["type"] == "unparsed"
     and bad[0]["provenance"]["record_error"].startswith("line %d: invalid JSON" % garbled_line),
     "garbled log: %s" % [r["provenance"].get("record_error") for r in bad])
want(len(results(out + "/ing-garbled")) == 3, "garbled log: the other three results kept")
print("image_boot: ISO boots = asilab run boots, exactly; cut and garbled logs reported")
PY
