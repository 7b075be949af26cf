/* abi, the smaller hypercalls and sub-ops: xen_version, vm_assist,
 * console_io, set_segment_base, update_va_mapping_otherdomain, the
 * remaining mmuext_ops and VCPUOP_get_physid.  Run by dom0 and by a
 * domU (two modules): the XSM_PRIV sub-ops answer each as Xen's default
 * policy does. */
#include "abi.h"

#define HV_MEM 0xffff830000000000UL

static long mmu1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

/* A frame that is not ours: past our highest (the next domain's or free). */
static unsigned long foreign_frame(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long max = 0;
    for (unsigned long i = 0; i < start_info->nr_pages; i++)
        max = MAX(max, p2m[i]);
    return max + 64;
}

static bool privileged(void)
{
    return start_info->flags & SIF_PRIVILEGED;
}

static bool str_is(const char *buf, size_t n, const char *want)
{
    size_t l = strlen(want);
    if (l >= n || memcmp(buf, want, l))
        return false;
    for (size_t i = l; i < n; i++)              /* zero-padded, as Xen */
        if (buf[i])
            return false;
    return true;
}

static void version_cases(void)
{
    char buf[1024];
    struct xen_compile_info ci;
    struct xen_platform_parameters pp = { 0 };
    struct xen_feature_info fi = { 0, 0 };
    struct { struct xen_build_id h; unsigned char b[64]; } bid;

    check("XENVER_version is 4.17", HYPERVISOR_xen_version(XENVER_version, NULL), 0x40011);
    check("cmd is an int: 1 << 32 is XENVER_version",
          HC(__HYPERVISOR_xen_version, 1UL << 32, 0, 0, 0, 0), 0x40011);
    memset(buf, 0x55, sizeof(buf));
    check("XENVER_extraversion", HYPERVISOR_xen_version(XENVER_extraversion, buf), 0);
    CHECK_TRUE("extraversion is -asilab, zero-padded to 16", str_is(buf, 16, "-asilab"));
    CHECK_TRUE("and not a byte more", (unsigned char)buf[16] == 0x55);
    check("XENVER_compile_info", HYPERVISOR_xen_version(XENVER_compile_info, &ci), 0);
    CHECK_TRUE("compile_info names the compiler", !memcmp(ci.compiler, "gcc", 3));
    check("XENVER_capabilities", HYPERVISOR_xen_version(XENVER_capabilities, buf), 0);
    CHECK_TRUE("capabilities: 64-bit PV only", str_is(buf, 1024, "xen-3.0-x86_64 "));
    check("XENVER_changeset", HYPERVISOR_xen_version(XENVER_changeset, buf), 0);
    CHECK_TRUE("changeset: unavailable", str_is(buf, 64, "unavailable"));
    check("XENVER_platform_parameters", HYPERVISOR_xen_version(XENVER_platform_parameters,
          &pp), 0);
    check("virt_start is HYPERVISOR_VIRT_START", pp.virt_start, 0xffff800000000000UL);
    check("XENVER_get_features submap 0", HYPERVISOR_xen_version(XENVER_get_features, &fi), 0);
    check("features: direct_mapped, preserve_ad, highmem_assist, gnttab_map_avail_bits, dom0 for dom0", fi.submap,
          (1L << XENFEAT_direct_mapped) | (1L << XENFEAT_highmem_assist) |
          (1L << XENFEAT_mmu_pt_update_preserve_ad) | (1L << XENFEAT_gnttab_map_avail_bits) |
          (privileged() ? 1L << XENFEAT_dom0 : 0));
    fi.submap_idx = 1;
    check("get_features submap 1", HYPERVISOR_xen_version(XENVER_get_features, &fi),
          -XEN_EINVAL);
    check("get_features in hv memory", HYPERVISOR_xen_version(XENVER_get_features,
          (void *)HV_MEM), -XEN_EFAULT);
    check("XENVER_pagesize", HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096);
    check("XENVER_pagesize with an argument", HYPERVISOR_xen_version(XENVER_pagesize, buf),
          -XEN_EINVAL);
    memset(buf, 0x55, sizeof(buf));
    check("XENVER_guest_handle", HYPERVISOR_xen_version(XENVER_guest_handle, buf), 0);
    CHECK_TRUE("the handle is 16 zero bytes", str_is(buf, 16, ""));
    memset(buf, 0x55, sizeof(buf));
    check("XENVER_commandline", HYPERVISOR_xen_version(XENVER_commandline, buf), 0);
    if (privileged())
        CHECK_TRUE("dom0 sees the hv command line", !memcmp(buf, "mode=", 5) &&
                   buf[1023] == 0);
    else
        CHECK_TRUE("a domU sees <denied>", !strcmp(buf, "<denied>") &&
                   (unsigned char)buf[9] == 0x55);
    check("XENVER_extraversion into hv memory", HYPERVISOR_xen_version(XENVER_extraversion,
          (void *)HV_MEM), -XEN_EFAULT);
    if (privileged()) {
        long sz = HYPERVISOR_xen_version(XENVER_build_id, NULL);
        check("XENVER_build_id size (a GNU sha1 build ID)", sz, 20);
        bid.h.len = 0;
        check("build_id into a buffer of 0", HYPERVISOR_xen_version(XENVER_build_id, &bid),
              -XEN_EINVAL);
        bid.h.len = 19;
        check("build_id into a buffer of 19", HYPERVISOR_xen_version(XENVER_build_id, &bid),
              -XEN_ENOBUFS);
        bid.h.len = sizeof(bid.b);
        memset(bid.b, 0, sizeof(bid.b));
        check("build_id into a buffer of 64", HYPERVISOR_xen_version(XENVER_build_id, &bid),
              20);
        unsigned int nz = 0;
        for (int i = 0; i < 20; i++)
            nz += bid.b[i] != 0;
        CHECK_TRUE("the build ID was written", nz > 0 && bid.b[20] == 0);
    } else {
        check("XENVER_build_id from a domU", HYPERVISOR_xen_version(XENVER_build_id, NULL),
              -XEN_EPERM);
    }
    check("xen_version 11", HYPERVISOR_xen_version(11, NULL), -XEN_ENOSYS);
    check("xen_version -1", HYPERVISOR_xen_version(-1, NULL), -XEN_ENOSYS);
}

