/* hostile, the newer ABI paths with bad arguments: the instruction
 * emulator (the forced-emulation prefix cut off by an unmapped page,
 * rep I/O with a huge count running into one), FIFO event channel
 * set-up with frames that are not the domain's or not writable, timers
 * with deadlines past or overflowing, and VCPUOP_register_vcpu_info
 * with hostile frames.  Each gets Xen 4.17's exception or error code,
 * the hv's MMU audit must still pass afterwards, and the domain goes on
 * on the 2-level ABI (EVTCHNOP_reset). */
#include "hostile.h"
#include "public/event_channel.h"

#define HV_ADDR 0xffff830000000000UL

static long evtchn_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

static unsigned long read_cr2(void)
{
    unsigned long cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

static void expect_audit(const char *what)
{
    expect_rc(what, HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0), 0);
}

/* Two adjacent pages, the second unmapped: code or data running off the
 * end of the first faults on the second. */
static uint8_t *page_then_hole(void)
{
    uint8_t *a = page_alloc(), *b = page_alloc();
    if (b != a + PAGE_SIZE)
        guest_panic("hostile: page_alloc pages not adjacent");
    if (HYPERVISOR_update_va_mapping((unsigned long)b, 0, UVMF_INVLPG))
        guest_panic("hostile: cannot unmap a page");
    return a;
}

/* rep ins/outs (`insn`) with %rcx = count at %rsi/%rdi = addr, port
 * 0x80: the vector taken (-1: none), the registers afterwards. */
static int rep_io(bool ins, unsigned long *count, unsigned long *addr)
{
    unsigned long c = *count, a = *addr;
    guest_fault_count = 0;
    guest_last_vector = ~0U;
    if (ins)
        __asm__ volatile("lea 1f(%%rip), %%r11; mov %%r11, guest_fault_resume(%%rip);"
                         "mov $0x80, %%dx; rep insb\n"
                         "1: movq $0, guest_fault_resume(%%rip)"
                         : "+c"(c), "+D"(a) :: "rdx", "r11", "memory");
    else
        __asm__ volatile("lea 1f(%%rip), %%r11; mov %%r11, guest_fault_resume(%%rip);"
                         "mov $0x80, %%dx; rep outsb\n"
                         "1: movq $0, guest_fault_resume(%%rip)"
                         : "+c"(c), "+S"(a) :: "rdx", "r11", "memory");
    *count = c;
    *addr = a;
    return guest_fault_count ? (int)guest_last_vector : -1;
}

