/* hostile, PV MMU and descriptor-table cases: each malicious call must
 * get Xen 4.17's error (hv/include/page.h has the table) and leave
 * the state it aimed at unchanged; the hv's audit must then find every
 * reference count and mapping rule intact. */
#include "hostile.h"

unsigned long foreign_mfn(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long max = 0;
    for (unsigned long i = 0; i < start_info->nr_pages; i++)
        max = MAX(max, p2m[i]);
    return max + 64;           /* the next domain's frames, or free ones */
}

long mmu1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

#define HV_MFN 0x100UL         /* 1 MiB: the hv image */

static void page_table_cases(void)
{
    char *probe = page_alloc();
    uint64_t probe_pte = pte_maddr(probe, 1), probe_val = pte_read(probe, 1);
    unsigned long l4 = virt_to_mfn((void *)start_info->pt_base);
    unsigned long l1 = probe_pte >> 12;
    unsigned long l3 = (pte_read(probe, 4) >> 12) & 0xffffffffffUL;
    const uint64_t *l4tab = (const uint64_t *)start_info->pt_base;

    /* Xen's get_page_from_l1e: what cannot be referenced (or typed
     * writable) "could not pin", -EBUSY; I/O memory not permitted, -EPERM. */
    expect_rc("map a live L1 writable", mmu1(probe_pte, (l1 << 12) | PTE_FLAGS_RW), -XEN_EBUSY);
    expect_rc("map the live L4 writable", HYPERVISOR_update_va_mapping(
              (unsigned long)probe, (l4 << 12) | PTE_FLAGS_RW, UVMF_INVLPG), -XEN_EBUSY);
    expect_rc("L1 entry to an hv frame", mmu1(probe_pte, (HV_MFN << 12) | PTE_FLAGS_RO), -XEN_EBUSY);
    expect_rc("L1 entry to a foreign frame",
              mmu1(probe_pte, (foreign_mfn() << 12) | PTE_FLAGS_RW), -XEN_EBUSY);
    /* I/O memory no domain may map (dom0's iomem_caps leave out the
     * local APIC and what lies past the physical address width). */
    expect_rc("L1 entry to the local APIC", mmu1(probe_pte, 0xfee00000UL | PTE_FLAGS_RO),
              -XEN_EPERM);
    expect_rc("L1 entry past the physical address width",
              mmu1(probe_pte, (1UL << 51) | PTE_FLAGS_RO), -XEN_EPERM);
    expect_rc("L1 entry with the global bit", mmu1(probe_pte, probe_val | 0x100), -XEN_EINVAL);
    expect_true("probe PTE after the refused updates", pte_read(probe, 1) == probe_val);

    uint64_t slot261 = l4tab[261];
    expect_rc("write an hv L4 slot", mmu1((l4 << 12) + 261 * 8, 0), -XEN_EINVAL);
    expect_rc("L4 entry to itself (a cycle)", mmu1((l4 << 12) + 300 * 8,
              (l4 << 12) | PTE_FLAGS_RW), -XEN_EINVAL);
    expect_rc("L4 entry to an L1 (type confusion)", mmu1((l4 << 12) + 300 * 8,
              (l1 << 12) | PTE_FLAGS_RW), -XEN_EINVAL);
    expect_true("hv L4 slot after the refused write", l4tab[261] == slot261);
    expect_true("L4 slot 300 after the refused writes", l4tab[300] == 0);
    expect_rc("L3 pinned as L1 while it is an L3", mmuext1(MMUEXT_PIN_L1_TABLE, l3, 0), -XEN_EINVAL);

    /* Tables the guest builds itself. */
    uint64_t *bad_l1 = page_alloc(), *bad_l2 = page_alloc();
    bad_l1[0] = (HV_MFN << 12) | PTE_FLAGS_RO;           /* maps the hv */
    bad_l2[0] = (virt_to_mfn(probe) << 12) | PTE_FLAGS_RW | 0x80;   /* PSE */
    make_readonly(bad_l1);
    make_readonly(bad_l2);
    expect_rc("pin an L1 mapping the hv", mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(bad_l1), 0),
              -XEN_EBUSY);
    expect_rc("pin an L2 with a superpage", mmuext1(MMUEXT_PIN_L2_TABLE, virt_to_mfn(bad_l2), 0),
              -XEN_EINVAL);
    uint64_t *rw_l1 = page_alloc();                      /* still mapped RW */
    expect_rc("pin a table the guest can write", mmuext1(MMUEXT_PIN_L1_TABLE,
              virt_to_mfn(rw_l1), 0), -XEN_EINVAL);
    uint64_t *ok_l1 = page_alloc();
    make_readonly(ok_l1);
    expect_rc("pin a valid empty L1", mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(ok_l1), 0), 0);
    expect_rc("pin it again", mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(ok_l1), 0), -XEN_EINVAL);
    expect_rc("unpin it", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(ok_l1), 0), 0);
    /* The builder pins the boot L4, as Xen's does (Linux unpins it). */
    expect_rc("unpin the boot L4 (pinned by the builder)", mmuext1(MMUEXT_UNPIN_TABLE, l4, 0), 0);
    expect_rc("unpin the live L4 (in use, not pinned)", mmuext1(MMUEXT_UNPIN_TABLE, l4, 0),
              -XEN_EINVAL);
    expect_rc("pin the live L4 again", mmuext1(MMUEXT_PIN_L4_TABLE, l4, 0), 0);
    expect_rc("unpin a foreign frame", mmuext1(MMUEXT_UNPIN_TABLE, foreign_mfn(), 0), -XEN_EINVAL);
    expect_rc("NEW_BASEPTR to an L1", mmuext1(MMUEXT_NEW_BASEPTR, l1, 0), -XEN_EINVAL);

    expect_rc("mmu_update ptr beyond RAM", mmu1((1UL << 40) | 0, 0), -XEN_EINVAL);
    /* ptr & 7 is the command: 4 is none (Xen: -ENOSYS). */
    expect_rc("mmu_update ptr misaligned", mmu1(probe_pte | 4, probe_val), -XEN_ENOSYS);
    /* A writable own frame is updated as plain data, as Xen does. */
    expect_rc("mmu_update on a data page", mmu1((uint64_t)virt_to_mfn(probe) << 12, 0), 0);
    /* MMU_MACHPHYS_UPDATE: only for the caller's own frames (Xen: -EINVAL). */
    unsigned long pm = virt_to_mfn(probe), ppfn = machine_to_phys_mapping[pm];
    unsigned long fm = foreign_mfn(), fpfn = machine_to_phys_mapping[fm];
    expect_rc("MMU_MACHPHYS_UPDATE of a foreign frame", mmu1(((uint64_t)fm << 12) | 1, 7),
              -XEN_EINVAL);
    expect_rc("MMU_MACHPHYS_UPDATE of an hv frame", mmu1((HV_MFN << 12) | 1, 7), -XEN_EINVAL);
    expect_rc("MMU_MACHPHYS_UPDATE beyond RAM", mmu1((1UL << 40) | 1, 7), -XEN_EINVAL);
    expect_true("foreign M2P entry after the refused updates",
                machine_to_phys_mapping[fm] == fpfn);
    expect_rc("MMU_MACHPHYS_UPDATE of an own frame", mmu1(((uint64_t)pm << 12) | 1, ppfn + 1), 0);
    expect_true("the M2P says so", machine_to_phys_mapping[pm] == ppfn + 1);
    expect_rc("MMU_MACHPHYS_UPDATE back", mmu1(((uint64_t)pm << 12) | 1, ppfn), 0);
    expect_true("M2P entry of an own frame is its pfn", machine_to_phys_mapping[pm] == ppfn &&
                ppfn == ((unsigned long)probe - GUEST_VIRT_BASE) >> 12);
    unsigned int done = 99;
    struct mmu_update two[2] = { { probe_pte, probe_val }, { (1UL << 40), 0 } };
    expect_rc("batch failing at its 2nd entry",
              HYPERVISOR_mmu_update(two, 2, &done, DOMID_SELF), -XEN_EINVAL);
    expect_true("partial completion count is 1", done == 1);
    expect_rc("update_va_mapping in the hv", HYPERVISOR_update_va_mapping(
              0xffff830000000000UL, 0, UVMF_INVLPG), -XEN_EINVAL);

    /* Xen: vCPUs the domain does not have are ignored; an unreadable
     * mask is -EINVAL for mmuext_op, -EFAULT for update_va_mapping. */
    unsigned long mask5 = 1UL << 5, mask0 = 1;
    expect_rc("flush mask naming vCPU 5", mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0,
              (unsigned long)&mask5), 0);
    expect_rc("INVLPG mask naming vCPU 5", mmuext1(MMUEXT_INVLPG_MULTI, (unsigned long)probe,
              (unsigned long)&mask5), 0);
    expect_rc("flush mask in hv memory", mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0,
              0xffff830000000000UL), -XEN_EINVAL);
    expect_rc("flush mask of vCPU 0", mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0,
              (unsigned long)&mask0), 0);
    expect_rc("update_va_mapping flush mask naming vCPU 5",
              HYPERVISOR_update_va_mapping((unsigned long)probe, probe_val,
                                           UVMF_INVLPG | (unsigned long)&mask5), 0);
    expect_rc("update_va_mapping flush mask in hv memory",
              HYPERVISOR_update_va_mapping((unsigned long)probe, probe_val,
                                           UVMF_INVLPG | 0xffff830000000000UL), -XEN_EFAULT);
}

