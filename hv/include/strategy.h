/* The one interface an isolation strategy implements.  Exactly one
 * strategies/<name>.c is linked into each hv image; the core calls these
 * hooks and never names a strategy. */
#ifndef ASILAB_STRATEGY_H
#define ASILAB_STRATEGY_H
#include "domain.h"
#include "domain_page.h"
#include "flushtlb.h"
#include "lab.h"
#include "layout.h"
#include "lib.h"
#include "mm.h"
#include "pcid.h"

/* Boot: once on each pCPU, after its GDT/IDT/TSS and stack exist. */
void strategy_cpu_init(struct pcpu *c);
/* A vCPU was created (its domain's first L4 exists). 0 or -XEN_ENOMEM. */
int strategy_vcpu_init(struct vcpu *v);
/* Load v's page tables on this pCPU (context switch, toggle_guest_mode,
 * new base pointer): the CR3 in force from now on, and whatever CR3s the
 * entry/exit paths must switch between (cpu_info->xen_cr3/pv_cr3). */
void strategy_write_ptbase(struct vcpu *v);
/* Called on the exit path before restore_all_guest, interrupts off.
 * Nonzero: an impossible state (e.g. a root it cannot refresh); the
 * strategy has crashed the domain with the reason, and the core never
 * enters v again. */
int strategy_exit_to_guest(struct vcpu *v);
/* A guest L4 of d changed in slot `slot` while some vCPU may have it
 * live: returns the FLUSH_* flags every pCPU where it is live needs
 * (e.g. FLUSH_ROOT_PGTBL), 0 for none. */
unsigned int strategy_guest_l4_changed(struct domain *d, mfn_t l4, unsigned int slot);
/* The root tables live for v (current on this pCPU) in guest mode and in
 * hv mode, as they will be on its next exit (for the isolation audit). */
void strategy_live_roots(struct vcpu *v, mfn_t *guest_mode, mfn_t *hv_mode);
/* A FLUSH_ROOT_PGTBL reached this pCPU (in the flush IPI, or for this
 * pCPU itself, before the sender goes on): refresh now whatever must not
 * stay stale while the hv itself runs on it.  flush_local then does the
 * TLB flush the request came with (every sender sets FLUSH_TLB too). */
void strategy_flush_root(void);
/* The L3 behind slot 260 (the per-domain area) as v sees it. */
mfn_t strategy_perdomain_l3(struct vcpu *v);
/* Fill the hv slots (256-271) of a new guest L4 `l4` (mapped at `tab`).
 * Nothing else: the MMU audit also calls it on a scratch copy to learn
 * what the slots should hold, so it must have no side effects (what a
 * strategy must know of L4s comes from guest_l4_changed and
 * free_guest_l4). */
void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab);
/* Guest L4 `l4` of d is no longer one (its last type reference went, as
 * at Xen's free_l4_table): no vCPU has it as a base pointer, but a root
 * built from it may remain, and must not pass for a copy of whatever L4
 * the frame is validated as next. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4);

/* The MMU audit (hv/mm/mm_audit.c), with d's mm_lock held, from a
 * hypercall of one of d's vCPUs on this pCPU: check every root table the
 * strategy built from d's guest L4s against the validated L4 it mirrors
 * (guest slots equal unless marked stale and not yet live, hv slots as
 * built, nothing extra) and report each mismatch through `bad`. */
typedef void audit_report_fn(const struct domain *d, const char *what, mfn_t mfn);
void strategy_audit_roots(struct domain *d, audit_report_fn *bad);

/* What the strategy's roots need of the TLB (Xen's pv_make_cr4 and
 * get_pcid_bits), one constant per strategy:
 * global_pages: the hv's mappings may stay global across CR3 loads
 *   (CR4.PGE; Xen: !xpti && opt_global_pages); never with PCIDs on;
 * xpti: guest-mode roots are address spaces apart from the hv's (XPTI's
 *   restricted roots: with PCIDs they get PCID_PV_XPTI, and a one-page
 *   flush covers four PCIDs instead of two). */
struct strategy_tlb { bool global_pages, xpti; };
extern const struct strategy_tlb strategy_tlb;

