/* Host unit tests of the frame allocator (hv/mm/frame.c), run unchanged.
 *
 * Proves: frames_init leaves every frame used (free == 0, tail bits of
 * the last bitmap word too); frames_add_range frees only whole frames
 * inside [start, end); frames_reserve_range marks every frame touching
 * [start, end); neither (nor frames_free) writes past nr_frames even for
 * huge ranges; frames_alloc returns distinct, aligned, contiguous frames
 * that were all free before and are all used after, fails with ~0UL
 * (changing nothing) when nr > free or no run fits, searches from the hint
 * and wraps around to 0; frames_free makes frames allocatable again and
 * restores the free count (idempotently); and a fixed-seed random
 * alloc/free stress run agrees with a shadow bitmap (each result checked,
 * whole bitmap and free count compared every 64 steps); a failed alloc
 * happens only when no aligned free run exists.
 *
 * Edge cases the allocator gets wrong today are in test_frame_bugs.c. */
#include "frame_fixture.h"

static void test_init_all_used(void)
{
    static const unsigned long sizes[] = { 1, 63, 64, 65, 1000 };
    for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
        struct fixture f;
        fx_init(&f, sizes[s]);
        CHECK_EQ(f.fa.nr_frames, sizes[s]);
        CHECK_EQ(f.fa.free, 0);
        CHECK(all_used(&f, 0, f.words * 64));    /* incl. tail padding */
        CHECK_EQ(frames_alloc(&f.fa, 1, 1), NONE);
        fx_done(&f);
    }
}

static void test_add_range_whole_frames(void)
{
    struct fixture f;
    fx_init(&f, 1000);
    frames_add_range(&f.fa, 0x1800, 0x5800);       /* partial 1 and 5 */
    CHECK(used(&f, 1));
    CHECK(all_free(&f, 2, 5));
    CHECK(used(&f, 5));
    CHECK_EQ(f.fa.free, 3);
    frames_add_range(&f.fa, 0x1800, 0x5800);       /* again: no double count */
    CHECK_EQ(f.fa.free, 3);
    frames_add_range(&f.fa, 0x1000, 0x2000);       /* exactly frame 1 */
    CHECK(!used(&f, 1));
    CHECK_EQ(f.fa.free, 4);
    frames_add_range(&f.fa, 0x7000, 0x7fff);       /* one byte short */
    frames_add_range(&f.fa, 0x8001, 0x9000);       /* one byte late */
    frames_add_range(&f.fa, 0x9000, 0x9000);       /* empty */
    frames_add_range(&f.fa, 0xb000, 0xa000);       /* end < start */
    frames_add_range(&f.fa, 0xc400, 0xcc00);       /* inside one frame */
    CHECK(used(&f, 7) && used(&f, 8) && used(&f, 9) && used(&f, 10));
    CHECK(used(&f, 11) && used(&f, 12));
    CHECK_EQ(f.fa.free, 4);
    CHECK_EQ(count_free(&f), f.fa.free);
    fx_done(&f);
}

static void test_reserve_range_touching(void)
{
    struct fixture f;
    fx_init(&f, 1000);
    frames_add_range(&f.fa, 0, PA(1000));
    CHECK_EQ(f.fa.free, 1000);
    frames_reserve_range(&f.fa, 0x2fff, 0x3001);   /* touches 2 and 3 */
    CHECK(!used(&f, 1) && used(&f, 2) && used(&f, 3) && !used(&f, 4));
    CHECK_EQ(f.fa.free, 998);
    frames_reserve_range(&f.fa, 0x2000, 0x4000);   /* already used */
    CHECK_EQ(f.fa.free, 998);
    frames_reserve_range(&f.fa, 0x5000, 0x5000);   /* empty */
    frames_reserve_range(&f.fa, 0x6000, 0x5000);   /* end < start */
    CHECK(!used(&f, 5) && !used(&f, 6));
    frames_reserve_range(&f.fa, 0x7000, 0x7001);   /* one byte */
    CHECK(used(&f, 7));
    frames_reserve_range(&f.fa, 0x8fff, 0x9000);   /* last byte of 8 */
    CHECK(used(&f, 8) && !used(&f, 9));
    CHECK_EQ(f.fa.free, 996);
    CHECK_EQ(count_free(&f), f.fa.free);
    fx_done(&f);
}

