/* Strategy per_vcpu_l4_ku: per_vcpu_l4 with a per-vCPU root per guest
 * L4.  64-bit PV Linux runs guest user mode on a user L4 of its own
 * (guest_table_user) and the hv toggles between it and the kernel L4
 * (guest_table) on every syscall and return (toggle_guest_mode): with
 * one root per vCPU, every toggle recopies the 496 guest slots.  Here
 * each vCPU owns two roots, the kernel root shadowing guest_table and
 * the user root shadowing guest_table_user, each with per_vcpu_l4's hv
 * slots: the vCPU's own per-domain L3 in slot 260 (one L3, shared by
 * both roots) and in slot 261 the per-pCPU copy of the image mapping
 * that maps only the stack block of the pCPU it runs on.  The root of
 * the vCPU's current mode (the one whose L4 vcpu_guest_root() names) is
 * CR3 in guest and hv mode alike: entry and exit never switch.
 *   write_ptbase (context switch, toggle_guest_mode, new base pointer):
 *     loads the current mode's root, recopying its guest slots first
 *     only if it is stale or shadows another L4 than the one now current
 *     (after NEW_BASEPTR / NEW_USER_BASEPTR); a toggle is one CR3 load.
 *   guest_l4_changed: marks stale every root, kernel or user, of every
 *     vCPU of the domain that shadows the L4; FLUSH_ROOT_PGTBL.
 *   free_guest_l4: the same, for a user root left shadowing an L4 that
 *     is no longer one (so the frame cannot come back as a "fresh" one).
 *   flush_root / exit_to_guest: a stale live root is recopied at once
 *     (the hv runs on it too), a stale root that is not live when it is
 *     next loaded; a source that is no longer an L4 crashes the domain.
 *   live_roots: the current mode's root, in both modes; the audit checks
 *     both roots of every vCPU it can see. */
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "x86.h"

enum { KERNEL_ROOT, USER_ROOT, NR_ROOTS };

struct shadow_root {
    mfn_t root;          /* the L4 loaded into CR3 */
    mfn_t shadow_src;    /* the guest L4 its guest slots mirror, 0: none */
    bool stale;          /* that guest L4 changed since the copy */
};

struct vcpu_roots {
    struct shadow_root r[NR_ROOTS];
    mfn_t perdomain_l3;  /* slot 260 of both */
};
static struct vcpu_roots roots[MAX_DOMAINS * MAX_VCPUS];
static unsigned int nr_roots;
static mfn_t stack_l3[NR_CPUS];       /* slot 261 as pCPU n sees it */

/* No CR3 switch on entry or exit: the hv's entries may stay global.
 * With PCIDs the kernel root runs tagged 0 and the user root 1. */
const struct strategy_tlb strategy_tlb = { .global_pages = true, .xpti = false };

static struct vcpu_roots *vr(const struct vcpu *v)
{
    return v->strategy_data;
}

/* The root of v's current mode and, in *src, the guest L4 it shadows
 * (vcpu_guest_root(v)): the user root in user mode, the kernel root
 * otherwise (as vcpu_guest_root picks the L4; user mode without a user
 * L4 never runs, do_iret refuses it). */
static struct shadow_root *mode_root(const struct vcpu *v, mfn_t *src)
{
    struct vcpu_roots *vrs = vr(v);
    if (guest_kernel_mode(v) || !v->guest_table_user) {
        *src = v->guest_table;
        return &vrs->r[KERNEL_ROOT];
    }
    *src = v->guest_table_user;
    return &vrs->r[USER_ROOT];
}

/* The guest L4 root `which` of v mirrors when next loaded (0: none). */
static mfn_t root_source(const struct vcpu *v, unsigned int which)
{
    return which == USER_ROOT ? v->guest_table_user : v->guest_table;
}

void strategy_cpu_init(struct pcpu *c)
{
    stack_l3[c->cpu_id] = build_private_stack_l3(c->cpu_id);
}

int strategy_vcpu_init(struct vcpu *v)
{
    if (nr_roots == ARRAY_SIZE(roots))
        return -XEN_ENOMEM;
    struct vcpu_roots *vrs = &roots[nr_roots++];
    vrs->perdomain_l3 = alloc_frame();
    if (!vrs->perdomain_l3)
        return -XEN_ENOMEM;
    for (unsigned int i = 0; i < NR_ROOTS; i++) {
        mfn_t root = alloc_frame();
        if (!root)
            return -XEN_ENOMEM;
        stamp_hv_l4_slots(root, mfn_to_virt(root), vrs->perdomain_l3);
        vrs->r[i].root = root;
    }
    v->strategy_data = vrs;
    return 0;
}

/* Guest L4s are never live here; their hv slots only keep the audit's
 * and the guest's view consistent. */
void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab)
{
    stamp_hv_l4_slots(l4, tab, d->perdomain_l3);
}

/* Mark stale every root of d's vCPUs built from guest L4 l4. */
static void mark_stale(struct domain *d, mfn_t l4)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu_roots *vrs = vr(d->vcpu[i]);
        for (unsigned int k = 0; vrs && k < NR_ROOTS; k++)
            if (ACCESS_ONCE(vrs->r[k].shadow_src) == l4)
                __atomic_store_n(&vrs->r[k].stale, true, __ATOMIC_SEQ_CST);
    }
}

/* Unlike per_vcpu_l4's one root, a root not live keeps the L4 it was
 * built from after its base pointer moves on (the user root, after
 * NEW_USER_BASEPTR in kernel mode): once that L4 is freed the guest may
 * rewrite the frame and validate it as an L4 again, the same mfn, so the
 * root must be recopied whatever it says. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4)
{
    mark_stale(d, l4);
}

/* Copy guest L4 src's guest slots into r.  Claim the copy first: a
 * change marked stale while we copy must make the next refresh copy
 * again, not be wiped out after it. */
