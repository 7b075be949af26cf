/* The PV MMU's invariant check: recount every reference a domain's
 * validated tables, pins, base pointers, GDT frames and lazily mapped
 * LDT pages hold, and compare with the frame table; no read-write L1
 * mapping of a page-table or descriptor frame; hv slots of every
 * validated L4 as the strategy stamps them.  Run after each hypercall
 * of a domain under audit (the hostile workload's random mode). */
#include "console.h"
#include "descriptor.h"
#include "flushtlb.h"
#include "spinlock.h"
#include "lib.h"
#include "mm_audit.h"
#include "page.h"
#include "strategy.h"

#define MAX_AUDIT_PAGES (64 * 256 + 1) /* 64 MiB domains + shared_info */

static uint32_t exp_type[MAX_AUDIT_PAGES], exp_count[MAX_AUDIT_PAGES];
static uint64_t scratch_l4[512] __aligned(4096);
static unsigned int violations;

static mfn_t frame_of(const struct domain *d, unsigned long pfn)
{
    return pfn < d->nr_pages ? d->p2m[pfn] : d->shared_info_mfn;
}

static void bad(const struct domain *d, const char *what, mfn_t mfn)
{
    if (violations++ < 4)
        printk("hv: audit d%u: %s (mfn %#lx)\n", d->domain_id, what, mfn);
}

/* One reference to mfn; `type` says whether it is a type reference too. */
static void expect_ref(struct domain *d, mfn_t mfn, bool type)
{
    if (mfn > max_mfn || mfn_to_page(mfn)->owner != d->domain_id ||
        mfn_to_page(mfn)->pfn > d->nr_pages) {
        bad(d, "reference to a frame the domain does not own", mfn);
        return;
    }
    uint32_t pfn = mfn_to_page(mfn)->pfn;
    exp_count[pfn]++;
    if (type)
        exp_type[pfn]++;
}

static void audit_table(struct domain *d, mfn_t mfn, int level)
{
    const pte_t *tab = mfn_to_virt(mfn);
    for (unsigned int i = 0; i < 512; i++) {
        pte_t e = tab[i];
        if ((level == 4 && !is_guest_l4_slot(i)) || !(e & _PAGE_PRESENT))
            continue;
        mfn_t child = pte_addr(e) >> PAGE_SHIFT;
        if (child > max_mfn) {
            bad(d, "entry beyond RAM", mfn);
            continue;
        }
        const struct page_info *cp = mfn_to_page(child);
        if (level > 1) {
            if (cp->type != PGT_l1 + level - 2 || !cp->type_count)
                bad(d, "table entry to a frame of the wrong type", mfn);
            expect_ref(d, child, true);
        } else if (e & _PAGE_RW) {
            if (cp->type != PGT_writable)
                bad(d, "read-write mapping of a table or descriptor frame", child);
            expect_ref(d, child, true);
        } else {
            expect_ref(d, child, false);
        }
    }
    if (level == 4) {
        memcpy(scratch_l4, tab, sizeof(scratch_l4));
        strategy_init_guest_l4(d, mfn, scratch_l4);
        if (memcmp(scratch_l4, tab, sizeof(scratch_l4)))
            bad(d, "hv L4 slots not as stamped", mfn);
    }
}

static spinlock_t audit_lock = SPIN_LOCK_UNLOCKED;   /* the scratch arrays */
static unsigned int audit_domain_locked(struct domain *d);

unsigned int audit_domain(struct domain *d)
{
    spin_lock_serving_flushes(&audit_lock);
    unsigned int v = audit_domain_locked(d);
    spin_unlock(&audit_lock);
    return v;
}

static unsigned int audit_domain_locked(struct domain *d)
{
    violations = 0;
    /* Frames pfn 0..nr_pages-1, and shared_info as pfn nr_pages. */
    unsigned long nr = d->nr_pages + 1;
    if (nr > MAX_AUDIT_PAGES)
        return 0;
    memset(exp_type, 0, nr * sizeof(exp_type[0]));
    memset(exp_count, 0, nr * sizeof(exp_count[0]));

    for (unsigned long pfn = 0; pfn < nr; pfn++) {
        mfn_t mfn = frame_of(d, pfn);
        const struct page_info *pg = mfn_to_page(mfn);
        if (pg->owner != d->domain_id || pg->pfn != pfn)
            bad(d, "p2m and frame table disagree", mfn);
        if (is_pt_type(pg->type) && pg->type_count)
            audit_table(d, mfn, pg->type - PGT_l1 + 1);
        if (pg->flags & PGF_pinned)
            expect_ref(d, mfn, true);
    }
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        if (v->guest_table)
            expect_ref(d, v->guest_table, true);
        if (v->guest_table_user)
            expect_ref(d, v->guest_table_user, true);
        for (unsigned int f = 0; f < (v->gdt_ents + 511) / 512; f++)
            expect_ref(d, v->gdt_frames[f], true);
        mfn_t ldt[LDT_WINDOW_PAGES];
        descriptors_ldt_mapped(v, ldt);
        for (unsigned int p = 0; p < LDT_WINDOW_PAGES; p++)
            if (ldt[p])
                expect_ref(d, ldt[p], true);
    }
    for (unsigned long pfn = 0; pfn < nr; pfn++) {
        mfn_t mfn = frame_of(d, pfn);
        const struct page_info *pg = mfn_to_page(mfn);
        if (pg->type_count != exp_type[pfn])
            bad(d, "type count differs from the references", mfn);
        if (pg->count != exp_count[pfn])
            bad(d, "reference count differs from the references", mfn);
        if (!pg->type_count && pg->type != PGT_none)
            bad(d, "typed frame without type references", mfn);
    }
    return violations;
}
