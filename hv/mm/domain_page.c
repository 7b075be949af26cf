/* The transient maps' discipline, whichever map_domain_page family the
 * image links (hv/include/domain_page.h counts each map and unmap):
 * per pCPU, in counting images, as Xen's debug builds check it by
 * always using the mapcache (at most MAPCACHE_VCPU_ENTRIES held, each
 * unmapped once, none held on the way back to a guest); a breach is an
 * hv bug, a panic.  A lean image checks nothing. */
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "lib.h"

#ifndef ASILAB_LEAN
unsigned int domain_page_maps_held[NR_CPUS];

void domain_page_too_many(mfn_t mfn)
{
    panic("map_domain_page(%#lx): more than %u transient maps held", mfn,
          MAPCACHE_VCPU_ENTRIES);
}

void domain_page_none_held(const void *va)
{
    panic("unmap_domain_page(%p): no transient map held", va);
}

void domain_page_check_released(void)
{
    unsigned int n = domain_page_maps_held[smp_processor_id()];
    if (n)
        panic("exit to guest with %u transient domain page map(s) held", n);
}
#endif
