/* The per-vCPU mapcache's bookkeeping (+sparse, the ASI series' patch 15
 * over Xen 4.17's map_domain_page/unmap_domain_page): which entry maps a
 * frame, what a release leaves mapped, when the entries wrap.  Pure
 * functions over struct mapcache_vcpu (below; every vCPU has one) and
 * its L1 entries, so the host unit test (tests/unit/test_mapcache.c) runs
 * them as they run in the hv; strategies/flavours/domain_page_mapcache.c
 * adds the interrupt masking, the TLB flush and the counters.
 *   get: a hash hit (the frame's bucket holds it) takes a reference and
 *     writes nothing; otherwise the next entry free from the cursor on;
 *     none (wrapped): the garbage (entries released and zapped since the
 *     last wrap) is taken back, and with none an idle hash entry is
 *     zapped and reused -- the caller must flush this CPU's TLB before
 *     the new entry is used (*wrapped), as Xen flushes on every wrap.
 *   put: the frame's bucket keeps the entry mapped (refcount down) if it
 *     is the bucket's; an idle bucket takes it over (evicting, zapping
 *     and marking garbage its old entry); otherwise the entry is zapped
 *     and marked garbage.  No flush: a zapped entry's translation may
 *     live on in the TLB until the next wrap or CR3 load, and the entry
 *     is not reused before either. */
#ifndef ASILAB_MAPCACHE_H
#define ASILAB_MAPCACHE_H
#include "pt.h"
#include "types.h"

#define MAPCACHE_VCPU_ENTRIES 16        /* Xen: CONFIG_PAGING_LEVELS^2 */
#define MAPHASH_ENTRIES       8         /* Xen's per-vCPU maphash */
#define MAPHASHENT_NOTINUSE   0xffffU

/* Xen's struct mapcache_vcpu, per vCPU (used by the +sparse file only;
 * part of every vCPU, as Xen's v->arch.pv.mapcache).  Its entries'
 * addresses: hv/include/domain_page.h. */
struct vcpu_maphash_entry {
    mfn_t mfn;                          /* ~0: none */
    uint16_t idx;                       /* MAPHASHENT_NOTINUSE: none */
    uint16_t refcnt;
};
struct mapcache_vcpu {
    unsigned long va;                   /* entry 0's address, 0: no mapcache */
    uint64_t *l1e;                      /* the L1 entries behind va.. */
    uint32_t inuse, garbage;            /* one bit per entry */
    unsigned int cursor;
    struct vcpu_maphash_entry hash[MAPHASH_ENTRIES];
};

#define MAPCACHE_ALL ((1U << MAPCACHE_VCPU_ENTRIES) - 1)
/* Not global: another vCPU's tables map other frames at the same place. */
#define MAPCACHE_PTE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)

static inline void mapcache_reset(struct mapcache_vcpu *mc, unsigned long va, uint64_t *l1e)
{
    *mc = (struct mapcache_vcpu){ .va = va, .l1e = l1e };
    for (unsigned int i = 0; i < MAPHASH_ENTRIES; i++)
        mc->hash[i] = (struct vcpu_maphash_entry){ .mfn = ~0UL, .idx = MAPHASHENT_NOTINUSE };
}

static inline unsigned int maphash_of(mfn_t mfn)
{
    return mfn & (MAPHASH_ENTRIES - 1);
}

/* The entry that maps mfn now, or -1 if every entry is held (more than
 * MAPCACHE_VCPU_ENTRIES maps: a caller's bug).  *wrapped: flush first.
 * *ptes: L1 entries written. */
static inline int mapcache_get(struct mapcache_vcpu *mc, mfn_t mfn, bool *wrapped,
                               unsigned int *ptes)
{
    struct vcpu_maphash_entry *h = &mc->hash[maphash_of(mfn)];
    *wrapped = false;
    *ptes = 0;
    if (h->mfn == mfn && h->idx != MAPHASHENT_NOTINUSE) {
        h->refcnt++;
        return h->idx;
    }
    uint32_t free = ~mc->inuse & MAPCACHE_ALL & ~((1U << mc->cursor) - 1);
    if (!free) {
        mc->inuse &= ~mc->garbage;
        mc->garbage = 0;
        free = ~mc->inuse & MAPCACHE_ALL;
        if (!free) {
            unsigned int i = maphash_of(mfn);
            do {
                struct vcpu_maphash_entry *e = &mc->hash[i];
                if (e->idx != MAPHASHENT_NOTINUSE && !e->refcnt) {
                    mc->l1e[e->idx] = 0;
                    ++*ptes;
                    mc->inuse &= ~(1U << e->idx);
                    e->idx = MAPHASHENT_NOTINUSE;
                    e->mfn = ~0UL;
                    break;
                }
                i = (i + 1) % MAPHASH_ENTRIES;
            } while (i != maphash_of(mfn));
            free = ~mc->inuse & MAPCACHE_ALL;
            if (!free)
                return -1;
        }
        *wrapped = true;
    }
    unsigned int idx = __builtin_ctz(free);
    mc->inuse |= 1U << idx;
    mc->cursor = idx + 1;
    mc->l1e[idx] = (mfn << PAGE_SHIFT) | MAPCACHE_PTE;
    ++*ptes;
    return (int)idx;
}

/* Release entry idx (held: the caller checked); returns the L1 entries
 * written. */
static inline unsigned int mapcache_put(struct mapcache_vcpu *mc, unsigned int idx)
{
    mfn_t mfn = pte_addr(mc->l1e[idx]) >> PAGE_SHIFT;
    struct vcpu_maphash_entry *h = &mc->hash[maphash_of(mfn)];
    if (h->idx == idx) {
        h->refcnt--;                    /* stays mapped, for the next hit */
        return 0;
    }
    if (!h->refcnt) {
        unsigned int n = 0;
        if (h->idx != MAPHASHENT_NOTINUSE) {
            mc->l1e[h->idx] = 0;        /* evict the bucket's old entry */
            mc->garbage |= 1U << h->idx;
            n = 1;
        }
        h->mfn = mfn;
        h->idx = idx;
        return n;
    }
    mc->l1e[idx] = 0;
    mc->garbage |= 1U << idx;
    return 1;
}

/* Whether entry idx is one a put may release: in use, not garbage, and
 * either referenced through its bucket or outside the hash. */
static inline bool mapcache_held(const struct mapcache_vcpu *mc, unsigned long idx)
{
    if (idx >= MAPCACHE_VCPU_ENTRIES || !(mc->inuse & (1U << idx)) ||
        (mc->garbage & (1U << idx)) || !(mc->l1e[idx] & _PAGE_PRESENT))
        return false;
    const struct vcpu_maphash_entry *h = &mc->hash[maphash_of(pte_addr(mc->l1e[idx]) >> PAGE_SHIFT)];
    return h->idx != idx || h->refcnt;
}

#endif
