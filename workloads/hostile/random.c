/* hostile, random mode: N hypercalls drawn from a seeded generator, with
 * arguments mixing valid and invalid values, aimed at a sandbox (tables
 * the guest builds but never runs on, probe pages, spare L4 slots) and at
 * things it must not get: its live L4 and the tables below it, shared_info
 * and the runstate frames (which the hv writes), descriptor frames in
 * use, hv and foreign frames.  The hv audits the domain after every call;
 * the guest only counts results.  Nothing here may touch the mappings the
 * guest itself runs on, nor succeed in anything that would kill it: a new
 * kernel base pointer is only ever one that cannot validate (or the live
 * L4 itself), a runstate area only ever lies in a scratch page. */
#include "hostile.h"

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
#define PICK(a) ((a)[next() % ARRAY_SIZE(a)])

enum { NR_SANDBOX = 6, NR_DATA = 4, NR_PROBE = 4, NR_DESC = 2 };
static unsigned long sandbox[NR_SANDBOX];     /* read-only, table candidates */
static unsigned long data[NR_DATA];           /* mapped read-write by the guest */
static char *data_va[NR_DATA];
static unsigned long desc[NR_DESC];           /* read-only, descriptor pages */
static char *probe[NR_PROBE];
static uint64_t probe_pte[NR_PROBE];
static unsigned long live_l4, live_l3, live_l2, live_l1, foreign, shinfo;

/* Any frame: the sandbox, scratch pages, descriptor frames (live as GDT
 * frames whenever a random set_gdt took them), the live tables, the
 * frames the hv writes (shared_info; data pages under a runstate area),
 * the hv, another domain, frame 0, and garbage. */
static unsigned long any_mfn(void)
{
    unsigned long pool[] = { sandbox[next() % NR_SANDBOX], data[next() % NR_DATA],
                             desc[next() % NR_DESC], live_l4, live_l3, live_l2, live_l1,
                             shinfo, foreign, 0x100, 0, next() & 0xfffffff };
    return PICK(pool);
}

static uint64_t any_pte(void)
{
    static const uint64_t flags[] = { PTE_FLAGS_RW, PTE_FLAGS_RO, PTE_FLAGS_RW | 0x80,
                                      PTE_FLAGS_RO | 0x100, PTE_FLAGS_RW | (1UL << 63),
                                      0, PTE_FLAGS_RW | (1UL << 55) };
    if (next() % 8 == 0)
        return next();
    return ((uint64_t)any_mfn() << 12) | PICK(flags);
}

/* Entries the guest may scribble on: sandbox tables (any slot), the
 * probes' PTEs, L4 slots 300-303, and some it must not (hv slots,
 * beyond RAM, data pages). */
static uint64_t any_ptr(void)
{
    switch (next() % 6) {
    case 0: case 1: return ((uint64_t)sandbox[next() % NR_SANDBOX] << 12) | ((next() % 512) * 8);
    case 2: return probe_pte[next() % NR_PROBE];
    case 3: return ((uint64_t)live_l4 << 12) + (300 + next() % 4) * 8;
    case 4: return ((uint64_t)live_l4 << 12) + (256 + next() % 16) * 8;
    default: {
        /* Never the live tables' other entries: they map the guest; and
         * no other own frame (as on Xen, an own writable frame is updated
         * as data), so the garbage lies past RAM. */
        unsigned long pool[] = { data[next() % NR_DATA], desc[next() % NR_DESC], foreign,
                                 0x100, (next() & 0xfffffff) | 0x1000000 };
        return ((uint64_t)PICK(pool) << 12) | (next() & 0xfff);
    }
    }
}

static unsigned long any_va(void)
{
    unsigned long pool[] = { (unsigned long)probe[next() % NR_PROBE],
                             0xffff830000000000UL, 0x0000900000000000UL, next() };
    return PICK(pool);
}