static long vm_assist(unsigned long cmd, unsigned long type)
{
    return HC(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

static void vm_assist_cases(void)
{
    static const unsigned int ok[] = { 0, 1, 2, 3, 4, 5, 32 };
    char *page = page_alloc();
    struct vcpu_runstate_info *ri = (void *)(page + 64);
    struct vcpu_register_runstate_memory_area a = { .addr.p = (unsigned long)ri };

    for (unsigned int i = 0; i < ARRAY_SIZE(ok); i++) {
        check("vm_assist enable (a type Xen allows for PV64)",
              vm_assist(VMASST_CMD_enable, ok[i]), 0);
        check("vm_assist disable", vm_assist(VMASST_CMD_disable, ok[i]), 0);
    }
    /* pae_extended_cr3 shows as XENFEAT_pae_pgdir_above_4gb, as on Xen. */
    struct xen_feature_info fi = { .submap_idx = 0 };
    vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3);
    HYPERVISOR_xen_version(XENVER_get_features, &fi);
    CHECK_TRUE("pae_extended_cr3 on: pae_pgdir_above_4gb offered",
               fi.submap & (1U << XENFEAT_pae_pgdir_above_4gb));
    vm_assist(VMASST_CMD_disable, VMASST_TYPE_pae_extended_cr3);
    HYPERVISOR_xen_version(XENVER_get_features, &fi);
    CHECK_TRUE("pae_extended_cr3 off: not offered",
               !(fi.submap & (1U << XENFEAT_pae_pgdir_above_4gb)));
    check("vm_assist type 6", vm_assist(VMASST_CMD_enable, 6), -XEN_EINVAL);
    check("vm_assist type 31", vm_assist(VMASST_CMD_enable, 31), -XEN_EINVAL);
    check("vm_assist type 64", vm_assist(VMASST_CMD_enable, 64), -XEN_EINVAL);
    check("vm_assist type is 32 bits: 1 << 32 | 5 is 5",
          vm_assist(VMASST_CMD_disable, (1UL << 32) | 5), 0);
    check("vm_assist cmd 2", vm_assist(2, VMASST_TYPE_runstate_update_flag), -XEN_ENOSYS);
    check("vm_assist cmd 2, bad type", vm_assist(2, 6), -XEN_EINVAL);

    /* runstate_update_flag: the flag is never left set. */
    check("enable runstate_update_flag",
          vm_assist(VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag), 0);
    check("register a runstate area", HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area,
          0, &a), 0);
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    CHECK_TRUE("runstate written, XEN_RUNSTATE_UPDATE clear",
               ri->state_entry_time && !(ri->state_entry_time & XEN_RUNSTATE_UPDATE) &&
               ri->state == RUNSTATE_running);
    a.addr.p = 0;
    check("runstate area off", HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a),
          0);
    check("disable runstate_update_flag",
          vm_assist(VMASST_CMD_disable, VMASST_TYPE_runstate_update_flag), 0);
}