/* Provided by the core for strategies. */
/* Xen's make_cr3: the CR3 that loads root for v (current on this pCPU
 * or about to be), tagged with v's PCID for its guest mode (xpti_root:
 * a restricted guest-mode root) and no-flush when this boot uses PCIDs
 * (hv/include/pcid.h); the plain address otherwise.  A load that must
 * flush the tag's stale entries (a root recopied while live) clears
 * X86_CR3_NOFLUSH (cr3_flushing). */
static inline uint64_t make_cr3(const struct vcpu *v, mfn_t root, bool xpti_root)
{
    uint64_t cr3 = (paddr_t)root << PAGE_SHIFT;
    if (__builtin_expect(pv_pcid == PCID_STATE_ON, 0))
        cr3 = pcid_make_cr3(cr3, true, guest_kernel_mode(v), xpti_root);
    return cr3;
}
/* A CR3 load, counted as cr3_load, or as cr3_load_noflush when it keeps
 * the TLB (bit 63). */
void write_cr3_counted(uint64_t cr3);
void stamp_hv_l4_slots(mfn_t l4, uint64_t *tab, mfn_t perdomain_l3);
/* Slot 261 with only pCPU cpu's stack block mapped (hv/mm/hvmap.c):
 * for strategy_cpu_init of strategies whose roots hide the others'. */
mfn_t build_private_stack_l3(unsigned int cpu);
/* For strategy_audit_roots: a root's hv slots as stamp_hv_l4_slots
 * stamps them, slot 261 one of stack_l3[online pCPU] (or as stamped). */
bool root_hv_slots_as_built(mfn_t root, mfn_t perdomain_l3, const mfn_t *stack_l3);
extern uint64_t idle_pg_table_maddr;

/* Whether mfn is still a validated guest L4 (typed, referenced): what a
 * root may be refreshed from outside write_ptbase, where the guest may
 * have dropped the L4 meanwhile. */
static inline bool guest_l4_validated(mfn_t mfn)
{
    return mfn <= max_mfn && mfn_to_page(mfn)->type == PGT_l4 && mfn_to_page(mfn)->type_count;
}

/* Whether root's guest slots equal those of guest L4 g. */
static inline bool guest_l4_slots_equal(const uint64_t *root, const uint64_t *g)
{
    return !memcmp(root, g, HV_FIRST_SLOT * sizeof(uint64_t)) &&
           !memcmp(root + HV_LAST_SLOT + 1, g + HV_LAST_SLOT + 1,
                   (511 - HV_LAST_SLOT) * sizeof(uint64_t));
}

/* A root table's guest slots (0-255, 272-511) copied from guest L4 g,
 * counted as l4_copy; the hv slots are the caller's.  A recursive guest
 * slot (a read-only linear entry to the guest's L4) is copied like any
 * other: in the root it maps the guest's L4, not the copy, read-only, as
 * under Xen's XPTI (whose per-CPU root copies guest slots the same way). */
static inline void copy_guest_l4_slots(uint64_t *root, const uint64_t *g)
{
    memcpy(root, g, HV_FIRST_SLOT * sizeof(uint64_t));
    memcpy(root + HV_LAST_SLOT + 1, g + HV_LAST_SLOT + 1,
           (511 - HV_LAST_SLOT) * sizeof(uint64_t));
    this_cpu_count(l4_copy, 512 - (HV_LAST_SLOT - HV_FIRST_SLOT + 1));
}

/* The same two for guest L4 src reached through map_domain_page, for the
 * strategies that compose with +sparse (no directmap maps src there).
 * per_pcpu_l4 reads the guest L4 through the directmap, as Xen's XPTI
 * does in restore_all_guest: it never runs without one. */
static inline void copy_guest_l4_from(uint64_t *root, mfn_t src)
{
    const uint64_t *g = map_domain_page(src);
    copy_guest_l4_slots(root, g);
    unmap_domain_page(g);
}
static inline bool guest_l4_equals(const uint64_t *root, mfn_t src)
{
    const uint64_t *g = map_domain_page(src);
    bool eq = guest_l4_slots_equal(root, g);
    unmap_domain_page(g);
    return eq;
}

#endif
