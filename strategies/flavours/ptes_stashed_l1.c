/* +stashed_l1: Xen 4.17's per-domain PTE method, the baseline of the ASI
 * series' patch 04.  At vCPU creation the window's tables are made and a
 * pointer to its first L1 entry is stashed (Xen's pv_gdt_ptes(v): the
 * domain's gdt_ldt_l1tab[] page plus the vCPU's offset; here one pointer
 * per vCPU, since per_vcpu_l4 gives each vCPU its own slot-260 L3: one
 * load less than Xen's array); every later write is one store through
 * it, the context switch's update_xen_slot_in_full_gdt included.  The TLB
 * rule is the default method's (an INVLPG when the window is live here),
 * so the two differ only in how the entry is reached. */
#include "lab.h"
#include "perdomain.h"
#include "x86.h"

int gdt_ldt_ptes_init(struct vcpu *v)
{
    unsigned long va = GDT_VIRT_START(v->vcpu_id);
    if (create_perdomain_mapping(v, va, GDT_LDT_WINDOW_PAGES))
        return -XEN_ENOMEM;
    /* The 32 entries are contiguous: the window is 128 KiB aligned. */
    v->gdt_ldt_l1e = perdomain_l1e(v, va, false);
    return v->gdt_ldt_l1e ? 0 : -XEN_ENOMEM;
}

void gdt_ldt_ptes_set(struct vcpu *v, unsigned int page, const mfn_t *mfns, unsigned int nr)
{
    uint64_t *l1e = v->gdt_ldt_l1e + page;
    unsigned long va = GDT_VIRT_START(v->vcpu_id) + page * PAGE_SIZE;
    bool live = perdomain_live_here(v);
    for (unsigned int i = 0; i < nr; i++, va += PAGE_SIZE) {
        l1e[i] = (mfns[i] << PAGE_SHIFT) | PAGE_HV_RO;
        this_cpu_count(pte_write, 1);
        if (live) {
            invlpg(va);
            this_cpu_count(invlpg, 1);
        }
    }
}

void gdt_ldt_ptes_clear(struct vcpu *v, unsigned int page, unsigned int nr, mfn_t *old)
{
    uint64_t *l1e = v->gdt_ldt_l1e + page;
    unsigned long va = GDT_VIRT_START(v->vcpu_id) + page * PAGE_SIZE;
    bool live = perdomain_live_here(v);
    for (unsigned int i = 0; i < nr; i++, va += PAGE_SIZE) {
        pte_t e = l1e[i];
        if (old)
            old[i] = (e & _PAGE_PRESENT) ? pte_addr(e) >> PAGE_SHIFT : 0;
        if (!(e & _PAGE_PRESENT))
            continue;
        l1e[i] = 0;
        this_cpu_count(pte_write, 1);
        if (live) {
            invlpg(va);
            this_cpu_count(invlpg, 1);
        }
    }
}
