/* mmuext_op: pin/unpin validated tables, new kernel/user base pointers,
 * local and remote TLB flushes (by IPI to the pCPUs where the named
 * vCPUs' tables may be live), and SET_LDT.  Stops at the first failing
 * op; *pdone says how many succeeded, as in Xen. */
#include "descriptor.h"
#include "domain.h"
#include "hypercall.h"
#include "lab.h"
#include "page.h"
#include "pvmm.h"
#include "traps.h"
#include "x86.h"

static int pin(struct domain *d, mfn_t mfn, unsigned int type)
{
    int rc = get_page_and_type(mfn, d, type);
    if (rc)
        return rc;
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
        return mfn > max_mfn ? -XEN_EINVAL : -XEN_EPERM;
    struct page_info *pg = mfn_to_page(mfn);
    if (!(pg->flags & PGF_pinned))
        return -XEN_EINVAL;
    pg->flags &= ~PGF_pinned;
    put_page_and_type(mfn, d);
    return 0;
}

static int flush_vcpus(struct domain *d, const struct mmuext_op *op, bool all,
                       unsigned int flags)
{
    cpumask_t mask;
    if (flags == FLUSH_INVLPG && !guest_range_ok(op->arg1.linear_addr, 1))
        return -XEN_EINVAL;
    if (all)
        mask = domain_dirty_cpumask(d);
    else {
        int rc = vcpumask_to_pcpumask(d, (unsigned long)op->arg2.vcpumask, &mask);
        if (rc)
            return rc;
    }
    flush_mask(mask, flags, op->arg1.linear_addr);
    return 0;
}

static int one_op(struct vcpu *v, const struct mmuext_op *op)
{
    struct domain *d = v->domain;

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
        if (!guest_range_ok(op->arg1.linear_addr, 1))
            return -XEN_EINVAL;
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
    case MMUEXT_SET_LDT:
        return pv_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    default:
        return -XEN_ENOSYS;
    }
}

long do_mmuext_op(unsigned long ops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom, unsigned long a5)
{
    struct vcpu *v = current;
    struct mmuext_op op;
    unsigned long i;
    long rc = 0;

    if (foreigndom != DOMID_SELF && foreigndom != v->domain->domain_id)
        return -XEN_EPERM;
    if (count > MAX_PV_BATCH)        /* no continuations: bound the work */
        return -XEN_EINVAL;
    for (i = 0; i < count; i++) {
        if (copy_from_guest(&op, ops + i * sizeof(op), sizeof(op))) {
            rc = -XEN_EFAULT;
            break;
        }
        rc = one_op(v, &op);
        if (rc)
            break;
    }
    /* As Xen: the count is a courtesy; a pdone that cannot be written
     * changes nothing about what was done or returned. */
    if (pdone)
        copy_to_guest(pdone, &(unsigned int){ i }, sizeof(unsigned int));
    return rc;
}
