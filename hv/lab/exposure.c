/* The isolation auditor: walk the page tables that are live for the
 * current vCPU in guest mode and in hv mode, and classify every mapping
 * reachable at supervisor level (present, whatever its user bit), 4 KiB
 * by 4 KiB: this domain's frames, other domains' frames, hv-private
 * frames, this pCPU's stack block, other pCPUs' stack blocks, other
 * vCPUs' per-domain windows (by address, in slot 260's GDT/LDT part),
 * other domains' frames the hv shares with them by design
 * (other_domain_shared: shared_info and grant table frames, Xen's
 * xenheap, and any global map of another domain's frame, Xen's vmap),
 * and whatever the running vCPU's mapcache maps at that moment (by
 * address, whoever owns it: +sparse only; the walk's own maps of the
 * tables it reads are among them).  Aliases count
 * each time they are mapped; what is mapped through the directmap is
 * also reported on its own; the zero page (GDT windows) holds nothing
 * and is not counted.  The read-only M2P (slot 256) is in every
 * strategy's guest-mode roots, as it is in Xen's (XPTI included): it is
 * global, each guest reads every frame's pfn, and its frames count as
 * hv_private.  A linear (recursive) guest entry is walked as the CPU
 * walks it, one level down per entry (so the walk ends): the tables it
 * reaches, one level up, count as mapped frames (and through the hv
 * slots stamped into a guest L4, the hv's tables and superpage heads).
 * One exposure record per address space. */
#include "console.h"
#include "descriptor.h"
#include "domain.h"
#include "domain_page.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "traps.h"

enum { OWN, OTHER_DOM, HV, THIS_STACK, OTHER_STACK, OTHER_WINDOW, OTHER_SHARED,
       MAPCACHE, NR_CLASSES };
static const char *const class_names[NR_CLASSES] = {
    "own_domain", "other_domain", "hv_private", "this_pcpu_stack",
    "other_pcpu_stack", "other_vcpu_window", "other_domain_shared", "mapcache",
};

struct walk {
    const struct vcpu *v;
    unsigned int cpu;
    mfn_t zero;                              /* the GDT windows' zero page */
    uint64_t bytes[NR_CLASSES], direct[NR_CLASSES];
};

static int classify(const struct walk *w, uint64_t va, mfn_t mfn)
{
    if (mapcache_holds_va(w->v, va))
        return MAPCACHE;
    if (va >= PERDOMAIN_VIRT_START && va < MAPCACHE_VIRT_START) {
        unsigned long vid = (va - PERDOMAIN_VIRT_START) >> GDT_LDT_VCPU_SHIFT;
        if (vid != w->v->vcpu_id)
            return OTHER_WINDOW;
    }
    paddr_t pa = mfn << PAGE_SHIFT;
    for (unsigned int c = 0; c < nr_cpus_online; c++) {   /* others: unused */
        paddr_t s = virt_to_maddr(cpu_stacks[c]);
        if (pa >= s && pa < s + STACK_SIZE)
            return c == w->cpu ? THIS_STACK : OTHER_STACK;
    }
    if (mfn > max_mfn)
        return HV;                           /* MMIO (the LAPIC), holes */
    unsigned int owner = frame_table[mfn].owner;
    if (owner == w->v->domain->domain_id)
        return OWN;
    if (owner >= DOMID_HV)
        return HV;
    if ((frame_table[mfn].flags & PGF_xenheap) || globalmap_va(va))
        return OTHER_SHARED;
    return OTHER_DOM;
}

static void walk_table(struct walk *w, mfn_t table, int level, uint64_t base)
{
    const pte_t *tab = map_domain_page(table);  /* a guest's: not in the directmap */
    for (unsigned int i = 0; i < 512; i++) {
        pte_t e = tab[i];
        if (!(e & _PAGE_PRESENT))
            continue;
        uint64_t va = base | ((uint64_t)i << (12 + 9 * (level - 1)));
        if (level == 4 && (va & (1UL << 47)))
            va |= 0xffff000000000000UL;      /* canonical upper half */
        mfn_t mfn = pte_addr(e) >> PAGE_SHIFT;
        if (level > 1 && !((e & _PAGE_PSE) && level <= 3)) {
            walk_table(w, mfn, level - 1, va);
            continue;
        }
        unsigned long pages = level == 1 ? 1 : 1UL << (9 * (level - 1));
        mfn &= ~(pages - 1);
        bool direct = va >= DIRECTMAP_VIRT_START && va < DIRECTMAP_VIRT_END;
        for (unsigned long p = 0; p < pages; p++) {
            if (mfn + p == w->zero)
                continue;                    /* holds nothing: not exposure */
            int c = classify(w, va + p * PAGE_SIZE, mfn + p);
            w->bytes[c] += PAGE_SIZE;
            if (direct)
                w->direct[c] += PAGE_SIZE;
        }
    }
    unmap_domain_page(tab);
}

static int fmt_classes(char *buf, size_t n, const uint64_t *v)
{
    int len = 0;
    for (int c = 0; c < NR_CLASSES; c++)
        len += snprintf(buf + len, n - len, "%s\"%s\":%lu", c ? "," : "",
                        class_names[c], v[c]);
    return len;
}

static void emit(const struct vcpu *v, const char *space, mfn_t root)
{
    struct walk w = { .v = v, .cpu = smp_processor_id(), .zero = gdt_zero_mfn() };
    char line[1024], bytes[384], direct[384];

    walk_table(&w, root, 4, 0);
    fmt_classes(bytes, sizeof(bytes), w.bytes);
    fmt_classes(direct, sizeof(direct), w.direct);
    int n = snprintf(line, sizeof(line),
        "@asilab {\"type\":\"exposure\",\"workload\":\"%s\",\"variant\":\"%s\","
        "\"mode\":\"%s\",\"space\":\"%s\",\"pcpu\":%u,\"domid\":%u,\"vcpu\":%u,"
        "\"bytes\":{%s},\"via_directmap\":{%s}}\n",
        v->domain->name, asilab_variant,
        lab_mode_name(), space,
        w.cpu, v->domain->domain_id, v->vcpu_id, bytes, direct);
    lab_emit_record(line, MIN((size_t)n, sizeof(line) - 1));
}

void lab_emit_exposure(void)
{
    struct vcpu *v = current;
    mfn_t guest_mode, hv_mode;
    strategy_live_roots(v, &guest_mode, &hv_mode);
    emit(v, "guest", guest_mode);
    emit(v, "hv", hv_mode);
}
