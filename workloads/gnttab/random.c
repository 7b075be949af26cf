/* gnttab, random part: N seeded grant_table_op calls (map, unmap,
 * unmap_and_replace, copy, set_version, swap, setup_table) with
 * arguments mixing valid and hostile values, on entries filled at
 * random, aimed at scratch pages and at what a grant must not give:
 * a pinned page table, the live L4, shared_info, the grant table's own
 * frames, the hv's frame, garbage.  The hv audits every reference after
 * each call; the guest only makes sure nothing it runs on is touched:
 * host addresses are scratch pages' (or their PTEs' machine addresses,
 * aligned or not), never its own code, data or tables, and nothing is
 * copied into shared_info. */
#include "gnttab.h"

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
#define PICK(a) ((a)[next() % ARRAY_SIZE(a)])

enum { NR_SCRATCH = 6, NR_VA = 4 };
static unsigned long scratch[NR_SCRATCH];   /* frames we may have written anywhere */
static char *va[NR_VA];                     /* addresses grants may be mapped at */
static uint64_t va_pte[NR_VA];
static unsigned long sandbox_l1, live_l4, shinfo;
static unsigned long ok_map, ok_unmap, ok_copy;   /* ops that succeeded */

static unsigned long any_frame(void)
{
    unsigned long pool[] = { scratch[next() % NR_SCRATCH], scratch[next() % NR_SCRATCH],
                             sandbox_l1, live_l4, shinfo, gnttab_mfn[next() % 2], 0x100,
                             next() & 0xfffff };
    return PICK(pool);
}

static uint64_t any_host(uint32_t *flags)
{
    unsigned int i = next() % NR_VA;
    switch (next() % 6) {
    case 0: case 1: case 2:
        return (uint64_t)va[i];
    case 3:
        *flags |= GNTMAP_contains_pte;
        return va_pte[i] + (next() % 8 == 0 ? 2 : 0);
    case 4:
        *flags |= GNTMAP_contains_pte;
        return ((uint64_t)PICK(scratch) << 12) + (next() % 512) * 8;
    default: {
        static const uint64_t bad[] = { 0, 0xffff830000000000UL, 0x7f0000000000UL,
                                        0x0000900000000000UL };
        return PICK(bad);
    }
    }
}

static void fill_entries(void)
{
    static const uint16_t flags[] = {
        GTF_permit_access, GTF_permit_access, GTF_permit_access | GTF_readonly,
        GTF_permit_access | GTF_sub_page, GTF_transitive, GTF_accept_transfer, 0,
    };
    for (unsigned int ref = 8; ref < 16; ref++) {
        if (next() % 3)
            continue;
        gnttab[ref].domid = next() % 8 ? domid : (uint16_t)next();
        gnttab[ref].frame = any_frame();
        __atomic_store_n(&gnttab[ref].flags, PICK(flags), __ATOMIC_RELEASE);
    }
}

static long random_map(void)
{
    struct gnttab_map_grant_ref op[2];
    unsigned int n = 1 + next() % 2;
    for (unsigned int i = 0; i < n; i++) {
        static const uint32_t fl[] = {
            GNTMAP_host_map, GNTMAP_host_map | GNTMAP_readonly,
            GNTMAP_host_map | GNTMAP_device_map, GNTMAP_device_map,
            GNTMAP_device_map | GNTMAP_readonly, GNTMAP_host_map | GNTMAP_application_map, 0,
        };
        uint32_t flags = PICK(fl);
        op[i] = (struct gnttab_map_grant_ref){ .flags = flags, .ref = 6 + next() % 12,
                                               .dom = next() % 8 ? domid : (uint16_t)next() };
        op[i].host_addr = any_host(&op[i].flags);
        if (!(op[i].flags & GNTMAP_host_map))
            op[i].flags &= ~GNTMAP_contains_pte;
    }
    long rc = HC(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, op, n, 0, 0);
    for (unsigned int i = 0; !rc && i < n; i++)
        ok_map += op[i].status == GNTST_okay;
    return rc;
}

static long random_unmap(void)
{
    uint32_t flags = 0;
    if (next() % 4 == 0) {
        struct gnttab_unmap_and_replace u = { .handle = next() % 24 };
        u.host_addr = (uint64_t)va[next() % NR_VA];
        /* new_addr's entry is taken whatever it maps: only ours to lose. */
        static const uint64_t elsewhere[] = { 0, 0x7f0000000000UL, 0xffff830000000000UL };
        u.new_addr = next() % 2 ? (uint64_t)va[next() % NR_VA] : PICK(elsewhere);
        long rc = HC(__HYPERVISOR_grant_table_op, GNTTABOP_unmap_and_replace, &u, 1, 0, 0);
        ok_unmap += !rc && u.status == GNTST_okay;
        return rc;
    }
    struct gnttab_unmap_grant_ref u = { .handle = next() % 24 };
    u.host_addr = next() % 4 ? any_host(&flags) : 0;
    u.dev_bus_addr = next() % 2 ? ((uint64_t)any_frame() << 12) : 0;
    long rc = HC(__HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, &u, 1, 0, 0);
    ok_unmap += !rc && u.status == GNTST_okay;
    return rc;
}