static uint64_t code_desc(unsigned int dpl)
{
    return 0x00af9a000000ffffUL | ((uint64_t)dpl << 45);
}

static void descriptor_cases(void)
{
    uint64_t *gdt = page_alloc(), *rw = page_alloc(), *l1 = page_alloc();
    unsigned long frames[15];

    make_readonly(gdt);
    make_readonly(l1);
    expect_rc("pin an L1 to have a table page", mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(l1), 0), 0);
    uint64_t ma = ((uint64_t)virt_to_mfn(gdt) << 12);
    for (int i = 0; i < 15; i++)
        frames[i] = virt_to_mfn(gdt);
    expect_rc("set_gdt with one frame", HYPERVISOR_set_gdt(frames, 512), 0);
    expect_rc("DPL-0 code segment (raised to DPL 3)", HYPERVISOR_update_descriptor(
              ma + 8, code_desc(0)), 0);
    expect_true("stored descriptor has DPL 3", ((gdt[1] >> 45) & 3) == 3);
    uint64_t tss = 0x0000890000000067UL, ldt = 0x0000820000000fffUL;
    expect_rc("TSS descriptor", HYPERVISOR_update_descriptor(ma + 16, tss), -XEN_EINVAL);
    expect_rc("LDT descriptor", HYPERVISOR_update_descriptor(ma + 16, ldt), -XEN_EINVAL);
    expect_rc("interrupt gate", HYPERVISOR_update_descriptor(ma + 16, 0x0000ee00e0080000UL),
              -XEN_EINVAL);
    expect_rc("call gate into hv code", HYPERVISOR_update_descriptor(ma + 16,
              0x0000ec00e0080000UL), -XEN_EINVAL);
    expect_true("descriptor 2 still empty", gdt[2] == 0);
    expect_rc("descriptor into a page table", HYPERVISOR_update_descriptor(
              ((uint64_t)virt_to_mfn(l1) << 12) + 8, code_desc(3)), -XEN_EINVAL);
    expect_true("the page table is untouched", l1[1] == 0);
    expect_rc("descriptor, misaligned address", HYPERVISOR_update_descriptor(ma + 3, 0),
              -XEN_EINVAL);
    expect_rc("descriptor beyond RAM", HYPERVISOR_update_descriptor(1UL << 40, 0), -XEN_EINVAL);
    expect_rc("descriptor in a foreign frame", HYPERVISOR_update_descriptor(
              (uint64_t)foreign_mfn() << 12, 0), -XEN_EINVAL);     /* Xen: -EINVAL */
    expect_rc("descriptor in an own writable page", HYPERVISOR_update_descriptor(
              ((uint64_t)virt_to_mfn(rw) << 12) + 8, code_desc(0)), 0);

    expect_rc("set_gdt with 15 frames", HYPERVISOR_set_gdt(frames, 15 * 512), -XEN_EINVAL);
    frames[1] = foreign_mfn();
    expect_rc("set_gdt with a foreign frame", HYPERVISOR_set_gdt(frames, 1024),
              -XEN_EINVAL);                                  /* Xen: -EINVAL */
    frames[1] = virt_to_mfn(rw);
    expect_rc("set_gdt with a writable page", HYPERVISOR_set_gdt(frames, 1024), -XEN_EINVAL);
    frames[1] = virt_to_mfn(l1);
    expect_rc("set_gdt with a page table", HYPERVISOR_set_gdt(frames, 1024), -XEN_EINVAL);
    expect_rc("set_gdt list in hv memory", HYPERVISOR_set_gdt((unsigned long *)
              0xffff830000000000UL, 512), -XEN_EFAULT);
    expect_rc("back to the default GDT", HYPERVISOR_set_gdt(frames, 0), 0);

    expect_rc("SET_LDT misaligned base", mmuext1(MMUEXT_SET_LDT, (unsigned long)gdt + 8, 16),
              -XEN_EINVAL);
    expect_rc("SET_LDT 8193 entries", mmuext1(MMUEXT_SET_LDT, (unsigned long)gdt, 8193),
              -XEN_EINVAL);
    expect_rc("SET_LDT in hv memory", mmuext1(MMUEXT_SET_LDT, 0xffff830000000000UL, 16),
              -XEN_EINVAL);
    expect_rc("SET_LDT valid", mmuext1(MMUEXT_SET_LDT, (unsigned long)gdt, 16), 0);
    expect_rc("SET_LDT none", mmuext1(MMUEXT_SET_LDT, 0, 0), 0);
    expect_rc("unpin the L1", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(l1), 0), 0);
}

