/* grant_table_op (hypercall 20): Xen's grant tables for 64-bit PV guests,
 * with Xen 4.17's semantics (xen/common/grant_table.c and
 * arch/x86/pv/grant_table.c; our code).
 *
 * A domain's table is set up on its first grant_table_op with one frame,
 * as Xen does at domain creation, and grows up to GNTTAB_MAX_FRAMES
 * (setup_table).  Entry frames and v2 status frames are hv frames shared
 * with the domain (owned by it, a permanent writable type reference, as
 * shared_info): the guest maps the MFNs setup_table / get_status_frames
 * return like its own memory.  The hv shadows each entry in use with an
 * active entry (pin counts per host/device, read/write) and each mapping
 * with a maptrack handle.
 *
 * References, as in Xen: a mapping holds a general reference on the
 * granted frame per host and per device mapping, and a writable type
 * reference for each that is not read-only.  A host mapping is an L1
 * entry the hv writes without the entry taking references of its own:
 * from then on its references are the entry's (mmu_update over it, or
 * devalidating its table, drops them as for any entry, as Xen's release
 * builds do), so the MMU audit counts them through the page tables; only
 * device mappings' references are held outside them (gnttab_audit_refs).
 * Unmapping checks that the entry still maps the granted frame with the
 * grant's present/writable bits (XSA-234), flushes the domain's TLBs,
 * then drops the references.
 *
 * Sub-ops: setup_table, query_size, map/unmap_grant_ref (host and device
 * mappings, readonly, contains_pte, application_map), unmap_and_replace,
 * copy, set_version (1 and 2), get_status_frames, get_version,
 * swap_grant_ref, cache_flush.  Not supported (-ENOSYS, logged once):
 * transfer (and dump_table, which Xen does not have either).
 *
 * Deviations (README): grants work within a domain only: mapping or
 * copying another domain's grant gets Xen's status where Xen's checks of
 * the entry refuse it (bad ref, entry not granting us, read-only) and
 * GNTST_permission_denied where Xen would go on to take the frame, as
 * Xen's XSM refusing it; setting up / querying another domain's table
 * gets GNTST_permission_denied; a transitive grant always names another
 * domain, so it is refused as with Xen's gnttab=transitive=0; no continuations (count above
 * MAX_PV_BATCH: -EINVAL); one maptrack free list per domain rather than
 * per vCPU (handles are numbered as Xen numbers a single vCPU's);
 * GNTTAB_MAX_MAPTRACK_FRAMES maptrack frames.  Everything runs under the
 * domain's mm_lock (the hypercall is in hypercall.c's MM_HYPERCALLS). */
#include "domain_page.h"
#include "console.h"
#include "flushtlb.h"
#include "grant_table.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "page.h"
#include "public/grant_table.h"
#include "pvmm.h"
#include "traps.h"
#include "x86.h"

/* ---- per-domain state ---- */

/* Pin counts of an active entry, four 8-bit counters as Xen's. */
#define GNTPIN_hstw_inc  (1U << 0)
#define GNTPIN_hstr_inc  (1U << 8)
#define GNTPIN_devw_inc  (1U << 16)
#define GNTPIN_devr_inc  (1U << 24)
#define GNTPIN_hstw_mask (0xffU << 0)
#define GNTPIN_hstr_mask (0xffU << 8)
#define GNTPIN_devw_mask (0xffU << 16)
#define GNTPIN_devr_mask (0xffU << 24)
#define GNTPIN_oflow_mask(inc) ((inc) << 7)   /* counter at 128: refuse */

struct active_grant {
    uint32_t pin;
    uint16_t domid;          /* who has it pinned */
    uint16_t start, length;  /* sub-page grants (copy only) */
    uint8_t is_sub_page, pad;
    uint32_t mfn;
};
#define ACT_PER_PAGE (PAGE_SIZE / sizeof(struct active_grant))
#define SHA1_PER_PAGE (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define SHA2_PER_PAGE (PAGE_SIZE / sizeof(grant_entry_v2_t))
#define STATUS_PER_PAGE (PAGE_SIZE / sizeof(grant_status_t))
#define MAX_ACT_FRAMES (GNTTAB_MAX_FRAMES * SHA1_PER_PAGE / ACT_PER_PAGE)
BUILD_BUG_ON(sizeof(struct active_grant) != 16);
BUILD_BUG_ON(GNTTAB_MAX_STATUS_FRAMES * STATUS_PER_PAGE <
             GNTTAB_MAX_FRAMES * SHA2_PER_PAGE);

/* A mapping handle's record (16 bytes, as Xen's struct grant_mapping,
 * so handles are numbered as Xen's); ref links free records. */
struct grant_mapping {
    uint32_t ref;
    uint16_t flags;          /* GNTMAP_*; 0: free */
    uint16_t domid;          /* the granting domain */
    uint32_t vcpu, pad;
};
#define MAPTRACK_PER_PAGE (PAGE_SIZE / sizeof(struct grant_mapping))
#define GNTTAB_MAX_MAPTRACK_FRAMES 16
#define MAPTRACK_TAIL (~0U)
#define INVALID_HANDLE (~0U)

struct grant_table {
    bool ready;
    unsigned int version;
    unsigned int nr_frames, nr_status;
    mfn_t shared[GNTTAB_MAX_FRAMES];
    mfn_t status[GNTTAB_MAX_STATUS_FRAMES];
    struct active_grant *active[MAX_ACT_FRAMES];
    struct grant_mapping *maptrack[GNTTAB_MAX_MAPTRACK_FRAMES];
    unsigned int maptrack_limit, mt_head, mt_tail;
};
static struct grant_table grant_tables[MAX_DOMAINS];

static struct grant_table *gt_of(const struct domain *d)
{
    return d->domain_id < MAX_DOMAINS ? &grant_tables[d->domain_id] : NULL;
}

static unsigned int nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * (gt->version == 1 ? SHA1_PER_PAGE : SHA2_PER_PAGE);
}
static unsigned int act_frames(unsigned int frames)
{
    return (frames * SHA1_PER_PAGE + ACT_PER_PAGE - 1) / ACT_PER_PAGE;
}
static unsigned int status_frames(unsigned int frames)
{
    return (frames * SHA2_PER_PAGE + STATUS_PER_PAGE - 1) / STATUS_PER_PAGE;
}
static grant_entry_v1_t *sha1(const struct grant_table *gt, grant_ref_t ref)
{
    return (grant_entry_v1_t *)mfn_to_virt(gt->shared[ref / SHA1_PER_PAGE]) + ref % SHA1_PER_PAGE;
}
static grant_entry_v2_t *sha2(const struct grant_table *gt, grant_ref_t ref)
{
    return (grant_entry_v2_t *)mfn_to_virt(gt->shared[ref / SHA2_PER_PAGE]) + ref % SHA2_PER_PAGE;
}
static grant_entry_header_t *shah(const struct grant_table *gt, grant_ref_t ref)
{
    return gt->version == 1 ? (grant_entry_header_t *)sha1(gt, ref) : &sha2(gt, ref)->hdr;
}
/* Where the reading/writing flags of ref live: v1 in the entry, v2 in
 * the status frames. */
