/* Guest descriptor tables.  A vCPU's GDT frames are validated descriptor
 * pages mapped read-only into its GDT window at GDT_VIRT_START(v), the
 * zero page behind them, then this pCPU's reserved hv page (entries
 * 0xe000...); its LDT
 * window is filled lazily: the first access to an LDT page faults into
 * the hv, which validates that guest page and maps it.  As in Xen 4.17
 * every PV vCPU runs on its full GDT (Xen's need_full_gdt is true for
 * every vCPU the switch paths here see: never the idle one): a switch rewrites
 * the reserved page's PTE in the next vCPU's window to this pCPU's page
 * (update_xen_slot_in_full_gdt, through the image's per-domain PTE
 * method: perdomain.h's gdt_ldt_ptes_*) and
 * reloads GDTR only when the window moves: to the default GDT before the
 * CR3 switch if the vCPU ids differ, the full one after it if not loaded
 * (the same vcpu_id of another domain has its window at the same
 * address). */
#include "domain_page.h"
#include "descriptor.h"
#include "flushtlb.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "page.h"
#include "perdomain.h"
#include "pvmm.h"
#include "traps.h"
#include "x86.h"

/* Xen's zero_page: what a GDT window maps where the vCPU has no guest
 * frame, so that a selector between the guest's last entry and the hv's
 * reserved page reads a null descriptor (#GP) rather than faulting on an
 * hv address (which would be the hv's fault, not the guest's). */
static uint64_t zero_page[512] __aligned(PAGE_SIZE);

mfn_t gdt_zero_mfn(void)
{
    return virt_to_maddr(zero_page) >> PAGE_SHIFT;
}

/* Map `nr` pages of v's GDT window from `first` to the zero page. */
static void gdt_window_zero(struct vcpu *v, unsigned int first, unsigned int nr)
{
    mfn_t z[FIRST_RESERVED_GDT_PAGE];
    for (unsigned int i = 0; i < nr; i++)
        z[i] = gdt_zero_mfn();
    gdt_ldt_ptes_set(v, first, z, nr);
}

int descriptors_vcpu_init(struct vcpu *v)
{
    _Static_assert(GDT_WINDOW_PAGES + LDT_WINDOW_PAGES == GDT_LDT_WINDOW_PAGES,
                   "the GDT and LDT windows fill the vCPU's 128 KiB");
    int rc = gdt_ldt_ptes_init(v);
    if (!rc)
        gdt_window_zero(v, 0, FIRST_RESERVED_GDT_PAGE);
    return rc;
}

/* Xen's update_xen_slot_in_full_gdt: this pCPU's reserved page (its hv
 * entries 0xe000...: TSS, LDT, hv code and data) behind v's GDT. */
static void update_xen_slot_in_full_gdt(struct vcpu *v, unsigned int cpu)
{
    mfn_t res = virt_to_maddr(reserved_gdt_page(cpu)) >> PAGE_SHIFT;
    gdt_ldt_ptes_set(v, FIRST_RESERVED_GDT_PAGE, &res, 1);
}

static void load_full_gdt(struct vcpu *v, unsigned int cpu)
{
    struct desc_ptr p = { NR_GDT_PAGES * PAGE_SIZE - 1, GDT_VIRT_START(v->vcpu_id) };
    lgdt(&p);
    pcpus[cpu].full_gdt_loaded = true;
    this_cpu_count(gdt_load, 1);
}

static void load_default(unsigned int cpu)
{
    load_default_gdt(cpu);
    pcpus[cpu].full_gdt_loaded = false;
    this_cpu_count(gdt_load, 1);
}

