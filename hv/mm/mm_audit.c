/* The PV MMU's invariant check, run after each hypercall of a domain
 * under audit (the hostile workload's random mode) and on request:
 *  - references: recount every reference a domain's validated tables,
 *    pins, base pointers, GDT frames, lazily mapped LDT pages, shared_info,
 *    registered runstate and vcpu_info frames and grant tables (their
 *    shared frames, device mappings) hold, and compare with the frame
 *    table;
 *  - linear entries (an L2-L4 entry to its own table or to a table of
 *    its own level): read-only only, and each table's linear_pt_count
 *    recounted (entries it holds, or entries to it, never both: XSA-240);
 *  - entries: no read-write L1 mapping of a page-table or descriptor
 *    frame; every present entry user-accessible (L4: also accessed), as
 *    Xen's adjust_guest_l*e; hv slots of every validated L4 as stamped
 *    (slot 256 included: the read-only M2P, global as in Xen, whose
 *    frames are the hv's, so no guest entry may map them);
 *  - frames the hv writes (shared_info, runstate and vcpu_info areas,
 *    grant table frames, FIFO event channel control blocks and event
 *    array pages) are writable-typed, never a table or descriptor page;
 *  - descriptors: every GDT/LDT frame a vCPU uses is a descriptor page
 *    whose every entry check_descriptor accepts unchanged, and each GDT
 *    window maps exactly the vCPU's frames, then the zero page;
 *  - roots: every strategy root table equals the guest L4 it mirrors
 *    (strategy_audit_roots).
 * Each violation is counted (and the first few printed); the domain's
 * totals go into the end record, which then says "fail". */
#include "console.h"
#include "descriptor.h"
#include "domain_page.h"
#include "flushtlb.h"
#include "event_fifo.h"
#include "grant_table.h"
#include "iomem.h"
#include "spinlock.h"
#include "lib.h"
#include "mm_audit.h"
#include "page.h"
#include "strategy.h"
#include "traps.h"

/* 64 MiB domains, shared_info, the grant table's frames */
#define MAX_AUDIT_PAGES (64 * 256 + 1 + GNTTAB_AUDIT_SLOTS)

static uint32_t exp_type[MAX_AUDIT_PAGES], exp_count[MAX_AUDIT_PAGES];
static uint16_t exp_lin_entries[MAX_AUDIT_PAGES], exp_lin_uses[MAX_AUDIT_PAGES];
static uint64_t scratch_l4[512] __aligned(4096);
static unsigned int violations;

/* pfn 0..nr_pages-1: the p2m; nr_pages: shared_info; then the grant
 * table's slots (0: none). */
