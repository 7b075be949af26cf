/* The PV MMU hypercalls: mmu_update (MMU_NORMAL_PT_UPDATE and
 * MMU_MACHPHYS_UPDATE, batched, with Xen's partial-completion count),
 * update_va_mapping with its flush flags, and the helpers MMUEXT ops
 * share: base pointers, vCPU masks, and what a live guest L4 change
 * triggers. */
#include "console.h"
#include "descriptor.h"
#include "hypercall.h"
#include "lab.h"
#include "m2p.h"
#include "page.h"
#include "pvmm.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

mfn_t guest_va_to_mfn(struct vcpu *v, unsigned long va, bool need_rw)
{
    pte_t *tab = mfn_to_virt(vcpu_guest_root(v));

    if (!guest_range_ok(va, 1))
        return INVALID_MFN;
    for (int level = 4; level >= 1; level--) {
        pte_t e = tab[pt_index(va, level)];
        if (!(e & _PAGE_PRESENT) || !(e & _PAGE_USER) || (need_rw && !(e & _PAGE_RW)))
            return INVALID_MFN;
        if (level == 1)
            return pte_addr(e) >> PAGE_SHIFT;
        tab = mfn_to_virt(pte_addr(e) >> PAGE_SHIFT);
    }
    return INVALID_MFN;
}

int vcpumask_to_pcpumask(struct domain *d, unsigned long gmask, cpumask_t *out)
{
    unsigned long vmask;
    if (copy_from_guest(&vmask, gmask, sizeof(vmask)))
        return -XEN_EFAULT;
    if (d->nr_vcpus < 64 && (vmask >> d->nr_vcpus))
        return -XEN_EINVAL;
    *out = 0;
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        unsigned int cpu = ACCESS_ONCE(d->vcpu[i]->dirty_cpu);
        if ((vmask & (1UL << i)) && cpu != NO_CPU)
            *out |= 1UL << cpu;
    }
    return 0;
}

void pv_l4_changed(struct domain *d, mfn_t l4, unsigned int slot)
{
    cpumask_t live = 0;
    /* The strategy marks every root built from l4 (and says what they
     * need) before we look who is live: a vCPU switched in meanwhile
     * either sees the mark (and copies) or is seen live here (and gets
     * the flush).  Marking after the scan would let it run on a copy
     * that is stale for good. */
    unsigned int flags = strategy_guest_l4_changed(d, l4, slot);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* entry and marks, then who is live */
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        unsigned int cpu = ACCESS_ONCE(v->dirty_cpu);
        if ((v->guest_table == l4 || v->guest_table_user == l4) && cpu != NO_CPU)
            live |= 1UL << cpu;
    }
    if (live && flags)
        flush_mask(live, flags, 0);
}

int pv_set_baseptr(struct vcpu *v, mfn_t mfn, bool user)
{
    struct domain *d = v->domain;
    mfn_t *slot = user ? &v->guest_table_user : &v->guest_table;
    int rc;

    if (mfn && (rc = get_page_and_type(mfn, d, PGT_l4)))
        return rc;
    if (!mfn && !user)
        return -XEN_EINVAL;
    mfn_t old = *slot;
    *slot = mfn;
    if (user == !guest_kernel_mode(v) && v == current) {
        invalidate_ldt_mappings(v);
        write_ptbase(v);
    }
    if (old)
        put_page_and_type(old, d);
    return 0;
}

/* MMU_MACHPHYS_UPDATE: the guest says which pfn one of its own frames
 * is (Xen: -EINVAL for a frame it does not own; the page-table owner is
 * always the caller here, see do_mmu_update). */
static int machphys_update(struct domain *d, mfn_t mfn, unsigned long gpfn)
{
    if (mfn > max_mfn || mfn_to_page(mfn)->owner != d->domain_id)
        return -XEN_EINVAL;
    set_gpfn_from_mfn(mfn, gpfn);
    return 0;
}

long do_mmu_update(unsigned long reqs, unsigned long count, unsigned long pdone,
                   unsigned long foreigndom, unsigned long a5)
{
    struct domain *d = current->domain;
    struct mmu_update req;
    unsigned long i;
    long rc = 0;

    if (foreigndom != DOMID_SELF && foreigndom != d->domain_id)
        return -XEN_EPERM;
    if (count > MAX_PV_BATCH)        /* no continuations: bound the work */
        return -XEN_EINVAL;
    for (i = 0; i < count; i++) {
        if (copy_from_guest(&req, reqs + i * sizeof(req), sizeof(req))) {
            rc = -XEN_EFAULT;
            break;
        }
        if ((req.ptr & 7) == MMU_MACHPHYS_UPDATE) {
            if ((rc = machphys_update(d, req.ptr >> PAGE_SHIFT, req.val)))
                break;
            continue;
        }
        if ((req.ptr & 3) != MMU_NORMAL_PT_UPDATE || (req.ptr & 4)) {
            rc = (req.ptr & 3) == MMU_NORMAL_PT_UPDATE ? -XEN_EINVAL : -XEN_ENOSYS;
            break;
        }
        mfn_t table = req.ptr >> PAGE_SHIFT;
        unsigned int idx = (req.ptr & ~PAGE_MASK) >> 3;
        int level;
        rc = mod_pt_entry(d, table, idx, req.val, &level);
        if (rc)
            break;
        this_cpu_count(pte_write, 1);
        if (level == 4)
            pv_l4_changed(d, table, idx);
    }
    /* As Xen: the count is a courtesy; a pdone that cannot be written
     * changes nothing about what was done or returned. */
    if (pdone)
        copy_to_guest(pdone, &(unsigned int){ i }, sizeof(unsigned int));
    return rc;
}

long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags,
                          unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    cpumask_t mask = 1UL << smp_processor_id();
    int level, rc;

    if (!guest_range_ok(va, 1) || !is_canonical(va) ||
        (flags & UVMF_FLUSHTYPE_MASK) == UVMF_FLUSHTYPE_MASK)
        return -XEN_EINVAL;
    /* Find the L1 table mapping va in the current tables. */
    mfn_t root = v->guest_table;
    pte_t *tab = mfn_to_virt(root);
    for (int l = 4; l > 1; l--) {
        pte_t e = tab[pt_index(va, l)];
        if (!(e & _PAGE_PRESENT))
            return -XEN_EINVAL;
        root = pte_addr(e) >> PAGE_SHIFT;
        tab = mfn_to_virt(root);
    }
    if (flags & ~(UVMF_FLUSHTYPE_MASK | UVMF_ALL)) {
        if ((rc = vcpumask_to_pcpumask(d, flags & ~7UL, &mask)))
            return rc;
    } else if (flags & UVMF_ALL) {
        mask = domain_dirty_cpumask(d);
    }
    if ((rc = mod_pt_entry(d, root, pt_index(va, 1), val, &level)))
        return rc;
    this_cpu_count(pte_write, 1);
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
        flush_mask(mask, FLUSH_TLB, 0);
        break;
    case UVMF_INVLPG:
        flush_mask(mask, FLUSH_INVLPG, va);
        break;
    }
    return 0;
}