static void console_cases(void)
{
    char buf[16];
    if (privileged()) {
        check("CONSOLEIO_read: nothing to read", HYPERVISOR_console_io(CONSOLEIO_read,
              sizeof(buf), buf), 0);
        check("CONSOLEIO_read past INT_MAX", HC(__HYPERVISOR_console_io, CONSOLEIO_read,
              0x80000000UL, buf, 0, 0), -XEN_E2BIG);
        check("console_io cmd 2", HYPERVISOR_console_io(2, 0, NULL), -XEN_ENOSYS);
    } else {
        check("CONSOLEIO_read from a domU", HYPERVISOR_console_io(CONSOLEIO_read,
              sizeof(buf), buf), -XEN_EPERM);
        check("console_io cmd 2 from a domU", HYPERVISOR_console_io(2, 0, NULL), -XEN_EPERM);
    }
    check("CONSOLEIO_write of 0 bytes", HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL), 0);
}

static unsigned long read_gs0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static unsigned int gs_sel(void)
{
    unsigned int s;
    __asm__ volatile("mov %%gs, %0" : "=r"(s));
    return s & 0xffff;
}

static void segbase_cases(void)
{
    static unsigned long fs_var = 0x1111, gs_var = 0x2222;
    unsigned long v;

    check("SEGBASE_FS", HYPERVISOR_set_segment_base(SEGBASE_FS, (unsigned long)&fs_var), 0);
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    check("%fs:0 reads through the new base", v, 0x1111);
    check("SEGBASE_FS back to 0", HYPERVISOR_set_segment_base(SEGBASE_FS, 0), 0);
    check("SEGBASE_GS_KERNEL", HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL,
          (unsigned long)&gs_var), 0);
    check("%gs:0 reads through it", read_gs0(), 0x2222);
    check("SEGBASE_GS_USER", HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0x1000), 0);
    check("the kernel's GS base is untouched", read_gs0(), 0x2222);
    check("SEGBASE_GS_USER non-canonical", HYPERVISOR_set_segment_base(SEGBASE_GS_USER,
          0x0000800000000000UL), -XEN_EINVAL);
    check("SEGBASE_GS_KERNEL non-canonical", HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL,
          0x8000000000000000UL), -XEN_EINVAL);
    /* GS_USER_SEL loads the selector between two SWAPGS: the selector
     * changes, the kernel's base does not. */
    check("SEGBASE_GS_USER_SEL flat data, RPL 0", HYPERVISOR_set_segment_base(
          SEGBASE_GS_USER_SEL, FLAT_RING3_DS32 & ~3), 0);
    check("%gs holds it with RPL 3", gs_sel(), FLAT_RING3_DS32);
    check("the kernel's GS base survived the load", read_gs0(), 0x2222);
    check("SEGBASE_GS_USER_SEL takes 16 bits", HYPERVISOR_set_segment_base(
          SEGBASE_GS_USER_SEL, 0xffff000000000000UL | FLAT_RING3_DS32), 0);
    check("%gs holds the low 16", gs_sel(), FLAT_RING3_DS32);
    check("SEGBASE_GS_USER_SEL of an LDT selector with no LDT (faults: null)",
          HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0x7), 0);
    check("%gs is null", gs_sel(), 0);
    check("the kernel's GS base survived the fault", read_gs0(), 0x2222);
    check("SEGBASE_GS_USER_SEL past the GDT", HYPERVISOR_set_segment_base(
          SEGBASE_GS_USER_SEL, 0xfff8), 0);
    check("%gs is null again", gs_sel(), 0);
    check("SEGBASE_GS_USER_SEL null", HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);
    check("set_segment_base 4", HYPERVISOR_set_segment_base(4, 0), -XEN_EINVAL);
    check("which is 32 bits: 1 << 32 is SEGBASE_FS",
          HC(__HYPERVISOR_set_segment_base, 1UL << 32, 0, 0, 0, 0), 0);
    check("SEGBASE_GS_KERNEL back to 0", HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0), 0);
    check("SEGBASE_GS_USER back to 0", HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0), 0);
}

