/* Guest runtime: entry from the hv, console printf, exit, command-line
 * arguments, guest user mode, secondary vCPUs and trap tables.
 * On a real Xen (no lab hypercall: ASILAB_OP_get_info is -ENOSYS) the
 * run info comes from Xen and from the runner's lab_variant=/lab_mode=
 * arguments, and the guest itself ends the run with the end record the
 * asilab hv would write (see lab_xen_info). */
#include "guest.h"

struct start_info *start_info;
struct asilab_info lab_info;
bool lab_on_xen;
static unsigned long lab_records;       /* tagged lines written (on Xen) */
static bool lab_at_bol = true;
extern char syscall_callback[];
extern char trap_0[], trap_1[], trap_6[], trap_13[], trap_14[];
extern char guest_event_callback[];
static char kernel_stack[16384] __aligned(16);

void guest_start(struct start_info *si);

/* Every console write: on Xen the tagged lines are counted here, for the
 * end record (the asilab hv counts what it forwards itself). */
void console_write(const char *buf, int n)
{
    static const char tag[] = "@asilab ";
    for (int i = 0; lab_on_xen && i < n; i++) {
        if (lab_at_bol && n - i >= (int)sizeof(tag) - 1 &&
            !memcmp(buf + i, tag, sizeof(tag) - 1))
            lab_records++;
        lab_at_bol = buf[i] == '\n';
    }
    HYPERVISOR_console_io(CONSOLEIO_write, n, buf);
}

void printf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(buf, MIN(n, (int)sizeof(buf) - 1));
}

void guest_exit(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };
    /* On Xen the run ends here: the end record, as the asilab hv's, with
     * the count of tagged lines written before it. */
    static bool ended;
    if (lab_on_xen && !ended) {
        ended = true;
        printf("%s@asilab {\"type\":\"end\",\"status\":\"%s\",\"records\":%lu,"
               "\"hv\":\"xen\"}\n", lab_at_bol ? "" : "\n",
               reason == SHUTDOWN_poweroff ? "pass" : "fail", lab_records);
    }
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

void guest_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("%s: FAIL: %s\n", workload_name, buf);
    guest_exit(SHUTDOWN_crash);
}

void guest_unexpected_trap(void);
void guest_unexpected_trap(void)
{
    guest_panic("unexpected exception %u (error %#lx)", guest_last_vector,
                guest_last_error);
}

bool arg_get(const char *key, char *val, size_t n)
{
    return cmdline_get((const char *)start_info->cmd_line, key, val, n);
}

/* Xen's builder: pfn = (va - VIRT_BASE) >> PAGE_SHIFT. */
unsigned long virt_to_mfn(const void *va)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    return p2m[((unsigned long)va - GUEST_VIRT_BASE) >> PAGE_SHIFT];
}

void guest_user_init(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall, .flags = CALLBACKF_mask_events,
        .address = (unsigned long)syscall_callback,
    };
    struct mmuext_op op = {
        .cmd = MMUEXT_NEW_USER_BASEPTR,
        .arg1.mfn = virt_to_mfn((void *)start_info->pt_base),
    };
    if (HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)(kernel_stack + sizeof(kernel_stack))))
        guest_panic("stack_switch failed");
    if (HYPERVISOR_callback_op(CALLBACKOP_register, &cb))
        guest_panic("registering the syscall callback failed");
    if (HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
        guest_panic("NEW_USER_BASEPTR failed");
}

void guest_trap_init(void)
{
    static const struct trap_info traps[] = {
        { 0, 0, FLAT_KERNEL_CS, (unsigned long)trap_0 },
        { 1, 0, FLAT_KERNEL_CS, (unsigned long)trap_1 },
        { 6, 0, FLAT_KERNEL_CS, (unsigned long)trap_6 },
        { 13, 0, FLAT_KERNEL_CS, (unsigned long)trap_13 },
        { 14, 0, FLAT_KERNEL_CS, (unsigned long)trap_14 },
        { 0, 0, 0, 0 },
    };
    if (HYPERVISOR_set_trap_table(traps))
        guest_panic("set_trap_table failed");
}

int vcpu_start(unsigned int id, void (*fn)(void), void *stack_top)
{
    static struct vcpu_guest_context ctxt;
    memset(&ctxt, 0, sizeof(ctxt));
    ctxt.flags = VGCF_in_kernel;
    ctxt.user_regs.rip = (unsigned long)fn;
    ctxt.user_regs.rsp = (unsigned long)stack_top;
    ctxt.user_regs.rflags = 0x202;
    /* Xen takes the selectors as given (only their RPL raised to 3): a
     * null CS would fault the vCPU's first return to the guest. */
    ctxt.user_regs.cs = FLAT_KERNEL_CS;
    ctxt.user_regs.ss = FLAT_KERNEL_SS;
    ctxt.event_callback_eip = (unsigned long)guest_event_callback;
    ctxt.ctrlreg[3] = xen_pfn_to_cr3(virt_to_mfn((void *)start_info->pt_base));
    ctxt.kernel_ss = FLAT_KERNEL_SS;
    ctxt.kernel_sp = (unsigned long)stack_top;
    long rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, id, &ctxt);
    if (!rc)
        rc = HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
    return rc;
}

/* Every key=value on the command line must be known: the hv's (domain
 * layout), the harness's, or the workload's own; anything else is a
 * mistake that must not turn into a wrong measurement. */
