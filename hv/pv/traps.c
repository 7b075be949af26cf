/* Guest kernel/user mode and trap delivery for 64-bit PV guests:
 * toggle_guest_mode, bounce frames into the guest kernel (exceptions,
 * software interrupts and guest-user syscalls), the #GP, #UD and #DB
 * paths that lead to instruction emulation (emul-priv-op.c,
 * emul-inv-op.c), HYPERVISOR_iret, and the hypercalls that register
 * where to bounce to (set_trap_table, set_callbacks, callback_op,
 * stack_switch). */
#include "console.h"
#include "domain.h"
#include "emulate.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "public/callback.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"
#include "x86_decode.h"

/* The CS a bounce frame shows: the interrupted one, its RPL cleared in
 * guest kernel mode ("indicate kernel context to guest", Xen's
 * create_bounce_frame); a compat-mode user CS stays 0xe023. */
static uint64_t frame_cs(const struct cpu_user_regs *regs, bool from_kernel)
{
    return from_kernel ? (regs->cs & ~3) : regs->cs;
}

struct vcpu_info *pv_vcpu_info(struct vcpu *v)
{
    return v->vcpu_info;
}

void toggle_guest_mode(struct vcpu *v)
{
    v->flags ^= TF_kernel_mode;
    __asm__ volatile("swapgs");
    /* Xen's _toggle_guest_pt: the other mode's tables, no TLB flush (with
     * PCIDs the other mode's tag keeps its entries). */
    strategy_write_ptbase(v);
}

/* Push [rcx, r11, (error code), rip, cs, rflags, rsp, ss] on the guest
 * kernel stack and continue at eip in guest kernel mode. */