static long uvmo(void *va, uint64_t val, unsigned long flags, unsigned long domid)
{
    return HC(__HYPERVISOR_update_va_mapping_otherdomain, va, val, flags, domid, 0);
}

/* dom0 and the domU are each other's "other domain". */
static unsigned int own_id(void) { return lab_info.domid; }
static unsigned int other_id(void) { return lab_info.domid ? 0 : 1; }

static void otherdomain_cases(void)
{
    char *p = page_alloc();
    uint64_t rw = pte_read(p, 1), ro = rw & ~PTE_RW;

    check("update_va_mapping_otherdomain DOMID_SELF", uvmo(p, ro, UVMF_INVLPG, DOMID_SELF), 0);
    CHECK_TRUE("it was applied", !(pte_read(p, 1) & PTE_RW));
    check("naming itself by its id", uvmo(p, rw, UVMF_INVLPG, own_id()), -XEN_ESRCH);
    check("a domain that does not exist", uvmo(p, rw, UVMF_INVLPG, 7), -XEN_ESRCH);
    check("the other domain", uvmo(p, rw, UVMF_INVLPG, other_id()), -XEN_EPERM);
    check("DOMID_IO", uvmo(p, rw, UVMF_INVLPG, DOMID_IO), -XEN_EPERM);
    check("domid is 16 bits: DOMID_SELF | 1 << 16", uvmo(p, rw, UVMF_INVLPG,
          (1UL << 16) | DOMID_SELF), 0);
    check("the PTE is back", pte_read(p, 1), rw);
}

static long mmuext(unsigned int cmd, unsigned long a1, unsigned long a2, unsigned long dom)
{
    struct mmuext_op op = { .cmd = cmd };
    op.arg1.linear_addr = a1;
    op.arg2.vcpumask = (const void *)a2;
    return HC(__HYPERVISOR_mmuext_op, &op, 1, 0, dom, 0);
}

