/* Edge cases of the frame allocator (hv/mm/frame.c) at the top of the
 * 64-bit address space and with a bad alignment: ranges that would wrap
 * when rounded, and a non-power-of-two align, which is refused. */
#include "frame_fixture.h"

/* A range starting in the last page of the 64-bit space holds no frame
 * below nr_frames: rounding start up must not wrap to 0 (a bogus
 * multiboot entry addr=0xfffffffffffff001 would free every frame). */
static void add_range_top_of_address_space(void)
{
    struct fixture f;
    fx_init(&f, 1000);
    frames_add_range(&f.fa, 0xfffffffffffff001UL, PA(1000));
    CHECK_EQ(f.fa.free, 0);
    fx_done(&f);
}

/* [0x1000, 2^64-1) touches every frame from 1 up: rounding end up must
 * not wrap to 0 and reserve nothing. */
static void reserve_range_top_of_address_space(void)
{
    struct fixture f;
    fx_init(&f, 1000);
    frames_add_range(&f.fa, 0, PA(1000));
    frames_reserve_range(&f.fa, 0x1000, ~0UL);
    CHECK_EQ(f.fa.free, 1);
    fx_done(&f);
}

/* align must be a power of two: align 3 is refused, nothing changes. */
static void alloc_non_power_of_two_align(void)
{
    struct fixture f;
    fx_init(&f, 64);
    frames_add_range(&f.fa, 0, PA(64));
    CHECK_EQ(frames_alloc(&f.fa, 1, 1), 0);
    unsigned long before = f.fa.free;
    CHECK_EQ(frames_alloc(&f.fa, 1, 3), ~0UL);
    CHECK_EQ(f.fa.free, before);
    fx_done(&f);
}

int main(void)
{
    RUN(add_range_top_of_address_space);
    RUN(reserve_range_top_of_address_space);
    RUN(alloc_non_power_of_two_align);
    return unit_summary();
}