static void emulator_cases(void)
{
    uint8_t *a = page_then_hole();
    unsigned long hole = (unsigned long)a + PAGE_SIZE;
    static const uint8_t fep[5] = { 0x0f, 0x0b, 'x', 'e', 'n' };

    /* The prefix whole, its CPUID on the unmapped page: #PF there. */
    memcpy(a + PAGE_SIZE - 5, fep, 5);
    EXPECT_FAULT("forced emulation: CPUID on an unmapped page", 14, "jmp *%0",
                 "r"(a + PAGE_SIZE - 5));
    expect_true("forced emulation: #PF at the unmapped CPUID", read_cr2() == hole);
    /* Only ud2 mapped: the signature read faults, as Xen's one copy. */
    memcpy(a + PAGE_SIZE - 2, fep, 2);
    EXPECT_FAULT("forced emulation: signature cut by an unmapped page", 14, "jmp *%0",
                 "r"(a + PAGE_SIZE - 2));
    expect_true("forced emulation: #PF at the cut signature", read_cr2() == hole);

    /* Privileged instructions with bad operands. */
    EXPECT_FAULT("mov to dr8 (REX.R)", 6, ".byte 0x44, 0x0f, 0x23, 0xc0");
    EXPECT_FAULT("mov from cr9 (REX.R)", 13, ".byte 0x44, 0x0f, 0x20, 0xc8");
    EXPECT_FAULT("mov hv address to dr0", 13, "movabs $0xffff830000000000, %%rax; mov %%rax, %%dr0");
    EXPECT_FAULT("wrmsr EFER without LME", 13,
                 "mov $0xc0000080, %%ecx; rdmsr; and $~0x100, %%eax; wrmsr");
    EXPECT_FAULT("xsetbv", 6, "xor %%ecx, %%ecx; mov $7, %%eax; xor %%edx, %%edx; xsetbv");
    EXPECT_FAULT("rdpmc", 13, "xor %%ecx, %%ecx; rdpmc");
    EXPECT_FAULT("in without IOPL, rep huge", 13,
                 "mov $-1, %%rcx; mov $0x80, %%dx; rep insb", "D"(a));

    /* rep I/O with a huge count: done in slices until the unmapped page
     * faults; the registers say how far it got. */
    uint32_t iopl = 1;
    expect_rc("set_iopl 1", HC(__HYPERVISOR_physdev_op, 6, &iopl, 0, 0, 0), 0);
    unsigned long count = 1UL << 40, addr = (unsigned long)a;
    expect_true("rep outsb of 2^40 bytes: #PF at the hole",
                rep_io(false, &count, &addr) == 14 && read_cr2() == hole);
    expect_true("rep outsb: %rcx and %rsi say 4096 done",
                count == (1UL << 40) - PAGE_SIZE && addr == hole);
    count = ~0UL, addr = (unsigned long)a;
    expect_true("rep insb of 2^64-1 bytes: #PF at the hole",
                rep_io(true, &count, &addr) == 14 && read_cr2() == hole &&
                (guest_last_error & PF_WRITE));
    expect_true("rep insb: %rcx and %rdi say 4096 done",
                count == ~0UL - PAGE_SIZE && addr == hole);
    /* Xen's __addr_ok: the hv's slots and the non-canonical range are
     * #GP(0) before any access (an %ss override is ignored in 64-bit
     * mode, as by Xen's emulator). */
    count = 1UL << 40, addr = HV_ADDR;
    expect_true("rep outsb from hv memory: #GP(0)",
                rep_io(false, &count, &addr) == 13 && guest_last_error == 0 &&
                count == 1UL << 40);
    count = 16, addr = 0x0000900000000000UL;
    expect_true("rep insb to a non-canonical address: #GP(0)",
                rep_io(true, &count, &addr) == 13 && count == 16);
    EXPECT_FAULT("ss: rep outsb from hv memory", 13,
                 "mov $16, %%ecx; mov $0x80, %%dx; .byte 0x36; rep outsb", "S"(HV_ADDR));
    iopl = 0;
    expect_rc("set_iopl 0", HC(__HYPERVISOR_physdev_op, 6, &iopl, 0, 0, 0), 0);
}

