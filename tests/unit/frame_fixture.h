/* Shared by the frame-allocator tests: an allocator over nr frames whose
 * bitmap starts as all-zero garbage and is followed by canary words (so
 * writes past the last word are caught even without ASan), and helpers
 * that read the bitmap directly (1 = used). */
#ifndef ASILAB_FRAME_FIXTURE_H
#define ASILAB_FRAME_FIXTURE_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "mm.h"
#include "unit.h"

#define NONE (~0UL)
#define CANARY 0x5a5a5a5a5a5a5a5aULL
#define NCANARY 4

struct fixture {
    struct frame_allocator fa;
    uint64_t *bm;
    unsigned long words;
};

static inline void fx_init(struct fixture *f, unsigned long nr)
{
    f->words = (nr + 63) / 64;
    f->bm = malloc((f->words + NCANARY) * sizeof(uint64_t));
    REQUIRE(f->bm);
    memset(f->bm, 0, f->words * sizeof(uint64_t));   /* all "free" garbage */
    for (int i = 0; i < NCANARY; i++)
        f->bm[f->words + i] = CANARY;
    frames_init(&f->fa, f->bm, nr);
}

static inline bool canary_ok(const struct fixture *f)
{
    for (int i = 0; i < NCANARY; i++)
        if (f->bm[f->words + i] != CANARY)
            return false;
    return true;
}

static inline void fx_done(struct fixture *f)
{
    CHECK(canary_ok(f));
    free(f->bm);
}

static inline bool used(const struct fixture *f, unsigned long i)
{
    return f->bm[i / 64] >> (i % 64) & 1;
}

static inline unsigned long count_free(const struct fixture *f)
{
    unsigned long n = 0;
    for (unsigned long i = 0; i < f->fa.nr_frames; i++)
        n += !used(f, i);
    return n;
}

static inline bool all_used(const struct fixture *f, unsigned long a, unsigned long b)
{
    for (unsigned long i = a; i < b; i++)
        if (!used(f, i))
            return false;
    return true;
}

static inline bool all_free(const struct fixture *f, unsigned long a, unsigned long b)
{
    for (unsigned long i = a; i < b; i++)
        if (used(f, i))
            return false;
    return true;
}

#define PA(mfn) ((paddr_t)(mfn) << PAGE_SHIFT)

#endif
