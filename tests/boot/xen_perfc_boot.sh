#!/bin/sh
# xen_perfc_boot.sh — the workloads on a perfc=y build of Xen 4.17
# (build/xen/xen-4.17-perfc.elf, made by cmake/build-xen.sh) as its dom0:
# the guest finds Xen's counters through XEN_SYSCTL_perfc_op, and every
# result carries exactly the events they map (ctx_switch, mapcache_map,
# mapcache_flush; workloads/lib/xen_perfc.h) and Xen's own counters by
# name, with the exact per-op counts Xen 4.17 gives: one xen_version
# hypercall per null hypercall, one context switch per same-domain yield,
# one on each pCPU per cross-pCPU wake (and one IPI received), one IPI
# received by the remote pCPU per remote flush, one page update per
# mmu_update.
set -u
out=${BOOT_TEST_DIR:?}/xen_perfc
rm -rf "$out"
fail() { echo "xen_perfc_boot: $*"; cat "$out.log" 2>/dev/null; exit 1; }
if [ ! -r "${ASILAB_XEN_PERFC_ELF:?}" ]; then
    echo "xen_perfc_boot: skipped: no $ASILAB_XEN_PERFC_ELF (build one: cmake/build-xen.sh" \
         "XEN_SRC $ASILAB_XEN_PERFC_ELF CONFIG_EXPERT=y CONFIG_PERF_COUNTERS=y)"
    exit 77
fi
"${ASILAB:?}" run --hv "xen=$ASILAB_XEN_PERFC_ELF" --xen-cmdline "xpti=dom0=false" \
    --workload hypercall,ctxsw,flush --accel tcg -j 2 --out "$out" >"$out.log" 2>&1 ||
    fail "asilab run --hv xen=$ASILAB_XEN_PERFC_ELF exited $?"
/usr/bin/python3 - "$out/records.jsonl" <<'PY' || fail "see above"
import json, sys
res = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "result":
        res[r["op"]] = r
def want(c, what):
    if not c:
        sys.exit("xen_perfc_boot: " + what)
want(len(res) == 18, "%d results, expected 18 (hypercall 1, ctxsw 2, flush 15)" % len(res))
mapped = {"ctx_switch", "mapcache_map", "mapcache_flush"}
for op, r in res.items():
    want(r["image"] == "xen" and r.get("events_source") == "xen_perfc",
         "%s: events from Xen's perf counters (%s)" % (op, r.get("events_unavailable")))
    want(set(r["events"]) == mapped and set(r["remote_events"]) == mapped,
         "%s: events %s, expected %s" % (op, sorted(r["events"]), sorted(mapped)))
    want(r["events"]["mapcache_map"] == 0, "%s: no PV mapcache below 5 TiB" % op)
def xp(op, **kw):
    got = res[op]["xen_perfc"]
    for k, v in kw.items():
        want(got.get(k, 0) == v, "%s: xen_perfc.%s %s, expected %s (%s)" % (op, k, got.get(k), v, got))
def ev(op, here, remote=0):
    r = res[op]
    want(r["events"]["ctx_switch"] == here and r["remote_events"]["ctx_switch"] == remote,
         "%s: ctx_switch %s / remote %s, expected %s / %s" % (op, r["events"]["ctx_switch"],
         r["remote_events"]["ctx_switch"], here, remote))
want(res["null_hypercall"]["xen_perfc"] == {"hypercalls_17": 1}, "null_hypercall: only one "
     "xen_version hypercall: %s" % res["null_hypercall"]["xen_perfc"])
ev("null_hypercall", 0)
xp("yield_same_domain", hypercalls_29=1, sched_context_switches=1, sched_vcpu_yield=1)
ev("yield_same_domain", 1)
xp("wake_cross_pcpu", ipis=1, sched_context_switches=2)
ev("wake_cross_pcpu", 1, 1)
xp("flush_remote_1", ipis=1, hypercalls_26=1, mmuext_ops=1)
ev("flush_remote_1", 0)
xp("mmu_update_l1", calls_to_mmu_update=1, page_updates=1, hypercalls_1=1)
xp("clear_pages_32", calls_to_mmuext_op=1, mmuext_ops=32)
print("xen_perfc_boot: %d results with Xen's counters; null hypercall %s insns" %
      (len(res), res["null_hypercall"]["median"]))
PY
