/* emul: the PV paths that emulate instructions and deliver software
 * interrupts (hv/pv/emul-priv-op.c, emul-inv-op.c, debugreg.c, the
 * #GP/#UD/#NM paths of hv/pv/traps.c), checked against Xen's semantics,
 * then measured:
 *   fep_cpuid    CPUID through Xen's forced-emulation prefix
 *   rdmsr_emul   RDMSR of EFER, emulated (#GP, decode, emulate, return)
 *   mov_cr0_read mov %cr0, %rax, emulated
 *   int_n        int $0x80 through the trap table (DPL 3)
 *   upcall       an interdomain event to itself, delivered through the
 *                event callback (send, upcall, return with events masked)
 * Any behaviour that differs from Xen's fails the run, and so do the
 * event channel sub-ops (alloc_unbound, bind_interdomain, bind_virq,
 * status, close, unmask), the upcall rules, guest time
 * (vcpu_time_info) and the timers (set_timer_op, the single-shot and
 * periodic vCPU timers raising VIRQ_TIMER, SCHEDOP_poll's timeout), and
 * at the end the FIFO event channel ABI (init_control, expand_array,
 * linking on send and unmask, priorities; XSA-188's shape), then
 * EVTCHNOP_reset back to 2-level and VCPUOP_register_vcpu_info
 * (vcpu_cases.c), the instructions Xen does not emulate or answers its
 * own way and the remaining vcpu_ops (insn_cases.c); the last vCPU's
 * VCPUOP_down powers the domain off. */
#include "emul.h"

const char workload_name[] = "emul";
const char *const workload_args[] = { NULL };

extern char trap_6[], trap_7[], trap_13[], swint_entry[];

/* The int $0x80 handler: count, then HYPERVISOR_iret to the instruction
 * after the int (the bounce frame is rcx, r11, rip, cs, rflags, rsp, ss). */
__asm__(".text\n"
        ".globl swint_entry\n"
        "swint_entry:\n"
        "  pop %rcx\n"
        "  pop %r11\n"
        "  incl swint_count(%rip)\n"
        "  push $0\n"
        "  jmp hypercall_page + 23 * 32\n"
        ".globl event_entry\n"
        /* The event callback: count, return with events still masked. */
        "event_entry:\n"
        "  pop %rcx\n"
        "  pop %r11\n"
        "  incl upcall_count(%rip)\n"
        "  andq $~0x200, 16(%rsp)\n"
        "  push $0\n"
        "  jmp hypercall_page + 23 * 32\n"
        ".data\n"
        ".globl swint_count, upcall_count\n"
        "swint_count: .long 0\n"
        "upcall_count: .long 0\n"
        ".text\n");

long evtchn_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

static unsigned int bound_pair[2];

