/* layout: an upper-half PV kernel (VIRT_BASE -2 GiB, the image 2 MiB
 * above it, a PADDR_OFFSET note; guest-upper.ld) checks that the domain
 * builder kept Xen's x86-64 PV contract and that the M2P and memory_op
 * answer as Xen's:
 *  - start_info, p2m list, page tables, boot stack follow the image in
 *    Xen's order, each where Xen's builder puts it (a domU: its xenstore
 *    and console pages after start_info, as libxenguest), and the mapping ends
 *    where Xen's does (the stack's end rounded up to 4 MiB, 512 KiB spare);
 *  - pfn = (va - VIRT_BASE) >> 12 for every mapped page (its PTE's frame
 *    is p2m[pfn]); the pages beyond are in the p2m list only, unmapped;
 *  - m2p[p2m[pfn]] == pfn for all its pages, read at RO_MPT_VIRT_START;
 *    MMU_MACHPHYS_UPDATE changes its own entries;
 *  - memory_op: machphys_mapping, machphys_mfn_list, maximum_ram_page,
 *    current/maximum_reservation, maximum_gpfn (self, another domain,
 *    none), memory_map (-ENOSYS: no toolstack map), unknown sub-ops;
 *  - its command line is exactly "mem=N" (N: its MiB; nothing appended)
 *    and start_info's flags say dom0 exactly for domain 0.
 * Any failed check crashes the domain (the boot fails).  Domain 0
 * measures one op: an MMU_MACHPHYS_UPDATE of one of its frames. */
#include "guest.h"
#include "mm.h"
#include "event.h"

const char workload_name[] = "layout";
const char *const workload_args[] = { NULL };

extern char __image_start[], __image_end[];
#define MIB (1UL << 20)

static void check(bool ok, const char *what)
{
    if (!ok)
        guest_panic("%s", what);
}

static unsigned long round_up(unsigned long x, unsigned long a)
{
    return (x + a - 1) & ~(a - 1);
}

static unsigned long pfn_of(unsigned long va)
{
    return (va - GUEST_VIRT_BASE) >> 12;
}

static bool pte_present(unsigned long va)
{
    unsigned long l4 = ((const uint64_t *)start_info->pt_base)[(va >> 39) & 511];
    if (!(l4 & PTE_P))
        return false;
    /* pte_read panics on a missing table above L1: look level by level. */
    for (int level = 3; level >= 1; level--)
        if (!(pte_read((void *)va, level) & PTE_P))
            return false;
    return true;
}