/* Frames a copy may write: never one we run on (garbage may be ours). */
static bool safe_dest(uint64_t f)
{
    if (f == sandbox_l1 || f == live_l4 || f == gnttab_mfn[0] || f == gnttab_mfn[1] ||
        f == 0x100)
        return true;
    for (unsigned int i = 0; i < NR_SCRATCH; i++)
        if (f == scratch[i])
            return true;
    return false;
}

/* The frame entry ref names now, in the table's current layout. */
static uint64_t entry_frame(unsigned int ref)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    HC(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, &gv, 1, 0, 0);
    if (gv.version == 1)
        return gnttab[ref].frame;
    return ((const grant_entry_v2_t *)gnttab)[ref].full_page.frame;
}

static void copy_ptr(struct gnttab_copy_ptr *p, bool dest, uint16_t *flags, uint16_t bit)
{
    p->domid = next() % 8 ? DOMID_SELF : domid;
    p->offset = next() % 2 ? next() % 64 : next() & 0xffff;
    if (next() % 2) {
        *flags |= bit;
        p->u.ref = 6 + next() % 12;
        p->domid = next() % 8 ? domid : DOMID_SELF;
    } else {
        unsigned long f = any_frame();
        p->u.gmfn = dest && !safe_dest(f) ? scratch[0] : f;
    }
}

static long random_copy(void)
{
    struct gnttab_copy c = { .len = next() % 2 ? next() % 512 : next() & 0xffff };
    copy_ptr(&c.source, false, &c.flags, GNTCOPY_source_gref);
    copy_ptr(&c.dest, true, &c.flags, GNTCOPY_dest_gref);
    if ((c.flags & GNTCOPY_dest_gref) && !safe_dest(entry_frame(c.dest.u.ref))) {
        c.flags &= ~GNTCOPY_dest_gref;
        c.dest.u.gmfn = scratch[1];
        c.dest.domid = DOMID_SELF;
    }
    long rc = HC(__HYPERVISOR_grant_table_op, GNTTABOP_copy, &c, 1, 0, 0);
    ok_copy += !rc && c.status == GNTST_okay;
    return rc;
}

static long random_table_op(void)
{
    switch (next() % 4) {
    case 0: {
        struct gnttab_set_version sv = { 1 + next() % 2 };
        return HC(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, 1, 0, 0);
    }
    case 1: {
        struct gnttab_swap_grant_ref s = { .ref_a = 6 + next() % 12, .ref_b = 6 + next() % 12 };
        return HC(__HYPERVISOR_grant_table_op, GNTTABOP_swap_grant_ref, &s, 1, 0, 0);
    }
    case 2: {
        uint64_t frames[4];
        struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = next() % 4,
                                         .frame_list = (uint64_t)frames };
        return HC(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, &st, 1, 0, 0);
    }
    default: {
        struct gnttab_cache_flush cf = { .a.dev_bus_addr = (uint64_t)any_frame() << 12,
                                         .length = next() % 4097, .op = next() % 4 };
        return HC(__HYPERVISOR_grant_table_op, GNTTABOP_cache_flush, &cf, 1, 0, 0);
    }
    }
}

void gnttab_random(unsigned long n, unsigned long seed)
{
    rng = seed * 0x9e3779b97f4a7c15UL + 1;
    for (unsigned int i = 0; i < NR_SCRATCH; i++)
        scratch[i] = virt_to_mfn(page_alloc());
    for (unsigned int i = 0; i < NR_VA; i++) {
        va[i] = page_alloc();
        va_pte[i] = pte_maddr(va[i], 1);
    }
    void *l1 = page_alloc();
    make_readonly(l1);
    sandbox_l1 = virt_to_mfn(l1);
    if (mmuext1(MMUEXT_PIN_L1_TABLE, sandbox_l1, 0))
        guest_panic("gnttab: pin the sandbox L1");
    live_l4 = virt_to_mfn((void *)start_info->pt_base);
    shinfo = start_info->shared_info >> 12;

    for (unsigned long i = 0; i < n; i++) {
        if (i % 16 == 0) {
            /* set_version may have moved us to v2 or wiped the entries. */
            fill_entries();
        }
        switch (next() % 8) {
        case 0: case 1: case 2: random_map(); break;
        case 3: case 4: random_unmap(); break;
        case 5: case 6: random_copy(); break;
        default: random_table_op(); break;
        }
    }
    printf("gnttab: random: %lu maps, %lu unmaps, %lu copies succeeded\n",
           ok_map, ok_unmap, ok_copy);
}
