/* How the hv reaches a domain's frames: Xen's map_domain_page family
 * (xen/arch/x86/domain_page.c).  A transient map (map_domain_page) is
 * for the hv's current work on this pCPU and is gone before the pCPU
 * returns to a guest; a global one (map_domain_page_global) lasts until
 * unmapped (vcpu_info, console ring, FIFO control blocks).
 *
 * Every frame is in the directmap today, so a map is the frame's
 * directmap address, as Xen 4.17's release builds return for any frame
 * below the directmap's end.  What a mapcache of bounded per-vCPU
 * entries (the ASI series' patch 15, issue 12's +sparse) needs of the
 * callers is checked already, in counting images, as Xen's debug builds
 * check it by always using the mapcache: at most MAPCACHE_VCPU_ENTRIES
 * transient maps held at once, every one unmapped, none held on the way
 * back to a guest (exit_to_guest) -- a breach is an hv bug: a panic. */
#ifndef ASILAB_DOMAIN_PAGE_H
#define ASILAB_DOMAIN_PAGE_H
#include "mm.h"

#define MAPCACHE_VCPU_ENTRIES 16        /* Xen: CONFIG_PAGING_LEVELS^2 */

void *map_domain_page(mfn_t mfn);
void unmap_domain_page(const void *va);
void *map_domain_page_global(mfn_t mfn);
void unmap_domain_page_global(const void *va);
/* exit_to_guest: no transient map may outlive the hv's work (counting
 * images; a lean one, like Xen's release builds, checks nothing). */
#ifdef ASILAB_LEAN
static inline void domain_page_check_released(void) {}
#else
void domain_page_check_released(void);
#endif

#endif
