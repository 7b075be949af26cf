/* The per-vCPU mapcache's bookkeeping (hv/include/mapcache.h) on a
 * simulated L1, with a TLB model: every map is used at once (the TLB
 * caches entry -> frame), a flush empties it, and a frame read through
 * an entry must be the one the caller mapped -- a stale translation (an
 * entry reused for another frame with no flush since it was zapped) is
 * the bug a mapcache must never have.  Fixed cases for the hash, the
 * garbage and the wrap as Xen's map_domain_page has them, then long
 * random runs, and a negative control: the same runs without the wrap's
 * flush must be caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapcache.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static uint64_t l1[MAPCACHE_VCPU_ENTRIES];
static struct mapcache_vcpu mc;
/* The TLB model: what each entry's cached translation says, 0: none. */
static mfn_t tlb[MAPCACHE_VCPU_ENTRIES];
static unsigned long flushes, stale_reads;
static bool skip_flush;                  /* the negative control */

static void reset(void)
{
    memset(l1, 0, sizeof(l1));
    memset(tlb, 0, sizeof(tlb));
    mapcache_reset(&mc, 0x1000000, l1);
    flushes = stale_reads = 0;
}

/* map_domain_page as the flavour file does it, then one read through
 * the entry: the TLB answers if it holds the entry, else the L1 does. */
static int map(mfn_t mfn)
{
    bool wrapped;
    unsigned int ptes;
    int idx = mapcache_get(&mc, mfn, &wrapped, &ptes);
    if (idx < 0)
        return idx;
    if (wrapped && !skip_flush) {
        memset(tlb, 0, sizeof(tlb));
        flushes++;
    }
    mfn_t seen = tlb[idx] ? tlb[idx] : pte_addr(l1[idx]) >> PAGE_SHIFT;
    if (!tlb[idx] && !(l1[idx] & _PAGE_PRESENT))
        seen = 0;
    if (seen != mfn)
        stale_reads++;
    tlb[idx] = seen;
    return idx;
}

static void unmap(int idx)
{
    mapcache_put(&mc, (unsigned int)idx);
}

static void fixed_cases(void)
{
    bool wrapped;
    unsigned int ptes;

    /* A miss writes one entry; a release keeps it mapped in its bucket;
     * the next map of that frame is a hit that writes nothing. */
    reset();
    int a = mapcache_get(&mc, 0x100, &wrapped, &ptes);
    CHECK(a == 0 && ptes == 1 && !wrapped);
    CHECK(l1[0] == ((0x100UL << PAGE_SHIFT) | MAPCACHE_PTE));
    CHECK(mapcache_held(&mc, 0));
    CHECK(mapcache_put(&mc, 0) == 0);
    CHECK(l1[0] & _PAGE_PRESENT);
    CHECK(!mapcache_held(&mc, 0));               /* a second put: refused */
    CHECK(mapcache_get(&mc, 0x100, &wrapped, &ptes) == 0 && ptes == 0);
    CHECK(mapcache_held(&mc, 0));
    CHECK(mapcache_get(&mc, 0x100, &wrapped, &ptes) == 0 && ptes == 0);
    CHECK(mapcache_put(&mc, 0) == 0 && mapcache_put(&mc, 0) == 0);

    /* Another frame of the same bucket: a new entry; released, it
     * evicts the bucket's idle one (zapped, garbage). */
    int b = mapcache_get(&mc, 0x100 + MAPHASH_ENTRIES, &wrapped, &ptes);
    CHECK(b == 1 && ptes == 1);
    CHECK(mapcache_put(&mc, 1) == 1);
    CHECK(l1[0] == 0 && (mc.garbage & 1) && (l1[1] & _PAGE_PRESENT));
    CHECK(mc.hash[maphash_of(0x100)].idx == 1);

    /* A release while the bucket's entry is held: zapped, garbage. */
    int c = mapcache_get(&mc, 0x100 + MAPHASH_ENTRIES, &wrapped, &ptes);   /* hit */
    int d = mapcache_get(&mc, 0x100 + 2 * MAPHASH_ENTRIES, &wrapped, &ptes);
    CHECK(c == 1 && d == 2);
    CHECK(mapcache_put(&mc, 2) == 1 && l1[2] == 0 && (mc.garbage & 4));
    mapcache_put(&mc, 1);

    /* Sixteen held: the seventeenth finds nothing, even after a wrap. */
    reset();
    for (unsigned int i = 0; i < MAPCACHE_VCPU_ENTRIES; i++)
        CHECK(mapcache_get(&mc, 0x200 + i, &wrapped, &ptes) == (int)i);
    CHECK(mapcache_get(&mc, 0x300, &wrapped, &ptes) == -1);
    /* One released outside the hash (its bucket holds another): after
     * the wrap it is reused, and the wrap says so. */
    CHECK(mapcache_put(&mc, 9) == 0);    /* bucket of 0x209 was empty: kept */
    CHECK(mapcache_get(&mc, 0x300, &wrapped, &ptes) == 9 && wrapped);
    CHECK(ptes == 2);                    /* the idle hash entry zapped, then ours */

    /* Garbage comes back only at a wrap, which always flushes. */
    reset();
    for (unsigned int i = 0; i < MAPCACHE_VCPU_ENTRIES; i++) {
        int k = mapcache_get(&mc, 0x400 + i * MAPHASH_ENTRIES, &wrapped, &ptes);
        CHECK(k == (int)i && !wrapped);
        mapcache_put(&mc, (unsigned int)k);    /* one bucket: each evicts the last */
    }
    CHECK(__builtin_popcount(mc.garbage) == MAPCACHE_VCPU_ENTRIES - 1);
    int e = mapcache_get(&mc, 0x999, &wrapped, &ptes);
    CHECK(e == 0 && wrapped && mc.garbage == 0);
}

