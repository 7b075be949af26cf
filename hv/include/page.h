/* Page types and references for PV guest frames, Xen's rules: validated
 * page tables, descriptor pages, pin/unpin, and single-entry updates of
 * live tables (hv/mm/page.c; host-testable on simulated frames).
 *
 * Error codes (one table for the whole PV MMU):
 *   -XEN_EINVAL  no such frame; entry flags not allowed (PSE, global,
 *                reserved bits); type conflict (e.g. mapping a page table
 *                or descriptor page writable, an L2 entry to a non-L1);
 *                write to an hv L4 slot (256-271); invalid descriptor;
 *                table not of the expected type; already pinned / not
 *                pinned; misaligned address
 *   -XEN_EPERM   the frame belongs to another domain or to the hv
 *                (update_descriptor says -EINVAL for every refusal, as
 *                Xen's do_update_descriptor)
 *   -XEN_EFAULT  unreadable or unwritable guest memory
 *   -XEN_ENOMEM  no frame for a per-domain table
 *   -XEN_EBUSY   reference count would overflow */
#ifndef ASILAB_PAGE_H
#define ASILAB_PAGE_H
#include "domain.h"
#include "mm.h"
#include "pt.h"

/* Bits a guest may not set: in L1 entries the global bit (guest mappings
 * must not survive CR3 loads) and bits 52-62; above L1 also PSE. */
#define GUEST_RSVD_MASK   0x7ff0000000000000UL
#define L1_DISALLOW_MASK  (GUEST_RSVD_MASK | _PAGE_GLOBAL)
#define LX_DISALLOW_MASK  (GUEST_RSVD_MASK | _PAGE_GLOBAL | _PAGE_PSE)

static inline bool is_guest_l4_slot(unsigned int slot)
{
    return slot < HV_FIRST_SLOT || slot > HV_LAST_SLOT;
}
static inline bool is_pt_type(unsigned int t) { return t >= PGT_l1 && t <= PGT_l4; }

/* Xen's adjust_guest_l[1-4]e for 64-bit PV guests, applied to every
 * present entry however it enters a validated table (mmu_update,
 * update_va_mapping, pin, or a table pulled in by a higher level): the
 * guest kernel runs in ring 3, so every mapping is user-accessible
 * (supervisor-only guest pages would defeat SMEP), and L4 entries are
 * marked accessed (root copies never write the bit back).  Xen also tags
 * entries the guest made supervisor-only with _PAGE_GUEST_KERNEL (bit
 * 52) to set _PAGE_GLOBAL on the others; asilab keeps guest mappings
 * non-global and does neither (README, deviations). */
static inline pte_t adjust_guest_entry(int level, pte_t e)
{
    if (!(e & _PAGE_PRESENT))
        return e;
    return e | _PAGE_USER | (level == 4 ? _PAGE_ACCESSED : 0);
}

int get_page(mfn_t mfn, const struct domain *d);
void put_page(mfn_t mfn);
int get_page_type(mfn_t mfn, struct domain *d, unsigned int type);
void put_page_type(mfn_t mfn, struct domain *d);
int get_page_and_type(mfn_t mfn, struct domain *d, unsigned int type);
void put_page_and_type(mfn_t mfn, struct domain *d);

/* Replace entry idx of d's validated table `table` (any level) with
 * `val`, revalidating just that entry.  *level gets the table's level. */
int mod_pt_entry(struct domain *d, mfn_t table, unsigned int idx, pte_t val,
                 int *level);
/* The same; with preserve_ad the entry keeps the accessed/dirty bits it
 * had (MMU_PT_UPDATE_PRESERVE_AD). */
int mod_pt_entry_ad(struct domain *d, mfn_t table, unsigned int idx, pte_t val,
                    bool preserve_ad, int *level);
/* Validate (and fix up the DPL of) one descriptor, Xen's 64-bit PV rules. */
int check_descriptor(uint64_t *desc);

/* Provided by the environment (hv: flushtlb.c; host tests: a stub):
 * flush every TLB where d's mappings may be live, before a frame takes a
 * type other than the one stale translations may still use it as. */
void page_flush_stale_tlbs(struct domain *d);

#endif