static void runstate_cases(void)
{
    struct vcpu_register_runstate_memory_area a = { .addr.p = 0xffff830000000000UL };
    expect_rc("runstate area in hv memory",
              HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), -XEN_EFAULT);
    a.addr.p = 0x00007fffffffffe0UL;               /* runs past the lower half */
    expect_rc("runstate area across the canonical hole",
              HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), -XEN_EFAULT);
    expect_rc("runstate area argument in hv memory",
              HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0,
                                 (void *)0xffff830000000000UL), -XEN_EFAULT);
    a.addr.p = 0;
    expect_rc("runstate area off", HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area,
              0, &a), 0);
}

/* An event to a vCPU that was never initialised must not start it, and
 * the guest touching its own LDT window is an ordinary fault, not a
 * lazy LDT mapping (which would take a reference each time). */
static void event_and_window_cases(void)
{
    struct { uint32_t vcpu, port; } b = { 1, 0 };
    long rc = HC(__HYPERVISOR_event_channel_op, 7 /* bind_ipi */, &b, 0, 0, 0);
    expect_rc("bind an IPI port to vCPU 1 (never initialised)", rc, 0);
    if (!rc) {
        struct { uint32_t port; } s = { b.port };
        expect_rc("send to it", HC(__HYPERVISOR_event_channel_op, 4 /* send */, &s, 0, 0, 0), 0);
        expect_rc("vCPU 1 is still down", HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    }
    b.vcpu = 9;
    expect_rc("bind an IPI port to vCPU 9", HC(__HYPERVISOR_event_channel_op, 7, &b, 0, 0, 0),
              -XEN_ENOENT);

    uint64_t *ldt = page_alloc();
    ldt[0] = 0x00cff2000000ffffUL;
    make_readonly(ldt);
    expect_rc("SET_LDT", mmuext1(MMUEXT_SET_LDT, (unsigned long)ldt, 16), 0);
    __asm__ volatile("mov %0, %%fs; mov %1, %%fs" :: "r"(7), "r"(0));   /* lazily mapped */
    for (int i = 0; i < 3; i++)
        EXPECT_FAULT("read the LDT window directly", 14,
                     "movabs $0xffff820000010000, %%rax; mov (%%rax), %%rax");
    expect_rc("SET_LDT none", mmuext1(MMUEXT_SET_LDT, 0, 0), 0);
}

/* A read-only page the guest built as a table of `level` (2-4) with one
 * entry, [idx] = val, pinned with the result `want`. */
static uint64_t *pinned_table(int level, unsigned int idx, uint64_t val, const char *what,
                              long want)
{
    static const unsigned int pin[] = { 0, 0, MMUEXT_PIN_L2_TABLE, MMUEXT_PIN_L3_TABLE,
                                        MMUEXT_PIN_L4_TABLE };
    uint64_t *t = page_alloc();
    t[idx] = val;
    make_readonly(t);
    expect_rc(what, mmuext1(pin[level], virt_to_mfn(t), 0), want);
    return t;
}

/* The table is free again: it can be mapped writable. */
static void expect_released(const char *what, void *t)
{
    expect_rc(what, HYPERVISOR_update_va_mapping((unsigned long)t,
              ((uint64_t)virt_to_mfn(t) << 12) | PTE_FLAGS_RW, UVMF_INVLPG), 0);
}

/* Xen's pv-linear-pt: an L2-L4 entry to a table of its own level (or to
 * its own table) is accepted read-only (XSA-182: never writable), and
 * linear tables do not chain (XSA-240: a table holding linear entries is
 * no target of one, and a target holds none); the references they hold
 * go with them. */
static void linear_cases(void)
{
    const unsigned long r = 300;
    char *probe = page_alloc();
    unsigned long va = (unsigned long)probe;
    unsigned long l4 = virt_to_mfn((void *)start_info->pt_base);
    const uint64_t *l4tab = (const uint64_t *)start_info->pt_base;
    uint64_t slot = (l4 << 12) + r * 8, self = (l4 << 12) | PTE_FLAGS_RO;

    expect_rc("writable recursive L4 slot (XSA-182)", mmu1(slot, self | PTE_RW), -XEN_EINVAL);
    expect_rc("read-only recursive L4 slot", mmu1(slot, self), 0);
    expect_true("the recursive slot as written", l4tab[r] == self);
    /* Through slot r: (r, a, b, c) maps the L1 of (a, b, c); (r, r, r, r) the L4. */
    const uint64_t hi = 0xffff000000000000UL | r << 39;
    const volatile uint64_t *lin_l1 = (const uint64_t *)(hi | ((va >> 39) & 511) << 30 |
                                                         ((va >> 30) & 511) << 21 |
                                                         ((va >> 21) & 511) << 12);
    const volatile uint64_t *lin_l4 = (const uint64_t *)(hi | r << 30 | r << 21 | r << 12);
    expect_true("the probe's L1 entry read through the recursive slot",
                lin_l1[(va >> 12) & 511] == pte_read(probe, 1));
    expect_true("the L4 read through the recursive slot", lin_l4[r] == self &&
                lin_l4[511] == l4tab[511]);
    EXPECT_FAULT("write the L4 through the recursive slot", 14, "movq $0, (%0)",
                 "r"(lin_l4 + 301));
    expect_rc("make the recursive slot writable in place", mmu1(slot, self | PTE_RW),
              -XEN_EINVAL);
    /* update_va_mapping of an address under the recursive slot: its walk
     * ends at the probe's L2, not an L1 (Xen: -EINVAL). */
    expect_rc("update_va_mapping through the recursive slot",
              HYPERVISOR_update_va_mapping((unsigned long)lin_l1, 0, UVMF_INVLPG), -XEN_EINVAL);
    expect_true("the probe's L1 entry after the refused update",
                lin_l1[(va >> 12) & 511] == pte_read(probe, 1));
    expect_true("the recursive slot after the refused update", l4tab[r] == self);

    /* Another L4 with a linear entry to the live one. */
    uint64_t *b = pinned_table(4, r, self, "pin an L4 with a linear entry to the live L4", 0);
    pinned_table(4, 0, (virt_to_mfn(b) << 12) | PTE_FLAGS_RO,
                 "pin an L4 with a linear entry to it (a chain, XSA-240)", -XEN_EINVAL);
    expect_rc("linear entry from the live L4, a linear target (XSA-240)",
              mmu1((l4 << 12) + 301 * 8, (virt_to_mfn(b) << 12) | PTE_FLAGS_RO), -XEN_EINVAL);
    expect_rc("remove the linear entry", mmu1(((uint64_t)virt_to_mfn(b) << 12) + r * 8, 0), 0);
    expect_rc("unpin that L4", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(b), 0), 0);
    expect_released("that L4 is released", b);
    expect_rc("remove the recursive slot", mmu1(slot, 0), 0);
    expect_rc("flush", mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);

    /* L2 -> L2 and L3 -> L3; the target outlives its unpin while the
     * linear entry holds it. */
    for (int level = 2; level <= 3; level++) {
        uint64_t *a = pinned_table(level, 0, 0, "pin an empty table", 0);
        uint64_t lin = ((uint64_t)virt_to_mfn(a) << 12) | PTE_FLAGS_RO;
        pinned_table(level, 1, lin | PTE_RW, "pin a table with a writable linear entry",
                     -XEN_EINVAL);
        uint64_t *t = pinned_table(level, 1, lin, "pin a table with a linear entry", 0);
        pinned_table(level, 2, ((uint64_t)virt_to_mfn(t) << 12) | PTE_FLAGS_RO,
                     "pin a table with a linear entry to that one (XSA-240)", -XEN_EINVAL);
        expect_rc("unpin the linear target", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(a), 0), 0);
        expect_rc("remap it writable while the linear entry holds it",
                  HYPERVISOR_update_va_mapping((unsigned long)a, lin | PTE_RW, UVMF_INVLPG),
                  -XEN_EBUSY);
        expect_rc("unpin the table with the linear entry",
                  mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(t), 0), 0);
        expect_released("the linear target is released", a);
        expect_released("the table with the linear entry is released", t);
    }
}

