/* What the PV emulation paths share (hv/pv/emul-priv-op.c,
 * emul-inv-op.c, debugreg.c, cpuid.c and the #GP/#UD/#DB paths of
 * hv/pv/traps.c), as Xen's arch/x86/pv/emulate.h. */
#ifndef ASILAB_EMULATE_H
#define ASILAB_EMULATE_H
#include "types.h"
#include "public/arch-x86_64.h"
#include "domain.h"

struct vcpu;
struct vcpu_info;

/* hv/pv/traps.c */
struct vcpu_info *pv_vcpu_info(struct vcpu *v);
/* Copy up to 15 instruction bytes at rip: how many were readable. */
unsigned int pv_fetch_insn(unsigned long rip, uint8_t *buf);
/* After an emulated instruction: continue at rip; a single-step #DB. */
void pv_emul_instruction_done(struct cpu_user_regs *regs, unsigned long rip);
void pv_inject_page_fault(struct cpu_user_regs *regs, unsigned long addr, bool write);
void pv_do_general_protection(struct cpu_user_regs *regs);
void pv_do_invalid_op(struct cpu_user_regs *regs);
void pv_do_debug(struct cpu_user_regs *regs, bool guest);
bool pv_deliver_upcall(struct vcpu *v, struct cpu_user_regs *regs);
/* The exit path's event check (Xen's test_all_events): true if it
 * crashed the domain instead of delivering the upcall. */
static inline bool pv_check_events(struct vcpu *v, struct cpu_user_regs *regs)
{
    const volatile struct vcpu_info *vi = v->vcpu_info;
    if (__builtin_expect(vi->evtchn_upcall_mask || !vi->evtchn_upcall_pending, 1))
        return false;
    return pv_deliver_upcall(v, regs);
}
void pv_failsafe_bounce(struct vcpu *v, struct cpu_user_regs *regs,
                        const uint16_t sel[4]);

/* hv/pv/emul-priv-op.c */
bool pv_emulate_privileged_op(struct cpu_user_regs *regs);
unsigned long pv_guest_cr0(const struct vcpu *v);
unsigned long pv_fixup_guest_cr4(const struct vcpu *v, unsigned long cr4);
unsigned long pv_make_cr4(const struct vcpu *v);
uint64_t *decode_gpr(struct cpu_user_regs *r, unsigned int n);
extern unsigned long hv_cr4_features;      /* the hv's own CR4 */

/* hv/pv/emul-inv-op.c */
bool pv_emulate_invalid_op(struct cpu_user_regs *regs);

/* hv/pv/debugreg.c */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, unsigned long value);
int pv_read_dr(const struct vcpu *v, unsigned int reg, uint64_t *val);
void pv_debugregs_switch(const struct vcpu *prev, const struct vcpu *next);
#define X86_DR6_DEFAULT 0xffff0ff0UL
#define DR_STEP         (1UL << 14)

/* hv/arch/x86/i387.c: CR0.TS as the guest set it (fpu_taskswitch). */
void pv_fpu_taskswitch(struct vcpu *v, bool set);
void pv_do_device_not_available(struct cpu_user_regs *regs);
/* A guest-kernel write fault on a read-only mapping of one of its L1
 * tables, emulated with writable_pagetables (ro-page-fault.c): true if
 * done. */
bool pv_ro_page_fault(struct cpu_user_regs *regs, unsigned long cr2);
/* The virtual machine-check MSRs (vmce.c, Xen's vmce_rdmsr/wrmsr):
 * 1 done, -1 #GP, 0 not a machine-check MSR. */
int vmce_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmce_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* Initial emulated state of a vCPU: CR4 view, DR6/DR7 defaults. */
void pv_emul_vcpu_init(struct vcpu *v);

/* VMASST_TYPE_architectural_iopl: the guest kernel is virtual ring 0
 * for I/O, and the IOPL travels in the rflags of iret and bounce frames. */
static inline bool pv_architectural_iopl(const struct vcpu *v)
{
    return v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl);
}

#endif