static void test_ranges_beyond_nr_frames(void)
{
    struct fixture f;
    fx_init(&f, 100);                              /* 2 words, 28 tail bits */
    frames_add_range(&f.fa, 0, 1UL << 40);
    CHECK_EQ(f.fa.free, 100);
    CHECK(all_used(&f, 100, 128));                 /* padding stays used */
    CHECK(canary_ok(&f));
    frames_add_range(&f.fa, PA(200), PA(300));     /* wholly beyond */
    CHECK_EQ(f.fa.free, 100);
    frames_reserve_range(&f.fa, PA(50), 1UL << 40);
    CHECK_EQ(f.fa.free, 50);
    CHECK(all_used(&f, 50, 100));
    frames_reserve_range(&f.fa, PA(200), PA(300));
    CHECK_EQ(f.fa.free, 50);
    frames_free(&f.fa, 40, 1000);                  /* runs past the end */
    CHECK_EQ(f.fa.free, 100);
    CHECK(all_used(&f, 100, 128));
    frames_free(&f.fa, 5000, 10);                  /* wholly beyond */
    CHECK_EQ(f.fa.free, 100);
    CHECK_EQ(frames_alloc(&f.fa, 100, 1), 0);      /* never past the end */
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), NONE);
    CHECK_EQ(f.fa.free, 0);
    fx_done(&f);
}

static void test_alloc_distinct(void)
{
    struct fixture f;
    fx_init(&f, 256);
    frames_add_range(&f.fa, PA(1), PA(256));
    static bool seen[256];
    memset(seen, 0, sizeof(seen));
    for (unsigned long n = 0; n < 255; n++) {
        unsigned long m = frames_alloc(&f.fa, 1, 1);
        REQUIRE(m < 256);
        CHECK(m != 0);                             /* never added */
        CHECK(!seen[m]);
        seen[m] = true;
        CHECK(used(&f, m));
        CHECK_EQ(f.fa.free, 254 - n);
    }
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), NONE);
    fx_done(&f);
}

static void test_alloc_alignment(void)
{
    struct fixture f;
    fx_init(&f, 4096);
    frames_add_range(&f.fa, PA(1), PA(4096));      /* frame 0 busy */
    CHECK_EQ(frames_alloc(&f.fa, 1, 512), 512);
    CHECK_EQ(frames_alloc(&f.fa, 3, 512), 1024);
    unsigned long m = frames_alloc(&f.fa, 512, 512);
    CHECK_EQ(m, 1536);
    CHECK(all_used(&f, 1536, 2048));
    CHECK(!used(&f, 1027) && !used(&f, 2048));
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), 2048);     /* hint moved on */
    CHECK_EQ(frames_alloc(&f.fa, 1, 8), 2056);
    for (unsigned long a = 1; a <= 256; a <<= 1) {
        m = frames_alloc(&f.fa, 1 + a / 3, a);
        REQUIRE(m != NONE);
        CHECK_EQ(m % a, 0);
        CHECK(all_used(&f, m, m + 1 + a / 3));
    }
    CHECK_EQ(count_free(&f), f.fa.free);
    fx_done(&f);
}