/* Random work: hold up to `depth` maps at once (as the hv's walks do),
 * over a small frame pool so hits, evictions and wraps all happen. */
static void random_run(unsigned int seed, unsigned int steps, unsigned int depth)
{
    int held[MAPCACHE_VCPU_ENTRIES];
    mfn_t held_mfn[MAPCACHE_VCPU_ENTRIES];
    unsigned int nheld = 0;
    srand(seed);
    reset();
    for (unsigned int s = 0; s < steps; s++) {
        if (nheld < depth && (nheld == 0 || rand() % 2)) {
            mfn_t mfn = 0x1000 + (unsigned long)(rand() % 40);
            int idx = map(mfn);
            if (idx < 0) {
                failures++;
                printf("FAIL: no entry with %u held\n", nheld);
                return;
            }
            held[nheld] = idx;
            held_mfn[nheld++] = mfn;
        } else {
            unsigned int k = (unsigned int)rand() % nheld;
            /* Still the frame it was mapped as, through the TLB too. */
            int idx = held[k];
            mfn_t seen = tlb[idx] ? tlb[idx] : pte_addr(l1[idx]) >> PAGE_SHIFT;
            if (seen != held_mfn[k])
                stale_reads++;
            if (!mapcache_held(&mc, (unsigned long)idx) && !skip_flush) {
                failures++;
                printf("FAIL: entry %d not held before its put\n", idx);
                return;
            }
            unmap(idx);
            held[k] = held[--nheld];
            held_mfn[k] = held_mfn[nheld];
        }
    }
}

int main(void)
{
    fixed_cases();

    unsigned long total_flushes = 0;
    for (unsigned int seed = 1; seed <= 200; seed++) {
        random_run(seed, 4000, 1 + seed % MAPCACHE_VCPU_ENTRIES);
        CHECK(stale_reads == 0);
        total_flushes += flushes;
    }
    CHECK(total_flushes > 0);            /* the runs do wrap */

    /* Negative control: without the wrap's flush the model must see a
     * stale translation. */
    skip_flush = true;
    unsigned long stale = 0;
    for (unsigned int seed = 1; seed <= 50; seed++) {
        random_run(seed, 4000, 1 + seed % MAPCACHE_VCPU_ENTRIES);
        stale += stale_reads;
    }
    skip_flush = false;
    CHECK(stale > 0);

    printf("mapcache: %lu wrap flushes in the random runs, %lu stale reads caught "
           "without them; %s\n", total_flushes, stale, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
