/* Strategy asi_pv_root: the Xen ASI series' (v2) own PV design, patch 16
 * with 14 and 17.  Each pCPU owns one root L4, "a unique per-pCPU root
 * page table", that shadows the guest L4 of the vCPU running there and
 * is CR3 in guest and hv mode alike: unlike XPTI (per_pcpu_l4) entry and
 * exit never switch, and unlike per_vcpu_l4 the root belongs to the
 * pCPU, not the vCPU.  It maps the running vCPU's current guest L4's 496
 * guest slots, the hv slots with that vCPU's own per-domain L3 in slot
 * 260 (patch 14: its siblings' GDT/LDT windows are not mapped) and, in
 * slot 261, the copy of the image mapping that maps only this pCPU's
 * stack block (patch 17), fixed at boot: the root never leaves its pCPU.
 *   write_ptbase (context switch to another vCPU, toggle_guest_mode, new
 *     base pointer): recopies the 496 guest slots (and points slot 260 at
 *     the vCPU's L3) unless the root already shadows exactly this L4 for
 *     this vCPU and is not stale (a toggle whose kernel and user L4 are
 *     the same, a base pointer set again); then reloads CR3 with the same
 *     root, as Xen's write_ptbase always writes CR3.  A lazy return from
 *     idle to the vCPU the root shadows calls nothing: nothing changed.
 *   guest_l4_changed: marks stale every pCPU's root that shadows the L4;
 *     FLUSH_ROOT_PGTBL.
 *   flush_root: a stale root is recopied at once, where it is live (the
 *     hv runs on it too, idle included); the FLUSH_TLB it came with
 *     flushes the TLB right after.
 *   exit_to_guest: after a FLUSH_ROOT_PGTBL, a root still stale (its
 *     refresh was refused) is recopied, or the domain crashed if its
 *     source is no longer a validated L4.
 *   free_guest_l4: marks stale a root left shadowing the L4 (none is, see
 *     there), so a frame freed and validated again never passes as fresh.
 *   live_roots: this pCPU's root in both modes; the audit checks it. */
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "x86.h"

struct pv_root {
    mfn_t root;           /* the pCPU's L4, in CR3 from its first load */
    struct vcpu *vcpu;    /* whose L4 it shadows, NULL: none yet */
    mfn_t shadow_src;     /* the guest L4 its guest slots mirror, 0: none */
    bool stale;           /* that guest L4 changed since the copy */
};
/* Slot 261 of a pCPU's root never changes: the image's global entries
 * may stay (no CR3 switch on entry or exit).  With PCIDs the root runs
 * tagged 0 in guest kernel mode and 1 in user mode. */
const struct strategy_tlb strategy_tlb = { .global_pages = true, .xpti = false };

static struct pv_root roots[NR_CPUS];
static mfn_t stack_l3[NR_CPUS];       /* slot 261 as pCPU n sees it */

/* Per vCPU: only its slot-260 L3 (the root is the pCPU's). */
struct vcpu_l3 {
    mfn_t perdomain_l3;
};
static struct vcpu_l3 vcpu_l3s[MAX_DOMAINS * MAX_VCPUS];
static unsigned int nr_vcpu_l3s;

static mfn_t vcpu_perdomain_l3(const struct vcpu *v)
{
    return ((const struct vcpu_l3 *)v->strategy_data)->perdomain_l3;
}

void strategy_cpu_init(struct pcpu *c)
{
    struct pv_root *r = &roots[c->cpu_id];
    r->root = alloc_frame();
    if (!r->root)
        panic("asi_pv_root: no memory for a root table");
    stack_l3[c->cpu_id] = build_private_stack_l3(c->cpu_id);
    uint64_t *tab = mfn_to_virt(r->root);
    stamp_hv_l4_slots(r->root, tab, 0);
    tab[PERDOMAIN_SLOT] = 0;                  /* a vCPU's, from its first load */
    tab[HV_TEXT_SLOT] = (stack_l3[c->cpu_id] << PAGE_SHIFT) | PAGE_TABLE;
}