/* Event channels as Xen's 2-level ABI, and upcalls. */
static void check_events(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_event,
                                    .address = (unsigned long)event_entry };
    expect(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0, "event callback");
    map_shared_info();
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    expect(vi->evtchn_upcall_mask == 1, "events start masked");

    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    expect(evtchn_op(EVTCHNOP_alloc_unbound, &au) == 0 && au.port > 0, "alloc_unbound");
    struct evtchn_status st = { .dom = DOMID_SELF, .port = au.port };
    expect(evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
           st.u.unbound.dom == 0 && st.vcpu == 0, "status of an unbound port");
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = au.port };
    expect(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == 0 && bi.local_port != au.port,
           "bind_interdomain to itself");
    expect(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == -XEN_EINVAL,
           "binding a bound port again: not -EINVAL");
    st.port = bi.local_port;
    expect(evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
           st.u.interdomain.port == au.port, "status of the interdomain port");
    /* Xen marks the new local port pending (lost notifications). */
    unsigned long lbit = 1UL << (bi.local_port % 64), rbit = 1UL << (au.port % 64);
    expect(shared_info->evtchn_pending[bi.local_port / 64] & lbit,
           "bind_interdomain: local port not pending");
    shared_info->evtchn_pending[bi.local_port / 64] &= ~lbit;
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    struct evtchn_send sd = { .port = bi.local_port };
    expect(evtchn_op(EVTCHNOP_send, &sd) == 0, "send");
    expect((shared_info->evtchn_pending[au.port / 64] & rbit) && vi->evtchn_upcall_pending,
           "send did not reach the peer port");
    /* Unmask and force the callback with a hypercall, as Linux does. */
    unsigned int before = upcall_count;
    vi->evtchn_upcall_mask = 0;
    HYPERVISOR_xen_version(XENVER_version, NULL);
    expect(upcall_count == before + 1 && vi->evtchn_upcall_mask == 1,
           "no upcall, or events not masked in the callback");
    shared_info->evtchn_pending[au.port / 64] &= ~rbit;
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;

    struct evtchn_close cl = { .port = bi.local_port };
    expect(evtchn_op(EVTCHNOP_close, &cl) == 0, "close");
    st.port = au.port;
    expect(evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_unbound,
           "closing one end leaves the other unbound");
    expect(evtchn_op(EVTCHNOP_close, &cl) == -XEN_EINVAL, "closing a closed port");
    expect(evtchn_op(EVTCHNOP_send, &sd) == -XEN_EINVAL, "send on a closed port");
    cl.port = au.port;
    expect(evtchn_op(EVTCHNOP_close, &cl) == 0, "close the unbound port");
    struct evtchn_unmask um = { .port = au.port };
    expect(evtchn_op(EVTCHNOP_unmask, &um) == 0, "unmask of a free port (valid range)");
    um.port = 1U << 20;
    expect(evtchn_op(EVTCHNOP_unmask, &um) == -XEN_EINVAL, "unmask out of range");
    cl.port = 0;
    expect(evtchn_op(EVTCHNOP_close, &cl) == -XEN_EINVAL, "closing reserved port 0");

    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv) == 0, "bind_virq VIRQ_TIMER");
    struct evtchn_bind_virq bv2 = { .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv2) == -XEN_EEXIST, "VIRQ bound twice");
    bv2.virq = NR_VIRQS;
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv2) == -XEN_EINVAL, "virq out of range");
    bv2.virq = VIRQ_CONSOLE, bv2.vcpu = 1;
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv2) == -XEN_EINVAL, "global virq on vcpu 1");
    bv2.virq = VIRQ_TIMER, bv2.vcpu = 7;
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv2) == -XEN_ENOENT, "virq on a missing vcpu");
    st.port = bv.port;
    expect(evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_virq &&
           st.u.virq == VIRQ_TIMER, "status of a virq port");
    struct evtchn_bind_vcpu bvc = { .port = bv.port, .vcpu = 0 };
    expect(evtchn_op(EVTCHNOP_bind_vcpu, &bvc) == -XEN_EINVAL, "moving a per-vCPU virq");
    cl.port = bv.port;
    expect(evtchn_op(EVTCHNOP_close, &cl) == 0, "close the virq port");

    /* The pair the upcall op uses. */
    au = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    expect(evtchn_op(EVTCHNOP_alloc_unbound, &au) == 0, "alloc_unbound");
    bi = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = au.port };
    expect(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == 0, "bind_interdomain");
    bound_pair[0] = bi.local_port;
    bound_pair[1] = au.port;
    shared_info->evtchn_pending[bi.local_port / 64] &= ~(1UL << (bi.local_port % 64));
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
}

#define FEP "ud2a; .ascii \"xen\"; "

static void fep_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile(FEP "cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "0"(leaf), "2"(sub));
}

void expect(bool ok, const char *what)
{
    if (!ok)
        guest_panic("%s", what);
}

static uint64_t rdmsr_e(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return lo | ((uint64_t)hi << 32);
}

