/* The map_domain_page family over the directmap (hv/include/domain_page.h
 * says what it promises), the default: every frame stays in the
 * directmap and a map is its address there, as Xen 4.17's release
 * builds return.  The transient maps' discipline is counted in counting
 * images (hv/mm/domain_page.c; a lean image returns the address only). */
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "lib.h"

void *map_domain_page(mfn_t mfn)
{
    domain_page_count_map(mfn);
    return mfn_to_virt(mfn);
}

void unmap_domain_page(const void *va)
{
    domain_page_count_unmap(va);
}

void *map_domain_page_global(mfn_t mfn)
{
    return mfn_to_virt(mfn);
}

void unmap_domain_page_global(const void *va)
{
    (void)va;
}

/* Nothing to set up, nothing taken out of the directmap. */
void domain_page_init(void)
{
}

int mapcache_vcpu_init(struct vcpu *v)
{
    return 0;
}

void domain_page_domains_built(void)
{
}

bool mapcache_holds_va(const struct vcpu *v, unsigned long va)
{
    return false;
}
