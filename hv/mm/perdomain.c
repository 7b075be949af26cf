/* populate_perdomain_mapping and friends, after the Xen ASI series' idea
 * (no stashed L1 pointers): when the vCPU is the one running here, its
 * root table is live, so the L1 entry of va is reached through the
 * recursive slot 258 (a fixed virtual address, one store and an INVLPG);
 * otherwise the hv walks the vCPU's slot-260 L3 through the directmap. */
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "perdomain.h"
#include "pt.h"
#include "strategy.h"
#include "x86.h"

/* The L1 entry mapping va, as seen through the recursive mapping. */
static inline pte_t *linear_l1e(unsigned long va)
{
    return (pte_t *)(LINEAR_PT_VIRT_START + (((va & ((1UL << 48) - 1)) >> PAGE_SHIFT) << 3));
}

/* Walk from v's slot-260 L3 to the L1 entry of va, creating tables. */
pte_t *perdomain_l1e(struct vcpu *v, unsigned long va, bool create)
{
    this_cpu_count(perdomain_walk, 1);
    pte_t *tab = mfn_to_virt(strategy_perdomain_l3(v));
    for (int level = 3; level > 1; level--) {
        pte_t *e = &tab[pt_index(va, level)];
        if (!(*e & _PAGE_PRESENT)) {
            if (!create)
                return NULL;
            mfn_t mfn = alloc_frame();
            if (!mfn)
                return NULL;
            *e = (mfn << PAGE_SHIFT) | PAGE_TABLE;
        }
        tab = mfn_to_virt(pte_addr(*e) >> PAGE_SHIFT);
    }
    return &tab[pt_index(va, 1)];
}

int create_perdomain_mapping(struct vcpu *v, unsigned long va, unsigned int nr)
{
    for (unsigned int i = 0; i < nr; i++)
        if (!perdomain_l1e(v, va + i * PAGE_SIZE, true))
            return -XEN_ENOMEM;
    return 0;
}

int populate_perdomain_mapping(struct vcpu *v, unsigned long va,
                               const mfn_t *mfns, unsigned int nr)
{
    bool live = perdomain_live_here(v);
    for (unsigned int i = 0; i < nr; i++) {
        unsigned long a = va + i * PAGE_SIZE;
        pte_t val = (mfns[i] << PAGE_SHIFT) | PAGE_HV_RO;
        if (live) {
            /* Tables exist (created with the window); fast path. */
            *linear_l1e(a) = val;
            invlpg(a);
            this_cpu_count(invlpg, 1);
        } else {
            pte_t *e = perdomain_l1e(v, a, true);
            if (!e)
                return -XEN_ENOMEM;
            *e = val;
        }
        this_cpu_count(pte_write, 1);
    }
    return 0;
}

void perdomain_lookup(struct vcpu *v, unsigned long va, unsigned int nr, mfn_t *mfns)
{
    for (unsigned int i = 0; i < nr; i++) {
        pte_t *e = perdomain_l1e(v, va + i * PAGE_SIZE, false);
        mfns[i] = e && (*e & _PAGE_PRESENT) ? pte_addr(*e) >> PAGE_SHIFT : 0;
    }
}

void destroy_perdomain_mapping(struct vcpu *v, unsigned long va,
                               unsigned int nr, mfn_t *mfns)
{
    bool live = perdomain_live_here(v);
    for (unsigned int i = 0; i < nr; i++) {
        unsigned long a = va + i * PAGE_SIZE;
        pte_t *e = live ? linear_l1e(a) : perdomain_l1e(v, a, false);
        pte_t old = e ? *e : 0;
        if (mfns)
            mfns[i] = (old & _PAGE_PRESENT) ? pte_addr(old) >> PAGE_SHIFT : 0;
        if (!(old & _PAGE_PRESENT))
            continue;
        *e = 0;
        this_cpu_count(pte_write, 1);
        if (live) {
            invlpg(a);
            this_cpu_count(invlpg, 1);
        }
    }
}
