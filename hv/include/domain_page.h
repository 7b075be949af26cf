/* How the hv reaches a domain's frames: Xen's map_domain_page family
 * (xen/arch/x86/domain_page.c).  A transient map (map_domain_page) is
 * for the hv's current work on this pCPU and is gone before the pCPU
 * returns to a guest; a global one (map_domain_page_global) lasts until
 * unmapped (vcpu_info, FIFO control blocks).
 *
 * One of two flavour files is linked into each image (the core never
 * knows which):
 *  - strategies/flavours/domain_page_directmap.c (by default): every
 *    frame is in the directmap and a map is its directmap address, as
 *    Xen 4.17's release builds return for any frame below the
 *    directmap's end;
 *  - strategies/flavours/domain_page_mapcache.c (+sparse): the
 *    directmap holds no guest frame and no pCPU's stack (hidden once the
 *    domains are built); a transient map takes an entry of the per-vCPU
 *    mapcache (the ASI series' patch 15: MAPCACHE_VCPU_ENTRIES entries
 *    per vCPU at the same address in its own slot-260 L3, an 8-bucket
 *    hash that keeps released entries mapped, a local TLB flush when the
 *    entries wrap), a global one a page of the global-map area in slot
 *    261 (Xen's vmap).
 * Either way counting images check the callers' discipline: at most
 * MAPCACHE_VCPU_ENTRIES transient maps held at once, every one
 * unmapped, none held on the way back to a guest (exit_to_guest) -- a
 * breach is an hv bug: a panic. */
#ifndef ASILAB_DOMAIN_PAGE_H
#define ASILAB_DOMAIN_PAGE_H
#include "domain.h"
#include "mapcache.h"
#include "mm.h"

/* Xen's PERDOMAIN_VIRT_SLOT(1): the mapcache, 1 GiB above the GDT/LDT
 * windows; a guest vCPU's entries start at its base, the idle vCPU of
 * pCPU n (which runs on idle_pg_table, one slot-260 L3 for all pCPUs)
 * has its own MAPCACHE_VCPU_ENTRIES pages n * 64 KiB above it. */
#define MAPCACHE_VIRT_START   (PERDOMAIN_VIRT_START + (1UL << 30))
/* Xen's VMAP_VIRT_START (slot 261, below the image): the global maps,
 * one L1 of them, in every root that shares slot 261's tables. */
#define GLOBALMAP_VIRT_START  0xffff82c000000000UL
#define GLOBALMAP_ENTRIES     512
#define GLOBALMAP_VIRT_END    (GLOBALMAP_VIRT_START + GLOBALMAP_ENTRIES * PAGE_SIZE)

void *map_domain_page(mfn_t mfn);
void unmap_domain_page(const void *va);
void *map_domain_page_global(mfn_t mfn);
void unmap_domain_page_global(const void *va);

/* Boot: after paging_init, before any strategy copies idle_pg_table's
 * tables (the global-map area's tables are shared from then on). */
void domain_page_init(void);
/* Every vCPU (guests' after strategy_vcpu_init, which gives it its
 * slot-260 L3; idle ones at pCPU bring-up): 0 or -XEN_ENOMEM. */
int mapcache_vcpu_init(struct vcpu *v);
/* All domains are built, no guest has run: what the flavour keeps out
 * of the directmap goes now (every pCPU's TLB flushed). */
void domain_page_domains_built(void);
/* For the isolation auditor: whether va is one of the running vCPU's
 * mapcache entries, or in the global-map area. */
bool mapcache_holds_va(const struct vcpu *v, unsigned long va);
static inline bool globalmap_va(unsigned long va)
{
    return va >= GLOBALMAP_VIRT_START && va < GLOBALMAP_VIRT_END;
}

/* The discipline (hv/mm/domain_page.c), for both families: each map
 * and unmap counted; exit_to_guest: no transient map may outlive the
 * hv's work (counting images; a lean one, like Xen's release builds,
 * checks nothing). */
#ifdef ASILAB_LEAN
static inline void domain_page_count_map(mfn_t mfn) {}
static inline void domain_page_count_unmap(const void *va) {}
static inline void domain_page_check_released(void) {}
#else
extern unsigned int domain_page_maps_held[NR_CPUS];
void domain_page_too_many(mfn_t mfn) __attribute__((noreturn));
void domain_page_none_held(const void *va) __attribute__((noreturn));
static inline void domain_page_count_map(mfn_t mfn)
{
    if (++domain_page_maps_held[smp_processor_id()] > MAPCACHE_VCPU_ENTRIES)
        domain_page_too_many(mfn);
}
static inline void domain_page_count_unmap(const void *va)
{
    unsigned int *n = &domain_page_maps_held[smp_processor_id()];
    if (!*n)
        domain_page_none_held(va);
    --*n;
}
void domain_page_check_released(void);
#endif

#endif
