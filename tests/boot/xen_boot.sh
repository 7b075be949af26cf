#!/bin/sh
# xen_boot.sh — the workloads on Debian's Xen 4.17 (build/xen/xen-4.17.elf)
# as its dom0, in deterministic mode, with XPTI off and on for dom0: every
# boot Xen can run passes (hypercall, syscall, the same-domain and
# cross-pCPU ctxsw boots), the boots needing several domains are skipped
# with the reason, the records say "image":"xen" with no events (Debian's
# Xen has no perf counters: XEN_SYSCTL_perfc_op is -ENOSYS), Xen's own
# console shows the XPTI setting each configuration asked for, and a
# second run gives exactly the same numbers (Xen under TCG icount is as
# deterministic as the model).
set -u
out=${BOOT_TEST_DIR:?}/xen
rm -rf "$out.1" "$out.2"
fail() { echo "xen_boot: $*"; cat "$out.log" 2>/dev/null; exit 1; }
if [ ! -r "${ASILAB_XEN_ELF:?}" ]; then
    echo "xen_boot: skipped: no $ASILAB_XEN_ELF (install xen-hypervisor-4.17-amd64: cmake/install-deps.sh)"
    exit 77
fi
for k in 1 2; do
    "${ASILAB:?}" run --hv xen --xen-cmdline "xpti=dom0=false" --xen-cmdline "xpti=dom0=true" \
        --workload hypercall,syscall,ctxsw --accel tcg -j 2 --out "$out.$k" >"$out.log" 2>&1 ||
        fail "asilab run --hv xen exited $? (run $k)"
done
/usr/bin/python3 - "$out.1/records.jsonl" "$out.2/records.jsonl" <<'PY' || fail "see above"
import json, sys
def load(p):
    res, skip, prov = {}, [], {}
    for l in open(p):
        r = json.loads(l)
        if r["type"] == "result":
            res[(r["variant"], r["workload"], r["op"])] = r
            prov[r["variant"]] = r["provenance"]
        elif r["type"] == "skipped":
            skip.append((r["variant"], r["boot"][0], r["reason"]))
    return res, skip, prov
def want(c, what):
    if not c:
        sys.exit("xen_boot: " + what)
a, sa, pa = load(sys.argv[1])
b, sb, _ = load(sys.argv[2])
ops = {"null_hypercall", "null_syscall", "null_syscall_shared_l4", "yield_same_domain",
       "wake_cross_pcpu"}
for v in ("xen-4.17:xpti=dom0=false", "xen-4.17:xpti=dom0=true"):
    got = {op for (vv, w, op) in a if vv == v}
    want(got == ops, "%s: ops %s, expected %s" % (v, sorted(got), sorted(ops)))
    want(sum(1 for s in sa if s[0] == v) == 4, "%s: 4 skipped ctxsw boots" % v)
    want(all("several domains" in s[2] for s in sa), "skip reasons: %s" % sa)
for k, r in a.items():
    want(r["image"] == "xen" and "events" not in r, "%s: image xen, no events" % (k,))
    want(r.get("events_unavailable") == "no lab hypercall, no perf counters on this Xen "
         "(perfc_op -38)", "%s: why no events: %s" % (k, r.get("events_unavailable")))
    want(r["provenance"]["boot_status"] == "pass", "%s passed" % (k,))
    want(r["mode"] == "deterministic" and r["unit"] == "insns", "%s: deterministic" % (k,))
    want(k in b and b[k]["values"] == r["values"],
         "%s: run 2 gives %s, run 1 %s" % (k, b.get(k, {}).get("values"), r["values"]))
want(sa == sb, "the same boots skipped twice")
want(pa["xen-4.17:xpti=dom0=false"]["xen_xpti"].startswith("Dom0 disabled"),
     "Xen's XPTI line for xpti=dom0=false: %s" % pa["xen-4.17:xpti=dom0=false"]["xen_xpti"])
want(pa["xen-4.17:xpti=dom0=true"]["xen_xpti"].startswith("Dom0 enabled"),
     "Xen's XPTI line for xpti=dom0=true: %s" % pa["xen-4.17:xpti=dom0=true"]["xen_xpti"])
want(pa["xen-4.17:xpti=dom0=true"]["xen_version"].startswith("Xen version 4.17."),
     "Xen's version line: %s" % pa["xen-4.17:xpti=dom0=true"]["xen_version"])
print("xen_boot: %d results identical in two runs; null hypercall %s / %s, syscall %s / %s "
      "(xpti off / on)" % (len(a), a[("xen-4.17:xpti=dom0=false", "hypercall", "null_hypercall")]["median"],
      a[("xen-4.17:xpti=dom0=true", "hypercall", "null_hypercall")]["median"],
      a[("xen-4.17:xpti=dom0=false", "syscall", "null_syscall")]["median"],
      a[("xen-4.17:xpti=dom0=true", "syscall", "null_syscall")]["median"]))
PY