/* Xen's writable page tables (ptwr, VMASST_TYPE_writable_pagetables):
 * a guest-kernel store to a read-only mapping of one of its L1 tables is
 * emulated as an update of the entry, checked as mmu_update checks one;
 * without the assist, a refused entry, a misaligned store or an
 * instruction the emulation does not take is the guest's #PF. */
static void ptwr_cases(void)
{
    char *probe = page_alloc(), *win = page_alloc(), *other = page_alloc();
    uint64_t probe_pte = pte_maddr(probe, 1), orig = pte_read(probe, 1);
    unsigned long l1 = probe_pte >> 12;
    other[0] = 0x3c;
    expect_rc("map the probe's L1 read-only", HYPERVISOR_update_va_mapping(
              (unsigned long)win, (l1 << 12) | PTE_FLAGS_RO, UVMF_INVLPG), 0);
    volatile uint64_t *e = (volatile uint64_t *)(win + (probe_pte & 0xfff));
    uint64_t to_other = (virt_to_mfn(other) << 12) | PTE_FLAGS_RW;
    EXPECT_FAULT("PTE store without writable_pagetables", 14, "mov %0, (%1)",
                 "r"(to_other), "r"(e));
    expect_rc("enable writable_pagetables", HC(__HYPERVISOR_vm_assist, 0, 2, 0, 0, 0), 0);

    *e = to_other;                                     /* mov r64 */
    expect_true("mov: the entry now maps the other page", pte_read(probe, 1) == to_other);
    expect_rc("invlpg", mmuext1(MMUEXT_INVLPG_LOCAL, (unsigned long)probe, 0), 0);
    expect_true("mov: read through the new entry", probe[0] == 0x3c);
    *(volatile uint32_t *)e = (uint32_t)(orig & ~0x2UL);   /* low half: RO */
    expect_true("32-bit store merged into the entry",
                pte_read(probe, 1) == ((to_other & ~0xffffffffUL) | (uint32_t)(orig & ~0x2UL)));
    uint64_t cur = pte_read(probe, 1), want = 0, got = cur;
    __asm__ volatile("lock cmpxchg %2, %1" : "+a"(want), "+m"(*e) : "r"(orig) : "memory");
    expect_true("cmpxchg with a stale value: no change, %rax the entry",
                want == cur && pte_read(probe, 1) == cur);
    __asm__ volatile("lock cmpxchg %2, %1" : "+a"(got), "+m"(*e) : "r"(orig) : "memory");
    expect_true("cmpxchg: the entry swapped", pte_read(probe, 1) == orig);
    uint64_t x = to_other;
    __asm__ volatile("xchg %0, %1" : "+r"(x), "+m"(*e) :: "memory");
    expect_true("xchg: old value back, new entry in", x == orig && pte_read(probe, 1) == to_other);
    __asm__ volatile("movq $0, %0" : "=m"(*e) :: "memory");    /* mov imm32 */
    expect_true("mov imm: the entry cleared", pte_read(probe, 1) == 0);
    uint64_t self_rw = (l1 << 12) | PTE_FLAGS_RW;
    EXPECT_FAULT("PTE store mapping the L1 itself writable", 14, "mov %0, (%1)",
                 "r"(self_rw), "r"(e));
    EXPECT_FAULT("misaligned PTE store", 14, "mov %0, 4(%1)", "r"(orig), "r"(e));
    EXPECT_FAULT("PTE store by a byte", 14, "movb $1, (%0)", "r"(e));
    expect_true("the entry after the refusals", pte_read(probe, 1) == 0);
    *e = orig;
    expect_true("the entry restored", pte_read(probe, 1) == orig);
    expect_rc("disable writable_pagetables", HC(__HYPERVISOR_vm_assist, 1, 2, 0, 0, 0), 0);
    expect_rc("unmap the window", HYPERVISOR_update_va_mapping((unsigned long)win, 0,
              UVMF_INVLPG), 0);
}

void probe_mm(void)
{
    runstate_cases();
    event_and_window_cases();
    page_table_cases();
    linear_cases();
    ptwr_cases();
    descriptor_cases();
    escape_cases();
    long v = HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0UL);
    expect_true("hv audit after the MMU cases", v == 0);
}
