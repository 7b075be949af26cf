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
#include "domain_page.h"
#include "pvmm.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

mfn_t guest_va_to_mfn(struct vcpu *v, unsigned long va, bool need_rw)
{
    if (!guest_range_ok(va, 1))
        return INVALID_MFN;
    mfn_t table = vcpu_guest_root(v);
    for (int level = 4; level >= 1; level--) {
        const pte_t *tab = map_domain_page(table);
        pte_t e = tab[pt_index(va, level)];
        unmap_domain_page(tab);
        if (!(e & _PAGE_PRESENT) || !(e & _PAGE_USER) || (need_rw && !(e & _PAGE_RW)))
            return INVALID_MFN;
        if (level == 1)
            return pte_addr(e) >> PAGE_SHIFT;
        table = pte_addr(e) >> PAGE_SHIFT;
    }
    return INVALID_MFN;
}

int get_foreign_pg_owner(unsigned long domid_arg, struct domain **out)
{
    struct domain *curr = current->domain;
    uint16_t domid = domid_arg;

    if (domid == curr->domain_id)
        return -XEN_ESRCH;
    if (domid == DOMID_IO || domid == DOMID_XEN) {
        *out = NULL;
        return 0;
    }
    struct domain *d = domain_by_id(domid);
    if (!d)
        return -XEN_ESRCH;
    if (!is_control_domain(curr))
        return -XEN_EPERM;                  /* xsm_default_action(XSM_TARGET) */
    *out = d;
    return 0;
}

/* Xen's: vCPUs the domain does not have end the mask (no error). */
int vcpumask_to_pcpumask(struct domain *d, unsigned long gmask, cpumask_t *out)
{
    unsigned long vmask;
    *out = 0;
    if (copy_from_guest(&vmask, gmask, sizeof(vmask)))
        return -XEN_EFAULT;
    for (unsigned int i = 0; i < d->nr_vcpus && i < 64; i++) {
        unsigned int cpu = ACCESS_ONCE(d->vcpu[i]->dirty_cpu);
        if ((vmask & (1UL << i)) && cpu != NO_CPU)
            *out |= 1UL << cpu;
    }
    return 0;
}

/* What one mmu_update batch owes the TLBs, as Xen's do_mmu_update
 * accounts it: any L2-L4 entry changed (flush_linear_pt) means FLUSH_TLB
 * on every pCPU where the domain is live; an L4 change also needs the
 * strategy's root refresh (root_flags: FLUSH_ROOT_PGTBL where a strategy
 * keeps root copies) on this pCPU if it is the running kernel L4, and on
 * the others if references to the L4 remain that this vCPU does not
 * account for (its pin, this vCPU's kernel and user base pointers). */
struct pt_flush {
    bool linear_pt, root_local, root_others;
    unsigned int root_flags;
};

static void pt_flush_note(struct pt_flush *f, struct domain *d, mfn_t table, unsigned int idx,
                          int level)
{
    struct vcpu *curr = current;

    if (level < 2)
        return;
    f->linear_pt = true;
    if (level != 4)
        return;
    /* The strategy marks every root built from the L4 before the flush
     * looks who is live: a vCPU switched in meanwhile either sees the
     * mark (and copies) or is seen live (and gets the flush). */
    unsigned int flags = strategy_guest_l4_changed(d, table, idx);
    if (!flags)
        return;
    f->root_flags |= flags;
    /* Live here only as the kernel L4: a hypercall comes from guest
     * kernel mode, so the user L4 is not the running one; a root built
     * from it was marked stale above and is recopied when the vCPU
     * toggles to it. */
    bool local = curr->guest_table == table;
    const struct page_info *pg = mfn_to_page(table);
    f->root_local |= local;
    if (pg->type_count > (unsigned int)(!!(pg->flags & PGF_pinned) +
                                        (curr->guest_table_user == table) + local))
        f->root_others = true;
}