int strategy_vcpu_init(struct vcpu *v)
{
    if (nr_vcpu_l3s == ARRAY_SIZE(vcpu_l3s))
        return -XEN_ENOMEM;
    struct vcpu_l3 *l = &vcpu_l3s[nr_vcpu_l3s++];
    l->perdomain_l3 = alloc_frame();
    if (!l->perdomain_l3)
        return -XEN_ENOMEM;
    v->strategy_data = l;
    return 0;
}

/* Guest L4s are never live here; their hv slots only keep the audit's
 * and the guest's view consistent. */
void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab)
{
    stamp_hv_l4_slots(l4, tab, d->perdomain_l3);
}

/* Mark stale every pCPU's root built from guest L4 l4 (a frame is an L4
 * of one domain only: no need to look at whose vCPU it shadows). */
static void mark_stale(mfn_t l4)
{
    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++)
        if (ACCESS_ONCE(roots[cpu].shadow_src) == l4)
            __atomic_store_n(&roots[cpu].stale, true, __ATOMIC_SEQ_CST);
}

/* A root shadows the current L4 of the vCPU last loaded on its pCPU,
 * which holds a type reference on it (a new base pointer is recopied as
 * it is loaded, before the old one is put), so no root is left on a
 * freed L4 today.  Marking is cheap and keeps write_ptbase's "already
 * shadows exactly this L4" skip honest should a path ever change a base
 * pointer without write_ptbase: the same frame validated again must be
 * recopied, whatever the root says. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4)
{
    mark_stale(l4);
}

/* Copy guest L4 src's guest slots into r for v.  Claim the copy first: a
 * change marked stale while we copy must make the next refresh copy
 * again, not be wiped out after it. */
static void copy_shadow(struct pv_root *r, struct vcpu *v, mfn_t src)
{
    r->vcpu = v;
    r->shadow_src = src;
    __atomic_store_n(&r->stale, false, __ATOMIC_SEQ_CST);
    copy_guest_l4_from(mfn_to_virt(r->root), src);
}

static bool needs_copy(const struct pv_root *r, const struct vcpu *v, mfn_t src)
{
    return r->vcpu != v || r->shadow_src != src ||
           __atomic_load_n(&r->stale, __ATOMIC_SEQ_CST);
}

/* Make r v's: src's guest slots, then its own per-domain L3 in slot 260
 * (patch 14) if the root served another vCPU.  In that order: the root
 * is live, and the copy maps src with map_domain_page, whose mapcache
 * (+sparse) is in slot 260 -- the one of the vCPU whose tables are
 * loaded (pcpu->last_guest) until write_ptbase is done. */
static void shadow_for(struct pv_root *r, struct vcpu *v, mfn_t src)
{
    bool other = r->vcpu != v;
    copy_shadow(r, v, src);
    if (other)
        ((uint64_t *)mfn_to_virt(r->root))[PERDOMAIN_SLOT] =
            (vcpu_perdomain_l3(v) << PAGE_SHIFT) | PAGE_TABLE;
}

/* The current L4 is validated here (the vCPU holds a type reference on
 * each base pointer, taken before it is set).  The CR3 write counts as a
 * cr3_load, not a tlb_flush, although the frame is the same: it is
 * write_ptbase's load of a new address space (another vCPU, the other
 * mode's L4, a new base), the one every strategy counts at this point
 * (shared_l4 and per_vcpu_l4 load one CR3 per switch and per toggle
 * too); even with nothing recopied it is Xen's write_ptbase, which
 * always writes CR3 (new_guest_cr3 on the same base relies on it). */
void strategy_write_ptbase(struct vcpu *v)
{
    struct pv_root *r = &roots[smp_processor_id()];
    mfn_t src = vcpu_guest_root(v);

    if (needs_copy(r, v, src))
        shadow_for(r, v, src);
    write_cr3_counted(make_cr3(v, r->root, false));
}