static void check_behaviour(void)
{
    uint32_t r[4];
    long rc;

    /* CPUID: Xen's leaves and PV policy. */
    fep_cpuid(0x40000000, 0, r);
    expect(r[0] == 0x40000005 && r[1] == 0x566e6558 && r[2] == 0x65584d4d &&
           r[3] == 0x4d4d566e, "FEP cpuid 0x40000000: not Xen's signature");
    fep_cpuid(0x40000001, 0, r);
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    expect(r[0] == (uint32_t)ver, "cpuid 0x40000001 differs from XENVER_version");
    fep_cpuid(1, 0, r);
    expect((r[2] & (1U << 31)) && !(r[2] & (1U << 5)) && !(r[3] & (1U << 9)) &&
           !(r[1] >> 24), "cpuid 1: HYPERVISOR set, VMX, APIC, APIC ID clear");
    /* The prefix before anything but CPUID is a #UD. */
    expect(TRY(FEP "nop", 0, 0, 0) == 6, "FEP nop: no #UD");

    /* Control registers. */
    uint64_t cr0, cr3, cr4;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    expect(cr3 == xen_pfn_to_cr3(virt_to_mfn((void *)start_info->pt_base)),
           "mov from cr3: not the kernel L4");
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    expect((cr4 & (1UL << 9)) && !(cr4 & (1UL << 3)), "cr4: OSFXSR shown, DE clear");
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | (1UL << 3)));
    uint64_t cr4b;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4b));
    expect(cr4b == (cr4 | (1UL << 3)), "cr4.DE does not stick");
    expect(TRY("mov %%dr4, %%rax", 0, 0, 0) == 6,
           "mov from dr4 with CR4.DE: no #UD");
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
    uint64_t dr;
    __asm__ volatile("mov %%dr4, %0" : "=r"(dr));
    expect(dr == 0xffff0ff0, "dr4 aliases dr6 (default) without CR4.DE");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    expect(TRY("mov %%rax, %%cr0", cr0 ^ (1UL << 16), 0, 0) == 13 &&
           guest_last_error == 0, "changing CR0.WP: no #GP(0)");
    /* CR0.TS: the next FPU instruction raises #NM, TS clear afterwards. */
    guest_fault_count = 0;
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 | 8));
    expect(TRY("fnop", 0, 0, 0) == 7, "CR0.TS set: fnop without #NM");
    expect(TRY("fnop", 0, 0, 0) == -1, "after #NM, TS still set");
    uint64_t a = 0x1234;
    __asm__ volatile("mov %0, %%cr2" :: "r"(a));
    __asm__ volatile("mov %%cr2, %0" : "=r"(dr));
    expect(dr == a, "cr2 write/read");

    /* Debug registers (set_debugreg's rules). */
    expect(TRY("mov %%rax, %%dr0", 0xffff830000000000UL, 0, 0) == 13,
           "dr0 = hv address: no #GP");
    __asm__ volatile("mov %0, %%dr0" :: "r"((unsigned long)&a));
    __asm__ volatile("mov %%dr0, %0" : "=r"(dr));
    expect(dr == (unsigned long)&a, "dr0 does not read back");
    expect(TRY("mov %%rax, %%dr7", 1UL << 13, 0, 0) == 13,
           "dr7.GD: no #GP");
    __asm__ volatile("mov %%dr7, %0" : "=r"(dr));
    expect(dr == 0x400, "dr7 default");

    /* MSRs. */
    uint64_t efer = rdmsr_e(0xc0000080);
    expect((efer & 0x501) == 0x501 && !(efer & (1UL << 12)),
           "EFER: SCE, LME, LMA set, SVME hidden");
    expect(TRY("wrmsr", (uint32_t)efer, 0xc0000080, efer >> 32) == -1, "wrmsr EFER unchanged: faulted");
    expect(TRY("wrmsr", (uint32_t)efer & ~1U, 0xc0000080, 0) == 13, "wrmsr EFER changed: no #GP");
    expect(TRY("rdmsr", 0, 0x12345678, 0) == 13,
           "rdmsr of an unknown MSR: no #GP");
    expect(rdmsr_e(0x277) == 0x0000050100070406UL, "PAT is not Xen's");
    /* Xen's vMCE: two banks, MCG_STATUS kept, bank status only 0. */
    expect((rdmsr_e(0x179) & 0xff) == 2, "MCG_CAP: not Xen's 2 guest banks");
    expect(TRY("wrmsr", 4, 0x17a, 0) == -1 && rdmsr_e(0x17a) == 4, "MCG_STATUS not kept");
    expect(TRY("wrmsr", 0, 0x17a, 0) == -1, "MCG_STATUS back to 0");
    expect(rdmsr_e(0x400) == ~0UL && rdmsr_e(0x401) == 0 && rdmsr_e(0x405) == 0,
           "MC0_CTL all ones, MC0/MC1_STATUS 0");
    expect(TRY("wrmsr", 0, 0x401, 0) == -1 && TRY("wrmsr", 1, 0x401, 0) == 13,
           "MC0_STATUS: 0 written, nonzero #GP");
    expect(TRY("rdmsr", 0, 0x409, 0) == -1, "bank 2 (past the guest's two): not read as 0");
    expect(TRY("rdmsr", 0, 0x4d0, 0) == 13, "MCG_EXT_CTL (no LMCE): no #GP");

    /* Software interrupts through the trap table. */
    unsigned int before = swint_count;
    __asm__ volatile("int $0x80" ::: "rcx", "r11", "memory");
    expect(swint_count == before + 1, "int $0x80 did not reach its handler");
    expect(TRY("int $0x81", 0, 0, 0) == 13 &&
           guest_last_error == ((0x81 << 3) | 2), "int $0x81 (DPL 0): not #GP(0x40a)");

    /* Returning to just past the lower canonical boundary: #GP(0), as
     * Xen's instruction fetch has it (XSA-7), not a page fault. */
    guest_fault_count = 0;
    __asm__ volatile("lea 1f(%%rip), %%r11; mov %%r11, guest_fault_resume(%%rip);"
                     "mov %%rsp, %%rax; push $0xe02b; push %%rax; pushfq; andq $~0x200, (%%rsp); push $0xe030;"
                     "movabs $0x800000000000, %%r11; push %%r11; push $0;"
                     "jmp hypercall_page + 23 * 32\n"
                     "1: movq $0, guest_fault_resume(%%rip)"
                     ::: "rax", "rcx", "r11", "memory");
    expect(guest_fault_count == 1 && guest_last_vector == 13 && guest_last_error == 0,
           "iret to a non-canonical rip: not #GP(0)");

    /* I/O: refused without IOPL; the lab's exit port is never the guest's. */
    expect(TRY("inb $0x80, %%al", 0, 0, 0) == 13, "inb without IOPL");
    uint32_t iopl = 1;
    rc = HC(__HYPERVISOR_physdev_op, 6, &iopl, 0, 0, 0);
    expect(rc == 0, "PHYSDEVOP_set_iopl");
    expect(TRY("inb $0x80, %%al", 0, 0, 0) == -1, "inb with IOPL 1");
    __asm__ volatile("outb %%al, $0xf4" :: "a"(0x10));        /* dropped */
    /* rep insb of 3000 bytes: done in slices, the guest re-executing the
     * instruction, as Xen's emulator retries; every byte arrives. */
    static uint8_t inbuf[4096];
    unsigned long cnt = 3000, dst = (unsigned long)inbuf;
    __asm__ volatile("mov $0x80, %%dx; rep insb" : "+c"(cnt), "+D"(dst) :: "rdx", "memory");
    expect(cnt == 0 && dst == (unsigned long)inbuf + 3000, "rep insb of 3000 bytes");
    /* The RTC as Xen's rtc_guest_read/write: the index latched per
     * domain, the data port the CMOS register for dom0 (NVRAM 0x50 here,
     * written and read back; emul runs as dom0). */
    uint8_t b;
    __asm__ volatile("outb %%al, $0x70" :: "a"(0x50));
    __asm__ volatile("inb $0x70, %%al" : "=a"(b));
    expect(b == 0x50, "RTC index not latched");
    __asm__ volatile("outb %%al, $0x71" :: "a"(0x5a));
    __asm__ volatile("outb %%al, $0x70; inb $0x71, %%al" : "=a"(b) : "a"(0x50));
    expect(b == 0x5a, "CMOS byte 0x50 not written and read back through the RTC ports");
    uint16_t w;
    __asm__ volatile("inw $0x70, %%ax" : "=a"(w));
    expect(w == 0x5a50, "inw of the RTC ports: not index 0x50, data 0x5a");
    iopl = 0;
    HC(__HYPERVISOR_physdev_op, 6, &iopl, 0, 0, 0);

    /* Callbacks and stack_switch as Xen takes them. */
    struct callback_register cb = { .type = 7, .address = (unsigned long)swint_entry };
    expect(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0, "syscall32 callback");
    cb.type = 5;
    expect(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0, "sysenter callback");
    cb.type = 99;
    expect(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == -XEN_ENOSYS,
           "unknown callback type: not -ENOSYS");
    struct callback_unregister ucb = { .type = CALLBACKTYPE_event };
    expect(HYPERVISOR_callback_op(CALLBACKOP_unregister, &ucb) == -XEN_EINVAL,
           "unregistering the event callback: not -EINVAL");
}