/* Xen's dom0_build.c layout, recomputed from what the guest can see. */
static unsigned long check_layout(void)
{
    const struct start_info *si = start_info;
    unsigned long nr = si->nr_pages;
    check(!strcmp(si->magic, "xen-3.0-x86_64"), "start_info magic");
    check(GUEST_VIRT_BASE == 0xffffffff80000000UL &&
          (unsigned long)__image_start == GUEST_VIRT_BASE + 2 * MIB,
          "linked as intended (VIRT_BASE -2 GiB, image 2 MiB above)");
    check(si->mfn_list == round_up((unsigned long)__image_end, PAGE_SIZE),
          "the p2m list follows the kernel image");
    check((unsigned long)si == round_up(si->mfn_list + nr * 8, PAGE_SIZE),
          "start_info follows the p2m list");
    /* A domU's xenstore and console pages follow start_info, as
     * libxenguest's alloc_magic_pages_pv lays them out. */
    unsigned long magic = lab_info.domid == 0 ? 0 : 2;
    check(si->pt_base == round_up((unsigned long)si + sizeof(*si), PAGE_SIZE) +
          magic * PAGE_SIZE, "the page tables follow start_info (a domU: and its "
          "xenstore and console pages)");
    const unsigned long *p2m0 = (const unsigned long *)si->mfn_list;
    check(magic ? si->console.domU.mfn == p2m0[pfn_of((unsigned long)si) + 2] &&
                  si->console.domU.evtchn == 1 && !si->store_mfn && !si->store_evtchn
                : !si->console.dom0.info_off && !si->console.dom0.info_size,
          "console.domU: the page after xenstore's, port 1; no xenstore offered");
    unsigned long stack_end = si->pt_base + (si->nr_pt_frames + 1) * PAGE_SIZE;
    check(boot_entry_rsp == stack_end, "%rsp at entry: the end of a one-page boot stack");
    unsigned long v_end = round_up(stack_end, 4 * MIB);
    if (v_end - stack_end < 512 * 1024)
        v_end += 4 * MIB;
    check(si->nr_pt_frames == 1 + 1 + 1 + (v_end - GUEST_VIRT_BASE) / (2 * MIB),
          "page-table frames: one L4, L3, L2 and an L1 per 2 MiB mapped");
    unsigned long chunk = 1;                 /* Xen's 2^order initial chunk */
    while (chunk < pfn_of(v_end))
        chunk *= 2;
    check(si->first_p2m_pfn == MIN(nr, chunk) && si->nr_p2m_frames == 0,
          "first_p2m_pfn/nr_p2m_frames as Xen's (no separately mapped p2m)");

    /* pfn = (va - VIRT_BASE) >> 12 across the whole initial mapping. */
    const unsigned long *p2m = (const unsigned long *)si->mfn_list;
    for (unsigned long va = GUEST_VIRT_BASE; va < v_end; va += PAGE_SIZE) {
        uint64_t pte = pte_read((void *)va, 1);
        check(pte & PTE_P, "a page of the initial mapping is not mapped");
        check(((pte >> 12) & 0xffffffffffUL) == p2m[pfn_of(va)],
              "a mapped page is not p2m[(va - VIRT_BASE) >> 12]");
        bool table = va >= si->pt_base && va < si->pt_base + si->nr_pt_frames * PAGE_SIZE;
        check(!!(pte & PTE_RW) == !table, "page tables read-only, the rest read-write");
    }
    check(pfn_of(v_end) >= nr || !pte_present(v_end),
          "the page after the initial mapping is unmapped (p2m only)");
    return pfn_of(v_end);
}

static void check_m2p(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++)
        check(machine_to_phys_mapping[p2m[pfn]] == pfn, "m2p[p2m[pfn]] != pfn");
    /* Pages beyond the initial mapping: mapped as the runtime maps them. */
    map_pfns(start_info->nr_pages);
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++) {
        unsigned long va = GUEST_VIRT_BASE + pfn * PAGE_SIZE;
        check(((pte_read((void *)va, 1) >> 12) & 0xffffffffffUL) == p2m[pfn],
              "a page mapped on demand is not p2m[pfn]");
        (void)*(volatile const char *)va;
    }
    unsigned long m = p2m[5];
    struct mmu_update u = { ((uint64_t)m << 12) | MMU_MACHPHYS_UPDATE, 12345 };
    check(!HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF) &&
          machine_to_phys_mapping[m] == 12345, "MMU_MACHPHYS_UPDATE of an own frame");
    u.val = 5;
    check(!HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF) && machine_to_phys_mapping[m] == 5,
          "MMU_MACHPHYS_UPDATE back");
}

static long memop_dom(unsigned int cmd, uint16_t domid)
{
    struct xen_memory_domain md = { domid };
    return HYPERVISOR_memory_op(cmd, &md);
}

/* XENMEM_machine_memory_map: dom0 gets the machine's e820 (QEMU's), and
 * in its holes reserved entries for the I/O memory dom0 may not map
 * (QEMU has no e820 entry at the MSI range); a domU -EPERM (Xen's
 * XSM_PRIV). */
struct e820_ent { uint64_t addr, size; uint32_t type; } __attribute__((packed));
static struct e820_ent e820[64];