/* The live root is live in hv mode too: a stale one is recopied at once,
 * before the sender of the flush goes on (it waits for our ack), so
 * neither the guest nor the hv runs on a guest slot that has changed.
 * Also when idle: it keeps the lazily held vCPU's root in CR3.  No CR3
 * write here: flush_local flushes the TLB right after this returns (the
 * FLUSH_TLB every FLUSH_ROOT_PGTBL comes with), and a reload of the same
 * L4 after an entry changed is a flush, not a switch (per_pcpu_l4's
 * refresh, too, adds no CR3 load of its own).  A source that is no longer
 * an L4 is left stale: exit_to_guest crashes its domain. */
void strategy_flush_root(void)
{
    struct pv_root *r = &roots[smp_processor_id()];
    mfn_t src = ACCESS_ONCE(r->shadow_src);

    if (!__atomic_load_n(&r->stale, __ATOMIC_SEQ_CST) || !guest_l4_validated(src))
        return;
    copy_shadow(r, r->vcpu, src);
}

/* A FLUSH_ROOT_PGTBL arrived since the last exit: flush_root normally
 * refreshed the root already.  One still stale is recopied and the TLB
 * flushed: the same vCPU on the same L4 (write_ptbase keeps the root on
 * the current one), so the reload only flushes: a tlb_flush. */
int strategy_exit_to_guest(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    if (!ci->root_pgt_changed)
        return 0;
    ci->root_pgt_changed = 0;
    struct pv_root *r = &roots[ci->processor_id];
    mfn_t src = vcpu_guest_root(v);
    if (!needs_copy(r, v, src))
        return 0;
    if (!guest_l4_validated(src)) {
        domain_crash(v->domain, "asi_pv_root: shadow of %#lx, not an L4", src);
        return -1;
    }
    shadow_for(r, v, src);
    raw_write_cr3(cr3_flushing(make_cr3(v, r->root, false)));
    this_cpu_count(tlb_flush, 1);
    return 0;
}

/* Every pCPU's root built from l4 (a kernel L4 may be some vCPU's user L4
 * too); where one is live, its pCPU refreshes it before it goes on. */
unsigned int strategy_guest_l4_changed(struct domain *d, mfn_t l4, unsigned int slot)
{
    mark_stale(l4);
    return FLUSH_ROOT_PGTBL;
}

void strategy_live_roots(struct vcpu *v, mfn_t *guest_mode, mfn_t *hv_mode)
{
    *guest_mode = *hv_mode = roots[smp_processor_id()].root;
}

/* This pCPU's root, the running vCPU's (the audit runs in one of its
 * hypercalls): in CR3, fresh, shadowing the running vCPU's current L4,
 * the hv slots as built with its own per-domain L3 and this pCPU's stack
 * slot.  The other pCPUs' roots are live there and may change under us. */
void strategy_audit_roots(struct domain *d, audit_report_fn *bad)
{
    unsigned int cpu = smp_processor_id();
    const struct pv_root *r = &roots[cpu];
    struct vcpu *v = current;
    const uint64_t *root = mfn_to_virt(r->root);

    if (v->domain != d)
        return;
    if (r->vcpu != v || r->shadow_src != vcpu_guest_root(v) ||
        __atomic_load_n(&r->stale, __ATOMIC_SEQ_CST))
        bad(d, "asi_pv_root: the root does not shadow the running vCPU's L4", r->root);
    else if (!guest_l4_equals(root, r->shadow_src))
        bad(d, "asi_pv_root: a fresh root differs from its guest L4", r->root);
    if (pte_addr(read_cr3()) >> PAGE_SHIFT != r->root)
        bad(d, "asi_pv_root: CR3 is not this pCPU's root", r->root);
    if (!root_hv_slots_as_built(r->root, vcpu_perdomain_l3(v), stack_l3) ||
        root[HV_TEXT_SLOT] != ((stack_l3[cpu] << PAGE_SHIFT) | PAGE_TABLE))
        bad(d, "asi_pv_root: root hv slots not as built", r->root);
}

mfn_t strategy_perdomain_l3(struct vcpu *v)
{
    return vcpu_perdomain_l3(v);
}