static void copy_shadow(struct shadow_root *r, mfn_t src)
{
    r->shadow_src = src;
    __atomic_store_n(&r->stale, false, __ATOMIC_SEQ_CST);
    copy_guest_l4_from(mfn_to_virt(r->root), src);
}

static bool needs_copy(struct shadow_root *r, mfn_t src)
{
    return r->shadow_src != src || __atomic_load_n(&r->stale, __ATOMIC_SEQ_CST);
}

/* The current L4 is validated here (the vCPU holds a type reference on
 * each base pointer, taken before it is set). */
void strategy_write_ptbase(struct vcpu *v)
{
    mfn_t src;
    struct shadow_root *r = mode_root(v, &src);
    uint64_t *root = mfn_to_virt(r->root);
    pte_t slot = (stack_l3[smp_processor_id()] << PAGE_SHIFT) | PAGE_TABLE;

    if (needs_copy(r, src))
        copy_shadow(r, src);
    if (root[HV_TEXT_SLOT] != slot)
        root[HV_TEXT_SLOT] = slot;            /* the stack slot follows the pCPU */
    write_cr3_counted(make_cr3(v, r->root, false));
}

/* A FLUSH_ROOT_PGTBL arrived since the last exit: the live root is
 * refreshed (flush_root normally did it already) and reloaded. */
int strategy_exit_to_guest(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    if (!ci->root_pgt_changed)
        return 0;
    ci->root_pgt_changed = 0;
    if (!vr(v)) {
        domain_crash(v->domain, "per_vcpu_l4_ku: vCPU %u has no roots", v->vcpu_id);
        return -1;
    }
    mfn_t src;
    struct shadow_root *r = mode_root(v, &src);
    if (!needs_copy(r, src))
        return 0;
    if (!guest_l4_validated(src)) {
        domain_crash(v->domain, "per_vcpu_l4_ku: shadow of %#lx, not an L4", src);
        return -1;
    }
    copy_shadow(r, src);                      /* live: copy, then flush */
    write_cr3_counted(cr3_flushing(make_cr3(v, r->root, false)));
    return 0;
}

/* The live root is live in hv mode too: a stale one is refreshed at
 * once, before the sender of the flush goes on (it waits for our ack),
 * so neither the guest nor the hv runs on a guest slot that has
 * changed.  The other root, not live, waits for its next load. */
void strategy_flush_root(void)
{
    struct vcpu *v = current;
    if (v->is_idle || !vr(v))
        return;                 /* refreshed when its vCPU is switched in */
    mfn_t src;
    struct shadow_root *r = mode_root(v, &src);
    if (__atomic_load_n(&r->stale, __ATOMIC_SEQ_CST))
        copy_shadow(r, src);    /* flush_local's FLUSH_TLB follows: no reload */
}

/* Every root built from l4 (a kernel L4 may be some vCPU's user L4
 * too); where one is live, its pCPU refreshes it before it goes on. */
unsigned int strategy_guest_l4_changed(struct domain *d, mfn_t l4, unsigned int slot)
{
    mark_stale(d, l4);
    return FLUSH_ROOT_PGTBL;
}

void strategy_live_roots(struct vcpu *v, mfn_t *guest_mode, mfn_t *hv_mode)
{
    mfn_t src;
    *guest_mode = *hv_mode = mode_root(v, &src)->root;
}

/* One root of v: the hv slots as built; the guest slots as the L4 it
 * shadows if fresh and that L4 is still the one it serves (a root left
 * behind by a new base pointer is recopied before its next load); the
 * running vCPU's current root fresh, shadowing the current L4, and in
 * CR3 (the audit runs in one of its hypercalls). */
static void audit_root(struct domain *d, struct vcpu *v, unsigned int which,
                       audit_report_fn *bad)
{
    const struct shadow_root *r = &vr(v)->r[which];
    mfn_t src = ACCESS_ONCE(r->shadow_src);
    bool fresh = !__atomic_load_n(&r->stale, __ATOMIC_SEQ_CST);
    bool running = v == current;
    mfn_t now;

    if (running && r == mode_root(v, &now)) {
        if (!fresh || src != now)
            bad(d, "per_vcpu_l4_ku: the running vCPU's root is stale", r->root);
        if (pte_addr(read_cr3()) >> PAGE_SHIFT != r->root)
            bad(d, "per_vcpu_l4_ku: CR3 is not the running vCPU's root", r->root);
    }
    bool guest_ok = !src || !fresh || src != root_source(v, which) ||
                    guest_l4_equals(mfn_to_virt(r->root), src);
    bool hv_ok = root_hv_slots_as_built(r->root, vr(v)->perdomain_l3, stack_l3);
    /* A vCPU that went live on another pCPU meanwhile may be mid-copy
     * (the reads above must not move past this check). */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!running && ACCESS_ONCE(v->dirty_cpu) != NO_CPU)
        return;
    if (!guest_ok)
        bad(d, "per_vcpu_l4_ku: a fresh shadow differs from its guest L4", r->root);
    if (!hv_ok)
        bad(d, "per_vcpu_l4_ku: root hv slots not as built", r->root);
}

/* Both roots of the running vCPU and of every vCPU not live anywhere (a
 * vCPU live on another pCPU may change its roots under us). */
void strategy_audit_roots(struct domain *d, audit_report_fn *bad)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        if (!vr(v) || (v != current && ACCESS_ONCE(v->dirty_cpu) != NO_CPU))
            continue;
        for (unsigned int k = 0; k < NR_ROOTS; k++)
            audit_root(d, v, k, bad);
    }
}

mfn_t strategy_perdomain_l3(struct vcpu *v)
{
    return vr(v)->perdomain_l3;
}
