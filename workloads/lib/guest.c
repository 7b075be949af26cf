/* Guest runtime: entry from the hv, console printf, exit, command-line
 * arguments, guest user mode, secondary vCPUs and trap tables. */
#include "guest.h"

struct start_info *start_info;
struct asilab_info lab_info;
extern char syscall_callback[];
extern char trap_0[], trap_1[], trap_6[], trap_13[], trap_14[];
extern char guest_event_callback[];
static char kernel_stack[16384] __aligned(16);

void guest_start(struct start_info *si);

void printf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    HYPERVISOR_console_io(CONSOLEIO_write, MIN(n, (int)sizeof(buf) - 1), buf);
}

void guest_exit(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };
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
                                          "samples", NULL };
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

void guest_start(struct start_info *si)
{
    start_info = si;
    check_args();
    if (HYPERVISOR_asilab_op(ASILAB_OP_get_info, &lab_info))
        guest_panic("ASILAB_OP_get_info failed");
    /* SCHEDOP_block enables event delivery (as on Xen): an upcall then
     * arrives on the way back, and must find a callback. */
    struct callback_register cb = { .type = CALLBACKTYPE_event,
                                    .address = (unsigned long)guest_event_callback };
    if (HYPERVISOR_callback_op(CALLBACKOP_register, &cb))
        guest_panic("registering the event callback failed");
    workload_main();
    guest_exit(SHUTDOWN_poweroff);
}
