/* asilab-micro: host-side micro-benchmarks, through the Google Benchmark
 * C API wrapper, of hv code paths that also run on the host: the shadow
 * copy of a guest L4's 496 slots (per_pcpu_l4 / per_vcpu_l4 on every
 * refresh), the table walk and PTE write of populate_perdomain_mapping's
 * slow path, and building mappings with pt_map_range, all on simulated
 * physical memory (hv/mm/pt.c and frame.c, unchanged).
 *   asilab-micro [--benchmark_out=FILE --benchmark_out_format=json ...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbench.h"
#include "mm.h"
#include "pt.h"

#define RAM_FRAMES 2048                     /* 8 MiB of simulated RAM */
static uint8_t *ram;
static uint64_t bitmap[RAM_FRAMES / 64];
static struct frame_allocator fa;

void *maddr_to_virt(paddr_t pa)
{
    if (pa >= (paddr_t)RAM_FRAMES << PAGE_SHIFT) {
        fprintf(stderr, "asilab-micro: address %#llx outside simulated RAM\n",
                (unsigned long long)pa);
        abort();
    }
    return ram + pa;
}

static uint64_t sim_alloc(void)
{
    unsigned long mfn = frames_alloc(&fa, 1, 1);
    if (mfn == ~0UL)
        return 0;
    memset(ram + (mfn << PAGE_SHIFT), 0, PAGE_SIZE);
    return mfn;
}

/* Every frame is zeroed when allocated (sim_alloc): no need to clear RAM. */
static void reset_ram(void)
{
    frames_init(&fa, bitmap, RAM_FRAMES);
    frames_add_range(&fa, PAGE_SIZE, (paddr_t)RAM_FRAMES << PAGE_SHIFT);   /* keep mfn 0 */
}

/* The 496 guest slots of an L4 into a root, as the strategies copy them. */
static void bm_shadow_copy(gb_state *st, void *ctx)
{
    (void)ctx;
    uint64_t *src = (uint64_t *)(ram + 16 * PAGE_SIZE), *dst = (uint64_t *)(ram + 17 * PAGE_SIZE);
    for (int i = 0; i < 512; i++)
        src[i] = ((uint64_t)i << 12) | 7;
    while (gb_keep_running(st)) {
        memcpy(dst, src, 256 * sizeof(uint64_t));
        memcpy(dst + 272, src + 272, 240 * sizeof(uint64_t));
        __asm__ volatile("" ::: "memory");
    }
    gb_counter(st, "l4_entries", 496, GB_COUNTER_PLAIN);
}

/* populate_perdomain_mapping's slow path: walk a vCPU's tables down to
 * the L1 entry of a window address and write it. */
static void bm_perdomain_slow(gb_state *st, void *ctx)
{
    (void)ctx;
    reset_ram();
    uint64_t root = sim_alloc() << PAGE_SHIFT;
    const uint64_t va = 0xffff820000000000UL;   /* slot 260 */
    if (pt_map_range(root, va, 100 * PAGE_SIZE, 32, PAGE_HV_RO, sim_alloc, PAGE_TABLE)) {
        gb_label(st, "setup failed");
        return;
    }
    unsigned long i = 0;
    while (gb_keep_running(st)) {
        pte_t *e = pt_walk(root, va + (i++ % 32) * PAGE_SIZE, 1, NULL, 0);
        *e = (200UL << PAGE_SHIFT) | PAGE_HV_RO;
        __asm__ volatile("" ::: "memory");
    }
}

/* Building a 2 MiB region of 4 KiB mappings from nothing. */
static void bm_map_512(gb_state *st, void *ctx)
{
    (void)ctx;
    while (gb_keep_running(st)) {
        reset_ram();
        uint64_t root = sim_alloc() << PAGE_SHIFT;
        if (pt_map_range(root, 0x400000, 512 * PAGE_SIZE, 512, PAGE_HV_RW, sim_alloc,
                         PAGE_TABLE))
            gb_label(st, "map failed");
    }
    gb_counter(st, "pages", 512, GB_COUNTER_PLAIN);
}

int main(int argc, char **argv)
{
    ram = aligned_alloc(PAGE_SIZE, (size_t)RAM_FRAMES << PAGE_SHIFT);
    if (!ram)
        return 1;
    reset_ram();
    gb_init(&argc, argv);
    if (argc > 1) {
        fprintf(stderr, "asilab-micro: unknown argument '%s'\n", argv[1]);
        return 2;
    }
    gb_register("host/shadow_l4_copy", bm_shadow_copy, NULL);
    gb_register("host/perdomain_slow_path", bm_perdomain_slow, NULL);
    gb_register("host/pt_map_range_512", bm_map_512, NULL);
    int n = gb_run_all(GB_CONSOLE_STDOUT, true);
    gb_shutdown();
    free(ram);
    return n == 3 ? 0 : 1;
}
