/* Physical frame allocator: a bitmap over every frame below 4 GiB, fed
 * from the multiboot memory map.  Pure code (no hv globals), so host
 * unit tests run it unchanged. */
#include "mm.h"

#define BITS 64

static bool test_bit(const uint64_t *bm, unsigned long i) { return bm[i / BITS] >> (i % BITS) & 1; }
static void set_bit(uint64_t *bm, unsigned long i) { bm[i / BITS] |= 1UL << (i % BITS); }
static void clear_bit(uint64_t *bm, unsigned long i) { bm[i / BITS] &= ~(1UL << (i % BITS)); }

void frames_init(struct frame_allocator *fa, uint64_t *bitmap,
                 unsigned long nr_frames)
{
    fa->bitmap = bitmap;
    fa->nr_frames = nr_frames;
    fa->hint = 0;
    fa->free = 0;
    for (unsigned long i = 0; i < (nr_frames + BITS - 1) / BITS; i++)
        bitmap[i] = ~0UL;
}

/* Frame numbers rounded without overflow at the top of the space. */
static unsigned long pfn_up(paddr_t a) { return (a >> PAGE_SHIFT) + !!(a & ~PAGE_MASK); }
static unsigned long pfn_down(paddr_t a) { return a >> PAGE_SHIFT; }

/* Frames wholly inside [start, end) become free. */
void frames_add_range(struct frame_allocator *fa, paddr_t start, paddr_t end)
{
    if (end <= start)
        return;
    unsigned long first = pfn_up(start);
    unsigned long last = pfn_down(end);
    for (unsigned long i = first; i < last && i < fa->nr_frames; i++)
        if (test_bit(fa->bitmap, i)) {
            clear_bit(fa->bitmap, i);
            fa->free++;
        }
}

/* Frames touching [start, end) become used. */
void frames_reserve_range(struct frame_allocator *fa, paddr_t start, paddr_t end)
{
    if (end <= start)
        return;
    unsigned long first = pfn_down(start);
    unsigned long last = pfn_up(end);
    for (unsigned long i = first; i < last && i < fa->nr_frames; i++)
        if (!test_bit(fa->bitmap, i)) {
            set_bit(fa->bitmap, i);
            fa->free--;
        }
}

unsigned long frames_alloc(struct frame_allocator *fa, unsigned long nr,
                           unsigned long align)
{
    if (!nr || !align || (align & (align - 1)) || nr > fa->free)
        return ~0UL;
    for (int pass = 0; pass < 2; pass++) {
        unsigned long i = pass ? 0 : fa->hint;
        i = ROUNDUP(i, align);
        while (i + nr <= fa->nr_frames) {
            unsigned long j = 0;
            while (j < nr && !test_bit(fa->bitmap, i + j))
                j++;
            if (j == nr) {
                for (j = 0; j < nr; j++)
                    set_bit(fa->bitmap, i + j);
                fa->free -= nr;
                fa->hint = i + nr;
                return i;
            }
            i = ROUNDUP(i + j + 1, align);
        }
    }
    return ~0UL;
}

void frames_free(struct frame_allocator *fa, unsigned long mfn, unsigned long nr)
{
    for (unsigned long i = mfn; i < mfn + nr && i < fa->nr_frames; i++)
        if (test_bit(fa->bitmap, i)) {
            clear_bit(fa->bitmap, i);
            fa->free++;
        }
}