static long random_mmuext(void)
{
    static unsigned long masks[] = { 1, 2, 0x80, 0, ~0UL };
    unsigned long *mask = &masks[next() % ARRAY_SIZE(masks)];
    struct mmuext_op op = { 0 };
    static const unsigned int cmds[] = {
        MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE, MMUEXT_PIN_L3_TABLE,
        MMUEXT_PIN_L4_TABLE, MMUEXT_UNPIN_TABLE, MMUEXT_NEW_USER_BASEPTR,
        MMUEXT_TLB_FLUSH_LOCAL, MMUEXT_INVLPG_LOCAL, MMUEXT_TLB_FLUSH_MULTI,
        MMUEXT_INVLPG_MULTI, MMUEXT_TLB_FLUSH_ALL, MMUEXT_INVLPG_ALL,
        MMUEXT_SET_LDT, MMUEXT_NEW_BASEPTR, 99, MMUEXT_CLEAR_PAGE, MMUEXT_COPY_PAGE,
    };
    op.cmd = PICK(cmds);
    if (op.cmd == MMUEXT_CLEAR_PAGE || op.cmd == MMUEXT_COPY_PAGE) {
        /* Frames whose contents the guest can lose (or that must be
         * refused): never one it runs on. */
        unsigned long pool[] = { sandbox[next() % NR_SANDBOX], data[next() % NR_DATA],
                                 desc[next() % NR_DESC], live_l4, live_l3, live_l2, live_l1,
                                 foreign, 0x100, 0, (next() & 0xfffffff) | 0x1000000 };
        op.arg1.mfn = PICK(pool);
        op.arg2.src_mfn = next() % 2 ? PICK(pool) : shinfo;
        return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    }
    if (op.cmd == MMUEXT_NEW_BASEPTR) {
        /* Never one that validates as another L4 (the guest must keep
         * running): frames of another type for good (an L1 the guest runs
         * on, a page it maps writable, shared_info), frames it does not
         * own, or the live L4 itself (a reload). */
        unsigned long bad[] = { live_l1, live_l3, foreign, 0x100, data[0], shinfo, live_l4 };
        op.arg1.mfn = PICK(bad);
    } else if (op.cmd == MMUEXT_SET_LDT) {
        unsigned long bases[] = { (unsigned long)mfn_to_virt_guest(desc[0]),
                                  (unsigned long)probe[0] + 8, 0xffff830000000000UL, 0 };
        op.arg1.linear_addr = PICK(bases);
        op.arg2.nr_ents = next() % 9000;
        return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    } else if (op.cmd == MMUEXT_INVLPG_LOCAL || op.cmd == MMUEXT_INVLPG_MULTI ||
               op.cmd == MMUEXT_INVLPG_ALL) {
        op.arg1.linear_addr = any_va();
    } else {
        op.arg1.mfn = any_mfn();
    }
    op.arg2.vcpumask = next() % 4 ? (const void *)mask : (const void *)0xffff830000000000UL;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, next() % 16 ? DOMID_SELF : 7);
}

static long random_descriptor_call(void)
{
    static const uint64_t descs[] = {
        0x00af9a000000ffffUL, 0x00cff2000000ffffUL, 0x0000890000000067UL,
        0x0000820000000fffUL, 0x0000ec00e0330000UL, 0x0000ec00e0080000UL, 0,
    };
    unsigned long frames[16];
    switch (next() % 3) {
    case 0: {
        /* Not into shared_info, which the guest reads its events from:
         * a valid descriptor there would be accepted, as on Xen. */
        unsigned long mfn = any_mfn();
        uint64_t ma = ((uint64_t)(mfn == shinfo ? desc[0] : mfn) << 12) +
                      (next() % 513) * 8 + (next() % 8 == 0);
        return HYPERVISOR_update_descriptor(ma, next() % 4 ? PICK(descs) : next());
    }
    case 1:
        for (int i = 0; i < 16; i++)
            frames[i] = next() % 3 ? desc[next() % NR_DESC] : any_mfn();
        return HYPERVISOR_set_gdt(frames, next() % 8000);
    default:
        return HYPERVISOR_set_gdt(frames, 0);
    }
}

