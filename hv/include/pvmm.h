/* The PV MMU hypercalls and helpers shared by them (hv/pv/mm.c). */
#ifndef ASILAB_PVMM_H
#define ASILAB_PVMM_H
#include "domain.h"
#include "flushtlb.h"

#define INVALID_MFN (~0UL)
#define MAX_PV_BATCH 4096     /* mmu_update / mmuext_op entries per call */

/* Xen's mmu_update and update_va_mapping ABI. */
#define MMU_NORMAL_PT_UPDATE     0
#define MMU_MACHPHYS_UPDATE      1
#define MMU_PT_UPDATE_PRESERVE_AD 2
#define MMU_PT_UPDATE_NO_TRANSLATE 3
struct mmu_update { uint64_t ptr, val; };
#define UVMF_NONE         0UL
#define UVMF_TLB_FLUSH    1UL
#define UVMF_INVLPG       2UL
#define UVMF_FLUSHTYPE_MASK 3UL
#define UVMF_MULTI        0UL     /* vcpumask pointer ORed into flags */
#define UVMF_LOCAL        0UL
#define UVMF_ALL          4UL

/* A domain's page types change under its mm_lock.  The holder may wait
 * for flush acknowledgements, so whoever waits for the lock (interrupts
 * off) serves flush requests meanwhile. */
static inline void mm_lock(struct domain *d)
{
    spin_lock_serving_flushes(&d->mm_lock);
}
static inline void mm_unlock(struct domain *d)
{
    spin_unlock(&d->mm_lock);
}

/* The frame mapped at va in v's current guest tables with the guest's
 * permissions (user, and with need_rw writable, at every level),
 * INVALID_MFN if none. */
mfn_t guest_va_to_mfn(struct vcpu *v, unsigned long va, bool need_rw);
/* The pCPUs of the vCPUs named by a guest vcpumask (a bitmap in guest
 * memory): -XEN_EFAULT or 0 (bits for vCPUs the domain does not have are
 * ignored, as Xen's). */
int vcpumask_to_pcpumask(struct domain *d, unsigned long gmask, cpumask_t *out);
/* Xen's get_pg_owner plus the XSM_TARGET check its callers make: the
 * domain a foreigndom/domid argument (16 bits) names, for the current
 * domain.  DOMID_SELF: itself; its own id: -ESRCH ("cannot specify
 * itself"); a domain that does not exist: -ESRCH; DOMID_IO or DOMID_XEN:
 * 0 with *out = NULL (no asilab domain owns those frames: the caller
 * decides); another domain: -EPERM unless the caller is the control
 * domain. */
int get_foreign_pg_owner(unsigned long domid, struct domain **out);
static inline int get_pg_owner(unsigned long domid, struct domain **out)
{
    if (likely((uint16_t)domid == DOMID_SELF)) {
        *out = current->domain;
        return 0;
    }
    return get_foreign_pg_owner(domid, out);
}
/* Load/drop a base pointer reference: 0 or an error from page.c. */
int pv_set_baseptr(struct vcpu *v, mfn_t mfn, bool user);

#endif