static void check_machine_memory_map(bool dom0)
{
    struct xen_memory_map m = { 64, (uint64_t)e820 };
    long rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &m);
    if (!dom0) {
        check(rc == -XEN_EPERM, "machine_memory_map from a domU: -EPERM");
        char *p = page_alloc();
        check(HYPERVISOR_update_va_mapping((unsigned long)p, 0xf0000UL | PTE_FLAGS_RO,
                                           UVMF_INVLPG) == -XEN_EPERM,
              "a domU may not map I/O memory (the BIOS frame): -EPERM");
        return;
    }
    check(rc == 0 && m.nr_entries >= 2 && m.nr_entries < 64 && e820[0].addr == 0 &&
          e820[0].type == 1, "machine_memory_map: entries, RAM at 0");
    bool ok = rc == 0, ram_above_1m = false, msi = false;
    for (unsigned int i = 1; ok && i < m.nr_entries; i++) {
        ok = e820[i].addr >= e820[i - 1].addr + e820[i - 1].size && e820[i].size;
        ram_above_1m |= e820[i].type == 1 && e820[i].addr >= 0x100000;
        msi |= e820[i].type == 2 && e820[i].addr == 0xfee00000UL &&
               e820[i].size == 0x100000;
    }
    check(ok && ram_above_1m && msi, "machine_memory_map: sorted, RAM above 1 MiB, the "
          "LAPIC/MSI range (no e820 entry) reserved to dom0");
    unsigned int n = m.nr_entries;
    struct xen_memory_map count = { 0, 0 };
    check(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &count) == 0 &&
          count.nr_entries == n, "machine_memory_map without a buffer: the count");
    struct xen_memory_map small = { 1, (uint64_t)e820 };
    check(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &small) == -XEN_EINVAL,
          "machine_memory_map with a 1-entry buffer: -EINVAL");
    /* The BIOS frame at 0xf0000 is I/O memory dom0 may map (Xen's
     * dom_io low MiB); the LAPIC page is not. */
    char *p = page_alloc();
    uint64_t old = pte_read(p, 1);
    check(HYPERVISOR_update_va_mapping((unsigned long)p, 0xf0000UL | PTE_FLAGS_RO,
                                       UVMF_INVLPG) == 0, "dom0 maps the BIOS frame (I/O memory)");
    check(HYPERVISOR_update_va_mapping((unsigned long)p, 0xfee00000UL | PTE_FLAGS_RO,
                                       UVMF_INVLPG) == -XEN_EPERM, "dom0 may not map the LAPIC");
    check(HYPERVISOR_update_va_mapping((unsigned long)p, old, UVMF_INVLPG) == 0,
          "the page mapped back");
    struct xen_memory_map bad = { 64, 0xffff800000000000UL };
    check(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &bad) == -XEN_EFAULT,
          "machine_memory_map into hv memory: -EFAULT");
}

