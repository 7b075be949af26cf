#!/bin/sh
# image_uefi.sh — asilab image's ISO booted from UEFI firmware (Debian's
# OVMF) under QEMU TCG icount: GRUB's x86_64-efi chains two boots
# (shared_l4, lean and counting, hypercall) through CMOS and resets, each
# hv entered by multiboot2 after GRUB left boot services, finding ACPI
# (both CPUs) only through GRUB's RSDP tag, as on a UEFI machine; the
# last entry powers off through UEFI.  The ingested set must be complete
# and its results exactly those of `asilab run` (QEMU -kernel, multiboot
# 1, no firmware): the loader changes nothing the ops measure.  Every
# boot's platform record must count two CPUs and the serial log hold each
# of GRUB's lines once (its EFI console is COM1 too).
set -u
out=${BOOT_TEST_DIR:?}/image-uefi
A=${ASILAB:?}
rm -rf "$out"
mkdir -p "$out"
fail() { echo "image_uefi: $*"; exit 1; }
code=/usr/share/OVMF/OVMF_CODE_4M.fd
[ -r "$code" ] && [ -r /usr/share/OVMF/OVMF_VARS_4M.fd ] ||
    fail "no OVMF firmware (apt-get install ovmf; cmake/install-deps.sh installs it)"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/vars.fd"
"$A" image --variant shared_l4 --workload hypercall --image paired --mode deterministic \
    --menu-timeout 0 --out "$out/img" >"$out/image.log" 2>&1 ||
    { cat "$out/image.log"; fail "asilab image exited $?"; }
[ -s "$out/img/tftp/boot/grub/x86_64-efi/core.efi" ] || fail "no UEFI PXE boot file"
timeout 500 qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 256M -smp 2 \
    -accel tcg -icount shift=0,sleep=off -display none -serial "file:$out/serial.log" \
    -drive "if=pflash,format=raw,readonly=on,file=$code" \
    -drive "if=pflash,format=raw,file=$out/vars.fd" \
    -cdrom "$out/img/asilab.iso" >"$out/qemu.log" 2>&1 ||
    { cat "$out/qemu.log"; tail -5 "$out/serial.log"; fail "QEMU did not power off by itself ($?)"; }
[ "$(grep -ac '@asilab-boot 1/2' "$out/serial.log")" = 1 ] ||
    fail "'@asilab-boot 1/2' not exactly once in the serial log"
"$A" ingest --manifest "$out/img/manifest.json" --host qemu-ovmf --out "$out/ing" \
    "$out/serial.log" >"$out/ingest.log" 2>&1 || { cat "$out/ingest.log"; fail "ingest exited $?"; }
"$A" run --variant shared_l4 --workload hypercall --image paired --accel tcg \
    --out "$out/direct" >"$out/direct.log" 2>&1 || { cat "$out/direct.log"; fail "run exited $?"; }
/usr/bin/python3 - "$out" <<'PY' || fail "see above"
import json, sys
out = sys.argv[1]
def recs(d):
    return [json.loads(l) for l in open(d + "/records.jsonl")]
def want(c, what):
    if not c:
        sys.exit("image_uefi: " + what)
s = json.load(open(out + "/ing/ingest.json"))
want(s["complete"] and s["boots_read"] == 2 and s["boots_passed"] == 2 and s["campaign_end_seen"],
     "ingest.json: %s" % s)
ing = {(r["variant"], r["provenance"]["image"], r["op"]): r for r in recs(out + "/ing")
       if r["type"] == "result"}
direct = {(r["variant"], r["provenance"]["image"], r["op"]): r for r in recs(out + "/direct")
          if r["type"] == "result"}
want(len(ing) == 2 and set(ing) == set(direct), "results %s vs %s" % (sorted(ing), sorted(direct)))
for k, r in ing.items():
    want(r["values"] == direct[k]["values"],
         "%s: median %s from UEFI, %s from asilab run" % (k, r["median"], direct[k]["median"]))
    want(r["provenance"]["hostname"] == "qemu-ovmf" and r["provenance"]["boot_status"] == "pass",
         "%s: provenance %s" % (k, r["provenance"]))
plat = [r for r in recs(out + "/ing") if r["type"] == "platform"]
want(len(plat) == 2, "%d platform records" % len(plat))
PY
grep -aq '^hv: 2 CPU(s) online' "$out/serial.log" || fail "the hv did not find both CPUs through ACPI"
[ "$(tr -d '\r' <"$out/serial.log" | grep -ac '^hv: 2 CPU(s) online')" = 2 ] ||
    fail "not every boot found both CPUs"
echo "image_uefi: ok (2 boots from OVMF, results exactly asilab run's)"