static void mmuext_cases(void)
{
    char *a = page_alloc(), *b = page_alloc();
    uint64_t *l1 = page_alloc();
    unsigned long ma = virt_to_mfn(a), mb = virt_to_mfn(b), ml1 = virt_to_mfn(l1);
    unsigned long foreign = foreign_frame();
    unsigned long mask5 = 1UL << 5;

    memset(a, 0xab, 4096);
    memset(b, 0xcd, 4096);
    check("MMUEXT_COPY_PAGE", mmuext(MMUEXT_COPY_PAGE, mb, ma, DOMID_SELF), 0);
    CHECK_TRUE("the page was copied", b[0] == (char)0xab && b[4095] == (char)0xab);
    check("MMUEXT_CLEAR_PAGE", mmuext(MMUEXT_CLEAR_PAGE, ma, 0, DOMID_SELF), 0);
    CHECK_TRUE("the page was cleared", a[0] == 0 && a[4095] == 0);
    make_readonly(l1);
    check("pin an L1", mmuext(MMUEXT_PIN_L1_TABLE, ml1, 0, DOMID_SELF), 0);
    check("CLEAR_PAGE of a page table", mmuext(MMUEXT_CLEAR_PAGE, ml1, 0, DOMID_SELF),
          -XEN_EINVAL);
    check("COPY_PAGE onto a page table", mmuext(MMUEXT_COPY_PAGE, ml1, mb, DOMID_SELF),
          -XEN_EINVAL);
    check("COPY_PAGE from a page table", mmuext(MMUEXT_COPY_PAGE, mb, ml1, DOMID_SELF), 0);
    CHECK_TRUE("a copy of the (empty) table", b[0] == 0 && b[4095] == 0);
    check("unpin it", mmuext(MMUEXT_UNPIN_TABLE, ml1, 0, DOMID_SELF), 0);
    check("CLEAR_PAGE of a foreign frame", mmuext(MMUEXT_CLEAR_PAGE, foreign, 0, DOMID_SELF),
          -XEN_EINVAL);
    check("COPY_PAGE from a foreign frame", mmuext(MMUEXT_COPY_PAGE, mb, foreign, DOMID_SELF),
          -XEN_EINVAL);
    check("CLEAR_PAGE beyond RAM", mmuext(MMUEXT_CLEAR_PAGE, 1UL << 28, 0, DOMID_SELF),
          -XEN_EINVAL);
    check("CLEAR_PAGE of the hv", mmuext(MMUEXT_CLEAR_PAGE, 0x100, 0, DOMID_SELF),
          -XEN_EINVAL);
    check("MMUEXT_MARK_SUPER", mmuext(MMUEXT_MARK_SUPER, ma, 0, DOMID_SELF), -XEN_EOPNOTSUPP);
    check("MMUEXT_UNMARK_SUPER", mmuext(MMUEXT_UNMARK_SUPER, ma, 0, DOMID_SELF),
          -XEN_EOPNOTSUPP);
    check("MMUEXT_FLUSH_CACHE without I/O privileges", mmuext(MMUEXT_FLUSH_CACHE, 0, 0,
          DOMID_SELF), -XEN_EACCES);
    check("MMUEXT_FLUSH_CACHE_GLOBAL", mmuext(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0, DOMID_SELF),
          -XEN_EINVAL);
    check("mmuext_op 21", mmuext(21, 0, 0, DOMID_SELF), -XEN_ENOSYS);
    check("INVLPG_LOCAL of an hv address (nothing, 0)", mmuext(MMUEXT_INVLPG_LOCAL, HV_MEM, 0,
          DOMID_SELF), 0);
    check("TLB_FLUSH_MULTI naming vCPU 5 (ignored)", mmuext(MMUEXT_TLB_FLUSH_MULTI, 0,
          (unsigned long)&mask5, DOMID_SELF), 0);
    check("TLB_FLUSH_MULTI, mask in hv memory", mmuext(MMUEXT_TLB_FLUSH_MULTI, 0, HV_MEM,
          DOMID_SELF), -XEN_EINVAL);
    check("mmuext_op foreigndom: its own id", mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, own_id()),
          -XEN_ESRCH);
    check("mmuext_op foreigndom: no such domain", mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, 7),
          -XEN_ESRCH);
    check("mmuext_op foreigndom: DOMID_IO", mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, DOMID_IO),
          -XEN_EINVAL);
    check("mmuext_op foreigndom: the other domain", mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0,
          other_id()), -XEN_EPERM);
    check("mmuext_op foreigndom is 16 bits", mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0,
          (1UL << 16) | DOMID_SELF), 0);
    struct mmuext_op two[2] = { { .cmd = MMUEXT_TLB_FLUSH_LOCAL }, { .cmd = 21 } };
    unsigned int done = 99;
    check("mmuext_op count is 32 bits", HC(__HYPERVISOR_mmuext_op, two, (1UL << 32) | 1, &done,
          DOMID_SELF, 0), 0);
    check("one op done", done, 1);
    check("mmuext_op ops running into hv memory", HC(__HYPERVISOR_mmuext_op,
          0x00007fffffffffc0UL, 4, 0, DOMID_SELF, 0), -XEN_EFAULT);
}

