/* +sparse: the map_domain_page family over a per-vCPU mapcache, with a
 * secret-free directmap (hv/include/domain_page.h says what it promises).
 *
 * The directmap keeps the hv's own frames and the pages the hv shares
 * with a domain (shared_info, grant table frames: Xen's xenheap), but no
 * domain's own frame and no pCPU's stack block: once the domains are
 * built, every guest frame and every stack block's directmap alias goes
 * (domain_page_domains_built).  The hv reaches a guest frame through:
 *  - the mapcache, for transient maps: Xen 4.17's map_domain_page made
 *    per vCPU as the ASI series' patch 15 does -- MAPCACHE_VCPU_ENTRIES
 *    entries at MAPCACHE_VIRT_START in the vCPU's own slot-260 L3 (so no
 *    other vCPU's root maps them and no lock is taken), an 8-bucket hash
 *    of recently released entries that stay mapped (a hit maps nothing),
 *    released entries zapped and marked garbage without a flush, and a
 *    local TLB flush when the cursor wraps (nothing else may hold a
 *    translation of them: only this vCPU's tables map them, and every
 *    load of another vCPU's tables flushes non-global entries).  The
 *    entries used are those of the vCPU whose tables are loaded (Xen's
 *    pgtable_vcpu: pcpu->last_guest, which idle keeps lazily), or before
 *    any guest ran on the pCPU its idle vCPU's (idle_pg_table's slot-260
 *    L3 is one for all pCPUs: each idle vCPU has its own 16 pages there);
 *  - the global-map area (Xen's vmap, slot 261), for global maps.
 * The bookkeeping is hv/include/mapcache.h's (host-tested).
 * Counted: mapcache_map (a transient map, hit or not: Xen's
 * map_domain_page_count), mapcache_flush (a wrap's local flush: Xen's
 * domain_page_tlb_flush). */
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mapcache.h"
#include "perdomain.h"
#include "pt.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

static uint64_t *globalmap_l1;          /* the area's L1 (shared by all roots) */
static uint64_t globalmap_used[GLOBALMAP_ENTRIES / 64];
static spinlock_t globalmap_lock;

static inline unsigned long irq_save(void)
{
    unsigned long f;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(f) :: "memory");
    return f;
}
static inline void irq_restore(unsigned long f)
{
    __asm__ volatile("push %0; popf" :: "r"(f) : "memory", "cc");
}

/* Every online pCPU (they are numbered 0..nr_cpus_online-1). */
static cpumask_t online_cpus(void)
{
    cpumask_t all = 0;
    for (unsigned int c = 0; c < nr_cpus_online; c++)
        all |= 1UL << c;
    return all;
}

/* Xen's mapcache_current_vcpu: whose slot 260 CR3 holds. */
static struct mapcache_vcpu *mapcache_current(void)
{
    struct pcpu *c = this_pcpu();
    struct vcpu *v = c->last_guest ? c->last_guest : c->idle;
    return v->mapcache.va ? &v->mapcache : NULL;
}

void *map_domain_page(mfn_t mfn)
{
    struct mapcache_vcpu *mc = mapcache_current();
    domain_page_count_map(mfn);
    if (!mc)
        return mfn_to_virt(mfn);        /* before the mapcache exists: boot */
    this_cpu_count(mapcache_map, 1);

    unsigned long flags = irq_save();
    bool wrapped;
    unsigned int ptes;
    int idx = mapcache_get(mc, mfn, &wrapped, &ptes);
    if (idx < 0)
        panic("map_domain_page(%#lx): every mapcache entry held", mfn);
    if (wrapped) {
        flush_local(FLUSH_TLB, 0);
        this_cpu_count(mapcache_flush, 1);
    }
    this_cpu_count(pte_write, ptes);
    irq_restore(flags);
    return (void *)(mc->va + ((unsigned long)idx << PAGE_SHIFT));
}

void unmap_domain_page(const void *ptr)
{
    unsigned long va = (unsigned long)ptr;
    domain_page_count_unmap(ptr);
    if (va >= DIRECTMAP_VIRT_START && va < DIRECTMAP_VIRT_END)
        return;                         /* a boot-time map */
    struct mapcache_vcpu *mc = mapcache_current();
    unsigned long idx = mc ? (va - mc->va) >> PAGE_SHIFT : ~0UL;
    unsigned long flags = irq_save();
    if (!mc || !mapcache_held(mc, idx))
        panic("unmap_domain_page(%p): not a map held in this mapcache", ptr);
    unsigned int ptes = mapcache_put(mc, idx);   /* not inside the count: */
    this_cpu_count(pte_write, ptes);             /* lean images drop it */
    irq_restore(flags);
}

