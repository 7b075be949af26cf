/* Page types and references for PV guest frames, Xen's rules: validated
 * page tables, descriptor pages, pin/unpin, and single-entry updates of
 * live tables (hv/mm/page.c; host-testable on simulated frames).
 *
 * Error codes (one table for the whole PV MMU; each is Xen 4.17's for the
 * same refusal, arch/x86/mm.c, unless marked DEVIATION):
 *   -XEN_EINVAL  a frame that does not exist or is not the caller's, for
 *                anything but an L1 entry (get_page_from_mfn: pin,
 *                unpin, base pointers, L2-L4 entries, the table of an
 *                mmu_update, CLEAR/COPY_PAGE); a type conflict or type
 *                count overflow (_get_page_type: an L2 entry to a non-L1,
 *                a table that is mapped writable); an L2-L4 entry to a
 *                table of its own level that is writable (XSA-182), to a
 *                table that holds linear entries or from one that is a
 *                linear target (XSA-240), or to an unvalidated one
 *                (get_l[234]_linear_pagetable); entry flags not
 *                allowed (PSE, global, reserved bits); an hv L4 slot
 *                (256-271); an invalid descriptor (update_descriptor and
 *                set_gdt say -EINVAL for every refusal, as Xen's);
 *                already pinned / not pinned; SET_LDT out of bounds; an
 *                update_va_mapping address that has no L1; mmuext_op for
 *                DOMID_IO/DOMID_XEN (Xen: not a PV domain)
 *   -XEN_EBUSY   an L1 entry to a RAM frame that cannot be referenced
 *                or made writable: another domain's, the hv's, free, a
 *                table or descriptor page mapped writable, a count that
 *                would overflow (get_page_from_l1e's "could not pin")
 *   -XEN_EPERM   an L1 entry to a frame past RAM (I/O memory, which no
 *                asilab domain may map: Xen's answer for a domain
 *                without I/O permission; DEVIATION for dom0, to which
 *                Xen grants most of it); a foreign pg_owner or DOMID_IO/
 *                DOMID_XEN in mmu_update/update_va_mapping_otherdomain
 *                (Xen: a domU; DEVIATION for dom0, which Xen lets map
 *                them); an mmuext_op on another domain's behalf
 *   -XEN_ESRCH   a foreigndom that names the caller by its id or a
 *                domain that does not exist (get_pg_owner)
 *   -XEN_EFAULT  unreadable or unwritable guest memory
 *   -XEN_ENOSYS  an mmu_update command (ptr & 7) that is not a page-table
 *                update (MMU_MACHPHYS_UPDATE: not yet), an unknown
 *                mmuext_op
 *   -XEN_EOPNOTSUPP MMUEXT_[UN]MARK_SUPER (Xen 4.17 has no superpages)
 *   -XEN_EACCES  MMUEXT_FLUSH_CACHE (no I/O privileges; FLUSH_CACHE_GLOBAL
 *                says -EINVAL for the same, as Xen)
 *   -XEN_ENOMEM  no frame for a per-domain table
 *   -XEN_EINVAL  also (DEVIATION) a batch of more than 4096 mmu_update or
 *                mmuext_op entries: asilab has no continuations for them */
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
/* With preserve_ad the entry keeps the accessed/dirty bits it had
 * (MMU_PT_UPDATE_PRESERVE_AD). */
int mod_pt_entry_ad(struct domain *d, mfn_t table, unsigned int idx, pte_t val,
                    bool preserve_ad, int *level);
static inline int mod_pt_entry(struct domain *d, mfn_t table, unsigned int idx, pte_t val,
                               int *level)
{
    return mod_pt_entry_ad(d, table, idx, val, false, level);
}
/* Grant mappings (hv/pv/grant_table.c) move references themselves: the
 * address of entry idx of d's validated L1 table `table` (NULL if it is
 * not one), a transient map the caller unmaps (unmap_domain_page), and
 * Xen's put_page_from_l1e for an entry taken out of one. */
pte_t *guest_l1e_ptr(struct domain *d, mfn_t table, unsigned int idx);
void put_page_from_l1e(struct domain *d, pte_t e);
/* Validate (and fix up the DPL of) one descriptor, Xen's 64-bit PV rules. */
int check_descriptor(uint64_t *desc);

/* Provided by the environment (hv: flushtlb.c; host tests: a stub):
 * flush every TLB where d's mappings may be live, before a frame takes a
 * type other than the one stale translations may still use it as. */
void page_flush_stale_tlbs(struct domain *d);

#endif
