#!/bin/sh
# image_pxe.sh — asilab image's PXE folder booted as a diskless machine
# boots it: QEMU's iPXE ROM (e1000) gets the DHCP boot file from QEMU's
# own DHCP/TFTP server (user networking), GRUB runs the chain of two boots
# over TFTP, resetting between them, and powers off after the last; the
# serial log, ingested, is a complete set of passing boots.  Plain TCG
# (no icount): under -icount sleep=off an idle guest's clock runs ahead of
# QEMU's DHCP server and iPXE gives up after the first reset, so this is a
# timing-mode image whose results the ingest marks invalid (emulated),
# the chain and the records being what is checked, not the costs.
set -u
out=${BOOT_TEST_DIR:?}/image-pxe
A=${ASILAB:?}
rm -rf "$out"
mkdir -p "$out"
fail() { echo "image_pxe: $*"; exit 1; }
"$A" image --variant shared_l4,per_pcpu_l4 --workload hypercall --menu-timeout 0 \
    --out "$out/img" >"$out/image.log" 2>&1 || { cat "$out/image.log"; fail "asilab image exited $?"; }
timeout 400 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp 2 -accel tcg \
    -display none -serial "file:$out/serial.log" \
    -netdev "user,id=n0,tftp=$out/img/tftp,bootfile=boot/grub/i386-pc/core.0" \
    -device e1000,netdev=n0 -boot n >"$out/qemu.log" 2>&1 ||
    { cat "$out/qemu.log"; tail -5 "$out/serial.log"; fail "QEMU did not power off by itself ($?)"; }
grep -aq '@asilab-campaign end 2' "$out/serial.log" || fail "no end of the chain in the serial log"
"$A" ingest --manifest "$out/img/manifest.json" --host pxe-tcg --out "$out/ing" \
    "$out/serial.log" >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log"; fail "ingest exited $?"; }
/usr/bin/python3 - "$out" <<'PY' || fail "see above"
import json, sys
out = sys.argv[1]
s = json.load(open(out + "/ing/ingest.json"))
if not (s["complete"] and s["boots_read"] == 2 and s["boots_passed"] == 2 and s["campaign_end_seen"]):
    sys.exit("image_pxe: ingest.json: %s" % s)
res = [json.loads(l) for l in open(out + "/ing/records.jsonl")]
res = [r for r in res if r["type"] == "result"]
if sorted({r["variant"] for r in res}) != ["per_pcpu_l4", "shared_l4"]:
    sys.exit("image_pxe: results of %s" % sorted({r["variant"] for r in res}))
for r in res:
    p = r["provenance"]
    if not (p["boot_status"] == "pass" and p["mode"] == "timing" and p["accel"] == "tcg"
            and r.get("valid") is False and p["hostname"] == "pxe-tcg"):
        sys.exit("image_pxe: %s %s: %s valid=%s" % (r["variant"], r["op"], p, r.get("valid")))
print("image_pxe: a two-boot chain over PXE, complete; timing results marked invalid under TCG")
PY
