/* Strategy per_pcpu_l4: Xen's XPTI.  While a guest runs, CR3 is this
 * pCPU's restricted root table: the guest's 496 slots, the current
 * domain's per-domain slot, and in slot 261 only what the entry and exit
 * paths need (entry text, this pCPU's stacks, GDT, TSS, IDT), plus slot
 * 256, the read-only M2P every PV guest may read (as Xen's).  Every
 * entry into the hv switches to the guest's full L4 (cpu_info->xen_cr3)
 * before touching anything else; every exit copies the guest slots into
 * the root if it is stale (root_pgt_changed) and loads it (pv_cr3).
 * Global pages are off: nothing of the hv may survive in the TLB.  With
 * PCIDs (+pcid) the full L4 is tagged 0/1 and the root 2/3 (kernel/user,
 * Xen's PCID_PV_XPTI), all loads no-flush. */
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

/* As Xen's XPTI: no global pages (the hv must not survive in the TLB
 * across the exit's CR3 load); restricted roots are their own tags. */
const struct strategy_tlb strategy_tlb = { .global_pages = false, .xpti = true };

static mfn_t root_pgt[NR_CPUS];
static uint64_t root_hv_slots[NR_CPUS][HV_LAST_SLOT - HV_FIRST_SLOT + 1];  /* as built */

static void map_region(void *ctx, const void *start, size_t len, uint64_t flags)
{
    paddr_t root = *(paddr_t *)ctx;
    uint64_t va = (uint64_t)start & PAGE_MASK;
    unsigned long nr = (ROUNDUP((uint64_t)start + len, PAGE_SIZE) - va) >> PAGE_SHIFT;
    if (pt_map_range(root, va, virt_to_maddr((void *)va), nr, flags, alloc_frame, PAGE_TABLE))
        panic("per_pcpu_l4: cannot build the restricted root table");
}

void strategy_cpu_init(struct pcpu *c)
{
    mfn_t root = alloc_frame();
    if (!root)
        panic("per_pcpu_l4: no memory for a root table");
    paddr_t pa = root << PAGE_SHIFT;
    percpu_entry_regions(c->cpu_id, map_region, &pa);
    /* As Xen's setup_cpu_root_pgt: the read-only M2P is guest-visible. */
    ((uint64_t *)mfn_to_virt(root))[RO_MPT_SLOT] =
        ((const uint64_t *)__va(idle_pg_table_maddr))[RO_MPT_SLOT];
    root_pgt[c->cpu_id] = root;
    memcpy(root_hv_slots[c->cpu_id], (uint64_t *)mfn_to_virt(root) + HV_FIRST_SLOT,
           sizeof(root_hv_slots[0]));
}

int strategy_vcpu_init(struct vcpu *v)
{
    return 0;
}

void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab)
{
    stamp_hv_l4_slots(l4, tab, d->perdomain_l3);
}

/* The root is recopied from the current L4 after every base pointer
 * load: it never outlives the L4 it was built from. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4)
{
}

/* In the hv: the guest's full L4.  Towards the guest: this pCPU's root,
 * stale until the guest slots are copied in on the way out. */
void strategy_write_ptbase(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    uint64_t full = make_cr3(v, vcpu_guest_root(v), false);
    write_cr3_counted(full);
    ci->xen_cr3 = full;
    ci->pv_cr3 = make_cr3(v, root_pgt[ci->processor_id], true);
    ci->root_pgt_changed = 1;
}

int strategy_exit_to_guest(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    if (!ci->root_pgt_changed)
        return 0;
    mfn_t src = vcpu_guest_root(v);
    if (src > max_mfn || mfn_to_page(src)->type != PGT_l4 || !mfn_to_page(src)->type_count) {
        domain_crash(v->domain, "per_pcpu_l4: root refresh from %#lx, not a live L4", src);
        return -1;
    }
    uint64_t *root = mfn_to_virt(root_pgt[ci->processor_id]);
    const uint64_t *g = mfn_to_virt(src);
    copy_guest_l4_slots(root, g);
    root[PERDOMAIN_SLOT] = g[PERDOMAIN_SLOT];
    ci->root_pgt_changed = 0;
    return 0;
}

/* Every root built from this L4 must be refreshed before its next use. */
unsigned int strategy_guest_l4_changed(struct domain *d, mfn_t l4, unsigned int slot)
{
    return FLUSH_ROOT_PGTBL;
}

void strategy_live_roots(struct vcpu *v, mfn_t *guest_mode, mfn_t *hv_mode)
{
    strategy_exit_to_guest(v);            /* refresh the root if stale */
    *guest_mode = root_pgt[smp_processor_id()];
    *hv_mode = vcpu_guest_root(v);
}

/* Nothing to do now: the hv runs on the guest's own L4; the root is
 * refreshed on the way out (root_pgt_changed). */
void strategy_flush_root(void)
{
}

/* This pCPU's root, unless a refresh is pending: the guest slots and
 * slot 260 of the running vCPU's L4, and the other hv slots as built
 * (entry text, this pCPU's stack block, GDT, TSS, IDT, the read-only
 * M2P: nothing more). */
void strategy_audit_roots(struct domain *d, audit_report_fn *bad)
{
    struct cpu_info *ci = get_cpu_info();
    struct vcpu *v = current;
    unsigned int cpu = ci->processor_id;
    if (v->domain != d || ci->root_pgt_changed)
        return;
    const uint64_t *root = mfn_to_virt(root_pgt[cpu]), *g = mfn_to_virt(vcpu_guest_root(v));
    if (!guest_l4_slots_equal(root, g) || root[PERDOMAIN_SLOT] != g[PERDOMAIN_SLOT])
        bad(d, "per_pcpu_l4: root differs from the running vCPU's L4", root_pgt[cpu]);
    for (unsigned int s = HV_FIRST_SLOT; s <= HV_LAST_SLOT; s++)
        if (s != PERDOMAIN_SLOT && root[s] != root_hv_slots[cpu][s - HV_FIRST_SLOT])
            bad(d, "per_pcpu_l4: root hv slot changed", root_pgt[cpu]);
}

mfn_t strategy_perdomain_l3(struct vcpu *v)
{
    return v->domain->perdomain_l3;
}
