/* flush: TLB flushes and live page-table updates.  With vcpus=N spread=1
 * (N <= pCPUs) it first checks that a remote flush really reaches
 * another pCPU (vCPU 1 keeps seeing a stale translation after an
 * unflushed PTE update and the fresh one after TLB_FLUSH_MULTI), then
 * measures: local full flush, INVLPG, mmu_update of one L1 entry and of
 * one L4 entry of the live table, one MMUEXT_CLEAR_PAGE batch over 32
 * distinct frames (twice the per-vCPU mapcache's entries: under +sparse
 * every batch wraps it), a flush of k = 1..N-1 remote pCPUs
 * (IPI shootdown), and the refill after a local flush: touching P
 * distinct pages (refill=P1,P2,..., default 1,8,64,512), with the same
 * touches without a flush as the baseline.  ops=remote: only the
 * remote check and the remote flushes; ops=local: everything else.
 * The remote boot ends with mmu_update_l4_remote_live: the L4 update
 * with vCPU 1 running in guest mode on the same L4 on another pCPU, so
 * the root refresh (FLUSH_ROOT_PGTBL with the TLB flush, as Xen's
 * do_mmu_update) lands there and is paid there (remote_events).
 * Exposes flush and root-table propagation costs (XPTI, ASI), the
 * mapcache's maps and wrap flushes (+sparse) and, in timing mode, the
 * refill. */
#include "event.h"

const char workload_name[] = "flush";
const char *const workload_args[] = { "ops", "refill", NULL };

static char *probe;                    /* the page whose mapping changes */
static unsigned long frame_a, frame_b; /* two own frames, A then B */
static uint64_t probe_pte_ma;
static char partner_stack[8192] __aligned(16);
static volatile unsigned int step;
static volatile unsigned long seen_stale, seen_fresh;

static void wait_step(unsigned int s)
{
    while (step < s)
        __asm__ volatile("pause" ::: "memory");
}

static void map_probe(unsigned long mfn)
{
    struct mmu_update u = { probe_pte_ma, ((uint64_t)mfn << 12) | PTE_FLAGS_RW };
    if (HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF))
        guest_panic("mmu_update of the probe's L1 entry failed");
}

/* vCPU 1, on another pCPU: read the probe before, between and after. */
static char blocker_stacks[8][4096] __aligned(16);

/* vCPUs 2..N-1: make their pCPUs dirty for the domain, then stay off. */
static void blocker(void)
{
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

static unsigned int spin_port;             /* vCPU 0 -> vCPU 1: go spin */
static volatile bool spinning, stop_spinning;

static void partner(void)
{
    (void)*(volatile char *)probe;           /* cache the translation */
    step = 1;
    wait_step(2);
    seen_stale = *(volatile unsigned long *)probe;
    step = 3;
    wait_step(4);
    seen_fresh = *(volatile unsigned long *)probe;
    step = 5;
    evtchn_wait(1, spin_port);               /* stay out of the way (the */
    spinning = true;                         /* pCPU keeps our CR3), then */
    while (!stop_spinning)                   /* run in guest mode on the */
        __asm__ volatile("pause" ::: "memory");  /* domain's L4 */
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

static void check_remote_flush(void)
{
    unsigned long mask = 1UL << 1;

    map_shared_info();
    spin_port = evtchn_bind_ipi(1);
    if (vcpu_start(1, partner, partner_stack + sizeof(partner_stack)))
        guest_panic("starting vCPU 1 failed");
    wait_step(1);
    map_probe(frame_b);                      /* no flush: vCPU 1 is stale */
    step = 2;
    wait_step(3);
    if (mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)&mask))
        guest_panic("TLB_FLUSH_MULTI failed");
    step = 4;
    wait_step(5);
    if (seen_stale != 0xaaaa || seen_fresh != 0xbbbb)
        guest_panic("remote flush: vCPU 1 saw %#lx then %#lx, expected 0xaaaa then 0xbbbb",
                    seen_stale, seen_fresh);
    printf("flush: the remote flush reached vCPU 1's pCPU (stale before, fresh after)\n");
}

BENCH_FN(op_flush_local, mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0))
BENCH_FN(op_invlpg, mmuext1(MMUEXT_INVLPG_LOCAL, (unsigned long)probe, 0))
BENCH_FN(op_mmu_update_l1, map_probe(i & 1 ? frame_a : frame_b))

/* One batch of MMUEXT_CLEAR_PAGE over CLEAR_FRAMES distinct own frames:
 * the hv maps each (map_domain_page), clears it and unmaps it. */
#define CLEAR_FRAMES 32
static struct mmuext_op clear_batch[CLEAR_FRAMES];

static void clear_pages(void)
{
    unsigned int done = 0;
    if (HYPERVISOR_mmuext_op(clear_batch, CLEAR_FRAMES, &done, DOMID_SELF) ||
        done != CLEAR_FRAMES)
        guest_panic("MMUEXT_CLEAR_PAGE batch failed after %u", done);
}
BENCH_FN(op_clear_pages, clear_pages())

/* Slot 300 of the live L4 toggles between empty and a pinned empty L3. */
static uint64_t l4_slot_ma, l3_entry;

static uint64_t op_mmu_update_l4(void *ctx, unsigned long n)
{
    uint64_t t = TIMED_LOOP(n,
        struct mmu_update u = { l4_slot_ma, i & 1 ? 0 : l3_entry };
        if (HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF))
            guest_panic("mmu_update of an L4 entry failed"));
    if (n & 1) {                       /* leave the slot empty (untimed) */
        struct mmu_update u = { l4_slot_ma, 0 };
        HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
    }
    return t;
}