/* Xen's vmap of one page: a free entry of the area, global like the
 * rest of the hv's mappings (the area is in every root's slot 261). */
void *map_domain_page_global(mfn_t mfn)
{
    spin_lock(&globalmap_lock);
    for (unsigned int i = 0; i < GLOBALMAP_ENTRIES; i++)
        if (!(globalmap_used[i / 64] >> (i % 64) & 1)) {
            globalmap_used[i / 64] |= 1UL << (i % 64);
            globalmap_l1[i] = (mfn << PAGE_SHIFT) | PAGE_HV_RW | _PAGE_GLOBAL;
            spin_unlock(&globalmap_lock);
            this_cpu_count(pte_write, 1);
            return (void *)(GLOBALMAP_VIRT_START + ((unsigned long)i << PAGE_SHIFT));
        }
    spin_unlock(&globalmap_lock);
    return NULL;
}

/* Xen's vunmap: the entry goes, then every pCPU flushes it. */
void unmap_domain_page_global(const void *ptr)
{
    unsigned long va = (unsigned long)ptr;
    if (!ptr || (va >= DIRECTMAP_VIRT_START && va < DIRECTMAP_VIRT_END))
        return;
    unsigned long i = (va - GLOBALMAP_VIRT_START) >> PAGE_SHIFT;
    if (!globalmap_va(va) || !(globalmap_used[i / 64] >> (i % 64) & 1))
        panic("unmap_domain_page_global(%p): not a global map", ptr);
    spin_lock(&globalmap_lock);
    globalmap_l1[i] = 0;
    spin_unlock(&globalmap_lock);
    this_cpu_count(pte_write, 1);
    flush_mask(online_cpus(), FLUSH_INVLPG, va);
    spin_lock(&globalmap_lock);
    globalmap_used[i / 64] &= ~(1UL << (i % 64));
    spin_unlock(&globalmap_lock);
}

/* The global-map area's tables, in idle_pg_table's slot-261 L3 before
 * any strategy copies it (they share its L2s). */
void domain_page_init(void)
{
    pte_t *e = pt_walk(idle_pg_table_maddr, GLOBALMAP_VIRT_START, 1, alloc_frame, PAGE_TABLE);
    if (!e)
        panic("no memory for the global-map area");
    globalmap_l1 = e;                   /* entry 0 of its L1 */
}

/* A guest vCPU's entries under its slot-260 L3 (perdomain.c's walk), an
 * idle vCPU's under idle_pg_table's; each run of 16 lies in one L1. */
int mapcache_vcpu_init(struct vcpu *v)
{
    struct mapcache_vcpu *mc = &v->mapcache;
    uint64_t *l1e;
    if (v->is_idle) {
        unsigned long va = MAPCACHE_VIRT_START +
                           (unsigned long)v->processor * MAPCACHE_VCPU_ENTRIES * PAGE_SIZE;
        l1e = pt_walk(idle_pg_table_maddr, va, 1, alloc_frame, PAGE_TABLE);
        if (l1e)
            mapcache_reset(mc, va, l1e);
    } else {
        l1e = perdomain_l1e(v, MAPCACHE_VIRT_START, true);
        if (l1e)
            mapcache_reset(mc, MAPCACHE_VIRT_START, l1e);
    }
    return l1e ? 0 : -XEN_ENOMEM;
}


/* The secret-free directmap: every domain's own frames and every
 * pCPU's stack block leave it; the pages the hv shares with a domain
 * (shared_info, grant frames: owned by it but not in its p2m) stay. */
void domain_page_domains_built(void)
{
    unsigned long hidden = 0;
    for (unsigned int i = 0; i < nr_domains; i++) {
        const struct domain *d = domains[i];
        for (unsigned long pfn = 0; pfn < d->nr_pages; pfn++, hidden++)
            if (directmap_hide_frame(d->p2m[pfn]))
                panic("+sparse: no memory to split the directmap");
    }
    for (unsigned int c = 0; c < NR_CPUS; c++)
        for (unsigned long off = 0; off < STACK_SIZE; off += PAGE_SIZE, hidden++)
            if (directmap_hide_frame(virt_to_maddr(cpu_stacks[c] + off) >> PAGE_SHIFT))
                panic("+sparse: no memory to split the directmap");
    flush_mask(online_cpus(), FLUSH_TLB_GLOBAL, 0);
    printk("hv: +sparse: %lu frames out of the directmap\n", hidden);
}

bool mapcache_holds_va(const struct vcpu *v, unsigned long va)
{
    return v->mapcache.va && va >= v->mapcache.va &&
           va < v->mapcache.va + MAPCACHE_VCPU_ENTRIES * PAGE_SIZE;
}
