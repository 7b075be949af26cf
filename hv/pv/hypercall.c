/* SYSCALL from a PV guest: from guest kernel mode it is a hypercall
 * (number in %rax, arguments in %rdi %rsi %rdx %r10 %r8, result in
 * %rax); from guest user mode it is bounced to the guest kernel.  The
 * dispatch (shared with multicall), the -ENOSYS log, and the small
 * set_segment_base. */
#include "console.h"
#include "domain.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "mm_audit.h"
#include "pvmm.h"
#include "public/asilab.h"
#include "public/version.h"
#include "traps.h"
#include "x86.h"

static long asilab_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                      unsigned long a4, unsigned long a5)
{
    return do_asilab_op(cmd, arg);
}

/* The hostile workload's random mode: check every invariant after each
 * of the domain's hypercalls (ASILAB_OP_audit). */
static void __attribute__((noinline)) audit_after_hypercall(struct domain *d)
{
    unsigned int n = audit_domain(d);
    d->audits++;
    d->audits_failed += n != 0;
    d->audit_violations += n;
}

/* Hypercalls that change page types run under the domain's mm_lock (as
 * does the audit after them). */
#define MM_HYPERCALLS ((1UL << __HYPERVISOR_mmu_update) |                  \
                       (1UL << __HYPERVISOR_set_gdt) |                     \
                       (1UL << __HYPERVISOR_update_descriptor) |           \
                       (1UL << __HYPERVISOR_update_va_mapping) |           \
                       (1UL << __HYPERVISOR_vcpu_op) |                     \
                       (1UL << __HYPERVISOR_mmuext_op) |                   \
                       (1UL << __HYPERVISOR_asilab_op))
BUILD_BUG_ON(NR_HYPERCALLS > 64);

static hypercall_fn_t *const hypercall_table[NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table]   = do_set_trap_table,
    [__HYPERVISOR_mmu_update]       = do_mmu_update,
    [__HYPERVISOR_set_gdt]          = do_set_gdt,
    [__HYPERVISOR_update_descriptor] = do_update_descriptor,
    [__HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [__HYPERVISOR_stack_switch]     = do_stack_switch,
    [__HYPERVISOR_set_callbacks]    = do_set_callbacks,
    [__HYPERVISOR_xen_version]      = do_xen_version,
    [__HYPERVISOR_multicall]        = do_multicall,
    [__HYPERVISOR_console_io]       = do_console_io,
    [__HYPERVISOR_vcpu_op]          = do_vcpu_op,
    [__HYPERVISOR_set_segment_base] = do_set_segment_base,
    [__HYPERVISOR_mmuext_op]        = do_mmuext_op,
    [__HYPERVISOR_sched_op]         = do_sched_op,
    [__HYPERVISOR_callback_op]      = do_callback_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_asilab_op]        = asilab_op,
};

/* An unsupported hypercall or sub-op: the caller returns -ENOSYS and the
 * hv says so once per (family, number), whoever asks. */
void log_unsupported_once(unsigned long seen[2], const char *what, unsigned long nr)
{
    unsigned int bit = nr < 127 ? nr : 127;
    unsigned long m = 1UL << (bit % 64);
    if (__atomic_fetch_or(&seen[bit / 64], m, __ATOMIC_RELAXED) & m)
        return;
    printk("hv: d%u: unsupported %s %lu%s: -ENOSYS\n", current->domain->domain_id,
           what, nr, bit == 127 ? " (and every number above 126)" : "");
}

long pv_hypercall(unsigned long nr, const unsigned long a[5])
{
    static unsigned long unsupported[2];
    long rc;

    if (nr >= NR_HYPERCALLS || !hypercall_table[nr]) {
        log_unsupported_once(unsupported, "hypercall", nr);
        return -XEN_ENOSYS;
    }
    if (!((MM_HYPERCALLS >> nr) & 1))
        return hypercall_table[nr](a[0], a[1], a[2], a[3], a[4]);
    struct domain *d = current->domain;
    mm_lock(d);
    rc = hypercall_table[nr](a[0], a[1], a[2], a[3], a[4]);
    if (unlikely(d->audit))
        audit_after_hypercall(d);
    mm_unlock(d);
    return rc;
}

void do_syscall(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    if (!guest_kernel_mode(v)) {
        pv_bounce_syscall(regs);
        return;
    }
    unsigned long nr = regs->rax;
    if (nr == __HYPERVISOR_iret) {
        do_iret(regs);
        return;
    }
    const unsigned long args[5] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8 };
    regs->rax = pv_hypercall(nr, args);
}

long do_xen_version(unsigned long cmd, unsigned long arg, unsigned long a3,
                    unsigned long a4, unsigned long a5)
{
    switch (cmd) {
    case XENVER_version:
        return (4 << 16) | 19;          /* the Xen ABI level we follow */
    case XENVER_extraversion: {
        xen_extraversion_t ev = "-asilab";
        return copy_to_guest(arg, ev, sizeof(ev));
    }
    case XENVER_capabilities: {
        static const char caps[] = "xen-3.0-x86_64";
        return copy_to_guest(arg, caps, sizeof(caps));
    }
    case XENVER_get_features: {
        /* struct xen_feature_info { unsigned int submap_idx; uint32_t submap; } */
        uint32_t fi[2];
        if (copy_from_guest(fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        fi[1] = 0;                          /* no optional features */
        return copy_to_guest(arg, fi, sizeof(fi));
    }
    default:
        return -XEN_ENOSYS;
    }
}

long do_set_segment_base(unsigned long which, unsigned long base,
                         unsigned long a3, unsigned long a4, unsigned long a5)
{
    if (!is_canonical(base))
        return -XEN_EINVAL;
    switch (which) {
    case SEGBASE_FS:
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        wrmsr(MSR_SHADOW_GS_BASE, base);     /* we are in kernel mode */
        return 0;
    case SEGBASE_GS_KERNEL:
        wrmsr(MSR_GS_BASE, base);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}
