/* Strategy per_vcpu_l4: the Xen ASI series' per-vCPU root tables.  Each
 * vCPU owns a root L4: a shadow of its current guest L4's 496 slots plus
 * the hv slots, with its own per-domain L3 in slot 260 (so its GDT/LDT
 * window is invisible to its siblings) and, in slot 261, a per-pCPU copy
 * of the image mapping that maps only the stack block of the pCPU it
 * runs on.  That root is CR3 in guest and hv mode alike: entry and exit
 * never switch.  The shadow is refreshed when the vCPU loads a new base
 * pointer or toggles kernel/user, and when a FLUSH_ROOT_PGTBL arrives for
 * the L4 it mirrors; a context switch loads the next vCPU's root, after
 * pointing its stack slot at this pCPU's. */
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

struct vcpu_root {
    mfn_t root;          /* the vCPU's L4 */
    mfn_t perdomain_l3;  /* its slot 260 */
    mfn_t shadow_src;    /* the guest L4 its guest slots mirror, 0: none */
    bool stale;          /* that guest L4 changed since the copy */
};
static struct vcpu_root roots[MAX_DOMAINS * MAX_VCPUS];
static unsigned int nr_roots;
static mfn_t stack_l3[NR_CPUS];       /* slot 261 as pCPU n sees it */

/* No CR3 switch on entry or exit: the hv's entries may stay global. */
const struct strategy_tlb strategy_tlb = { .global_pages = true, .xpti = false };

static struct vcpu_root *vr(const struct vcpu *v)
{
    return v->strategy_data;
}

void strategy_cpu_init(struct pcpu *c)
{
    stack_l3[c->cpu_id] = build_private_stack_l3(c->cpu_id);
}

int strategy_vcpu_init(struct vcpu *v)
{
    if (nr_roots == ARRAY_SIZE(roots))
        return -XEN_ENOMEM;
    struct vcpu_root *r = &roots[nr_roots++];
    r->root = alloc_frame();
    r->perdomain_l3 = alloc_frame();
    if (!r->root || !r->perdomain_l3)
        return -XEN_ENOMEM;
    stamp_hv_l4_slots(r->root, mfn_to_virt(r->root), r->perdomain_l3);
    v->strategy_data = r;
    return 0;
}

/* Guest L4s are never live here; their hv slots only keep the audit's
 * and the guest's view consistent. */
void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab)
{
    stamp_hv_l4_slots(l4, tab, d->perdomain_l3);
}

/* A root shadows its vCPU's current L4, which holds a type reference
 * (a new one is copied as it is loaded): never one that is freed. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4)
{
}

static void copy_shadow(struct vcpu *v, struct vcpu_root *r)
{
    uint64_t *root = mfn_to_virt(r->root);
    /* Claim the copy first: a change marked stale while we copy must
     * make the next refresh copy again, not be wiped out after it. */
    r->shadow_src = vcpu_guest_root(v);
    __atomic_store_n(&r->stale, false, __ATOMIC_SEQ_CST);
    copy_guest_l4_from(root, r->shadow_src);
}

void strategy_write_ptbase(struct vcpu *v)
{
    struct vcpu_root *r = vr(v);
    uint64_t *root = mfn_to_virt(r->root);
    unsigned int cpu = smp_processor_id();
    pte_t slot = (stack_l3[cpu] << PAGE_SHIFT) | PAGE_TABLE;

    if (r->shadow_src != vcpu_guest_root(v) || r->stale)
        copy_shadow(v, r);
    if (root[HV_TEXT_SLOT] != slot)
        root[HV_TEXT_SLOT] = slot;            /* the stack slot follows the pCPU */
    write_cr3_counted(make_cr3(v, r->root, false));
}