static void fifo_cases(void)
{
    void *cb = page_alloc(), *arr = page_alloc();
    unsigned long l4 = virt_to_mfn((void *)start_info->pt_base);
    struct evtchn_init_control ic = { .control_gfn = foreign_mfn() };
    expect_rc("init_control on a foreign frame", evtchn_op(EVTCHNOP_init_control, &ic),
              -XEN_EINVAL);
    ic.control_gfn = 1;
    expect_rc("init_control on a frame of the hv's", evtchn_op(EVTCHNOP_init_control, &ic),
              -XEN_EINVAL);
    ic.control_gfn = 1UL << 40;
    expect_rc("init_control past RAM", evtchn_op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
    ic.control_gfn = l4;
    expect_rc("init_control on our L4", evtchn_op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
    ic.control_gfn = virt_to_mfn(cb);
    ic.offset = PAGE_SIZE - 8;
    expect_rc("init_control, block past the page", evtchn_op(EVTCHNOP_init_control, &ic),
              -XEN_EINVAL);
    ic.offset = 12;
    expect_rc("init_control, misaligned", evtchn_op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
    ic.offset = 0, ic.vcpu = 9;
    expect_rc("init_control, vCPU 9", evtchn_op(EVTCHNOP_init_control, &ic), -XEN_ENOENT);
    expect_rc("init_control, argument in hv memory",
              evtchn_op(EVTCHNOP_init_control, (void *)HV_ADDR), -XEN_EFAULT);
    struct evtchn_expand_array ea = { .array_gfn = virt_to_mfn(arr) };
    expect_rc("expand_array before init_control", evtchn_op(EVTCHNOP_expand_array, &ea),
              -XEN_EOPNOTSUPP);
    expect_audit("audit after the refused init_controls (XSA-188: nothing left)");

    ic.vcpu = 0;
    expect_rc("init_control", evtchn_op(EVTCHNOP_init_control, &ic), 0);
    uint64_t bad[] = { foreign_mfn(), 1, 1UL << 40, l4 };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        ea.array_gfn = bad[i];
        expect_rc("expand_array with a frame not ours or not writable",
                  evtchn_op(EVTCHNOP_expand_array, &ea), -XEN_EINVAL);
    }
    ea.array_gfn = virt_to_mfn(arr);
    expect_rc("expand_array", evtchn_op(EVTCHNOP_expand_array, &ea), 0);
    /* Held frames cannot become page tables. */
    expect_rc("make the control block read-only", make_readonly(cb), 0);
    expect_rc("pin the control block as an L1",
              mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(cb), 0), -XEN_EINVAL);
    struct evtchn_set_priority pr = { .port = 1U << 20, .priority = 1 };
    expect_rc("set_priority of a port out of range", evtchn_op(EVTCHNOP_set_priority, &pr),
              -XEN_EINVAL);
    expect_audit("audit with the FIFO frames held");

    struct evtchn_reset r = { .dom = 0x7ff7 };
    expect_rc("reset of a missing domain", evtchn_op(EVTCHNOP_reset, &r), -XEN_ESRCH);
    r.dom = DOMID_SELF;
    expect_rc("reset argument in hv memory", evtchn_op(EVTCHNOP_reset, (void *)HV_ADDR),
              -XEN_EFAULT);
    expect_rc("EVTCHNOP_reset", evtchn_op(EVTCHNOP_reset, &r), 0);
    expect_rc("pin the released control block as an L1",
              mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(cb), 0), 0);
    expect_rc("unpin it", mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(cb), 0), 0);
    expect_audit("audit after EVTCHNOP_reset");
}

static void timer_cases(void)
{
    struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = 1 };
    expect_rc("set_timer_op in the past", HC(__HYPERVISOR_set_timer_op, 1, 0, 0, 0, 0), 0);
    expect_rc("set_timer_op at 2^64-1 (negative)",
              HC(__HYPERVISOR_set_timer_op, ~0UL, 0, 0, 0, 0), 0);
    expect_rc("set_timer_op 2^60 ns ahead",
              HC(__HYPERVISOR_set_timer_op, 1UL << 60, 0, 0, 0, 0), 0);
    expect_rc("set_timer_op off", HC(__HYPERVISOR_set_timer_op, 0, 0, 0, 0, 0), 0);
    expect_rc("singleshot in the past", HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0,
              &st), 0);
    st.timeout_abs_ns = ~0UL;
    st.flags = ~0U;
    expect_rc("singleshot at 2^64-1, every flag", HYPERVISOR_vcpu_op(
              VCPUOP_set_singleshot_timer, 0, &st), 0);
    expect_rc("singleshot of vCPU 1 (not current)", HYPERVISOR_vcpu_op(
              VCPUOP_set_singleshot_timer, 1, &st), -XEN_EINVAL);
    expect_rc("stop singleshot", HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    uint64_t periods[] = { 0, 999999, (1UL << 62) + 1, ~0UL };
    for (unsigned int i = 0; i < ARRAY_SIZE(periods); i++) {
        struct vcpu_set_periodic_timer pt = { .period_ns = periods[i] };
        expect_rc("periodic timer out of range", HYPERVISOR_vcpu_op(
                  VCPUOP_set_periodic_timer, 0, &pt), -XEN_EINVAL);
    }
    expect_rc("periodic timer argument in hv memory", HYPERVISOR_vcpu_op(
              VCPUOP_set_periodic_timer, 0, (void *)HV_ADDR), -XEN_EFAULT);
    /* A poll whose timeout is already past returns at once; a free port
     * is -EINVAL (Xen's evtchn_port_poll). */
    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    expect_rc("bind_ipi", evtchn_op(EVTCHNOP_bind_ipi, &bi), 0);
    evtchn_port_t port = bi.port;
    struct sched_poll sp = { .ports = (unsigned long)&port, .nr_ports = 1, .timeout = 1 };
    expect_rc("poll with a past timeout", HYPERVISOR_sched_op(SCHEDOP_poll, &sp), 0);
    struct evtchn_close cl = { .port = bi.port };
    expect_rc("close the IPI port", evtchn_op(EVTCHNOP_close, &cl), 0);
    expect_rc("poll of a free port", HYPERVISOR_sched_op(SCHEDOP_poll, &sp), -XEN_EINVAL);
    port = 0;
    expect_rc("poll of reserved port 0", HYPERVISOR_sched_op(SCHEDOP_poll, &sp), -XEN_EINVAL);
    port = 1U << 20;
    expect_rc("poll of a port out of range", HYPERVISOR_sched_op(SCHEDOP_poll, &sp),
              -XEN_EINVAL);
    sp.ports = HV_ADDR;
    expect_rc("poll ports in hv memory", HYPERVISOR_sched_op(SCHEDOP_poll, &sp), -XEN_EFAULT);
}

