/* The machine-to-phys table (Xen's M2P, x86_64/mm.c): one unsigned long
 * per machine frame, the pseudo-physical frame its owner has for it, or
 * INVALID_M2P_ENTRY.  The hv writes it through the directmap; guests
 * read it at RO_MPT_VIRT_START (slot 256: read-only, user-accessible, in
 * every guest address space, as in Xen; it is global, so every guest
 * sees every frame's entry).  Its storage is 2 MiB extents of contiguous
 * frames, as XENMEM_machphys_mfn_list reports them.  The entries follow
 * the builder's allocations and MMU_MACHPHYS_UPDATE; the hv never reads
 * them for its own decisions (it keeps frame_table[].pfn for that). */
#include "console.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "pt.h"
#include "public/memory.h"

unsigned long *machine_to_phys_mapping;   /* directmap view: the hv's */
static mfn_t m2p_first_mfn;
static unsigned long m2p_frames;

#define M2P_EXTENT_FRAMES 512UL           /* 2 MiB */
/* What guests may do with the mapping (Xen: _PAGE_USER | RO). */
#define M2P_TABLE_FLAGS (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define M2P_PAGE_FLAGS  (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)

void m2p_init(paddr_t idle_l4)
{
    unsigned long bytes = (max_mfn + 1) * sizeof(unsigned long);
    m2p_frames = ROUNDUP(bytes, M2P_EXTENT_FRAMES * PAGE_SIZE) >> PAGE_SHIFT;
    unsigned long mfn = frames_alloc(&hv_frames, m2p_frames, M2P_EXTENT_FRAMES);
    if (mfn == ~0UL)
        panic("no memory for the M2P (%lu frames)", m2p_frames);
    m2p_first_mfn = mfn;
    for (unsigned long i = 0; i < m2p_frames; i++)
        frame_table[mfn + i] = (struct page_info){ .owner = DOMID_HV, .type = PGT_hv };
    machine_to_phys_mapping = mfn_to_virt(mfn);
    memset(machine_to_phys_mapping, 0xff, m2p_frames * PAGE_SIZE);
    if (pt_map_range(idle_l4, RO_MPT_VIRT_START, mfn << PAGE_SHIFT, m2p_frames,
                     M2P_PAGE_FLAGS, alloc_frame, M2P_TABLE_FLAGS))
        panic("cannot map the M2P");
}

void set_gpfn_from_mfn(mfn_t mfn, unsigned long pfn)
{
    if (machine_to_phys_mapping && mfn <= max_mfn)
        ACCESS_ONCE(machine_to_phys_mapping[mfn]) = pfn;
}

unsigned long get_gpfn_from_mfn(mfn_t mfn)
{
    return mfn <= max_mfn ? ACCESS_ONCE(machine_to_phys_mapping[mfn]) : INVALID_M2P_ENTRY;
}

unsigned long m2p_nr_extents(void)
{
    return m2p_frames / M2P_EXTENT_FRAMES;
}

mfn_t m2p_extent_mfn(unsigned long i)
{
    return m2p_first_mfn + i * M2P_EXTENT_FRAMES;
}
