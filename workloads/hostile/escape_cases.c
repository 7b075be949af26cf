/* hostile, one regression case for each way a guest got into the hv
 * (issue 9): a frame the hv writes (shared_info, a runstate area) typed
 * as a page table, GDT or LDT; page-table entries left supervisor-only;
 * call gates usable from ring 3 or with reserved bits; a guest fault on
 * an hv structure; a pdone the hv cannot write.  Each must now be refused
 * with Xen's error code (or turned into the guest's own fault) and leave
 * the state it aimed at unchanged; the audit after the cases must find
 * every invariant intact. */
#include "hostile.h"

#define MA(p) ((uint64_t)virt_to_mfn(p) << 12)

static long runstate_at(unsigned int vcpu, unsigned long va)
{
    struct vcpu_register_runstate_memory_area a = { .addr.p = va };
    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, vcpu, &a);
}

/* shared_info never becomes a table or descriptor page, however asked. */
static void shared_info_cases(void)
{
    unsigned long si = start_info->shared_info >> 12;
    unsigned long frames[1] = { si };

    expect_rc("pin shared_info as an L1", mmuext1(MMUEXT_PIN_L1_TABLE, si, 0), -XEN_EINVAL);
    expect_rc("pin shared_info as an L2", mmuext1(MMUEXT_PIN_L2_TABLE, si, 0), -XEN_EINVAL);
    expect_rc("pin shared_info as an L3", mmuext1(MMUEXT_PIN_L3_TABLE, si, 0), -XEN_EINVAL);
    expect_rc("pin shared_info as an L4", mmuext1(MMUEXT_PIN_L4_TABLE, si, 0), -XEN_EINVAL);
    expect_rc("shared_info as the kernel L4", mmuext1(MMUEXT_NEW_BASEPTR, si, 0), -XEN_EINVAL);
    expect_rc("shared_info as the user L4", mmuext1(MMUEXT_NEW_USER_BASEPTR, si, 0),
              -XEN_EINVAL);
    expect_rc("set_gdt on shared_info", HYPERVISOR_set_gdt(frames, 512), -XEN_EINVAL);
    expect_rc("a call gate into hv code written into shared_info",
              HYPERVISOR_update_descriptor(((uint64_t)si << 12) + 64, 0x0000ec00e0081000UL),
              -XEN_EINVAL);

    uint64_t *l2 = page_alloc();
    make_readonly(l2);
    expect_rc("pin an empty L2", mmuext1(MMUEXT_PIN_L2_TABLE, virt_to_mfn(l2), 0), 0);
    expect_rc("an L2 entry making shared_info an L1",
              mmu1(MA(l2) + 8, ((uint64_t)si << 12) | PTE_FLAGS_RW), -XEN_EINVAL);
    expect_true("the L2 entry stays empty", l2[1] == 0);
    expect_rc("unpin the L2", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(l2), 0), 0);

    /* An LDT on it: the lazy mapping is refused, the guest gets a #PF. */
    char *va = page_alloc();
    uint64_t own = MA(va) | PTE_FLAGS_RW;
    expect_rc("map shared_info read-only", HYPERVISOR_update_va_mapping((unsigned long)va,
              ((uint64_t)si << 12) | PTE_FLAGS_RO, UVMF_INVLPG), 0);
    expect_rc("SET_LDT on shared_info", mmuext1(MMUEXT_SET_LDT, (unsigned long)va, 16), 0);
    EXPECT_FAULT("load an LDT selector from shared_info", 14, "mov %0, %%fs", "r"(7));
    expect_rc("SET_LDT none", mmuext1(MMUEXT_SET_LDT, 0, 0), 0);
    expect_rc("shared_info may still be mapped writable", HYPERVISOR_update_va_mapping(
              (unsigned long)va, ((uint64_t)si << 12) | PTE_FLAGS_RW, UVMF_INVLPG), 0);
    expect_rc("remap the page", HYPERVISOR_update_va_mapping((unsigned long)va, own,
              UVMF_INVLPG), 0);
}

/* A registered runstate area's frames stay writable until it moves.
 * vCPU 1 is never started, so the hv never writes its area: the page
 * stays all zeroes, which would validate as any table or as a GDT
 * frame were it not for the reference. */