static uint16_t *status_of(const struct grant_table *gt, grant_ref_t ref)
{
    if (gt->version == 1)
        return &shah(gt, ref)->flags;
    return (uint16_t *)mfn_to_virt(gt->status[ref / STATUS_PER_PAGE]) + ref % STATUS_PER_PAGE;
}
static struct active_grant *act_of(const struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / ACT_PER_PAGE][ref % ACT_PER_PAGE];
}
static struct grant_mapping *mt_of(const struct grant_table *gt, grant_handle_t h)
{
    return &gt->maptrack[h / MAPTRACK_PER_PAGE][h % MAPTRACK_PER_PAGE];
}

static struct domain *domain_by_any_id(struct domain *cur, unsigned int id)
{
    return id == DOMID_SELF ? cur : domain_by_id(id);
}

/* ---- frames shared with the domain ---- */

static mfn_t share_frame(struct domain *d, unsigned int slot)
{
    mfn_t mfn = alloc_frame();
    if (mfn)
        *mfn_to_page(mfn) = (struct page_info){
            .owner = d->domain_id, .pfn = d->nr_pages + 1 + slot,
            .type = PGT_writable, .type_count = 1, .count = 1,
            .flags = PGF_xenheap };
    return mfn;
}

static int populate_status_frames(struct domain *d, struct grant_table *gt,
                                  unsigned int frames)
{
    unsigned int want = status_frames(frames);
    for (unsigned int i = gt->nr_status; i < want; i++) {
        if (!(gt->status[i] = share_frame(d, GNTTAB_MAX_FRAMES + i))) {
            while (i-- > gt->nr_status) {
                free_frame(gt->status[i]);
                gt->status[i] = 0;
            }
            return -XEN_ENOMEM;
        }
    }
    gt->nr_status = MAX(gt->nr_status, want);
    return 0;
}

/* Xen's gnttab_unpopulate_status_frames: -EBUSY while the guest still
 * maps any of them (a reference beyond the permanent one, XSA-255). */
static int unpopulate_status_frames(struct domain *d, struct grant_table *gt)
{
    for (unsigned int i = 0; i < gt->nr_status; i++) {
        const struct page_info *pg = mfn_to_page(gt->status[i]);
        if (pg->count != 1 || pg->type_count != 1)
            return -XEN_EBUSY;
    }
    /* No mapping is left, but one may linger in a TLB. */
    flush_mask(domain_dirty_cpumask(d), FLUSH_TLB, 0);
    for (unsigned int i = 0; i < gt->nr_status; i++) {
        free_frame(gt->status[i]);
        gt->status[i] = 0;
    }
    gt->nr_status = 0;
    return 0;
}

static int grow_table(struct domain *d, struct grant_table *gt, unsigned int frames)
{
    unsigned int a0 = act_frames(gt->nr_frames), i;

    frames = MAX(frames, 1U);
    for (i = a0; i < act_frames(frames); i++) {
        mfn_t mfn = alloc_frame();
        if (!mfn)
            goto fail_act;
        gt->active[i] = mfn_to_virt(mfn);
    }
    for (i = gt->nr_frames; i < frames; i++)
        if (!(gt->shared[i] = share_frame(d, i)))
            goto fail_shared;
    if (gt->version == 2 && populate_status_frames(d, gt, frames))
        goto fail_shared;
    gt->nr_frames = frames;
    return 0;

 fail_shared:
    while (i-- > gt->nr_frames) {
        free_frame(gt->shared[i]);
        gt->shared[i] = 0;
    }
    i = act_frames(frames);
 fail_act:
    while (i-- > a0) {
        free_frame(virt_to_maddr(gt->active[i]) >> PAGE_SHIFT);
        gt->active[i] = NULL;
    }
    return -XEN_ENOMEM;
}

/* The table of d, set up with one frame on first use (Xen: at domain
 * creation); NULL when there is no memory for it. */
static struct grant_table *gnttab_get(struct domain *d)
{
    struct grant_table *gt = gt_of(d);
    if (!gt)
        return NULL;
    if (!gt->ready) {
        gt->version = 1;
        gt->mt_head = gt->mt_tail = MAPTRACK_TAIL;
        if (grow_table(d, gt, 1))
            return NULL;
        gt->ready = true;
    }
    return gt;
}

/* ---- the audit's view ---- */

mfn_t gnttab_shared_frame(const struct domain *d, unsigned int i)
{
    const struct grant_table *gt = gt_of(d);
    if (!gt || !gt->ready || i >= GNTTAB_AUDIT_SLOTS)
        return 0;
    return i < GNTTAB_MAX_FRAMES ? gt->shared[i] : gt->status[i - GNTTAB_MAX_FRAMES];
}

void gnttab_audit_refs(struct domain *d, gnttab_ref_fn *expect)
{
    const struct grant_table *gt = gt_of(d);
    if (!gt || !gt->ready)
        return;
    for (grant_handle_t h = 0; h < gt->maptrack_limit; h++) {
        const struct grant_mapping *mt = mt_of(gt, h);
        if ((mt->flags & GNTMAP_device_map) && mt->ref < nr_entries(gt))
            expect(d, act_of(gt, mt->ref)->mfn, !(mt->flags & GNTMAP_readonly));
    }
}

/* ---- maptrack handles (Xen's free list: take from the head, always
 * keep one record, return to the tail) ---- */

static grant_handle_t get_maptrack_handle(struct vcpu *v, struct grant_table *gt)
{
    unsigned int h = gt->mt_head;

    if (h != MAPTRACK_TAIL && mt_of(gt, h)->ref != MAPTRACK_TAIL) {
        gt->mt_head = mt_of(gt, h)->ref;
        return h;
    }
    unsigned int nr = gt->maptrack_limit / MAPTRACK_PER_PAGE;
    if (nr >= GNTTAB_MAX_MAPTRACK_FRAMES)
        return INVALID_HANDLE;
    mfn_t mfn = alloc_frame();
    if (!mfn)
        return INVALID_HANDLE;
    struct grant_mapping *mt = mfn_to_virt(mfn);
    h = gt->maptrack_limit;
    for (unsigned int i = 0; i < MAPTRACK_PER_PAGE; i++) {
        mt[i].ref = h + i + 1;
        mt[i].vcpu = v->vcpu_id;
    }
    mt[MAPTRACK_PER_PAGE - 1].ref = gt->mt_head;
    if (gt->mt_tail == MAPTRACK_TAIL)
        gt->mt_tail = h + MAPTRACK_PER_PAGE - 1;
    gt->maptrack[nr] = mt;
    gt->maptrack_limit += MAPTRACK_PER_PAGE;
    gt->mt_head = h + 1;
    return h;
}

