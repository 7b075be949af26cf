/* SYSCALL from a PV guest: from guest kernel mode it is a hypercall
 * (number in %rax, arguments in %rdi %rsi %rdx %r10 %r8, result in
 * %rax); from guest user mode it is bounced to the guest kernel.  The
 * dispatch (shared with multicall), the -ENOSYS log, and the small
 * set_segment_base. */
#include "console.h"
#include "domain.h"
#include "grant_table.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "mm_audit.h"
#include "pvmm.h"
#include "public/asilab.h"
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
                       (1UL << __HYPERVISOR_update_va_mapping_otherdomain) | \
                       (1UL << __HYPERVISOR_vcpu_op) |                     \
                       (1UL << __HYPERVISOR_mmuext_op) |                   \
                       (1UL << __HYPERVISOR_grant_table_op) |              \
                       (1UL << __HYPERVISOR_asilab_op))
BUILD_BUG_ON(NR_HYPERCALLS > 64);

static hypercall_fn_t *const hypercall_table[NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table]   = do_set_trap_table,
    [__HYPERVISOR_mmu_update]       = do_mmu_update,
    [__HYPERVISOR_set_gdt]          = do_set_gdt,
    [__HYPERVISOR_update_descriptor] = do_update_descriptor,
    [__HYPERVISOR_memory_op]        = do_memory_op,
    [__HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [__HYPERVISOR_stack_switch]     = do_stack_switch,
    [__HYPERVISOR_set_callbacks]    = do_set_callbacks,
    [__HYPERVISOR_fpu_taskswitch]   = do_fpu_taskswitch,
    [__HYPERVISOR_set_debugreg]     = do_set_debugreg,
    [__HYPERVISOR_get_debugreg]     = do_get_debugreg,
    [__HYPERVISOR_set_timer_op]     = do_set_timer_op,
    [__HYPERVISOR_xen_version]      = do_xen_version,
    [__HYPERVISOR_multicall]        = do_multicall,
    [__HYPERVISOR_console_io]       = do_console_io,
    [__HYPERVISOR_grant_table_op]   = do_grant_table_op,
    [__HYPERVISOR_vm_assist]        = do_vm_assist,
    [__HYPERVISOR_update_va_mapping_otherdomain] = do_update_va_mapping_otherdomain,
    [__HYPERVISOR_vcpu_op]          = do_vcpu_op,
    [__HYPERVISOR_set_segment_base] = do_set_segment_base,
    [__HYPERVISOR_mmuext_op]        = do_mmuext_op,
    [__HYPERVISOR_sched_op]         = do_sched_op,
    [__HYPERVISOR_callback_op]      = do_callback_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_physdev_op]       = do_physdev_op,
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
    printk("hv: d%u: unsupported %s %lu: -ENOSYS%s\n", current->domain->domain_id,
           what, nr, bit == 127 ? " (not logged again for any number above 126)" : "");
}

/* The slower paths of a hypercall, shared by SYSCALL and multicall. */
static long __attribute__((noinline)) no_such_hypercall(unsigned long nr)
{
    static unsigned long unsupported[2];
    log_unsupported_once(unsupported, "hypercall", nr);
    return -XEN_ENOSYS;
}

/* An MM hypercall under the domain's mm_lock, with the audit after it.
 * A macro so that the arguments are read after the lock is taken (as
 * the SYSCALL path always did: nothing held in registers across it). */
#define MM_LOCKED_CALL(nr, a1, a2, a3, a4, a5) ({                           \
        struct domain *d_ = current->domain;                                \
        mm_lock(d_);                                                        \
        long rc_ = hypercall_table[nr](a1, a2, a3, a4, a5);                 \
        if (unlikely(d_->audit))                                            \
            audit_after_hypercall(d_);                                      \
        mm_unlock(d_);                                                      \
        rc_;                                                                \
    })

long pv_hypercall(unsigned long nr, const unsigned long a[5])
{
    if (nr >= NR_HYPERCALLS || !hypercall_table[nr])
        return no_such_hypercall(nr);
    if ((MM_HYPERCALLS >> nr) & 1)
        return MM_LOCKED_CALL(nr, a[0], a[1], a[2], a[3], a[4]);
    return hypercall_table[nr](a[0], a[1], a[2], a[3], a[4]);
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
    if (nr >= NR_HYPERCALLS || !hypercall_table[nr]) {
        regs->rax = no_such_hypercall(nr);
        return;
    }
    if (!((MM_HYPERCALLS >> nr) & 1)) {
        regs->rax = hypercall_table[nr](regs->rdi, regs->rsi, regs->rdx,
                                        regs->r10, regs->r8);
        return;
    }
    regs->rax = MM_LOCKED_CALL(nr, regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8);
}

/* Xen's do_set_segment_base for a 64-bit PV guest (which runs it in
 * kernel mode: the kernel's GS base is the active one, the user's in
 * the shadow).  SEGBASE_GS_USER_SEL loads the user %gs from a selector
 * (RPL forced to 3) between two SWAPGS, as Xen; a selector that does not
 * load (a bad or not-present descriptor) leaves %gs null and the call
 * still succeeds, as Xen's.  Null is loaded after a flat data selector,
 * so its base is 0 on every CPU (Xen does so where the CPU keeps it). */
static void load_user_gs_sel(unsigned int sel)
{
    unsigned int flat = FLAT_RING3_DS32;

    if (sel > 3)
        sel |= 3;
    __asm__ volatile("swapgs" ::: "memory");
    if (sel <= 3)
        __asm__ volatile("mov %k0, %%gs" :: "r"(flat));
    __asm__ volatile("1: mov %k0, %%gs\n2:\n"
                     ".section .fixup, \"ax\"\n"
                     "3: mov %k1, %%gs\n xor %k0, %k0\n jmp 1b\n"
                     ".previous\n"
                     ".section .ex_table, \"a\"\n .quad 1b, 3b\n.previous"
                     : "+r"(sel) : "r"(flat) : "memory");
    __asm__ volatile("swapgs" ::: "memory");
}

long do_set_segment_base(unsigned long which_arg, unsigned long base,
                         unsigned long a3, unsigned long a4, unsigned long a5)
{
    unsigned int which = which_arg;                 /* Xen's prototype */

    switch (which) {
    case SEGBASE_FS:
    case SEGBASE_GS_USER:
    case SEGBASE_GS_KERNEL:
        if (!is_canonical(base))
            return -XEN_EINVAL;
        wrmsr(which == SEGBASE_FS ? MSR_FS_BASE :
              which == SEGBASE_GS_USER ? MSR_SHADOW_GS_BASE   /* we are in kernel mode */
                                       : MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        load_user_gs_sel((uint16_t)base);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}