static void test_alloc_contiguity_and_exhaustion(void)
{
    struct fixture f;
    fx_init(&f, 128);
    frames_add_range(&f.fa, PA(10), PA(13));
    frames_add_range(&f.fa, PA(20), PA(30));
    frames_add_range(&f.fa, PA(40), PA(45));
    CHECK_EQ(f.fa.free, 18);
    CHECK_EQ(frames_alloc(&f.fa, 19, 1), NONE);    /* nr > free */
    CHECK_EQ(frames_alloc(&f.fa, 11, 1), NONE);    /* no run of 11 */
    CHECK_EQ(f.fa.free, 18);
    CHECK_EQ(f.fa.hint, 0);                        /* failure: no change */
    CHECK_EQ(count_free(&f), 18);
    CHECK_EQ(frames_alloc(&f.fa, 5, 1), 20);       /* skips the run of 3 */
    CHECK(all_used(&f, 20, 25) && all_free(&f, 25, 30));
    CHECK_EQ(frames_alloc(&f.fa, 5, 1), 25);
    CHECK_EQ(frames_alloc(&f.fa, 5, 1), 40);
    CHECK_EQ(f.fa.free, 3);
    CHECK_EQ(frames_alloc(&f.fa, 4, 1), NONE);
    CHECK_EQ(frames_alloc(&f.fa, 2, 4), NONE);     /* 10,11 not 4-aligned */
    CHECK_EQ(frames_alloc(&f.fa, 2, 2), 10);       /* via the wrap to 0 */
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), 12);
    CHECK_EQ(f.fa.free, 0);
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), NONE);
    CHECK_EQ(frames_alloc(&f.fa, 0, 1), NONE);     /* bad arguments */
    frames_free(&f.fa, 20, 1);
    CHECK_EQ(frames_alloc(&f.fa, 1, 0), NONE);
    CHECK_EQ(frames_alloc(&f.fa, 0, 1), NONE);
    CHECK_EQ(f.fa.free, 1);
    fx_done(&f);
}

static void test_alloc_wraps_after_hint(void)
{
    struct fixture f;
    fx_init(&f, 64);
    frames_add_range(&f.fa, 0, PA(64));
    CHECK_EQ(frames_alloc(&f.fa, 60, 1), 0);
    CHECK_EQ(f.fa.hint, 60);
    frames_free(&f.fa, 0, 10);                     /* free: 0..9, 60..63 */
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), 60);       /* hint first ... */
    CHECK_EQ(frames_alloc(&f.fa, 8, 1), 0);        /* ... 61..63 too short */
    CHECK_EQ(frames_alloc(&f.fa, 3, 1), 61);       /* 8,9 too short */
    CHECK_EQ(frames_alloc(&f.fa, 2, 1), 8);        /* wraps again */
    CHECK_EQ(f.fa.free, 0);
    fx_done(&f);
}

static void test_free_restores(void)
{
    struct fixture f;
    fx_init(&f, 200);
    frames_add_range(&f.fa, 0, PA(200));
    unsigned long a = frames_alloc(&f.fa, 50, 1);
    unsigned long b = frames_alloc(&f.fa, 150, 1);
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 50);
    CHECK_EQ(f.fa.free, 0);
    frames_free(&f.fa, a, 50);
    CHECK_EQ(f.fa.free, 50);
    CHECK(all_free(&f, 0, 50) && all_used(&f, 50, 200));
    frames_free(&f.fa, a, 50);                     /* double free */
    CHECK_EQ(f.fa.free, 50);
    frames_free(&f.fa, 10, 0);                     /* nothing */
    CHECK_EQ(f.fa.free, 50);
    CHECK_EQ(frames_alloc(&f.fa, 50, 1), 0);       /* allocatable again */
    frames_free(&f.fa, 0, 200);
    CHECK_EQ(f.fa.free, 200);
    CHECK_EQ(count_free(&f), 200);
    CHECK_EQ(frames_alloc(&f.fa, 200, 1), 0);
    fx_done(&f);
}

#define SNR 3001
static bool shadow[SNR];                           /* true = used */

static bool shadow_fits(unsigned long nr, unsigned long align)
{
    for (unsigned long s = 0; s + nr <= SNR; s += align) {
        unsigned long j = 0;
        while (j < nr && !shadow[s + j])
            j++;
        if (j == nr)
            return true;
    }
    return false;
}

