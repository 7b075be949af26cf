/* gdt_ldt: guest descriptor tables.  Checks first that segment loads
 * through a guest GDT selector and through LDT selectors really work and
 * that each LDT page is mapped lazily exactly once (the ldt_map event),
 * then measures set_gdt (1 and 14 frames), update_descriptor on a live
 * GDT page, MMUEXT_SET_LDT, and the first touch of a lazily mapped LDT
 * page, a segment reload through an LDT selector, and (vcpus=2) vCPU
 * switches between two vCPUs on the default GDT vs. two with their own
 * GDTs (each switch then loads the full GDT of the next vCPU).
 * Exposes what a strategy pays to keep per-vCPU GDT/LDT windows. */
#include "mm.h"

const char workload_name[] = "gdt_ldt";
const char *const workload_args[] = { NULL };

#define LDT_ENTS 1024                     /* two pages */
static unsigned long gdt_frames[14];
static uint64_t *gdt_pages[14];
static uint64_t *ldt_pages[2];
static volatile unsigned long marker_gdt = 0x6d7, marker_ldt0 = 0x1d0, marker_ldt1 = 0x1d1;

/* A flat-limit data segment at ring 3 with a 32-bit base. */
static uint64_t data_desc(unsigned long base)
{
    return 0xffffUL | ((base & 0xffffff) << 16) | (0xf2UL << 40) |
           (0xcfUL << 48) | (((base >> 24) & 0xff) << 56);
}

static unsigned long fs_load_read(uint16_t sel)
{
    unsigned long v;
    __asm__ volatile("mov %w1, %%fs; mov %%fs:0, %0" : "=r"(v) : "r"(sel) : "memory");
    return v;
}

static uint64_t ldt_map_events(void)
{
    struct asilab_counters c = { { 0 } };
    counters_get(&c);
    return c.ev[EV_ldt_map];
}

static void set_ldt(void)
{
    if (mmuext1(MMUEXT_SET_LDT, (unsigned long)ldt_pages[0], LDT_ENTS))
        guest_panic("SET_LDT failed");
}

static void check_segments(void)
{
    /* GDT entry 1 and LDT entries 0 (page 0) and 600 (page 1). */
    gdt_pages[0][1] = data_desc((unsigned long)&marker_gdt);
    ldt_pages[0][0] = data_desc((unsigned long)&marker_ldt0);
    ldt_pages[1][600 - 512] = data_desc((unsigned long)&marker_ldt1);
    for (int i = 0; i < 14; i++)
        if (make_readonly(gdt_pages[i]))
            guest_panic("cannot make GDT page %d read-only", i);
    for (int i = 0; i < 2; i++)
        if (make_readonly(ldt_pages[i]))
            guest_panic("cannot make LDT page %d read-only", i);
    if (HYPERVISOR_set_gdt(gdt_frames, 512))
        guest_panic("set_gdt failed");
    if (fs_load_read((1 << 3) | 3) != 0x6d7)
        guest_panic("load through the guest GDT did not see its segment");

    set_ldt();
    uint64_t e0 = ldt_map_events();
    if (fs_load_read((0 << 3) | 7) != 0x1d0)
        guest_panic("load through LDT entry 0 did not see its segment");
    uint64_t e1 = ldt_map_events();
    if (fs_load_read((0 << 3) | 7) != 0x1d0)
        guest_panic("second load through LDT entry 0 failed");
    uint64_t e2 = ldt_map_events();
    if (fs_load_read((600 << 3) | 7) != 0x1d1)
        guest_panic("load through LDT entry 600 did not see its segment");
    uint64_t e3 = ldt_map_events();
    /* (A lean image has no counters: only the loads themselves checked.) */
    if (lab_info.counters && (e1 - e0 != 1 || e2 - e1 != 0 || e3 - e2 != 1))
        guest_panic("lazy LDT mappings per first touch %lu/%lu/%lu, expected 1/0/1",
                    e1 - e0, e2 - e1, e3 - e2);
    __asm__ volatile("mov %0, %%fs" :: "r"(0));
    printf("gdt_ldt: GDT and LDT segment loads work, LDT pages mapped once each\n");
}

