/* mmuext_op: pin/unpin validated tables, new kernel/user base pointers,
 * local and remote TLB flushes (by IPI to the pCPUs where the named
 * vCPUs' tables may be live), SET_LDT, CLEAR_PAGE/COPY_PAGE, and Xen
 * 4.17's answers for the rest (cache flushes, MARK_SUPER).  Stops at the
 * first failing op; *pdone says how many succeeded, as in Xen.  Error
 * codes as Xen's do_mmuext_op (the table is in hv/include/page.h). */
#include "domain_page.h"
#include "descriptor.h"
#include "domain.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "page.h"
#include "pvmm.h"
#include "traps.h"
#include "x86.h"

/* Xen's get_page_from_gfn for a PV domain: a frame it owns, else
 * -EINVAL. */
static int pin(struct domain *d, mfn_t mfn, unsigned int type)
{
    if (get_page(mfn, d))
        return -XEN_EINVAL;
    int rc = get_page_type(mfn, d, type);
    if (rc) {
        put_page(mfn);
        return rc;
    }
    struct page_info *pg = mfn_to_page(mfn);
    if (pg->flags & PGF_pinned) {
        put_page_and_type(mfn, d);
        return -XEN_EINVAL;
    }
    pg->flags |= PGF_pinned;
    return 0;
}

static int unpin(struct domain *d, mfn_t mfn)
{
    if (mfn > max_mfn || mfn_to_page(mfn)->owner != d->domain_id)
        return -XEN_EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    if (!(pg->flags & PGF_pinned))
        return -XEN_EINVAL;
    pg->flags &= ~PGF_pinned;
    put_page_and_type(mfn, d);
    return 0;
}

/* CLEAR_PAGE / COPY_PAGE: the destination must be an own frame that can
 * be writable now (not a table or descriptor page), the source any own
 * frame; every failure -EINVAL, as Xen's. */
static int clear_or_copy(struct domain *d, mfn_t dst, mfn_t src, bool copy)
{
    int rc = -XEN_EINVAL;

    if (copy && get_page(src, d))
        return rc;
    if (!get_page(dst, d)) {
        if (!get_page_type(dst, d, PGT_writable)) {
            void *to = map_domain_page(dst);
            if (copy) {
                const void *from = map_domain_page(src);
                memcpy(to, from, PAGE_SIZE);
                unmap_domain_page(from);
            } else {
                memset(to, 0, PAGE_SIZE);
            }
            unmap_domain_page(to);
            put_page_type(dst, d);
            rc = 0;
        }
        put_page(dst);
    }
    if (copy)
        put_page(src);
    return rc;
}

static int flush_vcpus(struct domain *d, const struct mmuext_op *op, bool all,
                       unsigned int flags)
{
    cpumask_t mask;
    if (all)
        mask = domain_dirty_cpumask(d);
    else if (vcpumask_to_pcpumask(d, (unsigned long)op->arg2.vcpumask, &mask))
        return -XEN_EINVAL;                 /* Xen: any failure, -EINVAL */
    /* Xen flushes nothing for an INVLPG of an address outside the guest's
     * part, and says 0. */
    if (flags == FLUSH_INVLPG && !guest_range_ok(op->arg1.linear_addr, 1))
        return 0;
    flush_mask(mask, flags, op->arg1.linear_addr);
    return 0;
}

/* An op on another domain's behalf (dom0 only: get_pg_owner refused the
 * rest).  Xen refuses all but pin, unpin, clear and copy (currd !=
 * pg_owner: -EPERM), and lets dom0 do those on the other domain's frames
 * (domain building); asilab refuses them too (README). */
static int foreign_op(const struct mmuext_op *op)
{
    return op->cmd == MMUEXT_MARK_SUPER || op->cmd == MMUEXT_UNMARK_SUPER
           ? -XEN_EOPNOTSUPP : -XEN_EPERM;
}

static int one_op(struct vcpu *v, const struct mmuext_op *op)
{
    struct domain *d = v->domain;
    static unsigned long unsupported[2];

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pin(d, op->arg1.mfn, PGT_l1 + op->cmd - MMUEXT_PIN_L1_TABLE);
    case MMUEXT_UNPIN_TABLE:
        return unpin(d, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return pv_set_baseptr(v, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return pv_set_baseptr(v, op->arg1.mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_local(FLUSH_TLB, 0);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if (guest_range_ok(op->arg1.linear_addr, 1))
            flush_local(FLUSH_INVLPG, op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
        return flush_vcpus(d, op, false, FLUSH_TLB);
    case MMUEXT_INVLPG_MULTI:
        return flush_vcpus(d, op, false, FLUSH_INVLPG);
    case MMUEXT_TLB_FLUSH_ALL:
        return flush_vcpus(d, op, true, FLUSH_TLB);
    case MMUEXT_INVLPG_ALL:
        return flush_vcpus(d, op, true, FLUSH_INVLPG);
    case MMUEXT_FLUSH_CACHE:
        return -XEN_EACCES;         /* Xen: no cache_flush_permitted (no I/O caps) */
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return -XEN_EINVAL;         /* the same, Xen's code for it */
    case MMUEXT_SET_LDT:
        return pv_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        return clear_or_copy(d, op->arg1.mfn, 0, false);
    case MMUEXT_COPY_PAGE:
        return clear_or_copy(d, op->arg1.mfn, op->arg2.src_mfn, true);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -XEN_EOPNOTSUPP;             /* Xen 4.17: superpages are gone */
    default:
        log_unsupported_once(unsupported, "mmuext_op", op->cmd);
        return -XEN_ENOSYS;
    }
}

long do_mmuext_op(unsigned long ops, unsigned long count_arg, unsigned long pdone,
                  unsigned long foreigndom, unsigned long a5)
{
    struct vcpu *v = current;
    struct domain *pg_owner;
    unsigned int count = count_arg;              /* Xen's prototype */
    struct mmuext_op op;
    unsigned int i;
    long rc = 0;

    if (!guest_range_ok(ops, (size_t)count * sizeof(op)))
        return -XEN_EFAULT;
    if ((rc = get_pg_owner(foreigndom, &pg_owner)))
        return rc;
    if (!pg_owner)
        return -XEN_EINVAL;          /* DOMID_IO/DOMID_XEN: Xen's "not a PV domain" */
    if (count > MAX_PV_BATCH)        /* no continuations: bound the work */
        return -XEN_EINVAL;
    for (i = 0; i < count; i++) {
        if (copy_from_guest(&op, ops + i * sizeof(op), sizeof(op))) {
            rc = -XEN_EFAULT;
            break;
        }
        rc = likely(pg_owner == v->domain) ? one_op(v, &op) : foreign_op(&op);
        if (rc)
            break;
    }
    /* As Xen: the count is a courtesy; a pdone that cannot be written
     * changes nothing about what was done or returned. */
    if (pdone)
        copy_to_guest(pdone, &(unsigned int){ i }, sizeof(unsigned int));
    return rc;
}