static mfn_t frame_of(const struct domain *d, unsigned long pfn)
{
    if (pfn < d->nr_pages)
        return d->p2m[pfn];
    if (pfn == d->nr_pages)
        return d->shared_info_mfn;
    return gnttab_shared_frame(d, pfn - d->nr_pages - 1);
}
static unsigned long audit_nr(const struct domain *d)
{
    return d->nr_pages + 1 + GNTTAB_AUDIT_SLOTS;
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
        mfn_to_page(mfn)->pfn >= audit_nr(d) ||
        frame_of(d, mfn_to_page(mfn)->pfn) != mfn) {
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
    const pte_t *tab = map_domain_page(mfn);
    for (unsigned int i = 0; i < 512; i++) {
        pte_t e = tab[i];
        if ((level == 4 && !is_guest_l4_slot(i)) || !(e & _PAGE_PRESENT))
            continue;
        if (adjust_guest_entry(level, e) != e)
            bad(d, "entry not adjusted (user, L4 accessed)", mfn);
        mfn_t child = pte_addr(e) >> PAGE_SHIFT;
        if (level == 1 && is_iomem_frame(child)) {
            if (!iomem_access_permitted(d, child))
                bad(d, "mapping of I/O memory the domain may not map", child);
            continue;                        /* holds no reference */
        }
        if (child > max_mfn) {
            bad(d, "entry beyond RAM", mfn);
            continue;
        }
        const struct page_info *cp = mfn_to_page(child);
        bool linear = level > 1 && (child == mfn || cp->type == PGT_l1 + level - 1);
        if (linear && (e & _PAGE_RW))
            bad(d, "writable linear page-table entry", mfn);
        if (child == mfn && level > 1)
            continue;                        /* to its own table: no references */
        if (linear) {
            if (!cp->type_count)
                bad(d, "linear entry to a frame of the wrong type", mfn);
            expect_ref(d, child, true);
            if (cp->owner == d->domain_id && cp->pfn < audit_nr(d)) {
                exp_lin_entries[mfn_to_page(mfn)->pfn]++;
                exp_lin_uses[cp->pfn]++;
            }
        } else if (level > 1) {
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
    unmap_domain_page(tab);
}

/* A frame the hv writes on the guest's behalf: held writable, always. */
static void expect_hv_written(struct domain *d, mfn_t mfn)
{
    expect_ref(d, mfn, true);
    if (mfn <= max_mfn && mfn_to_page(mfn)->type != PGT_writable)
        bad(d, "a frame the hv writes is not writable-typed", mfn);
}

/* A GDT or LDT frame in use: a descriptor page of valid descriptors. */
static void expect_desc_frame(struct domain *d, mfn_t mfn)
{
    expect_ref(d, mfn, true);
    if (mfn > max_mfn || mfn_to_page(mfn)->type != PGT_seg_desc) {
        bad(d, "a GDT/LDT frame is not a descriptor page", mfn);
        return;
    }
    const uint64_t *desc = map_domain_page(mfn);
    for (unsigned int i = 0; i < 512; i++) {
        uint64_t x = desc[i];
        if (check_descriptor(&x) || x != desc[i]) {
            bad(d, "a descriptor check_descriptor would refuse or change", mfn);
            break;
        }
    }
    unmap_domain_page(desc);
}

static void audit_vcpu(struct domain *d, struct vcpu *v)
{
    if (v->guest_table)
        expect_ref(d, v->guest_table, true);
    if (v->guest_table_user)
        expect_ref(d, v->guest_table_user, true);
    for (unsigned int i = 0; i < 2; i++)
        if (v->runstate_mfn[i])
            expect_hv_written(d, v->runstate_mfn[i]);
    if (v->vcpu_info_mfn)
        expect_hv_written(d, v->vcpu_info_mfn);
    unsigned int nr = (v->gdt_ents + 511) / 512;
    mfn_t gdt[FIRST_RESERVED_GDT_PAGE];
    descriptors_gdt_mapped(v, gdt);
    for (unsigned int f = 0; f < FIRST_RESERVED_GDT_PAGE; f++) {
        if (gdt[f] != (f < nr ? v->gdt_frames[f] : gdt_zero_mfn()))
            bad(d, "GDT window does not map the vCPU's frames and the zero page", gdt[f]);
        if (f < nr)
            expect_desc_frame(d, v->gdt_frames[f]);
    }
    mfn_t ldt[LDT_WINDOW_PAGES];
    descriptors_ldt_mapped(v, ldt);
    for (unsigned int p = 0; p < LDT_WINDOW_PAGES; p++)
        if (ldt[p])
            expect_desc_frame(d, ldt[p]);
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
    unsigned long nr = audit_nr(d);
    if (nr > MAX_AUDIT_PAGES)
        return 0;
    memset(exp_type, 0, nr * sizeof(exp_type[0]));
    memset(exp_count, 0, nr * sizeof(exp_count[0]));
    memset(exp_lin_entries, 0, nr * sizeof(exp_lin_entries[0]));
    memset(exp_lin_uses, 0, nr * sizeof(exp_lin_uses[0]));

    for (unsigned long pfn = 0; pfn < nr; pfn++) {
        mfn_t mfn = frame_of(d, pfn);
        if (!mfn)
            continue;
        const struct page_info *pg = mfn_to_page(mfn);
        if (pg->owner != d->domain_id || pg->pfn != pfn)
            bad(d, "p2m and frame table disagree", mfn);
        if (is_pt_type(pg->type) && pg->type_count)
            audit_table(d, mfn, pg->type - PGT_l1 + 1);
        if (pg->flags & PGF_pinned)
            expect_ref(d, mfn, true);
    }
    expect_hv_written(d, d->shared_info_mfn);     /* its permanent reference */
    if (d->console_mfn)
        expect_hv_written(d, d->console_mfn);     /* the console backend's */
    for (unsigned int i = 0; i < GNTTAB_AUDIT_SLOTS; i++)
        if (gnttab_shared_frame(d, i))
            expect_hv_written(d, gnttab_shared_frame(d, i));
    gnttab_audit_refs(d, expect_ref);
    evtchn_fifo_frames(d, expect_hv_written);      /* FIFO control blocks, event array */
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        audit_vcpu(d, d->vcpu[i]);
    for (unsigned long pfn = 0; pfn < nr; pfn++) {
        mfn_t mfn = frame_of(d, pfn);
        if (!mfn)
            continue;
        const struct page_info *pg = mfn_to_page(mfn);
        if (pg->type_count != exp_type[pfn])
            bad(d, "type count differs from the references", mfn);
        if (pg->count != exp_count[pfn])
            bad(d, "reference count differs from the references", mfn);
        if (!pg->type_count && pg->type != PGT_none)
            bad(d, "typed frame without type references", mfn);
        if (exp_lin_entries[pfn] && exp_lin_uses[pfn])
            bad(d, "table both holds linear entries and is their target (XSA-240)", mfn);
        if (pg->linear_pt_count != exp_lin_entries[pfn] - exp_lin_uses[pfn])
            bad(d, "linear_pt_count differs from the linear entries", mfn);
    }
    strategy_audit_roots(d, bad);
    return violations;
}