static void check_args(void)
{
    static const char *const common[] = { "domains", "vcpus", "mem", "pcpu", "spread",
                                          "samples", "lab_variant", "lab_mode", NULL };
    const char *p = (const char *)start_info->cmd_line;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p, *eq = NULL;
        while (*p && *p != ' ') {
            if (*p == '=' && !eq)
                eq = p;
            p++;
        }
        if (w == p)
            break;
        size_t len = (eq ? eq : p) - w;
        bool ok = false;
        for (const char *const *k = common; *k && !ok; k++)
            ok = strlen(*k) == len && !strncmp(*k, w, len);
        for (const char *const *k = workload_args; *k && !ok; k++)
            ok = strlen(*k) == len && !strncmp(*k, w, len);
        if (!ok || !eq) {
            char known[256] = "";
            size_t n = 0;
            for (const char *const *k = common; *k; k++)
                n += snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", *k);
            for (const char *const *k = workload_args; *k; k++)
                n += snprintf(known + n, sizeof(known) - n, ", %s", *k);
            guest_panic("unknown or malformed argument '%.*s' (key=value, keys: %s)",
                        (int)(p - w), w, known);
        }
    }
}

/* XEN_SYSCTL_physinfo (interface 0x15, Xen 4.17): online pCPUs, cpu_khz. */
static long xen_physinfo(uint32_t *nr_cpus, uint32_t *cpu_khz)
{
    struct {
        uint32_t cmd, interface_version;
        union {
            struct { uint32_t threads_per_core, cores_per_socket, nr_cpus, max_cpu_id,
                     nr_nodes, max_node_id, cpu_khz; } physinfo;
            uint8_t pad[128];
        } u;
    } sc = { .cmd = 3, .interface_version = 0x15 };
    long rc = HC(__HYPERVISOR_sysctl, &sc, 0, 0, 0, 0);
    if (!rc) {
        *nr_cpus = sc.u.physinfo.nr_cpus;
        *cpu_khz = sc.u.physinfo.cpu_khz;
    }
    return rc;
}

/* The pCPU the calling vCPU (number vcpu) runs on: the lab hypercall's
 * answer, or on Xen XEN_DOMCTL_getvcpuinfo's (interface 0x15, Xen 4.17:
 * dom0 may ask about itself). */
unsigned int lab_this_pcpu(unsigned int vcpu)
{
    if (!lab_on_xen) {
        struct asilab_info info;
        if (HYPERVISOR_asilab_op(ASILAB_OP_get_info, &info))
            guest_panic("ASILAB_OP_get_info failed");
        return info.pcpu;
    }
    struct {
        uint32_t cmd, interface_version;
        uint16_t domain, pad[3];
        union {
            struct { uint32_t vcpu; uint8_t online, blocked, running;
                     uint64_t cpu_time; uint32_t cpu; } getvcpuinfo;
            uint8_t pad[128];
        } u;
    } dc = { .cmd = 14, .interface_version = 0x15, .domain = 0, .u.getvcpuinfo.vcpu = vcpu };
    long rc = HC(__HYPERVISOR_domctl, &dc, 0, 0, 0, 0);
    if (rc)
        guest_panic("XEN_DOMCTL_getvcpuinfo failed: %ld", rc);
    return dc.u.getvcpuinfo.cpu;
}

/* CPUID 0x80000007 EDX bit 8, as the hv's counters.c reads it. */
static uint32_t cpuid_tsc_invariant(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000U), "c"(0));
    if (a < 0x80000007U)
        return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007U), "c"(0));
    return (d >> 8) & 1;
}

/* Running on a real Xen: what the asilab hv's get_info would say, from
 * Xen (dom0 by SIF_INITDOMAIN, the pCPU count and cpu_khz by sysctl) and
 * the runner's arguments (the variant's name, the mode).  The runner pins
 * dom0's vCPUs (dom0_vcpus_pin): vCPU n runs on pCPU n.  Events only
 * where Xen has perf counters (xen_perfc.c). */
void lab_xen_info(void)
{
    char v[sizeof(lab_info.variant)], m[16];
    lab_on_xen = true;
    memset(&lab_info, 0, sizeof(lab_info));
    if (!arg_get("lab_variant", v, sizeof(v)))
        guest_panic("no lab hypercall (not the asilab hv) and no lab_variant= argument");
    memcpy(lab_info.variant, v, sizeof(v));
    lab_info.mode = arg_get("lab_mode", m, sizeof(m)) && !strcmp(m, "timing")
                        ? ASILAB_MODE_TIMING : ASILAB_MODE_DETERMINISTIC;
    if (!(start_info->flags & SIF_INITDOMAIN))
        guest_panic("on Xen the workloads run as dom0 (SIF_INITDOMAIN not set)");
    uint32_t ncpu = 1, khz = 0;
    if (xen_physinfo(&ncpu, &khz) == 0) {
        lab_info.nr_pcpus = ncpu;
        lab_info.tsc_khz = khz;
    } else {
        lab_info.nr_pcpus = 1;
    }
    lab_info.tsc_invariant = cpuid_tsc_invariant();
    lab_info.pcpu = lab_this_pcpu(0);
    xen_perfc_init();
}

void guest_start(struct start_info *si)
{
    start_info = si;
    check_args();
    long rc = HYPERVISOR_asilab_op(ASILAB_OP_get_info, &lab_info);
    if (rc == -XEN_ENOSYS)
        lab_xen_info();
    else if (rc)
        guest_panic("ASILAB_OP_get_info failed: %ld", rc);
    /* SCHEDOP_block enables event delivery (as on Xen): an upcall then
     * arrives on the way back, and must find a callback. */
    struct callback_register cb = { .type = CALLBACKTYPE_event,
                                    .address = (unsigned long)guest_event_callback };
    if (HYPERVISOR_callback_op(CALLBACKOP_register, &cb))
        guest_panic("registering the event callback failed");
    workload_main();
    guest_exit(SHUTDOWN_poweroff);
}
