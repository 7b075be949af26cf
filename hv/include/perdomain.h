/* The per-domain area (L4 slot 260): per-vCPU GDT/LDT windows and other
 * hv mappings private to a domain (or, per strategy, to a vCPU). */
#ifndef ASILAB_PERDOMAIN_H
#define ASILAB_PERDOMAIN_H
#include "domain.h"
#include "layout.h"
#include "pt.h"

/* Create the intermediate tables for [va, va + nr pages) under v's
 * slot-260 L3: 0 or -XEN_ENOMEM. */
int create_perdomain_mapping(struct vcpu *v, unsigned long va, unsigned int nr);
/* Map mfns[0..nr) at va (read-only, hv only) for v.  With v current the
 * L1 entries are written through the linear (recursive) mapping; for any
 * other vCPU by walking its tables.  No L1 pointer is kept anywhere. */
int populate_perdomain_mapping(struct vcpu *v, unsigned long va,
                               const mfn_t *mfns, unsigned int nr);
/* Unmap nr pages at va for v; returns the mfns that were mapped (0 where
 * nothing was) in mfns if non-NULL. */
void destroy_perdomain_mapping(struct vcpu *v, unsigned long va,
                               unsigned int nr, mfn_t *mfns);

/* The L1 entry of va under v's slot-260 L3 (through the directmap),
 * creating the tables on the way; NULL if a table cannot be allocated. */
pte_t *perdomain_l1e(struct vcpu *v, unsigned long va, bool create);
/* Whether v's tables are the ones this pCPU runs on: v is current and
 * the switch to it has loaded them (last_guest is set after
 * write_ptbase; in a context switch current is the next vCPU before
 * that: the walk, as in Xen). */
static inline bool perdomain_live_here(const struct vcpu *v)
{
    return v == current && !v->is_idle && pcpus[smp_processor_id()].last_guest == v;
}

/* The per-domain PTE method for v's GDT/LDT window (its 32 pages from
 * GDT_VIRT_START: 16 GDT, then 16 LDT), one of two flavours linked per
 * image (strategies/flavours/): the ASI series' patch 04,
 * populate_perdomain_mapping (walk unless v is live here: the context
 * switch walks), by default; or Xen 4.17's stashed L1 pointer, taken
 * once at vCPU creation (+stashed_l1: every write one store).  Both keep
 * the same TLB rule: a write to a window live on this pCPU is followed
 * by an INVLPG of its page. */
int gdt_ldt_ptes_init(struct vcpu *v);
void gdt_ldt_ptes_set(struct vcpu *v, unsigned int page, const mfn_t *mfns, unsigned int nr);
/* Zap nr entries from page; the mfns that were mapped (0: none) in old. */
void gdt_ldt_ptes_clear(struct vcpu *v, unsigned int page, unsigned int nr, mfn_t *old);
#define GDT_LDT_WINDOW_PAGES (1U << (GDT_LDT_VCPU_SHIFT - PAGE_SHIFT))

/* What is mapped at va.. for v (0 where nothing), by walking. */
void perdomain_lookup(struct vcpu *v, unsigned long va, unsigned int nr, mfn_t *mfns);

#endif