/* System time as a PV clocksource computes it from vcpu_time_info. */
uint64_t system_time_ns(void)
{
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t ver;
    uint64_t ns;
    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        uint64_t delta = rdtsc_fenced() - t->tsc_timestamp;
        if (t->tsc_shift < 0)
            delta >>= -t->tsc_shift;
        else
            delta <<= t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ((ver & 1) || ver != t->version);
    return ns;
}

static long vcpu_op(int cmd, void *arg)
{
    return HYPERVISOR_vcpu_op(cmd, 0, arg);
}

/* Block (events enabled, as SCHEDOP_block does) until VIRQ_TIMER's port
 * is pending; the callback returns with events masked. */
static void wait_port(unsigned int port)
{
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    unsigned long bit = 1UL << (port % 64);
    for (unsigned int i = 0; i < 1000; i++) {
        vi->evtchn_upcall_pending = 0;
        vi->evtchn_pending_sel = 0;
        if (__atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~bit,
                               __ATOMIC_SEQ_CST) & bit)
            return;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    guest_panic("timer event never came");
}

/* vcpu_time_info, the single-shot and periodic timers, SCHEDOP_poll. */
static void check_timers(void)
{
    volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    expect(!(t->version & 1) && t->version && t->tsc_to_system_mul &&
           (t->pad1[0] & 1), "vcpu_time_info: not valid and TSC-stable");
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv) == 0, "bind_virq VIRQ_TIMER");

    uint64_t t0 = system_time_ns();
    unsigned int before = upcall_count;
    expect(HC(__HYPERVISOR_set_timer_op, t0 + 200000, 0, 0, 0, 0) == 0, "set_timer_op");
    wait_port(bv.port);
    uint64_t t1 = system_time_ns();
    expect(t1 >= t0 + 200000, "the single-shot timer fired early");
    expect(upcall_count > before, "no upcall for VIRQ_TIMER");

    struct vcpu_set_periodic_timer pt = { .period_ns = 500000 };
    expect(vcpu_op(VCPUOP_set_periodic_timer, &pt) == -XEN_EINVAL,
           "a period under 1 ms: not -EINVAL");
    pt.period_ns = 1000000;
    expect(vcpu_op(VCPUOP_set_periodic_timer, &pt) == 0, "set_periodic_timer");
    wait_port(bv.port);
    wait_port(bv.port);
    uint64_t t2 = system_time_ns();
    expect(t2 >= t1 + 2000000, "two periods took less than 2 ms");
    expect(vcpu_op(VCPUOP_stop_periodic_timer, NULL) == 0, "stop_periodic_timer");

    struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = 1 };
    expect(vcpu_op(VCPUOP_set_singleshot_timer, &st) == 0, "singleshot in the past");
    expect(shared_info->evtchn_pending[bv.port / 64] & (1UL << (bv.port % 64)),
           "a past single-shot deadline: no event at once");
    shared_info->evtchn_pending[bv.port / 64] &= ~(1UL << (bv.port % 64));

    /* Poll on the timer port: nothing pending, so the timeout ends it. */
    evtchn_port_t ports[1] = { bv.port };
    struct sched_poll sp = { .ports = (unsigned long)ports, .nr_ports = 1,
                             .timeout = system_time_ns() + 300000 };
    uint64_t t3 = system_time_ns();
    expect(HYPERVISOR_sched_op(SCHEDOP_poll, &sp) == 0, "poll");
    expect(system_time_ns() >= t3 + 300000, "poll returned before its timeout");
    sp.nr_ports = 129;
    expect(HYPERVISOR_sched_op(SCHEDOP_poll, &sp) == -XEN_EINVAL, "poll of 129 ports");
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    struct evtchn_close cl = { .port = bv.port };
    expect(evtchn_op(EVTCHNOP_close, &cl) == 0, "close VIRQ_TIMER");
}