static uint64_t op_set_gdt(void *ctx, unsigned long n)
{
    unsigned int entries = (unsigned int)(unsigned long)ctx * 512;
    return TIMED_LOOP(n, if (HYPERVISOR_set_gdt(gdt_frames, entries))
                             guest_panic("set_gdt failed"));
}

static uint64_t op_update_descriptor(void *ctx, unsigned long n)
{
    uint64_t ma = ((uint64_t)gdt_frames[0] << 12) + 2 * 8;
    return TIMED_LOOP(n, if (HYPERVISOR_update_descriptor(ma, data_desc(i & 0xfff000)))
                             guest_panic("update_descriptor failed"));
}

BENCH_FN(op_set_ldt, set_ldt())

/* Only the touch is timed; the SET_LDT that unmaps the page before each
 * touch is not (its events, one ldt_load, are in the record). */
static uint64_t op_ldt_first_touch(void *ctx, unsigned long n)
{
    uint64_t total = 0;
    for (unsigned long i = 0; i < n; i++) {
        set_ldt();
        uint64_t t0 = rdtsc_fenced();
        __asm__ volatile("mov %0, %%fs" :: "r"(7) : "memory");
        total += rdtsc_fenced() - t0;
    }
    __asm__ volatile("mov %0, %%fs" :: "r"(0));
    return total;
}

static uint64_t op_ldt_reload(void *ctx, unsigned long n)
{
    uint64_t t = TIMED_LOOP(n, __asm__ volatile("mov %0, %%fs" :: "r"(7) : "memory"));
    __asm__ volatile("mov %0, %%fs" :: "r"(0));
    return t;
}

/* vCPU 1 of the domain yields forever; it takes its own GDT when told. */
static char partner_stack[8192] __aligned(16);
static volatile int partner_want_gdt, partner_has_gdt;
static unsigned long partner_frame;

static void partner(void)
{
    for (;;) {
        if (partner_want_gdt && !partner_has_gdt) {
            if (HYPERVISOR_set_gdt(&partner_frame, 512))
                guest_panic("vCPU 1: set_gdt failed");
            partner_has_gdt = 1;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

BENCH_FN(op_yields, HYPERVISOR_sched_op(SCHEDOP_yield, NULL))

static void gdt_switches(void)
{
    void *pg = page_alloc();
    make_readonly(pg);
    partner_frame = virt_to_mfn(pg);
    HYPERVISOR_set_gdt(NULL, 0);                 /* both on the default GDT */
    if (vcpu_start(1, partner, partner_stack + sizeof(partner_stack)))
        guest_panic("starting vCPU 1 failed");
    bench_op("yield_default_gdt", op_yields, NULL, 2);
    partner_want_gdt = 1;
    while (!partner_has_gdt)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    if (HYPERVISOR_set_gdt(gdt_frames, 512))
        guest_panic("set_gdt failed");
    bench_op("yield_own_gdt", op_yields, NULL, 2);
}

void workload_main(void)
{
    for (int i = 0; i < 14; i++) {
        gdt_pages[i] = page_alloc();
        gdt_frames[i] = virt_to_mfn(gdt_pages[i]);
    }
    for (int i = 0; i < 2; i++)
        ldt_pages[i] = page_alloc();
    check_segments();

    bench_op("set_gdt_1", op_set_gdt, (void *)1UL, 1);
    bench_op("set_gdt_14", op_set_gdt, (void *)14UL, 1);
    HYPERVISOR_set_gdt(gdt_frames, 512);
    bench_op("update_descriptor", op_update_descriptor, NULL, 1);
    bench_op("set_ldt", op_set_ldt, NULL, 1);
    bench_op("ldt_first_touch", op_ldt_first_touch, NULL, 1);
    set_ldt();
    __asm__ volatile("mov %0, %%fs; mov %1, %%fs" :: "r"(7), "r"(0));   /* map it */
    bench_op("ldt_selector_reload", op_ldt_reload, NULL, 1);
    char v[8] = "1";
    arg_get("vcpus", v, sizeof(v));
    if (strcmp(v, "1"))
        gdt_switches();
}