static void put_maptrack_handle(struct grant_table *gt, grant_handle_t h)
{
    mt_of(gt, h)->ref = MAPTRACK_TAIL;
    mt_of(gt, gt->mt_tail)->ref = h;
    gt->mt_tail = h;
}

/* ---- entry flags (the granting guest writes the same words) ---- */

static void clear_flags(uint16_t *status, uint16_t flags)
{
    __atomic_fetch_and(status, (uint16_t)~flags, __ATOMIC_SEQ_CST);
}

/* Xen's _set_status_v1: check the entry grants access to ldomid and set
 * GTF_reading (and GTF_writing) with a bounded cmpxchg loop. */
static int set_status_v1(grant_entry_header_t *sh, const struct active_grant *act,
                         bool ro, bool mapflag, uint16_t ldomid)
{
    uint32_t *raw = (uint32_t *)sh;
    uint16_t mask = GTF_type_mask | (mapflag ? GTF_sub_page : 0);
    uint32_t cur = ACCESS_ONCE(*raw);

    for (unsigned int retries = 0;; retries++) {
        uint16_t flags = cur & 0xffff, domid = cur >> 16;
        if (!act->pin && ((flags & mask) != GTF_permit_access || domid != ldomid))
            return GNTST_general_error;
        uint32_t new = cur | GTF_reading;
        if (!ro) {
            new |= GTF_writing;
            if (flags & GTF_readonly)
                return GNTST_general_error;
        }
        uint32_t seen = cur;
        if (__atomic_compare_exchange_n(raw, &seen, new, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return GNTST_okay;
        if (retries == 4)
            return GNTST_general_error;      /* the entry is unstable */
        cur = seen;
    }
}

/* Xen's _set_status_v2: flags in the status frame, then the entry is
 * checked again in case the guest changed it meanwhile. */
static int set_status_v2(grant_entry_header_t *sh, uint16_t *status,
                         const struct active_grant *act, bool ro, bool mapflag,
                         uint16_t ldomid)
{
    uint16_t mask = GTF_type_mask | (mapflag ? GTF_sub_page : 0);
    grant_entry_header_t e = { ACCESS_ONCE(sh->flags), ACCESS_ONCE(sh->domid) };

#define V2_BAD(e) ((((e).flags & mask) != GTF_permit_access && \
                    (mapflag || ((e).flags & mask) != GTF_transitive)) || \
                   (e).domid != ldomid)
    if (!act->pin && V2_BAD(e))
        return GNTST_general_error;
    if (!ro && (e.flags & GTF_readonly))
        return GNTST_general_error;
    __atomic_fetch_or(status, (uint16_t)(ro ? GTF_reading : GTF_reading | GTF_writing),
                      __ATOMIC_SEQ_CST);
    e.flags = ACCESS_ONCE(sh->flags);
    e.domid = ACCESS_ONCE(sh->domid);
    if (!act->pin) {
        if (V2_BAD(e) || (!ro && (e.flags & GTF_readonly))) {
            clear_flags(status, GTF_writing | GTF_reading);
            return GNTST_general_error;
        }
    } else if (e.flags & GTF_readonly) {
        clear_flags(status, GTF_writing);
        return GNTST_general_error;
    }
#undef V2_BAD
    return GNTST_okay;
}

static int set_status(const struct grant_table *gt, grant_ref_t ref,
                      const struct active_grant *act, bool ro, bool mapflag,
                      uint16_t ldomid)
{
    if (gt->version == 1)
        return set_status_v1(shah(gt, ref), act, ro, mapflag, ldomid);
    return set_status_v2(shah(gt, ref), status_of(gt, ref), act, ro, mapflag, ldomid);
}

/* Xen's reduce_status_for_pin: drop the flags the pins no longer need. */
static void reduce_status_for_pin(const struct active_grant *act, uint16_t *status, bool ro)
{
    uint16_t clear = act->pin ? 0 : GTF_reading;
    if (!ro && !(act->pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)))
        clear |= GTF_writing;
    if (clear)
        clear_flags(status, clear);
}

/* Xen's get_paged_frame for a PV granter: the frame number is an MFN the
 * granter owns; one general reference taken. */
static int get_paged_frame(uint64_t gfn, mfn_t *mfn, struct domain *rd)
{
    if (gfn > max_mfn || get_page(gfn, rd))
        return GNTST_bad_page;
    *mfn = gfn;
    return GNTST_okay;
}

/* Another domain's grant (asilab keeps grants within a domain): the
 * status Xen's checks give it up to the point where rd's frame would be
 * taken (a ref out of range, an entry not granting ld, a read-only
 * entry for a write), GNTST_permission_denied past it.  Only reads of
 * rd's table, without rd's lock: a table rd has not used yet is Xen's
 * initial one frame of invalid entries. */
static int foreign_grant_status(const struct domain *ld, const struct domain *rd,
                                grant_ref_t ref, bool ro, bool mapflag)
{
    const struct grant_table *rgt = gt_of(rd);
    bool ready = rgt && ACCESS_ONCE(rgt->ready);
    if (ref >= (ready ? nr_entries(rgt) : SHA1_PER_PAGE))
        return GNTST_bad_gntref;
    if (!ready || ACCESS_ONCE(act_of(rgt, ref)->pin))
        return GNTST_general_error;      /* invalid, or pinned by rd itself */
    const grant_entry_header_t *sh = shah(rgt, ref);
    uint16_t flags = ACCESS_ONCE(sh->flags), domid = ACCESS_ONCE(sh->domid);
    uint16_t mask = GTF_type_mask | (mapflag ? GTF_sub_page : 0);
    if ((flags & mask) != GTF_permit_access || domid != ld->domain_id ||
        (!ro && (flags & GTF_readonly)))
        return GNTST_general_error;
    return GNTST_permission_denied;
}

/* ---- host mappings (Xen's create/replace_grant_pv_mapping) ---- */

static pte_t grant_pte_flags(unsigned int gflags)
{
    pte_t f = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX;
    if (gflags & GNTMAP_application_map)
        f |= _PAGE_USER;
    if (!(gflags & GNTMAP_readonly))
        f |= _PAGE_RW;
    f |= ((pte_t)(gflags >> _GNTMAP_guest_avail0) & 7) << 9;   /* _PAGE_AVAIL */
    return adjust_guest_entry(1, f);
}

/* The L1 entry mapping va in v's current (kernel) tables, NULL if no L1
 * table maps it (Xen's map_guest_l1e): a transient map, unmapped with
 * unmap_domain_page. */