static long register_vcpu_info(unsigned int vcpu, unsigned long mfn, unsigned int offset)
{
    struct vcpu_register_vcpu_info info = { .mfn = mfn, .offset = offset };
    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);
}

/* On vCPU 1 (down: another vCPU may move it), so that vCPU 0 keeps its
 * slot in shared_info for the rest of the run. */
static void vcpu_info_cases(void)
{
    void *p = page_alloc();
    unsigned long mfn = virt_to_mfn(p), l4 = virt_to_mfn((void *)start_info->pt_base);
    expect_rc("vcpu_info offset past the page", register_vcpu_info(1, mfn, 4033), -XEN_ENXIO);
    expect_rc("vcpu_info offset ~0", register_vcpu_info(1, mfn, ~0U), -XEN_ENXIO);
    expect_rc("vcpu_info misaligned", register_vcpu_info(1, mfn, 65), -XEN_ENXIO);
    expect_rc("vcpu_info on vCPU 9", register_vcpu_info(9, mfn, 0), -XEN_ENOENT);
    uint64_t bad[] = { foreign_mfn(), 1, 1UL << 40, ~0UL, l4 };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
        expect_rc("vcpu_info on a frame not ours or not writable",
                  register_vcpu_info(1, bad[i], 0), -XEN_EINVAL);
    expect_rc("vcpu_info argument in hv memory", HYPERVISOR_vcpu_op(
              VCPUOP_register_vcpu_info, 1, (void *)HV_ADDR), -XEN_EFAULT);
    expect_rc("register vCPU 1's vcpu_info", register_vcpu_info(1, mfn, 4032), 0);
    expect_rc("register it again", register_vcpu_info(1, mfn, 0), -XEN_EINVAL);
    expect_rc("make the vcpu_info page read-only", make_readonly(p), 0);
    expect_rc("pin the vcpu_info page as an L1", mmuext1(MMUEXT_PIN_L1_TABLE, mfn, 0),
              -XEN_EINVAL);
    expect_rc("vCPU 1 down (vCPU 0 still up)", HYPERVISOR_vcpu_op(VCPUOP_down, 1, NULL), 0);
    expect_audit("audit with vCPU 1's vcpu_info frame held");
}

void abi_cases(void)
{
    emulator_cases();
    fifo_cases();
    timer_cases();
    vcpu_info_cases();
}
