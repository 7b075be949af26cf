/* mmuext_op, the subset this core has: new kernel/user base pointers
 * (to validated L4s of the caller's own) and local flushes. */
#include "domain.h"
#include "hypercall.h"
#include "lab.h"
#include "mm.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

static bool own_l4(struct domain *d, mfn_t mfn)
{
    if (mfn > max_mfn)
        return false;
    struct page_info *pg = mfn_to_page(mfn);
    return pg->owner == d->domain_id && pg->type == PGT_l4;
}

static void flush_tlb_local(void)
{
    write_cr3_counted(read_cr3());
    this_cpu_count(tlb_flush, 1);
}

static long one_op(struct vcpu *v, const struct mmuext_op *op)
{
    switch (op->cmd) {
    case MMUEXT_NEW_BASEPTR:
        if (!own_l4(v->domain, op->arg1.mfn))
            return -XEN_EINVAL;
        v->guest_table = op->arg1.mfn;
        if (guest_kernel_mode(v))
            write_ptbase(v);
        return 0;
    case MMUEXT_NEW_USER_BASEPTR:
        if (op->arg1.mfn && !own_l4(v->domain, op->arg1.mfn))
            return -XEN_EINVAL;
        v->guest_table_user = op->arg1.mfn;
        return 0;
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if (!guest_range_ok(op->arg1.linear_addr, 1))
            return -XEN_EINVAL;
        invlpg(op->arg1.linear_addr);
        this_cpu_count(invlpg, 1);
        return 0;
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
    if (count > 4096)
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
    if (pdone && copy_to_guest(pdone, &(unsigned int){ i }, sizeof(unsigned int)))
        return -XEN_EFAULT;
    return rc;
}