int strategy_exit_to_guest(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    if (!ci->root_pgt_changed)
        return 0;
    ci->root_pgt_changed = 0;
    struct vcpu_root *r = vr(v);
    if (!r) {
        domain_crash(v->domain, "per_vcpu_l4: vCPU %u has no root", v->vcpu_id);
        return -1;
    }
    if (r->stale) {                           /* live: copy, then flush */
        mfn_t src = vcpu_guest_root(v);
        if (!guest_l4_validated(src)) {
            domain_crash(v->domain, "per_vcpu_l4: shadow of %#lx, not an L4", src);
            return -1;
        }
        copy_shadow(v, r);
        write_cr3_counted(cr3_flushing(make_cr3(v, r->root, false)));
    }
    return 0;
}

/* The root is live in hv mode too: a stale shadow is refreshed at once,
 * before the sender of the flush goes on (it waits for our ack), so
 * neither the guest nor the hv runs on a guest slot that has changed;
 * the TLB flush the request came with follows (strategy.h), so the
 * root is not reloaded here (that would be a second flush, counted as
 * an address-space switch it is not). */
void strategy_flush_root(void)
{
    struct vcpu *v = current;
    if (v->is_idle)
        return;                 /* refreshed when its vCPU is switched in */
    struct vcpu_root *r = vr(v);
    if (r && __atomic_load_n(&r->stale, __ATOMIC_SEQ_CST))
        copy_shadow(v, r);      /* flush_local's FLUSH_TLB follows: no reload */
}

/* Mark the shadows built from l4; where one is live, the pCPU refreshes
 * it on its way back to the guest. */
unsigned int strategy_guest_l4_changed(struct domain *d, mfn_t l4, unsigned int slot)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu_root *r = vr(d->vcpu[i]);
        if (ACCESS_ONCE(r->shadow_src) == l4)
            __atomic_store_n(&r->stale, true, __ATOMIC_SEQ_CST);
    }
    return FLUSH_ROOT_PGTBL;
}

void strategy_live_roots(struct vcpu *v, mfn_t *guest_mode, mfn_t *hv_mode)
{
    *guest_mode = *hv_mode = vr(v)->root;
}

/* One vCPU's root: the hv slots as stamped (its own per-domain L3) but
 * slot 261, which maps a pCPU's stack copy (or, before its first run,
 * the image's); the guest slots as the L4 it shadows, if fresh. */
static void audit_root(struct domain *d, struct vcpu *v, audit_report_fn *bad)
{
    struct vcpu_root *r = vr(v);
    const uint64_t *root = mfn_to_virt(r->root);
    mfn_t src = ACCESS_ONCE(r->shadow_src);
    bool fresh = !__atomic_load_n(&r->stale, __ATOMIC_SEQ_CST);
    bool running = v == current;

    if (running && (!fresh || src != vcpu_guest_root(v)))
        bad(d, "per_vcpu_l4: the running vCPU's root is stale", r->root);
    bool guest_ok = !src || !fresh || src != vcpu_guest_root(v) ||
                    guest_l4_equals(root, src);
    bool hv_ok = root_hv_slots_as_built(r->root, r->perdomain_l3, stack_l3);
    /* A vCPU that went live on another pCPU meanwhile may be mid-copy
     * (the reads above must not move past this check). */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!running && ACCESS_ONCE(v->dirty_cpu) != NO_CPU)
        return;
    if (!guest_ok)
        bad(d, "per_vcpu_l4: a fresh shadow differs from its guest L4", r->root);
    if (!hv_ok)
        bad(d, "per_vcpu_l4: root hv slots not as built", r->root);
}

/* The running vCPU's root, and every root not live anywhere (a vCPU
 * live on another pCPU may change its root under us). */
void strategy_audit_roots(struct domain *d, audit_report_fn *bad)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        if (v == current || ACCESS_ONCE(v->dirty_cpu) == NO_CPU)
            audit_root(d, v, bad);
    }
}

mfn_t strategy_perdomain_l3(struct vcpu *v)
{
    return vr(v)->perdomain_l3;
}
