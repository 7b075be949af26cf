/* Guest kernel/user mode and trap delivery for 64-bit PV guests:
 * toggle_guest_mode, bounce frames into the guest kernel (exceptions and
 * guest-user syscalls), HYPERVISOR_iret, and the hypercalls that
 * register where to bounce to (set_trap_table, set_callbacks,
 * callback_op, stack_switch). */
#include "console.h"
#include "domain.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "public/callback.h"
#include "sched.h"
#include "traps.h"
#include "x86.h"

/* Guest kernel mode shows the guest a ring-0 CS, as Xen does. */
#define GUEST_KERNEL_CS_VISIBLE (FLAT_KERNEL_CS64 & ~3)

static struct vcpu_info *vcpu_info(struct vcpu *v)
{
    struct shared_info *si = mfn_to_virt(v->domain->shared_info_mfn);
    return &si->vcpu_info[v->vcpu_id];
}

void toggle_guest_mode(struct vcpu *v)
{
    v->flags ^= TF_kernel_mode;
    __asm__ volatile("swapgs");
    write_ptbase(v);
}

/* Push [rcx, r11, (error code), rip, cs, rflags, rsp, ss] on the guest
 * kernel stack and continue at eip in guest kernel mode. */
static void create_bounce_frame(struct cpu_user_regs *regs, unsigned long eip,
                                bool has_err, uint32_t err, bool mask_events)
{
    struct vcpu *v = current;
    struct vcpu_info *vi = vcpu_info(v);
    uint64_t f[8];
    unsigned int n = 0;
    bool from_kernel = guest_kernel_mode(v);
    uint64_t rsp = regs->rsp;

    if (!from_kernel) {
        toggle_guest_mode(v);
        rsp = v->kernel_sp;
    }
    rsp &= ~0xfUL;
    f[n++] = regs->rcx;
    f[n++] = regs->r11;
    if (has_err)
        f[n++] = err;
    f[n++] = regs->rip;
    f[n++] = from_kernel ? GUEST_KERNEL_CS_VISIBLE : FLAT_USER_CS64;
    f[n++] = (regs->rflags & ~X86_EFLAGS_IF) |
             (vi->evtchn_upcall_mask ? 0 : X86_EFLAGS_IF);
    f[n++] = regs->rsp;
    f[n++] = regs->ss;
    rsp -= n * 8;
    if (copy_to_guest(rsp, f, n * 8)) {
        domain_crash(v->domain, "cannot write a bounce frame at %#lx", rsp);
        return;
    }
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    regs->rsp = rsp;
    regs->rip = eip;
    regs->cs = FLAT_KERNEL_CS64;
    regs->ss = FLAT_KERNEL_SS64;
    regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF |
                      X86_EFLAGS_AC);
}

void pv_inject_trap(struct cpu_user_regs *regs, unsigned int vector,
                    bool has_err, uint32_t err, unsigned long cr2)
{
    struct vcpu *v = current;
    const struct trap_info *ti = &v->trap_ctxt[vector & 0xff];

    if (!ti->address) {
        domain_crash(v->domain, "unhandled exception %u (error %#x) at rip %#lx"
                     " cr2 %#lx", vector, err, regs->rip, cr2);
        return;
    }
    if (vector == TRAP_page_fault)
        vcpu_info(v)->arch.cr2 = cr2;
    regs->entry_vector &= ~TRAP_syscall;
    create_bounce_frame(regs, ti->address, has_err, err, TI_GET_IF(ti));
}

void pv_bounce_syscall(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    if (!v->syscall_callback) {
        pv_inject_trap(regs, TRAP_gp_fault, true, 0, 0);
        return;
    }
    create_bounce_frame(regs, v->syscall_callback, false, 0,
                        v->syscall_disables_events);
}

void do_iret(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    struct iret_context ic;

    if (copy_from_guest(&ic, regs->rsp, sizeof(ic))) {
        domain_crash(v->domain, "iret: unreadable frame at %#lx", regs->rsp);
        return;
    }
    if ((ic.cs & 3) == 3) {                      /* back to guest user mode */
        if (!v->guest_table_user) {
            domain_crash(v->domain, "iret to user mode without a user L4");
            return;
        }
        toggle_guest_mode(v);
    }
    regs->rax = ic.rax;
    regs->rip = ic.rip;
    regs->rsp = ic.rsp;
    regs->rflags = ic.rflags;
    if (ic.flags & VGCF_in_syscall) {
        regs->entry_vector |= TRAP_syscall;
    } else {
        regs->entry_vector &= ~TRAP_syscall;
        regs->r11 = ic.r11;
        regs->rcx = ic.rcx;
    }
    /* The frame's IF is the guest's virtual interrupt flag. */
    vcpu_info(v)->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
}

long do_set_trap_table(unsigned long traps, unsigned long a2, unsigned long a3,
                       unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;
    struct trap_info ti;

    if (!traps) {
        memset(v->trap_ctxt, 0, sizeof(v->trap_ctxt));
        return 0;
    }
    for (unsigned int i = 0; i < 256; i++, traps += sizeof(ti)) {
        if (copy_from_guest(&ti, traps, sizeof(ti)))
            return -XEN_EFAULT;
        if (!ti.address)
            return 0;
        if (!guest_range_ok(ti.address, 1) || !is_canonical(ti.address))
            return -XEN_EINVAL;
        v->trap_ctxt[ti.vector] = ti;
    }
    return 0;
}

static long register_callback(struct vcpu *v, unsigned int type,
                              unsigned long addr, unsigned int flags)
{
    if (addr && (!guest_range_ok(addr, 1) || !is_canonical(addr)))
        return -XEN_EINVAL;
    switch (type) {
    case CALLBACKTYPE_event:
        v->event_callback = addr;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_callback = addr;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_callback = addr;
        v->syscall_disables_events = flags & CALLBACKF_mask_events;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall, unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;
    long rc = register_callback(v, CALLBACKTYPE_event, event, 0);
    if (!rc)
        rc = register_callback(v, CALLBACKTYPE_failsafe, failsafe, 0);
    if (!rc)
        rc = register_callback(v, CALLBACKTYPE_syscall, syscall, 0);
    return rc;
}

long do_callback_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                    unsigned long a4, unsigned long a5)
{
    switch (cmd) {
    case CALLBACKOP_register: {
        struct callback_register cb;
        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -XEN_EFAULT;
        return register_callback(current, cb.type, cb.address, cb.flags);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister cb;
        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -XEN_EFAULT;
        return register_callback(current, cb.type, 0, 0);
    }
    default:
        return -XEN_ENOSYS;
    }
}

long do_stack_switch(unsigned long ss, unsigned long sp, unsigned long a3,
                     unsigned long a4, unsigned long a5)
{
    if ((ss & 3) != 3 || !guest_range_ok(sp - 1, 1))
        return -XEN_EINVAL;
    current->kernel_ss = ss;
    current->kernel_sp = sp;
    return 0;
}