static uint64_t op_flush_remote(void *ctx, unsigned long n)
{
    unsigned long k = (unsigned long)ctx, mask = ((1UL << k) - 1) << 1;   /* vCPUs 1..k */
    return TIMED_LOOP(n, mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)&mask));
}

static uint64_t touch(unsigned long pages)
{
    const char *base = (const char *)GUEST_VIRT_BASE;   /* pfn 0 */
    uint64_t sum = 0;
    for (unsigned long p = 0; p < pages; p++)
        sum += *(volatile const unsigned char *)(base + p * PAGE_SIZE);
    return sum;
}

/* ctx: the pages to touch. */
BENCH_FN(op_touch, touch((unsigned long)ctx))
BENCH_FN(op_flush_touch, mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0); touch((unsigned long)ctx))

/* refill=P1,P2,...: checked before anything is measured. */
static unsigned long refill_pages[16];
static unsigned int nr_refill;

static void parse_refill(void)
{
    char list[64] = "1,8,64,512";
    arg_get("refill", list, sizeof(list));
    for (const char *p = list; *p;) {
        const char *end;
        unsigned long pages = simple_strtoul(p, &end, 10);
        if (end == p || !pages || pages > start_info->nr_pages ||
            (*end && *end != ',') || nr_refill == ARRAY_SIZE(refill_pages))
            guest_panic("refill=%s: page counts must be 1..%lu, comma-separated, at most %u",
                        list, start_info->nr_pages, (unsigned int)ARRAY_SIZE(refill_pages));
        refill_pages[nr_refill++] = pages;
        map_pfns(pages);                 /* touch reads pfns 0..pages-1 */
        p = *end ? end + 1 : end;
    }
}

static void refill_ops(void)
{
    char op[48];
    for (unsigned int i = 0; i < nr_refill; i++) {
        unsigned long pages = refill_pages[i];
        snprintf(op, sizeof(op), "touch_%lu", pages);
        bench_op(op, op_touch, (void *)pages, 1);
        snprintf(op, sizeof(op), "tlb_flush_local_touch_%lu", pages);
        bench_op(op, op_flush_touch, (void *)pages, 1);
    }
}

void workload_main(void)
{
    char *a = page_alloc(), *b = page_alloc();
    *(unsigned long *)a = 0xaaaa;
    *(unsigned long *)b = 0xbbbb;
    frame_a = virt_to_mfn(a);
    frame_b = virt_to_mfn(b);
    probe = page_alloc();
    probe_pte_ma = pte_maddr(probe, 1);
    map_probe(frame_a);

    uint64_t *l3 = page_alloc();
    if (make_readonly(l3) || mmuext1(MMUEXT_PIN_L3_TABLE, virt_to_mfn(l3), 0))
        guest_panic("pinning an empty L3 failed");
    l3_entry = ((uint64_t)virt_to_mfn(l3) << 12) | PTE_FLAGS_RW;
    l4_slot_ma = ((uint64_t)virt_to_mfn((void *)start_info->pt_base) << 12) + 300 * 8;
    for (unsigned int i = 0; i < CLEAR_FRAMES; i++)
        clear_batch[i] = (struct mmuext_op){ .cmd = MMUEXT_CLEAR_PAGE,
                                             .arg1.mfn = virt_to_mfn(page_alloc()) };

    char ops[16] = "all";
    arg_get("ops", ops, sizeof(ops));
    parse_refill();
    bool local = strcmp(ops, "remote"), want_remote = strcmp(ops, "local");
    if (!local && !want_remote)
        guest_panic("ops=%s: all, local or remote", ops);
    /* The remote cases need vCPUs 1..N-1 on other pCPUs: spread=1. */
    char arg[16];
    unsigned long nv = arg_get("vcpus", arg, sizeof(arg)) ? simple_strtoul(arg, NULL, 10) : 1;
    bool remote = want_remote && nv > 1 && arg_get("spread", NULL, 0);
    if (remote && nv > lab_info.nr_pcpus)
        guest_panic("vcpus=%lu spread=1 needs %lu pCPUs, there are %u", nv, nv,
                    lab_info.nr_pcpus);
    if (remote) {
        check_remote_flush();
        for (unsigned int v = 2; v < nv; v++)
            if (vcpu_start(v, blocker, blocker_stacks[v] + sizeof(blocker_stacks[v])))
                guest_panic("starting vCPU %u failed", v);
    }

    if (local) {
        bench_op("tlb_flush_local", op_flush_local, NULL, 1);
        bench_op("invlpg_local", op_invlpg, NULL, 1);
        bench_op("mmu_update_l1", op_mmu_update_l1, NULL, 1);
        bench_op("mmu_update_l4", op_mmu_update_l4, NULL, 1);
        bench_op("clear_pages_32", op_clear_pages, NULL, 1);
    }
    if (remote) {
        for (unsigned long k = 1; k < nv; k++) {
            char op[32];
            snprintf(op, sizeof(op), "flush_remote_%lu", k);
            bench_op(op, op_flush_remote, (void *)k, 1);
        }
        evtchn_send(spin_port);
        while (!spinning)
            __asm__ volatile("pause" ::: "memory");
        bench_op("mmu_update_l4_remote_live", op_mmu_update_l4, NULL, 1);
        stop_spinning = true;
    }
    if (local)
        refill_ops();
}