static pte_t *linear_l1e(struct vcpu *v, unsigned long va)
{
    if (!guest_range_ok(va, 1))
        return NULL;
    mfn_t table = vcpu_guest_root(v);
    for (int l = 4; l > 1; l--) {
        const pte_t *tab = map_domain_page(table);
        pte_t e = tab[pt_index(va, l)];
        unmap_domain_page(tab);
        if (!(e & _PAGE_PRESENT) || (l < 4 && (e & _PAGE_PSE)))
            return NULL;
        table = pte_addr(e) >> PAGE_SHIFT;
    }
    return guest_l1e_ptr(v->domain, table, pt_index(va, 1));
}

/* The entry a host mapping names: a linear address, or with
 * GNTMAP_contains_pte the machine address of an entry of one of the
 * domain's L1 tables, which must be entry-aligned (XSA-227). */
static pte_t *host_l1e(struct vcpu *v, uint64_t addr, unsigned int flags)
{
    if (!(flags & GNTMAP_contains_pte))
        return linear_l1e(v, addr);
    if (addr & (sizeof(pte_t) - 1))
        return NULL;
    return guest_l1e_ptr(v->domain, addr >> PAGE_SHIFT, (addr & ~PAGE_MASK) / sizeof(pte_t));
}

static int create_host_mapping(struct vcpu *v, uint64_t addr, mfn_t mfn,
                               unsigned int flags)
{
    pte_t *pl1e = host_l1e(v, addr, flags);
    if (!pl1e)
        return GNTST_general_error;
    pte_t old = __atomic_exchange_n(pl1e, (mfn << PAGE_SHIFT) | grant_pte_flags(flags),
                                    __ATOMIC_SEQ_CST);
    unmap_domain_page(pl1e);
    this_cpu_count(pte_write, 1);
    put_page_from_l1e(v->domain, old);
    return GNTST_okay;
}

/* Take the entry mapping va out of v's tables (unmap_and_replace); its
 * references go with it to the caller. */
static bool steal_linear_address(struct vcpu *v, unsigned long va, pte_t *out)
{
    pte_t *pl1e = linear_l1e(v, va);
    if (!pl1e)
        return false;
    *out = __atomic_exchange_n(pl1e, 0, __ATOMIC_SEQ_CST);
    unmap_domain_page(pl1e);
    this_cpu_count(pte_write, 1);
    return true;
}

/* Replace the host mapping at addr by new_addr's entry (or nothing),
 * provided addr still maps mfn with the grant's present and writable
 * bits (XSA-234). */
static int replace_host_mapping(struct vcpu *v, uint64_t addr, mfn_t mfn,
                                uint64_t new_addr, unsigned int flags)
{
    pte_t want = grant_pte_flags(flags), nl1e = 0, *pl1e = NULL;
    int rc = GNTST_general_error;

    if (flags & GNTMAP_contains_pte) {
        if (new_addr)
            return rc;
    } else if (new_addr && !steal_linear_address(v, new_addr, &nl1e)) {
        return rc;
    }
    pl1e = host_l1e(v, addr, flags);
    if (pl1e) {
        pte_t old = ACCESS_ONCE(*pl1e);
        if (pte_addr(old) >> PAGE_SHIFT == mfn &&
            !((old ^ want) & (_PAGE_PRESENT | _PAGE_RW))) {
            __atomic_exchange_n(pl1e, nl1e, __ATOMIC_SEQ_CST);
            this_cpu_count(pte_write, 1);
            rc = GNTST_okay;
        }
        unmap_domain_page(pl1e);
    }
    if (rc)
        put_page_from_l1e(v->domain, nl1e);     /* the stolen entry is ours */
    return rc;
}

/* ---- map_grant_ref ---- */

static void map_grant_ref(struct vcpu *v, struct grant_table *lgt,
                          struct gnttab_map_grant_ref *op)
{
    struct domain *ld = v->domain, *rd;
    struct grant_table *rgt;
    unsigned int pin_incr = 0, refcnt = 0, typecnt = 0;
    bool ro = op->flags & GNTMAP_readonly, host_created = false, got_ref = false;
    struct active_grant *act;
    uint16_t *status;
    mfn_t mfn;
    int rc;

    if (op->flags & GNTMAP_device_map)
        pin_incr += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    if (op->flags & GNTMAP_host_map)
        pin_incr += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    if (!pin_incr) {
        op->status = GNTST_bad_gntref;
        return;
    }
    if (!(rd = domain_by_id(op->dom))) {
        op->status = GNTST_bad_domain;
        return;
    }
    if (rd != ld) {
        op->status = foreign_grant_status(ld, rd, op->ref, ro, true);
        return;
    }
    rgt = lgt;
    grant_handle_t handle = get_maptrack_handle(v, lgt);
    if (handle == INVALID_HANDLE) {
        op->status = GNTST_no_space;
        return;
    }
    grant_ref_t ref = op->ref;
    if (ref >= nr_entries(rgt)) {
        rc = GNTST_bad_gntref;
        goto out_put_handle;
    }
    act = act_of(rgt, ref);
    if (act->pin && (act->domid != ld->domain_id ||
                     (act->pin & GNTPIN_oflow_mask(pin_incr)) || act->is_sub_page)) {
        rc = GNTST_general_error;
        goto out_put_handle;
    }
    status = status_of(rgt, ref);
    if (!act->pin || (!ro && !(act->pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)))) {
        if ((rc = set_status(rgt, ref, act, ro, true, ld->domain_id)) != GNTST_okay)
            goto out_put_handle;
        if (!act->pin) {
            uint64_t gfn = rgt->version == 1 ? ACCESS_ONCE(sha1(rgt, ref)->frame)
                                             : ACCESS_ONCE(sha2(rgt, ref)->full_page.frame);
            if ((rc = get_paged_frame(gfn, &mfn, rd)) != GNTST_okay)
                goto out_clear;
            got_ref = true;
            *act = (struct active_grant){ .domid = ld->domain_id, .mfn = mfn,
                                          .length = PAGE_SIZE };
        }
    }
    act->pin += pin_incr;
    mfn = act->mfn;

    /* The frame's general reference (Xen: from get_paged_frame, or
     * page_get_owner_and_reference for an entry already pinned). */
    rc = GNTST_general_error;
    if (!got_ref && get_page(mfn, rd))
        goto undo;
    refcnt++;
    if ((op->flags & GNTMAP_device_map) && !ro) {
        if (get_page_type(mfn, rd, PGT_writable))
            goto undo;
        typecnt++;
    }
    if (op->flags & GNTMAP_host_map) {
        if (op->flags & GNTMAP_device_map) {
            if (get_page(mfn, rd))
                goto undo;
            refcnt++;
        }
        if (!ro) {
            if (get_page_type(mfn, rd, PGT_writable))
                goto undo;
            typecnt++;
        }
        if ((rc = create_host_mapping(v, op->host_addr, mfn, op->flags)) != GNTST_okay)
            goto undo;
        host_created = true;
    }

    struct grant_mapping *mt = mt_of(lgt, handle);
    mt->domid = op->dom;
    mt->ref = op->ref;
    mt->flags = op->flags;
    op->dev_bus_addr = (uint64_t)mfn << PAGE_SHIFT;
    op->handle = handle;
    op->status = GNTST_okay;
    return;

 undo:
    if (host_created) {
        replace_host_mapping(v, op->host_addr, mfn, 0, op->flags);
        flush_mask(domain_dirty_cpumask(ld), FLUSH_TLB, 0);
    }
    while (typecnt--)
        put_page_type(mfn, rd);
    while (refcnt--)
        put_page(mfn);
    act->pin -= pin_incr;
 out_clear:
    reduce_status_for_pin(act, status, ro);
 out_put_handle:
    op->status = rc;
    put_maptrack_handle(lgt, handle);
}