static void create_bounce_frame(struct cpu_user_regs *regs, unsigned long eip,
                                bool has_err, uint32_t err, bool mask_events)
{
    struct vcpu *v = current;
    struct vcpu_info *vi = pv_vcpu_info(v);
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
    f[n++] = frame_cs(regs, from_kernel);
    f[n++] = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
             (vi->evtchn_upcall_mask ? 0 : X86_EFLAGS_IF) |
             (pv_architectural_iopl(v) ? v->iopl : 0);
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

/* Xen's show_execution_state for a guest that is about to be crashed:
 * its registers and the words at the top of its stack, so that a guest
 * without handlers (an early kernel) can be followed. */
static void show_guest_state(const struct cpu_user_regs *r)
{
    printk("hv: d%uv%u rip %#lx rsp %#lx rflags %#lx cs %#x ss %#x\n"
           "hv:   rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx rbp %#lx\n"
           "hv:   r8 %#lx r9 %#lx r10 %#lx r11 %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx\n",
           current->domain->domain_id, current->vcpu_id, r->rip, r->rsp, r->rflags,
           r->cs, r->ss, r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp,
           r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15);
    for (unsigned int i = 0; i < 16; i++) {
        unsigned long w;
        if (copy_from_guest(&w, r->rsp + i * 8, sizeof(w)))
            break;
        printk("hv:   stack[%u] %#lx\n", i, w);
    }
}

void pv_inject_trap(struct cpu_user_regs *regs, unsigned int vector,
                    bool has_err, uint32_t err, unsigned long cr2)
{
    struct vcpu *v = current;
    const struct trap_info *ti = &v->trap_ctxt[vector & 0xff];

    if (!ti->address) {
        show_guest_state(regs);
        domain_crash(v->domain, "unhandled exception %u (error %#x) at rip %#lx"
                     " cr2 %#lx", vector, err, regs->rip, cr2);
        return;
    }
    if (vector == TRAP_page_fault) {
        v->ctrlreg[2] = cr2;
        pv_vcpu_info(v)->arch.cr2 = cr2;
        /* The guest kernel runs in ring 3: show it a supervisor fault. */
        err &= ~PFEC_user_mode;
        if (!guest_kernel_mode(v))
            err |= PFEC_user_mode;
    }
    regs->entry_vector &= ~TRAP_syscall;
    create_bounce_frame(regs, ti->address, has_err, err, TI_GET_IF(ti));
}

/* A software interrupt (int $n) the trap table's DPL allows: no error
 * code, the frame's rip after the instruction. */
static void pv_inject_sw_interrupt(struct cpu_user_regs *regs, unsigned int vector)
{
    struct vcpu *v = current;
    const struct trap_info *ti = &v->trap_ctxt[vector & 0xff];

    if (!ti->address) {
        domain_crash(v->domain, "unhandled int $%#x at rip %#lx", vector, regs->rip);
        return;
    }
    regs->entry_vector &= ~TRAP_syscall;
    create_bounce_frame(regs, ti->address, false, 0, TI_GET_IF(ti));
}

void pv_inject_page_fault(struct cpu_user_regs *regs, unsigned long addr, bool write)
{
    pv_inject_trap(regs, TRAP_page_fault, true, write ? PFEC_write_access : 0, addr);
}

unsigned int pv_fetch_insn(unsigned long rip, uint8_t *buf)
{
    unsigned int n = 0;
    if (!copy_from_guest(buf, rip, X86_MAX_INSN_LEN))
        return X86_MAX_INSN_LEN;
    /* Byte by byte: the instruction may end just before an unmapped page. */
    while (n < X86_MAX_INSN_LEN && !copy_from_guest(buf + n, rip + n, 1))
        n++;
    return n;
}

void pv_emul_instruction_done(struct cpu_user_regs *regs, unsigned long rip)
{
    regs->rip = rip;
    regs->rflags &= ~X86_EFLAGS_RF;
    if (regs->rflags & X86_EFLAGS_TF) {
        current->dr6 |= DR_STEP | X86_DR6_DEFAULT;
        pv_inject_trap(regs, TRAP_debug, false, 0, 0);
    }
}

/* Xen's permit_softint for a 64-bit guest: kernel mode is ring 1. */
static bool permit_softint(const struct trap_info *ti, const struct vcpu *v)
{
    return TI_GET_DPL(ti) >= (guest_kernel_mode(v) ? 1 : 3);
}

/* #GP from the guest (Xen's do_general_protection).  Every IDT vector
 * but 3 and 4 is DPL 0, so `int $n` faults here with the IDT bit set.
 * The vector comes from the instruction at rip, not from the error code
 * (QEMU 7.2's TCG reports n*16+2 instead of n*8+2). */
void pv_do_general_protection(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    uint32_t err = regs->error_code;

    if (err & X86_XEC_IDT) {
        uint8_t b[X86_MAX_INSN_LEN];
        struct x86_insn in;
        unsigned int vector = err >> 3, len = 2;
        if (x86_decode(b, pv_fetch_insn(regs->rip, b), &in) == X86_DECODE_OK &&
            in.opc == 0xcd) {
            vector = in.imm8;
            len = in.len;
        }
        if (permit_softint(&v->trap_ctxt[vector & 0xff], v)) {
            this_cpu_count(softint_emul, 1);
            regs->rip += len;
            pv_inject_sw_interrupt(regs, vector);
            return;
        }
        err = ((vector & 0xff) << 3) | X86_XEC_IDT;
    } else if (err == 0 && pv_emulate_privileged_op(regs)) {
        return;
    }
    pv_inject_trap(regs, TRAP_gp_fault, true, err, 0);
}

void pv_do_invalid_op(struct cpu_user_regs *regs)
{
    if (pv_emulate_invalid_op(regs))
        return;
    pv_inject_trap(regs, TRAP_invalid_op, false, 0, 0);
}

/* #DB: the hardware DR6 is folded into the vCPU's (Xen's do_debug), and
 * cleared.  From the guest it is delivered; in the hv (a guest data or
 * I/O breakpoint hit by the hv's own access to guest memory) it is only
 * recorded, for the guest to read from DR6. */
void pv_do_debug(struct cpu_user_regs *regs, bool guest)
{
    struct vcpu *v = current;
    unsigned long dr6 = read_debugreg(6);

    write_debugreg(6, X86_DR6_DEFAULT);
    if (!v || v->is_idle)
        return;
    v->dr6 |= dr6 & ~X86_DR6_DEFAULT;
    v->dr6 &= dr6 | ~X86_DR6_DEFAULT;
    if (guest)
        pv_inject_trap(regs, TRAP_debug, false, 0, 0);
}

/* On the way back to the guest (Xen's test_all_events; the check is
 * pv_check_events in emulate.h): an unmasked, pending upcall enters the
 * event callback with events masked.  A
 * guest that unmasks with an upcall pending and no callback is crashed,
 * as Xen's bounce to a null address does: then true. */
bool pv_deliver_upcall(struct vcpu *v, struct cpu_user_regs *regs)
{
    if (!v->event_callback) {
        domain_crash(v->domain, "event upcall pending without an event callback");
        return true;
    }
    this_cpu_count(upcall, 1);
    regs->entry_vector &= ~TRAP_syscall;
    create_bounce_frame(regs, v->event_callback, false, 0, true);
    return v->domain->state != DOM_running;   /* the frame could not be written */
}

/* A segment selector the guest left could not be loaded on the way in
 * (Xen's load_segments): bounce to the failsafe callback with the four
 * selectors on the frame, [rcx, r11, ds, es, fs, gs, rip, cs, rflags,
 * rsp, ss].  As on Xen, the frame is built even without a failsafe
 * callback (the guest then faults at address 0). */
void pv_failsafe_bounce(struct vcpu *v, struct cpu_user_regs *regs,
                        const uint16_t sel[4])
{
    struct vcpu_info *vi = pv_vcpu_info(v);
    bool from_kernel = guest_kernel_mode(v);
    uint64_t f[11];

    uint64_t rsp = (from_kernel ? regs->rsp : v->kernel_sp) & ~0xfUL;
    if (!from_kernel)
        toggle_guest_mode(v);
    f[0] = regs->rcx;
    f[1] = regs->r11;
    f[2] = sel[0], f[3] = sel[1], f[4] = sel[2], f[5] = sel[3];
    f[6] = regs->rip;
    f[7] = frame_cs(regs, from_kernel) |
           ((uint64_t)vi->evtchn_upcall_mask << 32);
    f[8] = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
           (vi->evtchn_upcall_mask ? 0 : X86_EFLAGS_IF) |
           (pv_architectural_iopl(v) ? v->iopl : 0);
    f[9] = regs->rsp;
    f[10] = regs->ss;
    rsp -= sizeof(f);
    if (copy_to_guest(rsp, f, sizeof(f))) {
        domain_crash(v->domain, "cannot write a failsafe frame at %#lx", rsp);
        return;
    }
    if (v->failsafe_disables_events)
        vi->evtchn_upcall_mask = 1;
    regs->entry_vector |= TRAP_syscall;   /* rcx/r11 are on the frame */
    regs->rsp = rsp;
    regs->rip = v->failsafe_callback;
    regs->cs = FLAT_KERNEL_CS64;
    regs->ss = FLAT_KERNEL_SS64;
    regs->rflags &= ~(X86_EFLAGS_AC | X86_EFLAGS_VM | X86_EFLAGS_RF |
                      X86_EFLAGS_NT | X86_EFLAGS_IOPL | X86_EFLAGS_TF);
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
    regs->cs = ic.cs | 3;                        /* Xen: "force guest privilege" */
    regs->rsp = ic.rsp;
    regs->ss = ic.ss | 3;
    regs->rflags = ic.rflags;
    if (ic.flags & VGCF_in_syscall) {
        regs->entry_vector |= TRAP_syscall;
    } else {
        regs->entry_vector &= ~TRAP_syscall;
        regs->r11 = ic.r11;
        regs->rcx = ic.rcx;
    }
    /* The frame's IF is the guest's virtual interrupt flag; with the
     * architectural_iopl assist its IOPL is the virtual IOPL (Xen). */
    pv_vcpu_info(v)->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    if (pv_architectural_iopl(v))
        v->iopl = ic.rflags & X86_EFLAGS_IOPL;
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

/* Xen's register_guest_callback for a 64-bit guest: any canonical
 * address (a callback at an address the guest cannot execute crashes it
 * when used); unknown types -ENOSYS. */
static long register_callback(struct vcpu *v, unsigned int type,
                              unsigned long addr, unsigned int flags)
{
    bool mask = flags & CALLBACKF_mask_events;

    if (!is_canonical(addr))
        return -XEN_EINVAL;
    switch (type) {
    case CALLBACKTYPE_event:
        v->event_callback = addr;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_callback = addr;
        v->failsafe_disables_events = mask;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_callback = addr;
        v->syscall_disables_events = mask;
        return 0;
    case CALLBACKTYPE_syscall32:
        /* Kept as Xen keeps it; only compat-mode user code would
         * reach it, and the hv runs none. */
        v->syscall32_callback = addr;
        v->syscall32_disables_events = mask;
        return 0;
    case CALLBACKTYPE_sysenter:
        v->sysenter_callback = addr;           /* likewise */
        v->sysenter_disables_events = mask;
        return 0;
    case CALLBACKTYPE_nmi:
        /* The NMI callback is trap table entry 2, events masked. */
        v->trap_ctxt[TRAP_nmi] = (struct trap_info){
            .vector = TRAP_nmi, .flags = 4, .cs = FLAT_KERNEL_CS64, .address = addr,
        };
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

static long unregister_callback(struct vcpu *v, unsigned int type)
{
    switch (type) {
    case CALLBACKTYPE_event:
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_syscall:
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        return -XEN_EINVAL;
    case CALLBACKTYPE_nmi:
        memset(&v->trap_ctxt[TRAP_nmi], 0, sizeof(v->trap_ctxt[TRAP_nmi]));
        return 0;
    default:
        return -XEN_ENOSYS;
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
        return unregister_callback(current, cb.type);
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* As Xen: the selector's RPL is fixed up to the guest kernel's (3), and
 * the stack pointer is taken as given (a bad one crashes the guest when
 * a bounce frame cannot be written there). */
long do_stack_switch(unsigned long ss, unsigned long sp, unsigned long a3,
                     unsigned long a4, unsigned long a5)
{
    if ((ss & 3) < 3)
        ss = (ss & ~3UL) | 3;
    current->kernel_ss = ss & 0xffff;
    current->kernel_sp = sp;
    return 0;
}
