/* Physical memory: the frame allocator, the frame table (owner and type
 * of every frame), directmap translation, and the hv's page tables. */
#ifndef ASILAB_MM_H
#define ASILAB_MM_H
#include "types.h"
#include "layout.h"

/* ---- frame allocator (hv/mm/frame.c; host-testable) ---- */
struct frame_allocator {
    uint64_t *bitmap;       /* 1 = in use / not RAM */
    unsigned long nr_frames;
    unsigned long hint;
    unsigned long free;
};
void frames_init(struct frame_allocator *fa, uint64_t *bitmap,
                 unsigned long nr_frames);
void frames_add_range(struct frame_allocator *fa, paddr_t start, paddr_t end);
void frames_reserve_range(struct frame_allocator *fa, paddr_t start, paddr_t end);
/* nr contiguous frames aligned to align frames (a power of two); ~0UL if
 * none or if align is not a power of two. */
unsigned long frames_alloc(struct frame_allocator *fa, unsigned long nr,
                           unsigned long align);
void frames_free(struct frame_allocator *fa, unsigned long mfn, unsigned long nr);

/* The hv's allocator: returns a zeroed frame, or 0 on exhaustion. */
mfn_t alloc_frame(void);
void free_frame(mfn_t mfn);
extern struct frame_allocator hv_frames;

/* ---- frame table: who owns a frame and what it is used as ---- */
/* A guest frame has a type (what the hv lets it be used as) held by
 * type_count references, and count general references (mappings, pins,
 * base pointers).  Page-table and descriptor types are validated when the
 * type count goes 0 -> 1 and devalidated when it returns to 0
 * (hv/mm/page.c). */
enum page_type {
    PGT_none, PGT_writable, PGT_l1, PGT_l2, PGT_l3, PGT_l4, PGT_seg_desc,
    PGT_hv,
};
#define PGF_pinned         (1U << 0)
/* The frame's last type (in PGF_STALE_TYPE) may still be used through
 * translations cached in some TLB or paging-structure cache: taking a
 * different type first flushes the owner's TLBs. */
#define PGF_stale          (1U << 1)
#define PGF_STALE_TYPE_SHIFT 2                 /* bits 2-4 */
#define PGF_STALE_TYPE(f)  (((f) >> PGF_STALE_TYPE_SHIFT) & 7)
/* An hv frame shared with its owner (shared_info, grant table frames:
 * Xen's xenheap pages given with share_xen_page_with_guest): not in the
 * owner's p2m, kept in the directmap under +sparse. */
#define PGF_xenheap        (1U << 5)
#define DOMID_HV   0xfff0
#define DOMID_FREE 0xffff
struct page_info {
    uint32_t count;      /* general references */
    uint32_t type_count; /* references to the type */
    uint16_t owner;      /* domid, DOMID_HV or DOMID_FREE */
    uint8_t  type;       /* enum page_type */
    uint8_t  flags;      /* PGF_* */
    uint32_t pfn;        /* the owner's pseudo-physical frame (Xen's M2P) */
    /* Xen's linear_pt_count, for L2-L4 tables: > 0, how many read-only
     * entries of this table point at another table of its own level
     * (linear entries); < 0, how many such entries elsewhere point at it.
     * Never both (XSA-240): linear page tables do not chain. */
    int16_t  linear_pt_count;
};
extern struct page_info *frame_table;
extern unsigned long max_mfn;
static inline struct page_info *mfn_to_page(mfn_t mfn) { return &frame_table[mfn]; }

/* ---- address translation ---- */
/* Host unit tests provide their own maddr_to_virt() over simulated RAM. */
void *maddr_to_virt(paddr_t pa);
#define __va(pa) maddr_to_virt(pa)
static inline void *mfn_to_virt(mfn_t mfn) { return maddr_to_virt(mfn << PAGE_SHIFT); }
paddr_t virt_to_maddr(const void *va);   /* hv image or directmap */
/* +sparse: take one frame out of the directmap (hv/mm/hvmap.c); the
 * caller flushes.  0 or -1 (no memory to split a superpage). */
int directmap_hide_frame(mfn_t mfn);

#endif