/* ---- unmap_grant_ref / unmap_and_replace ---- */

struct unmap_common {
    uint64_t host_addr, dev_bus_addr, new_addr;
    grant_handle_t handle;
    int16_t status;
    uint16_t done;           /* GNTMAP_host_map/device_map | readonly done */
    mfn_t mfn;
    grant_ref_t ref;
};
#define UNMAP_BATCH 32       /* Xen's GNTTAB_UNMAP_BATCH_SIZE */

static void unmap_common(struct vcpu *v, struct grant_table *lgt, struct unmap_common *op)
{
    struct grant_table *rgt = lgt;       /* every mapping is of our own grants */
    op->done = 0;
    op->status = GNTST_okay;

    if (op->handle >= lgt->maptrack_limit || !mt_of(lgt, op->handle)->flags) {
        op->status = GNTST_bad_handle;
        return;
    }
    struct grant_mapping *map = mt_of(lgt, op->handle);
    unsigned int flags = map->flags;
    if (map->ref >= nr_entries(rgt)) {   /* the table changed version */
        op->status = GNTST_bad_handle;
        return;
    }
    op->ref = map->ref;
    struct active_grant *act = act_of(rgt, op->ref);
    op->mfn = act->mfn;

    if (op->dev_bus_addr && (flags & GNTMAP_device_map) &&
        op->dev_bus_addr != (uint64_t)act->mfn << PAGE_SHIFT) {
        op->status = GNTST_bad_dev_addr;
        return;
    }
    if (op->host_addr && (flags & GNTMAP_host_map)) {
        int rc = replace_host_mapping(v, op->host_addr, op->mfn, op->new_addr, flags);
        if (rc) {
            op->status = rc;
            return;
        }
        map->flags &= ~GNTMAP_host_map;
        op->done |= GNTMAP_host_map | (flags & GNTMAP_readonly);
    }
    if (op->dev_bus_addr && (flags & GNTMAP_device_map)) {
        map->flags &= ~GNTMAP_device_map;
        op->done |= GNTMAP_device_map | (flags & GNTMAP_readonly);
    }
    if (!(map->flags & (GNTMAP_device_map | GNTMAP_host_map))) {
        map->flags = 0;
        put_maptrack_handle(lgt, op->handle);
    }
}

/* After the TLB flush: drop what the mapping held. */
static void unmap_common_complete(struct domain *d, struct grant_table *rgt,
                                  const struct unmap_common *op)
{
    if (!op->done)
        return;
    struct active_grant *act = act_of(rgt, op->ref);
    bool ro = op->done & GNTMAP_readonly;

    if (op->done & GNTMAP_device_map) {
        if (!ro)
            put_page_type(op->mfn, d);
        put_page(op->mfn);
        act->pin -= ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
    }
    if (op->done & GNTMAP_host_map) {
        if (!ro)
            put_page_type(op->mfn, d);
        put_page(op->mfn);
        act->pin -= ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    }
    reduce_status_for_pin(act, status_of(rgt, op->ref), ro);
}

/* Both unmap flavours: batches of 32, each op's status written back,
 * one TLB flush per batch before the references go. */
static long unmap_batch(struct vcpu *v, struct grant_table *gt, unsigned long uop,
                        unsigned int count, bool replace)
{
    struct unmap_common common[UNMAP_BATCH];
    size_t size = replace ? sizeof(struct gnttab_unmap_and_replace)
                          : sizeof(struct gnttab_unmap_grant_ref);
    size_t status_off = replace ? offsetof(struct gnttab_unmap_and_replace, status)
                                : offsetof(struct gnttab_unmap_grant_ref, status);
    long rc = 0;

    for (unsigned int base = 0; base < count && !rc; base += UNMAP_BATCH) {
        unsigned int c = MIN(count - base, (unsigned int)UNMAP_BATCH), done = 0;
        for (unsigned int i = 0; i < c; i++) {
            unsigned long addr = uop + (base + i) * size;
            struct unmap_common *op = &common[i];
            if (replace) {
                struct gnttab_unmap_and_replace u;
                if (copy_from_guest(&u, addr, sizeof(u))) {
                    rc = -XEN_EFAULT;
                    break;
                }
                *op = (struct unmap_common){ .host_addr = u.host_addr,
                                             .new_addr = u.new_addr, .handle = u.handle };
            } else {
                struct gnttab_unmap_grant_ref u;
                if (copy_from_guest(&u, addr, sizeof(u))) {
                    rc = -XEN_EFAULT;
                    break;
                }
                *op = (struct unmap_common){ .host_addr = u.host_addr,
                                             .dev_bus_addr = u.dev_bus_addr,
                                             .handle = u.handle };
            }
            unmap_common(v, gt, op);
            done++;
            if (copy_to_guest(addr + status_off, &op->status, sizeof(op->status))) {
                rc = -XEN_EFAULT;
                break;
            }
        }
        flush_mask(domain_dirty_cpumask(v->domain), FLUSH_TLB, 0);
        for (unsigned int i = 0; i < done; i++)
            unmap_common_complete(v->domain, gt, &common[i]);
    }
    return rc;
}

/* ---- copy ---- */

struct copy_buf {
    struct domain *domain;
    mfn_t mfn;
    bool ro, have_page, have_type, have_grant;
    grant_ref_t ref;
    uint16_t offset, len;    /* the part of the frame the grant covers */
};

/* Xen's acquire_grant_for_copy (without transitive grants): pin the
 * entry for ldom and take one general reference on its frame. */
static int acquire_grant_for_copy(struct grant_table *rgt, struct domain *rd,
                                  grant_ref_t ref, uint16_t ldom, bool ro,
                                  struct copy_buf *buf)
{
    unsigned int pin_incr = ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    int rc;