static void load_ldt(struct vcpu *v, unsigned int cpu)
{
    struct pcpu *c = &pcpus[cpu];

    if (!v->ldt_ents) {
        if (c->ldt_ents_loaded) {
            lldt(0);
            c->ldt_ents_loaded = 0;
            this_cpu_count(ldt_load, 1);
        }
        return;
    }
    uint64_t base = LDT_VIRT_START(v->vcpu_id), lim = v->ldt_ents * 8 - 1;
    uint64_t *g = reserved_gdt_page(cpu);
    g[(LDT_SELECTOR >> 3) & 511] = (lim & 0xffff) | ((base & 0xffffff) << 16) |
        (0x82UL << 40) | (((lim >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    g[((LDT_SELECTOR >> 3) & 511) + 1] = base >> 32;
    lldt(LDT_SELECTOR);
    c->ldt_ents_loaded = v->ldt_ents;
    this_cpu_count(ldt_load, 1);
}

/* Before the CR3 switch, as Xen's __context_switch: next's window gets
 * this pCPU's reserved page; the loaded window (held's, the vCPU whose
 * state the pCPU holds, NULL for none) stays valid across the switch
 * only if it is at next's address (the same vcpu_id), else the default
 * GDT (always mapped) until after it. */
void descriptors_switch_out(const struct vcpu *held, struct vcpu *next)
{
    unsigned int cpu = smp_processor_id();
    update_xen_slot_in_full_gdt(next, cpu);
    if (pcpus[cpu].full_gdt_loaded && (!held || held->vcpu_id != next->vcpu_id))
        load_default(cpu);
}

void descriptors_switch_in(struct vcpu *next)
{
    unsigned int cpu = smp_processor_id();
    if (!pcpus[cpu].full_gdt_loaded)
        load_full_gdt(next, cpu);
    load_ldt(next, cpu);
}

/* Drop v's GDT frames: the zero page takes their place in the window
 * (Xen's pv_destroy_gdt) before their references go. */
static void release_gdt(struct vcpu *v)
{
    unsigned int nr = (v->gdt_ents + 511) / 512;
    gdt_window_zero(v, 0, nr);
    for (unsigned int i = 0; i < nr; i++)
        put_page_and_type(v->gdt_frames[i], v->domain);
    v->gdt_ents = 0;
}

long do_set_gdt(unsigned long frame_list, unsigned long entries, unsigned long a3,
                unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    mfn_t frames[FIRST_RESERVED_GDT_PAGE];
    unsigned int nr = (entries + 511) / 512, i;
    int rc = 0;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    if (copy_from_guest(frames, frame_list, nr * sizeof(mfn_t)))
        return -XEN_EFAULT;
    for (i = 0; i < nr && !rc; i++)
        rc = get_page_and_type(frames[i], d, PGT_seg_desc);
    if (rc) {
        for (unsigned int j = 0; j + 1 < i; j++)
            put_page_and_type(frames[j], d);
        return -XEN_EINVAL;          /* Xen's pv_set_gdt: any bad frame */
    }
    /* GDTR points at the window (the switch in loaded it) while its
     * guest pages change: the hv's own entries (page 14, used by
     * interrupts) stay put, so nothing is reloaded. */
    release_gdt(v);
    memcpy(v->gdt_frames, frames, nr * sizeof(mfn_t));
    gdt_ldt_ptes_set(v, 0, frames, nr);
    v->gdt_ents = entries;
    return 0;
}

/* Xen's do_update_descriptor: the descriptor is checked first, whatever
 * the page (a writable page may become a GDT/LDT frame later, and Xen
 * keeps to the rules there too), then written under a type reference:
 * the descriptor type if the page is a live GDT/LDT frame, writable
 * otherwise.  Every refusal is -EINVAL, as in Xen (a frame that is not
 * the domain's, a page table, a misaligned address, a bad descriptor). */
long do_update_descriptor(unsigned long ma, unsigned long desc, unsigned long a3,
                          unsigned long a4, unsigned long a5)
{
    struct domain *d = current->domain;
    mfn_t mfn = ma >> PAGE_SHIFT;
    unsigned int type;

    if ((ma & 7) || check_descriptor(&desc) || get_page(mfn, d))
        return -XEN_EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    type = pg->type == PGT_seg_desc && pg->type_count ? PGT_seg_desc : PGT_writable;
    int rc = get_page_type(mfn, d, type) ? -XEN_EINVAL : 0;
    if (!rc) {
        uint64_t *slot = (uint64_t *)map_domain_page(mfn) + ((ma & ~PAGE_MASK) >> 3);
        __atomic_store_n(slot, desc, __ATOMIC_RELEASE);
        unmap_domain_page(slot);
        put_page_type(mfn, d);
    }
    put_page(mfn);
    return rc;
}

void descriptors_ldt_mapped(struct vcpu *v, mfn_t mfns[LDT_WINDOW_PAGES])
{
    perdomain_lookup(v, LDT_VIRT_START(v->vcpu_id), LDT_WINDOW_PAGES, mfns);
}

void descriptors_gdt_mapped(struct vcpu *v, mfn_t mfns[FIRST_RESERVED_GDT_PAGE])
{
    perdomain_lookup(v, GDT_VIRT_START(v->vcpu_id), FIRST_RESERVED_GDT_PAGE, mfns);
}

void invalidate_ldt_mappings(struct vcpu *v)
{
    mfn_t mfns[LDT_WINDOW_PAGES];
    gdt_ldt_ptes_clear(v, GDT_WINDOW_PAGES, LDT_WINDOW_PAGES, mfns);
    for (unsigned int i = 0; i < LDT_WINDOW_PAGES; i++)
        if (mfns[i])
            put_page_and_type(mfns[i], v->domain);
}

int pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents)
{
    if ((base & ~PAGE_MASK) || ents > MAX_LDT_ENTS ||
        (ents && !guest_range_ok(base, ents * 8UL)))
        return -XEN_EINVAL;
    invalidate_ldt_mappings(v);
    v->ldt_base = base;
    v->ldt_ents = ents;
    load_ldt(v, smp_processor_id());
    return 0;
}

bool handle_ldt_fault(struct cpu_user_regs *regs, unsigned long va)
{
    struct vcpu *v = current;
    unsigned long base = LDT_VIRT_START(v->vcpu_id);

    if (v->is_idle || va < base || va >= base + LDT_WINDOW_PAGES * PAGE_SIZE)
        return false;
    /* Only the CPU's own descriptor fetch of a page not mapped yet; an
     * explicit guest access to the window is an ordinary fault. */
    if (regs->error_code & (PFEC_user | PFEC_present))
        return false;
    unsigned long off = va - base;
    bool guest = regs->cs & 3;
    if ((off >> 3) >= v->ldt_ents) {
        if (guest)       /* beyond the limit: the CPU should have said #GP */
            pv_inject_trap(regs, TRAP_gp_fault, true, off & ~7UL, 0);
        return guest;
    }
    unsigned long gva = v->ldt_base + (off & PAGE_MASK);
    mm_lock(v->domain);
    mfn_t mfn = guest_va_to_mfn(v, gva, false);
    if (mfn == INVALID_MFN || get_page_and_type(mfn, v->domain, PGT_seg_desc)) {
        mm_unlock(v->domain);
        if (guest)
            pv_inject_trap(regs, TRAP_page_fault, true, regs->error_code,
                           v->ldt_base + off);
        return guest;
    }
    gdt_ldt_ptes_set(v, GDT_WINDOW_PAGES + (off >> PAGE_SHIFT), &mfn, 1);
    mm_unlock(v->domain);
    this_cpu_count(ldt_map, 1);
    return true;
}