static void setup(void)
{
    for (int i = 0; i < NR_SANDBOX; i++) {
        void *p = page_alloc();
        make_readonly(p);
        sandbox[i] = virt_to_mfn(p);
    }
    for (int i = 0; i < NR_DATA; i++) {
        data_va[i] = page_alloc();
        data[i] = virt_to_mfn(data_va[i]);
    }
    for (int i = 0; i < NR_DESC; i++) {
        void *p = page_alloc();
        make_readonly(p);
        desc[i] = virt_to_mfn(p);
    }
    for (int i = 0; i < NR_PROBE; i++) {
        probe[i] = page_alloc();
        probe_pte[i] = pte_maddr(probe[i], 1);
    }
    live_l4 = virt_to_mfn((void *)start_info->pt_base);
    live_l3 = (pte_read(probe[0], 4) >> 12) & 0xffffffffffUL;
    live_l2 = (pte_read(probe[0], 3) >> 12) & 0xffffffffffUL;
    live_l1 = probe_pte[0] >> 12;
    foreign = foreign_mfn();
    shinfo = start_info->shared_info >> 12;
}

/* A runstate area for vCPU 0, 1 or (refused) 2: in a scratch page
 * (the hv then writes there; maybe straddling into the next one, which
 * for the last is a read-only descriptor frame: refused), in hv memory,
 * or none.  Never in a probe page, which may be remapped to anything the
 * guest may map writable (shared_info included). */
static long random_runstate(void)
{
    struct vcpu_register_runstate_memory_area a;
    unsigned long pool[] = { (unsigned long)data_va[next() % NR_DATA] + (next() % 4096),
                             0xffff830000000000UL, 0 };
    a.addr.p = PICK(pool);
    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, next() % 3, &a);
}

void random_calls(unsigned long n, unsigned long seed)
{
    rng = seed * 0x9e3779b97f4a7c15UL + 1;
    setup();
    for (unsigned long i = 0; i < n; i++) {
        long rc;
        switch (next() % 4) {
        case 0: {
            struct mmu_update u[2] = { { any_ptr(), any_pte() }, { any_ptr(), any_pte() } };
            unsigned int done;
            if (next() % 4) {
                rc = HYPERVISOR_mmu_update(u, 1 + next() % 2, &done, DOMID_SELF);
                break;
            }
            /* The same through a multicall, with an update_va_mapping:
             * each entry under the mm_lock and audited on its own. */
            struct multicall_entry mc[2] = {
                { .op = __HYPERVISOR_mmu_update,
                  .args = { (unsigned long)u, 1 + next() % 2, (unsigned long)&done,
                            DOMID_SELF } },
                { .op = __HYPERVISOR_update_va_mapping,
                  .args = { (unsigned long)probe[next() % NR_PROBE], any_pte(), next() % 8 } },
            };
            rc = HYPERVISOR_multicall(mc, 2);
            count_rc(mc[0].result);
            count_rc(mc[1].result);
            break;
        }
        case 1:
            rc = HYPERVISOR_update_va_mapping((unsigned long)probe[next() % NR_PROBE],
                                              any_pte(), next() % 8);
            break;
        case 2:
            rc = random_mmuext();
            break;
        default:
            rc = next() % 8 ? random_descriptor_call() : random_runstate();
            break;
        }
        count_rc(rc);
    }
    HYPERVISOR_set_gdt(NULL, 0);
    mmuext1(MMUEXT_SET_LDT, 0, 0);
    struct vcpu_register_runstate_memory_area none = { .addr.p = 0 };
    for (unsigned int v = 0; v < 3; v++)
        HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, v, &none);
}