    if (ref >= nr_entries(rgt))
        return GNTST_bad_gntref;
    struct active_grant *act = act_of(rgt, ref);
    uint16_t *status = status_of(rgt, ref);
    if (act->pin && (act->domid != ldom || (act->pin & GNTPIN_oflow_mask(pin_incr))))
        return GNTST_general_error;
    uint32_t old_pin = act->pin;
    if (rgt->version == 2 && (ACCESS_ONCE(shah(rgt, ref)->flags) & GTF_type_mask) ==
                             GTF_transitive) {
        if ((!old_pin || (!ro && !(old_pin & (GNTPIN_devw_mask | GNTPIN_hstw_mask)))) &&
            (rc = set_status_v2(shah(rgt, ref), status, act, ro, false, ldom)))
            return rc;
        /* A transitive grant names another domain: not in asilab. */
        reduce_status_for_pin(act, status, ro);
        return GNTST_general_error;
    }
    if (!old_pin || (!ro && !(old_pin & (GNTPIN_devw_mask | GNTPIN_hstw_mask)))) {
        if ((rc = set_status(rgt, ref, act, ro, false, ldom)))
            return rc;
    }
    if (!old_pin) {
        uint64_t gfn;
        uint16_t start = 0, length = PAGE_SIZE;
        bool sub = false;
        if (rgt->version == 1) {
            gfn = ACCESS_ONCE(sha1(rgt, ref)->frame);
        } else {
            grant_entry_v2_t *e = sha2(rgt, ref);
            if (ACCESS_ONCE(e->hdr.flags) & GTF_sub_page) {
                gfn = ACCESS_ONCE(e->sub_page.frame);
                start = ACCESS_ONCE(e->sub_page.page_off);
                length = ACCESS_ONCE(e->sub_page.length);
                sub = true;
            } else {
                gfn = ACCESS_ONCE(e->full_page.frame);
            }
        }
        if ((rc = get_paged_frame(gfn, &buf->mfn, rd))) {
            reduce_status_for_pin(act, status, ro);
            return rc;
        }
        *act = (struct active_grant){ .domid = ldom, .mfn = buf->mfn, .start = start,
                                      .length = length, .is_sub_page = sub };
    } else if (get_page(act->mfn, rd)) {
        /* Pinned already: the reference (and below the type) is taken on
         * the frame that is copied to, act->mfn, whatever the entry says
         * now (Xen takes them on the entry's current frame when it
         * upgrades a read pin to write). */
        reduce_status_for_pin(act, status, ro);
        return GNTST_bad_domain;
    }
    act->pin += pin_incr;
    buf->mfn = act->mfn;
    buf->offset = act->start;
    buf->len = act->length;
    return GNTST_okay;
}

static void release_grant_for_copy(struct grant_table *rgt, grant_ref_t ref, bool ro)
{
    struct active_grant *act = act_of(rgt, ref);
    act->pin -= ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
    reduce_status_for_pin(act, status_of(rgt, ref), ro);
}

static void copy_release(struct grant_table *gt, struct copy_buf *b)
{
    if (b->have_grant)
        release_grant_for_copy(gt, b->ref, b->ro);
    if (b->have_type)
        put_page_type(b->mfn, b->domain);
    if (b->have_page)
        put_page(b->mfn);
    b->have_grant = b->have_type = b->have_page = false;
}

static int copy_claim(struct vcpu *v, struct grant_table *gt, const struct gnttab_copy *op,
                      const struct gnttab_copy_ptr *ptr, unsigned int gref_flag,
                      struct copy_buf *b)
{
    int rc;

    b->domain = v->domain;
    b->ro = gref_flag == GNTCOPY_source_gref;
    if (op->flags & gref_flag) {
        if ((rc = acquire_grant_for_copy(gt, b->domain, ptr->u.ref, v->domain->domain_id,
                                         b->ro, b)))
            return rc;
        b->ref = ptr->u.ref;
        b->have_grant = true;
    } else {
        if ((rc = get_paged_frame(ptr->u.gmfn, &b->mfn, b->domain)))
            return rc;
        b->offset = 0;
        b->len = PAGE_SIZE;
    }
    b->have_page = true;
    if (!b->ro) {
        if (get_page_type(b->mfn, b->domain, PGT_writable))
            return GNTST_general_error;
        b->have_type = true;
    }
    return GNTST_okay;
}

static int copy_one(struct vcpu *v, struct grant_table *gt, const struct gnttab_copy *op)
{
    struct copy_buf src = { 0 }, dst = { 0 };
    int rc;

    /* Xen's gnttab_copy_lock_domains: source then destination, before
     * either buffer is claimed; only DOMID_SELF may name a frame. */
    const struct gnttab_copy_ptr *ptr[2] = { &op->source, &op->dest };
    const unsigned int gref[2] = { GNTCOPY_source_gref, GNTCOPY_dest_gref };
    struct domain *dom[2];
    for (unsigned int i = 0; i < 2; i++) {
        if (ptr[i]->domid != DOMID_SELF && !(op->flags & gref[i]))
            return GNTST_permission_denied;
        if (!(dom[i] = domain_by_any_id(v->domain, ptr[i]->domid)))
            return GNTST_bad_domain;
    }
    for (unsigned int i = 0; i < 2; i++)
        if (dom[i] != v->domain)             /* only a gref names another domain */
            return foreign_grant_status(v->domain, dom[i], ptr[i]->u.ref, i == 0, false);

    if ((rc = copy_claim(v, gt, op, &op->source, GNTCOPY_source_gref, &src)) ||
        (rc = copy_claim(v, gt, op, &op->dest, GNTCOPY_dest_gref, &dst)))
        goto out;
    rc = GNTST_bad_copy_arg;
    if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE)
        goto out;
    rc = GNTST_general_error;
    if (op->source.offset < src.offset || op->source.offset + op->len > src.offset + src.len ||
        op->dest.offset < dst.offset || op->dest.offset + op->len > dst.offset + dst.len)
        goto out;
    uint8_t *to = map_domain_page(dst.mfn);
    const uint8_t *from = map_domain_page(src.mfn);
    memmove(to + op->dest.offset, from + op->source.offset, op->len);
    unmap_domain_page(from);
    unmap_domain_page(to);
    rc = GNTST_okay;
 out:
    copy_release(gt, &dst);
    copy_release(gt, &src);
    return rc;
}

static long gnttab_copy(struct vcpu *v, struct grant_table *gt, unsigned long uop,
                        unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_copy op;
        unsigned long addr = uop + i * sizeof(op);
        if (copy_from_guest(&op, addr, sizeof(op)))
            return -XEN_EFAULT;
        op.status = copy_one(v, gt, &op);
        if (copy_to_guest(addr + offsetof(struct gnttab_copy, status), &op.status,
                          sizeof(op.status)))
            return -XEN_EFAULT;
    }
    return 0;
}