static void pt_flush_apply(const struct pt_flush *f, struct domain *d)
{
    if (!f->linear_pt)
        return;
    cpumask_t mask = domain_dirty_cpumask(d), me = 1UL << smp_processor_id();
    if (mask & me) {
        flush_local(FLUSH_TLB | (f->root_local ? f->root_flags : 0), 0);
        mask &= ~me;
    }
    if (mask)
        flush_mask(mask, FLUSH_TLB | (f->root_others ? f->root_flags : 0), 0);
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

/* MMU_NORMAL_PT_UPDATE on an own frame that is no table: Xen writes the
 * entry as plain data if the frame can be writable (a descriptor page
 * cannot: -EINVAL). */
static int write_data_frame(struct domain *d, mfn_t mfn, unsigned int idx, pte_t val)
{
    if (get_page(mfn, d))
        return -XEN_EINVAL;
    int rc = get_page_type(mfn, d, PGT_writable) ? -XEN_EINVAL : 0;
    if (!rc) {
        pte_t *p = map_domain_page(mfn);
        __atomic_store_n(p + idx, val, __ATOMIC_RELAXED);
        unmap_domain_page(p);
        put_page_type(mfn, d);
    }
    put_page(mfn);
    return rc;
}

long do_mmu_update(unsigned long reqs, unsigned long count_arg, unsigned long pdone,
                   unsigned long foreigndom_arg, unsigned long a5)
{
    struct domain *d = current->domain, *pg_owner;
    unsigned int count = count_arg, foreigndom = foreigndom_arg;   /* Xen's prototype */
    struct mmu_update req;
    struct pt_flush flush = { 0 };
    unsigned int i;
    long rc = 0;

    if (!guest_range_ok(reqs, (size_t)count * sizeof(req)))
        return -XEN_EFAULT;
    if (foreigndom >> 16) {                     /* the tables' owner + 1 */
        unsigned int pt_dom = (foreigndom >> 16) - 1;
        /* Xen: no such domain -ESRCH; another domain's tables asilab
         * updates for no one (Xen: for dom0; README). */
        if (pt_dom != d->domain_id)
            return domain_by_id(pt_dom) ? -XEN_EPERM : -XEN_ESRCH;
    }
    if ((rc = get_pg_owner(foreigndom, &pg_owner)))
        return rc;
    /* Another domain's frames (Xen lets dom0 map them), DOMID_IO or
     * DOMID_XEN (Xen's XSM check refuses a domU; dom0 could map I/O or
     * hv pages, of which asilab has none to hand out): -EPERM (README). */
    if (pg_owner != d)
        return -XEN_EPERM;
    if (count > MAX_PV_BATCH)        /* no continuations: bound the work */
        return -XEN_EINVAL;
    for (i = 0; i < count; i++) {
        if (copy_from_guest(&req, reqs + i * sizeof(req), sizeof(req))) {
            rc = -XEN_EFAULT;
            break;
        }
        unsigned int cmd = req.ptr & 7;
        if (cmd == MMU_MACHPHYS_UPDATE) {
            if ((rc = machphys_update(d, req.ptr >> PAGE_SHIFT, req.val)))
                break;
            continue;
        }
        if (cmd != MMU_NORMAL_PT_UPDATE && cmd != MMU_PT_UPDATE_PRESERVE_AD &&
            cmd != MMU_PT_UPDATE_NO_TRANSLATE) {
            rc = -XEN_ENOSYS;
            break;
        }
        mfn_t table = req.ptr >> PAGE_SHIFT;
        unsigned int idx = (req.ptr & ~PAGE_MASK) >> 3;
        int level = 0;
        rc = mod_pt_entry_ad(d, table, idx, req.val, cmd == MMU_PT_UPDATE_PRESERVE_AD,
                             &level);
        /* Refused before any change: maybe an own frame that is no table. */
        if (rc == -XEN_EINVAL && table <= max_mfn &&
            mfn_to_page(table)->owner == d->domain_id && !is_pt_type(mfn_to_page(table)->type))
            rc = write_data_frame(d, table, idx, req.val);
        if (rc)
            break;
        this_cpu_count(pte_write, 1);
        pt_flush_note(&flush, d, table, idx, level);
    }
    /* After the batch, also after a failing entry (those before it are
     * in the tables): before any later call of a multicall. */
    pt_flush_apply(&flush, d);
    /* As Xen: the count is a courtesy; a pdone that cannot be written
     * changes nothing about what was done or returned. */
    if (pdone)
        copy_to_guest(pdone, &(unsigned int){ i }, sizeof(unsigned int));
    return rc;
}

/* Xen's __do_update_va_mapping: the L1 entry mapping va in the current
 * tables, then the flush; a bad vCPU mask is reported after the update
 * (as Xen, whose update has happened by then). */
static long update_va_mapping(unsigned long va, unsigned long val, unsigned long flags)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    cpumask_t mask = 1UL << smp_processor_id();
    int level, rc;

    if (!guest_range_ok(va, 1) || !is_canonical(va))
        return -XEN_EINVAL;
    /* Find the L1 table mapping va in the current tables. */
    mfn_t root = v->guest_table;
    for (int l = 4; l > 1; l--) {
        const pte_t *tab = map_domain_page(root);
        pte_t e = tab[pt_index(va, l)];
        unmap_domain_page(tab);
        if (!(e & _PAGE_PRESENT))
            return -XEN_EINVAL;
        root = pte_addr(e) >> PAGE_SHIFT;
    }
    /* As Xen: the table reached must be an L1 (through a linear entry
     * the walk can end at a higher level). */
    pte_t *l1e = guest_l1e_ptr(d, root, pt_index(va, 1));
    if (!l1e)
        return -XEN_EINVAL;
    unmap_domain_page(l1e);
    if ((rc = mod_pt_entry(d, root, pt_index(va, 1), val, &level)))
        return rc;
    this_cpu_count(pte_write, 1);
    unsigned int type = flags & UVMF_FLUSHTYPE_MASK;
    if (type != UVMF_TLB_FLUSH && type != UVMF_INVLPG)
        return 0;                           /* none (3 too, as Xen) */
    unsigned long bmap = flags & ~UVMF_FLUSHTYPE_MASK;
    if (bmap == UVMF_ALL)
        mask = domain_dirty_cpumask(d);
    else if (bmap != UVMF_LOCAL && (rc = vcpumask_to_pcpumask(d, bmap, &mask)))
        return rc;
    flush_mask(mask, type == UVMF_TLB_FLUSH ? FLUSH_TLB : FLUSH_INVLPG, va);
    return 0;
}

long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags,
                          unsigned long a4, unsigned long a5)
{
    return update_va_mapping(va, val, flags);
}

/* As update_va_mapping, with the frame owned by domain domid: Xen's
 * get_pg_owner and XSM checks (-ESRCH, -EPERM for anyone but dom0);
 * a privileged mapping of another domain's frame asilab refuses
 * (-EPERM, README). */
long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags, unsigned long domid,
                                      unsigned long a5)
{
    struct domain *pg_owner;
    int rc = get_pg_owner(domid, &pg_owner);
    if (rc)
        return rc;
    if (pg_owner != current->domain)        /* as in mmu_update */
        return -XEN_EPERM;
    return update_va_mapping(va, val, flags);
}