/* The FIFO ABI, last: a domain cannot go back to 2-level.  XSA-188's
 * shape first (a failed first init_control leaves nothing behind). */
static void check_fifo(void)
{
    uint32_t *cbp = page_alloc(), *array = page_alloc();
    struct evtchn_init_control ic = { .control_gfn = (uint64_t)-2, .offset = 0, .vcpu = 0 };
    expect(evtchn_op(EVTCHNOP_init_control, &ic) == -XEN_EINVAL, "init_control, bad gfn");
    struct evtchn_expand_array ea = { .array_gfn = virt_to_mfn(array) };
    expect(evtchn_op(EVTCHNOP_expand_array, &ea) == -XEN_EOPNOTSUPP,
           "expand_array before init_control: not -EOPNOTSUPP");
    ic.control_gfn = virt_to_mfn(cbp);
    ic.offset = 4;
    expect(evtchn_op(EVTCHNOP_init_control, &ic) == -XEN_EINVAL, "init_control, offset 4");
    ic.offset = 0, ic.vcpu = 5;
    expect(evtchn_op(EVTCHNOP_init_control, &ic) == -XEN_ENOENT, "init_control, vcpu 5");
    ic.vcpu = 0;
    expect(evtchn_op(EVTCHNOP_init_control, &ic) == 0 && ic.link_bits == 17, "init_control");
    expect(evtchn_op(EVTCHNOP_init_control, &ic) == -XEN_EINVAL, "init_control twice");
    expect(evtchn_op(EVTCHNOP_expand_array, &ea) == 0, "expand_array");

    volatile uint32_t *ready = cbp, *head = cbp + 2;
    volatile uint32_t *w = array;
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    expect(evtchn_op(EVTCHNOP_alloc_unbound, &au) == 0, "alloc_unbound");
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = au.port };
    vi->evtchn_upcall_pending = 0;
    expect(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == 0, "bind_interdomain");
    unsigned int lp = bi.local_port, rp = au.port;
    /* The bind's pending local port is linked on queue 7 (the default). */
    expect((w[lp] & (3U << 29 | 1U << 31)) == (1U << 31 | 1U << 29) && (*ready & (1U << 7)) &&
           head[7] == lp && vi->evtchn_upcall_pending,
           "FIFO: the bound port not linked at the head of queue 7");
    *ready = 0, head[7] = 0, w[lp] = 0, vi->evtchn_upcall_pending = 0;
    /* Masked: pending but not linked; unmask links it. */
    w[rp] |= 1U << 30;
    struct evtchn_send sd = { .port = lp };
    expect(evtchn_op(EVTCHNOP_send, &sd) == 0, "send");
    expect((w[rp] & (1U << 31)) && !(w[rp] & (1U << 29)) && !*ready,
           "FIFO: a masked event was linked");
    struct evtchn_unmask um = { .port = rp };
    expect(evtchn_op(EVTCHNOP_unmask, &um) == 0 && (w[rp] & (1U << 29)) &&
           !(w[rp] & (1U << 30)) && head[7] == rp && (*ready & (1U << 7)),
           "FIFO: unmask did not link the pending event");
    *ready = 0, head[7] = 0, w[rp] = 0, vi->evtchn_upcall_pending = 0;
    struct evtchn_set_priority pr = { .port = rp, .priority = 16 };
    expect(evtchn_op(EVTCHNOP_set_priority, &pr) == -XEN_EINVAL, "priority 16");
    pr.priority = 3;
    expect(evtchn_op(EVTCHNOP_set_priority, &pr) == 0, "set_priority 3");
    expect(evtchn_op(EVTCHNOP_send, &sd) == 0 && head[3] == rp && (*ready & (1U << 3)),
           "FIFO: priority 3 not queued on queue 3");
    vi->evtchn_upcall_pending = 0;
    /* The hv's references on the control block and array frames are
     * what its MMU audit expects. */
    expect(HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0) == 0,
           "the MMU audit finds violations with the FIFO frames in use");
}