/* ---- table management ---- */

static long setup_table(struct vcpu *v, unsigned long uop, unsigned int count)
{
    struct gnttab_setup_table op;
    struct domain *d;
    struct grant_table *gt;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!guest_range_ok(op.frame_list, (uint64_t)op.nr_frames * sizeof(uint64_t)))
        return -XEN_EFAULT;
    if (!(d = domain_by_any_id(v->domain, op.dom)))
        op.status = GNTST_bad_domain;
    else if (d != v->domain)
        op.status = GNTST_permission_denied;
    else if (!(gt = gnttab_get(d)) || op.nr_frames > GNTTAB_MAX_FRAMES)
        op.status = GNTST_general_error;
    else if ((op.nr_frames > gt->nr_frames ||
              (gt->version > 1 && status_frames(op.nr_frames) > gt->nr_status)) &&
             grow_table(d, gt, op.nr_frames))
        op.status = GNTST_general_error;
    else {
        op.status = GNTST_okay;
        for (unsigned int i = 0; i < op.nr_frames; i++) {
            uint64_t mfn = gt->shared[i];
            if (copy_to_guest(op.frame_list + i * sizeof(mfn), &mfn, sizeof(mfn)))
                op.status = GNTST_bad_virt_addr;
        }
    }
    if (copy_to_guest(uop + offsetof(struct gnttab_setup_table, status), &op.status,
                      sizeof(op.status)))
        return -XEN_EFAULT;
    return 0;
}

static long query_size(struct vcpu *v, unsigned long uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct domain *d;
    struct grant_table *gt;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!(d = domain_by_any_id(v->domain, op.dom)))
        op.status = GNTST_bad_domain;
    else if (d != v->domain)
        op.status = GNTST_permission_denied;
    else if (!(gt = gnttab_get(d)))
        op.status = GNTST_general_error;
    else {
        op.nr_frames = gt->nr_frames;
        op.max_nr_frames = GNTTAB_MAX_FRAMES;
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long set_version(struct vcpu *v, struct grant_table *gt, unsigned long uop)
{
    struct gnttab_set_version op;
    grant_entry_v1_t keep[GNTTAB_NR_RESERVED_ENTRIES];
    long res;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    res = -XEN_EINVAL;
    if (op.version != 1 && op.version != 2)
        goto out;
    res = 0;
    if (gt->version == op.version)
        goto out;
    /* Not while in use, apart from the reserved entries. */
    for (unsigned int i = GNTTAB_NR_RESERVED_ENTRIES; i < nr_entries(gt); i++)
        if (act_of(gt, i)->pin) {
            res = -XEN_EBUSY;
            goto out;
        }
    if (gt->version == 1) {
        if ((res = populate_status_frames(v->domain, gt, gt->nr_frames)))
            goto out;
    } else {
        for (unsigned int i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++) {
            const grant_entry_v2_t *e = sha2(gt, i);
            unsigned int type = e->hdr.flags & GTF_type_mask;
            if ((type == GTF_permit_access && (e->full_page.frame >> 32)) ||
                type == GTF_transitive) {
                res = -XEN_ERANGE;       /* not representable in v1 */
                goto out;
            }
        }
    }
    /* Keep the reserved entries across the switch. */
    for (unsigned int i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++) {
        if (gt->version == 1) {
            keep[i] = *sha1(gt, i);
            continue;
        }
        const grant_entry_v2_t *e = sha2(gt, i);
        if ((e->hdr.flags & GTF_type_mask) == GTF_permit_access)
            keep[i] = (grant_entry_v1_t){ .flags = e->hdr.flags | *status_of(gt, i),
                                          .domid = e->hdr.domid,
                                          .frame = (uint32_t)e->full_page.frame };
        else
            keep[i] = (grant_entry_v1_t){ 0 };
    }
    if (op.version == 1 && gt->version == 2 &&
        (res = unpopulate_status_frames(v->domain, gt)))
        goto out;
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        memset(mfn_to_virt(gt->shared[i]), 0, PAGE_SIZE);
    gt->version = op.version;
    for (unsigned int i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++) {
        if (op.version == 1) {
            *sha1(gt, i) = keep[i];
            continue;
        }
        grant_entry_v2_t *e = sha2(gt, i);
        *status_of(gt, i) = keep[i].flags & (GTF_reading | GTF_writing);
        e->hdr.flags = keep[i].flags & ~(GTF_reading | GTF_writing);
        e->hdr.domid = keep[i].domid;
        e->full_page.frame = keep[i].frame;
    }
 out:
    op.version = gt->version;
    if (copy_to_guest(uop, &op, sizeof(op)))
        res = -XEN_EFAULT;
    return res;
}

static long get_status_frames(struct vcpu *v, unsigned long uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    struct domain *d;
    struct grant_table *gt;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!guest_range_ok(op.frame_list, (uint64_t)op.nr_frames * sizeof(uint64_t)))
        return -XEN_EFAULT;
    if (!(d = domain_by_any_id(v->domain, op.dom)))
        op.status = GNTST_bad_domain;
    else if (d != v->domain)
        op.status = GNTST_permission_denied;
    else if (!(gt = gnttab_get(d)) || op.nr_frames > gt->nr_status)
        op.status = GNTST_general_error;
    else {
        op.status = GNTST_okay;
        for (unsigned int i = 0; i < op.nr_frames; i++) {
            uint64_t mfn = gt->status[i];
            if (copy_to_guest(op.frame_list + i * sizeof(mfn), &mfn, sizeof(mfn)))
                op.status = GNTST_bad_virt_addr;
        }
    }
    if (copy_to_guest(uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                      sizeof(op.status)))
        return -XEN_EFAULT;
    return 0;
}

static long get_version(struct vcpu *v, unsigned long uop)
{
    struct gnttab_get_version op;
    struct domain *d;
    struct grant_table *gt;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!(d = domain_by_any_id(v->domain, op.dom)))
        return -XEN_ESRCH;
    if (d != v->domain)
        return -XEN_EPERM;               /* Xen's XSM for a foreign table */
    if (!(gt = gnttab_get(d)))
        return -XEN_ENOMEM;
    op.version = gt->version;
    return copy_to_guest(uop + offsetof(struct gnttab_get_version, version), &op.version,
                         sizeof(op.version)) ? -XEN_EFAULT : 0;
}