static void runstate_frame_cases(void)
{
    char *p = page_alloc(), *q = page_alloc(), *r = page_alloc(), *t = page_alloc();
    unsigned long m = virt_to_mfn(p), frames[1] = { m };

    expect_rc("vCPU 1's runstate area in a scratch page", runstate_at(1, (unsigned long)p + 64),
              0);
    expect_rc("make its page read-only", make_readonly(p), 0);
    expect_rc("pin the runstate frame as an L1", mmuext1(MMUEXT_PIN_L1_TABLE, m, 0),
              -XEN_EINVAL);
    expect_rc("the runstate frame as the user L4", mmuext1(MMUEXT_NEW_USER_BASEPTR, m, 0),
              -XEN_EINVAL);
    expect_rc("set_gdt on the runstate frame", HYPERVISOR_set_gdt(frames, 512), -XEN_EINVAL);
    /* It must be mapped writable when registered (Xen 4.17 takes any). */
    expect_rc("runstate area in a read-only page", runstate_at(1, (unsigned long)p + 8),
              -XEN_EFAULT);
    expect_rc("vCPU 1's runstate area off", runstate_at(1, 0), 0);
    expect_rc("pin the former runstate frame as an L1", mmuext1(MMUEXT_PIN_L1_TABLE, m, 0), 0);
    expect_rc("unpin it", mmuext1(MMUEXT_UNPIN_TABLE, m, 0), 0);

    expect_rc("vCPU 0's runstate area in a scratch page", runstate_at(0, (unsigned long)q + 64),
              0);
    expect_true("the hv wrote it", ((struct vcpu_runstate_info *)(q + 64))->state_entry_time);
    expect_rc("runstate area straddling two writable pages",
              runstate_at(0, (unsigned long)r - 16), 0);
    make_readonly(t);
    expect_rc("runstate area straddling into a read-only page",
              runstate_at(0, (unsigned long)t - 16), -XEN_EFAULT);
    expect_rc("runstate area off", runstate_at(0, 0), 0);
}

/* Every entry that enters a validated table is user-accessible (Xen's
 * adjust_guest_l*e), whichever way it comes in. */
static void user_bit_cases(void)
{
    uint64_t *l1 = page_alloc(), *l1b = page_alloc(), *l2 = page_alloc(), *l3 = page_alloc();
    char *data = page_alloc(), *probe = page_alloc();
    uint64_t *l4tab = (uint64_t *)start_info->pt_base;
    uint64_t l4 = MA(l4tab);

    l1[0] = MA(data) | PTE_P | PTE_RW;                 /* supervisor-only */
    l1[1] = MA(data) | PTE_P;
    make_readonly(l1);
    expect_rc("pin an L1 of supervisor-only entries", mmuext1(MMUEXT_PIN_L1_TABLE,
              virt_to_mfn(l1), 0), 0);
    expect_true("pinning made them user-accessible", (l1[0] & PTE_US) && (l1[1] & PTE_US));

    l1b[5] = MA(data) | PTE_P | PTE_RW;
    l2[0] = MA(l1b) | PTE_P | PTE_RW;
    l3[0] = MA(l2) | PTE_P | PTE_RW;
    make_readonly(l1b);
    make_readonly(l2);
    make_readonly(l3);
    expect_rc("an L4 entry pulling in an L3, L2 and L1", mmu1(l4 + 300 * 8,
              MA(l3) | PTE_P | PTE_RW), 0);
    expect_true("the L4 entry is user-accessible and accessed",
                (l4tab[300] & (PTE_US | PTE_A)) == (PTE_US | PTE_A));
    expect_true("so are the entries below it", (l3[0] & PTE_US) && (l2[0] & PTE_US) &&
                (l1b[5] & PTE_US));
    expect_rc("unhook the L3", mmu1(l4 + 300 * 8, 0), 0);

    uint64_t probe_pte = pte_maddr(probe, 1), probe_val = pte_read(probe, 1);
    expect_rc("a supervisor-only mapping by mmu_update", mmu1(probe_pte,
              MA(probe) | PTE_P | PTE_RW | PTE_A | PTE_D), 0);
    expect_true("it is user-accessible", pte_read(probe, 1) & PTE_US);
    expect_rc("a supervisor-only mapping by update_va_mapping",
              HYPERVISOR_update_va_mapping((unsigned long)probe, MA(probe) | PTE_P | PTE_RW,
                                           UVMF_INVLPG), 0);
    expect_true("it is user-accessible too", pte_read(probe, 1) & PTE_US);
    expect_rc("restore the mapping", mmu1(probe_pte, probe_val), 0);
    expect_rc("unpin the L1", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(l1), 0), 0);
}