static bool shadow_matches(const struct fixture *f)
{
    unsigned long nfree = 0;
    for (unsigned long i = 0; i < SNR; i++) {
        if (used(f, i) != shadow[i])
            return false;
        nfree += !shadow[i];
    }
    return nfree == f->fa.free && all_used(f, SNR, f->words * 64);
}

static void test_stress_against_shadow(void)
{
    static struct { unsigned long mfn, nr; } blk[SNR];
    static const unsigned long aligns[] = { 1, 1, 1, 2, 4, 8, 16, 64, 512 };
    unsigned long nblk = 0, allocs = 0, fails = 0;
    struct fixture f;
    fx_init(&f, SNR);
    for (unsigned long i = 0; i < SNR; i++)
        shadow[i] = true;
    /* RAM with holes and reservations, as a memory map would give. */
    frames_add_range(&f.fa, 0x1234, PA(1500) + 17);
    frames_add_range(&f.fa, PA(1600), 1UL << 36);
    frames_reserve_range(&f.fa, PA(700) - 1, PA(720) + 1);
    for (unsigned long i = 2; i < SNR; i++)
        shadow[i] = (i >= 1500 && i < 1600) || (i >= 699 && i <= 720);
    REQUIRE(shadow_matches(&f));

    for (int step = 0; step < 40000; step++) {
        if (nblk && (unit_rng() % 100 < 45 || nblk == SNR)) {
            unsigned long k = unit_rng() % nblk;
            frames_free(&f.fa, blk[k].mfn, blk[k].nr);
            for (unsigned long j = 0; j < blk[k].nr; j++)
                shadow[blk[k].mfn + j] = false;
            blk[k] = blk[--nblk];
        } else {
            unsigned long nr = 1 + (unit_rng() % 4 ? unit_rng() % 8 : unit_rng() % 300);
            unsigned long align = aligns[unit_rng() % ARRAY_SIZE(aligns)];
            unsigned long freebefore = f.fa.free;
            unsigned long m = frames_alloc(&f.fa, nr, align);
            if (m == NONE) {
                fails++;
                CHECK(!shadow_fits(nr, align));    /* failed only if nothing fit */
                CHECK_EQ(f.fa.free, freebefore);
            } else {
                allocs++;
                REQUIRE(m + nr <= SNR);
                CHECK_EQ(m % align, 0);
                for (unsigned long j = 0; j < nr; j++) {
                    CHECK(!shadow[m + j]);         /* was free */
                    shadow[m + j] = true;
                }
                CHECK(all_used(&f, m, m + nr));
                CHECK_EQ(f.fa.free, freebefore - nr);
                blk[nblk].mfn = m;
                blk[nblk++].nr = nr;
            }
        }
        if (step % 64 == 0)
            REQUIRE(shadow_matches(&f));
    }
    REQUIRE(shadow_matches(&f));
    CHECK(allocs > 1000 && fails > 100);           /* both paths exercised */
    while (nblk) {
        nblk--;
        frames_free(&f.fa, blk[nblk].mfn, blk[nblk].nr);
        for (unsigned long j = 0; j < blk[nblk].nr; j++)
            shadow[blk[nblk].mfn + j] = false;
    }
    CHECK(shadow_matches(&f));
    CHECK_EQ(f.fa.free, SNR - 2 - 100 - 22);
    fx_done(&f);
}

int main(void)
{
    RUN(test_init_all_used);
    RUN(test_add_range_whole_frames);
    RUN(test_reserve_range_touching);
    RUN(test_ranges_beyond_nr_frames);
    RUN(test_alloc_distinct);
    RUN(test_alloc_alignment);
    RUN(test_alloc_contiguity_and_exhaustion);
    RUN(test_alloc_wraps_after_hint);
    RUN(test_free_restores);
    RUN(test_stress_against_shadow);
    return unit_summary();
}