static uint64_t op_fep_cpuid(void *ctx, unsigned long n)
{
    uint32_t r[4];
    return TIMED_LOOP(n, fep_cpuid(0x40000000, 0, r));
}

BENCH_FN(op_rdmsr, rdmsr_e(0xc0000080))

static uint64_t op_cr0(void *ctx, unsigned long n)
{
    uint64_t v;
    return TIMED_LOOP(n, __asm__ volatile("mov %%cr0, %0" : "=r"(v)));
}

/* One send to the peer port, its upcall, and the acknowledgement. */
static uint64_t op_upcall(void *ctx, unsigned long n)
{
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    struct evtchn_send sd = { .port = bound_pair[0] };
    unsigned int p = bound_pair[1];
    uint64_t t = TIMED_LOOP(n,
        vi->evtchn_upcall_mask = 0;
        evtchn_op(EVTCHNOP_send, &sd);      /* the upcall comes on the way back */
        shared_info->evtchn_pending[p / 64] &= ~(1UL << (p % 64));
        vi->evtchn_pending_sel = 0;
        vi->evtchn_upcall_pending = 0);
    if (vi->evtchn_upcall_mask != 1)
        guest_panic("upcall op: events not masked after the callback");
    return t;
}

BENCH_FN(op_int_n, __asm__ volatile("int $0x80" ::: "rcx", "r11", "memory"))

void workload_main(void)
{
    static const struct trap_info traps[] = {
        { 6, 0, FLAT_KERNEL_CS, (unsigned long)trap_6 },
        { 7, 0, FLAT_KERNEL_CS, (unsigned long)trap_7 },
        { 13, 0, FLAT_KERNEL_CS, (unsigned long)trap_13 },
        { 0x80, 3, FLAT_KERNEL_CS, (unsigned long)swint_entry },
        { 0x81, 0, FLAT_KERNEL_CS, (unsigned long)swint_entry },
        { 0, 0, 0, 0 },
    };
    if (HYPERVISOR_set_trap_table(traps))
        guest_panic("set_trap_table failed");
    check_behaviour();
    check_events();
    check_timers();
    bench_op("fep_cpuid", op_fep_cpuid, NULL, 1);
    bench_op("rdmsr_emul", op_rdmsr, NULL, 1);
    bench_op("mov_cr0_read", op_cr0, NULL, 1);
    bench_op("int_n", op_int_n, NULL, 1);
    bench_op("upcall", op_upcall, NULL, 1);
    check_fifo();
    check_evtchn_reset();
    check_vcpu_info();
    check_insns();
    check_vcpu_ops();
    vcpu_down_last();
}