/* Call gates as Xen stores them: DPL 0 (every use faults), RPL 3. */
static void gate_cases(void)
{
    uint64_t *gdt = page_alloc(), *rw = page_alloc();
    unsigned long frames[1];
    static struct __attribute__((packed)) { uint32_t off; uint16_t sel; } far = { 0, 3 << 3 | 3 };

    make_readonly(gdt);
    frames[0] = virt_to_mfn(gdt);
    expect_rc("set_gdt with one frame", HYPERVISOR_set_gdt(frames, 512), 0);
    expect_rc("a DPL-3 call gate to the kernel CS", HYPERVISOR_update_descriptor(
              MA(gdt) + 3 * 8, 0x0000ec00e0331000UL), 0);
    expect_true("stored with DPL 0 and the target's RPL 3", gdt[3] == 0x00008c00e0331000UL);
    EXPECT_FAULT("a far call through it", 13, "lcall *(%0)", "r"(&far));
    expect_rc("a call gate with reserved bits set", HYPERVISOR_update_descriptor(
              MA(gdt) + 5 * 8, 0x0000ec05e0331000UL), -XEN_EINVAL);
    expect_rc("a call gate to the kernel CS with RPL 0", HYPERVISOR_update_descriptor(
              MA(gdt) + 5 * 8, 0x0000ec00e0301000UL), -XEN_EINVAL);
    expect_true("neither was stored", gdt[5] == 0);
    /* Between the guest's entries and the hv's: the zero page, a null
     * descriptor (#GP), never a fault on an hv address. */
    EXPECT_FAULT("a selector past the guest's GDT frame", 13, "mov %0, %%fs",
                 "r"(600 << 3 | 3));
    expect_rc("back to the default GDT", HYPERVISOR_set_gdt(frames, 0), 0);
    expect_rc("a TSS descriptor into a writable page", HYPERVISOR_update_descriptor(
              MA(rw) + 8, 0x0000890000000067UL), -XEN_EINVAL);
    expect_true("the writable page is untouched", rw[1] == 0);
}

/* The guest's own faults at hv addresses stay the guest's; a pdone the
 * hv cannot write changes nothing about what was done (as Xen). */
static void fault_and_pdone_cases(void)
{
    EXPECT_FAULT("jump into hv text", 14,
                 "movabs $0xffff82d040100000, %%rax; jmp *%%rax");
    expect_true("an instruction fetch, shown as supervisor (guest kernel mode)",
                (guest_last_error & (PF_USER | 0x10)) == 0x10);
    /* Single-stepping onto hv text: the #DB comes before the fetch, at
     * an hv RIP where nothing has run; still the guest's (as on Xen). */
    EXPECT_FAULT("single-step into hv text", 1,
                 "movabs $0xffff82d040100000, %%rax; pushfq; orq $0x100, (%%rsp); popfq;"
                 "jmp *%%rax");

    char *probe = page_alloc();
    unsigned int *bad_done = (unsigned int *)0xffff830000000000UL;
    struct mmu_update u = { pte_maddr(probe, 1), pte_read(probe, 1) & ~PTE_RW };
    expect_rc("mmu_update with pdone in hv memory", HYPERVISOR_mmu_update(&u, 1, bad_done,
              DOMID_SELF), 0);
    expect_true("the update was applied", !(pte_read(probe, 1) & PTE_RW));
    struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    expect_rc("mmuext_op with pdone in hv memory", HYPERVISOR_mmuext_op(&op, 1, bad_done,
              DOMID_SELF), 0);
}

void escape_cases(void)
{
    shared_info_cases();
    runstate_frame_cases();
    user_bit_cases();
    gate_cases();
    fault_and_pdone_cases();
}