static int16_t swap_grant_ref(struct grant_table *gt, grant_ref_t a, grant_ref_t b)
{
    if (a >= nr_entries(gt) || b >= nr_entries(gt))
        return GNTST_bad_gntref;
    if (a == b)
        return GNTST_okay;
    if (act_of(gt, a)->pin || act_of(gt, b)->pin)
        return GNTST_eagain;
    if (gt->version == 1) {
        grant_entry_v1_t t = *sha1(gt, a);
        *sha1(gt, a) = *sha1(gt, b);
        *sha1(gt, b) = t;
    } else {
        grant_entry_v2_t t = *sha2(gt, a);
        grant_status_t s = *status_of(gt, a);
        *sha2(gt, a) = *sha2(gt, b);
        *status_of(gt, a) = *status_of(gt, b);
        *sha2(gt, b) = t;
        *status_of(gt, b) = s;
    }
    return GNTST_okay;
}

static long swap_refs(struct grant_table *gt, unsigned long uop, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_swap_grant_ref op;
        unsigned long addr = uop + i * sizeof(op);
        if (copy_from_guest(&op, addr, sizeof(op)))
            return -XEN_EFAULT;
        op.status = swap_grant_ref(gt, op.ref_a, op.ref_b);
        if (copy_to_guest(addr + offsetof(struct gnttab_swap_grant_ref, status), &op.status,
                          sizeof(op.status)))
            return -XEN_EFAULT;
    }
    return 0;
}

/* Xen's _cache_flush on x86: clean (and invalidate) a range of a frame
 * the caller owns or has an active grant on; invalidation alone is not
 * supported.  A frame owned by no domain (free, or the hv's) is -EPERM
 * (XSA-232: Xen once dereferenced its missing grant table). */
static int cache_flush_one(struct vcpu *v, const struct gnttab_cache_flush *cf,
                           unsigned int cur_ref)
{
    if (cf->offset >= PAGE_SIZE || cf->length > PAGE_SIZE ||
        cf->offset + cf->length > PAGE_SIZE ||
        (cf->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)))
        return -XEN_EINVAL;
    if (!cf->length || !cf->op)
        return !cur_ref ? 0 : -XEN_EILSEQ;
    mfn_t mfn = cf->a.dev_bus_addr >> PAGE_SHIFT;
    if (mfn > max_mfn)
        return -XEN_EINVAL;
    unsigned int owner = mfn_to_page(mfn)->owner;
    if (owner == DOMID_HV || owner == DOMID_FREE || !domain_by_id(owner))
        return -XEN_EPERM;
    if (owner != v->domain->domain_id)
        /* Xen's grant_map_exists: an active grant of owner's to us.  In
         * asilab no domain pins another's grants, so there is none. */
        return -XEN_EINVAL;
    if (!(cf->op & GNTTAB_CACHE_CLEAN))
        return -XEN_EOPNOTSUPP;          /* x86: invalidate alone */
    const uint8_t *p = (const uint8_t *)map_domain_page(mfn) + cf->offset;
    for (unsigned int off = 0; off < cf->length; off += 64)
        __asm__ volatile("clflush %0" :: "m"(p[off]));
    __asm__ volatile("mfence" ::: "memory");
    unmap_domain_page(p);
    return 0;
}

static long cache_flush(struct vcpu *v, unsigned long uop, unsigned int count,
                        unsigned int cur_ref)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_cache_flush cf;
        if (copy_from_guest(&cf, uop + i * sizeof(cf), sizeof(cf)))
            return -XEN_EFAULT;
        int rc = cache_flush_one(v, &cf, cur_ref);
        if (rc < 0)
            return rc;
        cur_ref = 0;
    }
    return 0;
}

/* ---- the hypercall ---- */

#define GNTTABOP_CMD_MASK 0xfffU          /* Xen's continuation argument shift 12 */

long do_grant_table_op(unsigned long cmd_l, unsigned long uop, unsigned long count_l,
                       unsigned long a4, unsigned long a5)
{
    static bool logged[32];
    unsigned int cmd = cmd_l, count = count_l, opaque = cmd & ~GNTTABOP_CMD_MASK;
    struct vcpu *v = current;
    struct grant_table *gt;
    size_t size = 0;

    if ((int)count < 0)
        return -XEN_EINVAL;
    cmd &= GNTTABOP_CMD_MASK;
    if (cmd != GNTTABOP_cache_flush && opaque)
        return -XEN_EINVAL;
    switch (cmd) {                        /* the batched ops' entry sizes */
    case GNTTABOP_map_grant_ref:     size = sizeof(struct gnttab_map_grant_ref); break;
    case GNTTABOP_unmap_grant_ref:   size = sizeof(struct gnttab_unmap_grant_ref); break;
    case GNTTABOP_unmap_and_replace: size = sizeof(struct gnttab_unmap_and_replace); break;
    case GNTTABOP_copy:              size = sizeof(struct gnttab_copy); break;
    case GNTTABOP_swap_grant_ref:    size = sizeof(struct gnttab_swap_grant_ref); break;
    case GNTTABOP_cache_flush:       size = sizeof(struct gnttab_cache_flush); break;
    }
    if (size && count > MAX_PV_BATCH)     /* no continuations: bound the work */
        return -XEN_EINVAL;
    if (size && !guest_range_ok(uop, (uint64_t)count * size))   /* guest_handle_okay */
        return -XEN_EFAULT;
    if (!(gt = gnttab_get(v->domain)))
        return -XEN_ENOMEM;

    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        for (unsigned int i = 0; i < count; i++) {
            struct gnttab_map_grant_ref op;
            unsigned long addr = uop + i * sizeof(op);
            if (copy_from_guest(&op, addr, sizeof(op)))
                return -XEN_EFAULT;
            map_grant_ref(v, gt, &op);
            if (copy_to_guest(addr, &op, sizeof(op)))
                return -XEN_EFAULT;
        }
        return 0;
    case GNTTABOP_unmap_grant_ref:
        return unmap_batch(v, gt, uop, count, false);
    case GNTTABOP_unmap_and_replace:
        return unmap_batch(v, gt, uop, count, true);
    case GNTTABOP_setup_table:
        return setup_table(v, uop, count);
    case GNTTABOP_copy:
        return gnttab_copy(v, gt, uop, count);
    case GNTTABOP_query_size:
        return query_size(v, uop, count);
    case GNTTABOP_set_version:
        return set_version(v, gt, uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(v, uop, count);
    case GNTTABOP_get_version:
        return get_version(v, uop);
    case GNTTABOP_swap_grant_ref:
        return swap_refs(gt, uop, count);
    case GNTTABOP_cache_flush:
        return cache_flush(v, uop, count, opaque);
    default:                              /* transfer, dump_table, unknown */
        if (cmd < ARRAY_SIZE(logged) && !logged[cmd]) {
            logged[cmd] = true;
            printk("hv: d%u: grant_table_op %u not supported\n", v->domain->domain_id, cmd);
        }
        return -XEN_ENOSYS;
    }
}