static void mmu_update_cases(void)
{
    char *p = page_alloc();
    uint64_t *data = page_alloc(), *gdt = page_alloc();
    uint64_t pte = pte_maddr(p, 1), val = pte_read(p, 1);
    struct mmu_update u;
    unsigned long mask5 = 1UL << 5, frames[1] = { virt_to_mfn(gdt) };

    check("an entry with A and D", mmu1(pte, val | PTE_A | PTE_D), 0);
    check("MMU_PT_UPDATE_PRESERVE_AD without them", mmu1(pte | 2, val & ~(PTE_A | PTE_D)), 0);
    check("A and D preserved", pte_read(p, 1) & (PTE_A | PTE_D), PTE_A | PTE_D);
    check("a normal update clears them", mmu1(pte, val & ~(PTE_A | PTE_D)), 0);
    check("no A/D now", pte_read(p, 1) & (PTE_A | PTE_D), 0);
    check("MMU_PT_UPDATE_NO_TRANSLATE", mmu1(pte | 3, val), 0);
    check("the PTE is back", pte_read(p, 1), val);
    check("mmu_update cmd 4 (ptr & 7)", mmu1(pte | 4, val), -XEN_ENOSYS);
    check("mmu_update of a data page writes it", mmu1(((uint64_t)virt_to_mfn(data) << 12) + 8,
          0x1234), 0);
    check("the word was written", data[1], 0x1234);
    make_readonly(gdt);
    check("set_gdt on a page", HYPERVISOR_set_gdt(frames, 512), 0);
    check("mmu_update of a descriptor page", mmu1((uint64_t)frames[0] << 12, 0), -XEN_EINVAL);
    check("back to the default GDT", HYPERVISOR_set_gdt(frames, 0), 0);
    u = (struct mmu_update){ pte, val };
    check("mmu_update foreigndom: its own id", HYPERVISOR_mmu_update(&u, 1, NULL, own_id()),
          -XEN_ESRCH);
    check("mmu_update foreigndom: no such domain", HYPERVISOR_mmu_update(&u, 1, NULL, 7),
          -XEN_ESRCH);
    check("mmu_update foreigndom: the other domain",
          HYPERVISOR_mmu_update(&u, 1, NULL, other_id()), -XEN_EPERM);
    check("mmu_update: tables named as its own (id + 1 in bits 16-31)",
          HYPERVISOR_mmu_update(&u, 1, NULL, ((own_id() + 1) << 16) | DOMID_SELF), 0);
    check("mmu_update: tables of a domain that does not exist",
          HYPERVISOR_mmu_update(&u, 1, NULL, (8 << 16) | DOMID_SELF), -XEN_ESRCH);
    check("update_va_mapping flush type 3 (none)", HYPERVISOR_update_va_mapping(
          (unsigned long)p, val, 3), 0);
    check("update_va_mapping mask naming vCPU 5 (ignored)", HYPERVISOR_update_va_mapping(
          (unsigned long)p, val & ~PTE_RW, UVMF_INVLPG | (unsigned long)&mask5), 0);
    check("update_va_mapping mask in hv memory", HYPERVISOR_update_va_mapping(
          (unsigned long)p, val, UVMF_TLB_FLUSH | HV_MEM), -XEN_EFAULT);
    check("the update happened before the bad mask", pte_read(p, 1), val);
}

void misc_cases(void)
{
    version_cases();
    vm_assist_cases();
    console_cases();
    segbase_cases();
    otherdomain_cases();
    mmuext_cases();
    mmu_update_cases();
    /* Xen's is_hwdom_pinned_vcpu: dom0's (pinned) vCPUs only. */
    struct vcpu_get_physid pid = { 0x1234 };
    check("VCPUOP_get_physid", HYPERVISOR_vcpu_op(VCPUOP_get_physid, 0, &pid),
          privileged() ? 0 : -XEN_EINVAL);
}