static void check_memory_op(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long nr = start_info->nr_pages, top = 0;
    bool dom0 = lab_info.domid == 0;
    for (unsigned long pfn = 0; pfn < nr; pfn++)
        top = MAX(top, p2m[pfn]);
    long max_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    check(max_page > (long)top, "maximum_ram_page above every frame we own");
    check(HYPERVISOR_memory_op(XENMEM_maximum_ram_page | (1 << MEMOP_EXTENT_SHIFT), NULL) ==
          -XEN_EINVAL, "maximum_ram_page with a start extent: -EINVAL");

    struct xen_machphys_mapping mm;
    check(!HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mm) &&
          mm.v_start == MACH2PHYS_VIRT_START && mm.v_end == MACH2PHYS_VIRT_END,
          "machphys_mapping: where the M2P is");
    check(mm.max_mfn == (dom0 ? (unsigned long)max_page - 1 : (1UL << 35) - 1),
          "machphys_mapping: max_mfn as Xen's (max_page - 1 for dom0 only)");

    uint64_t ext[4] = { 0 };
    struct xen_machphys_mfn_list ml = { .max_extents = 4, .extent_start = (uint64_t)ext };
    unsigned long want = round_up((unsigned long)max_page * 8, 2 * MIB) / (2 * MIB);
    check(!HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml) &&
          ml.nr_extents == MIN(want, 4UL) && ext[0] && !(ext[0] & 511),
          "machphys_mfn_list: one 2 MiB-aligned extent per 2 MiB of M2P");
    ml.max_extents = 0;
    check(!HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml) && ml.nr_extents == 0,
          "machphys_mfn_list with no room: no extents");

    check(memop_dom(XENMEM_current_reservation, DOMID_SELF) == (long)nr,
          "current_reservation: our pages");
    check(memop_dom(XENMEM_maximum_reservation, DOMID_SELF) == (long)nr,
          "maximum_reservation: our pages");
    /* maximum_gpfn is shared_info's max_pfn - 1, which the guest keeps
     * (as Linux does); the builder leaves it 0, as Xen's. */
    check(memop_dom(XENMEM_maximum_gpfn, DOMID_SELF) == 0,
          "maximum_gpfn before the guest sets max_pfn: 0");
    map_shared_info();
    shared_info->arch.max_pfn = nr;
    check(memop_dom(XENMEM_maximum_gpfn, DOMID_SELF) == (long)nr - 1,
          "maximum_gpfn: shared_info's max_pfn - 1");
    check(memop_dom(XENMEM_current_reservation, lab_info.domid) == (long)nr,
          "current_reservation of our own domid");
    check(memop_dom(XENMEM_current_reservation, 0x7000) == -XEN_ESRCH,
          "current_reservation of no domain: -ESRCH");
    long other = memop_dom(XENMEM_current_reservation, dom0 ? 1 : 0);
    check(dom0 ? other > 0 : other == -XEN_EPERM,
          "another domain's reservation: dom0 may ask, a domU may not (-EPERM)");
    check(HYPERVISOR_memory_op(XENMEM_current_reservation, NULL) == -XEN_EFAULT,
          "current_reservation with an unreadable argument: -EFAULT");
    struct xen_memory_map map = { 1, (uint64_t)ext };
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map) == -XEN_ENOSYS,
          "memory_map: -ENOSYS (no map set by a toolstack)");
    check_machine_memory_map(dom0);
    check(HYPERVISOR_memory_op(63, NULL) == -XEN_ENOSYS, "an unknown sub-op: -ENOSYS");
    check(HYPERVISOR_memory_op(XENMEM_machphys_mapping | (1 << MEMOP_EXTENT_SHIFT), &mm) ==
          -XEN_ENOSYS, "machphys_mapping with extent bits: unknown (-ENOSYS)");
}

static void check_identity(void)
{
    char want[32];
    snprintf(want, sizeof(want), "mem=%lu", start_info->nr_pages / 256);
    if (strcmp((const char *)start_info->cmd_line, want))
        guest_panic("command line is '%s', expected exactly '%s'",
                    (const char *)start_info->cmd_line, want);
    bool dom0 = lab_info.domid == 0;
    check((start_info->flags & (SIF_INITDOMAIN | SIF_PRIVILEGED)) ==
          (dom0 ? SIF_INITDOMAIN | SIF_PRIVILEGED : 0U), "SIF_INITDOMAIN exactly for domain 0");
    check(lab_info.instance == 0, "the only domain of its module is instance 0");
}

static unsigned long m2p_mfn;

static uint64_t m2p_update(void *ctx, unsigned long n)
{
    unsigned long pfn = machine_to_phys_mapping[m2p_mfn];
    struct mmu_update u = { ((uint64_t)m2p_mfn << 12) | MMU_MACHPHYS_UPDATE, pfn };
    return TIMED_LOOP(n, HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF));
}

void workload_main(void)
{
    check_identity();
    unsigned long mapped = check_layout();
    check_m2p();
    check_memory_op();
    printf("layout: d%u: %lu pages, %lu mapped by the builder at %#lx: builder, M2P and "
           "memory_op as Xen's\n", lab_info.domid, start_info->nr_pages, mapped,
           GUEST_VIRT_BASE);
    if (lab_info.domid == 0) {
        m2p_mfn = virt_to_mfn(__image_start);
        bench_op("m2p_update", m2p_update, NULL, 1);
    }
}
