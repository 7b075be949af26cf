/* The map_domain_page family over the directmap (hv/include/domain_page.h
 * says what it promises), with the transient maps' discipline counted
 * per pCPU in counting images (a lean image returns the address only). */
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "lib.h"

#ifndef ASILAB_LEAN
static unsigned int maps_held[NR_CPUS];
#endif

void *map_domain_page(mfn_t mfn)
{
#ifndef ASILAB_LEAN
    unsigned int *n = &maps_held[smp_processor_id()];
    if (++*n > MAPCACHE_VCPU_ENTRIES)
        panic("map_domain_page(%#lx): more than %u transient maps held", mfn,
              MAPCACHE_VCPU_ENTRIES);
#endif
    return mfn_to_virt(mfn);
}

void unmap_domain_page(const void *va)
{
#ifndef ASILAB_LEAN
    unsigned int *n = &maps_held[smp_processor_id()];
    if (!*n)
        panic("unmap_domain_page(%p): no transient map held", va);
    --*n;
#else
    (void)va;
#endif
}

void *map_domain_page_global(mfn_t mfn)
{
    return mfn_to_virt(mfn);
}

void unmap_domain_page_global(const void *va)
{
    (void)va;
}

#ifndef ASILAB_LEAN
void domain_page_check_released(void)
{
    unsigned int n = maps_held[smp_processor_id()];
    if (n)
        panic("exit to guest with %u transient domain page map(s) held", n);
}
#endif
